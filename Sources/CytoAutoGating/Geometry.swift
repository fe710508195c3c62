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
public struct Polygon2D: Sendable {
  public let vertices: [(x: Double, y: Double)]
  public init(_ vertices: [(x: Double, y: Double)]) { self.vertices = vertices }

  /// Whether (x, y) is inside (even–odd crossing rule).
  @inline(__always) public func contains(_ x: Double, _ y: Double) -> Bool {
    var inside = false
    var j = vertices.count - 1
    for i in vertices.indices {
      let a = vertices[i], b = vertices[j]
      if (a.y > y) != (b.y > y), x < (b.x - a.x) * (y - a.y) / (b.y - a.y) + a.x { inside.toggle() }
      j = i
    }
    return inside
  }
}
