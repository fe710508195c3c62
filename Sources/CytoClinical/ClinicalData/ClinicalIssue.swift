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
    /// Not RFC 4180 CSV: a quote inside an unquoted field, text after a closing quote, an unclosed quote.
    case csvSyntax = "clinical.csv-syntax"
    /// No header row.
    case empty = "clinical.empty"
    /// The header names both or neither of `analyte` (labs) and `kind` (events).
    case ambiguousKind = "clinical.ambiguous-kind"
    /// A required column is not in the header.
    case missingColumn = "clinical.missing-column"
    /// A header name the format does not have (refused, not ignored).
    case unknownColumn = "clinical.unknown-column"
    /// A header name given twice.
    case duplicateColumn = "clinical.duplicate-column"
    /// A row with more fields than the header.
    case extraFields = "clinical.extra-fields"
    /// A required cell is empty.
    case missingField = "clinical.missing-field"
    /// A patient id that cannot name a store group (`/`, `.`, `..`).
    case invalidPatient = "clinical.invalid-patient"
    /// Not a valid `YYYY-MM-DD` date.
    case unparseableDate = "clinical.unparseable-date"
    /// A day that is not a number.
    case unparseableDay = "clinical.unparseable-day"
    /// A date without a day for a patient whose first infusion date the store lacks.
    case noInfusionDate = "clinical.no-infusion-date"
    /// A day and a date that disagree with the infusion date.
    case dayDateMismatch = "clinical.day-date-mismatch"
    /// A value or LLOQ that is not a plain decimal (or `<`/`>` bound).
    case unparseableValue = "clinical.unparseable-value"
    /// A negative value, bound or LLOQ.
    case negativeValue = "clinical.negative-value"
    /// A unit the importer does not know.
    case unknownUnit = "clinical.unknown-unit"
    /// A known unit that is not a unit of the analyte (IgG in cells/µL).
    case wrongUnit = "clinical.wrong-unit"
    /// Two rows of one file with one key and different content.
    case conflictingDuplicate = "clinical.conflicting-duplicate"
    /// An event kind not in the list.
    case unknownEventKind = "clinical.unknown-event-kind"
    /// CRS/ICANS without an ASTCT grade 1–4, or a grade on another kind.
    case invalidGrade = "clinical.invalid-grade"
    /// A dose that is not positive, IVIG without a dose in g/kg, a dose without its unit.
    case invalidDose = "clinical.invalid-dose"
    /// A disease-activity row without its score name or value, or a SLEDAI-2K outside 0–105.
    case invalidScore = "clinical.invalid-score"
    /// An event ending before it starts.
    case endBeforeStart = "clinical.end-before-start"
    /// Warning: an analyte outside the vocabulary, stored unconverted.
    case freeAnalyte = "clinical.free-analyte"
    /// Warning: a number below its row's LLOQ, stored as the bound.
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
