extension SimulatedCell {
  /// The markers beyond the reference panel, DNA content and event length for a live cell of
  /// kind `k` (the reference markers are already drawn).
  ///
  /// Levels follow peripheral-blood immunophenotypes (../shared/docs/domain.md §2):
  /// - CD20: every B cell bright (transitional brightest); plasmablasts CD20^low/− (60% negative).
  /// - CD16+56 (one reagent, as in BD Multitest): NK cells bright; neutrophils CD16 bright (90% of
  ///   granulocytes; eosinophils negative); 15% of monocytes (non-classical) CD16 dim; T and B negative.
  /// - CD14: monocytes bright (the CD16⁺ ones dimmer), granulocytes dim, the rest negative.
  /// - CD66b: granulocytes bright, the rest negative.
  /// - CD10: transitional B cells positive; neutrophils positive; the rest negative.
  /// - CD34: negative on every blood cell kind simulated (progenitors are not simulated).
  /// - HLA-DR: B cells bright, plasmablasts dimmer, monocytes positive, 8% of T cells and 40% of
  ///   CAR T cells (activated), 10% of NK cells dim; granulocytes negative.
  /// - IgM: naive and unswitched memory positive, transitional brightest, 20% of double-negative
  ///   B cells and of plasmablasts; switched memory negative.
  /// - DNA: 2N for every cell (CV 7%); event length ≈ 24 pushes (10–75) for lymphocytes, longer for
  ///   monocytes and granulocytes.
  mutating func drawExtendedMarkers(_ k: CellKind, _ r: inout Draws) {
    for m in Marker.extendedMarkers { set(m, r.logNormal(15, 0.5)) }
    set(.dna, r.logNormal(6_000, 0.07))
    switch k {
    case .granulocyte: length = r.logNormal(30, 0.27)
    case .monocyte: length = r.logNormal(28, 0.27)
    default: length = r.logNormal(24, 0.27)
    }
    if k.isT {
      if r.uniform() < (k.isCAR ? 0.4 : 0.08) { set(.hlaDR, r.logNormal(k.isCAR ? 3_000 : 1_500, 0.35)) }
    }
    switch k {
    case .transitionalB:
      set(.cd20, r.logNormal(11_000, 0.2)); set(.cd10, r.logNormal(2_500, 0.3))
      set(.hlaDR, r.logNormal(10_000, 0.25)); set(.igm, r.logNormal(12_000, 0.25))
    case .naiveB:
      set(.cd20, r.logNormal(9_000, 0.22)); set(.hlaDR, r.logNormal(10_000, 0.25)); set(.igm, r.logNormal(6_000, 0.3))
    case .unswitchedMemoryB:
      set(.cd20, r.logNormal(9_000, 0.22)); set(.hlaDR, r.logNormal(10_000, 0.25)); set(.igm, r.logNormal(7_000, 0.3))
    case .switchedMemoryB:
      set(.cd20, r.logNormal(9_000, 0.22)); set(.hlaDR, r.logNormal(10_000, 0.25))
    case .doubleNegativeB:
      set(.cd20, r.logNormal(7_000, 0.25)); set(.hlaDR, r.logNormal(9_000, 0.25))
      if r.uniform() < 0.2 { set(.igm, r.logNormal(2_500, 0.35)) }
    case .plasmablast:
      if r.uniform() < 0.4 { set(.cd20, r.logNormal(500, 0.4)) }
      set(.hlaDR, r.logNormal(4_000, 0.35))
      if r.uniform() < 0.2 { set(.igm, r.logNormal(3_000, 0.35)) }
    case .nk:
      set(.cd16CD56, r.logNormal(8_000, 0.35))
      if r.uniform() < 0.1 { set(.hlaDR, r.logNormal(800, 0.35)) }
    case .monocyte:
      if r.uniform() < 0.15 {
        set(.cd16CD56, r.logNormal(1_200, 0.4)); set(.cd14, r.logNormal(2_500, 0.35))
      } else {
        set(.cd14, r.logNormal(12_000, 0.25))
      }
      set(.hlaDR, r.logNormal(6_000, 0.35))
    case .granulocyte:
      set(.cd66b, r.logNormal(9_000, 0.25)); set(.cd14, r.logNormal(400, 0.4))
      if r.uniform() < 0.9 {
        set(.cd16CD56, r.logNormal(20_000, 0.3)); set(.cd10, r.logNormal(6_000, 0.3))
      }
    default: break
    }
  }
}
