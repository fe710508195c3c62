import CytoCore
import CytoFCS
import CytoGating
import CytoWorkspace
import Foundation

/// A clinical role a gated population can play (the fields of ``PopulationRoles``).
public enum ClinicalRole: String, CaseIterable, Sendable, Codable {
  case beads, lymphocytes, leukocytes, tCells, bCells, carT, naiveB
}

/// Which workspace population plays each role, as the user wrote it: a full path from the
/// sample root (`/Lymphocytes/Singlets/B cells`) or, without the leading `/`, a name or trailing
/// path that must match exactly one population (`B cells`, `NK1_1-/B cells`).
public struct WorkspaceRoleMap: Sendable, Equatable {
  /// Role → population, in the order given.
  public var entries: [(role: ClinicalRole, population: String)]

  public static func == (a: Self, b: Self) -> Bool {
    a.entries.map(\.role) == b.entries.map(\.role) && a.entries.map(\.population) == b.entries.map(\.population)
  }

  /// The given entries, in order.
  public init(entries: [(role: ClinicalRole, population: String)]) { self.entries = entries }

  /// Parses `role=population,role=population…`. A comma starts a new entry only when a role name
  /// and `=` follow it, so population names may contain commas.
  /// - Throws: ``ClinicalError/invalidRoles(_:)`` naming the bad entry and the known roles.
  public init(parsing text: String) throws {
    let names = ClinicalRole.allCases.map(\.rawValue)
    var starts: [String.Index] = [text.startIndex]
    var i = text.startIndex
    while let comma = text[i...].firstIndex(of: ",") {
      let next = text.index(after: comma)
      if names.contains(where: { text[next...].hasPrefix($0 + "=") }) { starts.append(next) }
      i = next
    }
    var entries: [(ClinicalRole, String)] = []
    for (k, s) in starts.enumerated() {
      var end = k + 1 < starts.count ? text.index(before: starts[k + 1]) : text.endIndex
      if end < s { end = s }
      let part = text[s..<end]
      guard let eq = part.firstIndex(of: "="), let role = ClinicalRole(rawValue: String(part[..<eq])) else {
        throw ClinicalError.invalidRoles("'\(part)' is not ROLE=POPULATION (roles: \(names.joined(separator: ", ")))")
      }
      let population = String(part[part.index(after: eq)...])
      guard !population.isEmpty else { throw ClinicalError.invalidRoles("role \(role.rawValue) names no population") }
      if entries.contains(where: { $0.0 == role }) { throw ClinicalError.invalidRoles("role \(role.rawValue) is given twice") }
      entries.append((role, population))
    }
    self.entries = entries
  }

  /// The population path each role names in `sample`'s tree, and the roles whose population
  /// this tree lacks (a sample-specific tree: an aplastic visit without B-cell subsets).
  /// - Throws: ``ClinicalError/invalidRoles(_:)`` when a population is ambiguous, or is found in
  ///   none of `others` either (a misspelt role, not a missing gate).
  public func resolve(in sample: WorkspaceSample, others: [[CytoWorkspace.PopulationPath]] = [])
    throws -> (paths: [ClinicalRole: CytoWorkspace.PopulationPath], missing: [ClinicalRole]) {
    let all = sample.allPopulations.map(\.path)
    var out: [ClinicalRole: CytoWorkspace.PopulationPath] = [:], missing: [ClinicalRole] = []
    for (role, spec) in entries {
      let matches = Self.matches(spec, in: all)
      if matches.count == 1 {
        out[role] = matches[0]
        continue
      }
      if matches.isEmpty, others.contains(where: { !Self.matches(spec, in: $0).isEmpty }) {
        missing.append(role)
        continue
      }
      let known = all.map { "/" + $0.joined(separator: "/") }.joined(separator: ", ")
      throw ClinicalError.invalidRoles(matches.isEmpty
        ? "role \(role.rawValue): no population \"\(spec)\" in sample \"\(sample.name)\" nor elsewhere in the workspace (populations: \(known))"
        : "role \(role.rawValue): \"\(spec)\" matches \(matches.count) populations (\(matches.map { "/" + $0.joined(separator: "/") }.joined(separator: ", "))); give the full path")
    }
    return (out, missing)
  }

