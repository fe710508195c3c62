// GatingResult.statistics of one large population (Cells: the FSC-A × SSC-A polygon, about 90 %
// of the events) on the 12 marker channels of every benchmark file (BenchFile.all):
//   all statistics <file>   every ChannelStatistic (mean, median, geomean, sd, cv, rsd, rcv,
//                           min, max) and the percentiles 1, 5, 25, 75, 95, 99
//   median <file>           the median alone
// Gating is done in the setup. events/s counts the population's events; MB/s (DATA) 4 bytes
// per population event and channel. Run through ../run-benchmarks.sh Statistics.
import Benchmark
import BenchFiles
import BenchSupport
import CytoGating
import Foundation

let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = StageMetrics.configuration(maxIterations: 20, maxSeconds: 3)

  for file in BenchFile.all {
    guard FileManager.default.fileExists(atPath: file.path) else {
      note("Statistics: \(file.path) is missing; run `swift run -c release bench-data` first")
      continue
    }
    // 10⁷ events: one iteration takes tens of seconds (every statistic sorts the values), so
    // one sample, no warm-up.
    let large = file.events >= 10_000_000
    let configuration = Benchmark.Configuration(warmupIterations: large ? 0 : 1, maxIterations: large ? 1 : 10)
    Benchmark("all statistics \(file.label)", configuration: configuration) { benchmark, input in
      let k = input.populationEvents
      measure(benchmark, events: k, bytes: k * input.channels.count * 4) {
        StatisticsBench.statistics(input, StatisticsBench.allStatistics, percentiles: StatisticsBench.percentiles)
      }
    } setup: {
      try StatisticsBench.input(file)
    }
    Benchmark("median \(file.label)", configuration: configuration) { benchmark, input in
      let k = input.populationEvents
      measure(benchmark, events: k, bytes: k * input.channels.count * 4) {
        StatisticsBench.statistics(input, [.median], percentiles: [])
      }
    } setup: {
      try StatisticsBench.input(file)
    }
  }
}
