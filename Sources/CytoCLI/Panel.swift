import ArgumentParser
import CytoClinical
import CytoCore
import CytoFCS
import CytoGating
import Foundation

/// `cytoreset panel`: show and export panels.
struct PanelCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "panel",
    abstract: "Show a panel, or export it as panel JSON or as Gating-ML 2.0 for one file.",
    discussion: reflow("""
      A panel names markers, not channels. As Gating-ML it needs a file: the markers are
      resolved to that file's channels and the cuts computed on its events (exactly what
      `analyze` gates with), so the Gating-ML opens in FlowKit or any Gating-ML tool.

      EXAMPLES
        cytoreset panel show
        cytoreset panel export reset -o lab.panel.json
        cytoreset panel export reset --format gatingml --file visit.fcs -o visit-strategy.xml
        cytoreset panel show lab.panel.json
      """),
    subcommands: [Show.self, ExportPanel.self])

  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a panel's markers, cuts, gates and thresholds.")
    @Argument(help: "'reset' or a panel JSON file.")
    var panel = "reset"

    func run() throws {
      let p: PanelDefinition
      do { p = try PanelDefinition.named(panel) } catch {
        printError("cytoreset: \(error)")
        throw ExitCode(2)
      }
      var s = "\(p.name) v\(p.version): \(p.title)\n\nMarkers (matched on $PnS aliases, then $PnN):\n"
      s += table([["marker", "aliases", "transform"]] + p.markers.map {
        [$0.marker + ($0.isOptional ? " (optional)" : ""), $0.channel.map { "channel \($0)" } ?? $0.aliases.joined(separator: ", "),
         $0.transform ?? "linear"]
      }, indent: "  ")
      s += "\nCuts (display units):\n"
      s += table([["cut", "marker", "mode", "value", "computed on"]] + p.cuts.map {
        [$0.name, $0.marker, $0.mode.rawValue + ($0.mode == .valley ? " in \($0.searchMin!.compactText)…\($0.searchMax!.compactText)" : ""),
         $0.value.compactText + ($0.mode == .valley ? " (fallback)" : ""), $0.population ?? ""]
      }, indent: "  ")
      s += "\nPopulations:\n"
      func children(of parent: String?, depth: Int) {
        for g in p.gates where g.parent == parent {
          if g.kind == .quadrant {
            s += String(repeating: "  ", count: depth + 1) + "\(g.id) (quadrants)\n"
            for q in g.quadrants ?? [] {
              s += String(repeating: "  ", count: depth + 2) + "\(q.id)  \(q.label ?? "")\n"
              children(of: q.id, depth: depth + 2)
            }
          } else {
            s += String(repeating: "  ", count: depth + 1) + "\(g.id)  \(g.label ?? "")\n"
            children(of: g.id, depth: depth + 1)
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
      print(s, terminator: "")
    }
  }

  struct ExportPanel: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Write a panel as panel JSON, or as Gating-ML 2.0 for one file.")
    enum Format: String, ExpressibleByArgument, CaseIterable { case json, gatingml }

    @Argument(help: "'reset' or a panel JSON file.")
    var panel = "reset"

    @Option(help: "json (the editable panel) or gatingml (needs --file).")
    var format: Format = .json

    @Option(help: "The FCS file whose channels and events the Gating-ML is resolved against.")
    var file: String?

    @Option(help: "Override a cut: NAME=VALUE (repeatable).")
    var cut: [String] = []

    @Option(name: .shortAndLong, help: "Output file (default: standard output).")
    var output: String?

    func validate() throws {
      if format == .gatingml && file == nil { throw ValidationError("--format gatingml needs --file (the channels and cuts come from a sample)") }
      if format == .json && file != nil { throw ValidationError("--file applies to --format gatingml only") }
    }

    func run() throws {
      let p: PanelDefinition
      do { p = try PanelDefinition.named(panel) } catch {
        printError("cytoreset: \(error)")
        throw ExitCode(2)
      }
      let data: Data
      switch format {
      case .json:
        data = try p.jsonData() + Data("\n".utf8)
      case .gatingml:
        var overrides: [String: Double] = [:]
        for c in cut {
          let parts = c.split(separator: "=", maxSplits: 1).map(String.init)
          guard parts.count == 2, let v = Double(parts[1]) else { throw ValidationError("--cut takes NAME=VALUE, got '\(c)'") }
          overrides[parts[0]] = v
        }
        do {
          let ds = try FCSFile(contentsOf: file!).dataSet(0)
          let resolved = try VisitAnalyzer(panel: p, cutOverrides: overrides).resolvedStrategy(ds, file: file!)
          data = Data(try GatingML.write(resolved.strategy).utf8)
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
