// Writes the benchmark files into Benchmarks/data (or $CYTORESET_BENCH_DATA) with CytoReset's
// own FCSWriter, plus the gating benchmark's strategies (Benchmarks/strategies) and
// pre-transformed files, and the simulated reset-panel files (CytoSimulation, seeded) of the
// ResetPanel and Ingest suites. Files that already hold what this generator writes are kept.
//
//   swift run -c release bench-data                  # all files
//   swift run -c release bench-data --force          # rewrite all
//   swift run -c release bench-data 1e5x16           # only the named ones
//   swift run -c release bench-data reset-1e6x15     # one reset-panel file ("reset": all of them)
import BenchFiles
import Foundation

func run() throws {
  let args = Array(CommandLine.arguments.dropFirst())
  let force = args.contains("--force")
  let wanted = args.filter { !$0.hasPrefix("-") }
  let files = BenchFile.all.filter { wanted.isEmpty || wanted.contains($0.label) }
  let resetFiles = ResetPanelFile.all.filter { wanted.isEmpty || wanted.contains("reset") || wanted.contains("reset-" + $0.label) }
  if files.isEmpty && resetFiles.isEmpty {
    let known = BenchFile.all.map(\.label) + ["reset"] + ResetPanelFile.all.map { "reset-" + $0.label }
    FileHandle.standardError.write("no such file; known: \(known.joined(separator: " "))\n".data(using: .utf8)!)
    exit(2)
  }
  for f in files {
    if !force && f.isUpToDate {
      print("keep  \(f.path)")
      continue
    }
    let t0 = ContinuousClock.now
    try f.generate()
    let size = (try FileManager.default.attributesOfItem(atPath: f.path)[.size] as? Int) ?? 0
    print("wrote \(f.path) (\(size) bytes, \(f.events) events × \(f.channels) channels) in \(ContinuousClock.now - t0)")
  }
  // The gating benchmark: its two strategies (committed) and the pre-transformed files.
  for p in try GatingBench.writeStrategies() { print("wrote \(p)") }
  for f in GatingBench.files where files.contains(where: { $0.label == f.label }) {
    if !force && GatingBench.pretransformedIsUpToDate(f) {
      print("keep  \(GatingBench.pretransformedPath(f))")
      continue
    }
    let t0 = ContinuousClock.now
    try GatingBench.writePretransformed(f)
    print("wrote \(GatingBench.pretransformedPath(f)) (compensated + logicle) in \(ContinuousClock.now - t0)")
  }
  // The reset-panel files (ResetPanel and Ingest suites).
  for f in resetFiles {
    if !force && f.isUpToDate {
      print("keep  \(f.path)")
      continue
    }
    let t0 = ContinuousClock.now
    let n = try f.generate()
    let size = (try FileManager.default.attributesOfItem(atPath: f.path)[.size] as? Int) ?? 0
    print("wrote \(f.path) (\(size) bytes, \(n) events × \(ResetPanelFile.channels) channels, simulated reset panel) in \(ContinuousClock.now - t0)")
  }
}

do { try run() } catch {
  FileHandle.standardError.write("bench-data: \(error)\n".data(using: .utf8)!)
  exit(1)
}
