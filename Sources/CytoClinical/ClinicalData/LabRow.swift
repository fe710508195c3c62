/// One lab value read from a lab CSV (docs/clinical-data.md, "Lab CSV"), in its canonical unit.
public struct LabRow: Sendable, Equatable {
  /// The patient id as given.
  public var patient: String
  /// Days since the patient's first infusion (day 0 = infusion day; negative before it).
  public var day: Double
  /// The calendar date, when the row gave one (`YYYY-MM-DD`).
  public var date: String?
  /// The analyte: a vocabulary one or a free name.
  public var analyte: AnalyteIdentity
  /// The value or bound, in the analyte's canonical unit (the unit as given for free analytes).
  public var measurement: LabMeasurement
  /// The value and unit cells exactly as written (trimmed).
  public var valueAsGiven: String, unitAsGiven: String
  /// The factor applied to reach the canonical unit (`nil` for free analytes: not converted).
  public var factor: Double?
  /// The assay's lower limit of quantification in the canonical unit, when given.
  public var lloq: Double?
  /// The assay or method (`nephelometry`, `ddPCR`), as written; `""` when none.
  public var method: String
  /// Where the value came from (a lab, a report), as written; `""` when none.
  public var source: String
  /// The 1-based line of the row in its file.
  public var line: Int

  /// Creates a row.
  public init(patient: String, day: Double, date: String? = nil, analyte: AnalyteIdentity, measurement: LabMeasurement,
              valueAsGiven: String, unitAsGiven: String, factor: Double?, lloq: Double? = nil, method: String = "", source: String = "",
              line: Int) {
    self.patient = patient
    self.day = day
    self.date = date
    self.analyte = analyte
    self.measurement = measurement
    self.valueAsGiven = valueAsGiven
    self.unitAsGiven = unitAsGiven
    self.factor = factor
    self.lloq = lloq
    self.method = method
    self.source = source
    self.line = line
  }

  /// What identifies the value: patient, day, analyte and source (a corrected value has the
  /// same key and becomes a new version of the row).
  public var key: String { [patient, day.clinicalText, analyte.name, source].joined(separator: "\u{1F}") }

  /// Whether two rows with one key say the same thing: same value or bound, unit, LLOQ, method
  /// and date. How the value was written (`420 mg/dL` or `4.2 g/L`) does not matter.
  public func sameContent(as other: LabRow) -> Bool {
    measurement == other.measurement && lloq == other.lloq && method == other.method && date == other.date
  }
}

/// The lab rows of one file, with the warnings the import reports.
public struct LabImport: Sendable, Equatable {
  /// The rows, in file order; an identical duplicate of an earlier row is left out.
  public var rows: [LabRow]
  /// Free analytes, values below their LLOQ kept as bounds.
  public var warnings: [ClinicalIssue]
  /// Rows left out as identical duplicates of an earlier row of the file.
  public var identicalDuplicates: Int
}
