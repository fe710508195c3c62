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
    // One buffer, reused for every population and channel: the population's values are
    // gathered into it and reordered there by the selection (ValueSummary.summarize).
    var buffer = [Double]()
    return strategy.populations.compactMap { id in
      guard let mask = masks[id], let path = strategy.path(of: id) else { return nil }
      var perChannel: [ChannelName: [ChannelStatistic: Double?]] = [:]
      var perPct: [ChannelName: [Double: Double?]] = [:]
      if !statistics.isEmpty || !percentiles.isEmpty {
        let idx = mask.indices
        for (name, values) in channels {
          let r = ValueSummary.summarize(values, at: idx, buffer: &buffer, statistics: statistics, percentiles: percentiles)
          perChannel[name] = r.statistics
          perPct[name] = r.percentiles
        }
      }
      return PopulationStatistics(population: id, path: path, count: mask.setCount, parentCount: parentCount(id) ?? eventCount,
                                  totalCount: eventCount, channels: perChannel, percentiles: perPct)
    }
  }
}

extension ValueSummary {
  /// `statistics` and `percentiles` of the events `idx` of `values`: gathered (as `Double`,
  /// exact for `Float`) into `buffer`, which is grown as needed and never shrunk, so one buffer
  /// serves every population and channel; then ``summarize(_:statistics:percentiles:)``.
  public static func summarize(_ values: DimensionValues, at idx: [Int], buffer: inout [Double],
                               statistics: [ChannelStatistic], percentiles: [Double])
    -> (statistics: [ChannelStatistic: Double?], percentiles: [Double: Double?]) {
    if buffer.count < idx.count { buffer = [Double](repeating: 0, count: idx.count) }
    return buffer.withUnsafeMutableBufferPointer { out in
      switch values {
      case .float(let v): v.withUnsafeBufferPointer { v in for (k, i) in idx.enumerated() { out[k] = Double(v[i]) } }
      case .double(let v): v.withUnsafeBufferPointer { v in for (k, i) in idx.enumerated() { out[k] = v[i] } }
      }
      return summarize(UnsafeMutableBufferPointer(rebasing: out[0..<idx.count]), statistics: statistics, percentiles: percentiles)
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

