import CytoCore
@testable import CytoFCS
import CytoTestSupport
import Foundation
import Testing

/// Integer `$PnB` that are not whole bytes (10, 12 bits: Beckman Coulter analysers), read as
/// 16-bit words when the DATA length shows them, and refused with a typed error otherwise.
/// The fixtures are `testdata/fcs/quirks/int1*-words-*.fcs` and `mixed16-10-words-be.fcs`
/// (values in MalformedInputTests.quirks) and `testdata/fcs/invalid/int10-*.fcs`.
@Suite("Sub-byte $PnB in 16-bit words")
struct SubByteWordsTests {
  struct Fixture: Sendable, CustomTestStringConvertible {
    var file: String
    var bits: [Int]
    var order: FCSByteOrder
    /// The `$PnB` keyword the diagnostic names (the first sub-byte parameter).
    var keyword = "$P1B"
    var masks: [UInt64]
    var testDescription: String { file }
  }

  static let fixtures: [Fixture] = [
    Fixture(file: "int10-words-le.fcs", bits: [10, 10], order: .littleEndian, masks: [1023, 1023]),
    Fixture(file: "int10-words-be.fcs", bits: [10, 10], order: .bigEndian, masks: [1023, 1023]),
    Fixture(file: "int10-words-enddata-off-by-one.fcs", bits: [10, 10], order: .littleEndian, masks: [1023, 1023]),
    Fixture(file: "int12-words-le.fcs", bits: [12, 12], order: .littleEndian, masks: [4095, 4095]),
    Fixture(file: "int12-words-be.fcs", bits: [12, 12], order: .bigEndian, masks: [4095, 4095]),
    Fixture(file: "mixed16-10-words-be.fcs", bits: [16, 10], order: .bigEndian, keyword: "$P2B", masks: [65535, 1023]),
  ]

  static func quirk(_ name: String) -> String { TestData.project("fcs/quirks/\(name)").path }
  static func invalid(_ name: String) -> String { TestData.project("fcs/invalid/\(name)").path }

  @Test("layout: 16-bit words, per-parameter masks, one diagnostic naming $PnB", arguments: fixtures)
  func layout(_ f: Fixture) throws {
    let path = Self.quirk(f.file)
    let ds = try FCSFile(contentsOf: path).dataSet(0)
    #expect(ds.parameters.map(\.bits) == f.bits)
    #expect(ds.parameters.map(\.storageBits) == f.bits.map { $0 == 16 ? nil : 16 })
    #expect(ds.parameters.map(\.byteWidth) == [2, 2])
    #expect(ds.parameters.map(\.integerMask) == f.masks)
    #expect(ds.byteOrder == f.order)
    #expect(ds.bytesPerEvent == 4)
    #expect(ds.dataRange.count == 2 * ds.eventCount * ds.parameters.count)
    #expect(ds.decodesEventRanges, "uniform 16-bit words take the chunked fast path")
    let notes = ds.diagnostics.filter { $0.code.rawValue == "fcs.data.subByteWords" }
    #expect(notes.count == 1)
    let d = try #require(notes.first)
    #expect(d.severity == .note)
    #expect(d.location.file == path)
    #expect(d.location.section == "DATA")
    #expect(d.location.keyword == f.keyword)
    #expect(d.location.byteOffset == ds.dataRange.lowerBound)
    let widths = f.bits.enumerated().filter { $0.element % 8 != 0 }.map { "$P\($0.offset + 1)B \($0.element)" }
    #expect(d.message.hasPrefix(widths.joined(separator: ", ") + ":"), "\(d.message)")
    #expect(d.message.contains(f.order == .bigEndian ? "big-endian 16-bit word" : "little-endian 16-bit word"))
    // Nothing else is worth a warning in these files.
    #expect(ds.diagnostics.allSatisfy { $0.severity < .warning }, "\(ds.diagnostics)")
  }

