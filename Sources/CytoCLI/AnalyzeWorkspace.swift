import ArgumentParser
import CytoClinical
import CytoCore
import CytoFCS
import CytoStore
import CytoWorkspace
import Foundation

/// `analyze --workspace W.wsp --roles …`: a lab's FlowJo workspace as the panel.
struct AnalyzeWorkspaceOptions: ParsableArguments {
  enum Geometry: String, ExpressibleByArgument, CaseIterable {
    case flowjo, exact
    var mode: GeometryMode { self == .flowjo ? .flowJo : .exact }
  }

  @Option(help: "A FlowJo workspace (.wsp) to gate with instead of a panel (needs --roles).")
  var workspace: String?

  @Option(help: "With --workspace: ROLE=POPULATION,… (roles: beads, lymphocytes, leukocytes, tCells, bCells, carT, naiveB; a population is a /full/path or a unique name).")
  var roles: String?

  @Option(help: "With --workspace: the group whose template gates files the workspace holds no sample for.")
  var group: String?

  @Option(name: .customLong("geometry"), help: "With --workspace: polygon/ellipse geometry, flowjo (FlowJo's grid rule) or exact.")
  var geometry: Geometry = .flowjo

  func validate(analysis: AnalysisOptions, qc: String?) throws {
    guard workspace != nil else {
      if roles != nil || group != nil { throw ValidationError("--roles and --group go with --workspace") }
      return
    }
    guard let roles else { throw ValidationError("--workspace needs --roles (e.g. --roles lymphocytes=/Lymphocytes,bCells=B cells)") }
    do { _ = try WorkspaceRoleMap(parsing: roles) } catch { throw ValidationError("\(error)") }
    var notApplicable: [String] = []
    if !analysis.cut.isEmpty { notApplicable.append("--cut") }
    if !analysis.gate.isEmpty { notApplicable.append("--gate") }
    if analysis.stats != nil { notApplicable.append("--stats") }
    if analysis.panel != "reset" { notApplicable.append("--panel") }
    if qc != nil { notApplicable.append("--qc") }
    if !notApplicable.isEmpty {
      throw ValidationError("\(notApplicable.joined(separator: ", ")) do(es) not apply with --workspace: the workspace's gates are used as they are")
    }
  }
}

extension Analyze {
  /// `analyze` with `--workspace`: every file gated by the workspace, then the same summary,
  /// calls and output as with a panel.
  func runWithWorkspace() throws {
    let w = workspaceOptions
    guard let path = w.workspace, let rolesText = w.roles else { return }
    let ws: FlowJoWorkspace
    let bytes: Data
    do {
      guard let data = FileManager.default.contents(atPath: path) else {
        throw WorkspaceError(.unreadable, "cannot read the file", file: path)
      }
      bytes = data
      ws = try FlowJoWorkspace(data: data, file: path)
    } catch {
      printError("cytoreset: \(error)")
      throw ExitCode(1)
    }
    let thresholds = ClinicalThresholds()
    let template = WorkspaceVisitAnalyzer(workspace: ws, workspaceFile: path, workspaceSHA256: SHA256.hash(bytes).hex,
                                          roles: try WorkspaceRoleMap(parsing: rolesText), group: w.group,
                                          geometry: w.geometry.mode, thresholds: thresholds, countMethod: analysis.countMethod)
    let paths = files, days = day, patient = patient, infusion = infusion, dataSet = analysis.dataSet
    var outcomes = Batch.run(Array(files.indices), label: "analyze", events: { $0.events }) { i in
      let ds = try FCSFile(contentsOf: paths[i]).dataSet(dataSet)
      return try template.analyze(ds, file: paths[i],
                                  visit: VisitInfo(patient: patient, day: days.isEmpty ? nil : days[i], infusion: infusion))
    }
    // The last pre-infusion visit's CAR⁺ % of CD3 is the later visits' detectability background.
    let pre = days.isEmpty ? [] : files.indices.filter { days[$0] <= 0 }
    if let last = pre.max(by: { days[$0] < days[$1] }), case .success(let a)? = outcomes[last], let bg = a.calls.carPercentOfT {
      var withBackground = template
      withBackground.carBackgroundPercentOfT = bg.value ?? bg.upper95
      for i in files.indices where !pre.contains(i) {
        if case .success(let a)? = outcomes[i] { outcomes[i] = .success(withBackground.applyingCARBackground(to: a)) }
      }
    }
    try report(outcomes, thresholds: thresholds) { analyses in
      var reports: [ReportedPopulation] = []
      for a in analyses {
        for p in a.populations where !reports.contains(where: { $0.population == p.id }) {
          reports.append(ReportedPopulation(population: p.id, label: p.label))
        }
      }
      return AnalyzeOutput.tsv(analyses, reports: reports, cutNames: [])
    }
  }
}
