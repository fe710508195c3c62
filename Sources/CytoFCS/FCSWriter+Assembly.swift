import CytoCore
import Foundation

/// Somewhere bytes are appended: memory or a file.
protocol ByteSink {
  mutating func append(_ bytes: UnsafeRawBufferPointer) throws
}

extension Data: ByteSink {
  mutating func append(_ bytes: UnsafeRawBufferPointer) throws { self.append(contentsOf: bytes) }
}

/// Buffers writes to a file handle in 8 MiB pieces.
struct FileSink: ByteSink {
  let handle: FileHandle
  var buffer = Data()

  init(handle: FileHandle) { self.handle = handle }

  mutating func append(_ bytes: UnsafeRawBufferPointer) throws {
    buffer.append(contentsOf: bytes)
    if buffer.count >= 8 << 20 { try flush() }
  }

  mutating func flush() throws {
    guard !buffer.isEmpty else { return }
    try handle.write(contentsOf: buffer)
    buffer.removeAll(keepingCapacity: true)
  }
}

/// What one data set contributes to a file, before offsets are known.
struct DataSetSegments {
  var version: FCSVersion
  /// TEXT keywords without the offset keywords (`$BEGINDATA`, … `$NEXTDATA`), which assembly sets.
  var keywords: [(String, String)]
  var dataLength: Int
  var analysis: Data
  var writeData: (inout any ByteSink) throws -> Void

  init(version: FCSVersion, keywords: [(String, String)], dataLength: Int, analysis: Data,
       writeData: @escaping (inout any ByteSink) throws -> Void) {
    self.version = version
    self.keywords = keywords.filter { $0.0.uppercased() != "$NEXTDATA" }
    self.dataLength = dataLength
    self.analysis = analysis
    self.writeData = writeData
  }
}

extension FCSWriter {
  /// Largest offset the 8-character HEADER fields can hold.
  static let headerOffsetLimit = 99_999_999

  /// Lays out HEADER, TEXT, DATA, ANALYSIS for each data set and chains them with `$NEXTDATA`.
  static func assemble<Sink: ByteSink>(_ sets: [DataSetSegments], into sink: inout Sink) throws {
    for (i, s) in sets.enumerated() {
      let isLast = i == sets.count - 1
      let layout = try layoutText(s, isLast: isLast)
      var header = s.version.rawValue.utf8.map { $0 } + Array("    ".utf8)
      func field(_ v: Int) -> [UInt8] {
        let t = v > headerOffsetLimit ? "0" : String(v)
        return Array((String(repeating: " ", count: 8 - t.count) + t).utf8)
      }
      // A segment whose end does not fit the 8-digit fields gets zeros for both offsets (FCS 3.1 §3.1).
      func pair(_ empty: Bool, _ a: Int, _ b: Int) -> [UInt8] {
        empty || b > headerOffsetLimit ? field(0) + field(0) : field(a) + field(b)
      }
      header += field(layout.textStart) + field(layout.textEnd)
      header += pair(s.dataLength == 0, layout.dataStart, layout.dataEnd)
      header += pair(s.analysis.isEmpty, layout.analysisStart, layout.analysisEnd)
      let pad = [UInt8](repeating: 0x20, count: layout.textStart - header.count)
      try (header + pad).withUnsafeBytes { try sink.append($0) }
      try layout.text.withUnsafeBytes { try sink.append($0) }
      var any: any ByteSink = ByteCounter(inner: sink)
      try s.writeData(&any)
      guard let counter = any as? ByteCounter<Sink> else { fatalError("sink type changed") }
      sink = counter.inner
      guard counter.count == s.dataLength else {
        throw FCSError(.writeFailed, "internal: DATA writer produced \(counter.count) bytes, \(s.dataLength) announced")
      }
      try s.analysis.withUnsafeBytes { try sink.append($0) }
    }
  }

  struct TextLayout {
    var text: [UInt8]
    var textStart: Int, textEnd: Int
    var dataStart: Int, dataEnd: Int
    var analysisStart: Int, analysisEnd: Int
  }