  @Test("off-by-one $ENDDATA is still 16-bit-word evidence")
  func offByOne() throws {
    let ds = try FCSFile(contentsOf: Self.quirk("int10-words-enddata-off-by-one.fcs")).dataSet(0)
    let codes = Set(ds.diagnostics.map(\.code.rawValue))
    #expect(codes.isSuperset(of: ["fcs.data.subByteWords", "fcs.offset.dataEndOffByOne"]))
    #expect(ds.dataRange.count == 16)
  }

  @Test("whole-byte integers record no sub-byte diagnostic")
  func wholeBytesUnchanged() throws {
    let ds = try FCSFile(contentsOf: Self.quirk("int16-flag-bits.fcs")).dataSet(0)
    #expect(ds.parameters.allSatisfy { $0.storageBits == nil })
    #expect(!ds.diagnostics.contains { $0.code.rawValue == "fcs.data.subByteWords" })
  }

  @Test("chunked decoding equals whole decoding", arguments: fixtures)
  func chunked(_ f: Fixture) throws {
    try ChunkedDecodeTests.check(Self.quirk(f.file), name: f.file)
  }

  /// A file of 16-bit words whose `$PnB` are then rewritten in place: `widths[i]` replaces "16"
  /// (two characters, so no offset moves).
  static func words(_ rows: [[UInt16]], widths: [String], ranges: [Double], big: Bool = false,
                    edit: (inout FCSBuilder) -> Void = { _ in }) -> Data {
    var b = FCSBuilder(parameters: widths.count, dataType: "I", bits: 16, events: rows.map { $0.map(Double.init) })
    b.version = "FCS2.0"
    b.order = big ? .big : .little
    b.ranges = ranges
    edit(&b)
    var bytes = b.build()
    for (i, w) in widths.enumerated() {
      precondition(w.count == 2)
      let from = Data("/$P\(i + 1)B/16/".utf8), to = Data("/$P\(i + 1)B/\(w)/".utf8)
      if let r = bytes.range(of: from) { bytes.replaceSubrange(r, with: to) }
    }
    return bytes
  }

  @Test("large file: parallel and chunked decoding mask each word to its parameter's $PnB and $PnR")
  func largeFile() throws {
    // 270,000 events × 4 parameters: over the decoder's parallel threshold (2²⁰ values).
    let n = 270_000
    let widths = ["10", "12", "16", " 8"]
    let ranges: [Double] = [1024, 4096, 65536, 256]
    let masks: [UInt16] = [1023, 4095, 0xFFFF, 255]
    var rng = SeededGenerator(seed: 12)
    let rows = (0..<n).map { _ in (0..<4).map { _ in UInt16(truncatingIfNeeded: rng.next()) } }
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("subbyte-\(UUID().uuidString).fcs")
    defer { try? FileManager.default.removeItem(at: url) }
    try Self.words(rows, widths: widths, ranges: ranges, big: true).write(to: url)
    let ds = try FCSFile(contentsOf: url.path).dataSet(0)
    #expect(ds.parameters.map(\.bits) == [10, 12, 16, 8])
    #expect(ds.parameters.map(\.storageBits) == [16, 16, nil, 16], "an 8-bit parameter among them is a word too")
    let m = try ds.events(.raw, as: Float.self)
    var mismatches = 0
    for c in 0..<4 {
      for e in 0..<n where m.storage[c * n + e] != Float(rows[e][c] & masks[c]) { mismatches += 1 }
    }
    #expect(mismatches == 0)
    try ChunkedDecodeTests.check(url.path, name: "large sub-byte")
  }

  // MARK: - Refused

