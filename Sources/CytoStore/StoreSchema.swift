import Foundation
import CytoClinical
import CytoCore

/// The layout constants of the cohort store (docs/store-schema.md).
public enum StoreSchema {
  /// The root attribute `schema`.
  public static let name = "cytoreset.store"
  /// The major version this build writes and reads; a store with a larger major is refused.
  public static let major = 1
  /// The minor version this build writes (minor additions are readable by older builds).
  public static let minor = 4
  /// `major.minor`, the root attribute `schema_version`.
  public static var version: String { "\(major).\(minor)" }

  /// The group name of a visit: `day+014`, `day-007` (infusion 1) or `inf2_day+014`; fractional
  /// days keep their decimals (`day+14.5`).
  public static func visitName(day: Double, infusion: Int) -> String {
    let d: String
    if day == day.rounded(), abs(day) < 1e7 {
      let n = Int(day)
      let digits = String(abs(n))
      d = (n < 0 ? "-" : "+") + String(repeating: "0", count: max(0, 3 - digits.count)) + digits
    } else {
      d = (day < 0 ? "" : "+") + day.compactText
    }
    return infusion == 1 ? "day\(d)" : "inf\(infusion)_day\(d)"
  }

  /// Whether `id` can name a patient group (non-empty, no `/`, not `.` or `..`, no NUL).
  public static func isValidPatientID(_ id: String) -> Bool {
    !id.isEmpty && id != "." && id != ".." && !id.contains("/") && !id.contains("\u{0}")
  }
}

/// One series the store keeps per patient: `/patients/<id>/series/<name>`.
public struct SeriesMetric: Sendable {
  /// The dataset name (`cd19_per_ul`).
  public var name: String
  /// What it is, for the `description` attribute.
  public var description: String
  /// The unit (attribute `unit`).
  public var unit: ClinicalUnit
  /// Whether values are cells/µL and so carry an absolute-count method.
  public var isAbsolute: Bool
  /// The quantity of one visit, or nil when the visit's analysis has none.
  public var extract: @Sendable (VisitAnalysis) -> Quantity?

  /// Every series, in the order they are listed and exported.
  public static let all: [SeriesMetric] = {
    func absolute(_ role: @escaping @Sendable (VisitAnalysis) -> String?) -> @Sendable (VisitAnalysis) -> Quantity? {
      { a in a.population(role(a))?.absolute?.perMicroliter }
    }
    func fraction(_ role: @escaping @Sendable (VisitAnalysis) -> String?) -> @Sendable (VisitAnalysis) -> Quantity? {
      { a in a.population(role(a))?.percentOf }
    }
    func ofLymphocytes(_ role: @escaping @Sendable (VisitAnalysis) -> String?) -> @Sendable (VisitAnalysis) -> Quantity? {
      { a in a.population(role(a))?.percentOfLymphocytes }
    }
    return [
      SeriesMetric(name: "cd19_per_ul", description: "CD19+ B cells per µL", unit: .cellsPerMicroliter, isAbsolute: true,
                   extract: absolute { $0.roles.bCells }),
      SeriesMetric(name: "cd19_pct_lymphocytes", description: "CD19+ B cells, % of lymphocytes", unit: .percentOfLymphocytes,
                   isAbsolute: false, extract: ofLymphocytes { $0.roles.bCells }),
      SeriesMetric(name: "naive_pct_b", description: "naive B cells (CD27- IgD+), % of CD19+", unit: .percentOfB, isAbsolute: false,
                   extract: { $0.calls.naivePercentOfB }),
      SeriesMetric(name: "transitional_pct_b", description: "transitional B cells, % of CD19+", unit: .percentOfB,
                   isAbsolute: false, extract: fraction { _ in "TransitionalB" }),
      SeriesMetric(name: "unswitched_memory_pct_b", description: "unswitched memory B cells, % of CD19+", unit: .percentOfB,
                   isAbsolute: false, extract: fraction { _ in "UnswitchedMemB" }),
      SeriesMetric(name: "switched_memory_pct_b", description: "switched memory B cells, % of CD19+", unit: .percentOfB,
                   isAbsolute: false, extract: fraction { _ in "SwitchedMemB" }),
      SeriesMetric(name: "double_negative_pct_b", description: "double-negative B cells, % of CD19+", unit: .percentOfB,
                   isAbsolute: false, extract: fraction { _ in "DNB" }),
      SeriesMetric(name: "plasmablasts_pct_lymphocytes", description: "plasmablasts, % of lymphocytes", unit: .percentOfLymphocytes,
                   isAbsolute: false, extract: ofLymphocytes { _ in "Plasmablasts" }),
      SeriesMetric(name: "plasmablasts_per_ul", description: "plasmablasts per µL", unit: .cellsPerMicroliter, isAbsolute: true,
                   extract: absolute { _ in "Plasmablasts" }),
      SeriesMetric(name: "car_pct_cd3", description: "CAR+ T cells, % of CD3+", unit: .percentOfCD3, isAbsolute: false,
                   extract: { $0.calls.carPercentOfT }),
      SeriesMetric(name: "car_per_ul", description: "CAR+ T cells per µL", unit: .cellsPerMicroliter, isAbsolute: true,
                   extract: absolute { $0.roles.carT }),
      SeriesMetric(name: "cd3_per_ul", description: "CD3+ T cells per µL", unit: .cellsPerMicroliter, isAbsolute: true,
                   extract: absolute { $0.roles.tCells }),
      SeriesMetric(name: "cd3_pct_lymphocytes", description: "CD3+ T cells, % of lymphocytes", unit: .percentOfLymphocytes,
                   isAbsolute: false, extract: ofLymphocytes { $0.roles.tCells }),
      SeriesMetric(name: "cd4_per_ul", description: "CD4+ T cells per µL", unit: .cellsPerMicroliter, isAbsolute: true,
                   extract: absolute { _ in "CD4T" }),
      SeriesMetric(name: "cd8_per_ul", description: "CD8+ T cells per µL", unit: .cellsPerMicroliter, isAbsolute: true,
                   extract: absolute { _ in "CD8T" }),
      SeriesMetric(name: "lymphocytes_per_ul", description: "lymphocytes per µL", unit: .cellsPerMicroliter, isAbsolute: true,
                   extract: absolute { $0.roles.lymphocytes }),
    ]
  }()

