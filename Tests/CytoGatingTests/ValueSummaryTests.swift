import CytoCore
@testable import CytoGating
import CytoTestSupport
import Foundation
import Testing

/// `ValueSummary` computes order statistics by selection and sums order-independently; these
/// tests hold it to a sort-based reference (the former implementation) on ties, NaN, ±∞,
/// signed zeros, tiny and large inputs.
@Suite("ValueSummary vs sort-based reference")
struct ValueSummaryTests {
  /// The sort-based reference: the values sorted with NaN removed; type-7 percentiles (with the
  /// documented rule for NaN from infinite neighbours); min/max as the first and last of a stable
  /// sort; mean and sd as the old implementation summed them (in sorted order).
  struct Reference {
    let x: [Double]
    init(_ values: [Double]) { x = values.filter { !$0.isNaN }.sorted() }

    func percentile(_ p: Double) -> Double? {
      guard !x.isEmpty else { return nil }
      let h = Double(x.count - 1) * min(max(p, 0), 100) / 100
      let lo = Int(h.rounded(.down)), hi = min(lo + 1, x.count - 1), f = h - Double(lo)
      let v = x[lo] + f * (x[hi] - x[lo])
      return v.isNaN && (x[lo] == x[hi] || f == 0) ? x[lo] : v
    }

    var mean: Double? {
      guard !x.isEmpty else { return nil }
      var s = 0.0, c = 0.0
      for v in x { let y = v - c; let t = s + y; c = (t - s) - y; s = t }
      return s / Double(x.count)
    }

    var sd: Double? {
      guard x.count > 1, let m = mean else { return nil }
      return (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)).squareRoot()
    }

