import CytoCore
import Foundation

/// Writes FCS 3.1 / 3.2 files.
///
/// Two ways in:
/// - ``encode(_:)`` / ``write(_:to:)`` with an ``FCSWriter/EventTable``: events as
///   list-mode `float32`, little-endian, any channel and event subset, keywords kept or edited;
/// - ``rewritingText(of:editing:)``: the data sets of an existing file with new TEXT and the
///   DATA and ANALYSIS bytes copied unchanged (used by `cytoreset anonymize`).
///
/// Offsets above 99,999,999 bytes are written as zeros in the HEADER, with `$BEGINDATA`/
/// `$ENDDATA` in TEXT, as FCS 3.1 §3.1 requires. Files are written to a temporary sibling and
/// renamed into place, so a reader never sees a half-written file.
public enum FCSWriter {
  /// Keywords that describe the layout of DATA; the writer always sets them itself.
  public static let layoutKeywords: Set<String> = [
    "$BEGINANALYSIS", "$ENDANALYSIS", "$BEGINDATA", "$ENDDATA", "$BEGINSTEXT", "$ENDSTEXT",
    "$BYTEORD", "$DATATYPE", "$MODE", "$NEXTDATA", "$PAR", "$TOT",
  ]

  /// One channel of an ``EventTable``.
  public struct Channel: Sendable, Equatable {
    /// `$PnN`.
    public var name: ChannelName
    /// `$PnS`, omitted when `nil`.
    public var label: String?
    /// `$PnR`.
    public var range: Double
    /// Other `$Pn…` keywords, keyed by suffix (`"D"` for `$PnD`, `"V"` for `$PnV`, …).
    /// `B`, `E`, `N`, `S`, `R` and `DATATYPE` are set by the writer.
    public var keywords: [(suffix: String, value: String)]

    public init(name: ChannelName, label: String? = nil, range: Double = 262_144, keywords: [(suffix: String, value: String)] = []) {
      self.name = name
      self.label = label
      self.range = range
      self.keywords = keywords
    }

    public static func == (a: Self, b: Self) -> Bool {
      a.name == b.name && a.label == b.label && a.range == b.range
        && a.keywords.map { "\($0.suffix)=\($0.value)" } == b.keywords.map { "\($0.suffix)=\($0.value)" }
    }
  }

  /// Events and metadata for one list-mode data set.
  public struct EventTable: Sendable {
    public var channels: [Channel]
    public var events: EventMatrix<Float>
    /// Data-set keywords other than layout and `$Pn…` keywords, in order.
    public var keywords: FCSKeywords
    /// `FCS3.1` (default) or `FCS3.2`.
    public var version: FCSVersion

    public init(channels: [Channel], events: EventMatrix<Float>, keywords: FCSKeywords = FCSKeywords(),
                version: FCSVersion = .fcs3_1) {
      precondition(channels.count == events.channelCount, "channel list does not match the event matrix")
      self.channels = channels
      self.events = events
      self.keywords = keywords
      self.version = version
    }
  }

  // MARK: - Event tables

  /// The bytes of an FCS file holding `table`.
  public static func encode(_ table: EventTable) throws -> Data {
    var out = Data()
    try assemble([segments(for: table)], into: &out)
    return out
  }

  /// Writes `table` to `path` atomically.
  public static func write(_ table: EventTable, to path: String) throws {
    try AtomicFile.write(to: path) { handle in
      var sink = FileSink(handle: handle)
      try assemble([segments(for: table)], into: &sink)
      try sink.flush()
    }
  }

  static func segments(for table: EventTable) throws -> DataSetSegments {
    guard table.version >= .fcs3_1 else {
      throw FCSError(.writeFailed, "the writer produces FCS 3.1 or 3.2, not \(table.version.rawValue)")
    }
    var kw: [(String, String)] = [
      ("$BYTEORD", "1,2,3,4"), ("$DATATYPE", "F"), ("$MODE", "L"), ("$NEXTDATA", "0"),
      ("$PAR", String(table.channels.count)), ("$TOT", String(table.events.eventCount)),
    ]
    for (i, ch) in table.channels.enumerated() {
      let p = "$P\(i + 1)"
      kw.append((p + "N", ch.name.rawValue))
      if let l = ch.label { kw.append((p + "S", l)) }
      kw.append((p + "B", "32"))
      kw.append((p + "E", "0,0"))
      kw.append((p + "R", ch.range.compactText))
      for (suffix, value) in ch.keywords where !["B", "E", "N", "S", "R", "DATATYPE"].contains(suffix.uppercased()) {
        kw.append((p + suffix, value))
      }
    }
    for e in table.keywords.entries {
      let u = e.keyword.uppercased()
      if layoutKeywords.contains(u) || isParameterKeyword(u) { continue }
      kw.append((e.keyword, e.value))
    }
    let events = table.events
    return DataSetSegments(version: table.version, keywords: kw, dataLength: events.eventCount * events.channelCount * 4,
                           analysis: Data()) { sink in
      try writeFloat32LittleEndian(events, to: &sink)
    }
  }

