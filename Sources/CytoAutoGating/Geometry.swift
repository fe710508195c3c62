/// Convex hulls (Andrew's monotone chain) and point-in-polygon tests (even–odd rule, the rule
/// Gating-ML 2.0 polygon gates use).
public enum ConvexHull {
  /// The convex hull of `points`, counter-clockwise, without collinear points; fewer than 3
  /// distinct points give what there is.
  public static func of(_ points: [(Double, Double)]) -> [(Double, Double)] {
    let p = points.sorted { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
    guard p.count > 2 else { return p }
    func cross(_ o: (Double, Double), _ a: (Double, Double), _ b: (Double, Double)) -> Double {
      (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
    }
    var lower: [(Double, Double)] = []
    for q in p {
      while lower.count >= 2 && cross(lower[lower.count - 2], lower[lower.count - 1], q) <= 0 { lower.removeLast() }
      lower.append(q)
    }
    var upper: [(Double, Double)] = []
    for q in p.reversed() {
      while upper.count >= 2 && cross(upper[upper.count - 2], upper[upper.count - 1], q) <= 0 { upper.removeLast() }
      upper.append(q)
    }
    return Array(lower.dropLast() + upper.dropLast())
  }
}

/// A polygon for membership tests.
///
/// The even–odd test is made per horizontal slab: the vertices' y values cut the plane into
/// slabs, and each slab lists the edges that cross it, so a point is tested against the few
/// edges at its height (two for a convex polygon) instead of every edge.
public struct Polygon2D: Sendable {
  public let vertices: [(x: Double, y: Double)]
  /// Distinct vertex y values, ascending: slab k is ys[k] ≤ y < ys[k + 1].
  private let ys: [Double]
  /// Edges crossing slab k: `slabEdges[slabStart[k]..<slabStart[k + 1]]`, as (a, b) vertex indices.
  private let slabStart: [Int]
  private let slabEdges: [(Int, Int)]

  public init(_ vertices: [(x: Double, y: Double)]) {
    self.vertices = vertices
    let ys = Array(Set(vertices.map(\.y).filter(\.isFinite))).sorted()
    var start: [Int] = [0], edges: [(Int, Int)] = []
    // The slab lists hold at most 16 entries per vertex (a convex polygon needs 2 per slab); a
    // polygon zigzagging across more (a hand-typed override with thousands of vertices) is
    // tested against every edge instead, so memory stays linear in the vertices.
    let budget = 16 * max(vertices.count, 4)
    if ys.count >= 2 {
      slabs: for k in 0..<(ys.count - 1) {
        let y = ys[k]
        var j = vertices.count - 1
        for i in vertices.indices {
          let a = vertices[i], b = vertices[j]
          // The same crossing condition as the test, constant over the slab.
          if (a.y > y) != (b.y > y) { edges.append((i, j)) }
          j = i
        }
        start.append(edges.count)
        if edges.count > budget {
          (start, edges) = ([0], [])
          break slabs
        }
      }
    }
    self.ys = ys
    slabStart = start
    slabEdges = edges
  }

  /// Whether (x, y) is inside (even–odd crossing rule).
  @inline(__always) public func contains(_ x: Double, _ y: Double) -> Bool {
    guard ys.count >= 2, y >= ys[0], y < ys[ys.count - 1] else { return false }
    if slabStart.count == 1 { return Self.evenOdd(vertices, x, y) }
    // Last slab whose lower edge is at or below y.
    var lo = 0, hi = ys.count - 1
    while hi - lo > 1 {
      let mid = (lo + hi) / 2
      if ys[mid] <= y { lo = mid } else { hi = mid }
    }
    var inside = false
    for e in slabStart[lo]..<slabStart[lo + 1] {
      let (i, j) = slabEdges[e]
      let a = vertices[i], b = vertices[j]
      if x < (b.x - a.x) * (y - a.y) / (b.y - a.y) + a.x { inside.toggle() }
    }
    return inside
  }

  /// The plain even–odd test against every edge.
  static func evenOdd(_ v: [(x: Double, y: Double)], _ x: Double, _ y: Double) -> Bool {
    var inside = false
    var j = v.count - 1
    for i in v.indices {
      let a = v[i], b = v[j]
      if (a.y > y) != (b.y > y), x < (b.x - a.x) * (y - a.y) / (b.y - a.y) + a.x { inside.toggle() }
      j = i
    }
    return inside
  }

  /// Whether the slab lists were built (false: too many crossings, every edge is tested).
  var usesSlabs: Bool { slabStart.count > 1 }
}
