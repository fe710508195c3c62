/// Why an analysis record (``AnalysisRecord``) cannot be read, trusted or written. Every case
/// names the record file; ``description`` ends with a `[record.<kind>]` tag (``kind``).
public enum AnalysisRecordError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The file cannot be read (missing, a directory, no permission).
  case unreadable(file: String, message: String)
  /// Not JSON: truncated, or a syntax error (``CanonicalJSON/ParseError`` says where).
  case malformedJSON(file: String, error: CanonicalJSON.ParseError)
  /// JSON, but not an analysis record: no or another `schema` (`cytoreset.analyze/2` is the
  /// output of `analyze` without `-o`).
  case notARecord(file: String, schema: String?)
  /// An analysis record of a major schema version this build does not read.
  case unsupportedSchema(file: String, found: String, supported: String)
  /// The record's content does not match its integrity digest: it was edited (or damaged)
  /// after `analyze` wrote it.
  case digestMismatch(file: String, recorded: String, computed: String)
  /// A member is missing or has the wrong type or value; `path` is its JSON path
  /// (`analysis.populations[3].count`).
  case invalidField(file: String, path: String, detail: String)
  /// Written by a cytoreset version whose analyses this build does not merge (another major
  /// version; for 0.x, another minor version).
  case incompatibleSoftware(file: String, recorded: String, reader: String)
  /// Members that must agree do not (the visit and the analysis's visit, the panel and its
  /// SHA-256, the gating hash and the gating it hashes); `path` names the member.
  case inconsistent(file: String, path: String, detail: String)
  /// Writing the record failed (nothing was left at the destination).
  case writeFailed(file: String, operation: String, message: String)
  /// A submission that cannot be recorded (no patient or day, no panel JSON, kept events).
  case notRecordable(String)

  /// The tag of the case: `unreadable`, `malformedJSON`, `notARecord`, `unsupportedSchema`,
  /// `digestMismatch`, `invalidField`, `incompatibleSoftware`, `inconsistent`, `writeFailed`,
  /// `notRecordable`.
  public var kind: String {
    switch self {
    case .unreadable: "unreadable"
    case .malformedJSON: "malformedJSON"
    case .notARecord: "notARecord"
    case .unsupportedSchema: "unsupportedSchema"
    case .digestMismatch: "digestMismatch"
    case .invalidField: "invalidField"
    case .incompatibleSoftware: "incompatibleSoftware"
    case .inconsistent: "inconsistent"
    case .writeFailed: "writeFailed"
    case .notRecordable: "notRecordable"
    }
  }

  /// The record file the error is about (`nil` for ``notRecordable(_:)``).
  public var file: String? {
    switch self {
    case .unreadable(let f, _), .malformedJSON(let f, _), .notARecord(let f, _), .unsupportedSchema(let f, _, _),
      .digestMismatch(let f, _, _), .invalidField(let f, _, _), .incompatibleSoftware(let f, _, _), .inconsistent(let f, _, _),
      .writeFailed(let f, _, _):
      f
    case .notRecordable: nil
    }
  }

  public var description: String {
    let text: String
    switch self {
    case .unreadable(let f, let m): text = "\(f): cannot read the analysis record: \(m)"
    case .malformedJSON(let f, let e): text = "\(f): not a complete JSON document: \(e)"
    case .notARecord(let f, let s):
      text = "\(f): not an analysis record: schema is \(s.map { "'\($0)'" } ?? "missing"), not '\(AnalysisRecord.schema)' (or '\(AnalysisFailure.schema)')"
        + (s?.hasPrefix("cytoreset.analyze/") == true ? " (write records with `cytoreset analyze FILE --format json -o OUT`)" : "")
    case .unsupportedSchema(let f, let found, let supported):
      text = "\(f): analysis record schema '\(found)' is not read by this build (reads \(supported)); analyse the FCS file again with this cytoreset"
    case .digestMismatch(let f, let r, let c):
      text = "\(f): the record's content does not match its digest (recorded sha256 \(r.prefix(16))…, content hashes to \(c.prefix(16))…): it was changed after `cytoreset analyze` wrote it; analyse the FCS file again"
    case .invalidField(let f, let p, let d): text = "\(f): \(p.isEmpty ? "the record" : p): \(d)"
    case .incompatibleSoftware(let f, let r, let reader):
      text = "\(f): analysed by cytoreset \(r), which this cytoreset \(reader) does not merge (another release line: analyses may differ); analyse the FCS file again with cytoreset \(reader)"
    case .inconsistent(let f, let p, let d): text = "\(f): \(p): \(d)"
    case .writeFailed(let f, let op, let m): text = "\(f): \(op) failed: \(m)"
    case .notRecordable(let d): text = "cannot write an analysis record: \(d)"
    }
    return text + " [record.\(kind)]"
  }
}
