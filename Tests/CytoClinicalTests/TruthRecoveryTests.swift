import CytoClinical
import CytoCore
import CytoFCS
import CytoGating
import CytoSimulation
import Foundation
import Testing

/// Simulated files analysed with the built-in reset panel recover their known truth.
@Suite struct TruthRecoveryTests {
  static func analyze(_ sim: SampleSimulator) throws -> (VisitAnalysis, SimulationTruth) {
    let (table, truth) = try sim.simulate()
    let data = try FCSWriter.encode(table)
    let file = try FCSFile(bytes: data, path: "sim-\(sim.seed).fcs")
    let analyzer = VisitAnalyzer(panel: try PanelDefinition.reset,
                                 countMethod: .singlePlatform(beadsPerTest: sim.tube.beadsPerTest, bloodVolumeMicroliters: sim.tube.bloodVolumeMicroliters))
    return (try analyzer.analyze(file.dataSets[0], file: "sim-\(sim.seed).fcs"), truth)
  }

  @Test func explore() throws {
    var c = SampleComposition()
    c.carPercentOfT = 2
    let (a, truth) = try Self.analyze(SampleSimulator(composition: c, events: 200_000, seed: 7))
    print("beads", a.beadEvents ?? -1, truth.beadEvents)
    for cut in a.cuts { print("cut", cut.name, cut.value, cut.method, cut.note ?? "") }
    for p in a.populations {
      let t = truth.populations[p.id]
      print(p.id, p.count, t?.events ?? -1, p.absolute?.perMicroliter.formatted() ?? "-", t?.perMicroliter ?? -1)
    }
    print(a.calls)
  }
}