  /// The metric called `name`.
  public static func named(_ name: String) -> SeriesMetric? { all.first { $0.name == name } }
}

/// What is known about a patient: stored as attributes of `/patients/<id>`. Nil and empty
/// values are not written; a stored value is never replaced by a different one.
public struct PatientAttributes: Codable, Sendable, Equatable {
  /// The diagnosis (`SLE`, `systemic sclerosis`, …).
  public var diagnosis: String?
  /// The CAR T product.
  public var product: String?
  /// The infusion dates (ISO 8601 `YYYY-MM-DD`), first infusion first.
  public var infusionDates: [String]
  /// Age in years at the first infusion.
  public var age: Int?
  /// Sex as recorded.
  public var sex: String?

  /// Creates patient attributes; everything is optional.
  public init(diagnosis: String? = nil, product: String? = nil, infusionDates: [String] = [], age: Int? = nil, sex: String? = nil) {
    self.diagnosis = diagnosis
    self.product = product
    self.infusionDates = infusionDates
    self.age = age
    self.sex = sex
  }
}

/// Where an analysed visit came from: stored as attributes of the visit and its analysis.
public struct VisitProvenance: Sendable, Equatable {
  /// The FCS file's name (no directory).
  public var fileName: String
  /// SHA-256 of the FCS file's bytes (lower-case hex).
  public var fileSHA256: String
  /// SHA-256 of the resolved gating (the Gating-ML 2.0 text of the per-sample strategy).
  public var gatingHash: String
  /// The CytoReset version that analysed the visit.
  public var cytoresetVersion: String
  /// When the analysis ran (ISO 8601, UTC).
  public var analysisTime: String
  /// Free text from the analyst (empty when none).
  public var analystNote: String
  /// The date the blood was drawn (ISO 8601), when known.
  public var collectionDate: String?
  /// The panel definition JSON the analysis used, when known.
  public var panelJSON: String?
  /// The names of the statistics computed per population (part of the analysis identity).
  public var statistics: [String]

  /// Creates provenance.
  public init(fileName: String, fileSHA256: String, gatingHash: String, cytoresetVersion: String, analysisTime: String,
              analystNote: String = "", collectionDate: String? = nil, panelJSON: String? = nil, statistics: [String] = []) {
    self.fileName = fileName
    self.fileSHA256 = fileSHA256
    self.gatingHash = gatingHash
    self.cytoresetVersion = cytoresetVersion
    self.analysisTime = analysisTime
    self.analystNote = analystNote
    self.collectionDate = collectionDate
    self.panelJSON = panelJSON
    self.statistics = statistics
  }
}

