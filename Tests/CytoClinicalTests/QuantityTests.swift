import CytoClinical
import CytoFCS
import CytoSimulation
import Foundation
import Testing

@Suite struct QuantityTests {
  /// Garwood intervals against chi-square quantiles (scipy.stats.chi2.ppf; 0 → [0, 3.689]).
  @Test func poissonIntervalsMatchTables() {
    let cases: [(Int, Double, Double)] = [(0, 0, 3.6889), (1, 0.0253, 5.5716), (5, 1.6235, 11.6683), (10, 4.7954, 18.3904),
                                          (100, 81.3640, 121.6268), (20_000, 19_723.7676, 20_279.1336),
                                          (1_000_000, 998_040.9833, 1_001_961.9119)]
    for (n, lo, hi) in cases {
      let ci = PoissonInterval.interval(count: n)
      #expect(abs(ci.lowerBound - lo) < 1e-3 && abs(ci.upperBound - hi) < 1e-3, "n = \(n): \(ci)")
    }
  }

  @Test func belowLLOQIsABoundNeverAZero() {
    for n in 0..<60 {
      let q = Quantity(events: n, scale: 0.8, unit: .cellsPerMicroliter, lloqEvents: 25)
      if n < 25 {
        #expect(q.value == nil && q.lessThan == 20 && q.formatted() == "< 20.00")
      } else {
        #expect(q.value == Double(n) * 0.8 && q.lessThan == nil)
      }
      #expect(q.lower95 <= Double(n) * 0.8 && q.upper95 >= Double(n) * 0.8)
    }
    #expect(LowerLimitOfQuantification(minEvents: 1, maxCV: 0.2).events == 25)
    #expect(LowerLimitOfQuantification(minEvents: 50, maxCV: 0.2).events == 50)
    #expect(LowerLimitOfQuantification(minEvents: 10, maxCV: nil).events == 10)
    #expect(LowerLimitOfQuantification(minEvents: 1, maxCV: 0.1).events == 100)
  }

  /// Property: over random compositions (rare to absent populations), no value below the LLOQ
  /// is reported as a number, and every per-µL value in the JSON sits next to its method.
  @Test(arguments: 0..<6)
  func noZeroBelowLLOQAndNoPerMicroliterWithoutMethod(seed: UInt64) throws {
    var rng = SplitMix64(seed: 900 + seed)
    var c = SampleComposition()
    c.bCellsPerMicroliter = [0, 0.3, 2, 40][Int.random(in: 0..<4, using: &rng)]
    c.plasmablastsPerMicroliter = [0, 0.5, 3][Int.random(in: 0..<3, using: &rng)]
    c.carPercentOfT = [0, 0.02, 0.5, 10][Int.random(in: 0..<4, using: &rng)]
    let sim = SampleSimulator(composition: c, events: Int.random(in: 5_000...40_000, using: &rng), seed: seed)
    let (table, _) = try sim.simulate()
    let file = try FCSFile(bytes: try FCSWriter.encode(table), path: "p.fcs")
    let method: AbsoluteCountMethod = seed % 2 == 0 ? .singlePlatform(beadsPerTest: 50_000, bloodVolumeMicroliters: 50)
      : .dualPlatform(lymphocytesPerMicroliter: 1_500)
    let a = try VisitAnalyzer(panel: try PanelDefinition.reset, countMethod: method).analyze(file.dataSets[0], file: "p.fcs")
    let lloq = try PanelDefinition.reset.thresholds.lloq.events
    var quantities: [Quantity] = a.populations.flatMap { p in
      [p.percentOfParent, p.percentOf, p.percentOfLymphocytes, p.percentOfLeukocytes, p.absolute?.perMicroliter].compactMap { $0 }
    }
    quantities += [a.calls.naivePercentOfB, a.calls.carPercentOfT].compactMap { $0 }
    for q in quantities {
      if q.events < lloq {
        #expect(q.value == nil && q.lessThan != nil && q.lessThan! > 0)
      } else {
        #expect(q.value != nil && q.lessThan == nil)
      }
    }
    // JSON: every object with a "perMicroliter" key also has a "method".
    let json = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(a))
    func check(_ x: Any) {
      if let d = x as? [String: Any] {
        if d["perMicroliter"] != nil { #expect(d["method"] != nil, "per-µL value without method: \(d)") }
        d.values.forEach(check)
      } else if let arr = x as? [Any] {
        arr.forEach(check)
      }
    }
    check(json)
    #expect(a.populations.allSatisfy { $0.absolute?.method == method })
  }
}

@Suite struct PercentQuantityTests {
  @Test func percentBoundsNeverExceed100() {
    let q = Quantity.percent(3, of: 7, unit: .percentOfB, lloqEvents: 25)
    #expect(q.value == nil && q.lessThan == 100 && q.upper95 <= 100)
    let big = Quantity.percent(700, of: 1_000, unit: .percentOfB, lloqEvents: 25)
    #expect(big.value == 70 && big.upper95 < 100 && big.lower95 > 60)
  }
}

@Suite struct SimulatorLimitTests {
  /// A huge --events is a clear error, not an unbounded allocation.
  @Test func tooManyEventsIsAnError() {
    #expect(throws: SimulationError.invalidEventCount(1_000_000_000)) {
      _ = try SampleSimulator(events: 1_000_000_000, seed: 1).plannedCounts()
    }
    #expect(throws: SimulationError.invalidEventCount(0)) { _ = try SampleSimulator(events: 0, seed: 1).plannedCounts() }
  }
}
