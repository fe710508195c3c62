import ArgumentParser
import CytoClinical
import CytoCore
import CytoFCS
import CytoGating
import CytoReport
import CytoTransforms
import Foundation

/// `cytoreset plot`: a density, dot or histogram plot of one file, with gate outlines.
struct Plot: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Plot a file's events: 2-D density or dot plot with gate outlines and population percentages, or a 1-D histogram.",
    discussion: reflow("""
      Channels are given by $PnN (FSC-A, PE-A) or by marker ($PnS, e.g. CD19 or "CD19 PE").
      With --x alone the plot is a histogram. Values are compensated like the gates drawn on
      them (otherwise with the file's spillover when it covers the channel).

      Gates: with --gating (a Gating-ML 2.0 file) or --panel (the built-in 'reset' panel, or a
      panel JSON file; its cuts are computed for this file), the plot shows the events of
      --population (default: all events) and outlines every child gate drawn on the plotted
      channels, labelled with its % of the population. When --population itself is a gate on
      these channels (and has no child there), its parent is shown with it and its siblings.

      Scales (--transform): logicle (T 262144, W 0.5, M 4.5, A 0), asinh (T 262144, M 4.5),
      linear (0 to $PnR). Default: the transform of the drawn gate, else linear for scatter
      and time channels and logicle for fluorescence. Logicle/asinh axes are labelled at 0 and
      ±10ⁿ; gate outlines follow their own transform into the plot's scale.

      Output by extension: .svg (vector axes and labels, the density embedded as a PNG image)
      or .png (raster, no text: see docs/plots.md).

      EXAMPLES
        cytoreset plot visit.fcs --x FSC-A --y SSC-A -o scatter.svg
        cytoreset plot visit.fcs --x CD19 --y CD3 --panel reset --population /CD45pos/Lymphocytes -o b-t.svg
        cytoreset plot visit.fcs --x IgD --y CD27 --panel reset --population BCells --kind dot -o subsets.png
        cytoreset plot sample.fcs --x PE-A --y APC-A --gating strategy.xml --population /Lymph --transform asinh -o out.svg
        cytoreset plot visit.fcs --x CD19 -o cd19-histogram.svg
      """))

  enum Transform: String, ExpressibleByArgument, CaseIterable { case logicle, asinh, linear }

  @Argument(help: "The FCS file.")
  var file: String

  @Option(help: "x channel: $PnN or marker ($PnS).")
  var x: String

  @Option(help: "y channel: $PnN or marker ($PnS); omit for a histogram of --x.")
  var y: String?

  @Option(help: "A Gating-ML 2.0 strategy whose gates are drawn.")
  var gating: String?

  @Option(help: "Gate with a panel instead: 'reset' (built in) or a panel JSON file.")
  var panel: String?

  @Option(help: "The population whose events are plotted: a path (/CD45pos/Lymphocytes) or a gate id; default all events.")
  var population: String?

  @Option(help: "Axis scale for both axes: logicle, asinh or linear (default: from the gates, else by channel).")
  var transform: Transform?

  @Option(help: "2-D plot kind: density (pseudocolour) or dot.")
  var kind: GatePlotKind = .density

  @Option(help: "Bins per axis (default 256; 512 for dot plots).")
  var bins: Int?

  @Option(name: .shortAndLong, help: "Output file: .svg or .png.")
  var output: String

  @Option(name: .customLong("data-set"), help: "Data set index (0-based) in a $NEXTDATA chain.")
  var dataSet = 0

  func validate() throws {
    if gating != nil && panel != nil { throw ValidationError("choose one of --gating and --panel") }
    if population != nil && gating == nil && panel == nil { throw ValidationError("--population needs --gating or --panel") }
    let ext = (output as NSString).pathExtension.lowercased()
    if ext != "svg" && ext != "png" { throw ValidationError("-o must end in .svg or .png") }
    if let bins, bins < 8 || bins > 4096 { throw ValidationError("--bins must be between 8 and 4096") }
  }

  func run() throws {
    do {
      try make()
    } catch let e as ValidationError {
      throw e
    } catch let e as ExitCode {
      throw e
    } catch {
      printError("cytoreset: \(describe(error, file: file))")
      throw ExitCode(1)
    }
  }

  private func make() throws {
    let ds = try FCSFile(contentsOf: file).dataSet(dataSet)
    let input = try GatingInput(ds)
    let xc = try Self.resolveChannel(x, ds.parameters)
    let yc = try y.map { try Self.resolveChannel($0, ds.parameters) }
    var result: GatingResult? = nil
    if let gating {
      let strategy: GatingStrategy
      do { strategy = try GatingML.read(contentsOf: gating) } catch {
        printError("cytoreset: \(error)")
        throw ExitCode(2)
      }
      result = try GatingEngine.evaluate(strategy, on: input)
    } else if let panel {
      result = try VisitAnalyzer(panel: try PanelDefinition.named(panel)).resolvedStrategy(ds, file: file).result
    }
    for d in result?.diagnostics ?? [] { printError("cytoreset: \(file): \(d.severity.rawValue): \(d.message)") }
    var parent: GateID? = nil
    if let population, let result {
      let s = result.strategy
      let id = Self.findPopulation(population, in: s)
      guard let id else { throw GatePlotter.Error.unknownPopulation(population) }
      parent = id
      // A population that is itself a gate on these channels, with no child there: show its parent.
      if GatePlotter.gates(in: s, parent: id, x: xc, y: yc).isEmpty,
         let g = s.gate(id), !GatePlotter.gates(in: s, parent: g.parent, x: xc, y: yc).filter({ $0.id == g.id }).isEmpty {
        parent = g.parent
      }
    }
    var markers: [ChannelName: String] = [:]
    for p in ds.parameters { if let l = p.label, !l.isEmpty { markers[p.name] = l } }
    func scale(_ c: ChannelName) -> AxisScale? {
      switch transform {
      case .logicle?: .transformed(GatePlotter.standardLogicle, min: 0, max: 1)
      case .asinh?: .transformed(GatePlotter.standardArcsinh, min: 0, max: 1)
      case .linear?: .linear(min: 0, max: ds.parameters.first { $0.name == c }.map { max($0.range, 1) } ?? 262_144)
      case nil: nil
      }
    }
    let plot = try GatePlotter.plot(input: input, result: result, parent: parent, x: xc, y: yc, xScale: scale(xc), yScale: yc.flatMap(scale),
                                    kind: kind, markers: markers, bins: bins ?? (kind == .dot ? 512 : 256),
                                    title: "\((file as NSString).lastPathComponent) — \(parent.flatMap { result?.strategy.path(of: $0)?.description } ?? "all events")")
    let bytes: [UInt8]
    if (output as NSString).pathExtension.lowercased() == "png" {
      bytes = try plot.png()
    } else {
      bytes = Array(try plot.svg().utf8)
    }
    try Data(bytes).write(to: URL(fileURLWithPath: output), options: .atomic)
    let g = plot.grid
    print("\(output): \(groupedCount(g.selectedEvents)) events plotted (\(groupedCount(g.outsideEvents)) off scale), \(plot.overlays.count) gate\(plot.overlays.count == 1 ? "" : "s") drawn")
  }

  private func groupedCount(_ n: Int) -> String { formatBytes(n) }

  /// A population by full path, by a unique trailing part of a path (`/Lymphocytes/BCells`), or
  /// by gate id.
  static func findPopulation(_ text: String, in s: GatingStrategy) -> GateID? {
    if text.hasPrefix("/"), let id = s.population(at: PopulationPath(parsing: text)) { return id }
    if !text.hasPrefix("/"), s.gate(GateID(text)) != nil || s.populations.contains(GateID(text)) { return GateID(text) }
    let tail = PopulationPath(parsing: text).components
    let matches = s.populations.filter { id in
      guard let c = s.path(of: id)?.components, c.count >= tail.count else { return false }
      return Array(c.suffix(tail.count)) == tail
    }
    return matches.count == 1 ? matches[0] : nil
  }

  /// A channel by `$PnN`, else by `$PnS` (whole label, then its first word), ignoring case.
  static func resolveChannel(_ text: String, _ parameters: [FCSParameter]) throws -> ChannelName {
    if let p = parameters.first(where: { $0.name.rawValue == text }) { return p.name }
    let t = text.lowercased()
    if let p = parameters.first(where: { $0.name.rawValue.lowercased() == t }) { return p.name }
    let byLabel = parameters.filter { ($0.label ?? "").lowercased() == t }
    if byLabel.count == 1 { return byLabel[0].name }
    let byWord = parameters.filter { ($0.label ?? "").lowercased().split(separator: " ").first.map(String.init) == t }
    if byWord.count == 1 { return byWord[0].name }
    let known = parameters.map { p in p.label.map { "\(p.name.rawValue) (\($0))" } ?? p.name.rawValue }.joined(separator: ", ")
    if byLabel.count + byWord.count > 1 { throw ValidationError("channel '\(text)' is ambiguous; channels: \(known)") }
    throw ValidationError("no channel '\(text)' ($PnN or $PnS); channels: \(known)")
  }
}

extension GatePlotKind: ExpressibleByArgument {}
