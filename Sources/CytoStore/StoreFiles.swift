import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// An exclusive `flock` on the store's sidecar lock file `<store>.lock`, held by writers for the
/// whole ingest (readers never take it: they open the store read-only and always see a complete
/// file, because writers replace it by an atomic rename). Released when the value is dropped, or
/// by the kernel when the process dies.
final class StoreLock {
  private let fd: Int32
  let path: String

  /// Blocks until the lock is free.
  init(storePath: String) throws(StoreError) {
    path = storePath + ".lock"
    let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw StoreError.io(file: path, operation: "open lock file", message: errnoText()) }
    while flock(fd, LOCK_EX) != 0 {
      if errno == EINTR { continue }
      let message = errnoText()
      close(fd)
      throw StoreError.io(file: path, operation: "lock", message: message)
    }
    self.fd = fd
  }

  deinit {
    flock(fd, LOCK_UN)
    close(fd)
  }
}

/// The text of the current `errno`.
func errnoText() -> String { String(cString: strerror(errno)) }

/// File-system steps of a copy-on-write commit.
enum StoreFiles {
  /// Copies `source` to a new file `destination` (1 MiB at a time).
  static func copy(_ source: String, to destination: String) throws(StoreError) {
    let input = open(source, O_RDONLY | O_CLOEXEC)
    guard input >= 0 else { throw StoreError.io(file: source, operation: "open for copying", message: errnoText()) }
    defer { close(input) }
    let output = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard output >= 0 else { throw StoreError.io(file: destination, operation: "create temporary copy", message: errnoText()) }
    defer { close(output) }
    let size = 1 << 20
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
    defer { buffer.deallocate() }
    while true {
      let n = read(input, buffer, size)
      if n == 0 { break }
      if n < 0 {
        if errno == EINTR { continue }
        throw StoreError.io(file: source, operation: "read for copying", message: errnoText())
      }
      var written = 0
      while written < n {
        let m = write(output, buffer + written, n - written)
        if m < 0 {
          if errno == EINTR { continue }
          throw StoreError.io(file: destination, operation: "write temporary copy", message: errnoText())
        }
        written += m
      }
    }
  }

  /// Flushes a file's data and metadata to the device.
  static func fsyncFile(_ path: String, directory: Bool = false) throws(StoreError) {
    let fd = open(path, (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC)
    guard fd >= 0 else { throw StoreError.io(file: path, operation: "open for fsync", message: errnoText()) }
    defer { close(fd) }
    if fsync(fd) != 0 { throw StoreError.io(file: path, operation: "fsync", message: errnoText()) }
  }

  /// Atomically replaces `destination` by `source` (same directory).
  static func rename(_ source: String, over destination: String) throws(StoreError) {
    if Foundation.rename(source, destination) != 0 {
      throw StoreError.io(file: destination, operation: "rename \(source) over the store", message: errnoText())
    }
  }

  /// The directory of `path` (`.` for a bare name).
  static func directory(of path: String) -> String {
    let d = (path as NSString).deletingLastPathComponent
    return d.isEmpty ? "." : d
  }

  /// The prefix of the store's temporary files: `.<name>.ingest-`.
  static func temporaryPrefix(_ store: String) -> String { ".\((store as NSString).lastPathComponent).ingest-" }

  /// A new temporary sibling of the store.
  static func temporaryPath(_ store: String) -> String {
    (directory(of: store) as NSString).appendingPathComponent(
      temporaryPrefix(store) + "\(getpid())-\(UUID().uuidString.prefix(8)).tmp")
  }

  /// Removes temporary copies left by killed writers. Call with the lock held: no live writer
  /// owns one then.
  static func removeStaleTemporaries(_ store: String) -> [String] {
    let dir = directory(of: store)
    let prefix = temporaryPrefix(store)
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return [] }
    var removed: [String] = []
    for name in names where name.hasPrefix(prefix) && name.hasSuffix(".tmp") {
      let p = (dir as NSString).appendingPathComponent(name)
      if unlink(p) == 0 { removed.append(p) }
    }
    return removed
  }

  /// SHA-256 of a file's bytes, read 1 MiB at a time.
  static func sha256(ofFile path: String) throws(StoreError) -> SHA256.Digest {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw StoreError.io(file: path, operation: "open for hashing", message: errnoText()) }
    defer { close(fd) }
    var hash = SHA256()
    let size = 1 << 20
    let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
    defer { buffer.deallocate() }
    while true {
      let n = read(fd, buffer, size)
      if n == 0 { break }
      if n < 0 {
        if errno == EINTR { continue }
        throw StoreError.io(file: path, operation: "read for hashing", message: errnoText())
      }
      hash.update(UnsafeBufferPointer(start: buffer, count: n))
    }
    return hash.finalize()
  }
}

extension SHA256 {
  /// The digest of the file at `path` (streamed; what `sha256sum` prints).
  ///
  /// - Throws: ``StoreError/io(file:operation:message:)`` naming the file.
  public static func hash(fileAt path: String) throws(StoreError) -> Digest {
    try StoreFiles.sha256(ofFile: path)
  }
}
