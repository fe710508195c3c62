import CytoStore
import Foundation

/// Whether a visit's FCS file is available in `--fcs-dir`: a regular file under its recorded
/// name, inside the folder (a symlink pointing out of it is refused), whose SHA-256 equals the
/// recorded one. Nothing else is ever opened.
///
/// Hashes are cached per (path, size, modification time, inode), so a file is read once
/// until it changes. Thread-safe.
public final class FCSLocator: @unchecked Sendable {
  /// Why a file is or is not available (`docs/serve-api.md`).
  public enum Status: String, Codable, Sendable {
    /// Found under its recorded name with the recorded SHA-256.
    case available
    /// No `--fcs-dir` was given.
    case noDirectory
    /// No such file in the folder.
    case missing
    /// A file of that name exists but its SHA-256 differs from the recorded one.
    case checksumMismatch
    /// The recorded name cannot name a file in the folder (`/`, `..`), or the file is a symlink
    /// out of the folder, or not a regular file.
    case refused
    /// The file exists but could not be read.
    case unreadable
  }

  /// The outcome for one visit.
  public struct Availability: Codable, Sendable, Equatable {
    public var status: Status
    public var available: Bool { status == .available }
    /// Details in words (the SHA-256 found, the error).
    public var detail: String?

    enum CodingKeys: String, CodingKey { case status, available, detail }
    public func encode(to encoder: any Encoder) throws {
      var c = encoder.container(keyedBy: CodingKeys.self)
      try c.encode(status, forKey: .status)
      try c.encode(available, forKey: .available)
      try c.encodeIfPresent(detail, forKey: .detail)
    }
    public init(status: Status, detail: String? = nil) {
      self.status = status
      self.detail = detail
    }
    public init(from decoder: any Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      status = try c.decode(Status.self, forKey: .status)
      detail = try c.decodeIfPresent(String.self, forKey: .detail)
    }
  }

  /// The folder, resolved (symlinks, `..`), or nil.
  public let directory: String?
  private let lock = NSLock()
  private var cache: [String: (key: [Int64], sha256: String)] = [:]

  public init(directory: String?) {
    self.directory = directory.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path }
  }

  /// Whether the file recorded as `name` with `sha256` is available.
  public func availability(name: String, sha256: String) -> Availability {
    guard let directory else { return Availability(status: .noDirectory, detail: "the server was started without --fcs-dir") }
    guard RouteParameter.isAcceptable(name), name != "." else {
      return Availability(status: .refused, detail: "the recorded file name cannot name a file in the folder")
    }
    let path = directory + "/" + name
    var st = stat()
    guard lstat(path, &st) == 0 else { return Availability(status: .missing, detail: "no file '\(name)' in --fcs-dir") }
    var real = path
    if (st.st_mode & S_IFMT) == S_IFLNK {
      real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
      guard real.hasPrefix(directory + "/"), stat(real, &st) == 0 else {
        return Availability(status: .refused, detail: "'\(name)' is a symlink that leads out of --fcs-dir")
      }
    }
    guard (st.st_mode & S_IFMT) == S_IFREG else { return Availability(status: .refused, detail: "'\(name)' is not a regular file") }
    #if os(Linux)
      let mtime = st.st_mtim
    #else
      let mtime = st.st_mtimespec
    #endif
    let key = [Int64(st.st_size), Int64(mtime.tv_sec), Int64(mtime.tv_nsec), Int64(st.st_ino)]
    let cached: String? = lock.withLock { cache[real].flatMap { $0.key == key ? $0.sha256 : nil } }
    let found: String
    if let cached { found = cached } else {
      do { found = try SHA256.hash(fileAt: real).hex } catch {
        return Availability(status: .unreadable, detail: "\(error)")
      }
      lock.withLock { cache[real] = (key, found) }
    }
    guard found.lowercased() == sha256.lowercased() else {
      return Availability(status: .checksumMismatch, detail: "'\(name)' has SHA-256 \(found), the store records \(sha256)")
    }
    return Availability(status: .available)
  }
}
