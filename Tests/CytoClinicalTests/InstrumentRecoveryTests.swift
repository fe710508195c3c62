import CytoClinical
import CytoCore
import CytoFCS
import CytoSimulation
import Foundation
import Testing

/// The adaptive gates recover the truth across every simulated instrument (scatter voltages
/// and scales, FSC-W or no height at all, dim reagents, wide negatives, compensation residue,
/// spectral and mass cytometry, other tubes), analysed with `--panel auto`: B, T, naive B and
/// CAR T cells within 5%, transitional B cells and plasmablasts within 20% — and the same in
/// B-cell aplasia, where the CD19 cut comes from a negative reference, not a valley.
@Suite struct InstrumentRecoveryTests {
  /// Populations held to 5% and to 20% (each also passes within a few events, for tiny counts).
  static let tight = ["BCells", "TCells", "NaiveB", "CART", "CD4T", "CD8T"]
  static let loose = ["TransitionalB", "Plasmablasts", "NKCells"]

  /// Simulates `instrument` and analyses the file with the panel `--panel auto` chooses.
  static func run(_ instrument: String, events: Int = 60_000, seed: UInt64, composition: SampleComposition = SampleComposition())
    throws -> (VisitAnalysis, SimulationTruth, InstrumentProfile) {
    let profile = try InstrumentProfile.named(instrument)
    let (table, truth) = try SampleSimulator(composition: composition, events: events, seed: seed, instrument: profile).simulate()
    let file = try FCSFile(bytes: try FCSWriter.encode(table), path: "\(instrument).fcs")
    let ds = file.dataSets[0]
    let choice = try PanelSelection.choose(among: try PanelLibrary.all(), dataSet: ds, file: "\(instrument).fcs")
    let method: AbsoluteCountMethod = truth.beadEvents > 0
      ? .singlePlatform(beadsPerTest: truth.tube.beadsPerTest, bloodVolumeMicroliters: truth.tube.bloodVolumeMicroliters)
      : .dualPlatform(lymphocytesPerMicroliter: truth.populations["Lymphocytes"]!.perMicroliter)
    let a = try VisitAnalyzer(panel: choice.panel, countMethod: method).analyze(ds, file: "\(instrument).fcs")
    return (a, truth, profile)
  }

  /// The events a correct gating counts: the live single cells, plus the dead ones when the
  /// tube has no viability dye to remove them.
  static func expected(_ id: String, _ truth: SimulationTruth) -> Int? {
    guard let t = truth.populations[id]?.events else { return nil }
    let dead = truth.markers.contains("Viability") ? 0 : (truth.deadPopulations?[id] ?? 0)
    return t + dead
  }

  static func within(_ got: Int, _ want: Int, fraction: Double, events: Int) -> Bool {
    abs(got - want) <= max(events, Int((Double(want) * fraction).rounded(.up)))
  }

  static let names = InstrumentProfile.builtIn.map(\.name)

  @Test func thereAreAtLeastTwentyInstruments() { #expect(Self.names.count >= 20) }

  @Test(arguments: names)
  func recoversTheTruth(_ instrument: String) throws {
    var c = SampleComposition()
    c.carPercentOfT = 8
    let (a, truth, _) = try Self.run(instrument, seed: 31, composition: c)
    var compared = 0
    for p in a.populations {
      guard let want = Self.expected(p.id, truth) else { continue }
      if Self.tight.contains(p.id) {
        #expect(Self.within(p.count, want, fraction: 0.05, events: 3), "\(instrument) \(a.panel) \(p.id): \(p.count), truth \(want)")
        compared += 1
      } else if Self.loose.contains(p.id) {
        #expect(Self.within(p.count, want, fraction: 0.20, events: 3), "\(instrument) \(a.panel) \(p.id): \(p.count), truth \(want)")
      }
    }
    // Every tube reports its lineage: B cells when it carries CD19, T cells when CD3.
    #expect(compared >= 1, "\(instrument): \(a.panel) reported \(a.populations.map(\.id))")
    if truth.markers.contains("CD19") { #expect(a.population("BCells") != nil, "\(instrument): no B cells") }
    if truth.markers.contains("CD3") { #expect(a.population("TCells") != nil, "\(instrument): no T cells") }
    // Lymphocytes too, except where the tube cannot tell granulocytes apart (a mass panel
    // without CD45, CD66b or CD33).
    let cannotExcludeGranulocytes = !["CD45", "CD66b", "CD33"].contains(where: truth.markers.contains)
      && !truth.channels.contains { $0.name.hasPrefix("SSC") }
    if let lymph = a.population("Lymphocytes"), let want = Self.expected("Lymphocytes", truth), !cannotExcludeGranulocytes {
      #expect(Self.within(lymph.count, want, fraction: 0.05, events: 3), "\(instrument) Lymphocytes: \(lymph.count), truth \(want)")
    }
  }

  /// `--panel auto` picks the panel that fits the tube.
  @Test func autoPicksThePanelThatFitsTheTube() throws {
    let expected = ["reference": "reset", "fortessa-bcell": "bcell", "canto-tbnk": "tbnk", "cytof-bcell": "massbcell",
                    "symphony-full": "reset", "attune-tbnk": "tbnk"]
    for (instrument, panel) in expected {
      let profile = try InstrumentProfile.named(instrument)
      let (table, _) = try SampleSimulator(events: 5_000, seed: 3, instrument: profile).simulate()
      let ds = try FCSFile(bytes: try FCSWriter.encode(table), path: "a.fcs").dataSets[0]
      let c = try PanelSelection.choose(among: try PanelLibrary.all(), dataSet: ds, file: "a.fcs")
      #expect(c.panel.name == panel, "\(instrument): \(c.reason)")
    }
  }

  static let aplasiaInstruments = ["reference", "reset-fsc-width", "reset-no-height", "reset-residue-5", "reset-dim-cd19",
                                   "reset-wide-negatives", "reset-low-scatter", "reset-scatter-1024", "fortessa-bcell",
                                   "canto-tbnk", "cytof-bcell", "aurora-spectral"]

  /// 0, 2 and 10 B cells per µL: counted within 5% (or 3 events), the CD19 cut from a
  /// negative reference (no valley), and the visit called aplasia.
  @Test(arguments: aplasiaInstruments)
  func aplasia(_ instrument: String) throws {
    for (k, cd19) in [0.0, 2, 10].enumerated() {
      var c = SampleComposition()
      c.bCellsPerMicroliter = cd19
      let (a, truth, _) = try Self.run(instrument, events: 100_000, seed: 40 + UInt64(k), composition: c)
      let want = try #require(Self.expected("BCells", truth))
      let b = try #require(a.population("BCells"), "\(instrument): no B cells reported")
      #expect(Self.within(b.count, want, fraction: 0.05, events: 3), "\(instrument) \(cd19)/µL: B \(b.count), truth \(want)")
      if let t = a.population("TCells"), let wantT = Self.expected("TCells", truth) {
        #expect(Self.within(t.count, wantT, fraction: 0.05, events: 3), "\(instrument) \(cd19)/µL: T \(t.count), truth \(wantT)")
      }
      let cut = try #require(a.cuts.first { $0.name == "CD19" })
      #expect(cut.method == .peakEdge || cut.method == .reference, "\(instrument) \(cd19)/µL: CD19 cut \(cut.method): \(cut.note ?? "")")
      #expect(a.calls.bCellAplasia.result == .yes, "\(instrument) \(cd19)/µL: \(a.calls.bCellAplasia.reason)")
    }
  }
}
