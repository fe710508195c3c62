import CytoCore
import CytoFCS
import Foundation

/// Simulates one panel tube: a mixture of leukocyte populations in scatter and marker space,
/// dead cells, doublets, debris and counting beads, with autofluorescence, spillover and noise.
///
/// Event counts are not drawn at random: each kind gets `round(f · V · c)` events, where `c` is
/// its concentration (cells/µL), `V` the blood volume and `f` the fraction of the tube acquired,
/// and the beads `round(f · beads per test)`. The truth is therefore exact and the
/// single-platform count of a population recovers its concentration up to rounding.
/// Marker intensities are log-normal with tails truncated at 3.5 σ, so populations are
/// separable by a correct gating strategy.
public struct SampleSimulator: Sendable {
  public var composition: SampleComposition
  public var tube: TubeSetup
  /// Target number of events (the tube may hold fewer: at most all of it is acquired).
  public var events: Int
  public var seed: UInt64
  public var patient: String?
  /// The most events one simulated file may have: the whole table is built in memory
  /// (15 Float32 columns plus one slot per event, ≈ 3.5 GB at this limit).
  public static let maximumEvents = 50_000_000
  public var day: Int?

  public init(composition: SampleComposition = SampleComposition(), tube: TubeSetup = TubeSetup(), events: Int = 100_000,
              seed: UInt64, patient: String? = nil, day: Int? = nil) {
    self.composition = composition
    self.tube = tube
    self.events = events
    self.seed = seed
    self.patient = patient
    self.day = day
  }

  /// The events per live single-cell kind and of beads, dead cells, doublets and debris.
  public func plannedCounts() throws -> (kinds: [CellKind: Int], beads: Int, dead: Int, doublets: Int, debris: Int) {
    let c = composition
    try c.validate()
    guard events >= 1 && events <= Self.maximumEvents else { throw SimulationError.invalidEventCount(events) }
    guard tube.bloodVolumeMicroliters.isFinite, tube.bloodVolumeMicroliters > 0 else {
      throw SimulationError.invalidTube("bloodVolumeMicroliters must be > 0")
    }
    guard tube.beadsPerTest.isFinite, tube.beadsPerTest >= 1 else { throw SimulationError.invalidTube("beadsPerTest must be ≥ 1") }
    // Concentrations per kind.
    let nonB = max(0, c.lymphocytesPerMicroliter - c.bCellsPerMicroliter - c.plasmablastsPerMicroliter)
    let t = nonB * c.tCellFractionOfNonB, car = c.carPercentOfT / 100
    let tSplit = [c.cd4FractionOfT, c.cd8FractionOfT, c.doublePositiveFractionOfT,
                  max(0, 1 - c.cd4FractionOfT - c.cd8FractionOfT - c.doublePositiveFractionOfT)]
    let nonNaive = c.bCellsPerMicroliter * (1 - c.naiveFraction)
    var conc: [CellKind: Double] = [
      .naiveB: c.bCellsPerMicroliter * (c.naiveFraction - c.transitionalFraction),
      .transitionalB: c.bCellsPerMicroliter * c.transitionalFraction,
      .unswitchedMemoryB: nonNaive * c.unswitchedFractionOfNonNaive,
      .switchedMemoryB: nonNaive * c.switchedFractionOfNonNaive,
      .doubleNegativeB: nonNaive * max(0, 1 - c.unswitchedFractionOfNonNaive - c.switchedFractionOfNonNaive),
      .plasmablast: c.plasmablastsPerMicroliter,
      .nk: nonB - t,
      .monocyte: c.monocytesPerMicroliter,
      .granulocyte: c.granulocytesPerMicroliter,
    ]
    let plain: [CellKind] = [.cd4T, .cd8T, .doublePositiveT, .doubleNegativeT]
    let withCAR: [CellKind] = [.cd4CART, .cd8CART, .doublePositiveCART, .doubleNegativeCART]
    for i in 0..<4 {
      conc[plain[i]] = t * tSplit[i] * (1 - car)
      conc[withCAR[i]] = t * tSplit[i] * car
    }
    let cellsPerMicroliter = conc.values.reduce(0, +)
    let perTube = tube.bloodVolumeMicroliters * cellsPerMicroliter * (1 + c.deadFraction) + tube.beadsPerTest
    let extra = c.debrisFraction + c.doubletFraction
    let fraction = min(1, Double(events) * (1 - extra) / perTube)
    var kinds: [CellKind: Int] = [:]
    for k in CellKind.allCases { kinds[k] = Int((fraction * tube.bloodVolumeMicroliters * (conc[k] ?? 0)).rounded()) }
    let live = kinds.values.reduce(0, +)
    let beads = Int((fraction * tube.beadsPerTest).rounded())
    let dead = Int((Double(live) * c.deadFraction).rounded())
    let core = Double(live + beads + dead)
    let total = core / (1 - extra)
    return (kinds, beads, dead, Int((total * c.doubletFraction).rounded()), Int((total * c.debrisFraction).rounded()))
  }

