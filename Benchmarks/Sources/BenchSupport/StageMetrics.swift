// The metrics every stage benchmark reports, and the timing helper that records the custom ones.
// A separate target from BenchFiles so that bench-data, parse-once and gate-once never link
// ordo-one/benchmark (and its malloc interposer).
import Benchmark
import BenchFiles
import Foundation

public enum StageMetrics {
  /// Events processed per second by the measured call.
  public static var eventsPerSecond: BenchmarkMetric {
    .custom("events/s", polarity: .prefersLarger, useScalingFactor: false)
  }

  /// 10⁶ bytes of DATA per second: events × channels processed × 4 bytes (the Float32 size of
  /// those values in the FCS file, whatever precision they are computed in). Custom metrics are
  /// integers, so the rate is kept in MB/s; GB/s = MB/s ÷ 1000.
  public static var megabytesPerSecond: BenchmarkMetric {
    .custom("MB/s (DATA)", polarity: .prefersLarger, useScalingFactor: false)
  }

  /// Wall clock, CPU time, mallocs, peak resident memory (of the process, input included, and
  /// above what it was when the benchmark started), events/s and MB/s.
  public static var all: [BenchmarkMetric] {
    [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident, .peakMemoryResidentDelta,
     eventsPerSecond, megabytesPerSecond]
  }

  /// The default configuration of a stage suite: one warm-up (lazily built tables, page faults
  /// of reused buffers), at most `maxIterations` or 5 s of measurement.
  public static func configuration(maxIterations: Int = 20, maxSeconds: Int = 5) -> Benchmark.Configuration {
    .init(metrics: all, timeUnits: .automatic, warmupIterations: 1, maxDuration: .seconds(maxSeconds),
          maxIterations: maxIterations)
  }

  /// Iterations for a stage on `events` events: fewer for the 10⁷-event files.
  public static func iterations(events: Int, small: Int = 20, large: Int = 5) -> Int {
    events >= 10_000_000 ? large : small
  }
}

/// Runs `body` once, timed, and records events/s and, when `bytes` is given, MB/s (DATA).
/// The result is passed to `blackHole` after the clock stops.
@inline(__always)
public func measure<T>(_ benchmark: Benchmark, events: Int, bytes: Int?, _ body: () throws -> T) rethrows {
  let t0 = ContinuousClock.now
  let r = try body()
  let d = ContinuousClock.now - t0
  blackHole(r)
  let s = max(Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18, 1e-9)
  benchmark.measurement(StageMetrics.eventsPerSecond, Int(Double(events) / s))
  if let bytes { benchmark.measurement(StageMetrics.megabytesPerSecond, Int(Double(bytes) / s / 1e6)) }
}

/// Prints a line to standard error (the benchmark tool keeps standard output for its table).
public func note(_ s: String) {
  FileHandle.standardError.write(Data((s + "\n").utf8))
}
