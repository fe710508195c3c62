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
  /// The workspace panel document (schema `cytoreset.workspace-panel/1`, with the workspace's
  /// SHA-256), stored as the analysis's panel JSON and hashed into the gating hash: given back
  /// as `--panel`, it re-runs the same gating and refuses an edited workspace.
  var recordJSON: String

  init(_ panel: WorkspacePanel) throws {
    (analyzer, recordJSON) = try panel.analyzer(countMethod: nil)
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
