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

  /// Real files are all below the sampling limit, so the test above takes the whole-file branch.
  /// Here a real file's events are tiled past the limit (its keywords, labels and spillover kept)
  /// and written to disk: the gates are found in the sample read from the mapped file and the
  /// strategy is counted chunk by chunk — the same analysis as the whole-file path, counting
  /// every event. (Not K × the single file's counts exactly: valley cuts come from densities
  /// whose bandwidth shrinks with the number of events, so on 2¹⁸ tiled events a cut can sit
  /// elsewhere in a wide valley than on 10⁴; the spectral file's B cells move by up to 9 %.)
  @Test(arguments: ["flowjo/flowsom_68983/68983.fcs", "realdata/aurora_pbmc/PBMC_spectral_UNMIXED.fcs"])
  func countingEqualsWholeFileOnTiledRealFiles(_ file: String) throws {
    guard TestData.sharedAvailable else {
      if TestData.isCI { Issue.record("../shared/testdata is required under CI") }
      return
    }
    let ds = try FCSFile(contentsOf: try #require(TestData.shared(file)).path).dataSets[0]
    var table = try FCSWriter.EventTable(subsetOf: ds)
    let n = table.events.eventCount, p = table.events.channelCount, k = 2 * GatingSample.limit / n + 2
    table.events = EventMatrix(eventCount: n * k, channelCount: p, columnMajor: (0..<p).flatMap { c in
      Array(repeating: Array(table.events.storage[(c * n)..<((c + 1) * n)]), count: k).flatMap { $0 }
    })
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("tiled-\(UUID().uuidString).fcs")
    defer { try? FileManager.default.removeItem(at: url) }
    try FCSWriter.write(table, to: url.path)
    let tiled = try FCSFile(contentsOf: url.path).dataSets[0]
    #expect(tiled.eventCount == n * k && tiled.eventCount > GatingSample.limit)
    let choice = try PanelSelection.choose(among: try PanelLibrary.all(), dataSet: tiled, file: file)
    let analyzer = VisitAnalyzer(panel: choice.panel)
    let counted = try analyzer.analyze(tiled, file: file)
    #expect(counted == (try analyzer.analyzeResolving(try FCSFile(contentsOf: url.path).dataSets[0], file: file).analysis))
    #expect(counted.gating?.sample == GatingSample(events: GatingSample.limit, of: n * k))
    // Every event is counted, not only the sample's: more lymphocytes than the sample holds.
    #expect(try #require(counted.population("Lymphocytes")?.count) > GatingSample.limit)
  }
}
