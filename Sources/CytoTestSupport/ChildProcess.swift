import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A child process started with `posix_spawn` that inherits no descriptor above stderr.
///
/// Foundation's `Process` lets the child inherit the parent's open descriptors; libhdf5 opens
/// files without `O_CLOEXEC` and `flock`s them, so a child started while another test of this
/// process has an HDF5 file open keeps that lock alive, and the other test's next open fails with
/// "unable to lock file". Tests that spawn processes close everything ≥ 3 in the
/// child (`posix_spawn_file_actions_addclosefrom_np`, glibc ≥ 2.34).
public struct ChildProcess {
  public let pid: pid_t

  private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
  private static let closeFrom: CloseFrom? = {
    guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
    return unsafeBitCast(symbol, to: CloseFrom.self)
  }()

  /// Starts `executable` with `arguments`; stdout and stderr go to the given files (or /dev/null).
  public init(_ executable: String, _ arguments: [String], stdout: String? = nil, stderr: String? = nil) throws {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, stdout ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, stderr ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    if let closeFrom = Self.closeFrom { _ = closeFrom(&actions, 3) }
    let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let status = posix_spawn(&pid, executable, &actions, nil, argv, environ)
    guard status == 0 else { throw POSIXError(POSIXErrorCode(rawValue: status) ?? .EINVAL) }
    self.pid = pid
  }

  /// Waits for the child; its exit status, or 128 + signal when a signal ended it.
  @discardableResult
  public func wait() -> Int32 {
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let signal = status & 0x7f
    return signal == 0 ? (status >> 8) & 0xff : 128 + signal
  }

  /// Sends `signal`.
  public func kill(_ signal: Int32) { _ = Glibc.kill(pid, signal) }

  /// Runs `cytoreset` with `arguments` to completion and captures its output.
  public static func cytoreset(_ arguments: [String], binary: String) throws -> (status: Int32, stdout: String, stderr: String) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cytoreset-run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("out").path, err = dir.appendingPathComponent("err").path
    let status = try ChildProcess(binary, arguments, stdout: out, stderr: err).wait()
    return (status, (try? String(contentsOfFile: out, encoding: .utf8)) ?? "", (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
  }
}
