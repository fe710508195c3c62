import CytoClinical
import CytoFCS
import CytoGating
import CytoSimulation
import Foundation
import Testing

/// Writes simulated reset-panel files and, per file, the Gating-ML the analysis resolved for it
/// (markers → channels, per-sample cuts), plus the analysis' counts, for the FlowKit check in
/// Tests/interop/test_flowkit_reset_panel.py. Runs only when `CYTORESET_INTEROP_DIR` is set.
@Suite struct InteropFixtureTests {
  @Test func writeResetPanelInteropFixtures() throws {
    guard let dir = ProcessInfo.processInfo.environment["CYTORESET_INTEROP_DIR"] else { return }
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    var baseline = SampleComposition(), aplasia = SampleComposition(), recovery = SampleComposition()
    aplasia.bCellsPerMicroliter = 0
    aplasia.carPercentOfT = 8
    recovery.bCellsPerMicroliter = 25
    recovery.naiveFraction = 0.9
    recovery.transitionalFraction = 0.4
    recovery.carPercentOfT = 0.5
    baseline.carPercentOfT = 0
    var manifest: [String] = []
    for (name, seed, c) in [("reset-baseline", UInt64(101), baseline), ("reset-aplasia", 102, aplasia), ("reset-recovery", 103, recovery)] {
      let (table, _) = try SampleSimulator(composition: c, events: 40_000, seed: seed).simulate()
      let fcs = "\(dir)/\(name).fcs"
      try FCSWriter.write(table, to: fcs)
      let ds = try FCSFile(contentsOf: fcs).dataSets[0]
      let analyzer = VisitAnalyzer(panel: try PanelDefinition.reset)
      let resolved = try analyzer.resolvedStrategy(ds, file: fcs)
      try Data(try GatingML.write(resolved.strategy).utf8).write(to: URL(fileURLWithPath: "\(dir)/\(name).xml"))
      let counts = resolved.strategy.populations.map { "\($0.rawValue)\t\(resolved.result.count($0) ?? -1)" }
      try Data((counts.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: "\(dir)/\(name).counts.tsv"))
      manifest.append(name)
    }
    try Data((manifest.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: "\(dir)/reset-manifest.txt"))
  }
}
