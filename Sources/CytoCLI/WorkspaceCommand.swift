import ArgumentParser
import CytoCore
import CytoGating
import CytoWorkspace
import Foundation

/// `cytoreset workspace`: FlowJo workspaces.
struct WorkspaceCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "workspace",
    abstract: "Read FlowJo 9 and 10 workspaces (.wsp, FlowJo 9 .xml), apply them to their FCS files, and write the gates `analyze` applies as one.",
    subcommands: [WorkspaceInfo.self, WorkspaceApply.self, WorkspaceExport.self])
}

/// `--geometry flowjo|exact`: how workspace polygons and ellipses are counted (``GeometryMode``).
enum GeometryOption: String, ExpressibleByArgument, CaseIterable {
  case flowjo, exact
  var mode: GeometryMode { self == .flowjo ? .flowJo : .exact }
}

/// `cytoreset workspace info W.wsp`: what a FlowJo workspace holds.
struct WorkspaceInfo: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "info",
    abstract: "Describe a FlowJo 9 or 10 workspace: version, matrices, groups, samples and their gate trees.",
    discussion: reflow("""
      Reads the workspace only (no FCS data). For each sample it says whether its FCS file is
      beside the workspace: by the DataSet URI's file name, then the sample name, then $FIL.
      Each population shows its gate type, dimensions (compensated names resolved to the
      detector and matrix; the sample's transform per dimension), complement
      (eventsInside="0"), gateResolution and FlowJo's saved count ("not computed" for -1).
      A workspace that cannot be read (DTD, malformed XML, unknown gate, derived parameter, ...)
      is an error naming the file, the XML element, the line and the population; exit code 1.

      EXAMPLES
        cytoreset workspace info gating.wsp
        cytoreset workspace info gating.wsp --json > workspace.json

      JSON (schema "cytoreset.workspace-info/1", see docs/cli-json.md):
        { "schema", "workspace", "version", "flowJoVersion",
          "matrices": [ { "id", "name", "origin", "prefix", "suffix", "spectral", "detectors" } ],
          "groups": [ { "name", "sampleIDs", "populations": [node] } ],
          "samples": [ { "sampleID", "name", "dataSetURI", "fil", "file", "fileMatchedBy",
                         "flowjoCount", "compensation", "populations": [node] } ],
          "diagnostics": [ { "severity", "code", "message", "section", "keyword", "byteOffset" } ] }
        node: { "name", "path", "type", "region", "gateResolution", "flowjoCount", "countState",
                "dimensions": [ { "parameter", "channel", "compensation", "matrix", "transform" } ],
                "dependents", "children": [node] }
      """))

  @Argument(help: "The FlowJo workspace (FlowJo 10 .wsp, FlowJo 9 .xml or .wsp).")
  var workspace: String

  @Flag(help: "Print machine-readable JSON instead of text.")
  var json = false

  func run() throws {
    let ws: FlowJoWorkspace
    do { ws = try FlowJoWorkspace(contentsOf: workspace) } catch {
      printError("cytoreset: \(error)")
      throw ExitCode(1)
    }
    let dir = URL(fileURLWithPath: workspace).deletingLastPathComponent()
    let files = ws.samples.map { SampleFileLocator.locate($0, in: dir) }
    var out = StandardOutput()
    if json {
      out.write(WorkspaceInfoJSON.document(ws, path: workspace, files: files).serialized() + "\n")
    } else {
      out.write(WorkspaceInfoText.text(ws, path: workspace, files: files))
    }
    out.flush()
  }
}

/// How a sample's FCS file was found beside the workspace.
enum SampleFileMatch: String {
  case dataSetURI, sampleName = "name", fil = "$FIL"
}

/// Finds a sample's FCS file in a folder: DataSet URI file name, then sample name, then `$FIL`.
enum SampleFileLocator {
  static func locate(_ s: WorkspaceSample, in dir: URL) -> (path: String, rule: SampleFileMatch)? {
    let candidates: [(String?, SampleFileMatch)] = [(s.dataSetFileName, .dataSetURI), (s.name, .sampleName), (s.fil, .fil)]
    for case let (name?, rule) in candidates where !name.isEmpty && !name.contains("/") {
      let p = dir.appendingPathComponent(name).path
      var isDir: ObjCBool = false
      if FileManager.default.fileExists(atPath: p, isDirectory: &isDir), !isDir.boolValue { return (p, rule) }
    }
    return nil
  }
}

/// Short descriptions shared by the text and JSON output.
enum WorkspaceDescriptions {
  static func number(_ d: Double) -> String { d.compactText }

  static func transform(_ t: FlowJoTransform) -> String {
    let n = number
    switch t {
    case .linear(let lo, let hi, let gain): return "linear(\(n(lo))..\(n(hi)), gain \(n(gain)))"
    case .log(let offset, let decades): return "log(offset \(n(offset)), \(n(decades)) decades)"
    case .biex(let b):
      return "biex(width \(n(b.width)), pos \(n(b.pos)), neg \(n(b.neg)), maxRange \(n(b.maxRange))\(b.length.map { ", length \($0)" } ?? ""))"
    case .logicle(let t, let w, let m, let a): return "logicle(T \(n(t)), W \(n(w)), M \(n(m)), A \(n(a)))"
    case .hyperlog(let t, let w, let m, let a): return "hyperlog(T \(n(t)), W \(n(w)), M \(n(m)), A \(n(a)))"
    case .fasinh(let t, let m, let a, let w, _, _): return "fasinh(T \(n(t)), M \(n(m)), A \(n(a)), W \(n(w)))"
    case .flowJo9(let p):
      let range = [p.lowValue, p.highValue].compactMap { $0 }.map(n).joined(separator: "..")
      let table = p.calibration.map { ", calibration table \"\($0.name)\"" } ?? ""
      return "FlowJo 9 \(p.isLog ? "log" : "linear")\(range.isEmpty ? "" : " \(range)")\(table)"
    }
  }

  static func origin(_ o: MatrixOrigin) -> String {
    switch o {
    case .acquisitionDefined: "Acquisition-defined"
    case .workspace(let name): name
    }
  }

  static func count(_ c: SavedCount) -> String {
    switch c {
    case .events(let n): "\(n)"
    case .notComputed: "not computed"
    case .absent: "no count"
    }
  }

  /// The parameter as FlowJo names it; compensated names are explained once per sample.
  static func dimension(_ d: WorkspaceDimension) -> String { d.parameter }

  static func shape(_ d: PopulationDefinition) -> String {
    switch d {
    case .boolean(let b): return b.dependents.map { $0.joined(separator: "/") }.joined(separator: ", ")
    case .gate(let g):
      var parts = [g.shape.dimensions.map(dimension).joined(separator: " × ")]
      switch g.shape {
      case .rectangle(let r):
        parts.append(r.map { "[\($0.min.map(number) ?? "-∞"), \($0.max.map(number) ?? "+∞"))" }.joined(separator: " × "))
      case .polygon(_, _, let v): parts.append("\(v.count) vertices")
      case .ellipse: parts.append("foci + edge in 256-grid units")
      case .antipodalEllipse: parts.append("4 antipodal points in data units")
      case .curlyQuadrant(let q):
        parts.append("Q\(q.quadrant.flowJoNumber) of a curly quad at (\(number(q.intersection.x)), \(number(q.intersection.y)))")
      }
      if let r = g.resolution { parts.append("resolution \(r)") }
      if g.region == .outside { parts.append("complement") }
      return parts.joined(separator: ", ")
    }
  }
}
