import CytoClinical
import CytoFCS
import CytoSimulation
import Testing

/// Batch analysis settles the pre-infusion CAR background after gating: re-making the
/// detectability call on an analysis without a background must equal analysing with it.
@Suite struct CARBackgroundTests {
  @Test(arguments: [(0.0, UInt64(21)), (0.3, 22), (4.0, 23)])
  func applyingTheBackgroundLaterEqualsAnalysingWithIt(carPercent: Double, seed: UInt64) throws {
    var c = SampleComposition()
    c.carPercentOfT = carPercent
    let (table, _) = try SampleSimulator(composition: c, events: 20_000, seed: seed).simulate()
    let file = try FCSFile(bytes: try FCSWriter.encode(table), path: "bg.fcs")
    let plain = VisitAnalyzer(panel: try PanelDefinition.reset, countMethod: .dualPlatform(lymphocytesPerMicroliter: 1_400))
    let first = try plain.analyze(file.dataSets[0], file: "bg.fcs", visit: VisitInfo(patient: "P", day: 14))
    #expect(plain.applyingCARBackground(to: first) == first)
    for background in [nil, 0, 0.01, carPercent, 3, 100] as [Double?] {
      var analyzer = plain
      analyzer.carBackgroundPercentOfT = background
      let direct = try analyzer.analyze(file.dataSets[0], file: "bg.fcs", visit: VisitInfo(patient: "P", day: 14))
      #expect(analyzer.applyingCARBackground(to: first) == direct, "background \(String(describing: background))")
      // and back: the call depends on nothing else.
      #expect(plain.applyingCARBackground(to: direct) == first)
    }
  }
}
