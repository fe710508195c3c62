import CytoCore

/// An ``InstrumentProfile`` resolved for measuring events: column numbers, marker slots,
/// the applied and stored spillover, spreading coefficients.
///
/// The order of random draws per event is part of the contract for the reference instrument
/// (its files are byte-identical to those written before profiles existed): bead jitter per
/// marker channel, then the scatter noises (forward area, forward height, side area, then side
/// height if measured), then one noise per marker channel in file order.
struct Acquisition {
  let profile: InstrumentProfile
  /// Whether cells need the markers beyond the reference panel, DNA and event length.
  let extended: Bool
  let channelCount: Int

  // Marker channels (file order).
  let markerColumns: [Int]
  let markerSlots: [Int]
  let brightness: [Double], noise: [Double], photon: [Double], minimum: [Double], maximum: [Double]
  let autofluorescence: [Double], bead: [Double], background: [Double]
  /// Conventional: the spillover applied (row-major, fluorochrome × detector).
  let applied: [Double]
  /// Conventional: the matrix written to `$SPILLOVER`, when stored.
  let stored: SpilloverMatrix?
  /// Spectral: squared spreading coefficients, [from × count + to].
  let spreading: [Double]

  struct ScatterColumn {
    var column: Int, measures: InstrumentProfile.Measurement, scale: Double, maximum: Double
  }
  let scatterColumns: [ScatterColumn]
  let measuresSideHeight: Bool
  /// Other channels: time, event length, autofluorescence, empty.
  let otherColumns: [(column: Int, channel: InstrumentProfile.Channel)]
  let timeColumn: Int?

  init(_ p: InstrumentProfile) throws {
    try p.validate()
    profile = p
    channelCount = p.channels.count
    var mc: [Int] = [], slots: [Int] = [], scatter: [ScatterColumn] = [], other: [(Int, InstrumentProfile.Channel)] = []
    for (i, c) in p.channels.enumerated() {
      if let m = c.measures.marker {
        mc.append(i)
        slots.append(m.index)
      } else if c.measures.isScatter {
        scatter.append(ScatterColumn(column: i, measures: c.measures, scale: c.range / 262_144, maximum: c.range - 1))
      } else {
        other.append((i, c))
      }
    }
    markerColumns = mc
    markerSlots = slots
    scatterColumns = scatter
    otherColumns = other
    timeColumn = p.channels.firstIndex { $0.measures == .time }
    measuresSideHeight = scatter.contains { $0.measures == .sideScatterHeight || $0.measures == .sideScatterWidth }
    let markerChannels = mc.map { p.channels[$0] }
    brightness = markerChannels.map(\.brightness)
    noise = markerChannels.map(\.noise)
    photon = markerChannels.map(\.photonNoise)
    minimum = markerChannels.map(\.minimum)
    maximum = markerChannels.map { $0.range - 1 }
    autofluorescence = markerChannels.map(\.autofluorescence)
    bead = markerChannels.map(\.beadLevel)
    background = markerChannels.map(\.background)
    extended = p.markers.contains { !Marker.referenceMarkers.contains($0) }
      || p.channels.contains { $0.measures == .eventLength }

    let n = markerChannels.count
    var storedValues: [Double]
    switch p.spillover.source {
    case .none: storedValues = []
    case .fixed(let values): storedValues = values
    case .generated(let seed): storedValues = try FluorochromeCatalogue.spillover(for: markerChannels, seed: seed)
    }
    if p.technology == .conventional && storedValues.isEmpty {
      // No spillover at all: the identity.
      storedValues = (0..<n * n).map { $0 / n == $0 % n ? 1 : 0 }
    }
    applied = p.technology == .conventional
      ? FluorochromeCatalogue.applied(stored: storedValues, count: n, residue: p.spillover.residue, seed: p.spillover.residueSeed) : []
    stored = p.spillover.stored
      ? SpilloverMatrix(channels: markerChannels.map { ChannelName($0.name) }, values: storedValues) : nil
    if p.technology == .spectral, let s = p.spectral {
      // Spreading: each marker spreads into about a third of the others, strongly into a few.
      var r = Draws(seed: s.spreadSeed ^ 0x5B12_EAD0_0000_0001)
      var m = [Double](repeating: 0, count: n * n)
      for i in 0..<n {
        for j in 0..<n where i != j {
          let k = r.uniform() < 0.35 ? r.logNormal(s.spread, 0.6) : r.logNormal(s.spread * 0.15, 0.5)
          m[i * n + j] = k * k
        }
      }
      spreading = m
    } else {
      spreading = []
    }
  }

