import CytoClinical
import CytoCore

/// Everything one patient's longitudinal report shows. Values in, no file access: the store
/// (or anything else) fills this, ``PatientReportRenderer`` turns it into HTML.
public struct PatientReport: Sendable, Equatable {
  /// Patient id (escaped in the output, like every text here).
  public var patientID: String
  /// Diagnosis (for example "SLE").
  public var diagnosis: String?
  /// CAR T product.
  public var product: String?
  /// Infusion dates as text (ISO dates), first infusion first.
  public var infusionDates: [String]
  /// The CytoReset version that made the report.
  public var softwareVersion: String
  /// Where the values come from (store file, its checksum, when it was written …).
  public var provenance: String
  /// Free-text notes.
  public var notes: [String]
  /// The aplasia threshold in CD19⁺ cells/µL (the shaded band), if the rule has one.
  public var aplasiaThresholdPerMicroliter: Double?
  /// The visits, any order (shown by day).
  public var visits: [PatientVisit]
  /// The B-cell course (aplasia onset, duration, reconstitution).
  public var bCells: BCellCourse
  /// CAR T kinetics in cells/µL.
  public var carPerMicroliter: CARKinetics?
  /// CAR T kinetics in % of CD3⁺.
  public var carPercentOfCD3: CARKinetics?
  /// The patient's visits whose FCS file could not be analysed (no values yet).
  public var failures: [FailedAnalysis] = []
  /// Lab values and clinical events on the timeline (issue #16): `nil` leaves the clinical
  /// timeline out, an empty course says none was imported.
  public var clinical: ClinicalCourse?

  /// A report; everything but the id, version, provenance, visits and course is optional.
  public init(patientID: String, diagnosis: String? = nil, product: String? = nil, infusionDates: [String] = [], softwareVersion: String,
              provenance: String, notes: [String] = [], aplasiaThresholdPerMicroliter: Double? = 100, visits: [PatientVisit],
              bCells: BCellCourse, carPerMicroliter: CARKinetics? = nil, carPercentOfCD3: CARKinetics? = nil) {
    self.patientID = patientID
    self.diagnosis = diagnosis
    self.product = product
    self.infusionDates = infusionDates
    self.softwareVersion = softwareVersion
    self.provenance = provenance
    self.notes = notes
    self.aplasiaThresholdPerMicroliter = aplasiaThresholdPerMicroliter
    self.visits = visits
    self.bCells = bCells
    self.carPerMicroliter = carPerMicroliter
    self.carPercentOfCD3 = carPercentOfCD3
  }
}

/// B-cell subsets as % of CD19⁺ B cells (plasmablasts as the panel reports them).
public struct BCellSubsets: Sendable, Equatable {
  /// Naive (IgD⁺ CD27⁻).
  public var naive: Quantity?
  /// Transitional (CD24^hi CD38^hi).
  public var transitional: Quantity?
  /// Unswitched memory (IgD⁺ CD27⁺).
  public var unswitchedMemory: Quantity?
  /// Switched memory (IgD⁻ CD27⁺).
  public var switchedMemory: Quantity?
  /// Double negative (IgD⁻ CD27⁻).
  public var doubleNegative: Quantity?
  /// Plasmablasts.
  public var plasmablasts: Quantity?

  /// Subsets; any may be missing.
  public init(naive: Quantity? = nil, transitional: Quantity? = nil, unswitchedMemory: Quantity? = nil, switchedMemory: Quantity? = nil,
              doubleNegative: Quantity? = nil, plasmablasts: Quantity? = nil) {
    self.naive = naive
    self.transitional = transitional
    self.unswitchedMemory = unswitchedMemory
    self.switchedMemory = switchedMemory
    self.doubleNegative = doubleNegative
    self.plasmablasts = plasmablasts
  }

  /// Names, in stacking order.
  public static let names = ["naive", "transitional", "unswitched memory", "switched memory", "double negative", "plasmablasts"]

  /// The quantities in ``names`` order.
  public var all: [Quantity?] { [naive, transitional, unswitchedMemory, switchedMemory, doubleNegative, plasmablasts] }
}

/// A gate QC plot for a visit: its SVG (made by ``GatePlot``) and a caption.
public struct QCPlot: Sendable, Equatable {
  /// Caption (escaped).
  public var caption: String
  /// SVG markup. It is inserted as markup, so it must come from this module's renderers;
  /// markup containing `<script` or `<foreignObject` is replaced by a notice.
  public var svg: String

  /// A QC plot.
  public init(caption: String, svg: String) {
    self.caption = caption
    self.svg = svg
  }
}

/// One visit's values for the patient report.
public struct PatientVisit: Sendable, Equatable {
  /// Days since infusion.
  public var day: Double
  /// The analysed file's name.
  public var file: String
  /// CD19⁺ B cells per µL.
  public var bCellsPerMicroliter: Quantity?
  /// CD19⁺ B cells as % of lymphocytes.
  public var bCellsPercentOfLymphocytes: Quantity?
  /// B-cell subsets.
  public var subsets: BCellSubsets
  /// CAR⁺ T cells per µL.
  public var carPerMicroliter: Quantity?
  /// CAR⁺ T cells as % of CD3⁺.
  public var carPercentOfCD3: Quantity?
  /// CD3⁺ T cells per µL.
  public var cd3PerMicroliter: Quantity?
  /// CD4⁺ T cells per µL.
  public var cd4PerMicroliter: Quantity?
  /// CD8⁺ T cells per µL.
  public var cd8PerMicroliter: Quantity?
  /// How absolute counts were made (for example "single platform, 50000 beads in 50 µL").
  public var countMethod: String?
  /// The visit's calls.
  public var calls: VisitCalls?
  /// The cuts applied.
  public var cuts: [AppliedCut]
  /// Diagnostics of the file and its analysis.
  public var diagnostics: [Diagnostic]
  /// Gate QC plots.
  public var qcPlots: [QCPlot]
  /// The review that set this visit's gates (`cytoreset serve`), `nil` when they were found in the file.
  public var review: ReviewRecord?

