// GatingEngine.evaluate of a one-gate strategy per gate kind (GateKindsBench.cases: rectangle,
// polygon, ellipsoid, quadrant; two rectangles alone and with a Boolean and / or / not on top)
// on the pre-transformed 10⁶ × 16 and 10⁷ × 16 files (bench-…-pre-f32.fcs: the marker columns
// already hold compensated, logicle-transformed values, so the gate kernels alone are measured).
// MB/s (DATA) counts 4 bytes per event for each column the gates read.
// Run through ../run-benchmarks.sh GateKinds.
import Benchmark
import BenchFiles
import BenchSupport
import CytoGating
import Foundation

let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = StageMetrics.configuration(maxIterations: 30, maxSeconds: 3)

  let cases: [GateKindsBench.Case]
  do { cases = try GateKindsBench.cases() } catch {
    note("GateKinds: \(error)")
    return
  }
  for file in GatingBench.files {
    let pre = GatingBench.pretransformedPath(file)
    guard FileManager.default.fileExists(atPath: pre) else {
      note("GateKinds: \(pre) is missing; run `swift run -c release bench-data` first")
      continue
    }
    let n = file.events
    for c in cases {
      Benchmark("\(c.name) \(file.label)", configuration: .init(maxIterations: StageMetrics.iterations(events: n, small: 30, large: 10))) {
        benchmark, input in
        try measure(benchmark, events: n, bytes: n * c.columns * 4) { try GatingEngine.evaluate(c.strategy, on: input) }
      } setup: {
        try GatingBench.input(pre)
      }
    }
  }
}