  static func isParameterKeyword(_ upper: String) -> Bool {
    guard upper.hasPrefix("$P"), let c = upper.dropFirst(2).first, c.isNumber else { return false }
    return true
  }


  /// Event-major little-endian float32, written in blocks.
  static func writeFloat32LittleEndian<Sink: ByteSink>(_ m: EventMatrix<Float>, to sink: inout Sink) throws {
    let n = m.eventCount, p = m.channelCount
    guard n > 0, p > 0 else { return }
    let blockEvents = max(1, (1 << 20) / p)
    var buffer = [UInt32](repeating: 0, count: blockEvents * p)
    try m.storage.withUnsafeBufferPointer { src in
      var e0 = 0
      while e0 < n {
        let e1 = min(n, e0 + blockEvents)
        buffer.withUnsafeMutableBufferPointer { out in
          for c in 0..<p {
            let col = c * n
            var o = c
            for e in e0..<e1 {
              out[o] = src[col + e].bitPattern.littleEndian
              o += p
            }
          }
        }
        try buffer.withUnsafeBytes { try sink.append(UnsafeRawBufferPointer(rebasing: $0[0..<((e1 - e0) * p * 4)])) }
        e0 = e1
      }
    }
  }

  // MARK: - Rewriting TEXT

  /// The bytes of `file` with each data set's TEXT replaced by `editing`'s result and its DATA
  /// and ANALYSIS copied byte for byte. Supplemental TEXT is merged into the primary TEXT.
  ///
  /// `editing` receives the data set and its keywords without the offset keywords; layout
  /// keywords it changes are ignored (the DATA bytes do not change).
  /// - Throws: the error of the first of `file`'s ``FCSFile/unreadableDataSets``: the output
  ///   would lack that data set.
  public static func rewritingText(of file: FCSFile, editing: (FCSDataSet, inout FCSKeywords) throws -> Void) throws -> Data {
    var out = Data()
    try assemble(rewriteSegments(file, editing), into: &out)
    return out
  }

  /// Writes ``rewritingText(of:editing:)`` to `path` atomically.
  public static func writeRewritingText(of file: FCSFile, to path: String,
                                        editing: (FCSDataSet, inout FCSKeywords) throws -> Void) throws {
    let segs = try rewriteSegments(file, editing)
    try AtomicFile.write(to: path) { handle in
      var sink = FileSink(handle: handle)
      try assemble(segs, into: &sink)
      try sink.flush()
    }
  }

  static let offsetKeywords: Set<String> = [
    "$BEGINANALYSIS", "$ENDANALYSIS", "$BEGINDATA", "$ENDDATA", "$BEGINSTEXT", "$ENDSTEXT", "$NEXTDATA",
  ]

  static func rewriteSegments(_ file: FCSFile, _ editing: (FCSDataSet, inout FCSKeywords) throws -> Void) throws -> [DataSetSegments] {
    // The rewritten file would silently lack the data set; its DATA cannot be copied bit-exact.
    if let bad = file.unreadableDataSets.first { throw bad.error }
    return try file.dataSets.map { ds in
      var kw = FCSKeywords()
      for e in ds.keywords.entries where !offsetKeywords.contains(e.keyword.uppercased()) { kw[e.keyword] = e.value }
      var edited = kw
      try editing(ds, &edited)
      // Layout keywords are fixed by the DATA bytes.
      for e in kw.entries where layoutKeywords.contains(e.keyword.uppercased()) || isLayoutParameterKeyword(e.keyword) {
        edited[e.keyword] = e.value
      }
      if ds.keywords["$TOT"] == nil { edited["$TOT"] = String(ds.eventCount) }
      let pairs = edited.entries.filter { !offsetKeywords.contains($0.keyword.uppercased()) }.map { ($0.keyword, $0.value) }
      let data = ds.bytes[ds.dataRange]
      let analysis = ds.bytes[ds.analysisRange]
      return DataSetSegments(version: ds.version, keywords: pairs + [("$NEXTDATA", "0")], dataLength: data.count,
                             analysis: Data(analysis)) { sink in
        try data.withUnsafeBytes { try sink.append($0) }
      }
    }
  }

  static func isLayoutParameterKeyword(_ k: String) -> Bool {
    let u = k.uppercased()
    guard isParameterKeyword(u) else { return false }
    let suffix = u.drop { !$0.isLetter || $0 == "$" }.dropFirst()  // after "$P"
    let rest = suffix.drop { $0.isNumber }
    return rest == "B" || rest == "R" || rest == "E" || rest == "DATATYPE"
  }
}
