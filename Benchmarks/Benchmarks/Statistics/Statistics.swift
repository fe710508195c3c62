// GatingResult.statistics of one large population (Cells: the FSC-A × SSC-A polygon, about 90 %
// of the events) on the 12 marker channels of every benchmark file (BenchFile.all):
//   all statistics <file>   every ChannelStatistic (mean, median, geomean, sd, cv, rsd, rcv,
//                           min, max) and the percentiles 1, 5, 25, 75, 95, 99
//   median <file>           the median alone (10⁵ × 16 and 10⁶ × 16)
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
    // From 10⁶ events on, one iteration takes seconds (every statistic sorts the values; 10⁷:
    // about a minute on a busy 2-core machine), so no warm-up (nothing is built lazily) and,
    // for 10⁷, one sample.
    let configuration = Benchmark.Configuration(warmupIterations: file.events >= 1_000_000 ? 0 : 1,
                                                maxIterations: file.events >= 10_000_000 ? 1 : 10)
    Benchmark("all statistics \(file.label)", configuration: configuration) { benchmark, input in
      let k = input.populationEvents
      measure(benchmark, events: k, bytes: k * input.channels.count * 4) {
        StatisticsBench.statistics(input, StatisticsBench.allStatistics, percentiles: StatisticsBench.percentiles)
      }
    } setup: {
      try StatisticsBench.input(file)
    }
    // The median alone costs about what every statistic does (the sort dominates): measured on
    // the 16-channel 10⁵ and 10⁶ files only, to keep `make bench` short.
    guard file.channels == 16 && file.events < 10_000_000 else { continue }
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
