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