  /// The paths in `all` a role's population spec names: the exact path for `/a/b`, else every
  /// path ending with the given names.
  static func matches(_ spec: String, in all: [CytoWorkspace.PopulationPath]) -> [CytoWorkspace.PopulationPath] {
    if spec.hasPrefix("/") {
      let path = spec.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map(String.init)
      return all.filter { $0 == path }
    }
    let tail = spec.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    return all.filter { $0.count >= tail.count && Array($0.suffix(tail.count)) == tail }
  }
}

/// Where an analysis's gates came from when a FlowJo workspace was the panel (recorded in the
/// analysis; JSON `workspace`).
public struct WorkspaceProvenance: Codable, Sendable, Equatable {
  /// The workspace file as given.
  public var file: String
  /// SHA-256 of the workspace file's bytes, hex.
  public var sha256: String
  /// `sample` (the file is a sample of the workspace: its own gates) or `groupTemplate`.
  public var gatesFrom: String
  /// The workspace sample's name and id, or the group whose template was applied.
  public var sample: String
  /// `flowjo` (FlowJo's display-grid rule for polygons and ellipses) or `exact`.
  public var geometry: String
  /// Role → population path used (`/Lymphocytes/B cells`).
  public var roles: [String: String]
}

/// Analyses FCS files with a lab's FlowJo workspace as the panel: each file is gated with its
/// own sample's gates when the workspace holds it (matched by the DataSet URI's file name, the
/// sample name or `$FIL`), otherwise with the template of ``group``; populations are counted as
/// FlowJo counts them (``FlowJoCounter``); then absolute counts, LLOQ and calls as with a
/// built-in panel (``VisitSummary``). Every population of the tree is reported, by path.
public struct WorkspaceVisitAnalyzer: Sendable {
  public var workspace: FlowJoWorkspace
  /// Provenance fields: the file as given and its SHA-256.
  public var workspaceFile: String
  public var workspaceSHA256: String
  public var roles: WorkspaceRoleMap
  /// The group whose template gates files the workspace does not hold.
  public var group: String?
  public var geometry: GeometryMode
  public var thresholds: ClinicalThresholds
  public var countMethod: AbsoluteCountMethod?
  public var carBackgroundPercentOfT: Double?

  public init(workspace: FlowJoWorkspace, workspaceFile: String, workspaceSHA256: String, roles: WorkspaceRoleMap,
              group: String? = nil, geometry: GeometryMode = .flowJo, thresholds: ClinicalThresholds = ClinicalThresholds(),
              countMethod: AbsoluteCountMethod? = nil, carBackgroundPercentOfT: Double? = nil) {
    self.workspace = workspace
    self.workspaceFile = workspaceFile
    self.workspaceSHA256 = workspaceSHA256
    self.roles = roles
    self.group = group
    self.geometry = geometry
    self.thresholds = thresholds
    self.countMethod = countMethod
    self.carBackgroundPercentOfT = carBackgroundPercentOfT
  }

