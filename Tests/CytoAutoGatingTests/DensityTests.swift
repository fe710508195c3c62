import CytoAutoGating
import CytoTestSupport
import Foundation
import Testing

/// Normal draws from a seeded generator (Box–Muller).
struct Draws {
  var rng: SeededGenerator
  init(_ seed: UInt64) { rng = SeededGenerator(seed: seed) }
  mutating func normal(_ mean: Double = 0, _ sd: Double = 1) -> Float {
    var u = 0.0
    repeat { u = Double.random(in: 0..<1, using: &rng) } while u == 0
    let v = Double.random(in: 0..<1, using: &rng)
    return Float(mean + sd * (-2 * log(u)).squareRoot() * cos(2 * .pi * v))
  }
  mutating func sample(_ n: Int, _ mean: Double, _ sd: Double) -> [Float] { (0..<n).map { _ in normal(mean, sd) } }
}

@Suite struct RobustSampleTests {
  @Test func quantilesFollowRType7() {
    let s = RobustSample([4, 1, 3, 2, .nan, 5])
    #expect(s.count == 5)
    #expect(s.quantile(0) == 1)
    #expect(s.quantile(1) == 5)
    #expect(s.median == 3)
    #expect(s.quantile(0.1) == 1.4)
    #expect(s.countBelow(3) == 2)
    #expect(RobustSample([Float]()).median == nil)
  }

  @Test func robustSpreadsEstimateSigmaAndIgnoreTheOtherSide() throws {
    var d = Draws(1)
    let negatives = d.sample(20_000, 10, 2)
    let s = RobustSample(negatives)
    #expect(abs(try #require(s.robustSD) - 2) < 0.06)
    // 30% positives far above: the overall MAD is inflated, the lower half is not.
    let mixed = RobustSample(negatives + d.sample(8_600, 40, 3))
    let m = try #require(RobustSample(negatives).median)
    #expect(try #require(mixed.robustSD) > 3)
    #expect(abs(try #require(mixed.halfSD(around: m, side: .below)) - 2) < 0.1)
  }
}

@Suite struct Density1DTests {
  @Test func bimodalDataHaveTwoModesAndTheSaddleBetween() throws {
    var d = Draws(2)
    let v = d.sample(18_000, 0.25, 0.04) + d.sample(2_000, 0.7, 0.05)
    let k = Density1D(RobustSample(v))
    let modes = k.modes(minPersistence: 0.5, minEvents: 20)
    #expect(modes.count == 2)
    #expect(abs(modes[0].position - 0.25) < 0.02)
    #expect(abs(modes[1].position - 0.7) < 0.03)
    #expect(abs(modes[0].events - 18_000) < 400)
    let s = k.saddle(between: modes[0].peakBin, and: modes[1].peakBin)
    #expect(s.position > 0.4 && s.position < 0.57)
  }

  @Test func aShoulderIsNotAModeButASeparateSmallPeakIs() {
    var d = Draws(3)
    // 3% at +1.5σ: a shoulder, not a second peak.
    let shoulder = d.sample(20_000, 0.3, 0.05) + d.sample(600, 0.375, 0.05)
    #expect(Density1D(RobustSample(shoulder)).modes(minPersistence: 0.5).count == 1)
    // 1% far above: a peak of its own (B cells in a lymphocyte gate near aplasia).
    let rare = d.sample(20_000, 0.3, 0.05) + d.sample(200, 0.75, 0.04)
    let modes = Density1D(RobustSample(rare)).modes(minPersistence: 0.5, minEvents: 20)
    #expect(modes.count == 2)
    #expect(abs(modes[1].events - 200) < 25)
  }

  @Test func extremeOutliersDoNotFlattenTheGrid() {
    var d = Draws(4)
    var v = d.sample(10_000, 100, 5) + d.sample(10_000, 160, 5)
    v += [-5e6, -3e6, 4e7]
    let modes = Density1D(RobustSample(v)).modes(minPersistence: 0.5)
    #expect(modes.count == 2)
  }
}

@Suite struct Density2DTests {
  @Test func threeClustersAreFoundWithTheirEvents() throws {
    var d = Draws(5)
    var x: [Float] = [], y: [Float] = []
    for (n, mx, my, s) in [(12_000, 0.3, 0.2, 0.04), (3_000, 0.6, 0.45, 0.05), (6_000, 0.5, 0.8, 0.06)] {
      x += d.sample(n, mx, s)
      y += d.sample(n, my, s)
    }
    let k = Density2D(x: x, y: y)
    let c = k.clusters(minPersistence: 0.3, minEvents: 100)
    #expect(c.count == 3)
    let lowest = try #require(c.min { $0.peak.y < $1.peak.y })
    #expect(abs(lowest.peak.x - 0.3) < 0.03 && abs(lowest.peak.y - 0.2) < 0.03)
    #expect(abs(lowest.events - 12_000) < 600)
    // The region at 5% of the peak, as a hull, holds nearly all of the cluster and little else.
    let hull = Polygon2D(k.hull(of: k.region(of: lowest, level: 0.05)))
    var inFirst = 0, inOthers = 0
    for i in x.indices where hull.contains(Double(x[i]), Double(y[i])) {
      if i < 12_000 { inFirst += 1 } else { inOthers += 1 }
    }
    #expect(inFirst > 11_400)
    #expect(inOthers < 100)
  }
}

@Suite struct GeometryTests {
  @Test func hullAndContainment() {
    let h = ConvexHull.of([(0, 0), (1, 0), (1, 1), (0, 1), (0.5, 0.5), (0.5, 0)])
    #expect(h.count == 4)
    let p = Polygon2D(h.map { (x: $0.0, y: $0.1) })
    #expect(p.contains(0.5, 0.5))
    #expect(!p.contains(1.5, 0.5))
    #expect(!p.contains(-0.1, 0.2))
  }

  @Test func theilSenIgnoresAFifthOfOutliers() throws {
    var d = Draws(6)
    var x: [Float] = [], y: [Float] = []
    for _ in 0..<4_000 {
      let a = Double(d.normal(60_000, 8_000))
      x.append(Float(a))
      y.append(Float(2_000 + 0.8 * a) + d.normal(0, 800))
    }
    for _ in 0..<1_000 {  // doublets: area doubles, height barely rises
      let a = Double(d.normal(120_000, 12_000))
      x.append(Float(a))
      y.append(Float(2_000 + 0.8 * a / 2 * 1.1) + d.normal(0, 800))
    }
    // Plain Theil–Sen is pulled by the pairs between the clouds; the trimmed refit is not.
    let plain = try #require(RobustLine.theilSen(x: x, y: y))
    let line = try #require(RobustLine.trimmedTheilSen(x: x, y: y))
    #expect(abs(plain.slope - 0.8) > 0.05)
    #expect(abs(line.slope - 0.8) < 0.02)
    #expect(abs(line.intercept - 2_000) < 1_200)
  }
}
