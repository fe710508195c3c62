import ArgumentParser
import CytoClinical
import CytoCore
import CytoFCS
import CytoGating
import CytoReport
import CytoServe
import CytoStore
import Foundation

/// `cytoreset report`: the patient report and the cohort overview, from the store.
struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Write a patient's longitudinal report, or the cohort overview, as one self-contained HTML file.",
    discussion: reflow("""
      The report reads everything from the store (values, methods, intervals, flags, cuts,
      diagnostics; kinetics recomputed from the stored series). Gating QC plots need the
      events: give --fcs-dir with the visits' FCS files (found by the file name stored at
      ingest); each visit is re-gated with the cuts stored with its analysis, so the plots
      show exactly the gates that produced the numbers.

      --all writes the cohort overview to -o and, beside it, <patient>.html for every patient
      (the overview links to them). --cohort writes only the overview (with the same links), so a
      workflow can run one report job per patient (--patient) and one for the cohort.

      Files that could not be analysed (the store's open failures: `analyze --on-failure record`
      merged by `ingest --analyses`, or a file `ingest` could not analyse) are listed in the
      overview under "Analyses that failed" (patient, infusion, day, file, reason, code, when,
      software) and in the patient's report; a failure stops being listed once its visit is
      stored.

      The HTML has no scripts and fetches nothing; every text from a file or a user is escaped.

      EXAMPLES
        cytoreset report --store cohort.h5 --patient P01 -o P01.html
        cytoreset report --store cohort.h5 --patient P01 --fcs-dir visits/P01 -o P01.html
        cytoreset report --store cohort.h5 --all -o reports/cohort.html --fcs-dir visits
        cytoreset report --store cohort.h5 --cohort -o reports/cohort.html
      """))

  @Option(help: "The cohort store (HDF5).")
  var store: String

  @Option(help: "The patient to report.")
  var patient: String?

  @Flag(help: "Write the cohort overview (to -o) and every patient's report beside it.")
  var all = false

  @Flag(help: "Write only the cohort overview (to -o), linking to <patient>.html beside it.")
  var cohort = false

  @Option(name: .shortAndLong, help: "Output HTML file.")
  var output: String

  @Option(name: .customLong("fcs-dir"), help: "Directory with the visits' FCS files (searched recursively) for gating QC plots.")
  var fcsDirectory: String?

  @Option(help: "Panel the visits were analysed with, for re-gating the QC plots: 'reset' or a panel JSON file.")
  var panel = "reset"

  func validate() throws {
    if [patient != nil, cohort, all].filter({ $0 }).count != 1 { throw ValidationError("give one of --patient ID, --cohort or --all") }
  }

  func run() throws {
    let reader = try openStore(store)
    let panelDefinition: PanelDefinition
    do { panelDefinition = try PanelDefinition.named(panel) } catch {
      printError("cytoreset: \(error)")
      throw ExitCode(2)
    }
    let files = fcsDirectory.map(Self.index) ?? [:]
    if let patient {
      let r = try patientReport(patient, reader: reader, panel: panelDefinition, files: files)
      try write(PatientReportRenderer.html(r), to: output)
      print("wrote \(output)")
      return
    }
    let dir = (output as NSString).deletingLastPathComponent
    var rows: [CohortReport.Patient] = []
    let ids = try readStore { () throws(StoreError) in try reader.patientIDs() }
    for (i, id) in ids.enumerated() {
      // --cohort: the overview's values only (no QC plots, no patient file written).
      let r = try patientReport(id, reader: reader, panel: panelDefinition, files: cohort ? [:] : files)
      let name = Self.fileName(for: id)
      if all { try write(PatientReportRenderer.html(r), to: dir.isEmpty ? name : (dir as NSString).appendingPathComponent(name)) }
      let peak = r.carPerMicroliter
      rows.append(CohortReport.Patient(patientID: id, diagnosis: r.diagnosis, lastDay: r.visits.map(\.day).max(), bCells: r.bCells,
                                       carPeakPerMicroliter: peak?.cmax, carPeakDay: peak?.tmax, reportFile: name, clinical: r.clinical))
      printError("[\(i + 1)/\(ids.count)] \(id): \(r.visits.count) visits")
    }
    var overview = CohortReport(patients: rows, softwareVersion: CytoResetVersion.current, provenance: provenance(reader))
    overview.failures = try readStore { () throws(StoreError) in try reader.openFailures() }.map(FailedAnalysis.init)
    try write(CohortReportRenderer.html(overview), to: output)
    print(all ? "wrote \(output) and \(ids.count) patient reports beside it" : "wrote \(output)")
  }

  /// A file name for a patient id that is safe on every file system.
  static func fileName(for id: String) -> String {
    String(id.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }) + ".html"
  }

  /// File name → path for every `.fcs` under `dir`.
  static func index(_ dir: String) -> [String: String] {
    var out: [String: String] = [:]
    guard let e = FileManager.default.enumerator(atPath: dir) else { return out }
    while let rel = e.nextObject() as? String {
      if rel.lowercased().hasSuffix(".fcs") { out[(rel as NSString).lastPathComponent] = (dir as NSString).appendingPathComponent(rel) }
    }
    return out
  }

  func provenance(_ reader: CohortStoreReader) -> String {
    "store \(store) (schema \(reader.schemaVersion)); generated by CytoReset \(CytoResetVersion.current)"
  }

  func write(_ html: String, to path: String) throws {
    do { try Data(html.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
      printError("cytoreset: \(path): cannot write the report: \(error.localizedDescription)")
      throw ExitCode(1)
    }
  }

  /// The report assembly shared with the review server (``PatientReportAssembly``), with the
  /// gating QC plots of every visit whose FCS file is in `files`.
  func patientReport(_ id: String, reader: CohortStoreReader, panel: PanelDefinition, files: [String: String]) throws -> PatientReport {
    try readStore { () throws(StoreError) in
      try PatientReportAssembly.report(patient: id, reader: reader, softwareVersion: CytoResetVersion.current, provenance: provenance(reader)) {
        v, a in qcPlots(id, visit: v, analysis: a, panel: panel, files: files)
      }
    }
  }

  /// A visit's QC plots, or none with a message on standard error saying why.
  func qcPlots(_ id: String, visit v: StoredVisit, analysis a: VisitAnalysis, panel: PanelDefinition, files: [String: String]) -> [QCPlot] {
    if let ws = a.workspace {
      // The gates are the lab's FlowJo workspace's, not a panel's: re-gating with a panel
      // would draw gates this analysis did not use.
      if !files.isEmpty {
        printError("cytoreset: \(id) day \(v.day.compactText): no QC plots: gated by FlowJo workspace \(ws.file) (\(ws.gatesFrom) \(ws.sample)); review its gates in FlowJo or with `cytoreset workspace apply`")
      }
    } else if let path = files[v.fileName] ?? files[(a.file as NSString).lastPathComponent] {
      do { return try qcPlots(path, analysis: a, panel: panel) } catch {
        printError("cytoreset: \(id) day \(v.day.compactText): no QC plots: \(describe(error, file: path))")
      }
    }
    return []
  }

  /// Re-gates the visit's file with the gates recorded in its analysis (or, for analyses
  /// stored before the gates were recorded, with its panel and stored cuts) and draws them.
  func qcPlots(_ path: String, analysis a: VisitAnalysis, panel: PanelDefinition) throws -> [QCPlot] {
    let ds = try FCSFile(contentsOf: path).dataSet(a.dataSet)
    let input = try GatingInput(ds)
    let result: GatingResult
    if let strategy = try a.recordedStrategy() {
      result = try GatingEngine.evaluate(strategy, on: input)
    } else {
      var overrides: [String: Double] = [:]
      for c in a.cuts where panel.cuts.contains(where: { $0.name == c.name }) { overrides[c.name] = c.value }
      result = try VisitAnalyzer(panel: panel, cutOverrides: overrides).resolvedStrategy(ds, file: path).result
    }
    var markers: [ChannelName: String] = [:]
    for m in a.markers { markers[m.channel] = m.marker }
    return try GatePlotter.qcPlots(input: input, result: result, markers: markers, size: 200, bins: 96).map {
      QCPlot(caption: $0.title, svg: try $0.svg())
    }
  }

}
