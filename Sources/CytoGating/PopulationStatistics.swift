import CytoCore
import Foundation

/// A statistic of one channel over a population's events.
public enum ChannelStatistic: String, Sendable, Codable, CaseIterable, Hashable {
  /// Arithmetic mean.
  case mean
  /// Median: the 50th percentile (see ``percentile(_:)`` for the interpolation rule).
  case median
  /// Geometric mean exp(mean(ln x)) over the events with x > 0 (others are excluded; on
  /// compensated data, prefer the median).
  case geometricMean = "geomean"
  /// Sample standard deviation, √(Σ(x − mean)² ÷ (n − 1)).
  case sd
  /// Coefficient of variation in percent, 100 × SD ÷ mean.
  case cv
  /// FlowJo's robust SD: ½ (P84.13 − P15.87) (one SD of a normal distribution).
  case robustSD = "rsd"
  /// FlowJo's robust CV in percent: 100 × ½ (P84.13 − P15.87) ÷ median
  /// (FlowJo statistic definitions, `../shared/docs/domain.md` §6).
  case robustCV = "rcv"
  /// Smallest and largest value.
  case min, max
}

/// Descriptive statistics of a set of values.
///
/// Percentiles use linear interpolation between order statistics (Hyndman & Fan type 7, the
/// default of R and NumPy): for p in [0, 100], h = (n − 1)·p/100, value = x[⌊h⌋] + (h − ⌊h⌋)(x[⌊h⌋+1] − x[⌊h⌋]).
/// NaN values are excluded from every statistic.
public struct ValueSummary: Sendable {
  /// The finite-or-infinite values, sorted ascending (NaN removed).
  public let sorted: [Double]

  public init<C: Collection>(_ values: C) where C.Element == Double {
    sorted = values.filter { !$0.isNaN }.sorted()
  }

  public var count: Int { sorted.count }

  /// The p-th percentile (p in 0…100); `nil` for no values.
  public func percentile(_ p: Double) -> Double? {
    guard !sorted.isEmpty else { return nil }
    let h = Double(sorted.count - 1) * min(max(p, 0), 100) / 100
    let lo = Int(h.rounded(.down))
    let hi = min(lo + 1, sorted.count - 1)
    return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
  }

  /// The value of `statistic`; `nil` when undefined for these values.
  public func value(_ statistic: ChannelStatistic) -> Double? {
    let n = sorted.count
    guard n > 0 else { return nil }
    switch statistic {
    case .mean: return mean
    case .median: return percentile(50)
    case .min: return sorted.first
    case .max: return sorted.last
    case .geometricMean:
      let pos = sorted.drop { $0 <= 0 }
      guard !pos.isEmpty else { return nil }
      return exp(pos.reduce(0) { $0 + log($1) } / Double(pos.count))
    case .sd: return sd
    case .cv:
      guard let s = sd, let m = mean, m != 0 else { return nil }
      return 100 * s / m
    case .robustSD:
      guard let a = percentile(84.13), let b = percentile(15.87) else { return nil }
      return (a - b) / 2
    case .robustCV:
      guard let a = percentile(84.13), let b = percentile(15.87), let med = percentile(50), med != 0 else { return nil }
      return 100 * (a - b) / 2 / med
    }
  }

  var mean: Double? {
    guard !sorted.isEmpty else { return nil }
    // Pairwise-free compensated (Kahan) sum: order-independent enough for 10^7 values.
    var s = 0.0, c = 0.0
    for x in sorted { let y = x - c; let t = s + y; c = (t - s) - y; s = t }
    return s / Double(sorted.count)
  }

  var sd: Double? {
    guard sorted.count > 1, let m = mean else { return nil }
    var s = 0.0
    for x in sorted { s += (x - m) * (x - m) }
    return (s / Double(sorted.count - 1)).squareRoot()
  }
}

extension GatingResult {
  /// Counts and statistics for every population, in strategy order.
  ///
  /// - Parameters:
  ///   - channels: channels to summarise, with their values (scaled, compensated or
  ///     transformed as the caller chooses), one array per channel over all events.
  ///   - statistics: which statistics to compute per channel.
  ///   - percentiles: extra percentiles (0–100) per channel.
  public func statistics(channels: [(ChannelName, DimensionValues)] = [], statistics: [ChannelStatistic] = [],
                         percentiles: [Double] = []) -> [PopulationStatistics] {
    strategy.populations.compactMap { id in
      guard let mask = masks[id], let path = strategy.path(of: id) else { return nil }
      var perChannel: [ChannelName: [ChannelStatistic: Double?]] = [:]
      var perPct: [ChannelName: [Double: Double?]] = [:]
      if !statistics.isEmpty || !percentiles.isEmpty {
        let idx = mask.indices
        for (name, values) in channels {
          let summary = ValueSummary(idx.lazy.map { values[$0] })
          var s: [ChannelStatistic: Double?] = [:]
          for st in statistics { s[st] = summary.value(st) }
          perChannel[name] = s
          var p: [Double: Double?] = [:]
          for q in percentiles { p[q] = summary.percentile(q) }
          perPct[name] = p
        }
      }
      return PopulationStatistics(population: id, path: path, count: mask.setCount, parentCount: parentCount(id) ?? eventCount,
                                  totalCount: eventCount, channels: perChannel, percentiles: perPct)
    }
  }
}

/// Counts and per-channel statistics of one population.
public struct PopulationStatistics: Sendable, Equatable {
  public var population: GateID
  public var path: PopulationPath
  /// Events in the population.
  public var count: Int
  /// Events in the parent population (all events for a root).
  public var parentCount: Int
  /// All events in the sample.
  public var totalCount: Int
  /// 100 × count ÷ parent count; `nil` when the parent is empty.
  public var percentOfParent: Double? { parentCount > 0 ? 100 * Double(count) / Double(parentCount) : nil }
  /// 100 × count ÷ total count; `nil` when the sample is empty.
  public var percentOfTotal: Double? { totalCount > 0 ? 100 * Double(count) / Double(totalCount) : nil }
  /// Per channel, the requested statistics (`nil` where undefined, e.g. the mean of no events).
  public var channels: [ChannelName: [ChannelStatistic: Double?]]
  /// Per channel, requested percentiles (0–100) → value.
  public var percentiles: [ChannelName: [Double: Double?]]
}

