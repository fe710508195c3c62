// swift-tools-version: 6.1
// Benchmarks for CytoReset, kept in their own package so that `swift build` / `swift test`
// at the top level never compile ordo-one/benchmark and its dependencies.
//
//   swift run -c release bench-data            # generate Benchmarks/data/*.fcs (once)
//   ./run-benchmarks.sh [SUITE] [benchmark options]   # all ordo-one/benchmark suites, or one
//   swift package benchmark --target Transforms        # one suite directly
//   peers/run-peers.sh                          # CytoReset vs flowio vs fcsparser table
//
// ordo-one/benchmark suites (one executable target each; docs/benchmark-suites.md):
//   FCSParse    parse + decode of every benchmark file
//   Gating      comp+logicle, engine, 10 gates pre-transformed, end to end (10⁶, 10⁷ × 16)
//   Transforms  every ScaleTransform kind, Float32 and Float64, and compensation alone
//   GateKinds   one-gate strategies: rectangle, polygon, ellipsoid, quadrant, Boolean and/or/not
//   ResetPanel  the clinical reading (VisitAnalyzer, reset panel) of simulated tubes
//   Statistics  population statistics of a large population on 12 channels
//   Ingest      CytoStore ingest into a fresh HDF5 store, with and without events; SHA-256
//   review-drag FILE.fcs [N]                    p50/p95 of N gate drags in a review session (review-drag.sh)
// Each reports wall clock, CPU time, malloc count, peak resident memory and the custom metrics
// events/s and MB/s (DATA) (BenchSupport.StageMetrics).
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
    // The benchmark files (names, shapes, where they live, how they are generated) and the
    // measured work of every suite, without ordo-one/benchmark.
    .target(
      name: "BenchFiles",
      dependencies: [
        .product(name: "CytoFCS", package: "CytoReset"), .product(name: "CytoCore", package: "CytoReset"),
        .product(name: "CytoTransforms", package: "CytoReset"), .product(name: "CytoGating", package: "CytoReset"),
        .product(name: "CytoClinical", package: "CytoReset"), .product(name: "CytoSimulation", package: "CytoReset"),
      ]),
    // The metrics every suite reports, the timing helper and the store ingest (links
    // ordo-one/benchmark and libhdf5; kept out of BenchFiles so that bench-data, parse-once and
    // gate-once do not).
    .target(
      name: "BenchSupport",
      dependencies: [
        "BenchFiles", .product(name: "CytoStore", package: "CytoReset"), .product(name: "Benchmark", package: "benchmark"),
      ]),
    // Writes the benchmark files with CytoReset's own writer.
    .executableTarget(name: "bench-data", dependencies: ["BenchFiles"]),
    // Parses one file once and prints the elapsed seconds (driven by peers/peers.py).
    .executableTarget(name: "parse-once", dependencies: ["BenchFiles"]),
    // Runs one gating-benchmark task once and prints seconds and counts (driven by peers/peers.py).
    .executableTarget(name: "gate-once", dependencies: ["BenchFiles"]),
    // Times gate drags in a review session (issue #14): p50/p95 latency of an edit + recount.
    .executableTarget(
      name: "review-drag",
      dependencies: [
        .product(name: "CytoReview", package: "CytoReset"), .product(name: "CytoClinical", package: "CytoReset"),
        .product(name: "CytoFCS", package: "CytoReset"), .product(name: "CytoGating", package: "CytoReset"),
        .product(name: "CytoCore", package: "CytoReset"),
      ]),
    // ordo-one/benchmark suites.
    .executableTarget(
      name: "FCSParse",
      dependencies: ["BenchFiles", "BenchSupport", .product(name: "Benchmark", package: "benchmark")],
      path: "Benchmarks/FCSParse",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
    .executableTarget(
      name: "Gating",
      dependencies: ["BenchFiles", "BenchSupport", .product(name: "Benchmark", package: "benchmark")],
      path: "Benchmarks/Gating",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
  ] + ["Transforms", "GateKinds", "ResetPanel", "Statistics", "Ingest"].map { suite in
    .executableTarget(
      name: suite,
      dependencies: ["BenchFiles", "BenchSupport", .product(name: "Benchmark", package: "benchmark")],
      path: "Benchmarks/\(suite)",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")])
  },
  swiftLanguageModes: [.v6]
)