  /// Chooses a delimiter absent from all keywords and values (so nothing needs escaping),
  /// then finds offsets that are consistent with the TEXT length they are written into.
  static func layoutText(_ s: DataSetSegments, isLast: Bool) throws -> TextLayout {
    let candidates: [UInt8] = Array("|/\\!^~#@%&".utf8) + [0x0C]
    let used = Set(s.keywords.flatMap { Array($0.0.utf8) + Array($0.1.utf8) })
    let delimiter = candidates.first { !used.contains($0) } ?? UInt8(ascii: "|")
    func esc(_ t: String) -> [UInt8] {
      var out: [UInt8] = []
      for b in t.utf8 { out.append(b); if b == delimiter { out.append(b) } }
      return out
    }
    var body: [UInt8] = []
    for (k, v) in s.keywords {
      // FCS 3.1 forbids empty values; a single blank keeps the pair readable.
      body += esc(k) + [delimiter] + esc(v.isEmpty ? " " : v) + [delimiter]
    }
    let textStart = 256
    var guess = (data: 0, analysis: 0)
    for _ in 0..<8 {
      var offs: [UInt8] = []
      let dataStart = s.dataLength == 0 ? 0 : guess.data
      let dataEnd = s.dataLength == 0 ? 0 : guess.data + s.dataLength - 1
      let aStart = s.analysis.isEmpty ? 0 : guess.analysis
      let aEnd = s.analysis.isEmpty ? 0 : guess.analysis + s.analysis.count - 1
      let next = isLast ? 0 : guess.analysis + s.analysis.count
      for (k, v) in [("$BEGINANALYSIS", aStart), ("$ENDANALYSIS", aEnd), ("$BEGINDATA", dataStart), ("$ENDDATA", dataEnd),
                     ("$BEGINSTEXT", 0), ("$ENDSTEXT", 0), ("$NEXTDATA", next)] {
        offs += Array(k.utf8) + [delimiter] + Array(String(v).utf8) + [delimiter]
      }
      let text = [delimiter] + offs + body
      let textEnd = textStart + text.count - 1
      let newData = textEnd + 1
      let newAnalysis = newData + s.dataLength
      if newData == guess.data && newAnalysis == guess.analysis {
        return TextLayout(text: text, textStart: textStart, textEnd: textEnd, dataStart: dataStart, dataEnd: dataEnd,
                          analysisStart: aStart, analysisEnd: aEnd)
      }
      guess = (newData, newAnalysis)
    }
    throw FCSError(.writeFailed, "internal: TEXT offsets did not settle")
  }
}

/// Counts bytes passed through to another sink.
struct ByteCounter<Inner: ByteSink>: ByteSink {
  var inner: Inner
  var count = 0
  mutating func append(_ bytes: UnsafeRawBufferPointer) throws {
    try inner.append(bytes)
    count += bytes.count
  }
}

/// Writes a file through a temporary sibling that is renamed into place on success.
public enum AtomicFile {
  /// Calls `body` with a handle to a temporary file next to `path`; on success syncs and
  /// renames it to `path`, on failure removes it. An existing `path` is replaced only on success.
  public static func write(to path: String, _ body: (FileHandle) throws -> Void) throws {
    let url = URL(fileURLWithPath: path)
    let dir = url.deletingLastPathComponent()
    let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
    guard FileManager.default.createFile(atPath: tmp.path, contents: nil) else {
      throw FCSError(.writeFailed, "cannot create a file in \(dir.path)", file: path)
    }
    do {
      let handle = try FileHandle(forWritingTo: tmp)
      do {
        try body(handle)
        try handle.synchronize()
        try handle.close()
      } catch {
        try? handle.close()
        throw error
      }
      if rename(tmp.path, url.path) != 0 {
        throw FCSError(.writeFailed, "cannot move the written file into place: \(String(cString: strerror(errno)))", file: path)
      }
    } catch let e as FCSError {
      try? FileManager.default.removeItem(at: tmp)
      throw e.inFile(path)
    } catch {
      try? FileManager.default.removeItem(at: tmp)
      throw FCSError(.writeFailed, "write failed: \(error.localizedDescription)", file: path)
    }
  }
}
