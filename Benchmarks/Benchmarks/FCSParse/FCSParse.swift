// FCSFile(contentsOf:) + dataSets[0].events(.raw, as: Float.self) on each benchmark file.
// MB/s (DATA) counts the file's DATA (events × channels × 4 bytes).
// Run through ../run-benchmarks.sh FCSParse (which generates the files first).
import Benchmark
import BenchFiles
import BenchSupport
import Foundation

let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = StageMetrics.configuration(maxIterations: 30, maxSeconds: 10)
  Benchmark.defaultConfiguration.metrics.append(.throughput)

  for file in BenchFile.all {
    guard FileManager.default.fileExists(atPath: file.path) else {
      print("FCSParse: \(file.path) is missing; run `swift run -c release bench-data` first")
      continue
    }
    Benchmark("parse \(file.label) f32", configuration: .init(
      maxIterations: file.events >= 10_000_000 ? 15 : 30)) { benchmark in
      try measure(benchmark, events: file.events, bytes: file.dataBytes) { try parseOnce(file.path) }
    }
  }
}
