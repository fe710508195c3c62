import CytoCore

/// A part of an FCS data set.
public enum FCSSegment: String, Sendable, Codable, CaseIterable {
  case header = "HEADER"
  case text = "TEXT"
  case supplementalText = "STEXT"
  case data = "DATA"
  case analysis = "ANALYSIS"
  case file = "FILE"
}

/// An FCS file that cannot be read (or written), with the place where the problem is.
///
/// Every error names the file, the segment and, where one applies, the keyword and the
/// absolute byte offset in the file, so a lab analyst can find and report the problem.
public struct FCSError: Error, Sendable, CustomStringConvertible, Equatable {
  /// The category of failure; stable, used by tests and `--json` output.
  public enum Kind: String, Sendable, Codable, CaseIterable {
    /// The file could not be opened or mapped.
    case unreadable
    /// The file ends before a segment that its offsets announce.
    case truncated
    /// The first bytes are not an FCS HEADER (`FCS2.0`, `FCS3.1`, …).
    case notFCS
    /// The FCS version is not one this reader understands.
    case unsupportedVersion
    /// A HEADER offset field is not a number or points outside the file.
    case malformedHeader
    /// The TEXT segment cannot be split into keyword/value pairs.
    case malformedText
    /// A keyword the standard requires is absent.
    case missingKeyword
    /// A keyword has a value that cannot be used.
    case invalidKeyword
    /// `$DATATYPE` / `$PnB` combination this reader cannot decode.
    case unsupportedDataType
    /// `$BYTEORD` that is neither little nor big endian nor a known FCS 2.0 order.
    case unsupportedByteOrder
    /// `$MODE` other than `L` (list mode).
    case unsupportedMode
    /// No reading of the HEADER and TEXT DATA offsets fits the file.
    case inconsistentOffsets
    /// `$TOT`, `$PAR` and `$PnB` announce more data than the file holds.
    case dataSizeMismatch
    /// The `$NEXTDATA` chain loops or points outside the file.
    case invalidDataSetChain
    /// The requested data set index does not exist.
    case noSuchDataSet
    /// A channel named by the caller does not exist.
    case noSuchChannel
    /// Writing failed or the requested output is not representable.
    case writeFailed
  }

  public var kind: Kind
  public var message: String
  public var location: SourceLocation
  /// The 0-based position in the `$NEXTDATA` chain of the data set at fault, when the error
  /// belongs to one data set (every error raised while reading a data set's HEADER, TEXT or DATA).
  public var dataSet: Int?

  public init(_ kind: Kind, _ message: String, file: String? = nil, segment: FCSSegment? = nil,
              byteOffset: Int? = nil, keyword: String? = nil, dataSet: Int? = nil) {
    self.kind = kind
    self.message = message
    self.location = SourceLocation(file: file, section: segment?.rawValue, byteOffset: byteOffset, keyword: keyword)
    self.dataSet = dataSet
  }

  /// The same error with the file path filled in, if it was not set.
  func inFile(_ path: String?) -> FCSError {
    var e = self
    if e.location.file == nil { e.location.file = path }
    return e
  }

  /// The same error with the file path and data set index filled in, where they were not set.
  func inDataSet(_ index: Int, file path: String?) -> FCSError {
    var e = inFile(path)
    if e.dataSet == nil { e.dataSet = index }
    return e
  }

  /// `path: [data set N: ]SEGMENT: KEYWORD: byte B: message [fcs.kind]`; the data set is named
  /// when it is not the first (a file's first data set is the file, for most readers).
  public var description: String {
    var parts: [String] = []
    if let f = location.file { parts.append(f) }
    if let d = dataSet, d > 0 { parts.append("data set \(d)") }
    if let s = location.section { parts.append(s) }
    if let k = location.keyword { parts.append(k) }
    if let b = location.byteOffset { parts.append("byte \(b)") }
    return (parts.isEmpty ? "" : parts.joined(separator: ": ") + ": ") + message + " [fcs.\(kind.rawValue)]"
  }
}
