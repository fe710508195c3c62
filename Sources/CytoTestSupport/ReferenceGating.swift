import CytoCore
import CytoGating

/// A plain scalar implementation of the gate geometry, one event at a time in `Double`, written
/// from the Gating-ML 2.0 definitions without reference to the SIMD kernels. Tests require the
/// kernels to equal it bit for bit.
public enum ReferenceGating {
  /// `min ≤ x < max` (a missing end is open); NaN is outside.
  public static func inRange(_ x: Double, min: Double?, max: Double?) -> Bool {
    if x.isNaN { return false }
    if let min, !(x >= min) { return false }
    if let max, !(x < max) { return false }
    return true
  }

  /// Inside a polygon: on an edge or vertex, or an odd number of crossings of a ray to +x
  /// (an edge counts when its y-range contains y half-open [lower, upper) and the point is
  /// strictly left of it, by the sign of the cross product).
  public static func inPolygon(_ x: Double, _ y: Double, _ v: [Vertex]) -> Bool {
    if x.isNaN || y.isNaN { return false }
    var inside = false
    for i in v.indices {
      let a = v[i], b = v[(i + 1) % v.count]
      let cross = (b.x - a.x) * (y - a.y) - (b.y - a.y) * (x - a.x)
      if cross == 0, x >= Swift.min(a.x, b.x), x <= Swift.max(a.x, b.x), y >= Swift.min(a.y, b.y), y <= Swift.max(a.y, b.y) {
        return true
      }
      if a.y <= y && y < b.y && cross > 0 { inside.toggle() }
      if b.y <= y && y < a.y && cross < 0 { inside.toggle() }
    }
    return inside
  }

  /// Inside an ellipsoid: (x − μ)ᵀ C⁻¹ (x − μ) ≤ d², with C⁻¹ given row-major.
  public static func inEllipsoid(_ x: [Double], mean: [Double], inverse: [Double], distanceSquare: Double) -> Bool {
    let k = x.count
    let d = (0..<k).map { x[$0] - mean[$0] }
    var q = 0.0
    for i in 0..<k {
      var row = 0.0
      for j in 0..<k { row += inverse[i * k + j] * d[j] }
      q += d[i] * row
    }
    return q <= distanceSquare
  }

  /// Membership of every event for one range over `values`.
  public static func rangeMask(_ values: DimensionValues, min: Double?, max: Double?) -> EventMask {
    EventMask((0..<values.count).map { inRange(values[$0], min: min, max: max) })
  }
}
