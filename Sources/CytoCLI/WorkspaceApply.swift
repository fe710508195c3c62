import ArgumentParser
import CytoClinical
import CytoCore
import CytoFCS
import CytoGating
import CytoWorkspace
import Foundation

/// `cytoreset workspace apply W.wsp`: counts every population on the samples' FCS files the
/// way FlowJo does (docs/flowjo.md) and compares with FlowJo's saved counts.
struct WorkspaceApply: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "apply",
    abstract: "Apply a FlowJo 9 or 10 workspace to its FCS files; compare counts with FlowJo's saved ones.",
    discussion: reflow("""
      For each sample, finds its FCS file (in --fcs-dir, default the workspace's folder: by the
      DataSet URI's file name, then the sample name, then $FIL), applies the sample's gating
      tree and prints, per population, the path, the count, FlowJo's saved count and the
      difference. --geometry flowjo (default) evaluates polygons and ellipses on FlowJo's
      display grid, the rule measured in docs/flowjo.md that reproduces FlowJo's counts;
      --geometry exact tests them exactly in display space. Rectangles are exact either way.
      A saved count of -1 (never computed) is no reference: its difference is empty (null).
      A sample without an FCS file, a polygon on an axis other than linear or biex, a curly
      quad or a missing channel is an error naming the sample and population; exit code 1.
      FlowJo 9 workspaces store no gateResolution: their polygons and ellipses are counted with
      --geometry exact only, on linear axes (docs/flowjo.md, "FlowJo 9 workspaces").

      EXAMPLES
        cytoreset workspace apply gating.wsp
        cytoreset workspace apply gating.wsp --fcs-dir data/ --geometry exact
        cytoreset workspace apply gating.wsp --format json > counts.json

      JSON (schema "cytoreset.workspace-apply/1", see docs/cli-json.md):
        { "schema", "workspace", "geometry",
          "samples": [ { "sampleID", "name", "file", "events", "populations":
              [ { "path", "type", "count", "flowjoCount", "difference" } ] } ] }
      """))

  enum Format: String, ExpressibleByArgument, CaseIterable { case table, tsv, json }
  enum Geometry: String, ExpressibleByArgument, CaseIterable {
    case flowjo, exact
    var mode: GeometryMode { self == .flowjo ? .flowJo : .exact }
  }

  @Argument(help: "The FlowJo workspace (FlowJo 10 .wsp, FlowJo 9 .xml or .wsp).")
  var workspace: String

  @Option(help: "Folder with the samples' FCS files (default: the workspace's folder).")
  var fcsDir: String?

  @Option(help: "Polygon/ellipse geometry: flowjo (FlowJo's grid rule) or exact.")
  var geometry: Geometry = .flowjo

  @Option(help: "Output format: table, tsv or json.")
  var format: Format = .table

  func run() throws {
    let ws: FlowJoWorkspace
    do { ws = try FlowJoWorkspace(contentsOf: workspace) } catch {
      printError("cytoreset: \(error)")
      throw ExitCode(1)
    }
    let dir = fcsDir.map { URL(fileURLWithPath: $0) } ?? URL(fileURLWithPath: workspace).deletingLastPathComponent()
    var results: [(counts: SampleCounts, file: String)] = []
    do {
      for s in ws.samples {
        guard let f = SampleFileLocator.locate(s, in: dir) else {
          throw WorkspaceCountError(.missingData, "no FCS file for the sample in \(dir.path)", sample: s.name)
        }
        let input = try GatingInput(FCSFile(contentsOf: f.path).dataSets[0])
        results.append((try FlowJoCounter(sample: s, mode: geometry.mode).count(input), f.path))
      }
    } catch {
      printError("cytoreset: \(workspace): \(error)")
      throw ExitCode(1)
    }
    var out = StandardOutput()
    out.write(WorkspaceApplyOutput.render(results, workspace: workspace, geometry: geometry.mode, format: format))
    out.flush()
  }
}

/// The table, TSV and JSON output of `cytoreset workspace apply`.
enum WorkspaceApplyOutput {
  static func render(_ results: [(counts: SampleCounts, file: String)], workspace: String, geometry: GeometryMode,
                     format: WorkspaceApply.Format) -> String {
    let mode = geometry == .flowJo ? "flowjo" : "exact"
    func saved(_ c: SavedCount) -> String { if case .events(let n) = c { "\(n)" } else { "" } }
    func diff(_ p: PopulationCount) -> String { p.difference.map { $0 > 0 ? "+\($0)" : "\($0)" } ?? "" }
    switch format {
    case .json:
      let doc = JSONValue.object([
        ("schema", .string("cytoreset.workspace-apply/1")), ("workspace", .string(workspace)), ("geometry", .string(mode)),
        ("samples", .array(results.map { r in
          .object([
            ("sampleID", .string(r.counts.sample.id.rawValue)), ("name", .string(r.counts.sample.name)),
            ("file", .string(r.file)), ("events", .int(r.counts.eventCount)),
            ("populations", .array(r.counts.populations.map { p in
              .object([
                ("path", .array(p.path.map { .string($0) })), ("type", .string(p.typeName)), ("count", .int(p.count)),
                ("flowjoCount", WorkspaceInfoJSON.count(p.saved)), ("difference", .optional(p.difference)),
              ])
            })),
          ])
        })),
      ])
      return doc.serialized() + "\n"
    case .tsv:
      var s = "sample\tpath\tcount\tflowjo_count\tdifference\n"
      for r in results {
        for p in r.counts.populations {
          s += "\(r.counts.sample.name)\t\(p.path.joined(separator: "/"))\t\(p.count)\t\(saved(p.saved))\t\(diff(p))\n"
        }
      }
      return s
    case .table:
      var s = ""
      for r in results {
        let compared = r.counts.populations.filter { $0.difference != nil }
        let differ = compared.filter { $0.difference != 0 }.count
        s += "sample \(r.counts.sample.id) \"\(r.counts.sample.name)\": \(r.counts.eventCount) events, \(r.file)\n"
        s += "geometry \(mode): \(compared.count) populations with a FlowJo count, \(differ) differ\n"
        let rows = r.counts.populations.map { p in [p.path.joined(separator: "/"), "\(p.count)", saved(p.saved), diff(p)] }
        let header = ["population", "count", "FlowJo", "difference"]
        let widths = (0..<4).map { i in ([header] + rows).map { $0[i].count }.max() ?? 0 }
        for row in [header] + rows {
          s += "  " + row.enumerated().map { i, c in
            i == 0 ? c.padding(toLength: widths[i], withPad: " ", startingAt: 0)
              : String(repeating: " ", count: widths[i] - c.count) + c
          }.joined(separator: "  ") + "\n"
        }
      }
      return s
    }
  }
}
