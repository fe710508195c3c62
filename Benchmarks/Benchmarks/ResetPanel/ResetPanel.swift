// The full clinical reading of a reset-panel tube, as `cytoreset analyze FILE --beads-per-test …
// --blood-ul …` does it (VisitAnalyzer, built-in reset panel, single-platform counts), on the
// simulated reset-panel files (ResetPanelFile.all: 10⁵, 10⁶, 10⁷ events × 15 channels):
//   analyze <file>          VisitAnalyzer.analyze on the parsed file: DATA decode, marker
//                           resolution, compensation + logicle, every gate, the valley cuts
//                           (re-gating after them), counts, cells/µL with intervals, calls
//   parse + analyze <file>  the same from the file name (FCSFile(contentsOf:) included)
// MB/s (DATA) counts the file's DATA (events × 15 × 4 bytes). Run through ../run-benchmarks.sh ResetPanel.
import Benchmark
import BenchFiles
import BenchSupport
import CytoClinical
import CytoFCS
import Foundation

let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = StageMetrics.configuration(maxIterations: 20, maxSeconds: 5)

  for file in ResetPanelFile.all {
    guard FileManager.default.fileExists(atPath: file.path) else {
      note("ResetPanel: \(file.path) is missing; run `swift run -c release bench-data` first")
      continue
    }
    // 10⁷ events: one analysis takes 10–25 s, so one sample, no warm-up.
    let large = file.events >= 10_000_000
    let configuration = Benchmark.Configuration(warmupIterations: large ? 0 : 1, maxIterations: large ? 1 : 20)
    Benchmark("analyze \(file.label)", configuration: configuration) { benchmark, input in
      let (ds, analyzer) = input
      try measure(benchmark, events: ds.eventCount, bytes: ds.eventCount * ds.parameters.count * 4) {
        try ResetPanelFile.analyze(ds, analyzer: analyzer, file: file.path)
      }
    } setup: {
      (try file.dataSet(), try file.analyzer)
    }
    Benchmark("parse + analyze \(file.label)", configuration: configuration) { benchmark, analyzer in
      try measure(benchmark, events: file.events, bytes: file.dataBytes) {
        try ResetPanelFile.analyze(try file.dataSet(), analyzer: analyzer, file: file.path)
      }
    } setup: {
      try file.analyzer
    }
  }
}
