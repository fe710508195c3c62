import Foundation

/// A small seeded generator for reproducible random inputs (SplitMix64).
struct TestRNG: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// Golden files under Tests/CytoReportTests/Golden/, found relative to this source file.
enum Golden {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

  /// Whether this run rewrites golden files (`CYTORESET_REGENERATE=1`).
  static var regenerating: Bool { ProcessInfo.processInfo.environment["CYTORESET_REGENERATE"] == "1" }

  /// The committed text of `name`, after rewriting it with `actual` when regenerating.
  static func expected(_ name: String, actual: String) throws -> String {
    let url = directory.appendingPathComponent(name)
    if regenerating { try Data(actual.utf8).write(to: url, options: .atomic) }
    return try String(contentsOf: url, encoding: .utf8)
  }
}
