import CytoClinical
import Foundation

/// One analysed visit as a self-contained file (schema `cytoreset.analysis-record/1`,
/// docs/cli-json.md): everything ``CohortStore`` needs to store the visit, so analyses can run
/// anywhere (one job per FCS file) and one writer merges them without reading the FCS files.
///
/// A record holds the FCS file's name, SHA-256 and size, the visit, the patient's attributes,
/// the panel JSON with its SHA-256, the gating hash, the software version, the thresholds the
/// store keeps, and the complete analysis (every population, cut, gate, call and diagnostic).
/// An integrity digest (SHA-256 over the canonical encoding of everything else,
/// ``CanonicalJSON``) makes an edited value detectable. The digest is a checksum, not a
/// signature: it catches edits and damage, not someone who recomputes it on purpose.
///
/// The CAR T detectability call in ``analysis`` is made without a pre-infusion background: the
/// background is another visit, so the merge makes the call again in storing order
/// (``CytoClinical/VisitAnalysis/applyingCARBackground(_:thresholds:)``), as `ingest` does.
public struct AnalysisRecord: Codable, Sendable, Equatable {
  /// The schema this build writes.
  public static let schema = "cytoreset.analysis-record/1"
  /// The schema major version this build reads.
  public static let major = 1

  /// Who wrote the record.
  public struct Software: Codable, Sendable, Equatable {
    /// `cytoreset`.
    public var name: String
    /// The version that analysed the visit (`0.1.0`).
    public var version: String
  }

  /// The FCS file analysed.
  public struct FCSIdentity: Codable, Sendable, Equatable {
    /// The file's name, without its directory.
    public var name: String
    /// SHA-256 of the file's bytes (lower-case hex, what `sha256sum` prints).
    public var sha256: String
    /// The file's size in bytes.
    public var sizeBytes: Int
    /// The data set analysed (0-based position in a `$NEXTDATA` chain).
    public var dataSet: Int
  }

  /// The visit: patient, infusion and day (as in ``CytoClinical/VisitAnalysis/visit``), with
  /// the collection date and the analyst's note the store keeps.
  public struct Visit: Codable, Sendable, Equatable {
    /// The patient id (non-empty, without `/`).
    public var patient: String
    /// The infusion `day` counts from (1 = first).
    public var infusion: Int
    /// Days since infusion `infusion`; negative before it.
    public var day: Double
    /// Blood collection date (`YYYY-MM-DD`), when given.
    public var collectionDate: String?
    /// The analyst's note (empty when none).
    public var note: String

    /// Creates a visit.
    public init(patient: String, infusion: Int, day: Double, collectionDate: String?, note: String) {
      self.patient = patient
      self.infusion = infusion
      self.day = day
      self.collectionDate = collectionDate
      self.note = note
    }
  }

  /// The panel the visit was gated with.
  public struct Panel: Codable, Sendable, Equatable {
    /// The panel's name (`reset`; `workspace:<file>` for a FlowJo workspace).
    public var name: String
    /// The panel's version (the workspace's `sha256:<hex>`).
    public var version: String
    /// SHA-256 of ``json`` (the store's `/panels/<sha256>` name).
    public var sha256: String
    /// The panel definition JSON (or, with a FlowJo workspace, the workspace panel document).
    public var json: String
  }

  /// The integrity digest.
  public struct Digest: Codable, Sendable, Equatable {
    /// `sha256`.
    public var algorithm: String
    /// Lower-case hex SHA-256 of the canonical encoding of the record without `digest`.
    public var value: String
  }

  /// `cytoreset.analysis-record/1`.
  public var schema: String
  /// Who analysed the visit.
  public var software: Software
  /// When the analysis ran (ISO 8601 UTC).
  public var analysisTime: String
  /// The FCS file analysed.
  public var fcs: FCSIdentity
  /// The visit, its note and collection date.
  public var visit: Visit
  /// Patient attributes recorded with the visit (merged with stored ones; differences refused).
  public var patientAttributes: PatientAttributes
  /// The panel, with its JSON.
  public var panel: Panel
  /// ``VisitProvenance/gatingHash``, as `ingest` computes it; checked again on reading.
  public var gatingHash: String
  /// Statistics computed per population (`--stats`).
  public var statistics: [String]
  /// The thresholds the store keeps with the patient's series (kinetics window, reconstitution
  /// rule) and the CAR T call uses.
  public var thresholds: ClinicalThresholds
  /// The analysis (schema `cytoreset.analysis/2`), CAR T call without a background.
  public var analysis: VisitAnalysis
  /// The integrity digest; `nil` only while the record is being built.
  public var digest: Digest?

