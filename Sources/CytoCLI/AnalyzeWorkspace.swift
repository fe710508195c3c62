import ArgumentParser
import CytoClinical
import CytoCore
import CytoFCS
import CytoStore
import CytoWorkspace
import Foundation

/// `analyze --workspace W.wsp --roles …`: a lab's FlowJo workspace as the panel.
struct AnalyzeWorkspaceOptions: ParsableArguments {
  typealias Geometry = GeometryOption

  @Option(help: "A FlowJo workspace (.wsp) to gate with instead of a panel (needs --roles).")
  var workspace: String?

  @Option(help: "With --workspace: ROLE=POPULATION,… (roles: beads, lymphocytes, leukocytes, tCells, bCells, carT, naiveB; a population is a /full/path or a unique name).")
  var roles: String?

  @Option(help: "With --workspace: the group whose template gates files the workspace holds no sample for.")
  var group: String?

  @Option(name: .customLong("geometry"), help: "With --workspace: polygon/ellipse geometry, flowjo (FlowJo's grid rule) or exact.")
  var geometry: Geometry = .flowjo

  func validate(analysis: AnalysisOptions, qc: String?) throws {
    let fromFile = try WorkspacePanel.load(panelOption: analysis.panel)
    guard workspace != nil || fromFile != nil else {
      if roles != nil || group != nil { throw ValidationError("--roles and --group go with --workspace") }
      return
    }
    if fromFile != nil && (workspace != nil || roles != nil || group != nil) {
      throw ValidationError("--panel \(analysis.panel) names the workspace and roles; drop --workspace, --roles and --group")
    }
    if workspace != nil {
      guard let roles else { throw ValidationError("--workspace needs --roles (e.g. --roles lymphocytes=/Lymphocytes,bCells=B cells)") }
      do { _ = try WorkspaceRoleMap(parsing: roles) } catch { throw ValidationError("\(error)") }
    }
    var notApplicable: [String] = []
    if !analysis.cut.isEmpty { notApplicable.append("--cut") }
    if !analysis.gate.isEmpty { notApplicable.append("--gate") }
    if analysis.stats != nil { notApplicable.append("--stats") }
    if workspace != nil && analysis.panel != "reset" { notApplicable.append("--panel") }
    if qc != nil { notApplicable.append("--qc") }
    if !notApplicable.isEmpty {
      throw ValidationError("\(notApplicable.joined(separator: ", ")) do(es) not apply with --workspace: the workspace's gates are used as they are")
    }
  }

  /// The workspace to gate with: from `--workspace`/`--roles`, or from a workspace panel file
  /// given as `--panel`; `nil` when neither.
  func workspacePanel(panelOption: String) throws -> WorkspacePanel? {
    if let path = workspace, let roles {
      return WorkspacePanel(workspace: path, roles: try WorkspaceRoleMap(parsing: roles), group: group, geometry: geometry, sha256: nil)
    }
    return try WorkspacePanel.load(panelOption: panelOption)
  }
}

/// A FlowJo workspace as the panel: the workspace file, the roles, the group whose template
/// gates files the workspace does not hold, the geometry. Given on the command line or as a
/// panel file (`--panel lab.workspace-panel.json`), schema `cytoreset.workspace-panel/1`:
///
///     { "schema": "cytoreset.workspace-panel/1", "workspace": "lab.wsp",
///       "roles": { "lymphocytes": "/Lymphocytes", "bCells": "B cells" },
///       "group": "Patients", "geometry": "flowjo", "sha256": "<optional: refuse another workspace>" }
///
/// `workspace` is relative to the panel file's folder. The store records exactly this document
/// (with `sha256`) as an analysis's panel JSON, so a stored record re-runs the same gating.
struct WorkspacePanel {
  var workspace: String
  var roles: WorkspaceRoleMap
  var group: String?
  var geometry: AnalyzeWorkspaceOptions.Geometry
  /// When given (a panel file), the workspace file must have this SHA-256.
  var sha256: String?

  static let schema = "cytoreset.workspace-panel/1"

