/// How serious a diagnostic is.
public enum DiagnosticSeverity: String, Sendable, Codable, Comparable, CaseIterable {
  /// A fact worth recording (for example which of two offsets was used).
  case note
  /// Something unusual that was tolerated; the data are still unambiguous.
  case warning
  /// Something that makes part of the result unusable.
  case error

  private var rank: Int { switch self { case .note: 0; case .warning: 1; case .error: 2 } }
  public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
}

/// A stable machine-readable identifier of a diagnostic, for example `fcs.offset.dataEndOffByOne`.
///
/// Codes are part of the documented `--json` output and never change meaning.
public struct DiagnosticCode: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
  public let rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public init(_ rawValue: String) { self.rawValue = rawValue }
  public var description: String { rawValue }
}

/// Where in an input a diagnostic or error applies.
public struct SourceLocation: Sendable, Codable, Hashable, CustomStringConvertible {
  /// The file path as given by the user, if known.
  public var file: String?
  /// The part of the file: an FCS segment (`HEADER`, `TEXT`, `DATA`, …) or an XML element.
  public var section: String?
  /// Byte offset from the start of the file, if known.
  public var byteOffset: Int?
  /// The keyword or field name involved, if any.
  public var keyword: String?

  public init(file: String? = nil, section: String? = nil, byteOffset: Int? = nil, keyword: String? = nil) {
    self.file = file
    self.section = section
    self.byteOffset = byteOffset
    self.keyword = keyword
  }

  public var description: String {
    var parts: [String] = []
    if let file { parts.append(file) }
    if let section { parts.append(section) }
    if let keyword { parts.append("keyword \(keyword)") }
    if let byteOffset { parts.append("byte \(byteOffset)") }
    return parts.joined(separator: ", ")
  }
}

/// A recorded observation about an input: something tolerated, repaired or decided.
///
/// Diagnostics are data, not log lines: they travel with results into JSON output,
/// the HDF5 store and reports, so a reviewer can see every decision the reader made.
public struct Diagnostic: Sendable, Codable, Hashable, CustomStringConvertible {
  public var severity: DiagnosticSeverity
  public var code: DiagnosticCode
  public var message: String
  public var location: SourceLocation

  public init(_ severity: DiagnosticSeverity, _ code: DiagnosticCode, _ message: String, at location: SourceLocation = .init()) {
    self.severity = severity
    self.code = code
    self.message = message
    self.location = location
  }

  public var description: String {
    let loc = location.description
    return "\(severity.rawValue): \(message)" + (loc.isEmpty ? "" : " (\(loc))") + " [\(code)]"
  }
}
