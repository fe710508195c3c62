import CytoClinical
import CytoCore
import CytoFCS
import CytoSimulation
import CytoStore
import Foundation

/// Simulated visits of one patient, analysed as `cytoreset analyze --patient` does (pre-infusion
/// visits first; their CAR⁺ % of CD3 is the background of the later ones).
struct SimulatedPatient {
  var patient: String
  var visits: [(path: String, analysis: VisitAnalysis, sha: String)]

  static let tube = TubeSetup(bloodVolumeMicroliters: 50, beadsPerTest: 50_000)

  init(_ patient: String, seed: UInt64, events: Int = 5_000, days: [Int] = PatientCourse.standardDays, in dir: ScratchDirectory,
       cuts: [String: Double] = [:], countMethod: AbsoluteCountMethod? = .singlePlatform(beadsPerTest: tube.beadsPerTest, bloodVolumeMicroliters: tube.bloodVolumeMicroliters)) throws {
    self.patient = patient
    let course = PatientCourse(patient: patient, seed: seed, days: days)
    var analyzer = VisitAnalyzer(panel: try PanelDefinition.reset, countMethod: countMethod, cutOverrides: cuts)
    visits = []
    for sim in try course.visits(events: events, tube: Self.tube).sorted(by: { $0.day! < $1.day! }) {
      let path = dir.path("\(patient)_day\(sim.day!).fcs")
      if !FileManager.default.fileExists(atPath: path) { try FCSWriter.write(try sim.simulate().table, to: path) }
      let ds = try FCSFile(contentsOf: path).dataSet(0)
      let a = try analyzer.analyze(ds, file: path, visit: VisitInfo(patient: patient, day: Double(sim.day!)))
      if sim.day! <= 0, let bg = a.calls.carPercentOfT { analyzer.carBackgroundPercentOfT = bg.value ?? bg.lessThan }
      visits.append((path, a, try SHA256.hash(fileAt: path).hex))
    }
  }

  func submission(_ i: Int, gating: String = "gating-A", events: VisitEvents? = nil, patient attributes: PatientAttributes = PatientAttributes())
    -> VisitSubmission
  {
    let v = visits[i]
    return VisitSubmission(
      analysis: v.analysis,
      provenance: VisitProvenance(fileName: (v.path as NSString).lastPathComponent, fileSHA256: v.sha, gatingHash: gating,
                                  cytoresetVersion: "test", analysisTime: "2026-11-21T00:00:00Z"),
      patient: attributes, thresholds: (try! PanelDefinition.reset).thresholds, events: events)
  }

  var submissions: [VisitSubmission] { visits.indices.map { submission($0) } }
}
