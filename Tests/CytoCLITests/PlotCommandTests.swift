import CytoFCS
import CytoSimulation
import CytoTestSupport
import Foundation
import Testing

@Suite("cytoreset plot")
struct PlotCommandTests {
  /// A simulated reset-panel file in a fresh directory.
  static func simulatedFile() throws -> (dir: URL, path: String) {
    let dir = try CLIRunner.temporaryDirectory()
    let (table, _) = try SampleSimulator(events: 20_000, seed: 31).simulate()
    let path = dir.appendingPathComponent("visit.fcs").path
    try Data(try FCSWriter.encode(table)).write(to: URL(fileURLWithPath: path))
    return (dir, path)
  }

  @Test func densityPlotWithPanelGatesAsSVG() throws {
    let (dir, fcs) = try Self.simulatedFile()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("b-t.svg").path
    // B cells are gated from the CD3- lymphocytes (NonT) on CD19.
    let r = try CLIRunner.run(["plot", fcs, "--x", "CD19", "--y", "CD3", "--panel", "reset", "--population", "NonT", "-o", out])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("1 gate drawn"), "\(r.stdout)")
    let svg = try String(contentsOfFile: out, encoding: .utf8)
    #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
    #expect(svg.contains("data:image/png;base64,"))
    // Axes labelled with marker and channel, logicle decades.
    #expect(svg.contains("CD19 PE (PE-A)") && svg.contains("CD3 FITC (FITC-A)"))
    #expect(svg.contains(">10³</text>") && svg.contains(">0</text>"))
    // Gate labels with their % of the population.
    #expect(svg.range(of: #"CD19\+ B cells[^<]* \d+\.\d%"#, options: .regularExpression) != nil)
  }

  @Test func dotPlotAsPNGAndHistogram() throws {
    let (dir, fcs) = try Self.simulatedFile()
    defer { try? FileManager.default.removeItem(at: dir) }
    let png = dir.appendingPathComponent("subsets.png").path
    let r = try CLIRunner.run(["plot", fcs, "--x", "IgD", "--y", "CD27", "--panel", "reset", "--population", "BCells", "--kind", "dot", "-o", png])
    #expect(r.status == 0, "\(r.stderr)")
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: png)))
    #expect(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    #expect(String(decoding: bytes[12..<16], as: UTF8.self) == "IHDR")

    let hist = dir.appendingPathComponent("h.svg").path
    let h = try CLIRunner.run(["plot", fcs, "--x", "FSC-A", "--transform", "linear", "-o", hist])
    #expect(h.status == 0, "\(h.stderr)")
    let svg = try String(contentsOfFile: hist, encoding: .utf8)
    #expect(!svg.contains("<image") && svg.contains("<path") && svg.contains(">events</text>"))
    #expect(svg.contains(">250K</text>"))
  }

  @Test func usageErrors() throws {
    let (dir, fcs) = try Self.simulatedFile()
    defer { try? FileManager.default.removeItem(at: dir) }
    let bad = try CLIRunner.run(["plot", fcs, "--x", "NOPE", "-o", dir.appendingPathComponent("x.svg").path])
    #expect(bad.status == 2)
    #expect(bad.stderr.contains("no channel 'NOPE'"))
    let ext = try CLIRunner.run(["plot", fcs, "--x", "CD19", "-o", "x.pdf"])
    #expect(ext.status == 2)
    let pop = try CLIRunner.run(["plot", fcs, "--x", "CD19", "--y", "CD3", "--panel", "reset", "--population", "Nope", "-o",
                                 dir.appendingPathComponent("y.svg").path])
    #expect(pop.status == 1)
    #expect(pop.stderr.contains("no population 'Nope'"))
  }

  @Test func helpHasExamples() throws {
    let r = try CLIRunner.run(["plot", "--help"])
    #expect(r.status == 0)
    #expect(r.stdout.contains("EXAMPLES") && r.stdout.contains("cytoreset plot visit.fcs --x FSC-A --y SSC-A -o scatter.svg"))
  }
}
