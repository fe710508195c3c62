import CytoClinical
import CytoCore
import CytoFCS
import CytoGating
import CytoSimulation
import CytoTestSupport
import CytoWorkspace
import Foundation
import Testing

/// `WorkspaceWriter`: the gates `analyze` applied, written as a FlowJo 10 workspace, read back
/// by CytoReset's own reader and counted with `FlowJoCounter(mode: .exact)` give the analysis'
/// counts for every population — on a simulated reset-panel file and on the real files.
@Suite("FlowJo workspace export")
struct WorkspaceExportTests {
  struct RoundTrip {
    var populations: Int
    var xml: String
  }

  /// Analyses `file` (the reset panel, or the panel `--panel auto` chooses), writes the
  /// workspace, reads it back and checks every population's exact-geometry count against the
  /// analysis, and the saved counts too.
  static func roundTrip(_ file: String, auto: Bool) throws -> RoundTrip {
    let ds = try FCSFile(contentsOf: file).dataSet(0)
    let panel = auto ? try PanelSelection.choose(among: try PanelLibrary.all(), dataSet: ds, file: file).panel : try PanelDefinition.reset
    let resolved = try VisitAnalyzer(panel: panel).resolvedStrategy(ds, file: file)
    let sample = WorkspaceExportSample(file: file, dataSet: ds, input: resolved.input, result: resolved.result)
    let xml = try WorkspaceWriter.document([sample])
    let ws = try FlowJoWorkspace(data: Data(xml.utf8), file: "export.wsp")
    let back = try #require(ws.samples.first)
    #expect(back.name == URL(fileURLWithPath: file).lastPathComponent)
    #expect(back.dataSetFileName == URL(fileURLWithPath: file).lastPathComponent)
    #expect(back.savedCount == .events(ds.eventCount))
    #expect(back.keyword("$TOT") == String(ds.eventCount))
    if let spill = resolved.input.fileSpillover {
      #expect(back.compensation?.spillover == spill && back.compensation?.origin == .acquisitionDefined)
    }
    let counts = try FlowJoCounter(sample: back, mode: .exact).count(resolved.input)
    let strategy = resolved.strategy
    #expect(counts.populations.count == strategy.populations.count)
    for id in strategy.populations {
      let path = try #require(strategy.path(of: id)).components
      let p = try #require(counts.populations.first { $0.path == path }, "\(file): \(path) not in the workspace")
      let ours = try #require(resolved.result.count(id))
      #expect(p.count == ours, "\(file): \(path.joined(separator: "/")): workspace \(p.count), analysis \(ours)")
      #expect(p.saved == .events(ours))
    }
    return RoundTrip(populations: strategy.populations.count, xml: xml)
  }

  @Test func simulatedResetPanelFileReadsBackWithTheAnalysisCounts() throws {
    let dir = try CLIRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    var c = SampleComposition()
    c.carPercentOfT = 5
    let (table, _) = try SampleSimulator(composition: c, events: 40_000, seed: 101).simulate()
    let fcs = dir.appendingPathComponent("reset visit.fcs").path
    try FCSWriter.write(table, to: fcs)
    let r = try Self.roundTrip(fcs, auto: false)
    #expect(r.populations >= 20)
    // Polygons on logicle axes, the quadrant as rectangles, compensated names.
    #expect(r.xml.contains("<gating:PolygonGate") && r.xml.contains("<transforms:logicle") && r.xml.contains("Comp-"))
    #expect(r.xml.contains("file://") && r.xml.contains("reset%20visit.fcs"))
  }

  /// The real files of ../shared/testdata (realdata and FlowSOM's 68983) with `--panel auto`.
  static var realFiles: [String] {
    guard TestData.sharedAvailable, let root = TestData.shared("realdata") else { return [] }
    let fm = FileManager.default
    var out: [String] = []
    for dir in ((try? fm.contentsOfDirectory(atPath: root.path)) ?? []).sorted() {
      let d = root.appendingPathComponent(dir).path
      for f in ((try? fm.contentsOfDirectory(atPath: d)) ?? []).sorted() where f.hasSuffix(".fcs") { out.append(d + "/" + f) }
    }
    if let f = TestData.shared("flowjo/flowsom_68983/68983.fcs") { out.append(f.path) }
    return out
  }

  @Test func realFilesReadBackWithTheAnalysisCounts() throws {
    let files = Self.realFiles
    guard !files.isEmpty else {
      if TestData.isCI { Issue.record("../shared/testdata is required under CI") }
      return
    }
    var exported = 0, populations = 0
    for f in files {
      // A file `analyze --panel auto` cannot analyse is not exported either (the CLI test
      // checks that error); every file it analyses must export and read back.
      let ds = try FCSFile(contentsOf: f).dataSet(0)
      guard (try? PanelSelection.choose(among: try PanelLibrary.all(), dataSet: ds, file: f)) != nil else {
        print("not analysed by --panel auto: \(f)")
        continue
      }
      populations += try Self.roundTrip(f, auto: true).populations
      exported += 1
    }
    print("workspace export: \(exported) real files, \(populations) populations, exact counts equal the analysis")
    #expect(exported >= 10)
  }
}
