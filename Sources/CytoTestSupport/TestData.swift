import Foundation

/// Locates test data: the project's own `testdata/` and the shared third-party set in
/// `../shared/testdata` (never copied into the project).
public enum TestData {
  /// The package root, derived from this source file's path.
  public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// A file under the project's `testdata/`.
  public static func project(_ relative: String) -> URL {
    packageRoot.appendingPathComponent("testdata").appendingPathComponent(relative)
  }

  /// Whether tests run under CI (`CI=true`), where missing shared data is a failure.
  public static var isCI: Bool {
    let v = ProcessInfo.processInfo.environment["CI"]?.lowercased()
    return v == "true" || v == "1"
  }

  /// `../shared/testdata` beside the project (or `$CYTORESET_SHARED_TESTDATA`), when present.
  public static let sharedRoot: URL? = {
    if let env = ProcessInfo.processInfo.environment["CYTORESET_SHARED_TESTDATA"] {
      let u = URL(fileURLWithPath: env)
      return FileManager.default.fileExists(atPath: u.path) ? u : nil
    }
    let u = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/testdata")
    return FileManager.default.fileExists(atPath: u.appendingPathComponent("README.md").path) ? u : nil
  }()

  /// Whether the shared data is present. When it is not, prints one skip line (once).
  public static var sharedAvailable: Bool {
    if sharedRoot == nil { skipLineOnce }
    return sharedRoot != nil
  }

  private static let skipLineOnce: Void = {
    print("SKIP: ../shared/testdata not found beside the project; tests against real instrument files and the Gating-ML suite are skipped" + (isCI ? " (CI=true: this is a failure)" : ""))
  }()

  /// A file under the shared test data, or `nil` when the shared data is absent.
  public static func shared(_ relative: String) -> URL? {
    sharedRoot?.appendingPathComponent(relative)
  }
}
