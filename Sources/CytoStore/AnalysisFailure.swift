import CytoClinical
import Foundation

/// An FCS file that could not be analysed, as data (schema `cytoreset.analysis-failure/1`,
/// docs/cli-json.md): what `analyze … -o OUT --on-failure record` writes at `OUT` in place of
/// the visit's ``AnalysisRecord``, and what the store keeps in its failures table
/// (``CohortStore/ingestEach(_:failures:into:)``, docs/store-schema.md).
///
/// A workflow that runs one analysis job per FCS file and then one merge (Snakemake deletes a
/// failed job's outputs and never runs the merge after a failed job) needs the failure as an
/// output: the job succeeds with this record, and the merge stores the other visits and the
/// failure with its reason.
///
/// It holds the FCS path as given, the file's size and SHA-256 when its bytes could be read, the
/// visit (patient, infusion, day, collection date, note), the patient attributes (as a record
/// carries them), the error's typed code (the `[code]` of its stderr line) and message, the
/// software version and the time. Like an analysis record it carries a SHA-256 digest over its
/// canonical JSON (``CanonicalJSON``), so an edited reason or visit is detected.
public struct AnalysisFailure: Codable, Sendable, Equatable {
  /// The schema this build writes.
  public static let schema = "cytoreset.analysis-failure/1"
  /// The schema major version this build reads.
  public static let major = 1

  /// The FCS file that failed.
  public struct FCSFile: Codable, Sendable, Equatable {
    /// The path as given to `analyze` or `ingest` (or the manifest's path joined to its folder).
    public var path: String
    /// The file's name, without its directory.
    public var name: String
    /// SHA-256 of the file's bytes (lower-case hex); `nil` when they could not be read.
    public var sha256: String?
    /// The file's size in bytes; `nil` when unknown (a missing file).
    public var sizeBytes: Int?
    /// The data set that was to be analysed (0-based position in a `$NEXTDATA` chain).
    public var dataSet: Int

    /// Creates the identity of a failed file; `name` is the last component of `path`.
    public init(path: String, sha256: String?, sizeBytes: Int?, dataSet: Int) {
      self.path = path
      self.name = (path as NSString).lastPathComponent
      self.sha256 = sha256
      self.sizeBytes = sizeBytes
      self.dataSet = dataSet
    }

    enum CodingKeys: String, CodingKey { case path, name, sha256, sizeBytes, dataSet }

    /// Encodes every member; an unknown SHA-256 or size is written as `null`, never omitted.
    public func encode(to encoder: any Encoder) throws {
      var c = encoder.container(keyedBy: CodingKeys.self)
      try c.encode(path, forKey: .path)
      try c.encode(name, forKey: .name)
      if let sha256 { try c.encode(sha256, forKey: .sha256) } else { try c.encodeNil(forKey: .sha256) }
      if let sizeBytes { try c.encode(sizeBytes, forKey: .sizeBytes) } else { try c.encodeNil(forKey: .sizeBytes) }
      try c.encode(dataSet, forKey: .dataSet)
    }
  }

  /// Why the file failed.
  public struct Reason: Codable, Sendable, Equatable {
    /// The typed code shown in brackets on the stderr line (`fcs.truncated`, `panel.noPanelFits`).
    public var code: String
    /// The message without the file path in front and without the code.
    public var message: String

    /// Creates a reason.
    public init(code: String, message: String) {
      self.code = code
      self.message = message
    }
  }

  /// `cytoreset.analysis-failure/1`.
  public var schema: String
  /// Who tried to analyse the file.
  public var software: AnalysisRecord.Software
  /// When the analysis failed (ISO 8601 UTC).
  public var failureTime: String
  /// The file.
  public var fcs: FCSFile
  /// The visit the file was to be (patient, infusion, day, collection date, note).
  public var visit: AnalysisRecord.Visit
  /// The patient attributes given with the visit (as in an analysis record).
  public var patientAttributes: PatientAttributes
  /// Why it failed.
  public var error: Reason
  /// The integrity digest; `nil` only while the failure is being built or when it comes from
  /// the store.
  public var digest: AnalysisRecord.Digest?

  /// Creates a failure (without a digest: ``encoded()`` computes it).
  public init(fcs: FCSFile, visit: AnalysisRecord.Visit, patientAttributes: PatientAttributes, error: Reason,
              softwareVersion: String, failureTime: String) {
    schema = Self.schema
    software = AnalysisRecord.Software(name: "cytoreset", version: softwareVersion)
    self.failureTime = failureTime
    self.fcs = fcs
    self.visit = visit
    self.patientAttributes = patientAttributes
    self.error = error
    digest = nil
  }

  /// The visit's group name in the store (`day+028`, `inf2_day+014`).
  public var visitName: String { StoreSchema.visitName(day: visit.day, infusion: visit.infusion) }

  /// What identifies the failure in the store: the SHA-256 of the canonical JSON of everything
  /// but ``failureTime`` and ``digest``. The same file failing the same way for the same visit
  /// with the same version has the same key however often it is analysed or merged, so storing
  /// it again changes nothing; another message, file content or version is another failure.
  public var failureKey: String {
    var f = self
    f.digest = nil
    f.failureTime = ""
    guard let bytes = try? AnalysisRecord.encoder(pretty: false).encode(f), let tree = try? CanonicalJSON.parse(Array(bytes)) else {
      return ""
    }
    return SHA256.hash(tree.canonicalBytes()).hex
  }

  /// The failure as written: JSON with sorted keys, two-space indents and a final newline, with
  /// ``digest`` computed over the rest by the analysis records' rule.
  public func encoded() throws(AnalysisRecordError) -> [UInt8] {
    var f = self
    f.digest = nil
    do {
      let content = Array(try AnalysisRecord.encoder(pretty: false).encode(f))
      f.digest = AnalysisRecord.Digest(algorithm: "sha256", value: SHA256.hash(try CanonicalJSON.parse(content).canonicalBytes()).hex)
      return Array(try AnalysisRecord.encoder(pretty: true).encode(f)) + [0x0A]
    } catch {
      throw .notRecordable("cannot encode the failure record: \(error)")
    }
  }

  /// Writes the failure record to `path` atomically, as ``AnalysisRecord/write(to:)`` writes a
  /// record (a hidden temporary file in the same folder, `fsync`, `rename`, `fsync` of the
  /// folder).
  /// - Throws: ``AnalysisRecordError/writeFailed(file:operation:message:)`` naming `path`.
  public func write(to path: String) throws(AnalysisRecordError) {
    try AtomicFile.replace(path, with: try encoded())
  }
}
