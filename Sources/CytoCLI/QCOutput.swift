import CytoClinical
import CytoCore
import CytoReport
import Foundation

/// `analyze --qc DIR`: one SVG per file with every gate drawn on its parent's events and the
/// evidence behind it.
enum QCOutput {
  static func write(_ a: VisitAnalysis, resolved: VisitAnalyzer.ResolvedPanel, to dir: String) throws {
    var markers: [ChannelName: String] = [:]
    for m in a.markers { markers[m.channel] = m.marker }
    let plots = try GatePlotter.qcPlots(input: resolved.input, result: resolved.result, markers: markers, size: 210, bins: 128)
    var lines = ["panel \(a.panel) v\(a.panelVersion); \(a.events) events; instrument: \(a.gating.map { "\($0.instrument.kind.rawValue) (\($0.instrument.reason))" } ?? "")"]
    if let g = a.gating {
      lines.append("scales: " + g.scales.map { "\($0.marker) \($0.kind.rawValue)\($0.W.map { " W \(String(format: "%.2f", $0))" } ?? "")" }.joined(separator: ", "))
      for gate in g.gates {
        let count = gate.evidence?["events"].map { " — \(Int($0)) of \(Int(gate.evidence?["parentEvents"] ?? 0))" } ?? ""
        lines.append("\(gate.id) [\(gate.status.rawValue)\(gate.rule.map { ", \($0)" } ?? "")]\(count): \(gate.note ?? "")")
      }
    }
    for c in a.cuts {
      var line = "cut \(c.name) = \(String(format: "%.3f", c.value)) [\(c.method.rawValue)]: \(c.note ?? "")"
      if let t = c.tried, !t.isEmpty, c.method != .fallback { line += " (tried first: \(t.joined(separator: "; ")))" }
      lines.append(line)
    }
    let name = URL(fileURLWithPath: a.file).lastPathComponent
    let svg = try QCSheet.svg(title: "\(name): gates", lines: lines, plots: plots)
    try Data(svg.utf8).write(to: URL(fileURLWithPath: dir).appendingPathComponent(name + ".qc.svg"), options: .atomic)
  }
}
