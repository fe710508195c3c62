import ArgumentParser
import CytoClinical
import CytoCore
import CytoFCS
import CytoStore
import CytoWorkspace
import Foundation

/// `ingest --workspace`: the workspace read once, its analyzer, and what the store records
/// in place of a panel's JSON.
struct WorkspaceIngest: Sendable {
  var analyzer: WorkspaceVisitAnalyzer
  /// `{"workspace": …, "sha256": …, "roles": …, "group": …, "geometry": …}`, stored as the
  /// analysis's panel JSON (provenance) and hashed into the gating hash.
  var recordJSON: String

  init(options: AnalyzeWorkspaceOptions, analysis: AnalysisOptions) throws {
    guard let path = options.workspace, let roles = options.roles else { throw ValidationError("--workspace needs --roles") }
    let data: Data, ws: FlowJoWorkspace
    do {
      guard let d = FileManager.default.contents(atPath: path) else { throw WorkspaceError(.unreadable, "cannot read the file", file: path) }
      data = d
      ws = try FlowJoWorkspace(data: d, file: path)
    } catch {
      printError("cytoreset: \(error)")
      throw ExitCode(1)
    }
    let sha = SHA256.hash(data).hex
    analyzer = WorkspaceVisitAnalyzer(workspace: ws, workspaceFile: path, workspaceSHA256: sha, roles: try WorkspaceRoleMap(parsing: roles),
                                      group: options.group, geometry: options.geometry.mode, thresholds: ClinicalThresholds())
    let record = JSONValue.object([
      ("schema", .string("cytoreset.workspace-panel/1")), ("workspace", .string(path)), ("sha256", .string(sha)),
      ("roles", .string(roles)), ("group", .optional(options.group)), ("geometry", .string(options.geometry.rawValue)),
    ])
    recordJSON = record.serialized(pretty: false)
  }
}

extension Ingest {
  /// One visit's submission gated by the workspace (no CAR background yet: the caller applies it).
  func analyse(_ job: Job, workspace: WorkspaceIngest) throws -> VisitSubmission {
    let sha = try SHA256.hash(fileAt: job.path).hex
    let ds = try FCSFile(contentsOf: job.path).dataSet(analysis.dataSet)
    var analyzer = workspace.analyzer
    analyzer.countMethod = job.method
    let analysis = try analyzer.analyze(ds, file: job.path, visit: VisitInfo(patient: job.patient, day: job.day, infusion: job.infusion))
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys]
    let used = (try? e.encode(analysis.workspace)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    let provenance = VisitProvenance(
      fileName: (job.path as NSString).lastPathComponent, fileSHA256: sha,
      gatingHash: SHA256.hash(text: workspace.recordJSON + "\n--workspace--\n" + used).hex,
      cytoresetVersion: CytoResetVersion.current, analysisTime: Self.now(), analystNote: job.note, collectionDate: job.collectionDate,
      panelJSON: workspace.recordJSON, statistics: [])
    return VisitSubmission(
      analysis: analysis, provenance: provenance,
      patient: PatientAttributes(diagnosis: diagnosis, product: product, infusionDates: infusionDate, age: age, sex: sex),
      thresholds: analyzer.thresholds, events: nil)
  }
}
