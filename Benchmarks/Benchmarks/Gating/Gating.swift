// The gating benchmark (issue #3) on the 10⁶ × 16 and 10⁷ × 16 files, in-process:
//   comp+logicle   CompensationMatrix.compensated + ScaleTransform.forward, Float32 in/out
//   engine         GatingEngine.evaluate, bench-10-gates.xml (compensation + logicle + 10 gates)
//   gates          GatingEngine.evaluate, bench-10-gates-pretransformed.xml on the pre-transformed file
//   end to end     parse + GatingInput + evaluate (bench-10-gates.xml)
// Parsing is outside the measured part except for "end to end". MB/s (DATA) counts the file's
// DATA (events × 16 × 4 bytes). Run through ../run-benchmarks.sh Gating.
import Benchmark
import BenchFiles
import BenchSupport
import CytoGating
import Foundation

/// The measured call, timed for events/s and MB/s of the file's DATA.
func record(_ benchmark: Benchmark, file: BenchFile, _ body: () throws -> Void) rethrows {
  try measure(benchmark, events: file.events, bytes: file.dataBytes, body)
}

let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = StageMetrics.configuration(maxIterations: 20, maxSeconds: 5)

  for file in GatingBench.files {
    let pre = GatingBench.pretransformedPath(file)
    guard FileManager.default.fileExists(atPath: file.path), FileManager.default.fileExists(atPath: pre) else {
      print("Gating: \(file.path) or its pre-transformed file is missing; run `swift run -c release bench-data` first")
      continue
    }
    let iterations = file.events >= 10_000_000 ? 8 : 20
    Benchmark("comp+logicle \(file.label)", configuration: .init(maxIterations: iterations)) { benchmark, input in
      try record(benchmark, file: file) {
        blackHole(try GatingBench.compensateAndTransform(input.events, channels: input.channels, spillover: input.fileSpillover!))
      }
    } setup: {
      try GatingBench.input(file.path)
    }
    Benchmark("engine (comp+logicle+10 gates) \(file.label)", configuration: .init(maxIterations: iterations)) { benchmark, input in
      try record(benchmark, file: file) { blackHole(try GatingEngine.evaluate(input.0, on: input.1)) }
    } setup: {
      (try GatingML.read(contentsOf: GatingBench.strategyPath(pretransformed: false)), try GatingBench.input(file.path))
    }
    Benchmark("10 gates pre-transformed \(file.label)", configuration: .init(maxIterations: iterations)) { benchmark, input in
      try record(benchmark, file: file) { blackHole(try GatingEngine.evaluate(input.0, on: input.1)) }
    } setup: {
      (try GatingML.read(contentsOf: GatingBench.strategyPath(pretransformed: true)), try GatingBench.input(pre))
    }
    Benchmark("end to end (parse+comp+logicle+10 gates) \(file.label)", configuration: .init(maxIterations: iterations)) { benchmark, strategy in
      try record(benchmark, file: file) {
        blackHole(try GatingEngine.evaluate(strategy, on: try GatingBench.input(file.path)))
      }
    } setup: {
      try GatingML.read(contentsOf: GatingBench.strategyPath(pretransformed: false))
    }
  }
}
