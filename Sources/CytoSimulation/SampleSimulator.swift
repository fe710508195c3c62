import CytoCore
import CytoFCS
import Foundation

/// Simulates one tube on one instrument: a mixture of leukocyte populations in scatter and
/// marker space, dead cells, doublets, debris and counting beads, measured the way the
/// ``InstrumentProfile`` measures (scatter gains and ranges, autofluorescence, spillover and
/// its residue, spectral spreading, mass-cytometry ion counts, noise).
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
  /// (one Float32 column per channel plus one slot per event, ≈ 3.5 GB at this limit with the
  /// reference instrument's 15 channels).
  public static let maximumEvents = 50_000_000
  public var day: Int?
  /// The cytometer and tube (default: ``InstrumentProfile/reference``, the simulator's
  /// original 11-colour instrument, whose files are unchanged).
  public var instrument: InstrumentProfile

  public init(composition: SampleComposition = SampleComposition(), tube: TubeSetup = TubeSetup(), events: Int = 100_000,
              seed: UInt64, patient: String? = nil, day: Int? = nil, instrument: InstrumentProfile = .reference) {
    self.composition = composition
    self.tube = tube
    self.events = events
    self.seed = seed
    self.patient = patient
    self.day = day
    self.instrument = instrument
  }

  /// How many events of each sort the file holds, and the fraction of the tube acquired.
  struct Plan {
    var kinds: [CellKind: Int], beads: Int, dead: Int, doublets: Int, debris: Int, fraction: Double
  }

  /// The events per live single-cell kind and of beads, dead cells, doublets and debris.
  public func plannedCounts() throws -> (kinds: [CellKind: Int], beads: Int, dead: Int, doublets: Int, debris: Int) {
    let p = try plan()
    return (p.kinds, p.beads, p.dead, p.doublets, p.debris)
  }

  func plan() throws -> Plan {
    let c = composition
    try c.validate()
    guard events >= 1 && events <= Self.maximumEvents else { throw SimulationError.invalidEventCount(events) }
    guard tube.bloodVolumeMicroliters.isFinite, tube.bloodVolumeMicroliters > 0 else {
      throw SimulationError.invalidTube("bloodVolumeMicroliters must be > 0")
    }
    let beadsPerTest = instrument.countingBeads ? tube.beadsPerTest : 0
    if instrument.countingBeads {
      guard tube.beadsPerTest.isFinite, tube.beadsPerTest >= 1 else { throw SimulationError.invalidTube("beadsPerTest must be ≥ 1") }
    }
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
    // Summed in a fixed order: a dictionary's order changes from one instance to the next, and
    // so would the last bit of the fraction.
    let cellsPerMicroliter = CellKind.allCases.reduce(0) { $0 + (conc[$1] ?? 0) }
    let perTube = tube.bloodVolumeMicroliters * cellsPerMicroliter * (1 + c.deadFraction) + beadsPerTest
    guard perTube > 0 else { throw SimulationError.invalidComposition("the tube holds no cells and no beads") }
    let extra = c.debrisFraction + c.doubletFraction
    let fraction = min(1, Double(events) * (1 - extra) / perTube)
    var kinds: [CellKind: Int] = [:]
    for k in CellKind.allCases { kinds[k] = Int((fraction * tube.bloodVolumeMicroliters * (conc[k] ?? 0)).rounded()) }
    let live = kinds.values.reduce(0, +)
    let beads = Int((fraction * beadsPerTest).rounded())
    let dead = Int((Double(live) * c.deadFraction).rounded())
    let core = Double(live + beads + dead)
    let total = core / (1 - extra)
    return Plan(kinds: kinds, beads: beads, dead: dead, doublets: Int((total * c.doubletFraction).rounded()),
                debris: Int((total * c.debrisFraction).rounded()), fraction: fraction)
  }

  /// Simulates the tube: the FCS event table and its truth.
  /// - Throws: ``SimulationError`` for an invalid composition, tube, event count or instrument.
  public func simulate() throws -> (table: FCSWriter.EventTable, truth: SimulationTruth) {
    let plan = try plan()
    let acquisition = try Acquisition(instrument)
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
    let channelCount = acquisition.channelCount, extended = acquisition.extended
    var storage = [Float](repeating: 0, count: n * channelCount)
    var scratch = [Double](repeating: 0, count: max(1, acquisition.markerColumns.count))
    var deadKinds: [CellKind: Int] = [:]
    for (e, slot) in slots.enumerated() {
      let cell: SimulatedCell
      switch slot {
      case .cell(let k): cell = SimulatedCell.draw(k, &draws, extended: extended)
      case .dead:
        let k = randomLiveKind(&draws)
        deadKinds[k, default: 0] += 1
        cell = SimulatedCell.dead(k, &draws, extended: extended)
      case .doublet: cell = SimulatedCell.doublet(randomLiveKind(&draws), randomLiveKind(&draws), &draws, extended: extended)
      case .debris: cell = SimulatedCell.debris(&draws, extended: extended)
      case .bead: cell = SimulatedCell.bead(&draws, extended: extended)
      }
      acquisition.measure(cell, &draws, into: &storage, event: e, events: n, scratch: &scratch)
    }
    var channels = instrument.channels.map { FCSWriter.Channel(name: ChannelName($0.name), label: $0.label, range: $0.range) }
    if let t = acquisition.timeColumn {
      // Acquisition times: sorted uniform over the time channel's range.
      let range = instrument.channels[t].range
      var times = (0..<n).map { _ in Float(draws.uniform() * range) }
      times.sort()
      for e in 0..<n { storage[t * n + e] = times[e] }
    }
    if let mass = instrument.mass, mass.rangeFromData {
      // CyTOF software writes each channel's maximum as $PnR.
      for (i, c) in instrument.channels.enumerated() where c.measures != .time {
        let top = storage[(i * n)..<((i + 1) * n)].max() ?? 0
        channels[i].range = max(1, Double(top).rounded(.up))
      }
    }
    let table = FCSWriter.EventTable(channels: channels, events: EventMatrix(eventCount: n, channelCount: channelCount, columnMajor: storage),
                                     keywords: keywords(stored: acquisition.stored))
    return (table, truth(plan, events: n, deadKinds: deadKinds))
  }

  private func keywords(stored: SpilloverMatrix?) -> FCSKeywords {
    var kw = FCSKeywords()
    kw["$CYT"] = instrument.cytometer
    if instrument.channels.contains(where: { $0.measures == .time }) && !instrument.timestep.isEmpty {
      kw["$TIMESTEP"] = instrument.timestep
    }
    if let s = stored {
      kw["$SPILLOVER"] = ([String(s.detectors.count)] + s.detectors.map(\.rawValue) + s.values.map(\.compactText)).joined(separator: ",")
    }
    kw["$SRC"] = "cytoreset simulate (seed \(seed))"
    if let p = patient { kw["PATIENT ID"] = p }
    if let d = day { kw["DAY"] = String(d) }
    if instrument.countingBeads { kw["BEADS PER TEST"] = tube.beadsPerTest.compactText }
    kw["BLOOD VOLUME UL"] = tube.bloodVolumeMicroliters.compactText
    for k in instrument.keywords { kw[k.keyword] = k.value }
    return kw
  }

  private func truth(_ plan: Plan, events n: Int, deadKinds: [CellKind: Int]) -> SimulationTruth {
    var counts: [String: Int] = [:], dead: [String: Int] = [:]
    for p in SimulationTruth.populationIDs {
      counts[p] = 0
      dead[p] = 0
    }
    counts["Beads"] = plan.beads
    for (k, c) in plan.kinds { for p in k.allPopulations { counts[p, default: 0] += c } }
    for (k, c) in deadKinds { for p in k.allPopulations { dead[p, default: 0] += c } }
    let lymph = counts["Lymphocytes"] ?? 0
    let beadsPerTest = instrument.countingBeads ? tube.beadsPerTest : 0
    let scale = plan.beads > 0 ? tube.beadsPerTest / (Double(plan.beads) * tube.bloodVolumeMicroliters)
      : 1 / (plan.fraction * tube.bloodVolumeMicroliters)
    var populations: [String: SimulationTruth.PopulationTruth] = [:]
    for (p, c) in counts {
      populations[p] = .init(events: c, perMicroliter: p == "Beads" ? beadsPerTest / tube.bloodVolumeMicroliters : Double(c) * scale,
                             percentOfLymphocytes: lymph > 0 && p != "Beads" ? Double(c) / Double(lymph) * 100 : nil)
    }
    var kinds: [String: Int] = [:]
    for (k, c) in plan.kinds { kinds[k.rawValue] = c }
    var recordedTube = tube
    recordedTube.beadsPerTest = beadsPerTest
    return SimulationTruth(seed: seed, patient: patient, day: day, composition: composition, tube: recordedTube,
                           instrument: instrument.name, markers: instrument.markers.map(\.rawValue), channels: instrument.channelTruth,
                           acquiredFraction: plan.fraction, events: n, beadEvents: plan.beads, deadCellEvents: plan.dead,
                           doubletEvents: plan.doublets, debrisEvents: plan.debris, kinds: kinds, populations: populations,
                           deadPopulations: dead)
  }
}