  /// Writes one event's values into column-major `storage` (`n` events per column).
  /// `scratch` holds at least one value per marker channel.
  func measure(_ c: SimulatedCell, _ r: inout Draws, into storage: inout [Float], event e: Int, events n: Int,
               scratch mixed: inout [Double]) {
    let nm = markerColumns.count
    if c.isBead && profile.technology != .mass {
      for f in 0..<nm { mixed[f] = bead[f] * r.logNormal(1, 0.05) }
    }
    if !scatterColumns.isEmpty { measureScatter(c, &r, into: &storage, event: e, events: n) }
    switch profile.technology {
    case .conventional:
      if !c.isBead {
        for d in 0..<nm { mixed[d] = c.autofluorescence * autofluorescence[d] }
        for f in 0..<nm {
          let dye = c.markers[markerSlots[f]] * brightness[f]
          if dye != 0 {
            for d in 0..<nm { mixed[d] += dye * applied[f * nm + d] }
          }
        }
      }
      for d in 0..<nm {
        // Electronic noise plus photon noise.
        let sd = (noise[d] * noise[d] + photon[d] * max(0, mixed[d])).squareRoot()
        storage[markerColumns[d] * n + e] = Float(min(maximum[d], max(minimum[d], mixed[d] + r.normal() * sd)))
      }
    case .spectral:
      measureSpectral(c, &r, into: &storage, event: e, events: n, signal: &mixed)
    case .mass:
      measureMass(c, &r, into: &storage, event: e, events: n)
    }
    for (column, ch) in otherColumns {
      switch ch.measures {
      case .autofluorescence:
        let s = c.isBead ? 0 : c.autofluorescence * ch.autofluorescence
        let sd = (ch.noise * ch.noise + ch.photonNoise * max(0, s)).squareRoot()
        storage[column * n + e] = Float(min(ch.range - 1, max(ch.minimum, s + r.normal() * sd)))
      case .eventLength:
        storage[column * n + e] = Float(min(75, max(10, c.length.rounded())))
      case .empty:
        storage[column * n + e] = Float(massValue(r.poisson(ch.background), &r))
      default: break  // time: filled after all events
      }
    }
  }

  private func measureScatter(_ c: SimulatedCell, _ r: inout Draws, into storage: inout [Float], event e: Int, events n: Int) {
    let s = profile.scatter!
    let nA = r.normal(), nH = r.normal(), nS = r.normal()
    let nSH = measuresSideHeight ? r.normal() : 0
    let a = c.fscA * s.forwardGain + nA * s.forwardNoise
    let h = c.fscH * s.forwardGain + nH * s.forwardNoise
    let side = c.ssc * s.sideGain + nS * s.sideNoise
    let sideH = c.sscH * s.sideGain + nSH * s.sideNoise
    for sc in scatterColumns {
      var v: Double
      switch sc.measures {
      case .forwardScatterArea: v = a * sc.scale
      case .forwardScatterHeight: v = h * sc.scale
      case .forwardScatterWidth: v = h > 0 ? a / h * s.widthScale : sc.maximum
      case .sideScatterArea: v = side * sc.scale
      case .sideScatterHeight: v = sideH * sc.scale
      default: v = sideH > 0 ? side / sideH * s.widthScale : sc.maximum
      }
      v = min(sc.maximum, max(0, v))
      storage[sc.column * n + e] = Float(s.integerValues ? v.rounded(.down) : v)
    }
  }

  /// Unmixed spectral values: own signal, autofluorescence residue, noise widened by spreading.
  private func measureSpectral(_ c: SimulatedCell, _ r: inout Draws, into storage: inout [Float], event e: Int, events n: Int,
                               signal u: inout [Double]) {
    let nm = markerColumns.count, s = profile.spectral!
    if !c.isBead {
      for m in 0..<nm { u[m] = c.markers[markerSlots[m]] * brightness[m] }
    }
    let afOffset = c.isBead ? 0 : s.autofluorescenceResidue * (c.autofluorescence - 1)
    for m in 0..<nm {
      var variance = noise[m] * noise[m] + photon[m] * max(0, u[m])
      for k in 0..<nm where k != m { variance += spreading[k * nm + m] * max(0, u[k]) }
      let v = u[m] + afOffset * autofluorescence[m] + r.normal() * variance.squareRoot()
      storage[markerColumns[m] * n + e] = Float(min(maximum[m], max(minimum[m], v)))
    }
  }

  /// Mass cytometry: Poisson ion counts.
  private func measureMass(_ c: SimulatedCell, _ r: inout Draws, into storage: inout [Float], event e: Int, events n: Int) {
    for m in 0..<markerColumns.count {
      let mean = (c.isBead ? bead[m] : c.markers[markerSlots[m]] * brightness[m]) + background[m]
      storage[markerColumns[m] * n + e] = Float(massValue(r.poisson(mean), &r))
    }
  }

  private func massValue(_ count: Double, _ r: inout Draws) -> Double {
    switch profile.mass!.values {
    case .integer: count
    case .randomized: count - r.uniform()
    case .dualCount: count == 0 ? 0 : max(0, count * r.logNormal(1, 0.08))
    }
  }
}
