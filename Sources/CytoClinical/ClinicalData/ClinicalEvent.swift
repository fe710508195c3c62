/// What happened to a patient beside the lab values: an adverse event, a treatment, a score
/// (docs/clinical-data.md, "Events CSV").
public enum ClinicalEventKind: String, Sendable, CaseIterable, Codable {
  /// Cytokine release syndrome; ASTCT grade 1–4 required (Lee et al., Biol Blood Marrow
  /// Transplant 2019;25:625; domain.md 9.1).
  case crs = "CRS"
  /// Immune effector cell-associated neurotoxicity syndrome; ASTCT grade 1–4 required.
  case icans = "ICANS"
  /// Intravenous immunoglobulin; `dose` in g/kg required (domain.md 9.2: 0.2–0.6 g/kg).
  case ivig = "IVIG"
  /// Tocilizumab given (dose optional, with its unit).
  case tocilizumab
  /// Corticosteroids given (dose optional, with its unit).
  case corticosteroids
  /// An infection (what and where in `detail`).
  case infection
  /// Re-treatment: another CAR T infusion or other B-cell-directed therapy.
  case retreatment = "re-treatment"
  /// A disease activity score: the score's name in `detail` (`SLEDAI-2K`), its value in `value`.
  case diseaseActivity = "disease-activity"

  /// Other names accepted (compared like analyte names: case, spaces, `-`, `_`, `.` ignored).
  public var synonyms: [String] {
    switch self {
    case .crs: ["cytokine release syndrome"]
    case .icans: ["neurotoxicity", "immune effector cell-associated neurotoxicity syndrome"]
    case .ivig: ["immunoglobulin replacement", "IVIg"]
    case .tocilizumab: ["toci"]
    case .corticosteroids: ["corticosteroid", "steroids", "steroid"]
    case .infection: []
    case .retreatment: ["retreatment", "re-infusion", "reinfusion"]
    case .diseaseActivity: ["disease activity", "disease activity score", "score"]
    }
  }

  /// The kind a cell names, or nil.
  public static func matching(_ text: String) -> ClinicalEventKind? {
    let key = ClinicalAnalyte.normalizedName(text)
    guard !key.isEmpty else { return nil }
    return allCases.first { k in ([k.rawValue] + k.synonyms).contains { ClinicalAnalyte.normalizedName($0) == key } }
  }

  /// Whether the kind needs an ASTCT grade 1–4 (and only these take one).
  public var isASTCTGraded: Bool { self == .crs || self == .icans }
}

/// One event read from an events CSV.
public struct EventRow: Sendable, Equatable {
  /// The patient id as given.
  public var patient: String
  /// The kind.
  public var kind: ClinicalEventKind
  /// Start: days since the first infusion, and the date when given.
  public var startDay: Double, startDate: String?
  /// End (`nil` for a single-day or ongoing event).
  public var endDay: Double?, endDate: String?
  /// The ASTCT grade (CRS and ICANS only, 1–4).
  public var grade: Int?
  /// The dose and its unit (`g/kg` for IVIG), when given.
  public var dose: Double?, doseUnit: String
  /// A score's value (disease activity).
  public var value: Double?
  /// Free text, stored verbatim (for a score, its name).
  public var detail: String
  /// Where the record came from, verbatim.
  public var source: String
  /// The 1-based line of the row in its file.
  public var line: Int

  /// Creates an event.
  public init(patient: String, kind: ClinicalEventKind, startDay: Double, startDate: String? = nil, endDay: Double? = nil, endDate: String? = nil,
              grade: Int? = nil, dose: Double? = nil, doseUnit: String = "", value: Double? = nil, detail: String = "", source: String = "",
              line: Int) {
    self.patient = patient
    self.kind = kind
    self.startDay = startDay
    self.startDate = startDate
    self.endDay = endDay
    self.endDate = endDate
    self.grade = grade
    self.dose = dose
    self.doseUnit = doseUnit
    self.value = value
    self.detail = detail
    self.source = source
    self.line = line
  }

  /// What identifies the event: patient, kind, start day and source (a corrected event has
  /// the same key and becomes a new version).
  public var key: String { [patient, kind.rawValue, startDay.clinicalText, source].joined(separator: "\u{1F}") }

  /// Whether two events with one key say the same thing (everything but the line).
  public func sameContent(as other: EventRow) -> Bool {
    var a = self, b = other
    a.line = 0
    b.line = 0
    return a == b
  }
}

/// The events of one file.
public struct EventImport: Sendable, Equatable {
  /// The events, in file order; identical duplicates left out.
  public var rows: [EventRow]
  /// Rows left out as identical duplicates of an earlier row.
  public var identicalDuplicates: Int
}
