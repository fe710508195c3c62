import CytoClinical
import CytoReport
import CytoStore

/// A patient's longitudinal report assembled from the store: the one assembly `cytoreset
/// report` and the review server's `GET /patients/{id}/report` share, so both show the same
/// values, kinetics and thresholds.
public enum PatientReportAssembly {
  /// The report of patient `id`: attributes, every visit (by infusion, then day) with its
  /// current analysis, the kinetics and thresholds stored for the patient, and the patient's
  /// open failures (visits whose FCS file could not be analysed).
  ///
  /// - Parameters:
  ///   - reader: the open store.
  ///   - softwareVersion: the CytoReset version printed in the report.
  ///   - provenance: where the data came from, printed in the report's footer.
  ///   - qcPlots: the gating QC plots of one visit, called once per visit in report order after
  ///     its analysis is read (the server passes none; the CLI re-gates the FCS file).
  /// - Throws: the first ``CytoStore/StoreError`` of a read.
  public static func report(
    patient id: String, reader: CohortStoreReader, softwareVersion: String, provenance: String,
    qcPlots: (StoredVisit, VisitAnalysis) -> [QCPlot] = { _, _ in [] }
  ) throws(StoreError) -> PatientReport {
    // A patient none of whose files could be analysed has failures but no patient group: the
    // report lists the failures (a workflow writes one report per patient of its manifests).
    if try !reader.patientIDs().contains(id) {
      let failures = try reader.openFailures(of: id)
      if !failures.isEmpty {
        var report = PatientReport(
          patientID: id, diagnosis: nil, product: nil, infusionDates: [], softwareVersion: softwareVersion, provenance: provenance,
          notes: ["No visit of this patient could be analysed: every file failed (below)."],
          aplasiaThresholdPerMicroliter: ClinicalThresholds().aplasia.maxPerMicroliter, visits: [],
          bCells: BCellCourse.compute([], rule: ClinicalThresholds().reconstitution), carPerMicroliter: nil, carPercentOfCD3: nil)
        report.failures = failures.map(FailedAnalysis.init)
        report.clinical = try clinicalCourse(patient: id, reader: reader)
        return report
      }
    }
    let attributes = try reader.patientAttributes(id)
    let visits = try reader.visits(of: id)
    let kinetics = try reader.kinetics(of: id)
    let thresholds = try reader.thresholds(of: id)
    var reportVisits: [PatientVisit] = []
    for v in visits.sorted(by: { ($0.infusion, $0.day) < ($1.infusion, $1.day) }) {
      let a = try reader.analysis(patient: id, visit: v.name)
      reportVisits.append(PatientVisit(analysis: a, day: v.day, qcPlots: qcPlots(v, a)))
    }
    let first = kinetics.first
    var report = PatientReport(
      patientID: id, diagnosis: attributes.diagnosis, product: attributes.product, infusionDates: attributes.infusionDates,
      softwareVersion: softwareVersion, provenance: provenance, notes: kinetics.flatMap(\.notes),
      aplasiaThresholdPerMicroliter: thresholds.aplasia.maxPerMicroliter, visits: reportVisits,
      bCells: first?.bCells ?? BCellCourse.compute([], rule: thresholds.reconstitution), carPerMicroliter: first?.carPerMicroliter,
      carPercentOfCD3: first?.carPercentOfT)
    report.failures = try reader.openFailures(of: id).map(FailedAnalysis.init)
    report.clinical = try clinicalCourse(patient: id, reader: reader)
    return report
  }

  /// The patient's clinical course from the store's current lab values and events under the
  /// store's clinical rules (an empty course when none was imported).
  public static func clinicalCourse(patient id: String, reader: CohortStoreReader) throws(StoreError) -> ClinicalCourse {
    ClinicalCourse.compute(labs: try reader.labValues(of: id).map(\.row), events: try reader.clinicalEvents(of: id).map(\.row),
                           rules: try reader.clinicalRules())
  }
}

extension FailedAnalysis {
  /// A failure the store recorded (``CytoStore/StoredFailure``), as the reports list it.
  public init(_ f: StoredFailure) {
    self.init(patientID: f.patient, infusion: f.infusion, day: f.day, fileName: f.fileName, reason: f.message, code: f.code,
              time: f.failureTime, softwareVersion: f.cytoresetVersion)
  }
}
