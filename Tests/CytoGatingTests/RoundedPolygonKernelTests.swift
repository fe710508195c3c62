import CytoCore
@testable import CytoGating
import CytoTestSupport
import Testing

/// The polygon kernel on `Float` roundings of `Double` columns (`polygonWordsRounded`, what
/// prepared evaluation uses for transformed polygon axes) equals the plain `Double` reference
/// event for event, including points that rounding to `Float` moves across an edge or a
/// vertex's height.
@Suite("Polygon kernel on rounded Double columns vs the Double reference")
struct RoundedPolygonKernelTests {
  static let shapes: [(String, [Vertex])] = [
    // Like the reset panel's lymphocyte gate: CD45 on [0, 1] (not Floats) against linear SSC.
    ("lymphocytes", [Vertex(0.46113, 1_000.5), Vertex(0.95131, 1_000.5), Vertex(0.95131, 60_000.25), Vertex(0.58117, 71_000.1),
                     Vertex(0.46113, 30_000.7)]),
    ("bow tie", [Vertex(0, 0), Vertex(200, 100), Vertex(0, 100), Vertex(200, 0)]),  // self-intersecting: even–odd
    ("concave, axis-parallel", [Vertex(0, 0), Vertex(100, 0), Vertex(100, 100), Vertex(50, 20), Vertex(50, 100), Vertex(0, 100)]),
    ("repeated vertices", [Vertex(0.1, 0.1), Vertex(0.1, 0.1), Vertex(0.9, 0.2), Vertex(0.7, 0.8), Vertex(0.7, 0.8), Vertex(0.7, 0.8)]),
    ("collinear (no area)", [Vertex(0.1, 0.3), Vertex(0.5, 0.7), Vertex(0.9, 1.1)]),
    ("all one point", [Vertex(0.3, 0.3), Vertex(0.3, 0.3), Vertex(0.3, 0.3)]),
    ("star (overlapping)", [Vertex(0, 1), Vertex(0.588, -0.809), Vertex(-0.951, 0.309), Vertex(0.951, 0.309), Vertex(-0.588, -0.809)]),
    ("Float midpoints", [Vertex(Double(Float(0.3)) + 0x1p-26, 0.25 + 0x1p-27), Vertex(0.8, Double(Float(0.6)) - 0x1p-25), Vertex(0.45, 0.9)]),
    ("tiny and huge", [Vertex(-3, 1e-30), Vertex(7, 5), Vertex(1e6, 3), Vertex(2, 1e6)]),
    ("large", [Vertex(-1e15, -1e15), Vertex(1e15, -1e15), Vertex(0.5, 1e15)]),
    // Bound constants beyond the Float range: the Double kernel is used.
    ("near the Float range", [Vertex(-1e37, -1e37), Vertex(1e37, -1e37), Vertex(0, 1e37)]),
    ("beyond the Float range", [Vertex(-1e300, 0), Vertex(1e300, 0), Vertex(0, 1e300)]),
    ("edge component below 2^-120", [Vertex(0, 0), Vertex(1e-130, 5), Vertex(3, 1)]),
  ]

