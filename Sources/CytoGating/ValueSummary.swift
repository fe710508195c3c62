import Foundation
import CytoCore

/// Descriptive statistics of a set of values, computed without sorting.
///
/// Percentiles use linear interpolation between order statistics (Hyndman & Fan type 7, the
/// default of R and NumPy): for p in [0, 100], h = (n − 1)·p/100, value = x[⌊h⌋] + (h − ⌊h⌋)(x[⌊h⌋+1] − x[⌊h⌋]).
/// Where that formula gives NaN from infinite order statistics (x[⌊h⌋] = x[⌊h⌋+1] = ±∞, or
/// h whole next to an infinity) the value is x[⌊h⌋]; between −∞ and +∞ it stays NaN.
/// NaN values are excluded from every statistic; ±∞ are values.
///
/// How: order statistics (percentiles, median, rsd, rcv) by selection, exact — the same bits as
/// from a full sort; min and max by one scan (the first smallest and the last largest in input
/// order, as a stable sort puts them: −0.0 and +0.0 are told apart); mean, sd and geomean from
/// ``ExactSum``, whose sums are correctly rounded and so do not depend on the order of the
/// values (mean within 1 ulp of the true mean; sd from the terms (x − mean)², each rounded
/// once, summed exactly). See docs/engine.md, "Population statistics".
public struct ValueSummary: Sendable {
  /// The values with NaN removed, in input order.
  private let values: [Double]

  public init<C: Collection>(_ values: C) where C.Element == Double {
    self.values = values.filter { !$0.isNaN }
  }

  /// The values (NaN removed), sorted ascending. Sorts on every access (O(n log n)); the
  /// statistics do not need it.
  public var sorted: [Double] { values.sorted() }

  /// The number of values, NaN excluded.
  public var count: Int { values.count }

  /// The p-th percentile (p in 0…100); `nil` for no values.
  public func percentile(_ p: Double) -> Double? {
    summary(statistics: [], percentiles: [p]).percentiles[p] ?? nil
  }

  /// The value of `statistic`; `nil` when undefined for these values.
  public func value(_ statistic: ChannelStatistic) -> Double? {
    summary(statistics: [statistic], percentiles: []).statistics[statistic] ?? nil
  }

  /// Several statistics and percentiles at once (one copy of the values).
  public func summary(statistics: [ChannelStatistic], percentiles: [Double])
    -> (statistics: [ChannelStatistic: Double?], percentiles: [Double: Double?]) {
    var copy = values
    return copy.withUnsafeMutableBufferPointer { Self.summarize($0, statistics: statistics, percentiles: percentiles) }
  }

  /// `statistics` and `percentiles` of the values in `buffer`, computing only what is asked.
  ///
  /// Reorders `buffer` (NaN values are moved out of the way first and excluded): a caller
  /// gathers each set of values into one reusable buffer rather than building a summary. The
  /// results equal ``ValueSummary``'s for the same values, to the bit; a statistic undefined for
  /// the values (any, for no values) is `nil`.
  public static func summarize(_ buffer: UnsafeMutableBufferPointer<Double>, statistics: [ChannelStatistic],
                               percentiles: [Double])
    -> (statistics: [ChannelStatistic: Double?], percentiles: [Double: Double?]) {
    // Compact the non-NaN values to the front, keeping their order (min/max depend on it).
    var n = 0
    for i in buffer.indices where !buffer[i].isNaN {
      buffer[n] = buffer[i]
      n += 1
    }
    let b = UnsafeMutableBufferPointer(rebasing: buffer[0..<n])
    var stats: [ChannelStatistic: Double?] = [:]
    var pcts: [Double: Double?] = [:]
    guard n > 0 else {
      for s in statistics { stats[s] = .some(nil) }
      for p in percentiles { pcts[p] = .some(nil) }
      return (stats, pcts)
    }
    let want = Set(statistics)
    // Order-independent passes first, while the values are still in input order.
    if want.contains(.min) {
      var m = b[0]
      for x in b where x < m { m = x }
      // The first occurrence of the smallest value: a strict `<` keeps the earliest.
      stats[.min] = m
    }
    if want.contains(.max) {
      var m = b[0]
      for x in b where x >= m { m = x }
      stats[.max] = m
    }
    if want.contains(.geometricMean) {
      var s = ExactSum(), k = 0
      for x in b where x > 0 {
        s.add(log(x))
        k += 1
      }
      stats[.geometricMean] = .some(k > 0 ? exp(s.value / Double(k)) : nil)
    }
    if !want.isDisjoint(with: [.mean, .sd, .cv]) {
      var s = ExactSum()
      for x in b { s.add(x) }
      let mean = s.value / Double(n)
      var sd: Double?
      if n > 1 && !want.isDisjoint(with: [.sd, .cv]) {
        var q = ExactSum()
        for x in b { q.add((x - mean) * (x - mean)) }
        sd = (q.value / Double(n - 1)).squareRoot()
      }
      if want.contains(.mean) { stats[.mean] = mean }
      if want.contains(.sd) { stats[.sd] = sd }
      if want.contains(.cv) { stats[.cv] = .some(sd.flatMap { mean != 0 ? 100 * $0 / mean : nil }) }
    }
    // Order statistics: every percentile needed, two adjacent ranks each, selected in one go.
    var needed = percentiles
    if want.contains(.median) { needed.append(50) }
    if want.contains(.robustSD) || want.contains(.robustCV) { needed += [84.13, 15.87] }
    if want.contains(.robustCV) { needed.append(50) }
    guard !needed.isEmpty else { return (stats, pcts) }
    var ranks = Set<Int>()
    for p in needed {
      let (lo, hi, _) = position(p, count: n)
      ranks.insert(lo)
      ranks.insert(hi)
    }
    OrderStatistics.select(b, ranks: ranks.sorted())
    func pct(_ p: Double) -> Double {
      let (lo, hi, f) = position(p, count: n)
      let a = b[lo], c = b[hi]
      let v = a + f * (c - a)
      // NaN from ∞ − ∞ or 0 · ∞ (never from finite values): the lower order statistic, unless
      // interpolating between −∞ and +∞.
      if v.isNaN && (a == c || f == 0) { return a }
      return v
    }
    for p in percentiles { pcts[p] = pct(p) }
    if want.contains(.median) { stats[.median] = pct(50) }
    if want.contains(.robustSD) { stats[.robustSD] = (pct(84.13) - pct(15.87)) / 2 }
    if want.contains(.robustCV) {
      let med = pct(50)
      stats[.robustCV] = .some(med != 0 ? 100 * (pct(84.13) - pct(15.87)) / 2 / med : nil)
    }
    return (stats, pcts)
  }

  /// The type-7 position of percentile `p` among `count` sorted values: the two order
  /// statistics to interpolate between and the fraction.
  private static func position(_ p: Double, count: Int) -> (lo: Int, hi: Int, fraction: Double) {
    let h = Double(count - 1) * min(max(p, 0), 100) / 100
    let lo = Int(h.rounded(.down))
    return (lo, min(lo + 1, count - 1), h - Double(lo))
  }
}