  /// Simulates the tube: the FCS event table and its truth.
  public func simulate() throws -> (table: FCSWriter.EventTable, truth: SimulationTruth) {
    let plan = try plannedCounts()
    // Every event's kind, shuffled into acquisition order.
    enum Slot { case cell(CellKind), bead, dead, doublet, debris }
    var slots: [Slot] = []
    for k in CellKind.allCases { slots += Array(repeating: .cell(k), count: plan.kinds[k] ?? 0) }
    let liveKinds = slots
    slots += Array(repeating: .bead, count: plan.beads)
    slots += Array(repeating: .dead, count: plan.dead)
    slots += Array(repeating: .doublet, count: plan.doublets)
    slots += Array(repeating: .debris, count: plan.debris)
    var draws = Draws(seed: seed)
    slots.shuffle(using: &draws.rng)
    let n = slots.count
    func randomLiveKind(_ d: inout Draws) -> CellKind {
      guard !liveKinds.isEmpty else { return .granulocyte }
      if case .cell(let k) = liveKinds[Int(d.uniform() * Double(liveKinds.count))] { return k }
      return .granulocyte
    }
    let det = SimulatedInstrument.spillover
    let nd = det.detectors.count
    let channelCount = SimulatedInstrument.channels.count
    var storage = [Float](repeating: 0, count: n * channelCount)
    // Spillover rows as SIMD vectors: detector signal = Σ_f dye_f · row_f.
    var rows = [SIMD16<Double>](repeating: SIMD16<Double>(), count: nd)
    var autofluorescence = SIMD16<Double>()
    for f in 0..<nd {
      for d in 0..<nd { rows[f][d] = det[row: f, column: d] }
      autofluorescence[f] = SimulatedInstrument.autofluorescence[f]
    }
    for (e, slot) in slots.enumerated() {
      var cell: SimulatedCell
      switch slot {
      case .cell(let k): cell = SimulatedCell.draw(k, &draws)
      case .dead: cell = SimulatedCell.dead(randomLiveKind(&draws), &draws)
      case .doublet: cell = SimulatedCell.doublet(randomLiveKind(&draws), randomLiveKind(&draws), &draws)
      case .debris: cell = SimulatedCell.debris(&draws)
      case .bead: cell = SimulatedCell.bead(&draws)
      }
      storage[e] = Self.clip(cell.fscA + draws.normal() * 300)
      storage[n + e] = Self.clip(cell.fscH + draws.normal() * 300)
      storage[2 * n + e] = Self.clip(cell.ssc + draws.normal() * 250)
      var mixed: SIMD16<Double>
      if let bead = cell.beadSignal {
        mixed = bead
      } else {
        mixed = cell.autofluorescence * autofluorescence
        for f in 0..<nd where cell.dyes[f] != 0 { mixed += cell.dyes[f] * rows[f] }
      }
      for d in 0..<nd {
        // Electronic noise plus photon noise (≈1.2 channel units per photoelectron).
        let sd = (30 * 30 + 1.2 * max(0, mixed[d])).squareRoot()
        storage[(3 + d) * n + e] = Self.clip(mixed[d] + draws.normal() * sd, low: -500)
      }
    }
    // Acquisition times: sorted uniform over 90 s in $TIMESTEP (0.01 s) units.
    var times = (0..<n).map { _ in Float(draws.uniform() * 9_000) }
    times.sort()
    for e in 0..<n { storage[(channelCount - 1) * n + e] = times[e] }

    let channels = SimulatedInstrument.channels.map { ch in
      FCSWriter.Channel(name: ChannelName(ch.name), label: ch.label, range: ch.name == "Time" ? 9_000 : 262_144)
    }
    var kw = FCSKeywords()
    kw["$CYT"] = "CytoReset simulated cytometer"
    kw["$TIMESTEP"] = "0.01"
    kw["$SPILLOVER"] = ([String(nd)] + det.detectors.map(\.rawValue) + det.values.map(\.compactText)).joined(separator: ",")
    kw["$SRC"] = "cytoreset simulate (seed \(seed))"
    if let p = patient { kw["PATIENT ID"] = p }
    if let d = day { kw["DAY"] = String(d) }
    kw["BEADS PER TEST"] = tube.beadsPerTest.compactText
    kw["BLOOD VOLUME UL"] = tube.bloodVolumeMicroliters.compactText
    let table = FCSWriter.EventTable(channels: channels, events: EventMatrix(eventCount: n, channelCount: channelCount, columnMajor: storage),
                                     keywords: kw)
    return (table, truth(plan, events: n))
  }

  private func truth(_ plan: (kinds: [CellKind: Int], beads: Int, dead: Int, doublets: Int, debris: Int), events n: Int) -> SimulationTruth {
    var counts: [String: Int] = ["Beads": plan.beads]
    for (k, c) in plan.kinds { for p in k.populations { counts[p, default: 0] += c } }
    // Populations the panel gates even when empty.
    for p in ["CD45pos", "Lymphocytes", "TCells", "CD4T", "CD8T", "DPT", "DNT", "CART", "CD4CART", "CD8CART", "DPCART", "DNCART",
              "BCells", "NaiveB", "UnswitchedMemB", "SwitchedMemB", "DNB", "TransitionalB", "Plasmablasts"] where counts[p] == nil {
      counts[p] = 0
    }
    let lymph = counts["Lymphocytes"] ?? 0
    let scale = plan.beads > 0 ? tube.beadsPerTest / (Double(plan.beads) * tube.bloodVolumeMicroliters) : .nan
    var populations: [String: SimulationTruth.PopulationTruth] = [:]
    for (p, c) in counts {
      populations[p] = .init(events: c, perMicroliter: p == "Beads" ? tube.beadsPerTest / tube.bloodVolumeMicroliters : Double(c) * scale,
                             percentOfLymphocytes: lymph > 0 && p != "Beads" ? Double(c) / Double(lymph) * 100 : nil)
    }
    var kinds: [String: Int] = [:]
    for (k, c) in plan.kinds { kinds[k.rawValue] = c }
    return SimulationTruth(seed: seed, patient: patient, day: day, composition: composition, tube: tube, events: n,
                           beadEvents: plan.beads, deadCellEvents: plan.dead, doubletEvents: plan.doublets, debrisEvents: plan.debris,
                           kinds: kinds, populations: populations)
  }

  private static func clip(_ x: Double, low: Double = 0) -> Float { Float(min(262_143, max(low, x))) }
}
