import CytoGating

/// The point tests behind FlowJo's gates, on coordinates already mapped by
/// ``FlowJoDisplayScale`` (docs/flowjo.md, "The rule"). Ported from scripts/flowjo_counts.py
/// (`even_odd`, `gate_mask`) so that the floating-point decisions are the same.
enum FlowJoGateGeometry {
  /// Rectangle, exact on event values: `min <= x < max` per range, a missing bound open.
  static func rectangle(_ columns: [[Double]], bounds: [(min: Double?, max: Double?)], count: Int) -> [Bool] {
    var m = [Bool](repeating: true, count: count)
    for (c, b) in zip(columns, bounds) {
      for i in 0..<count where m[i] {
        let x = c[i]
        if let lo = b.min, !(x >= lo) { m[i] = false }
        if let hi = b.max, !(x < hi) { m[i] = false }
      }
    }
    return m
  }

  /// Even–odd point in polygon: an edge counts a point when `y1 <= y < y2` (half-open in y)
  /// and the point is left of it. On integer grid points this counts points on an edge in, as
  /// FlowJo does (docs/flowjo.md step 3).
  static func evenOdd(px: [Double], py: [Double], vx: [Double], vy: [Double]) -> [Bool] {
    var inside = [Bool](repeating: false, count: px.count)
    let n = vx.count
    for i in 0..<n {
      let x1 = vx[i], y1 = vy[i], x2 = vx[(i + 1) % n], y2 = vy[(i + 1) % n]
      if y1 == y2 { continue }
      let lo = min(y1, y2), hi = max(y1, y2)
      for e in 0..<px.count {
        let y = py[e]
        if y >= lo && y < hi && px[e] < x1 + (y - y1) * (x2 - x1) / (y2 - y1) { inside[e].toggle() }
      }
    }
    return inside
  }

  /// FlowJo's ellipse on 256-grid coordinates: in when `d(p, f₁) + d(p, f₂) ≤ |e₁ − e₂|`
  /// (docs/flowjo.md step 4).
  static func ellipse(px: [Double], py: [Double], foci: [Vertex], edge: [Vertex]) -> [Bool] {
    let major = hypot(edge[0].x - edge[1].x, edge[0].y - edge[1].y)
    let f1 = foci[0], f2 = foci[1]
    return zip(px, py).map { x, y in hypot(x - f1.x, y - f1.y) + hypot(x - f2.x, y - f2.y) <= major }
  }
}

#if canImport(Darwin)
import Darwin
#else
import Glibc
#endif