  /// A visit.
  public init(day: Double, file: String, bCellsPerMicroliter: Quantity? = nil, bCellsPercentOfLymphocytes: Quantity? = nil,
              subsets: BCellSubsets = BCellSubsets(), carPerMicroliter: Quantity? = nil, carPercentOfCD3: Quantity? = nil,
              cd3PerMicroliter: Quantity? = nil, cd4PerMicroliter: Quantity? = nil, cd8PerMicroliter: Quantity? = nil, countMethod: String? = nil,
              calls: VisitCalls? = nil, cuts: [AppliedCut] = [], diagnostics: [Diagnostic] = [], qcPlots: [QCPlot] = []) {
    self.day = day
    self.file = file
    self.bCellsPerMicroliter = bCellsPerMicroliter
    self.bCellsPercentOfLymphocytes = bCellsPercentOfLymphocytes
    self.subsets = subsets
    self.carPerMicroliter = carPerMicroliter
    self.carPercentOfCD3 = carPercentOfCD3
    self.cd3PerMicroliter = cd3PerMicroliter
    self.cd4PerMicroliter = cd4PerMicroliter
    self.cd8PerMicroliter = cd8PerMicroliter
    self.countMethod = countMethod
    self.calls = calls
    self.cuts = cuts
    self.diagnostics = diagnostics
    self.qcPlots = qcPlots
  }

  /// The visit's values from an analysis with the reset panel's population ids (`BCells`,
  /// `NaiveB`, `TransitionalB`, `UnswitchedMemB`, `SwitchedMemB`, `DNB`, `Plasmablasts`,
  /// `TCells`, `CD4T`, `CD8T`, `CART`; roles from the analysis). Subsets are % of B cells
  /// (`percentOf`), counts per µL when the analysis has absolute counts.
  public init(analysis a: VisitAnalysis, day: Double, qcPlots: [QCPlot] = []) {
    func abs(_ id: String?) -> Quantity? { a.population(id)?.absolute?.perMicroliter }
    func pct(_ id: String) -> Quantity? { a.population(id)?.percentOf }
    let b = a.population(a.roles.bCells)
    self.init(day: day, file: a.file, bCellsPerMicroliter: b?.absolute?.perMicroliter, bCellsPercentOfLymphocytes: b?.percentOfLymphocytes,
              subsets: BCellSubsets(naive: pct("NaiveB"), transitional: pct("TransitionalB"), unswitchedMemory: pct("UnswitchedMemB"),
                                    switchedMemory: pct("SwitchedMemB"), doubleNegative: pct("DNB"),
                                    plasmablasts: a.population("Plasmablasts")?.percentOfLymphocytes),
              carPerMicroliter: abs(a.roles.carT), carPercentOfCD3: a.calls.carPercentOfT, cd3PerMicroliter: abs(a.roles.tCells),
              cd4PerMicroliter: abs("CD4T"), cd8PerMicroliter: abs("CD8T"), countMethod: a.countMethod?.summary, calls: a.calls,
              cuts: a.cuts, diagnostics: a.diagnostics, qcPlots: qcPlots)
    review = a.review
  }
}

/// The cohort overview: one row per patient.
public struct CohortReport: Sendable, Equatable {
  /// One patient's summary.
  public struct Patient: Sendable, Equatable {
    /// Patient id (escaped).
    public var patientID: String
    /// Diagnosis.
    public var diagnosis: String?
    /// Last visit day.
    public var lastDay: Double?
    /// The B-cell course.
    public var bCells: BCellCourse
    /// CAR T Cmax (cells/µL) and its day.
    public var carPeakPerMicroliter: Double?
    /// Day of the CAR T peak.
    public var carPeakDay: Double?
    /// File name of the patient's report (a relative link; escaped).
    public var reportFile: String?
    /// The patient's clinical course (CRS/ICANS, IVIG), `nil` when none was read.
    public var clinical: ClinicalCourse?

    /// A patient row.
    public init(patientID: String, diagnosis: String? = nil, lastDay: Double? = nil, bCells: BCellCourse, carPeakPerMicroliter: Double? = nil,
                carPeakDay: Double? = nil, reportFile: String? = nil, clinical: ClinicalCourse? = nil) {
      self.patientID = patientID
      self.diagnosis = diagnosis
      self.lastDay = lastDay
      self.bCells = bCells
      self.carPeakPerMicroliter = carPeakPerMicroliter
      self.carPeakDay = carPeakDay
      self.reportFile = reportFile
      self.clinical = clinical
    }
  }

  /// Title.
  public var title: String
  /// The patients, in display order.
  public var patients: [Patient]
  /// The CytoReset version.
  public var softwareVersion: String
  /// Store provenance.
  public var provenance: String
  /// The analyses that failed and whose visits are still not stored (shown when there are any).
  public var failures: [FailedAnalysis] = []

  /// A cohort report.
  public init(title: String = "Cohort overview", patients: [Patient], softwareVersion: String, provenance: String) {
    self.title = title
    self.patients = patients
    self.softwareVersion = softwareVersion
    self.provenance = provenance
  }
}