    func value(_ s: ChannelStatistic) -> Double? {
      guard !x.isEmpty else { return nil }
      switch s {
      case .median: return percentile(50)
      case .min: return x.first
      case .max: return x.last
      case .robustSD: return (percentile(84.13)! - percentile(15.87)!) / 2
      case .robustCV:
        let med = percentile(50)!
        return med != 0 ? 100 * (percentile(84.13)! - percentile(15.87)!) / 2 / med : nil
      case .mean: return mean
      case .sd: return sd
      case .cv: return sd.flatMap { s in mean! != 0 ? 100 * s / mean! : nil }
      case .geometricMean:
        let pos = x.filter { $0 > 0 }
        return pos.isEmpty ? nil : exp(pos.reduce(0) { $0 + log($1) } / Double(pos.count))
      }
    }
  }

  static let orderStatistics: [ChannelStatistic] = [.median, .min, .max, .robustSD, .robustCV]
  static let percentiles: [Double] = (0...100).map(Double.init) + [15.87, 84.13, 0.5, 99.9, 33.3333]

  /// Same bits, or both NaN, or both nil.
  static func same(_ a: Double?, _ b: Double?) -> Bool {
    switch (a, b) {
    case (nil, nil): true
    case let (x?, y?): x.bitPattern == y.bitPattern || (x.isNaN && y.isNaN)
    default: false
    }
  }

  /// Within `ulps` units in the last place (equal non-finite values, or both NaN, or both nil).
  static func close(_ a: Double?, _ b: Double?, ulps: Double, scale: Double? = nil) -> Bool {
    switch (a, b) {
    case (nil, nil): return true
    case let (x?, y?):
      if x.isNaN || y.isNaN || !x.isFinite || !y.isFinite { return same(x, y) }
      return abs(x - y) <= ulps * (scale ?? max(abs(x), abs(y))).ulp
    default: return false
    }
  }

  /// Every order statistic and percentile bit-identical to the reference; mean, sd, cv and
  /// geomean close to it and independent of the values' order.
  static func check(_ values: [Double], _ label: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    let ref = Reference(values)
    let all = ChannelStatistic.allCases
    let r = ValueSummary(values).summary(statistics: all, percentiles: percentiles)
    #expect(ValueSummary(values).count == ref.x.count, "\(label) count", sourceLocation: sourceLocation)
    #expect(ValueSummary(values).sorted.map(\.bitPattern) == ref.x.map(\.bitPattern), sourceLocation: sourceLocation)
    #expect(Set(r.statistics.keys) == Set(all) && Set(r.percentiles.keys) == Set(percentiles), sourceLocation: sourceLocation)
    for p in percentiles {
      #expect(same(r.percentiles[p]!, ref.percentile(p)), "\(label) P\(p): \(String(describing: r.percentiles[p]!)) vs \(String(describing: ref.percentile(p)))",
              sourceLocation: sourceLocation)
      #expect(same(ValueSummary(values).percentile(p), ref.percentile(p)), "\(label) single P\(p)", sourceLocation: sourceLocation)
    }
    for s in orderStatistics {
      #expect(same(r.statistics[s]!, ref.value(s)), "\(label) \(s): \(String(describing: r.statistics[s]!)) vs \(String(describing: ref.value(s)))",
              sourceLocation: sourceLocation)
      #expect(same(ValueSummary(values).value(s), ref.value(s)), "\(label) single \(s)", sourceLocation: sourceLocation)
    }
    let finite = ref.x.allSatisfy(\.isFinite)
    if finite {
      let spread = ref.x.map(abs).max() ?? 0
      #expect(close(r.statistics[.mean]!, ref.mean, ulps: 4), "\(label) mean", sourceLocation: sourceLocation)
      // sd: the deviations from means that may differ by an ulp; relative 1e-12 of the spread.
      if let a = r.statistics[.sd]!, let b = ref.sd {
        #expect(abs(a - b) <= 1e-12 * max(spread, b), "\(label) sd \(a) vs \(b)", sourceLocation: sourceLocation)
      } else {
        #expect(r.statistics[.sd]! == nil && ref.sd == nil, "\(label) sd", sourceLocation: sourceLocation)
      }
      // geomean: the reference sums the logs naively (error ~ √n ulps of the sum).
      if let a = r.statistics[.geometricMean]!, let b = ref.value(.geometricMean) {
        #expect(abs(a - b) <= 1e-11 * b, "\(label) geomean \(a) vs \(b)", sourceLocation: sourceLocation)
      } else {
        #expect(r.statistics[.geometricMean]! == nil && ref.value(.geometricMean) == nil, sourceLocation: sourceLocation)
      }
      #expect((r.statistics[.cv]! == nil) == (ref.value(.cv) == nil), "\(label) cv defined", sourceLocation: sourceLocation)
    }
    // Order independence, to the bit, for every statistic.
    var rng = SeededGenerator(seed: UInt64(values.count) &+ 77)
    for _ in 0..<3 {
      let shuffled = ValueSummary(values.shuffled(using: &rng)).summary(statistics: all, percentiles: percentiles)
      for s in all where s != .min && s != .max {
        #expect(same(shuffled.statistics[s]!, r.statistics[s]!), "\(label) \(s) depends on order", sourceLocation: sourceLocation)
      }
      for p in percentiles { #expect(same(shuffled.percentiles[p]!, r.percentiles[p]!), sourceLocation: sourceLocation) }
    }
  }

  @Test func emptyAndTiny() {
    Self.check([], "n=0")
    Self.check([.nan, .nan], "only NaN")
    Self.check([3.5], "n=1")
    Self.check([-0.0], "n=1 -0")
    Self.check([2, 1], "n=2")
    Self.check([1, 1], "n=2 tie")
    Self.check([5, -1, 2], "n=3")
    Self.check([2, .nan, 2, 7], "n=3 tie + NaN")
    for p in [0.0, 40, 50, 100] {
      #expect(ValueSummary([]).percentile(p) == nil)
    }
    #expect(ValueSummary([Double.nan]).value(.mean) == nil)
    #expect(ValueSummary([4]).value(.sd) == nil && ValueSummary([4]).value(.cv) == nil)
    #expect(ValueSummary([-1, 0]).value(.geometricMean) == nil)
  }

  @Test func signedZerosKeepMinAndMaxOfAStableSort() {
    Self.check([0.0, -0.0], "+0 -0")
    Self.check([-0.0, 0.0], "-0 +0")
    Self.check([-0.0, 0.0, -0.0, 0.0, 1, -1], "zeros")
    Self.check([0.0, -0.0, 0.0], "+0 -0 +0")
    #expect(ValueSummary([0.0, -0.0]).value(.min)!.sign == .plus)
    #expect(ValueSummary([-0.0, 0.0]).value(.min)!.sign == .minus)
    #expect(ValueSummary([-0.0, 0.0]).value(.max)!.sign == .plus)
    #expect(ValueSummary([0.0, -0.0]).value(.max)!.sign == .minus)
  }

  @Test func infinities() {
    let inf = Double.infinity
    Self.check([1, inf], "1 +inf")
    Self.check([-inf, -inf, 1], "-inf -inf 1")
    Self.check([-inf, inf], "-inf +inf")
    Self.check([inf, inf, inf], "+inf ×3")
    Self.check([-inf, 3, .nan, inf, 0, -2, inf], "mixed")
    // The percentile rule for infinite neighbours, and IEEE sums.
    #expect(ValueSummary([-inf, -inf, 1]).value(.median) == -inf)
    #expect(ValueSummary([1, inf]).percentile(0) == 1)
    #expect(ValueSummary([1, inf]).percentile(50) == inf)
    #expect(ValueSummary([-inf, inf]).value(.median)!.isNaN)
    #expect(ValueSummary([1, inf, inf]).value(.mean) == inf)
    #expect(ValueSummary([-inf, 2, 3]).value(.mean) == -inf)
    #expect(ValueSummary([-inf, 2, inf]).value(.mean)!.isNaN)
    #expect(ValueSummary([1, 2, inf]).value(.sd)!.isNaN)
    #expect(ValueSummary([1, 2, inf]).value(.geometricMean) == inf)
  }

  /// Small random sets with heavy ties, NaN and infinities, all sizes 0…40.
  @Test func smallRandomSets() {
    var rng = SeededGenerator(seed: 1)
    let pool: [Double] = [-3, -1, -0.0, 0, 0.5, 1, 1, 2, 1e6, .nan, .infinity, -.infinity]
    for n in 0...40 {
      for round in 0..<6 {
        let values = (0..<n).map { _ in
          round < 3 ? pool.randomElement(using: &rng)! : Double(Int.random(in: -5...5, using: &rng)) / 4
        }
        Self.check(values, "n=\(n) round \(round)")
      }
    }
  }

  /// 10⁵ values with many ties (a few hundred distinct values) and a continuous part, with and
  /// without NaN; also a sorted and a reversed input (selection's bad cases).
  @Test(arguments: [0, 1, 2])
  func largeN(variant: Int) {
    var rng = SeededGenerator(seed: 42 + UInt64(variant))
    var values = (0..<100_000).map { i -> Double in
      if i % 3 == 0 { return Double(Int.random(in: 0..<300, using: &rng)) * 8 }
      return Double(Float(Double.random(in: -500...5000, using: &rng)))
    }
    if variant == 1 { for i in stride(from: 5, to: values.count, by: 97) { values[i] = .nan } }
    if variant == 2 { values.sort() }
    Self.check(values, "large variant \(variant)")
    if variant == 2 { Self.check(Array(values.reversed()), "large reversed") }
  }

  /// Many equal values only: selection must not degrade or misplace.
  @Test func allEqual() {
    Self.check([Double](repeating: 7.25, count: 50_001), "all equal")
    Self.check((0..<30_000).map { Double($0 % 2) }, "two values")
  }

  /// The exact sum is correctly rounded: dyadic terms m·2⁻²⁰ with |m| < 2⁴⁰ have an exact
  /// integer sum, so the reference is that integer rounded once to Double.
  @Test func exactSumIsCorrectlyRounded() {
    var rng = SeededGenerator(seed: 9)
    let scale = 0x1p-20
    for n in [1, 2, 3, 10, 1000, 50_000] {
      for _ in 0..<4 {
        let m = (0..<n).map { _ -> Int64 in
          let magnitude = Int64(1) << Int64.random(in: 0...40, using: &rng)
          return Int64.random(in: -magnitude...magnitude, using: &rng)
        }
        var s = ExactSum()
        for v in m { s.add(Double(v) * scale) }
        let exact = m.reduce(0, +)
        #expect(s.value.bitPattern == (Double(exact) * scale).bitPattern, "n=\(n): \(s.value) vs \(Double(exact) * scale)")
      }
    }
    // Cancellation and half-way cases a naive or Kahan sum gets wrong.
    func sum(_ xs: [Double]) -> Double { var s = ExactSum(); for x in xs { s.add(x) }; return s.value }
    #expect(sum([1e100, 1, -1e100]) == 1)
    #expect(sum([1e-16, 1, 1e16]) == 1.0000000000000002e16)
    #expect(sum([Double](repeating: 0.1, count: 10)) == 1.0)
    #expect(sum([1, 0x1p-53, 0x1p-106]) == 1.0.nextUp)
    #expect(sum([1, 0x1p-53]) == 1)
    #expect(sum([]) == 0)
    #expect(sum([.greatestFiniteMagnitude, .greatestFiniteMagnitude]) == .infinity)
    #expect(sum([.infinity, -.infinity]).isNaN)
    #expect(sum([.nan, 1]).isNaN)
  }

  /// GatingResult.statistics (gathered into one reused buffer) equals a ValueSummary of each
  /// population's values, for `Float` and `Double` channels.
  @Test func populationStatisticsUseTheSameValues() throws {
    var rng = SeededGenerator(seed: 5)
    let n = 5000
    let a = (0..<n).map { _ in Float.random(in: 0...1000, using: &rng).rounded() }
    let b = (0..<n).map { _ in Double.random(in: -10...10, using: &rng) }
    let strategy = try GatingStrategy(transformations: [], gates: [
      Gate(id: "Big", shape: .rectangle([RectangleSide(.channel("a"), min: 100)])),
      Gate(id: "Small", parent: "Big", shape: .rectangle([RectangleSide(.channel("a"), max: 300)])),
    ])
    let input = GatingInput(channels: [ChannelName("a")], events: EventMatrix(eventCount: n, channelCount: 1, columnMajor: a))
    let result = try GatingEngine.evaluate(strategy, on: input)
    let stats = result.statistics(channels: [(ChannelName("a"), .float(a)), (ChannelName("b"), .double(b))],
                                  statistics: ChannelStatistic.allCases, percentiles: [5, 15.87, 95])
    #expect(stats.count == 2)
    for ps in stats {
      let idx = result.masks[ps.population]!.indices
      for (name, column) in [("a", a.map(Double.init)), ("b", b)] {
        let expected = ValueSummary(idx.map { column[$0] }).summary(statistics: ChannelStatistic.allCases, percentiles: [5, 15.87, 95])
        for s in ChannelStatistic.allCases { #expect(Self.same(ps.channels[ChannelName(name)]![s]!, expected.statistics[s]!), "\(ps.population) \(name) \(s)") }
        for p in [5, 15.87, 95] { #expect(Self.same(ps.percentiles[ChannelName(name)]![p]!, expected.percentiles[p]!)) }
        #expect(Self.same(ps.channels[ChannelName(name)]![.median]!, Reference(idx.map { column[$0] }).percentile(50)))
      }
    }
  }
}
