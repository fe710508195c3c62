// FCSFile(contentsOf:) + dataSets[0].events(.raw, as: Float.self) on each benchmark file.
// Run through ../run-benchmarks.sh (which generates the files first).
import Benchmark
import BenchFiles
import Foundation

/// Events decoded per second, and GB (10⁹ bytes) of DATA per second, of each iteration.
enum ParseMetrics {
  static var eventsPerSecond: BenchmarkMetric { .custom("events/s", polarity: .prefersLarger, useScalingFactor: false) }
  static var megabytesPerSecond: BenchmarkMetric { .custom("MB/s (DATA)", polarity: .prefersLarger, useScalingFactor: false) }
}

let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = .init(
    metrics: [.wallClock, .throughput, .cpuTotal, .mallocCountTotal, .peakMemoryResident,
              ParseMetrics.eventsPerSecond, ParseMetrics.megabytesPerSecond],
    timeUnits: .milliseconds,
    warmupIterations: 1,
    maxDuration: .seconds(10),
    maxIterations: 30)

  for file in BenchFile.all {
    guard FileManager.default.fileExists(atPath: file.path) else {
      print("FCSParse: \(file.path) is missing; run `swift run -c release bench-data` first")
      continue
    }
    Benchmark("parse \(file.label) f32", configuration: .init(
      maxIterations: file.events >= 10_000_000 ? 15 : 30)) { benchmark in
      let t0 = ContinuousClock.now
      let m = try parseOnce(file.path)
      let d = ContinuousClock.now - t0
      blackHole(m)
      let s = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
      benchmark.measurement(ParseMetrics.eventsPerSecond, Int(Double(file.events) / s))
      benchmark.measurement(ParseMetrics.megabytesPerSecond, Int(Double(file.dataBytes) / s / 1e6))
    }
  }
}
