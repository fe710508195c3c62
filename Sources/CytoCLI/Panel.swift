import ArgumentParser
import CytoClinical
import CytoCore
import CytoFCS
import CytoGating
import Foundation

/// `cytoreset panel`: list, show and export panels.
struct PanelCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "panel",
    abstract: "List the built-in panels, show one, or export it as panel JSON or as Gating-ML 2.0 for one file.",
    discussion: reflow("""
      A panel names markers, not channels, and says how each population is found in a file's
      own events (density valleys, negative references, 2-D clusters, singlet bands), never at
      fixed coordinates. As Gating-ML it needs a file: the markers are resolved to that file's
      channels and every gate is found in its events — exactly what `analyze` gates with — so
      the Gating-ML opens in FlowKit or any Gating-ML tool and `gate` with it gives the same
      counts.

      EXAMPLES
        cytoreset panel list
        cytoreset panel list --file visit.fcs
        cytoreset panel show bcell
        cytoreset panel export reset -o lab.panel.json
        cytoreset panel export auto --format gatingml --file visit.fcs -o visit-strategy.xml
        cytoreset panel show lab.panel.json
      """),
    subcommands: [List.self, Show.self, ExportPanel.self])

  static func load(_ name: String) throws -> PanelDefinition {
    do { return try PanelDefinition.named(name) } catch {
      printError("cytoreset: \(error)")
      throw ExitCode(2)
    }
  }

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "The built-in panels (name, populations, title); with --file, what each can report from that file.",
      discussion: "Output is TSV: name, reportable (with --file) or populations, markers found (with --file), title.")
    @Option(help: "An FCS file: rank the panels as `--panel auto` does for it.")
    var file: String?

    func run() throws {
      let panels = try PanelLibrary.all()
      guard let file else {
        print("name\tpopulations\ttitle")
        for p in panels { print("\(p.name)\t\(p.report.count)\t\(p.title)") }
        return
      }
      let ds: FCSDataSet
      do { ds = try FCSFile(contentsOf: file).dataSet(0) } catch {
        printError("cytoreset: \(describe(error, file: file))")
        throw ExitCode(1)
      }
      print("name\treportable\tmarkers_found\tnot_reportable")
      for p in panels {
        let found = (try? MarkerResolver.resolveAvailable(p.markers, parameters: ds.parameters, file: file)) ?? [:]
        let fit = PanelFit.evaluate(p, present: Set(found.keys))
        print("\(p.name)\t\(fit.reportable.count)\t\(p.markers.count - fit.missingMarkers.count)/\(p.markers.count)\t"
          + fit.unreportable.keys.sorted().joined(separator: ","))
      }
      do {
        let c = try PanelSelection.choose(among: panels, dataSet: ds, file: file)
        printError("auto: \(c.reason)")
      } catch {
        printError("auto: \(error)")
      }
    }
  }

  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a panel's strategy: markers, cuts, populations and thresholds.")
    @Argument(help: "A built-in panel name or a panel JSON file.")
    var panel = "reset"

    func run() throws {
      print(Self.describe(try PanelCommand.load(panel)), terminator: "")
    }

    static func describe(_ p: PanelDefinition) -> String {
      var s = "\(p.name) v\(p.version): \(p.title)\n"
      if let d = p.description { s += "\n" + reflow(d) + "\n" }
      s += "\nMarkers (matched on $PnS aliases, then $PnN):\n"
      s += table([["marker", "kind", "aliases"]] + p.markers.map {
        [$0.marker, $0.isScatter ? "scatter" : "marker", $0.channel.map { "channel \($0)" } ?? $0.aliases.joined(separator: ", ")]
      }, indent: "  ")
      s += "\nCuts (found in each file, methods tried in order):\n"
      s += table([["cut", "marker", "in", "methods", "fallback (data units)"]] + p.cuts.map { c in
        [c.name, c.marker, c.population, c.methods.map(methodText).joined(separator: ", "), c.fallback?.compactText ?? "none"]
      }, indent: "  ")
      s += "\nPopulations:\n"
      func children(of parent: String?, depth: Int) {
        for e in p.populations where e.parent == parent {
          let pad = String(repeating: "  ", count: depth + 1)
          let rules = e.gate.map(ruleText).joined(separator: "; else ")
          let missing = e.whenMissing == .skip ? " [skipped without its markers]" : ""
          if e.populationIDs != [e.id] {
            s += pad + "\(e.id): \(rules)\(missing)\n"
            for q in e.populationIDs { s += pad + "  \(q)\n"; children(of: q, depth: depth + 2) }
          } else {
            s += pad + "\(e.id)  \(e.label ?? ""): \(rules)\(missing)\n"
            children(of: e.id, depth: depth + 1)
          }
        }
      }
      children(of: nil, depth: 0)
      let t = p.thresholds
      s += "\nThresholds:\n"
      s += "  LLOQ: \(t.lloq.events) events (minEvents \(t.lloq.minEvents), maxCV \(t.lloq.maxCV.map { "\($0 * 100)%" } ?? "none"))\n"
      s += "  aplasia: CD19+ ≤ \(t.aplasia.maxPerMicroliter?.compactText ?? "—") cells/µL \(t.aplasia.combine == .all ? "and" : "or") ≤ "
        + "\(t.aplasia.maxPercentOfLymphocytes?.compactText ?? "—")% of lymphocytes\n"
      s += "  reconstitution: \(t.reconstitution.confirmOnNextVisit ? "confirmed on the next visit" : "first non-aplastic visit")\n"
      s += "  predominantly naive: ≥ \(t.naive.minPercentOfB.compactText)% of B cells\n"
      s += "  CAR T detectable: ≥ LLOQ and lower 95% bound > background (\(t.carT.backgroundPercentOfT.compactText)% of CD3 unless a pre-infusion visit gives it)\n"
      s += "  AUC window: days \(t.kinetics.aucStartDay.compactText)–\(t.kinetics.aucEndDay.compactText)\n"
      if let src = p.sources, !src.isEmpty { s += "\nSources:\n" + src.map { "  - \($0)\n" }.joined() }
      return s
    }

    static func methodText(_ m: CutMethod) -> String {
      switch m {
      case .valley(let v):
        switch v.pick {
        case .largest: "valley"
        case .aboveLowest: "valley above the lowest mode"
        case .belowHighest: "valley below the highest mode"
        }
      case .reference(let r): "\(r.side == .above ? "upper" : "lower") edge of \(r.population) (k \(r.k.compactText))"
      case .mixture(let m): "two-Gaussian mixture (D ≥ \(m.minSeparation.compactText))"
      case .peakEdge(let e): "\(e.side == .above ? "upper" : "lower") edge of the \(e.mode.rawValue) peak (k \(e.k.compactText))"
      }
    }

    static func ruleText(_ g: GateRule) -> String {
      switch g {
      case .scatterCells(let r): "cells on \(r.fsc)/\(r.ssc)"
      case .singlets(let r): "singlets on \(r.pairs.map { $0.joined(separator: "/") }.joined(separator: " or "))"
      case .dnaCells(let r): "cells on \(r.dna.joined(separator: "/"))\(r.length.map { " and \($0)" } ?? "")"
      case .threshold(let r):
        r.terms.map { "\($0.marker)\($0.side == .above ? "+" : "−")\($0.ifPresent == true ? " (if present)" : "")" }.joined(separator: " ")
      case .cluster(let r): "cluster on \(r.x.marker)/\(r.y.marker)\(r.y.scale == .log ? " (log)" : "")"
      case .quadrant(let r): "quadrants \(r.x.marker)/\(r.y.marker)"
      case .beads(let r): "beads in \(r.markers.joined(separator: ", "))"
      }
    }
  }

  struct ExportPanel: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Write a panel as panel JSON, or as Gating-ML 2.0 for one file.")
    enum Format: String, ExpressibleByArgument, CaseIterable { case json, gatingml }

    @Argument(help: "A built-in panel name, a panel JSON file, or 'auto' (with --file).")
    var panel = "reset"

    @Option(help: "json (the editable panel) or gatingml (needs --file).")
    var format: Format = .json

    @Option(help: "The FCS file whose channels and events the Gating-ML is found in.")
    var file: String?

    @Option(help: "Override a cut: NAME=VALUE (repeatable).")
    var cut: [String] = []

    @Option(help: "Override a gate: ID='x1,y1 x2,y2 …' or ID=MIN:MAX (repeatable).")
    var gate: [String] = []

    @Option(name: .shortAndLong, help: "Output file (default: standard output).")
    var output: String?

    func validate() throws {
      if format == .gatingml && file == nil { throw ValidationError("--format gatingml needs --file (the channels and gates come from a sample)") }
      if format == .json && file != nil { throw ValidationError("--file applies to --format gatingml only") }
      if panel == "auto" && file == nil { throw ValidationError("'auto' chooses a panel for a file: give --format gatingml --file FCS") }
    }

    func run() throws {
      var options = try AnalysisOptions.parse(["--panel", panel] + cut.flatMap { ["--cut", $0] } + gate.flatMap { ["--gate", $0] })
      options.panel = panel
      let choice = try options.loadPanel()
      let data: Data
      switch format {
      case .json:
        guard case .fixed(let p) = choice else { throw ValidationError("'auto' exports Gating-ML for a file only") }
        data = try p.jsonData() + Data("\n".utf8)
      case .gatingml:
        do {
          let ds = try FCSFile(contentsOf: file!).dataSet(0)
          let (p, note) = try choice.panel(for: ds, file: file!)
          if let note { printError("cytoreset: \(note.message)") }
          let resolved = try VisitAnalyzer(panel: p, cutOverrides: try options.overrides(), gateOverrides: try options.gateOverrides())
            .resolvedStrategy(ds, file: file!)
          data = Data(try GatingML.write(resolved.strategy).utf8)
        } catch let e as ExitCode {
          throw e
        } catch {
          printError("cytoreset: \(describe(error, file: file!))")
          throw ExitCode(1)
        }
      }
      if let output {
        try data.write(to: URL(fileURLWithPath: output), options: .atomic)
      } else {
        FileHandle.standardOutput.write(data)
      }
    }
  }
}
