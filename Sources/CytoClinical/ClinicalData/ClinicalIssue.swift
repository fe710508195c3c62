/// A problem with one cell, row or file of a clinical import, located by file, line and
/// column (field name and 1-based column index): `labs.csv:5:5: unit: unknown unit 'mmol/L'
/// for IgG (…) [clinical.unknown-unit]`.
public struct ClinicalIssue: Error, Sendable, Equatable, CustomStringConvertible {
  /// Refuses the import, or is reported beside it.
  public enum Severity: String, Sendable, Equatable {
    /// The file is refused: nothing is stored.
    case error
    /// Stored, with this reported (a free analyte, a value below its LLOQ kept as a bound).
    case warning
  }

  /// The kind of issue; its raw value is the `[code]` of the message.
  public enum Code: String, Sendable, Equatable, CaseIterable {
    case csvSyntax = "clinical.csv-syntax"
    case empty = "clinical.empty"
    case ambiguousKind = "clinical.ambiguous-kind"
    case missingColumn = "clinical.missing-column"
    case unknownColumn = "clinical.unknown-column"
    case duplicateColumn = "clinical.duplicate-column"
    case extraFields = "clinical.extra-fields"
    case missingField = "clinical.missing-field"
    case invalidPatient = "clinical.invalid-patient"
    case unparseableDate = "clinical.unparseable-date"
    case unparseableDay = "clinical.unparseable-day"
    case noInfusionDate = "clinical.no-infusion-date"
    case dayDateMismatch = "clinical.day-date-mismatch"
    case unparseableValue = "clinical.unparseable-value"
    case negativeValue = "clinical.negative-value"
    case unknownUnit = "clinical.unknown-unit"
    case wrongUnit = "clinical.wrong-unit"
    case conflictingDuplicate = "clinical.conflicting-duplicate"
    case unknownEventKind = "clinical.unknown-event-kind"
    case invalidGrade = "clinical.invalid-grade"
    case invalidDose = "clinical.invalid-dose"
    case invalidScore = "clinical.invalid-score"
    case endBeforeStart = "clinical.end-before-start"
    case freeAnalyte = "clinical.free-analyte"
    case belowLLOQ = "clinical.below-lloq"
  }

  /// Error or warning.
  public var severity: Severity
  /// The code.
  public var code: Code
  /// The file as given.
  public var file: String
  /// The 1-based line (of the record's start), when the issue is in a record.
  public var line: Int?
  /// The 1-based column index, when the issue is in one field.
  public var column: Int?
  /// The column's header name, when known.
  public var field: String?
  /// What is wrong, in words.
  public var message: String

  /// Creates an issue.
  public init(_ severity: Severity, _ code: Code, file: String, line: Int? = nil, column: Int? = nil, field: String? = nil, message: String) {
    self.severity = severity
    self.code = code
    self.file = file
    self.line = line
    self.column = column
    self.field = field
    self.message = message
  }

  /// `file:line:column: field: message [code]` (parts that are unknown left out).
  public var description: String {
    var s = file
    if let line { s += ":\(line)" }
    if let column { s += ":\(column)" }
    s += ": "
    if let field { s += "\(field): " }
    if severity == .warning { s += "warning: " }
    return s + message + " [\(code.rawValue)]"
  }
}

/// A refused clinical import: every error found in the file, in line order.
public struct ClinicalImportFailure: Error, Sendable, Equatable, CustomStringConvertible {
  /// The errors (at least one).
  public var issues: [ClinicalIssue]

  /// Creates a failure.
  public init(_ issues: [ClinicalIssue]) { self.issues = issues }

  /// One line per issue.
  public var description: String { issues.map(\.description).joined(separator: "\n") }
}
