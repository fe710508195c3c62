/// One event before the instrument sees it: true scatter (on the reference instrument's scale),
/// true marker levels (``Marker``), an autofluorescence multiplier, and for mass cytometry the
/// event length.
///
/// The reference panel's markers are drawn exactly as before instrument profiles existed, from
/// the same random stream in the same order, so the default files are unchanged; the other
/// markers (``Marker/extendedMarkers``) and the event length are drawn after them only when the
/// instrument measures them (`extended`).
struct SimulatedCell {
  var fscA: Double, fscH: Double, ssc: Double
  /// Marker levels in true dye units, indexed by ``Marker/index``.
  var markers = SIMD32<Double>()
  var autofluorescence: Double
  /// A counting bead: its fluorescence comes from the instrument's bead levels, not from markers.
  var isBead = false
  /// Mass-cytometry event length, in pushes (drawn with the extended markers).
  var length = 0.0

  mutating func set(_ m: Marker, _ v: Double) { markers[m.index] = v }
  func value(_ m: Marker) -> Double { markers[m.index] }

  /// Side-scatter height: the pulse has the forward-scatter pulse's shape.
  var sscH: Double { fscA > 0 ? ssc * fscH / fscA : 0 }

  /// A live single cell of kind `k`. Positive and negative levels are separated by ≥ 3.5 σ
  /// (tails truncated) in every marker a reset-panel gate uses for that kind.
  static func draw(_ k: CellKind, _ r: inout Draws, extended: Bool) -> SimulatedCell {
    var c: SimulatedCell
    switch k {
    case .granulocyte:
      c = SimulatedCell(fscA: r.logNormal(110_000, 0.08), fscH: 0, ssc: r.logNormal(118_000, 0.12), autofluorescence: r.logNormal(3.5, 0.25))
    case .monocyte:
      c = SimulatedCell(fscA: r.logNormal(95_000, 0.08), fscH: 0, ssc: r.logNormal(48_000, 0.1), autofluorescence: r.logNormal(2.2, 0.25))
    default:
      c = SimulatedCell(fscA: r.logNormal(62_000, 0.08), fscH: 0, ssc: r.logNormal(15_000, 0.14), autofluorescence: r.logNormal(1, 0.2))
    }
    c.fscH = c.fscA * r.logNormal(0.84, 0.03)
    // Nonspecific binding: a little of every dye on every cell.
    for m in Marker.referenceMarkers { c.set(m, r.logNormal(15, 0.5)) }
    switch k {
    case .granulocyte:
      c.set(.cd45, r.logNormal(2_600, 0.2)); c.set(.cd24, r.logNormal(7_500, 0.3)); c.set(.cd38, r.logNormal(300, 0.5))
    case .monocyte:
      c.set(.cd45, r.logNormal(6_500, 0.18)); c.set(.cd4, r.logNormal(1_400, 0.3)); c.set(.cd38, r.logNormal(1_500, 0.35))
    default:
      c.set(.cd45, r.logNormal(15_000, 0.18))
    }
    if let t = k.tSubset {
      c.set(.cd3, r.logNormal(6_000, 0.22))
      if t == 0 || t == 2 { c.set(.cd4, r.logNormal(t == 2 ? 5_000 : 8_000, 0.22)) }
      if t == 1 || t == 2 { c.set(.cd8, r.logNormal(t == 2 ? 6_000 : 11_000, 0.25)) }
      if r.uniform() < 0.75 { c.set(.cd27, r.logNormal(3_000, 0.3)) }
      c.set(.cd38, r.uniform() < 0.2 ? r.logNormal(1_500, 0.3) : r.logNormal(200, 0.5))
      if k.isCAR { c.set(.car, r.logNormal(3_000, 0.42)) }
    }
    switch k {
    case .transitionalB:
      c.set(.cd19, r.logNormal(5_500, 0.22)); c.set(.igd, r.logNormal(9_000, 0.25))
      c.set(.cd24, r.logNormal(18_000, 0.14)); c.set(.cd38, r.logNormal(14_000, 0.14))
    case .naiveB:
      c.set(.cd19, r.logNormal(5_000, 0.22)); c.set(.igd, r.logNormal(7_000, 0.28))
      c.set(.cd24, r.logNormal(3_500, 0.22)); c.set(.cd38, r.logNormal(2_000, 0.28))
    case .unswitchedMemoryB, .switchedMemoryB, .doubleNegativeB:
      c.set(.cd19, r.logNormal(5_000, 0.22)); c.set(.cd24, r.logNormal(8_000, 0.2)); c.set(.cd38, r.logNormal(500, 0.45))
      if k != .doubleNegativeB { c.set(.cd27, r.logNormal(4_000, 0.28)) }
      if k == .unswitchedMemoryB { c.set(.igd, r.logNormal(5_000, 0.28)) }
    case .plasmablast:
      c.set(.cd19, r.logNormal(1_800, 0.22)); c.set(.cd27, r.logNormal(14_000, 0.18)); c.set(.cd38, r.logNormal(45_000, 0.18))
    case .nk:
      if r.uniform() < 0.4 { c.set(.cd8, r.logNormal(1_300, 0.3)) }
      if r.uniform() < 0.1 { c.set(.cd27, r.logNormal(1_200, 0.3)) }
      c.set(.cd38, r.logNormal(3_000, 0.28))
    default: break
    }
    if extended { c.drawExtendedMarkers(k, &r) }
    return c
  }

