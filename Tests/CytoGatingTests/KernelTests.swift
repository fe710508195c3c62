import CytoCore
@testable import CytoGating
import CytoTestSupport
import Testing

/// The SIMD kernels equal the scalar reference bit for bit, for every tail length.
@Suite("SIMD gate kernels vs scalar reference")
struct KernelTests {
  static let lengths = Array(0...70) + [127, 128, 129, 1000, 4099]

  static func values(_ n: Int, seed: UInt64, double: Bool) -> DimensionValues {
    var rng = SeededGenerator(seed: seed)
    let grid: [Double] = [0, 1, 2, 5, 10, 100, 500]
    let xs: [Double] = (0..<n).map { i in
      switch rng.next() % 8 {
      case 0: grid[Int(rng.next() % UInt64(grid.count))]  // exactly on boundaries and vertices
      case 1: .nan
      case 2: -Double.random(in: 0...50, using: &rng)
      default: Double.random(in: 0...600, using: &rng)
      }
    }
    return double ? .double(xs) : .float(xs.map { Float($0) })
  }

  @Test(arguments: lengths)
  func rangeMatchesReference(n: Int) {
    for double in [false, true] {
      let v = Self.values(n, seed: UInt64(n), double: double)
      for (lo, hi) in [(Double?.some(5), Double?.some(100)), (nil, 100), (5, nil), (0.1, 0.3), (-1e300, 1e300)] {
        var w = EventMask(count: n, allSet: true).words
        Kernels.andRange(v, lo: lo ?? -.infinity, hi: hi ?? .infinity, into: &w, count: n)
        #expect(EventMask(count: n, words: w) == ReferenceGating.rangeMask(v, min: lo, max: hi), "n=\(n) double=\(double) [\(String(describing: lo)), \(String(describing: hi)))")
      }
    }
  }

  @Test func floatThresholdRoundingIsExact() {
    // 0.1 is not a Float; Float(0.1) > 0.1. Values straddling it must be judged as in Double.
    let f = Float(0.1)
    let xs: [Float] = [f.nextDown, f, f.nextUp, 0.3, Float(0.3).nextDown]
    var w = EventMask(count: xs.count, allSet: true).words
    Kernels.andRange(.float(xs), lo: 0.1, hi: 0.3, into: &w, count: xs.count)
    let want = EventMask(xs.map { Double($0) >= 0.1 && Double($0) < 0.3 })
    #expect(EventMask(count: xs.count, words: w) == want)
  }

  @Test(arguments: lengths)
  func polygonMatchesReference(n: Int) {
    let shapes: [[Vertex]] = [
      [Vertex(5, 5), Vertex(500, 5), Vertex(500, 500)],
      [Vertex(0, 0), Vertex(100, 0), Vertex(100, 100), Vertex(50, 20), Vertex(0, 100)],  // concave
      [Vertex(0, 0), Vertex(200, 100), Vertex(0, 100), Vertex(200, 0)],  // self-intersecting (bow tie)
    ]
    for double in [false, true] {
      let x = Self.values(n, seed: UInt64(n) &+ 7, double: double)
      let y = Self.values(n, seed: UInt64(n) &+ 11, double: !double)
      for vs in shapes {
        var w = EventMask(count: n, allSet: true).words
        Kernels.andPolygon(x, y, vs, into: &w, count: n)
        let want = EventMask((0..<n).map { ReferenceGating.inPolygon(x[$0], y[$0], vs) })
        #expect(EventMask(count: n, words: w) == want, "n=\(n) vertices=\(vs.count)")
      }
    }
  }

  /// `Float` points within a few ulps of the edges (and on vertices), for the `Float` polygon
  /// kernel, whose cross products near 0 must be decided exactly as the `Double` reference does.
  static func pointsNearEdges(_ n: Int, _ vs: [Vertex], seed: UInt64) -> ([Float], [Float]) {
    var rng = SeededGenerator(seed: seed)
    var xs: [Float] = [], ys: [Float] = []
    for _ in 0..<n {
      let i = Int(rng.next() % UInt64(vs.count))
      let a = vs[i], b = vs[(i + 1) % vs.count]
      var x: Float, y: Float
      switch rng.next() % 10 {
      case 0: (x, y) = (Float(a.x), Float(a.y))  // vertex (rounded to Float)
      case 1: (x, y) = (.nan, Float(a.y))
      case 2: (x, y) = (rng.next() % 2 == 0 ? .infinity : -.infinity, Float(a.y))
      case 3:  // anywhere in the bounding box of the polygon
        let lx = vs.map(\.x).min()!, hx = vs.map(\.x).max()!, ly = vs.map(\.y).min()!, hy = vs.map(\.y).max()!
        (x, y) = (Float(Double.random(in: lx...hx, using: &rng)), Float(Double.random(in: ly...hy, using: &rng)))
      default:  // on the edge, then moved by up to 3 ulps in each coordinate
        let t = Double.random(in: 0...1, using: &rng)
        x = Float(a.x + t * (b.x - a.x)); y = Float(a.y + t * (b.y - a.y))
        for _ in 0..<Int(rng.next() % 4) { x = rng.next() % 2 == 0 ? x.nextUp : x.nextDown }
        for _ in 0..<Int(rng.next() % 4) { y = rng.next() % 2 == 0 ? y.nextUp : y.nextDown }
      }
      xs.append(x); ys.append(y)
    }
    return (xs, ys)
  }

