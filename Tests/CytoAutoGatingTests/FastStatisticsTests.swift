import CytoCore
@testable import CytoAutoGating
import CytoTestSupport
import Foundation
import Testing

/// The fast paths (radix sort, selection, O(n) spreads, slab polygon test, binned mixture)
/// against the plain definitions they replace.
@Suite struct FastStatisticsTests {
  /// Values with ties, signed zeros, subnormals, huge magnitudes and both signs.
  static func awkward(_ n: Int, seed: UInt64) -> [Float] {
    var d = Draws(seed)
    var v: [Float] = []
    for i in 0..<n {
      switch i % 11 {
      case 0: v.append(0)
      case 1: v.append(-0.0)
      case 2: v.append(Float.leastNonzeroMagnitude * Float(i % 5))
      case 3: v.append(-3e38)
      case 4: v.append(Float(i % 7))  // ties
      default: v.append(d.normal(0, 1_000))
      }
    }
    return v
  }

  @Test func radixSortMatchesTheStandardSort() {
    for n in [0, 1, 513, 4_096, 100_003] {
      let v = Self.awkward(n, seed: UInt64(n))
      let radix = FloatSort.sorted(v), std = v.sorted()
      // −0 and +0 compare equal; the radix order puts −0 first, which is also ascending.
      #expect(radix.count == std.count)
      #expect(zip(radix, std).allSatisfy { $0 == $1 }, "n = \(n)")
      #expect(zip(radix, radix.dropFirst()).allSatisfy { $0 <= $1 })
    }
  }

  @Test func selectionFindsTheOrderStatistic() {
    var d = Draws(3)
    for n in [1, 2, 3, 10, 1_001, 50_000] {
      let v = (0..<n).map { i in i % 4 == 0 ? Float(i % 9) : d.normal() }
      let sorted = v.sorted()
      for k in Set([0, n / 3, n / 2, n - 1]) {
        var w = v
        w.withUnsafeMutableBufferPointer { OrderStatistics.select($0, from: 0, to: n - 1, k: k) }
        #expect(w[k] == sorted[k], "n \(n) k \(k)")
        #expect(w[..<k].allSatisfy { $0 <= w[k] } && w[(k + 1)...].allSatisfy { $0 >= w[k] })
      }
      var w = v + [.nan, .infinity]
      #expect(RobustSample.median(selecting: &w) == RobustSample(v).median, "n \(n)")
    }
    var none: [Float] = [.nan]
    #expect(RobustSample.median(selecting: &none) == nil)
  }

  @Test func linearTimeSpreadsEqualTheirDefinitions() throws {
    var d = Draws(11)
    let v = d.sample(20_001, 100, 15) + d.sample(3_000, 300, 40)
    let s = RobustSample(v)
    let m = try #require(s.median)
    let madByDefinition = RobustSample(s.sorted.map { Float(abs(Double($0) - m)) }).median! * RobustSample.madToSD
    #expect(abs(try #require(s.robustSD) - madByDefinition) <= 1e-9 * madByDefinition)
    for side in [RobustSample.Side.below, .above] {
      let center = 97.5
      let dev = s.sorted.compactMap { x -> Float? in
        let t = Double(x) - center
        return side == .below ? (t <= 0 ? Float(-t) : nil) : (t >= 0 ? Float(t) : nil)
      }
      let byDefinition = RobustSample(dev).median! * RobustSample.madToSD
      #expect(abs(try #require(s.halfSD(around: center, side: side)) - byDefinition) <= 1e-9 * byDefinition, "\(side)")
    }
  }

  @Test func slabPolygonTestEqualsTheEvenOddRule() {
    // A concave, self-touching-free star and a thin sliver; points on vertices' heights too.
    var stars: [[(x: Double, y: Double)]] = []
    for (k, r) in [(7, 0.35), (5, 0.1), (12, 0.8)] {
      stars.append((0..<(2 * k)).map { i in
        let a = Double(i) * .pi / Double(k), rr = i % 2 == 0 ? 1.0 : r
        return (x: rr * cos(a), y: rr * sin(a))
      })
    }
    stars.append([(x: 0, y: 0), (x: 10, y: 0.001), (x: 10, y: 0.002)])
    func evenOdd(_ p: [(x: Double, y: Double)], _ x: Double, _ y: Double) -> Bool {
      var inside = false
      var j = p.count - 1
      for i in p.indices {
        let a = p[i], b = p[j]
        if (a.y > y) != (b.y > y), x < (b.x - a.x) * (y - a.y) / (b.y - a.y) + a.x { inside.toggle() }
        j = i
      }
      return inside
    }
    var rng = SeededGenerator(seed: 5)
    for star in stars {
      let poly = Polygon2D(star)
      var points = (0..<20_000).map { _ in (Double.random(in: -1.2...10.2, using: &rng), Double.random(in: -1.2...1.2, using: &rng)) }
      points += star.map { ($0.x, $0.y) } + star.map { ($0.x - 0.01, $0.y) } + [(0, .nan), (.nan, 0)]
      var agree = 0
      for (x, y) in points where poly.contains(x, y) == evenOdd(star, x, y) { agree += 1 }
      #expect(agree == points.count)
    }
    #expect(!Polygon2D([]).contains(0, 0))
  }

  /// A comb of 4,000 teeth (every slab crossed by thousands of edges) keeps memory linear:
  /// no slab lists, the plain test, the same answers.
  @Test func manyCrossingsFallBackToThePlainTest() {
    var comb: [(x: Double, y: Double)] = []
    for t in 0..<4_000 {
      let e = Double(t) * 1e-4  // every vertex at its own height: thousands of slabs, each crossed by thousands of edges
      comb += [(x: Double(2 * t), y: e), (x: Double(2 * t) + 0.5, y: 10 + e), (x: Double(2 * t) + 1, y: 0.5 + e)]
    }
    comb.append((x: 8_000, y: -1))
    let p = Polygon2D(comb)
    let slabs = p.usesSlabs
    #expect(!slabs)
    #expect(Polygon2D([(x: 0, y: 0), (x: 1, y: 0), (x: 0, y: 1)]).usesSlabs)
    var rng = SeededGenerator(seed: 8)
    for _ in 0..<2_000 {
      let x = Double.random(in: -1...8_001, using: &rng), y = Double.random(in: -1.5...10.5, using: &rng)
      #expect(p.contains(x, y) == Polygon2D.evenOdd(comb, x, y))
    }
  }

  @Test func binnedMixtureRecoversTwoComponents() throws {
    var d = Draws(21)
    let v = d.sample(60_000, 1.0, 0.2) + d.sample(40_000, 2.5, 0.3)
    let g = try #require(GaussianMixture2.fit(RobustSample(v)))
    #expect(abs(g.means.0 - 1.0) < 0.01 && abs(g.means.1 - 2.5) < 0.01)
    #expect(abs(g.sds.0 - 0.2) < 0.01 && abs(g.sds.1 - 0.3) < 0.01)
    #expect(abs(g.weights.0 - 0.6) < 0.01)
    #expect(g.separation > 4)
  }
}