  /// A dead cell: scatter shrinks, side scatter rises, viability dye (cisplatin) bright.
  static func dead(_ k: CellKind, _ r: inout Draws, extended: Bool) -> SimulatedCell {
    var c = draw(k, &r, extended: extended)
    c.fscA *= 0.8
    c.fscH = c.fscA * r.logNormal(0.84, 0.03)
    c.ssc *= 1.25
    c.set(.viability, r.logNormal(9_000, 0.3))
    return c
  }

  /// Two cells passing together: areas, markers and DNA add, the height barely rises, the event
  /// lasts longer.
  static func doublet(_ a: CellKind, _ b: CellKind, _ r: inout Draws, extended: Bool) -> SimulatedCell {
    let x = draw(a, &r, extended: extended), y = draw(b, &r, extended: extended)
    var d = SimulatedCell(fscA: x.fscA + y.fscA, fscH: max(x.fscH, y.fscH) * r.logNormal(1.08, 0.04), ssc: x.ssc + y.ssc,
                          autofluorescence: x.autofluorescence + y.autofluorescence)
    d.markers = x.markers + y.markers
    d.length = x.length + 0.7 * y.length
    return d
  }

  /// Debris: small, dim, partly viability-dye bright, little DNA.
  static func debris(_ r: inout Draws, extended: Bool) -> SimulatedCell {
    var c = SimulatedCell(fscA: r.logNormal(8_000, 0.45), fscH: 0, ssc: r.logNormal(5_000, 0.5), autofluorescence: r.logNormal(0.4, 0.4))
    c.fscH = c.fscA * r.logNormal(0.9, 0.06)
    for m in Marker.referenceMarkers { c.set(m, r.logNormal(8, 0.5)) }
    c.set(.cd45, r.logNormal(60, 0.8))
    if r.uniform() < 0.4 { c.set(.viability, r.logNormal(6_000, 0.6)) }
    if extended {
      for m in Marker.extendedMarkers { c.set(m, r.logNormal(8, 0.5)) }
      c.set(.dna, r.logNormal(400, 0.9))
      c.length = r.logNormal(13, 0.25)
    }
    return c
  }

  /// A counting bead: low forward scatter; its fluorescence is the instrument's bead level in
  /// each channel (not subject to spillover), jittered when measured. No DNA.
  static func bead(_ r: inout Draws, extended: Bool) -> SimulatedCell {
    var c = SimulatedCell(fscA: r.logNormal(16_000, 0.06), fscH: 0, ssc: r.logNormal(22_000, 0.06), autofluorescence: 0)
    c.fscH = c.fscA * r.logNormal(0.95, 0.02)
    c.isBead = true
    if extended { c.length = r.logNormal(18, 0.1) }
    return c
  }
}
