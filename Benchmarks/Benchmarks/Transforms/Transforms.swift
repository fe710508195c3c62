// Scale transforms and compensation on every benchmark file (BenchFile.all), in-process:
//   <kind> f32|f64 <file>   ScaleTransform.forward on the 12 marker columns (compensated in the
//                           setup), one call per column into a buffer allocated in the setup;
//                           kinds: flin, flog, fasinh, asinh-gml15, logicle, hyperlog, flowjo-biex
//   compensation f32|f64    CompensationMatrix(file's $SPILLOVER) + compensated(_:channelNames:)
//                           of all fluorescence channels (12 of the 16-channel files, 28 of 1e6x32)
// MB/s (DATA) counts 4 bytes per value processed (12 columns, or the spillover's detectors).
// Run through ../run-benchmarks.sh Transforms.
import Benchmark
import BenchFiles
import BenchSupport
import CytoCore
import CytoGating
import Foundation

/// Input and a reusable output of the same shape (allocated and faulted in by the warm-up).
final class Columns<S: EventScalar>: @unchecked Sendable {
  let input: EventMatrix<S>
  var output: EventMatrix<S>
  init(_ input: EventMatrix<S>) {
    self.input = input
    output = EventMatrix<S>(eventCount: input.eventCount, channelCount: input.channelCount)
  }
}

let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = StageMetrics.configuration(maxIterations: 20, maxSeconds: 1)

  for file in BenchFile.all {
    guard FileManager.default.fileExists(atPath: file.path) else {
      note("Transforms: \(file.path) is missing; run `swift run -c release bench-data` first")
      continue
    }
    let n = file.events
    // 10⁷ events: up to 3 samples (one for the slow kinds, whose iterations take seconds) and no
    // warm-up: the output buffer is zero-filled (faulted in) by the setup, and the only lazy
    // state, the Float32 Logicle/Hyperlog table, takes 1–3 ms to build.
    let large = n >= 10_000_000
    let configuration = Benchmark.Configuration(warmupIterations: large ? 0 : 1, maxIterations: large ? 3 : 20)
    let detectors = file.channels - 4
    Benchmark("compensation f32 \(file.label)", configuration: configuration) { benchmark, input in
      try measure(benchmark, events: n, bytes: n * detectors * 4) {
        try TransformBench.compensate(input.events, channels: input.channels, spillover: input.fileSpillover!)
      }
    } setup: {
      try GatingBench.input(file.path)
    }
    Benchmark("compensation f64 \(file.label)", configuration: configuration) { benchmark, input in
      try measure(benchmark, events: n, bytes: n * detectors * 4) {
        try TransformBench.compensate(input.0, channels: input.1, spillover: input.2)
      }
    } setup: {
      let i = try GatingBench.input(file.path)
      return (i.events.converted(to: Double.self), i.channels, i.fileSpillover!)
    }
    let bytes = n * TransformBench.markerCount * 4
    for (name, transform) in TransformBench.kinds {
      Benchmark("\(name) f32 \(file.label)", configuration: configuration) { benchmark, columns in
        measure(benchmark, events: n, bytes: bytes) { TransformBench.forward(transform, columns.input, into: &columns.output) }
      } setup: {
        Columns(try TransformBench.markerColumns(file))
      }
      Benchmark("\(name) f64 \(file.label)", configuration: configuration) { benchmark, columns in
        measure(benchmark, events: n, bytes: bytes) { TransformBench.forward(transform, columns.input, into: &columns.output) }
      } setup: {
        Columns(try TransformBench.markerColumns(file).converted(to: Double.self))
      }
    }
  }
}
