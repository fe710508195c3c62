import CytoClinical
import CytoCore
import CytoFCS
import CytoGating
import CytoSimulation
import Foundation
import Testing

/// Simulated files analysed with the built-in reset panel recover their known truth:
/// counts within 2% (or 3 events), cells/µL within 5%, and the right calls — from 10⁴ to 10⁶
/// events, at several B-cell and CAR T levels including no B cells at all.
@Suite struct TruthRecoveryTests {
  struct Scenario: CustomTestStringConvertible, Sendable {
    var events: Int
    var bCells: Double
    var carPercent: Double
    var naive = 0.62
    var transitional = 0.05
    var seed: UInt64
    var testDescription: String { "\(events) events, \(bCells) B/µL, CAR \(carPercent)% of T, seed \(seed)" }
  }

  static let scenarios: [Scenario] = [
    Scenario(events: 10_000, bCells: 250, carPercent: 0, seed: 1),
    Scenario(events: 10_000, bCells: 0, carPercent: 5, seed: 2),
    Scenario(events: 100_000, bCells: 1, carPercent: 0.5, seed: 3),
    Scenario(events: 100_000, bCells: 20, carPercent: 2, naive: 0.9, transitional: 0.4, seed: 4),
    Scenario(events: 100_000, bCells: 0, carPercent: 30, seed: 5),
    Scenario(events: 300_000, bCells: 400, carPercent: 0.1, seed: 6),
    Scenario(events: 1_000_000, bCells: 150, carPercent: 1, naive: 0.8, transitional: 0.2, seed: 7),
  ]

  static func analyze(_ sim: SampleSimulator) throws -> (VisitAnalysis, SimulationTruth) {
    let (table, truth) = try sim.simulate()
    let name = "sim-\(sim.seed).fcs"
    let file = try FCSFile(bytes: try FCSWriter.encode(table), path: name)
    let analyzer = VisitAnalyzer(panel: try PanelDefinition.reset,
                                 countMethod: .singlePlatform(beadsPerTest: sim.tube.beadsPerTest, bloodVolumeMicroliters: sim.tube.bloodVolumeMicroliters))
    return (try analyzer.analyze(file.dataSets[0], file: name), truth)
  }

  @Test(arguments: scenarios)
  func recoversTruth(_ s: Scenario) throws {
    var c = SampleComposition()
    c.bCellsPerMicroliter = s.bCells
    c.carPercentOfT = s.carPercent
    c.naiveFraction = s.naive
    c.transitionalFraction = s.transitional
    let (a, truth) = try Self.analyze(SampleSimulator(composition: c, events: s.events, seed: s.seed))
    #expect(a.beadEvents == truth.beadEvents)
    let lloq = try PanelDefinition.reset.thresholds.lloq.events
    for p in a.populations {
      let t = try #require(truth.populations[p.id], "truth has no \(p.id)")
      let tolerance = max(3, Int((Double(t.events) * 0.02).rounded(.up)))
      #expect(abs(p.count - t.events) <= tolerance, "\(p.id): \(p.count) events, truth \(t.events)")
      let q = try #require(p.absolute?.perMicroliter)
      if p.count >= lloq {
        let v = try #require(q.value)
        #expect(abs(v - t.perMicroliter) <= 0.05 * t.perMicroliter, "\(p.id): \(v)/µL, truth \(t.perMicroliter)")
      } else {
        #expect(q.value == nil && (q.lessThan ?? 0) > 0, "\(p.id): \(p.count) events must be reported as below the LLOQ")
      }
    }
    // Calls: aplasia by the default rule (≤ 100/µL and ≤ 1% of lymphocytes) on the truth.
    let b = try #require(truth.populations["BCells"]), lymph = try #require(truth.populations["Lymphocytes"])
    let aplastic = b.perMicroliter <= 100 && Double(b.events) / Double(lymph.events) * 100 <= 1
    #expect(a.calls.bCellAplasia.result == (aplastic ? .yes : .no), "\(a.calls.bCellAplasia.reason)")
    let car = try #require(truth.populations["CART"]), t = try #require(truth.populations["TCells"])
    let carDetectable = car.events >= lloq && Double(car.events) / Double(t.events) * 100 > 0.1
    if car.events == 0 || carDetectable {
      #expect(a.calls.carTDetectable.result == (carDetectable ? .yes : .no), "\(a.calls.carTDetectable.reason)")
    }
    let naive = try #require(truth.populations["NaiveB"])
    if naive.events >= lloq {
      let v = try #require(a.calls.naivePercentOfB?.value)
      #expect(abs(v - Double(naive.events) / Double(b.events) * 100) < 1)
      #expect(a.calls.predominantlyNaive == (Double(naive.events) / Double(b.events) >= 0.5))
    } else if b.events > 0 {
      // Too few naive B cells to quantify: a bound below the LLOQ, or, when the B cells are too
      // few to place the CD27/IgD cuts at all, no naive gate — never a number.
      #expect(a.calls.naivePercentOfB?.value == nil)
      if a.population("NaiveB") == nil {
        #expect(a.unreported?.contains { $0.population == "NaiveB" } == true)
      } else {
        #expect(a.calls.naivePercentOfB?.lessThan != nil)
      }
    }
    // The per-sample cuts: CD19 is the valley between the CD3- lymphocytes' negatives and the
    // B cells when the B cells are a sizable mode; near aplasia it comes from a negative
    // reference (the upper edge of the negative peak, or of the T cells), never a valley.
    let cd19 = try #require(a.cuts.first { $0.name == "CD19" })
    let nonT = Double(lymph.events - t.events)
    if b.events >= 200 && Double(b.events) / nonT >= 0.15 { #expect(cd19.method == .valley, "\(cd19.note ?? "")") }
    if b.events < 100 {
      #expect(cd19.method == .peakEdge || cd19.method == .reference, "\(cd19.note ?? "")")
      #expect(cd19.tried?.first?.hasPrefix("valley") == true)
    }
    #expect(!a.diagnostics.contains { $0.code == .clinicalCutFallback })
    // Files above GatingSample.limit have their gates found in a fixed-stride sample (noted),
    // and are still counted on every event (the truth checks above).
    if a.events > GatingSample.limit {
      #expect(a.gating?.sample == GatingSample(events: GatingSample.limit, of: a.events))
      #expect(a.diagnostics.contains { $0.code == .clinicalGatingSample })
    } else {
      #expect(a.gating?.sample == nil && !a.diagnostics.contains { $0.code == .clinicalGatingSample })
    }
  }

  /// A reviewer's override is used and recorded.
  @Test func cutOverrideIsAppliedAndRecorded() throws {
    let sim = SampleSimulator(events: 20_000, seed: 11)
    let (table, _) = try sim.simulate()
    let file = try FCSFile(bytes: try FCSWriter.encode(table), path: "o.fcs")
    let strict = VisitAnalyzer(panel: try PanelDefinition.reset, cutOverrides: ["CD19": 0.95])
    let a = try strict.analyze(file.dataSets[0], file: "o.fcs")
    let cut = try #require(a.cuts.first { $0.name == "CD19" })
    #expect(cut.method == .override && cut.value == 0.95)
    #expect(a.population("BCells")?.count == 0)
    #expect(throws: PanelError.self) {
      try VisitAnalyzer(panel: try PanelDefinition.reset, cutOverrides: ["CD99": 0.5]).analyze(file.dataSets[0], file: "o.fcs")
    }
  }
}