  /// The record of a submission that `ingest` would store.
  ///
  /// - Parameters:
  ///   - submission: an analysed visit with its provenance (its analysis names the patient and
  ///     the day, its provenance carries the panel JSON); kept events cannot be recorded.
  ///   - fileSizeBytes: the FCS file's size.
  /// - Throws: ``AnalysisRecordError/notRecordable(_:)``.
  public init(submission s: VisitSubmission, fileSizeBytes: Int) throws(AnalysisRecordError) {
    let p = s.provenance, a = s.analysis
    guard let patient = a.visit.patient, StoreSchema.isValidPatientID(patient) else {
      throw .notRecordable("\(p.fileName): a patient id is needed (non-empty, without '/')")
    }
    guard let day = a.visit.day, day.isFinite else { throw .notRecordable("\(p.fileName): the visit needs a day since infusion") }
    guard let panelJSON = p.panelJSON else { throw .notRecordable("\(p.fileName): the panel JSON is not known") }
    guard s.events == nil else { throw .notRecordable("\(p.fileName): a record does not carry events (--keep-events)") }
    guard a.review == nil else { throw .notRecordable("\(p.fileName): reviewed analyses are stored by `cytoreset serve`") }
    schema = Self.schema
    software = Software(name: "cytoreset", version: p.cytoresetVersion)
    analysisTime = p.analysisTime
    fcs = FCSIdentity(name: p.fileName, sha256: p.fileSHA256, sizeBytes: fileSizeBytes, dataSet: a.dataSet)
    visit = Visit(patient: patient, infusion: a.visit.infusion, day: day, collectionDate: p.collectionDate, note: p.analystNote)
    patientAttributes = s.patient
    panel = Panel(name: a.panel, version: a.panelVersion, sha256: SHA256.hash(text: panelJSON).hex, json: panelJSON)
    gatingHash = p.gatingHash
    statistics = p.statistics
    thresholds = s.thresholds
    analysis = a
    digest = nil
  }

  /// What `ingest` stores for this record: the analysis, its provenance, the patient's
  /// attributes and the thresholds (no events, no CAR background yet).
  public func submission() -> VisitSubmission {
    let provenance = VisitProvenance(
      fileName: fcs.name, fileSHA256: fcs.sha256, gatingHash: gatingHash, cytoresetVersion: software.version,
      analysisTime: analysisTime, analystNote: visit.note, collectionDate: visit.collectionDate, panelJSON: panel.json,
      statistics: statistics)
    return VisitSubmission(analysis: analysis, provenance: provenance, patient: patientAttributes, thresholds: thresholds)
  }

  /// The record as written: JSON with sorted keys, two-space indents and a final newline,
  /// non-finite numbers as the strings `NaN`, `Infinity`, `-Infinity`, and ``digest`` computed
  /// over the rest.
  public func encoded() throws(AnalysisRecordError) -> [UInt8] {
    var r = self
    r.digest = nil
    let content: [UInt8]
    do { content = Array(try Self.encoder(pretty: false).encode(r)) } catch { throw .notRecordable("cannot encode the record: \(error)") }
    do {
      r.digest = Digest(algorithm: "sha256", value: SHA256.hash(try CanonicalJSON.parse(content).canonicalBytes()).hex)
      return Array(try Self.encoder(pretty: true).encode(r)) + [0x0A]
    } catch {
      throw .notRecordable("cannot encode the record: \(error)")
    }
  }

  static func encoder(pretty: Bool) -> JSONEncoder {
    let e = JSONEncoder()
    e.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
    e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
    return e
  }

  /// Whether analyses by cytoreset `recorded` may be merged by cytoreset `reader`: the same
  /// release line — the same major version, and for 0.x the same minor version (semantic
  /// versioning: 0.x minors may change results). Unparseable versions are not compatible.
  public static func isCompatible(recorded: String, reader: String) -> Bool {
    func parts(_ v: String) -> [Int]? {
      let core = v.split(separator: "-", maxSplits: 1).first.map(String.init) ?? v
      let p = core.split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
      guard p.count == 3, p.allSatisfy({ $0 != nil }) else { return nil }
      return p.map { $0! }
    }
    guard let r = parts(recorded), let w = parts(reader) else { return false }
    return r[0] == w[0] && (r[0] > 0 || r[1] == w[1])
  }
}