extension VisitProvenance {
  /// SHA-256 of what determines the gating of a sample: the panel JSON, the channels its
  /// markers resolved to, the cuts, and the scales and gates found in the file (the strategy
  /// is a function of these).
  public static func gatingHash(_ a: VisitAnalysis, panelJSON: String) -> String {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys]
    let markers = (try? e.encode(a.markers)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    let cuts = a.cuts.map { "\($0.name)=\($0.value.compactText) \($0.marker) \($0.method.rawValue)" }.joined(separator: "\n")
    let gating = (try? e.encode(a.gating)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    return SHA256.hash(text: panelJSON + "\n--markers--\n" + markers + "\n--cuts--\n" + cuts + "\n--gating--\n" + gating).hex
  }

  /// SHA-256 of what determines the gating of a sample gated by a FlowJo workspace: the
  /// workspace panel document (schema `cytoreset.workspace-panel/1`, with the workspace's
  /// SHA-256) and which sample or group template gated the file with which roles
  /// (``CytoClinical/VisitAnalysis/workspace``).
  public static func workspaceGatingHash(_ a: VisitAnalysis, workspacePanelJSON: String) -> String {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys]
    let used = (try? e.encode(a.workspace)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    return SHA256.hash(text: workspacePanelJSON + "\n--workspace--\n" + used).hex
  }

  /// The gating hash of `a` by the rule that made it: ``workspaceGatingHash(_:workspacePanelJSON:)``
  /// when a workspace gated the file, else ``gatingHash(_:panelJSON:)``.
  public static func recomputedGatingHash(_ a: VisitAnalysis, panelJSON: String) -> String {
    a.workspace != nil ? workspaceGatingHash(a, workspacePanelJSON: panelJSON) : gatingHash(a, panelJSON: panelJSON)
  }
}

/// The events of a visit, kept so it can be re-gated without its FCS file (`--keep-events`).
public struct VisitEvents: Sendable {
  /// Channel names (`$PnN`), one per matrix column.
  public var channels: [String]
  /// The events, column-major per channel: compensated with the file's spillover when
  /// ``compensated`` is true.
  public var matrix: EventMatrix<Float>
  /// Whether fluorescence channels were compensated.
  public var compensated: Bool
  /// The gate masks of the analysis, by population id.
  public var masks: [String: EventMask]

  /// Creates the events of a visit.
  public init(channels: [String], matrix: EventMatrix<Float>, compensated: Bool, masks: [String: EventMask]) {
    self.channels = channels
    self.matrix = matrix
    self.compensated = compensated
    self.masks = masks
  }
}

/// One analysed visit to ingest.
public struct VisitSubmission: Sendable {
  /// The analysis (its ``VisitInfo`` must name the patient and the day).
  public var analysis: VisitAnalysis
  /// File, hashes, version, time and note.
  public var provenance: VisitProvenance
  /// Patient attributes to record (merged with stored ones; differences are refused).
  public var patient: PatientAttributes
  /// The panel's thresholds: the kinetics window and reconstitution rule read back by
  /// ``CohortStoreReader/kinetics(of:)``.
  public var thresholds: ClinicalThresholds
  /// The events and masks, with `--keep-events`.
  public var events: VisitEvents?
  /// For a reviewed analysis (``CytoClinical/VisitAnalysis/review``): the visit's highest
  /// analysis version the reviewer saw. When the store holds a newer one by the time of the
  /// write, someone saved in between and the ingest is refused with
  /// ``StoreError/conflict(file:object:detail:)`` (nothing is written).
  public var expectedLatestAnalysis: Int?

  /// Creates a submission.
  public init(analysis: VisitAnalysis, provenance: VisitProvenance, patient: PatientAttributes = PatientAttributes(),
              thresholds: ClinicalThresholds, events: VisitEvents? = nil) {
    self.analysis = analysis
    self.provenance = provenance
    self.patient = patient
    self.thresholds = thresholds
    self.events = events
  }

  /// What identifies an analysis of this file: the same key twice is the same analysis.
  /// SHA-256 over the file digest, the gating hash, the count method with its inputs, the CAR
  /// background used for the detectability call and the statistics asked for; for a count from
  /// a lab ALC also that lab row's day, source and version; for a reviewed
  /// analysis also its review (status, reviewer, time, reason, version replaced).
  public var analysisKey: String {
    var parts = [
      provenance.fileSHA256, provenance.gatingHash, analysis.countMethod?.summary ?? "no absolute count",
      analysis.calls.carBackgroundPercentOfT.compactText, provenance.statistics.sorted().joined(separator: ","),
    ]
    // A count from a lab ALC is its own version when the lab row (day, source, version) changes.
    if let l = analysis.labCount { parts += ["lab ALC", l.labDay.clinicalText, l.source, String(l.version)] }
    // A review is its own version even when it changes no gate (an approval of the found gates).
    if let r = analysis.review { parts += ["review", r.status.rawValue, r.reviewer, r.time, r.reason, String(r.replaces)] }
    return SHA256.hash(text: parts.joined(separator: "\n")).hex
  }
}

/// What an ingest did with one submission.
public enum IngestOutcome: Sendable, Equatable, CustomStringConvertible {
  /// Stored as analysis `analysis` of the visit (1 for a new visit).
  case added(patient: String, visit: String, analysis: Int)
  /// The same file with the same gating is already stored as analysis `analysis`: nothing changed.
  case unchanged(patient: String, visit: String, analysis: Int)

  public var description: String {
    switch self {
    case .added(let p, let v, let n): "\(p)/\(v): stored as analysis \(n)"
    case .unchanged(let p, let v, let n):
      "\(p)/\(v): already stored (same file and gating, analysis \(n)); nothing changed"
    }
  }
}