  /// Points on, near and far from the edges of `vs`, with every case that rounding to `Float`
  /// can get wrong: on edges and vertices, a few `Double` or `Float` ulps off them, exactly
  /// halfway between two `Float`s, at a vertex's height give or take an ulp, NaN, ±∞, beyond
  /// the `Float` range, subnormal.
  static func points(_ n: Int, _ vs: [Vertex], seed: UInt64) -> ([Double], [Double]) {
    var rng = SeededGenerator(seed: seed)
    let lx = vs.map(\.x).min()!, hx = vs.map(\.x).max()!, ly = vs.map(\.y).min()!, hy = vs.map(\.y).max()!
    func random(_ lo: Double, _ hi: Double) -> Double {
      let a = lo - 0.1 * (hi - lo) - 1e-9, b = hi + 0.1 * (hi - lo) + 1e-9
      return a.isFinite && b.isFinite && a < b ? Double.random(in: a...b, using: &rng) : lo
    }
    func ulps(_ v: Double, _ k: Int, float: Bool) -> Double {
      var v = v
      for _ in 0..<k {
        let up = rng.next() % 2 == 0
        if float {
          let f = Float(v)
          v = Double(up ? f.nextUp : f.nextDown)
        } else {
          v = up ? v.nextUp : v.nextDown
        }
      }
      return v
    }
    func halfway(_ v: Double) -> Double {
      let f = Float(v)
      guard f.isFinite, f.nextUp.isFinite else { return v }
      return (Double(f) + Double(f.nextUp)) / 2 + [0, Double(f).ulp * 0x1p-29, -Double(f).ulp * 0x1p-29][Int(rng.next() % 3)]
    }
    var xs: [Double] = [], ys: [Double] = []
    for _ in 0..<n {
      let i = Int(rng.next() % UInt64(vs.count))
      let a = vs[i], b = vs[(i + 1) % vs.count]
      let t = Double.random(in: 0...1, using: &rng)
      let ex = a.x + t * (b.x - a.x), ey = a.y + t * (b.y - a.y)
      var x: Double, y: Double
      switch rng.next() % 12 {
      case 0: (x, y) = (a.x, a.y)  // a vertex
      case 1: (x, y) = rng.next() % 2 == 0 ? (.nan, a.y) : (a.x, .nan)
      case 2:
        let inf = rng.next() % 2 == 0 ? Double.infinity : -.infinity
        (x, y) = rng.next() % 2 == 0 ? (inf, a.y) : (a.x, inf)
      case 3: (x, y) = (random(lx, hx), random(ly, hy))
      case 4: (x, y) = (ulps(ex, Int(rng.next() % 4), float: false), ulps(ey, Int(rng.next() % 4), float: false))
      case 5: (x, y) = (ulps(ex, Int(rng.next() % 4), float: true), ulps(ey, Int(rng.next() % 4), float: true))
      case 6: (x, y) = (halfway(ex), rng.next() % 2 == 0 ? halfway(ey) : ey)
      case 7:  // at a vertex's height, or its Float rounding, give or take an ulp
        let h = [a.y, Double(Float(a.y)), a.y.nextUp, a.y.nextDown, halfway(a.y)][Int(rng.next() % 5)]
        (x, y) = (random(lx, hx), h)
      case 8: (x, y) = ([a.x, Double(Float(a.x)), a.x.nextUp, a.x.nextDown, halfway(a.x)][Int(rng.next() % 5)], random(ly, hy))
      case 9:
        let odd: [Double] = [1e39, -1e39, 0x1p-140, -0x1p-149, 1e-300, Double(Float.greatestFiniteMagnitude), 0]
        (x, y) = rng.next() % 2 == 0 ? (odd[Int(rng.next() % 7)], ey) : (ex, odd[Int(rng.next() % 7)])
      default: (x, y) = (ulps(ex, Int(rng.next() % 3), float: rng.next() % 2 == 0), halfway(ey))
      }
      xs.append(x); ys.append(y)
    }
    return (xs, ys)
  }

  /// The kernel's mask for `x`, `y` (each `Double`, or `Float` when `float` says so) against
  /// the reference per event.
  static func check(_ xs: [Double], _ ys: [Double], _ vs: [Vertex], floatX: Bool, floatY: Bool, _ context: String) {
    let n = xs.count
    let x: DimensionValues = floatX ? .float(xs.map { Float($0) }) : .double(xs)
    let y: DimensionValues = floatY ? .float(ys.map { Float($0) }) : .double(ys)
    var w = EventMask(count: n, allSet: true).words
    Kernels.andPolygonRounded(x, y, vs, into: &w, count: n)
    let got = EventMask(count: n, words: w)
    let want = EventMask((0..<n).map { ReferenceGating.inPolygon(x[$0], y[$0], vs) })
    if got != want {
      let bad = (0..<n).first { got[$0] != want[$0] }!
      Issue.record("\(context): event \(bad) (\(x[bad]), \(y[bad])) kernel \(got[bad]), reference \(want[bad])")
    }
  }

  @Test(arguments: KernelTests.lengths)
  func everyTailLengthEqualsTheReference(n: Int) {
    for (k, (name, vs)) in Self.shapes.enumerated() {
      let (xs, ys) = Self.points(n, vs, seed: UInt64(n &* 131 &+ k))
      for (fx, fy) in [(false, true), (true, false), (false, false)] {
        Self.check(xs, ys, vs, floatX: fx, floatY: fy, "\(name) n=\(n) floatX=\(fx) floatY=\(fy)")
      }
    }
  }

  @Test(arguments: shapes.indices)
  func manyPointsNearEdgesEqualTheReference(_ k: Int) {
    let (name, vs) = Self.shapes[k]
    let (xs, ys) = Self.points(100_000, vs, seed: 7 &+ UInt64(k))
    for (fx, fy) in [(false, true), (true, false), (false, false)] {
      Self.check(xs, ys, vs, floatX: fx, floatY: fy, "\(name) floatX=\(fx) floatY=\(fy)")
    }
  }

  /// The test has teeth: rounding the points to `Float` and applying the rule to the rounded
  /// values misplaces some of them, so the kernel's exact re-decision is what makes it pass.
  @Test func roundingAloneWouldMisplacePoints() {
    var wrong = 0
    for (k, (_, vs)) in Self.shapes.enumerated() where Kernels.roundedPolygon(vs) != nil {
      let (xs, ys) = Self.points(20_000, vs, seed: 3 &+ UInt64(k))
      for i in xs.indices where xs[i].isFinite && ys[i].isFinite {
        let rounded = ReferenceGating.inPolygon(Double(Float(xs[i])), Double(Float(ys[i])), vs)
        if rounded != ReferenceGating.inPolygon(xs[i], ys[i], vs) { wrong += 1 }
      }
    }
    #expect(wrong > 100, "only \(wrong) points change membership when rounded")
  }

