// swift-tools-version: 6.1
// CytoReset: FCS reading/writing, compensation, gating and clinical metrics for
// monitoring B-cell aplasia and CAR T persistence after CD19 CAR T therapy.
import PackageDescription

/// The numeric targets are optimized in debug builds too: `swift test` runs the Gating-ML
/// compliance suite and simulated files of up to 10⁶ events, which take minutes unoptimized.
let optimizedInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
  name: "CytoReset",
  platforms: [.macOS(.v14)],
  products: [
    .library(name: "CytoCore", targets: ["CytoCore"]),
    .library(name: "CytoFCS", targets: ["CytoFCS"]),
    .library(name: "CytoTransforms", targets: ["CytoTransforms"]),
    .library(name: "CytoGating", targets: ["CytoGating"]),
    .library(name: "CytoAutoGating", targets: ["CytoAutoGating"]),
    .library(name: "CytoWorkspace", targets: ["CytoWorkspace"]),
    .library(name: "CytoClinical", targets: ["CytoClinical"]),
    .library(name: "CytoSimulation", targets: ["CytoSimulation"]),
    .library(name: "CytoStore", targets: ["CytoStore"]),
    .library(name: "CytoReport", targets: ["CytoReport"]),
    .library(name: "CytoReview", targets: ["CytoReview"]),
    .library(name: "CytoServe", targets: ["CytoServe"]),
    .library(name: "CytoCLI", targets: ["CytoCLI"]),
    .executable(name: "cytoreset", targets: ["cytoreset"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    // The review server (issue #14). No default traits: swift-configuration is not used.
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    // SHA-256 of FCS files, records and imports (issue #17): BoringSSL's assembly uses the CPU's
    // SHA extensions (≈1.4 GB/s here against ≈0.1 GB/s for the hand-written FIPS 180-4 code).
    .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
  ],
  targets: [
    // MARK: - Public API
    .target(name: "CytoCore", swiftSettings: optimizedInDebug),
    .target(name: "CytoFCS", dependencies: ["CytoCore"], swiftSettings: optimizedInDebug),
    .target(name: "CytoTransforms", dependencies: ["CytoCore"], swiftSettings: optimizedInDebug),
    .target(name: "CytoGating", dependencies: ["CytoCore", "CytoTransforms", "CSimdShim"], swiftSettings: optimizedInDebug),
    /// FlowJo workspaces (`.wsp`) read into the project's own types (issue #13).
    .target(name: "CytoWorkspace", dependencies: ["CytoCore", "CytoFCS", "CytoTransforms", "CytoGating"]),
    /// Data-driven gating numerics: robust statistics, 1-D and 2-D densities, persistent modes,
    /// valleys, cluster regions, robust lines. Pure functions of arrays; no panel semantics.
    .target(name: "CytoAutoGating", dependencies: ["CytoCore"], swiftSettings: optimizedInDebug),
    .target(
      name: "CytoClinical", dependencies: ["CytoCore", "CytoFCS", "CytoTransforms", "CytoGating", "CytoAutoGating", "CytoWorkspace"],
      resources: ["reset", "bcell", "tbnk", "cart", "massbcell"].map { .embedInCode("Resources/\($0).panel.json") },
      swiftSettings: optimizedInDebug),
    /// Realistic panel FCS files with known truth (`cytoreset simulate`, tests, `make demo`).
    .target(name: "CytoSimulation", dependencies: ["CytoCore", "CytoFCS"], swiftSettings: optimizedInDebug),
    /// Reports and plots: values in, HTML/SVG/PNG out (PNG compressed with zlib).
    .target(name: "CytoReport", dependencies: ["CytoCore", "CytoTransforms", "CytoGating", "CytoClinical", "CZlib"],
            swiftSettings: optimizedInDebug),
    /// Gate review (issue #14): a visit's recorded gating with every gated dimension cached,
    /// edits as typed values, recounts of the edited subtree only, density grids. No HTTP, no HDF5.
    .target(
      name: "CytoReview", dependencies: ["CytoCore", "CytoFCS", "CytoTransforms", "CytoGating", "CytoClinical", "CytoReport"],
      swiftSettings: optimizedInDebug),
    /// The longitudinal HDF5 store: the only target that imports libhdf5.
    .target(
      name: "CytoStore", dependencies: ["CytoCore", "CytoClinical", "CHDF5", .product(name: "Crypto", package: "swift-crypto")],
      swiftSettings: optimizedInDebug),

    /// The gate-review server (`cytoreset serve`, issue #14): token/cookie auth, same-origin
    /// checks, a read-only JSON API over the store and an embedded page.
    .target(
      name: "CytoServe",
      dependencies: [
        "CytoCore", "CytoFCS", "CytoGating", "CytoClinical", "CytoReview", "CytoStore", "CytoReport",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
      ],
      /// The review page: its stylesheet and ES modules, served from the binary.
      resources: ["app.css", "app.js", "api.js", "dom.js", "cohort.js", "review.js", "figures.js", "plot.js", "overlay.js", "forms.js"]
        .map { .embedInCode("Resources/\($0)") }),

    // MARK: - Implementation details
    /// Header-only C: SIMD compare masks to bit words (see docs/engine.md).
    .target(name: "CSimdShim"),
    /// zlib from Debian's zlib1g-dev, for PNG.
    .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
    /// libhdf5 from Debian's libhdf5-dev (pkg-config `hdf5-serial`), with a shim for its macro constants.
    .systemLibrary(name: "CHDF5", pkgConfig: "hdf5-serial", providers: [.apt(["libhdf5-dev"])]),

    // MARK: - Tool
    .target(
      name: "CytoCLI",
      dependencies: [
        "CytoCore", "CytoFCS", "CytoTransforms", "CytoGating", "CytoClinical", "CytoSimulation", "CytoStore", "CytoReport",
        "CytoWorkspace", "CytoServe",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),
    .executableTarget(name: "cytoreset", dependencies: ["CytoCLI"]),

    // MARK: - Test support (never a product)
    .target(
      name: "CytoTestSupport",
      dependencies: ["CytoCore", "CytoFCS", "CytoTransforms", "CytoGating", "CytoClinical", "CytoSimulation", "CytoStore"]),

    // MARK: - Unit test bundles
    .testTarget(name: "CytoCoreTests", dependencies: ["CytoCore", "CytoTestSupport"]),
    .testTarget(name: "CytoFCSTests", dependencies: ["CytoFCS", "CytoTestSupport"]),
    .testTarget(name: "CytoTransformsTests", dependencies: ["CytoTransforms", "CytoTestSupport"]),
    .testTarget(name: "CytoGatingTests", dependencies: ["CytoGating", "CytoFCS", "CytoTransforms", "CytoClinical", "CytoTestSupport"]),
    .testTarget(name: "CytoWorkspaceTests", dependencies: ["CytoWorkspace", "CytoFCS", "CytoClinical", "CytoSimulation", "CytoTestSupport"]),
    .testTarget(name: "CytoAutoGatingTests", dependencies: ["CytoAutoGating", "CytoTestSupport"]),
    .testTarget(name: "CytoClinicalTests", dependencies: ["CytoClinical", "CytoSimulation", "CytoGating", "CytoFCS", "CytoTestSupport"]),
    .testTarget(
      name: "CytoReportTests", dependencies: ["CytoReport", "CytoClinical", "CytoGating", "CytoTestSupport"],
      exclude: ["Golden"]),
    .testTarget(
      name: "CytoReviewTests",
      dependencies: ["CytoReview", "CytoClinical", "CytoGating", "CytoFCS", "CytoSimulation", "CytoTestSupport"]),
    .testTarget(name: "CytoStoreTests", dependencies: ["CytoStore", "CytoClinical", "CytoTestSupport"]),
    .testTarget(
      name: "CytoServeTests",
      dependencies: [
        "CytoServe", "CytoStore", "CytoSimulation", "CytoTestSupport",
        .product(name: "HummingbirdTesting", package: "hummingbird"),
      ]),
    .testTarget(name: "CytoCLITests", dependencies: ["CytoCLI", "CytoFCS", "CytoClinical", "CytoStore", "CytoTestSupport"]),
    .testTarget(
      name: "CytoSimulationTests",
      dependencies: ["CytoSimulation", "CytoFCS", "CytoCore", "CytoTransforms", "CytoStore", "CytoTestSupport"]),
  ],
  swiftLanguageModes: [.v6]
)
