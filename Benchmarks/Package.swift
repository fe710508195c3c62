// swift-tools-version: 6.1
// Benchmarks for CytoReset, kept in their own package so that `swift build` / `swift test`
// at the top level never compile ordo-one/benchmark and its dependencies.
//
//   swift run -c release bench-data            # generate Benchmarks/data/*.fcs (once)
//   swift package benchmark --target FCSParse  # ordo-one/benchmark run (see run-benchmarks.sh)
//   peers/run-peers.sh                          # CytoReset vs flowio vs fcsparser table
import PackageDescription

let package = Package(
  name: "CytoResetBenchmarks",
  platforms: [.macOS(.v14)],
  dependencies: [
    // `name:` pins the package name used below, whatever the checkout folder is called.
    .package(name: "CytoReset", path: ".."),
    // The explicit trait list drops the default RuntimeInterposer trait, whose package is
    // not available offline (docs: shared/docs/swift-toolchain.md §3).
    .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
  ],
  targets: [
    // The benchmark files: names, shapes and where they live.
    .target(
      name: "BenchFiles",
      dependencies: [
        .product(name: "CytoFCS", package: "CytoReset"), .product(name: "CytoCore", package: "CytoReset"),
        .product(name: "CytoTransforms", package: "CytoReset"), .product(name: "CytoGating", package: "CytoReset"),
        .product(name: "CytoClinical", package: "CytoReset"),
      ]),
    // Writes the benchmark files with CytoReset's own writer.
    .executableTarget(name: "bench-data", dependencies: ["BenchFiles"]),
    // Parses one file once and prints the elapsed seconds (driven by peers/peers.py).
    .executableTarget(name: "parse-once", dependencies: ["BenchFiles"]),
    // Runs one gating-benchmark task once and prints seconds and counts (driven by peers/peers.py).
    .executableTarget(name: "gate-once", dependencies: ["BenchFiles"]),
    // ordo-one/benchmark suites.
    .executableTarget(
      name: "FCSParse",
      dependencies: ["BenchFiles", .product(name: "Benchmark", package: "benchmark")],
      path: "Benchmarks/FCSParse",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
    .executableTarget(
      name: "Gating",
      dependencies: ["BenchFiles", .product(name: "Benchmark", package: "benchmark")],
      path: "Benchmarks/Gating",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
  ],
  swiftLanguageModes: [.v6]
)