  /// Which polygons take the rounded kernel and which fall back to the `Double` one.
  @Test func roundedFormExistsExactlyWhereFloatArithmeticIsSafe() {
    for (name, vs) in Self.shapes {
      let expectNil = ["all one point", "near the Float range", "beyond the Float range", "edge component below 2^-120"].contains(name)
      #expect((Kernels.roundedPolygon(vs) == nil) == expectNil, "\(name)")
    }
    // Repeated vertices leave out their zero-length edges.
    #expect(Kernels.roundedPolygon(Self.shapes[3].1)?.edges.count == 3)
  }
}

/// Polygons decided through a band index of their parent's events (what a review drag uses)
/// equal the reference on the parent's events and are empty elsewhere.
@Suite("Polygon band index vs the Double reference")
struct PolygonBandIndexTests {
  static func check(_ n: Int, _ vs: [Vertex], seed: UInt64, floatX: Bool, floatY: Bool, parentEvery: Int?, _ context: String) {
    var (xs, ys) = RoundedPolygonKernelTests.points(n, vs, seed: seed)
    // A few more non-finite heights, which the index keeps apart.
    for i in stride(from: 5, to: n, by: 97) { ys[i] = [Double.nan, .infinity, -.infinity][i % 3] }
    let x: DimensionValues = floatX ? .float(xs.map { Float($0) }) : .double(xs)
    let y: DimensionValues = floatY ? .float(ys.map { Float($0) }) : .double(ys)
    let parent = parentEvery.map { k in EventMask((0..<n).map { $0 % k != 1 }) }
    guard let polygon = Kernels.roundedPolygon(vs) else { return }
    let rx = floatX ? xs.map { Float($0) } : Kernels.roundedToFloat(xs)
    let ry = floatY ? ys.map { Float($0) } : Kernels.roundedToFloat(ys)
    let wordCount = (n + 63) >> 6
    var got = [UInt64](repeating: 0, count: wordCount)
    Kernels.withRaw([x, y]) { p, f in
      rx.withUnsafeBufferPointer { rx in
        ry.withUnsafeBufferPointer { ry in
          guard let index = PolygonBandIndex.build(x: rx.baseAddress!, y: ry.baseAddress!, parent: parent?.words, eventCount: n) else {
            Issue.record("\(context): no index")
            return
          }
          let cx = Kernels.Column(p[0], isFloat: f[0], rounded: f[0] ? nil : rx.baseAddress)
          let cy = Kernels.Column(p[1], isFloat: f[1], rounded: f[1] ? nil : ry.baseAddress)
          got.withUnsafeMutableBufferPointer { out in
            index.inside(polygon, Kernels.edges(vs), x: cx, y: cy, into: out.baseAddress!, wordCount: wordCount)
          }
        }
      }
    }
    let want = EventMask((0..<n).map { (parent?[$0] ?? true) && ReferenceGating.inPolygon(x[$0], y[$0], vs) })
    let mask = EventMask(count: n, words: got)
    if mask != want {
      let bad = (0..<n).first { mask[$0] != want[$0] }!
      Issue.record("\(context): event \(bad) (\(x[bad]), \(y[bad])) index \(mask[bad]), reference \(want[bad])")
    }
  }

  @Test(arguments: RoundedPolygonKernelTests.shapes.indices)
  func bandIndexEqualsTheReference(_ k: Int) {
    let (name, vs) = RoundedPolygonKernelTests.shapes[k]
    for (n, parentEvery) in [(0, nil), (1, 3), (37, nil), (4099, 5), (150_000, nil), (150_000, 4)] as [(Int, Int?)] {
      for (fx, fy) in [(false, true), (true, false), (false, false), (true, true)] {
        Self.check(n, vs, seed: UInt64(k &* 7 &+ n), floatX: fx, floatY: fy, parentEvery: parentEvery,
                   "\(name) n=\(n) parent=\(String(describing: parentEvery)) floatX=\(fx) floatY=\(fy)")
      }
    }
  }

  /// The cache rebuilds an index when the parent's mask changes, and reuses it otherwise.
  @Test func cacheFollowsTheParentMask() {
    let cache = PolygonBandIndexCache()
    let d = GateDimension(.channel("A")), e = GateDimension(.channel("B"))
    let xs: [Float] = (0..<1000).map { Float($0) }, ys = xs.reversed().map { $0 }
    var builds = 0
    xs.withUnsafeBufferPointer { x in
      ys.withUnsafeBufferPointer { y in
        for parent in [[UInt64](repeating: ~0, count: 16), [UInt64](repeating: ~0, count: 16), [UInt64](repeating: 0xFF, count: 16)] {
          let i = cache.index(x: d, y: e, parentID: "P", parent: parent) {
            builds += 1
            return PolygonBandIndex.build(x: x.baseAddress!, y: y.baseAddress!, parent: parent, eventCount: 1000)
          }
          #expect(i?.parent == parent)
        }
      }
    }
    #expect(builds == 2)
  }
}
