// Writes the benchmark files into Benchmarks/data (or $CYTORESET_BENCH_DATA) with CytoReset's
// own FCSWriter. Files that already hold what this generator writes are kept.
//
//   swift run -c release bench-data            # all files
//   swift run -c release bench-data --force    # rewrite all
//   swift run -c release bench-data 1e5x16     # only the named ones
import BenchFiles
import Foundation

func run() throws {
  let args = Array(CommandLine.arguments.dropFirst())
  let force = args.contains("--force")
  let wanted = args.filter { !$0.hasPrefix("-") }
  let files = BenchFile.all.filter { wanted.isEmpty || wanted.contains($0.label) }
  if files.isEmpty {
    FileHandle.standardError.write("no such file; known: \(BenchFile.all.map(\.label).joined(separator: " "))\n".data(using: .utf8)!)
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
}

do { try run() } catch {
  FileHandle.standardError.write("bench-data: \(error)\n".data(using: .utf8)!)
  exit(1)
}