  /// The workspace sample that gates `file`: its own, or the group template.
  /// - Throws: ``ClinicalError/workspaceSample(file:detail:)``, ``WorkspaceError``.
  public func sample(for file: String, fileSpillover: SpilloverMatrix?) throws -> (sample: WorkspaceSample, fromTemplate: Bool) {
    let base = URL(fileURLWithPath: file).lastPathComponent
    let own = workspace.samples.filter { $0.dataSetFileName == base || $0.name == base || $0.fil == base }
    if own.count > 1 {
      throw ClinicalError.workspaceSample(file: file, detail: "\(own.count) samples of the workspace match \(base) (\(own.map { "\($0.id) \"\($0.name)\"" }.joined(separator: ", ")))")
    }
    if let s = own.first { return (s, false) }
    guard let group else {
      throw ClinicalError.workspaceSample(file: file, detail: "the workspace has no sample for \(base) (samples: \(workspace.samples.map { "\"\($0.name)\"" }.joined(separator: ", "))); give --group to gate it with a group's template")
    }
    guard let g = workspace.groups.first(where: { $0.name == group }) else {
      throw ClinicalError.workspaceSample(file: file, detail: "no group \"\(group)\" (groups: \(workspace.groups.map { "\"\($0.name)\"" }.joined(separator: ", ")))")
    }
    guard !g.template.isEmpty else {
      throw ClinicalError.workspaceSample(file: file, detail: "group \"\(group)\" has no gates in its template")
    }
    return (try WorkspaceSample(template: g, of: workspace, name: base, fileSpillover: fileSpillover), true)
  }

  /// Analyses one data set read from `file`.
  public func analyze(_ dataSet: FCSDataSet, file: String, visit: VisitInfo = VisitInfo()) throws -> VisitAnalysis {
    try countMethod?.validate()
    let input = try GatingInput(dataSet)
    let (sample, fromTemplate) = try sample(for: file, fileSpillover: input.fileSpillover)
    let others = workspace.samples.map { $0.allPopulations.map(\.path) } + workspace.groups.map { $0.template.flatMap(\.flattened).map(\.path) }
    let (rolePaths, missingRoles) = try roles.resolve(in: sample, others: others)
    let counted = try FlowJoCounter(sample: sample, mode: geometry).count(input)
    func id(_ p: CytoWorkspace.PopulationPath) -> String { "/" + p.joined(separator: "/") }
    var counts: [String: Int] = [:], parents: [String: String] = [:], paths: [String: String] = [:]
    for p in counted.populations {
      counts[id(p.path)] = p.count
      paths[id(p.path)] = id(p.path)
      if p.path.count > 1 { parents[id(p.path)] = id(Array(p.path.dropLast())) }
    }
    let table = PopulationCounts(eventCount: counted.eventCount, counts: counts, parents: parents, paths: paths)
    func role(_ r: ClinicalRole) -> String? { rolePaths[r].map(id) }
    let populationRoles = PopulationRoles(beads: role(.beads), lymphocytes: role(.lymphocytes), leukocytes: role(.leukocytes),
                                          tCells: role(.tCells), bCells: role(.bCells), carT: role(.carT), naiveB: role(.naiveB))
    let report = counted.populations.map { ReportedPopulation(population: id($0.path), label: $0.path.last ?? "") }
    var diagnostics: [Diagnostic] = []
    for r in missingRoles {
      let spec = roles.entries.first { $0.role == r }?.population ?? ""
      diagnostics.append(Diagnostic(.warning, DiagnosticCode("clinical.workspaceRoleMissing"),
                                    "role \(r.rawValue): this sample's tree has no \"\(spec)\" (other samples of the workspace do): not measured in this file",
                                    at: SourceLocation(file: file)))
    }
    for p in counted.populations {
      guard let why = p.exactGeometryReason else { continue }
      diagnostics.append(Diagnostic(.note, DiagnosticCode("clinical.workspaceExactGeometry"),
                                    "\(id(p.path)): \(why)", at: SourceLocation(file: file)))
    }
    if fromTemplate {
      diagnostics.append(Diagnostic(.note, DiagnosticCode("clinical.workspaceTemplate"),
                                    "gated with the template of group \"\(group ?? "")\" (the workspace has no sample for this file)",
                                    at: SourceLocation(file: file)))
    }
    let summary = VisitSummary(report: report, roles: populationRoles, thresholds: thresholds, countMethod: countMethod,
                               carBackgroundPercentOfT: carBackgroundPercentOfT)
    var a = try summary.analysis(table, statistics: [:], file: file, visit: visit, diagnostics: diagnostics)
    a.dataSet = dataSet.index
    a.panel = "workspace:" + URL(fileURLWithPath: workspaceFile).lastPathComponent
    a.panelVersion = "sha256:" + workspaceSHA256
    a.workspace = WorkspaceProvenance(
      file: workspaceFile, sha256: workspaceSHA256, gatesFrom: fromTemplate ? "groupTemplate" : "sample",
      sample: fromTemplate ? "group \(group ?? "")" : "\(sample.id) \(sample.name)", geometry: geometry == .flowJo ? "flowjo" : "exact",
      roles: Dictionary(uniqueKeysWithValues: rolePaths.map { ($0.key.rawValue, id($0.value)) }))
    return a
  }

  /// ``analyze(_:file:visit:)`` with its CAR T call made against ``carBackgroundPercentOfT``.
  public func applyingCARBackground(to analysis: VisitAnalysis) -> VisitAnalysis {
    analysis.applyingCARBackground(carBackgroundPercentOfT, thresholds: thresholds)
  }
}
