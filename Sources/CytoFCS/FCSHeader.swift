import CytoCore

/// The fixed 58-byte HEADER of one FCS data set: version and segment offsets.
///
/// Offsets are as written: relative to the first byte of this data set's HEADER, inclusive
/// first and last byte. A field of blanks or zeros is `nil` (FCS 3.0+ writes zeros when a
/// segment lies beyond byte 99,999,999; the TEXT keywords then hold the offsets).
public struct FCSHeader: Sendable, Equatable, Codable {
  /// Size of the HEADER in bytes.
  public static let byteCount = 58

  public var version: FCSVersion
  public var textStart: Int
  public var textEnd: Int
  public var dataStart: Int?
  public var dataEnd: Int?
  public var analysisStart: Int?
  public var analysisEnd: Int?

  public init(version: FCSVersion, textStart: Int, textEnd: Int, dataStart: Int?, dataEnd: Int?,
              analysisStart: Int?, analysisEnd: Int?) {
    self.version = version
    self.textStart = textStart
    self.textEnd = textEnd
    self.dataStart = dataStart
    self.dataEnd = dataEnd
    self.analysisStart = analysisStart
    self.analysisEnd = analysisEnd
  }

  /// Parses a HEADER from `bytes` starting at `base` (the data set's first byte in the file).
  init(parsing bytes: UnsafeRawBufferPointer, at base: Int, diagnostics: inout [Diagnostic], file: String?) throws {
    guard bytes.count - base >= Self.byteCount else {
      throw FCSError(.truncated, "the file has \(bytes.count - base) bytes where a 58-byte FCS HEADER is needed",
                     segment: .header, byteOffset: base)
    }
    let tag = String(decoding: bytes[base..<base + 6], as: UTF8.self)
    guard tag.hasPrefix("FCS") else {
      throw FCSError(.notFCS, "not an FCS file: it starts with \(Self.printable(bytes[base..<base + 6])) instead of FCSn.n",
                     segment: .header, byteOffset: base)
    }
    guard let v = FCSVersion(rawValue: tag) else {
      throw FCSError(.unsupportedVersion, "unsupported FCS version '\(tag)'", segment: .header, byteOffset: base)
    }
    version = v
    if bytes[base + 6..<base + 10].contains(where: { $0 != 0x20 }) {
      diagnostics.append(Diagnostic(.warning, .init("fcs.header.nonBlankGap"),
        "HEADER bytes 6–9 should be blanks", at: SourceLocation(file: file, section: "HEADER", byteOffset: base + 6)))
    }
    func field(_ i: Int) throws -> Int? {
      let start = base + 10 + i * 8
      let raw = bytes[start..<start + 8]
      var value = 0
      var sawDigit = false
      var negative = false
      var ended = false
      for b in raw {
        switch b {
        case 0x20, 0x00: if sawDigit { ended = true }
        case 0x2D where !sawDigit && !negative: negative = true
        case 0x30...0x39:
          if ended { throw bad(raw, start) }
          sawDigit = true
          value = value * 10 + Int(b - 0x30)
        default: throw bad(raw, start)
        }
      }
      if !sawDigit { return nil }
      return negative || value == 0 ? nil : value
    }
    func bad(_ raw: Slice<UnsafeRawBufferPointer>, _ at: Int) -> FCSError {
      FCSError(.malformedHeader, "HEADER offset field is not a number: \(Self.printable(raw))", segment: .header, byteOffset: at)
    }
    guard let ts = try field(0), let te = try field(1) else {
      throw FCSError(.malformedHeader, "HEADER gives no TEXT segment offsets", segment: .header, byteOffset: base + 10)
    }
    textStart = ts
    textEnd = te
    dataStart = try field(2)
    dataEnd = try field(3)
    analysisStart = try field(4)
    analysisEnd = try field(5)
  }

  static func printable<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
    "'" + String(bytes.map { (0x20...0x7E).contains($0) ? Character(UnicodeScalar($0)) : "·" }) + "'"
  }
}