  /// The workspace panel in file `option`, or `nil` when `option` is not a JSON file of this schema.
  /// - Throws: `ValidationError` naming the file and key for a malformed one.
  static func load(panelOption option: String) throws -> WorkspacePanel? {
    guard option.hasSuffix(".json"), let data = FileManager.default.contents(atPath: option),
          let obj = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
          obj["schema"] as? String == schema else { return nil }
    let known: Set<String> = ["schema", "workspace", "roles", "group", "geometry", "sha256"]
    if let unknown = obj.keys.sorted().first(where: { !known.contains($0) }) {
      throw ValidationError("\(option): unknown key \"\(unknown)\" (keys: \(known.sorted().joined(separator: ", ")))")
    }
    guard let ws = obj["workspace"] as? String, !ws.isEmpty else { throw ValidationError("\(option): \"workspace\" must name the .wsp file") }
    guard let rolesObj = obj["roles"] as? [String: String], !rolesObj.isEmpty else {
      throw ValidationError("\(option): \"roles\" must be an object of role: population")
    }
    var entries: [(role: ClinicalRole, population: String)] = []
    for key in rolesObj.keys.sorted() {
      guard let role = ClinicalRole(rawValue: key) else {
        throw ValidationError("\(option): roles: unknown role \"\(key)\" (roles: \(ClinicalRole.allCases.map(\.rawValue).joined(separator: ", ")))")
      }
      entries.append((role, rolesObj[key]!))
    }
    entries.sort { a, b in ClinicalRole.allCases.firstIndex(of: a.role)! < ClinicalRole.allCases.firstIndex(of: b.role)! }
    var geometry = AnalyzeWorkspaceOptions.Geometry.flowjo
    if let g = obj["geometry"] {
      guard let name = g as? String, let parsed = AnalyzeWorkspaceOptions.Geometry(rawValue: name) else {
        throw ValidationError("\(option): \"geometry\" is flowjo or exact")
      }
      geometry = parsed
    }
    let dir = (option as NSString).deletingLastPathComponent
    let path = ws.hasPrefix("/") || dir.isEmpty ? ws : (dir as NSString).appendingPathComponent(ws)
    return WorkspacePanel(workspace: path, roles: WorkspaceRoleMap(entries: entries), group: obj["group"] as? String,
                          geometry: geometry, sha256: obj["sha256"] as? String)
  }

  /// Reads the workspace and builds the analyzer; the JSON this panel is recorded as (with the
  /// workspace's SHA-256).
  /// - Throws: `ExitCode(1)` after printing why the workspace cannot be read or is not the one
  ///   `sha256` names.
  func analyzer(countMethod: AbsoluteCountMethod?) throws -> (analyzer: WorkspaceVisitAnalyzer, record: String) {
    let ws: FlowJoWorkspace, sha: String
    do {
      guard let data = FileManager.default.contents(atPath: workspace) else {
        throw WorkspaceError(.unreadable, "cannot read the file", file: workspace)
      }
      ws = try FlowJoWorkspace(data: data, file: workspace)
      sha = SHA256.hash(data).hex
    } catch {
      printError("cytoreset: \(error)")
      throw ExitCode(1)
    }
    if let sha256, sha256.lowercased() != sha {
      printError("cytoreset: \(workspace): SHA-256 \(sha) is not the \(sha256) the workspace panel names (the workspace changed)")
      throw ExitCode(1)
    }
    let analyzer = WorkspaceVisitAnalyzer(workspace: ws, workspaceFile: workspace, workspaceSHA256: sha, roles: roles, group: group,
                                          geometry: geometry.mode, thresholds: ClinicalThresholds(), countMethod: countMethod)
    let record = JSONValue.object([
      ("schema", .string(Self.schema)), ("workspace", .string(workspace)),
      ("roles", .object(roles.entries.map { ($0.role.rawValue, .string($0.population)) })),
      ("group", .optional(group)), ("geometry", .string(geometry.rawValue)), ("sha256", .string(sha)),
    ])
    return (analyzer, record.serialized(pretty: false))
  }
}

extension Analyze {
  /// `analyze` with `--workspace`: every file gated by the workspace, then the same summary,
  /// calls and output as with a panel.
  func runWithWorkspace(_ panel: WorkspacePanel) throws {
    let thresholds = ClinicalThresholds()
    let template = try panel.analyzer(countMethod: analysis.countMethod).analyzer
    let paths = files, days = day, patient = patient, infusion = infusion, dataSet = analysis.dataSet
    var outcomes = Batch.run(Array(files.indices), label: "analyze", events: { $0.events }) { i in
      let ds = try FCSFile(contentsOf: paths[i]).dataSet(dataSet)
      return try template.analyze(ds, file: paths[i],
                                  visit: VisitInfo(patient: patient, day: days.isEmpty ? nil : days[i], infusion: infusion))
    }
    applyCARBackground(to: &outcomes) { background, a in
      var withBackground = template
      withBackground.carBackgroundPercentOfT = background
      return withBackground.applyingCARBackground(to: a)
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
