import CytoCore
import CytoGating
import CytoWorkspace
import Foundation

/// `workspace info` as text.
enum WorkspaceInfoText {
  typealias D = WorkspaceDescriptions

  static func text(_ ws: FlowJoWorkspace, path: String, files: [(path: String, rule: SampleFileMatch)?]) -> String {
    var out = "\(path): FlowJo \(ws.flowJoVersion ?? "(version not stated)") (workspace version \(ws.version))\n"
    out += "matrices: \(ws.matrices.count)\n"
    for m in ws.matrices {
      out += "  \(D.origin(m.origin)) (\(m.id)): prefix \"\(m.prefix)\", suffix \"\(m.suffix)\", "
        + "\(m.spillover.fluorochromes.count) × \(m.spillover.detectors.count)\(m.isSpectral ? ", spectral" : "")\n"
    }
    out += "groups: \(ws.groups.count)\n"
    for g in ws.groups {
      out += "  \(g.name): \(g.sampleIDs.count) sample(s)\(g.sampleIDs.isEmpty ? "" : " (\(g.sampleIDs.map(\.rawValue).joined(separator: ", ")))"), "
      out += g.template.isEmpty ? "no template\n" : "template:\n" + tree(g.template, indent: 4)
    }
    out += "samples: \(ws.samples.count)\n"
    for (s, file) in zip(ws.samples, files) {
      out += "  sample \(s.id) \"\(s.name)\": \(D.count(s.savedCount)) events (FlowJo)\n"
      out += "    DataSet: \(s.dataSetURI.isEmpty ? "none (FlowJo 9)" : s.dataSetURI)\(s.fil.map { "; $FIL \($0)" } ?? "")\n"
      out += "    FCS file: " + (file.map { "\($0.path) (by \($0.rule.rawValue))" } ?? "not found beside the workspace") + "\n"
      out += "    compensation: " + (s.compensation.map {
        "\(D.origin($0.origin)) (\($0.spillover.detectors.count) channels): \($0.prefix)<channel>\($0.suffix) = <channel> compensated with "
          + ($0.origin == .acquisitionDefined ? "the file's spillover (FlowJo's copy)" : "this matrix")
      } ?? "none") + "\n"
      out += "    transforms: \(s.transforms.count)\n"
      for (name, t) in s.transforms.sorted(by: { $0.key < $1.key }) { out += "      \(name): \(D.transform(t))\n" }
      out += "    populations: \(s.allPopulations.count)\n" + tree(s.populations, indent: 6)
    }
    if !ws.diagnostics.isEmpty {
      out += "diagnostics: \(ws.diagnostics.count)\n" + ws.diagnostics.map { "  \($0)\n" }.joined()
    }
    return out
  }

  static func tree(_ nodes: [PopulationNode], indent: Int) -> String {
    var out = ""
    for n in nodes {
      out += String(repeating: " ", count: indent) + "\(n.name)  \(n.definition.typeName)  \(D.shape(n.definition))  [\(D.count(n.savedCount))]\n"
      out += tree(n.children, indent: indent + 2)
    }
    return out
  }
}

/// `workspace info --json` (schema `cytoreset.workspace-info/1`).
enum WorkspaceInfoJSON {
  typealias D = WorkspaceDescriptions

  static func document(_ ws: FlowJoWorkspace, path: String, files: [(path: String, rule: SampleFileMatch)?]) -> JSONValue {
    .object([
      ("schema", .string("cytoreset.workspace-info/1")), ("workspace", .string(path)), ("version", .string(ws.version)),
      ("flowJoVersion", .optional(ws.flowJoVersion)),
      ("matrices", .array(ws.matrices.map(matrix))),
      ("groups", .array(ws.groups.map { g in
        .object([("name", .string(g.name)), ("sampleIDs", .array(g.sampleIDs.map { .string($0.rawValue) })),
                 ("populations", .array(g.template.map(node)))])
      })),
      ("samples", .array(zip(ws.samples, files).map { s, f in
        .object([
          ("sampleID", .string(s.id.rawValue)), ("name", .string(s.name)), ("dataSetURI", .string(s.dataSetURI)),
          ("fil", .optional(s.fil)), ("file", .optional(f?.path)), ("fileMatchedBy", .optional(f?.rule.rawValue)),
          ("flowjoCount", count(s.savedCount)), ("compensation", .optional(s.compensation?.id)),
          ("populations", .array(s.populations.map(node))),
        ])
      })),
      ("diagnostics", .array(ws.diagnostics.map(\.json))),
    ])
  }

  static func matrix(_ m: WorkspaceMatrix) -> JSONValue {
    let origin: String = m.origin == .acquisitionDefined ? "acquisition-defined" : "workspace"
    return .object([
      ("id", .string(m.id)), ("name", .string(D.origin(m.origin))), ("origin", .string(origin)), ("prefix", .string(m.prefix)),
      ("suffix", .string(m.suffix)), ("spectral", .bool(m.isSpectral)),
      ("detectors", .array(m.spillover.detectors.map { .string($0.rawValue) })),
    ])
  }

  static func count(_ c: SavedCount) -> JSONValue {
    if case .events(let n) = c { return .int(n) }
    return .null
  }

  static func countState(_ c: SavedCount) -> String {
    switch c {
    case .events: "saved"
    case .notComputed: "notComputed"
    case .absent: "absent"
    }
  }

  static func dimension(_ d: WorkspaceDimension) -> JSONValue {
    let (comp, matrix): (String, String?) = switch d.compensation {
    case .uncompensated: ("none", nil)
    case .matrix(let id, _): ("matrix", id)
    case .precompensatedInFile: ("precompensatedInFile", nil)
    case .sampleMatrix: ("sampleMatrix", nil)
    }
    return .object([
      ("parameter", .string(d.parameter)), ("channel", .string(d.channel.rawValue)), ("compensation", .string(comp)),
      ("matrix", .optional(matrix)), ("transform", .optional(d.transform.map(D.transform))),
    ])
  }

  static func node(_ n: PopulationNode) -> JSONValue {
    var fields: [(String, JSONValue)] = [
      ("name", .string(n.name)), ("path", .array(n.path.map { .string($0) })), ("type", .string(n.definition.typeName)),
    ]
    switch n.definition {
    case .gate(let g):
      fields += [
        ("region", .string(g.region == .inside ? "inside" : "outside")), ("gateResolution", g.resolution.map { .int($0) } ?? .null),
        ("dimensions", .array(g.shape.dimensions.map(dimension))), ("dependents", .null),
      ]
    case .boolean(let b):
      fields += [
        ("region", .null), ("gateResolution", .null), ("dimensions", .array([])),
        ("dependents", .array(b.dependents.map { .array($0.map { .string($0) }) })),
      ]
    }
    fields += [
      ("flowjoCount", count(n.savedCount)), ("countState", .string(countState(n.savedCount))),
      ("children", .array(n.children.map(node))),
    ]
    return .object(fields)
  }
}
