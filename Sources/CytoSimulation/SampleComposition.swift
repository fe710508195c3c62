/// What is in the blood sample and the tube: concentrations per µL of blood, subset fractions,
/// the counting-bead setup and the acquisition's non-cell events.
///
/// All concentrations are live, single leukocytes per µL of whole blood. Dead cells, doublets
/// and debris are extra events that a correct gating strategy removes.
public struct SampleComposition: Codable, Sendable, Equatable {
  /// Absolute lymphocyte count (T + B + plasmablasts + NK), cells/µL. Adult range ≈ 1000–4800.
  public var lymphocytesPerMicroliter: Double = 1_800
  /// Monocytes, cells/µL.
  public var monocytesPerMicroliter: Double = 450
  /// Granulocytes, cells/µL.
  public var granulocytesPerMicroliter: Double = 4_000
  /// CD19⁺ B cells excluding plasmablasts, cells/µL (ARUP adult range 94–588). Zero is aplasia.
  public var bCellsPerMicroliter: Double = 250
  /// Plasmablasts (CD19^dim CD27^hi CD38^hi), cells/µL (ARUP adult range 1–8).
  public var plasmablastsPerMicroliter: Double = 3
  /// Naive B cells (CD27⁻ IgD⁺, transitional included) as a fraction of B cells.
  public var naiveFraction: Double = 0.62
  /// Transitional B cells (CD24^hi CD38^hi, a naive phenotype) as a fraction of B cells; ≤ ``naiveFraction``.
  public var transitionalFraction: Double = 0.05
  /// Unswitched memory (CD27⁺ IgD⁺) as a fraction of the memory and double-negative B cells.
  public var unswitchedFractionOfNonNaive: Double = 0.35
  /// Switched memory (CD27⁺ IgD⁻) as a fraction of the memory and double-negative B cells; the rest is double negative.
  public var switchedFractionOfNonNaive: Double = 0.5
  /// T cells among lymphocytes that are neither B cells nor plasmablasts (the rest are NK cells).
  public var tCellFractionOfNonB: Double = 0.82
  /// CD4⁺CD8⁻ among T cells.
  public var cd4FractionOfT: Double = 0.62
  /// CD4⁻CD8⁺ among T cells.
  public var cd8FractionOfT: Double = 0.31
  /// CD4⁺CD8⁺ among T cells (the rest are CD4⁻CD8⁻).
  public var doublePositiveFractionOfT: Double = 0.02
  /// CAR⁺ T cells as a percentage of T cells (CD3⁺), spread over CD4/CD8 like all T cells.
  public var carPercentOfT: Double = 0
  /// Dead cells as a fraction of live cells (extra events, viability-dye bright).
  public var deadFraction: Double = 0.05
  /// Debris as a fraction of all events.
  public var debrisFraction: Double = 0.06
  /// Doublets as a fraction of all events.
  public var doubletFraction: Double = 0.03

  public init() {}

  /// Checks every value is finite and in range.
  /// - Throws: ``SimulationError/invalidComposition(_:)`` naming the field.
  public func validate() throws {
    func need(_ ok: Bool, _ what: String) throws { if !ok { throw SimulationError.invalidComposition(what) } }
    for (name, v) in [("lymphocytesPerMicroliter", lymphocytesPerMicroliter), ("monocytesPerMicroliter", monocytesPerMicroliter),
                      ("granulocytesPerMicroliter", granulocytesPerMicroliter), ("bCellsPerMicroliter", bCellsPerMicroliter),
                      ("plasmablastsPerMicroliter", plasmablastsPerMicroliter)] {
      try need(v.isFinite && v >= 0, "\(name) must be a finite number ≥ 0 (got \(v))")
    }
    try need(bCellsPerMicroliter + plasmablastsPerMicroliter <= lymphocytesPerMicroliter,
             "B cells + plasmablasts (\(bCellsPerMicroliter + plasmablastsPerMicroliter)/µL) exceed the lymphocytes (\(lymphocytesPerMicroliter)/µL)")
    for (name, v) in [("naiveFraction", naiveFraction), ("transitionalFraction", transitionalFraction),
                      ("unswitchedFractionOfNonNaive", unswitchedFractionOfNonNaive), ("switchedFractionOfNonNaive", switchedFractionOfNonNaive),
                      ("tCellFractionOfNonB", tCellFractionOfNonB), ("cd4FractionOfT", cd4FractionOfT), ("cd8FractionOfT", cd8FractionOfT),
                      ("doublePositiveFractionOfT", doublePositiveFractionOfT), ("deadFraction", deadFraction)] {
      try need(v.isFinite && v >= 0 && v <= 1, "\(name) must be in 0…1 (got \(v))")
    }
    try need(transitionalFraction <= naiveFraction, "transitionalFraction (\(transitionalFraction)) exceeds naiveFraction (\(naiveFraction))")
    try need(unswitchedFractionOfNonNaive + switchedFractionOfNonNaive <= 1, "unswitched + switched fractions exceed 1")
    try need(cd4FractionOfT + cd8FractionOfT + doublePositiveFractionOfT <= 1, "CD4 + CD8 + double-positive fractions exceed 1")
    try need(carPercentOfT.isFinite && carPercentOfT >= 0 && carPercentOfT <= 100, "carPercentOfT must be in 0…100 (got \(carPercentOfT))")
    try need(debrisFraction >= 0 && doubletFraction >= 0 && debrisFraction + doubletFraction < 0.9,
             "debrisFraction + doubletFraction must be in 0…0.9")
  }
}

/// The counting tube: blood volume and, when the instrument's tube has counting beads
/// (``InstrumentProfile/countingBeads``), the single-platform bead count (BD TruCount-like).
public struct TubeSetup: Codable, Sendable, Equatable {
  /// Blood volume in the tube, µL (50 µL for BD Multitest TBNK).
  public var bloodVolumeMicroliters: Double = 50
  /// Beads per tube (lot-specific on the pouch label).
  public var beadsPerTest: Double = 50_000
  public init(bloodVolumeMicroliters: Double = 50, beadsPerTest: Double = 50_000) {
    self.bloodVolumeMicroliters = bloodVolumeMicroliters
    self.beadsPerTest = beadsPerTest
  }
}

/// A simulation input that cannot be simulated.
public enum SimulationError: Error, Equatable, CustomStringConvertible {
  case invalidComposition(String)
  case invalidTube(String)
  case invalidEventCount(Int)
  case invalidTimeline(String)
  /// An instrument profile that cannot be simulated (names the profile and the problem).
  case invalidInstrument(String)
  /// No built-in instrument profile has this name.
  case unknownInstrument(String, known: [String])

  public var description: String {
    switch self {
    case .invalidComposition(let s): "invalid sample composition: \(s)"
    case .invalidTube(let s): "invalid tube setup: \(s)"
    case .invalidEventCount(let n): "invalid event count \(n): need 1…\(SampleSimulator.maximumEvents)"
    case .invalidTimeline(let s): "invalid timeline: \(s)"
    case .invalidInstrument(let s): "invalid instrument profile \(s)"
    case .unknownInstrument(let name, let known): "unknown instrument '\(name)'; the built-in instruments are: \(known.joined(separator: ", "))"
    }
  }
}
