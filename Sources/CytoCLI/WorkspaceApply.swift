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
      For each sample (all, or those chosen with --sample / --group), finds its FCS file in
      --fcs-dir (default: the workspace's folder) by the DataSet URI's file name, then the
      sample name, then $FIL; applies the sample's own gating tree and prints, per population,
      the count, % of parent, FlowJo's saved count and the difference. It ends with an
      agreement line over the populations FlowJo saved a count for: exact, within 1% of
      FlowJo's count, worse. Saved counts can be stale: -1 (never computed) is no reference and
      is reported as "not computed"; a 0 is compared, and may itself be stale.

      --geometry flowjo (default) evaluates polygons and ellipses on FlowJo's display grid, the
      rule measured in docs/flowjo.md that reproduces FlowJo's counts; --geometry exact tests
      them exactly in display space (polygons also on logicle and fasinh axes, as `workspace
      export` writes them). Rectangles are exact either way. In a workspace `workspace export`
      wrote, the saved counts are CytoReset's (analyze's), not FlowJo's.

      Where FlowJo's grid is not measured (a polygon axis other than linear or biex, or no
      gateResolution as in FlowJo 9), the polygon is tested in exact geometry even under
      --geometry flowjo, and the population is marked (* in the table, "geometry": "exact"
      and the reason in JSON).

      A sample whose FCS file is missing or unreadable, or whose gates cannot be counted (a
      FlowJo 10 ellipse on an unmeasured axis, a FlowJo 9 log axis, a curly quad, a missing
      channel), gets an error entry naming the sample and population; the other samples are
      still counted, and the exit code is 1.

      EXAMPLES
        cytoreset workspace apply gating.wsp
        cytoreset workspace apply gating.wsp --fcs-dir data/ --geometry exact
        cytoreset workspace apply gating.wsp --sample "68983.fcs" --format tsv
        cytoreset workspace apply trial.wsp --group "Patients" --format json > counts.json

      JSON (schema "cytoreset.workspace-counts/1", see docs/cli-json.md):
        { "schema", "workspace", "flowjoVersion", "geometry",
          "samples": [ { "sample", "sampleID", "file", "events", "error",
                         "diagnostics": [ ... ],
                         "populations": [ { "path", "pathList", "gateType", "count",
                            "parentCount", "percentOfParent", "flowjoCount", "difference",
                            "agreement", "geometry", "exactGeometryReason" } ] } ],
          "agreement": { "compared", "exact", "within1Percent", "worse", "notComputed",
                         "exactGeometry" },
          "diagnostics": [ ... ] }
      """))

  enum Format: String, ExpressibleByArgument, CaseIterable { case table, tsv, json }
  typealias Geometry = GeometryOption

  @Argument(help: "The FlowJo workspace (FlowJo 10 .wsp, FlowJo 9 .xml or .wsp).")
  var workspace: String

  @Option(help: "Folder with the samples' FCS files (default: the workspace's folder).")
  var fcsDir: String?

  @Option(name: .customLong("sample"), help: "Only this sample (SampleNode name or sampleID); repeat for several.")
  var samples: [String] = []

  @Option(help: "Only the samples of this group (GroupNode name).")
  var group: String?

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
    let chosen: [WorkspaceSample]
    do { chosen = try WorkspaceSampleSelection(names: samples, group: group).select(from: ws) } catch {
      printError("cytoreset: \(workspace): \(error)")
      throw ExitCode(1)
    }
    let dir = fcsDir.map { URL(fileURLWithPath: $0) } ?? URL(fileURLWithPath: workspace).deletingLastPathComponent()
    let results = chosen.map { WorkspaceSampleResult.count($0, in: dir, mode: geometry.mode) }
    var out = StandardOutput()
    let report = WorkspaceApplyReport(workspace: workspace, flowJoVersion: ws.flowJoVersion, geometry: geometry.mode,
                                      samples: results, diagnostics: ws.diagnostics)
    out.write(report.render(format))
    out.flush()
    for r in results { if let e = r.error { printError("cytoreset: \(workspace): \(e)") } }
    if results.contains(where: { $0.error != nil }) { throw ExitCode(1) }
  }
}

/// Which samples of a workspace `--sample` and `--group` choose.
struct WorkspaceSampleSelection {
  /// Sample names or ids; empty = no restriction.
  var names: [String]
  /// A group name, or `nil`.
  var group: String?

  struct Unknown: Error, CustomStringConvertible {
    var description: String
  }

  /// The chosen samples in workspace order; an unknown name or group is an error listing what exists.
  func select(from ws: FlowJoWorkspace) throws -> [WorkspaceSample] {
    var chosen = ws.samples
    if let group {
      guard let g = ws.groups.first(where: { $0.name == group }) else {
        throw Unknown(description: "no group \"\(group)\"; groups: \(ws.groups.map { "\"\($0.name)\"" }.joined(separator: ", "))")
      }
      let ids = Set(g.sampleIDs)
      chosen = chosen.filter { ids.contains($0.id) }
    }
    if !names.isEmpty {
      for n in names where !ws.samples.contains(where: { $0.name == n || $0.id.rawValue == n }) {
        throw Unknown(description: "no sample named or numbered \"\(n)\"; samples: "
                        + ws.samples.map { "\($0.id) \"\($0.name)\"" }.joined(separator: ", "))
      }
      chosen = chosen.filter { s in names.contains { s.name == $0 || s.id.rawValue == $0 } }
    }
    return chosen
  }
}

/// One sample's outcome: its counts, or the error that stopped them.
struct WorkspaceSampleResult {
  var sample: WorkspaceSample
  /// The FCS file used, when one was found.
  var file: String?
  var counts: SampleCounts?
  var error: WorkspaceCountError?
  /// Checks of the file against the workspace (event count differs from FlowJo's).
  var diagnostics: [Diagnostic] = []

  /// Finds the sample's file in `dir`, reads it and counts its populations; any failure is kept
  /// as the result's error so the other samples still run.
  static func count(_ s: WorkspaceSample, in dir: URL, mode: GeometryMode) -> WorkspaceSampleResult {
    var r = WorkspaceSampleResult(sample: s)
    guard let f = SampleFileLocator.locate(s, in: dir) else {
      let tried = [s.dataSetFileName, s.name, s.fil ?? ""].filter { !$0.isEmpty }.map { "\"\($0)\"" }
      r.error = WorkspaceCountError(.missingData, "no FCS file for the sample in \(dir.path) (tried \(tried.joined(separator: ", ")))",
                                    sample: s.name)
      return r
    }
    r.file = f.path
    let input: GatingInput
    do { input = try GatingInput(FCSFile(contentsOf: f.path).dataSets[0]) } catch {
      r.error = WorkspaceCountError(.missingData, "cannot read \(f.path): \(error)", sample: s.name)
      return r
    }
    if case .events(let n) = s.savedCount, n >= 0, n != input.events.eventCount {
      r.diagnostics.append(Diagnostic(
        .warning, DiagnosticCode("workspace.sample.fileEventCount"),
        "sample \(s.id) \"\(s.name)\": \(f.path) has \(input.events.eventCount) events but FlowJo counted \(n) (another or a subsampled file?)",
        at: SourceLocation(section: "SampleNode (line \(s.line))")))
    }
    do { r.counts = try FlowJoCounter(sample: s, mode: mode).count(input) } catch { r.error = error }
    return r
  }
}
