import CytoCore

/// Checks on a read workspace that are worth telling a user but do not stop reading.
///
/// Codes (stable, part of the documented output):
/// - `workspace.sample.duplicateName` (warning): two or more samples share a `SampleNode` name;
///   match them by `sampleID`, `$FIL` or the DataSet URI, never by name.
/// - `workspace.sample.countMismatch` (warning): the `$TOT` keyword differs from FlowJo's saved
///   sample count (a subsampled or replaced file, or a stale count).
/// - `workspace.group.unknownSample` (warning): a group lists a `sampleID` that no sample has.
public enum WorkspaceDiagnostics {
  /// The diagnostics of `ws`, in sample then group order.
  public static func check(_ ws: FlowJoWorkspace) -> [Diagnostic] {
    var out: [Diagnostic] = []
    var byName: [String: [SampleID]] = [:]
    for s in ws.samples { byName[s.name, default: []].append(s.id) }
    for s in ws.samples {
      if let ids = byName[s.name], ids.count > 1, ids.first == s.id {
        out.append(Diagnostic(.warning, DiagnosticCode("workspace.sample.duplicateName"),
                              "samples \(ids.map(\.rawValue).joined(separator: ", ")) are all named \"\(s.name)\"",
                              at: SourceLocation(section: "SampleNode (line \(s.line))")))
      }
      if case .events(let n) = s.savedCount, let tot = s.keyword("$TOT"), Int(tot) != n {
        out.append(Diagnostic(.warning, DiagnosticCode("workspace.sample.countMismatch"),
                              "sample \(s.id) \"\(s.name)\": $TOT is \(tot) but FlowJo's count is \(n)",
                              at: SourceLocation(section: "SampleNode (line \(s.line))", keyword: "$TOT")))
      }
    }
    let ids = Set(ws.samples.map(\.id))
    for g in ws.groups {
      for id in g.sampleIDs where !ids.contains(id) {
        out.append(Diagnostic(.warning, DiagnosticCode("workspace.group.unknownSample"),
                              "group \"\(g.name)\" lists sample \(id), which the workspace does not have",
                              at: SourceLocation(section: "GroupNode \(g.name)")))
      }
    }
    return out
  }
}