  static let floatShapes: [[Vertex]] = [
    // Vertices that are not Floats (the benchmark's BCells and Lymphocytes gates).
    [Vertex(0.46113, 0.44093), Vertex(0.95131, 0.44093), Vertex(0.95131, 0.94871), Vertex(0.58117, 0.94871), Vertex(0.46113, 0.70019)],
    [Vertex(0.50013, -1_000.5), Vertex(0.95017, -1_000.5), Vertex(0.95017, 30_000.5), Vertex(0.55011, 26_000.5)],
    // Float vertices, so that points exactly on the diagonals exist.
    [Vertex(0, 0), Vertex(200, 100), Vertex(0, 100), Vertex(200, 0)],
    [Vertex(-3, 1e-30), Vertex(7, 5), Vertex(1e6, 3), Vertex(2, 1e6)],
    // Large coordinates: Float products near overflow go to Double.
    [Vertex(-1e37, -1e37), Vertex(1e37, -1e37), Vertex(0, 1e37)],
    // Too large for Float edges: the Double kernel is used.
    [Vertex(-1e300, 0), Vertex(1e300, 0), Vertex(0, 1e300)],
    // An edge component below 2⁻¹²⁰ (a subnormal Float): the Double kernel is used.
    [Vertex(1e-30, -1e36), Vertex(1.0000000001e-30, 1e36), Vertex(5, 0)],
  ]

  @Test func tinyEdgeComponentsLeaveTheFloatKernel() {
    #expect(Kernels.floatPolygon([Vertex(1e-30, -1e36), Vertex(1.0000000001e-30, 1e36), Vertex(5, 0)]) == nil)
    #expect(Kernels.floatPolygon([Vertex(0, 0), Vertex(200, 100), Vertex(0, 100)]) != nil)
  }

  @Test(arguments: lengths)
  func floatPolygonMatchesReference(n: Int) {
    for (k, vs) in Self.floatShapes.enumerated() {
      let (xs, ys) = Self.pointsNearEdges(n, vs, seed: UInt64(n &* 31 &+ k))
      var w = EventMask(count: n, allSet: true).words
      Kernels.andPolygon(.float(xs), .float(ys), vs, into: &w, count: n)
      let want = EventMask((0..<n).map { ReferenceGating.inPolygon(Double(xs[$0]), Double(ys[$0]), vs) })
      #expect(EventMask(count: n, words: w) == want, "n=\(n) shape=\(k)")
    }
  }

  @Test func floatPolygonNearEdgesManyEvents() {
    // Enough near-edge points that every edge sees lanes on both sides of its line.
    let n = 200_000
    for (k, vs) in Self.floatShapes.enumerated() {
      let (xs, ys) = Self.pointsNearEdges(n, vs, seed: 99 &+ UInt64(k))
      var w = EventMask(count: n, allSet: true).words
      Kernels.andPolygon(.float(xs), .float(ys), vs, into: &w, count: n)
      let want = EventMask((0..<n).map { ReferenceGating.inPolygon(Double(xs[$0]), Double(ys[$0]), vs) })
      #expect(EventMask(count: n, words: w) == want, "shape=\(k)")
      #expect(want.setCount > 0)
    }
  }

  @Test func polygonEdgesAndVerticesAreInside() {
    let vs = [Vertex(0, 0), Vertex(200_000, 100_000), Vertex(0, 100_000)]
    let pts: [(Double, Double, Bool)] = [
      (0, 0, true), (200_000, 100_000, true), (2000, 1000, true), (1000, 500, true),  // vertices and on the diagonal edge
      (0, 50_000, true), (100, 100_000, true),  // other edges
      (2000, 999.9999, false), (-0.001, 50, false), (10, 90_000, true),
    ]
    let x = DimensionValues.double(pts.map(\.0)), y = DimensionValues.double(pts.map(\.1))
    var w = EventMask(count: pts.count, allSet: true).words
    Kernels.andPolygon(x, y, vs, into: &w, count: pts.count)
    #expect(EventMask(count: pts.count, words: w) == EventMask(pts.map(\.2)))
  }

  @Test(arguments: [0, 1, 63, 64, 65, 130, 1001])
  func ellipsoidMatchesReference(n: Int) throws {
    let cov = [[62.5, 37.5], [37.5, 62.5]]  // half-axes 10 and 5 rotated 45° (gates1.xml Ellipse1)
    let inv = try #require(Kernels.invert(cov))
    for double in [false, true] {
      let x = Self.values(n, seed: 3, double: double), y = Self.values(n, seed: 5, double: double)
      var w = EventMask(count: n, allSet: true).words
      Kernels.andEllipsoid([x, y], mean: [12.99701, 16.22941], inverseCovariance: inv, distanceSquare: 1, into: &w, count: n)
      let want = EventMask((0..<n).map { ReferenceGating.inEllipsoid([x[$0], y[$0]], mean: [12.99701, 16.22941], inverse: inv, distanceSquare: 1) })
      #expect(EventMask(count: n, words: w) == want)
    }
  }

  @Test func parentWordsThatAreEmptyStayEmpty() {
    let n = 200
    let v = DimensionValues.float((0..<n).map { Float($0) })
    var w = EventMask((0..<n).map { $0 >= 64 && $0 < 128 }).words
    Kernels.andRange(v, lo: 0, hi: 1000, into: &w, count: n)
    #expect(EventMask(count: n, words: w).indices == Array(64..<128))
  }
}
