// The store side of `cytoreset ingest` on the simulated reset-panel files (ResetPanelFile.all):
//   store <file>           CohortStore.ingest of one analysed visit into a new store (lock, HDF5
//                          writes of the visit's tables, fsync, rename)
//   store + events <file>  the same with the visit's events (`--keep-events`: compensated
//                          Float32 matrix, 15 channels, deflate level 1, and the gate masks)
//   sha256 <file>          SHA-256 of the FCS file (ingest hashes every file it stores)
// Also reported: store kB, the size of the store file written.
// The analysis and the submission are built in the setup (IngestBench.submission). Every
// iteration writes into a fresh temporary directory ($TMPDIR, default /tmp), created before and
// removed after the measured part. MB/s (DATA) counts events × 15 × 4 bytes where DATA is
// written or read (store + events, sha256: the whole file). Run through ../run-benchmarks.sh Ingest.
import Benchmark
import BenchFiles
import BenchSupport
import CytoStore
import Foundation

/// The size of the store file written (10³ bytes).
var storeKilobytes: BenchmarkMetric { .custom("store kB", polarity: .prefersSmaller, useScalingFactor: false) }

let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = StageMetrics.configuration(maxIterations: 20, maxSeconds: 5)
  Benchmark.defaultConfiguration.metrics.append(storeKilobytes)

  for file in ResetPanelFile.all {
    guard FileManager.default.fileExists(atPath: file.path) else {
      note("Ingest: \(file.path) is missing; run `swift run -c release bench-data` first")
      continue
    }
    let large = file.events >= 10_000_000
    let iterations = StageMetrics.iterations(events: file.events, small: 20, large: 5)
    for keepEvents in [false, true] {
      // With events, 10⁷ events take tens of seconds per store (deflate): one sample, no warm-up.
      let configuration = Benchmark.Configuration(warmupIterations: large && keepEvents ? 0 : 1,
                                                  maxIterations: large && keepEvents ? 1 : iterations)
      Benchmark("\(keepEvents ? "store + events" : "store") \(file.label)", configuration: configuration) {
        benchmark, submission in
        let dir = try IngestBench.freshDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let n = submission.analysis.events
        benchmark.startMeasurement()
        try measure(benchmark, events: n, bytes: keepEvents ? n * ResetPanelFile.channels * 4 : nil) {
          try IngestBench.ingest(submission, into: dir)
        }
        benchmark.stopMeasurement()
        benchmark.measurement(storeKilobytes, IngestBench.storeBytes(dir) / 1_000)
      } setup: {
        try IngestBench.submission(file, keepEvents: keepEvents)
      }
    }
    let fileBytes = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? file.dataBytes
    Benchmark("sha256 \(file.label)", configuration: .init(warmupIterations: large ? 0 : 1, maxIterations: large ? 2 : iterations)) {
      benchmark in
      try measure(benchmark, events: file.events, bytes: fileBytes) { try SHA256.hash(fileAt: file.path) }
    }
  }
}
