import CytoCore
import Foundation

/// Removes or replaces keywords that can identify a patient, keeping DATA bit-exact.
///
/// The default list covers the standard keywords that carry names, sample numbers, file
/// names, operators, projects, comments and cell descriptions (`$SRC`, `$SMNO`, `$FIL`, `$OP`,
/// `$PROJ`, `$COM`, `$CELLS`, `$EXP`, `$INST`, `$LAST_MODIFIER`, `$ORIGINALITY`…) plus common vendor
/// keywords (`PATIENT ID`, `SAMPLE ID`, `CASE NUMBER`, …). Dates and times are removed only when
/// asked (``Policy/removeDates``), since a visit date is often needed.
public struct FCSAnonymizer: Sendable {
  /// What to do with an identifying keyword.
  public enum Action: String, Sendable, CaseIterable, Codable {
    /// Delete the keyword.
    case remove
    /// Keep the keyword with the value `ANONYMIZED`.
    case redact
  }

  /// Which keywords to treat as identifying, and what to do with them.
  public struct Policy: Sendable {
    public var keywords: [String]
    public var removeDates: Bool
    public var action: Action
    /// Keywords to set (or add) after removal, for example a pseudonym in `$SMNO`.
    public var replacements: [(keyword: String, value: String)]

    public init(keywords: [String] = FCSAnonymizer.defaultKeywords, removeDates: Bool = false, action: Action = .remove,
                replacements: [(keyword: String, value: String)] = []) {
      self.keywords = keywords
      self.removeDates = removeDates
      self.action = action
      self.replacements = replacements
    }
  }

  /// Identifying keywords removed by default.
  public static let defaultKeywords = [
    "$SRC", "$SMNO", "$FIL", "$OP", "$PROJ", "$COM", "$CELLS", "$EXP", "$INST", "$LAST_MODIFIER", "$PLATEID", "$PLATENAME",
    "$WELLID", "$CARRIERID", "$LOCATIONID", "PATIENT ID", "PATIENT NAME", "PATIENT", "SAMPLE ID", "SAMPLE NAME",
    "CASE NUMBER", "EXPERIMENT NAME", "TUBE NAME", "SPECIMEN NAME", "@SAMPLEID", "GUID", "FILENAME", "ORIGINAL FILE NAME",
  ]

  /// Date and time keywords removed with ``Policy/removeDates``.
  public static let dateKeywords = [
    "$DATE", "$BTIM", "$ETIM", "$BEGINDATETIME", "$ENDDATETIME", "$LAST_MODIFIED", "EXPORT TIME", "CREATION DATE",
    "EXPORT USER NAME",
  ]

  /// One change made to a data set's TEXT. The old value is not kept: it may identify a patient.
  public struct Change: Sendable, Equatable {
    public var dataSet: Int
    public var keyword: String
    public var action: String
  }

  public var policy: Policy

  public init(policy: Policy = Policy()) { self.policy = policy }

  /// The anonymized file's bytes and the changes made.
  public func anonymize(_ file: FCSFile) throws -> (Data, [Change]) {
    var changes: [Change] = []
    let data = try FCSWriter.rewritingText(of: file) { ds, kw in changes += apply(ds, &kw) }
    return (data, changes)
  }

  /// Writes the anonymized file to `path` atomically and returns the changes.
  public func anonymize(_ file: FCSFile, to path: String) throws -> [Change] {
    var changes: [Change] = []
    try FCSWriter.writeRewritingText(of: file, to: path) { ds, kw in changes += apply(ds, &kw) }
    return changes
  }

  func apply(_ ds: FCSDataSet, _ kw: inout FCSKeywords) -> [Change] {
    var out: [Change] = []
    let targets = Set((policy.keywords + (policy.removeDates ? Self.dateKeywords : [])).map { $0.uppercased() })
    for e in kw.entries where targets.contains(e.keyword.uppercased()) {
      switch policy.action {
      case .remove: kw[e.keyword] = nil
      case .redact: kw[e.keyword] = "ANONYMIZED"
      }
      out.append(Change(dataSet: ds.index, keyword: e.keyword, action: policy.action.rawValue))
    }
    for (k, v) in policy.replacements {
      kw[k] = v
      out.append(Change(dataSet: ds.index, keyword: k, action: "set"))
    }
    return out
  }
}
