import CytoClinical
import CytoCore
import CytoFCS
import CytoGating
import CytoSimulation
import CytoTestSupport
import Foundation
import Testing

/// `VisitAnalyzer.analyze` without statistics never holds the file whole (issue #17): the gates
/// are found in a sample read event by event, and the strategy is counted chunk by chunk. Its
/// analysis must be the one the whole-file path (`analyzeResolving`) gives, value for value.
@Suite struct CountingAnalysisTests {
  /// A simulated file above the sampling limit, written to disk so it is memory-mapped and its
  /// pages are released behind the reading, analysed both ways.
  @Test(arguments: [(events: 300_001, seed: UInt64(5)), (events: 140_000, seed: UInt64(9))])
  func countingEqualsWholeFileOnSimulatedFiles(_ s: (events: Int, seed: UInt64)) throws {
    let (table, _) = try SampleSimulator(events: s.events, seed: s.seed).simulate()
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("counting-\(UUID().uuidString).fcs")
    defer { try? FileManager.default.removeItem(at: url) }
    try FCSWriter.write(table, to: url.path)
    for analyzer in [VisitAnalyzer(panel: try PanelDefinition.reset, countMethod: .singlePlatform(beadsPerTest: 50_000, bloodVolumeMicroliters: 50)),
                     VisitAnalyzer(panel: try PanelDefinition.reset, countMethod: .dualPlatform(lymphocytesPerMicroliter: 1400),
                                   cutOverrides: ["CD19": 0.9])] {
      let ds = try FCSFile(contentsOf: url.path).dataSets[0]
      // The simulated tube may hold a few events more or fewer than asked.
      let n = ds.eventCount
      #expect(abs(n - s.events) < 100)
      let whole = try analyzer.analyzeResolving(ds, file: "sim.fcs", visit: VisitInfo(patient: "P", day: 14)).analysis
      var progress: [Int] = []
      let counted = try analyzer.analyze(try FCSFile(contentsOf: url.path).dataSets[0], file: "sim.fcs", visit: VisitInfo(patient: "P", day: 14),
                                         progress: { progress.append($0) })
      #expect(counted == whole)
      #expect(progress.last == n && progress == progress.sorted())
      #expect(counted.events == n && counted.populations.contains { $0.id == "TCells" && $0.count > 1000 })
      #expect((counted.gating?.sample != nil) == (n > GatingSample.limit))
    }
  }

  /// With statistics the values are needed: `analyze` gives the whole-file analysis with them.
  @Test func statisticsUseTheWholeFile() throws {
    let (table, _) = try SampleSimulator(events: 30_000, seed: 3).simulate()
    let ds = try FCSFile(bytes: try FCSWriter.encode(table), path: "s.fcs").dataSets[0]
    let analyzer = VisitAnalyzer(panel: try PanelDefinition.reset, statistics: [.median, .mean])
    let a = try analyzer.analyze(ds, file: "s.fcs")
    #expect(a == (try analyzer.analyzeResolving(ds, file: "s.fcs").analysis))
    #expect(a.population("BCells")?.statistics?["CD19"]?["median"] != nil)
  }

  /// Every real file of the shared set, with the panel `--panel auto` picks: the counting path
  /// and the whole-file path give the same analysis.
  @Test(arguments: RealFileGatingTests.files)
  func countingEqualsWholeFileOnRealFiles(_ file: String) throws {
    guard TestData.sharedAvailable else {
      if TestData.isCI { Issue.record("../shared/testdata is required under CI") }
      return
    }
    let url = try #require(TestData.shared(file))
    let ds = try FCSFile(contentsOf: url.path).dataSets[0]
    let choice = try PanelSelection.choose(among: try PanelLibrary.all(), dataSet: ds, file: file)
    let analyzer = VisitAnalyzer(panel: choice.panel)
    let whole = try analyzer.analyzeResolving(ds, file: file).analysis
    let counted = try analyzer.analyze(try FCSFile(contentsOf: url.path).dataSets[0], file: file)
    #expect(counted == whole, "\(file)")
    #expect(!counted.populations.isEmpty, "\(file)")
  }
}