  @Test("bit-packed DATA: unsupportedDataType naming DATA, $P1B, DATA's offset and the packing")
  func bitPacked() throws {
    let path = Self.invalid("int10-bit-packed.fcs")
    let e = try #require(#expect(throws: FCSError.self) { try FCSFile(contentsOf: path) })
    #expect(e.kind == .unsupportedDataType)
    #expect(e.location.file == path && e.location.section == "DATA" && e.location.keyword == "$P1B")
    #expect(e.location.byteOffset == 190)
    #expect(e.dataSet == 0)
    #expect(e.message.contains("DATA is 10 bytes") && e.message.contains("packed") && e.message.contains("(16 bytes)"),
            "\(e.message)")
    // Deferred: TEXT is described, DATA throws the same error.
    let ds = try FCSFile(contentsOf: path, dataCheck: .deferred).dataSet(0)
    #expect(ds.parameters.map(\.bits) == [10, 10])
    #expect(ds.eventCount == 4)
    #expect(ds.dataError == e)
    #expect(throws: e) { try ds.events(.raw, as: Float.self) }
    #expect(throws: e) { try ds.events(.raw, as: Float.self, in: 0..<1) }
  }

  @Test("DATA length neither words nor packed: refused, saying neither")
  func neither() throws {
    let path = Self.invalid("int10-length-neither.fcs")
    let e = try #require(#expect(throws: FCSError.self) { try FCSFile(contentsOf: path) })
    #expect(e.kind == .unsupportedDataType && e.location.keyword == "$P1B" && e.location.byteOffset == 190)
    #expect(e.message.contains("DATA is 13 bytes") && e.message.contains("neither"), "\(e.message)")
  }

  @Test("$PnB not whole bytes wider than a word, or among floats or wider integers: refused in TEXT")
  func noWordLayout() throws {
    let rows: [[UInt16]] = [[1, 2], [3, 4]]
    // A float parameter (FCS 3.2 $PnDATATYPE) among 10-bit integers.
    var bytes = Self.words(rows, widths: ["10", "16"], ranges: [1024, 1024]) { b in
      b.version = "FCS3.1"
      b.bits = [16, 32]
      b.extra = [("$P2DATATYPE", "F")]
    }
    var e = try #require(#expect(throws: FCSError.self) { try FCSFile(bytes: bytes, path: "float.fcs") })
    #expect(e.kind == .unsupportedDataType && e.location.section == "TEXT" && e.location.keyword == "$P1B")
    #expect(e.location.byteOffset == 256 && e.location.file == "float.fcs")
    #expect(e.message.contains("parameter 2 holds floats"), "\(e.message)")
    // A 32-bit integer among them.
    bytes = Self.words(rows, widths: ["10", "16"], ranges: [1024, 1024]) { $0.bits = [16, 32] }
    e = try #require(#expect(throws: FCSError.self) { try FCSFile(bytes: bytes) })
    #expect(e.kind == .unsupportedDataType && e.location.keyword == "$P1B")
    #expect(e.message.contains("parameter 2 holds 32-bit integers"), "\(e.message)")
  }

  @Test("no $TOT: the length cannot show the layout, so it is refused")
  func missingTot() throws {
    let bytes = Self.words([[1, 2], [3, 4]], widths: ["10", "10"], ranges: [1024, 1024]) { $0.omit = ["$TOT"] }
    let e = try #require(#expect(throws: FCSError.self) { try FCSFile(bytes: bytes) })
    #expect(e.kind == .unsupportedDataType && e.location.section == "DATA" && e.location.keyword == "$P1B")
    #expect(e.message.contains("$TOT is missing"), "\(e.message)")
  }

  @Test("huge $TOT with sub-byte widths: a typed error, no allocation")
  func hugeTot() throws {
    for tot in ["4611686018427387904", "9223372036854775807", "1000"] {
      let bytes = Self.words([[1, 2]], widths: ["10", "10"], ranges: [1024, 1024]) { $0.extra = [("$TOT", tot)] }
      let e = try #require(#expect(throws: FCSError.self) { try FCSFile(bytes: bytes) }, "$TOT \(tot)")
      #expect([.dataSizeMismatch, .truncated, .unsupportedDataType].contains(e.kind), "\(e)")
      #expect(e.location.section == "DATA")
    }
  }
}
