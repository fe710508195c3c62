import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

extension AnalysisRecord {
  /// Writes the record (``encoded()``) to `path` atomically: into a new hidden file in the same
  /// folder (`.<name>.record-<pid>-<id>.tmp`), `fsync`ed, renamed over `path`, then the folder
  /// `fsync`ed. A reader (or a scheduler checking outputs) sees the old file or the complete new
  /// one, never a part; a process killed while writing leaves at most the hidden temporary file.
  ///
  /// - Throws: ``AnalysisRecordError/writeFailed(file:operation:message:)`` naming `path`
  ///   (the temporary file is removed), ``AnalysisRecordError/notRecordable(_:)``.
  public func write(to path: String) throws(AnalysisRecordError) {
    try AtomicFile.replace(path, with: try encoded())
  }
}

/// Whole-file replacement by rename.
enum AtomicFile {
  static func replace(_ path: String, with bytes: [UInt8]) throws(AnalysisRecordError) {
    let dir = StoreFiles.directory(of: path)
    let name = (path as NSString).lastPathComponent
    let temporary = (dir as NSString).appendingPathComponent(".\(name).record-\(getpid())-\(UUID().uuidString.prefix(8)).tmp")
    func fail(_ operation: String) -> AnalysisRecordError {
      let message = errnoText()
      unlink(temporary)
      return .writeFailed(file: path, operation: operation, message: message)
    }
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw .writeFailed(file: path, operation: "create \(temporary)", message: errnoText()) }
    var written = 0
    while written < bytes.count {
      let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
      if n < 0 {
        if errno == EINTR { continue }
        let e = fail("write")
        close(fd)
        throw e
      }
      written += n
    }
    if fsync(fd) != 0 {
      let e = fail("fsync")
      close(fd)
      throw e
    }
    if close(fd) != 0 { throw fail("close") }
    if rename(temporary, path) != 0 { throw fail("rename \(temporary) over it") }
    try? StoreFiles.fsyncFile(dir, directory: true)
  }
}
