import Foundation

/// Runs the built `cytoreset` executable and captures its output, for end-to-end CLI tests.
public enum CLIRunner {
  public struct Result: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
  }

  /// The `cytoreset` binary beside the test bundle (SwiftPM builds every product into one folder).
  public static var binary: URL {
    if let env = ProcessInfo.processInfo.environment["CYTORESET"] { return URL(fileURLWithPath: env) }
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    // The test binary may sit inside a .xctest bundle directory on some platforms.
    while dir.pathExtension == "xctest" || dir.lastPathComponent == "Contents" || dir.lastPathComponent == "MacOS" {
      dir.deleteLastPathComponent()
    }
    return dir.appendingPathComponent("cytoreset")
  }

  /// Runs `cytoreset` with `arguments`, optionally in `directory`.
  public static func run(_ arguments: [String], in directory: URL? = nil) throws -> Result {
    let p = Process()
    p.executableURL = binary
    p.arguments = arguments
    if let directory { p.currentDirectoryURL = directory }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    // Read both pipes concurrently-enough: stdout first fully, then stderr (outputs here are small or stdout-heavy).
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
  }

  /// A fresh temporary directory, removed by the caller.
  public static func temporaryDirectory() throws -> URL {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("cytoreset-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
    return d
  }
}
