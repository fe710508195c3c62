import ArgumentParser
import CytoClinical
import CytoCore
import CytoFCS
import CytoGating
import CytoWorkspace
import Foundation

/// `cytoreset workspace export FILE… -o W.wsp`: the gates `analyze` applied to each file, as a
/// FlowJo 10 workspace to review in FlowJo (docs/flowjo.md, "Writing workspaces").
struct WorkspaceExport: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Write a FlowJo 10 workspace of the gates `analyze` applies to each file.",
    discussion: reflow("""
      Analyses each file exactly as `cytoreset analyze` does with the same --panel, --cut,
      --gate and --data-set and writes one FlowJo sample per file: its DataSet URI
      (the file's absolute path), its keywords, its spillover as FlowJo's Acquisition-defined
      matrix (prefix Comp-), one display transform per gated parameter (logicle, fasinh or
      linear over 0..$PnR) and every population `analyze` gated, named by its id, so a
      population's path in FlowJo is its path in `analyze --format json`. Rectangles and
      quadrants (4 rectangles) have their bounds in data units, placed where the analysis'
      transform crosses its display bound; polygons have their vertices in data units under
      the same transform, so their edges are straight in FlowJo's display as in the analysis.
      The count of every population is CytoReset's: `cytoreset workspace apply W.wsp
      --geometry exact` compares against it and reproduces it. With --geometry flowjo, FlowJo's
      grid rule applies to polygons on linear axes and polygons on logicle or fasinh axes are
      refused (the grid is not measured there).

      The workspace is written only when every file is analysed and can be written: a file
      that cannot be read or analysed, or a gate FlowJo 10 cannot state exactly, is an error
      naming the file (and population); nothing is written and the exit code is 1. The file
      is written atomically (a temporary file in the same folder, synced, then renamed).

      EXAMPLES
        cytoreset workspace export visit.fcs -o visit.wsp
        cytoreset workspace export d*.fcs --panel auto -o review.wsp
        cytoreset workspace export visit.fcs --cut CD19=0.42 -o visit.wsp
        cytoreset workspace apply visit.wsp --geometry exact
      """))

  @Argument(help: "FCS files.")
  var files: [String]

  @Option(help: "Panel: a built-in panel (reset, bcell, tbnk, cart, massbcell), 'auto' (chosen per file) or a panel JSON file, as for analyze.")
  var panel = "reset"

  @Option(help: "Override a cut: NAME=VALUE in the display units the analysis records for its marker (repeatable), as for analyze.")
  var cut: [String] = []

  @Option(help: "Override a gate: ID='x1,y1 x2,y2 …' or ID=MIN:MAX in display units (repeatable), as for analyze.")
  var gate: [String] = []

  @Option(name: .customLong("data-set"), help: "Data set index (0-based) in a $NEXTDATA chain.")
  var dataSet = 0

  @Option(name: .shortAndLong, help: "The workspace to write (.wsp).")
  var output: String

  /// The options `analyze` gates with (absolute counts and statistics do not change a gate).
  func analysisOptions() throws -> AnalysisOptions {
    var options = try AnalysisOptions.parse(cut.flatMap { ["--cut", $0] } + gate.flatMap { ["--gate", $0] } + ["--data-set", String(dataSet)])
    options.panel = panel
    return options
  }

  func validate() throws {
    do { _ = try analysisOptions() } catch { throw ValidationError(AnalysisOptions.message(for: error)) }
  }

  func run() throws {
    let analysis = try analysisOptions()
    let choice = try analysis.loadPanel()
    let template = VisitAnalyzer(panel: choice.candidates[0], cutOverrides: try analysis.overrides(), gateOverrides: try analysis.gateOverrides())
    let paths = files, dataSet = analysis.dataSet
    let outcomes = Batch.run(Array(files.indices), label: "export", events: { (s: ExportedFile) in s.sample.eventCount }) { i in
      let ds = try FCSFile(contentsOf: paths[i]).dataSet(dataSet)
      let (panel, note) = try choice.panel(for: ds, file: paths[i])
      var analyzer = template
      analyzer.panel = panel
      var (a, resolved) = try analyzer.analyzeResolving(ds, file: paths[i])
      if let note { a.diagnostics.insert(note, at: 0) }
      let sample = WorkspaceExportSample(file: paths[i], dataSet: ds, input: resolved.input, result: resolved.result)
      return ExportedFile(sample: sample, diagnostics: a.diagnostics)
    }
    var samples: [WorkspaceExportSample] = []
    var failed = false
    for i in files.indices {
      switch outcomes[i]! {
      case .success(let f):
        for d in f.diagnostics where d.severity >= .warning || d.code == .clinicalPanelChosen {
          printError("cytoreset: \(files[i]): \(d.severity.rawValue): \(d.message)")
        }
        samples.append(f.sample)
      case .failure(let e):
        printError("cytoreset: \(describe(e, file: files[i]))")
        failed = true
      }
    }
    if failed {
      printError("cytoreset: \(output) not written: every file must be analysed")
      throw ExitCode(1)
    }
    do { try WorkspaceWriter.write(samples, to: output) } catch {
      printError("cytoreset: \(output) not written: \(error)")
      throw ExitCode(1)
    }
    let populations = samples.map(\.strategy.populations.count).reduce(0, +)
    print("wrote \(output): \(samples.count) sample(s), \(populations) population(s)")
  }
}

/// One analysed file, ready to write.
struct ExportedFile: Sendable {
  var sample: WorkspaceExportSample
  var diagnostics: [Diagnostic]
}
