import CytoClinical
import Foundation

/// What `ingest --analyses` merges: an analysis record or a failure record, told apart by
/// their `schema`.
public enum MergeRecord: Sendable, Equatable {
  /// An analysed visit (`cytoreset.analysis-record/1`).
  case analysis(AnalysisRecord)
  /// A file that could not be analysed (`cytoreset.analysis-failure/1`).
  case failure(AnalysisFailure)

  /// The two kinds of file, by schema.
  enum Kind: Equatable {
    case analysis, failure

    var prefix: String { self == .analysis ? "cytoreset.analysis-record/" : "cytoreset.analysis-failure/" }
    var major: Int { self == .analysis ? AnalysisRecord.major : AnalysisFailure.major }
  }

  /// Reads and verifies the file at `path`: an analysis record as
  /// ``AnalysisRecord/decode(_:file:readerVersion:)`` checks it, or a failure record with the
  /// same steps (complete JSON, schema major, digest, compatible software, member types, members
  /// that must agree).
  /// - Throws: ``AnalysisRecordError`` naming `path`.
  public static func read(contentsOf path: String, readerVersion: String) throws(AnalysisRecordError) -> MergeRecord {
    try decode(try RecordFile.bytes(path), file: path, readerVersion: readerVersion)
  }

  /// Decodes and verifies a record or a failure record (``read(contentsOf:readerVersion:)``).
  /// - Parameter file: the file's path, for error messages.
  /// - Throws: ``AnalysisRecordError`` naming `file`.
  public static func decode(_ bytes: [UInt8], file: String, readerVersion: String) throws(AnalysisRecordError) -> MergeRecord {
    switch try parse(bytes, file: file).kind {
    case .analysis: return .analysis(try AnalysisRecord.decode(bytes, file: file, readerVersion: readerVersion))
    case .failure: return .failure(try AnalysisFailure.decode(bytes, file: file, readerVersion: readerVersion))
    }
  }

  /// The visit of the record or failure record at `path`, after its JSON and schema are checked:
  /// enough to put the files of a merge in storing order before each is read in full.
  /// - Throws: ``AnalysisRecordError`` naming `path`.
  public static func readVisit(contentsOf path: String) throws(AnalysisRecordError) -> AnalysisRecord.Visit {
    let tree = try parse(try RecordFile.bytes(path), file: path).tree
    guard let v = tree["visit"] else { throw .invalidField(file: path, path: "visit", detail: "missing") }
    do { return try v.decode(AnalysisRecord.Visit.self) } catch let e as DecodingError {
      let (sub, detail) = AnalysisRecord.describe(e)
      throw .invalidField(file: path, path: sub.isEmpty ? "visit" : "visit." + sub, detail: detail)
    } catch {
      throw .invalidField(file: path, path: "visit", detail: "\(error)")
    }
  }

  /// Complete, strict JSON whose `schema` is a record or failure record of a major version this
  /// build reads.
  static func parse(_ bytes: [UInt8], file: String) throws(AnalysisRecordError) -> (kind: Kind, tree: CanonicalJSON) {
    let tree: CanonicalJSON
    do { tree = try CanonicalJSON.parse(bytes) } catch { throw .malformedJSON(file: file, error: error) }
    guard let schema = tree["schema"]?.stringValue else { throw .notARecord(file: file, schema: nil) }
    guard let kind = [Kind.analysis, .failure].first(where: { schema.hasPrefix($0.prefix) }) else {
      throw .notARecord(file: file, schema: schema)
    }
    let major = schema.dropFirst(kind.prefix.count).split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).first
      .flatMap { Int($0) }
    guard major == kind.major else { throw .unsupportedSchema(file: file, found: schema, supported: "\(kind.prefix)\(kind.major)") }
    return (kind, tree)
  }
}

extension AnalysisFailure {
  /// Reads and verifies the failure record at `path` (``decode(_:file:readerVersion:)``).
  /// - Throws: ``AnalysisRecordError`` naming `path`.
  public static func read(contentsOf path: String, readerVersion: String) throws(AnalysisRecordError) -> AnalysisFailure {
    try decode(try RecordFile.bytes(path), file: path, readerVersion: readerVersion)
  }

  /// Decodes a failure record and checks it as analysis records are checked: complete JSON,
  /// schema `cytoreset.analysis-failure/1`, the digest, a compatible cytoreset, every member's
  /// type, and members that must agree (`fcs.name` is the last component of `fcs.path`).
  /// - Throws: ``AnalysisRecordError`` naming `file`.
  public static func decode(_ bytes: [UInt8], file: String, readerVersion: String) throws(AnalysisRecordError) -> AnalysisFailure {
    let (kind, tree) = try MergeRecord.parse(bytes, file: file)
    guard kind == .failure else { throw .notARecord(file: file, schema: tree["schema"]?.stringValue) }
    try AnalysisRecord.checkDigestAndSoftware(tree, file: file, readerVersion: readerVersion)
    let failure: AnalysisFailure
    do { failure = try tree.decode(AnalysisFailure.self) } catch let e as DecodingError {
      let (path, detail) = AnalysisRecord.describe(e)
      throw .invalidField(file: file, path: path, detail: detail)
    } catch {
      throw .invalidField(file: file, path: "", detail: "\(error)")
    }
    try failure.verify(file: file)
    return failure
  }

  /// Members that must agree, and values a store can hold.
  func verify(file: String) throws(AnalysisRecordError) {
    func invalid(_ path: String, _ detail: String) -> AnalysisRecordError { .invalidField(file: file, path: path, detail: detail) }
    let hex = Set("0123456789abcdef")
    if let sha = fcs.sha256, sha.count != 64 || !sha.allSatisfy({ hex.contains($0) }) {
      throw invalid("fcs.sha256", "must be 64 lower-case hex digits or null")
    }
    guard !fcs.path.isEmpty else { throw invalid("fcs.path", "must not be empty") }
    guard fcs.name == (fcs.path as NSString).lastPathComponent else {
      throw AnalysisRecordError.inconsistent(file: file, path: "fcs.name", detail: "'\(fcs.name)', but fcs.path is '\(fcs.path)'")
    }
    if let n = fcs.sizeBytes, n < 0 { throw invalid("fcs.sizeBytes", "must not be negative") }
    guard StoreSchema.isValidPatientID(visit.patient) else { throw invalid("visit.patient", "must be non-empty, without '/'") }
    guard visit.day.isFinite else { throw invalid("visit.day", "must be a finite number of days") }
    guard !error.code.isEmpty else { throw invalid("error.code", "must not be empty") }
  }
}
