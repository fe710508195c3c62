import CytoCore
import CytoGating
import Foundation

/// Population statistics (`GatingResult.statistics`, what `cytoreset gate --stats` calls) of one
/// large population on the 12 marker channels of a benchmark file.
///
/// The population is `Cells` (the gating benchmark's FSC-A × SSC-A polygon: all events but
/// debris, about 90 %); the channel values are the stored (uncompensated) marker columns.
public enum StatisticsBench {
  /// Every statistic `ChannelStatistic` has, plus six percentiles.
  public static let allStatistics = ChannelStatistic.allCases
  public static let percentiles: [Double] = [1, 5, 25, 75, 95, 99]

  public struct Input: Sendable {
    public let result: GatingResult
    public let channels: [(ChannelName, DimensionValues)]
    /// Events in the population.
    public let populationEvents: Int
  }

  /// Gates `file` with the one-gate `Cells` strategy and collects the 12 marker columns.
  public static func input(_ file: BenchFile) throws -> Input {
    let input = try GatingBench.input(file.path)
    let lin = { (name: String) in GateDimension.channel(ChannelName(name)) }
    let strategy = try GatingStrategy(gates: [
      Gate(id: "Cells", shape: .polygon(x: lin("FSC-A"), y: lin("SSC-A"), vertices: [
        Vertex(30_000.5, -1_000.5), Vertex(262_000.5, -1_000.5), Vertex(262_000.5, 262_000.5),
        Vertex(80_000.5, 262_000.5), Vertex(25_000.5, 50_000.5),
      ])),
    ])
    let result = try GatingEngine.evaluate(strategy, on: input)
    var channels: [(ChannelName, DimensionValues)] = []
    for name in GatingBench.markerChannels {
      guard let c = input.channels.firstIndex(of: name) else { throw BenchError("\(file.path) has no channel \(name)") }
      channels.append((name, input.linearValues(ChannelIndex(c))))
    }
    return Input(result: result, channels: channels, populationEvents: result.count("Cells") ?? 0)
  }

  /// The statistics of every population (here: one) on every channel.
  @inline(never)
  public static func statistics(_ input: Input, _ statistics: [ChannelStatistic], percentiles: [Double]) -> [PopulationStatistics] {
    input.result.statistics(channels: input.channels, statistics: statistics, percentiles: percentiles)
  }
}
