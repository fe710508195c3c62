import CytoCore

/// The configurable thresholds behind every clinical flag and call. Defaults and their sources
/// are in docs/clinical.md and ../shared/docs/domain.md; a study sets its own in the panel JSON.
public struct ClinicalThresholds: Codable, Sendable, Equatable {
  public var lloq: LowerLimitOfQuantification
  public var aplasia: AplasiaRule
  public var reconstitution: ReconstitutionRule
  public var naive: NaiveRule
  public var carT: CARTRule
  public var kinetics: KineticsRule

  public init(lloq: LowerLimitOfQuantification = .init(), aplasia: AplasiaRule = .init(), reconstitution: ReconstitutionRule = .init(),
              naive: NaiveRule = .init(), carT: CARTRule = .init(), kinetics: KineticsRule = .init()) {
    self.lloq = lloq
    self.aplasia = aplasia
    self.reconstitution = reconstitution
    self.naive = naive
    self.carT = carT
    self.kinetics = kinetics
  }

  func validate(source: String) throws {
    func fail(_ s: String) -> PanelError { .invalid(file: source, detail: "thresholds: \(s)") }
    guard lloq.minEvents >= 1 else { throw fail("lloq.minEvents must be ≥ 1") }
    if let cv = lloq.maxCV { guard cv > 0 && cv < 1 else { throw fail("lloq.maxCV must be in (0, 1)") } }
    guard aplasia.maxPerMicroliter != nil || aplasia.maxPercentOfLymphocytes != nil else {
      throw fail("aplasia needs maxPerMicroliter and/or maxPercentOfLymphocytes")
    }
    guard kinetics.aucStartDay < kinetics.aucEndDay else { throw fail("kinetics.aucStartDay must be < aucEndDay") }
    guard carT.backgroundPercentOfT >= 0 else { throw fail("carT.backgroundPercentOfT must be ≥ 0") }
  }
}

/// Lower limit of quantification of an event count.
///
/// A population with fewer events than ``events`` is reported as "< LLOQ" with the value the
/// LLOQ corresponds to as its bound, never as a number (and never as 0). The Poisson CV of n
/// events is 1/√n (Shapiro; domain.md §4), so `maxCV` = 20% (the between-run precision target
/// of clinical validations) means n ≥ 25.
public struct LowerLimitOfQuantification: Codable, Sendable, Equatable {
  /// The fewest events of a quantifiable population (default 1).
  public var minEvents: Int = 1
  /// The largest acceptable Poisson CV, 1/√n (default 0.20).
  public var maxCV: Double? = 0.20

  public init(minEvents: Int = 1, maxCV: Double? = 0.20) {
    self.minEvents = minEvents
    self.maxCV = maxCV
  }

  /// The fewest quantifiable events: max(minEvents, ⌈1/maxCV²⌉).
  public var events: Int {
    guard let cv = maxCV else { return minEvents }
    return max(minEvents, Int((1 / (cv * cv) - 1e-9).rounded(.up)))
  }
}

/// When a visit counts as B-cell aplasia.
///
/// Default after the oncology definition of *loss* of aplasia, "> 1% CD19⁺ of lymphocytes or
/// 100 CD19⁺ cells (per µL)" (Cincinnati tisagenlecleucel reinfusion study, domain.md §1):
/// aplasia while CD19⁺ ≤ 1% of lymphocytes **and** ≤ 100 cells/µL. Autoimmune studies set their own.
public struct AplasiaRule: Codable, Sendable, Equatable {
  /// CD19⁺ B cells per µL at or below which a visit may be aplastic.
  public var maxPerMicroliter: Double? = 100
  /// CD19⁺ B cells as % of lymphocytes at or below which a visit may be aplastic.
  public var maxPercentOfLymphocytes: Double? = 1
  /// `all`: every given threshold must hold; `any`: one is enough.
  public var combine: Combine = .all

  public enum Combine: String, Codable, Sendable { case all, any }

  public init(maxPerMicroliter: Double? = 100, maxPercentOfLymphocytes: Double? = 1, combine: Combine = .all) {
    self.maxPerMicroliter = maxPerMicroliter
    self.maxPercentOfLymphocytes = maxPercentOfLymphocytes
    self.combine = combine
  }
}

/// When B cells count as reconstituted: the first visit after an aplastic one that is no
/// longer aplastic, confirmed on the next visit when ``confirmOnNextVisit`` (oncology practice,
/// "confirmed on a subsequent sample", domain.md §1).
public struct ReconstitutionRule: Codable, Sendable, Equatable {
  public var confirmOnNextVisit: Bool = true
  public init(confirmOnNextVisit: Bool = true) { self.confirmOnNextVisit = confirmOnNextVisit }
}

/// Returning B cells count as "predominantly naive" when naive (CD27⁻ IgD⁺) B cells are at
/// least this % of B cells (adults ≈ 60% naive; reconstitution after CAR T is naive, domain.md §1–2).
public struct NaiveRule: Codable, Sendable, Equatable {
  public var minPercentOfB: Double = 50
  public init(minPercentOfB: Double = 50) { self.minPercentOfB = minPercentOfB }
}

/// CAR T cells are *detectable* at a visit when their events reach the LLOQ and the lower 95%
/// bound of CAR⁺ % of CD3 exceeds the background: the patient's pre-infusion value when a
/// baseline visit exists, otherwise ``backgroundPercentOfT`` (0.04% for a CAR detection
/// reagent on non-CAR cells, domain.md §3).
public struct CARTRule: Codable, Sendable, Equatable {
  public var backgroundPercentOfT: Double = 0.04
  public init(backgroundPercentOfT: Double = 0.04) { self.backgroundPercentOfT = backgroundPercentOfT }
}

/// The AUC window of CAR T kinetics (default days 0–28, tisagenlecleucel AUC0–28d, domain.md §3).
public struct KineticsRule: Codable, Sendable, Equatable {
  public var aucStartDay: Double = 0
  public var aucEndDay: Double = 28
  public init(aucStartDay: Double = 0, aucEndDay: Double = 28) {
    self.aucStartDay = aucStartDay
    self.aucEndDay = aucEndDay
  }
}

extension DiagnosticCode {
  /// The file has no spillover matrix; fluorescence analysed uncompensated.
  public static let clinicalNoSpillover = DiagnosticCode("clinical.noSpillover")
  /// A gate the file's markers cannot draw was not applied (its population is its parent's events).
  public static let clinicalGateDropped = DiagnosticCode("clinical.gateDropped")
  /// The gates of a large file were found in a fixed-stride sample of its events (the counts
  /// use every event).
  public static let clinicalGatingSample = DiagnosticCode("clinical.gatingSample")
  /// A cut found no evidence in the file and used the panel's value.
  public static let clinicalCutFallback = DiagnosticCode("clinical.cutFallback")
  /// A population of the panel is not reported for this file (markers or a cut missing).
  public static let clinicalPopulationNotReported = DiagnosticCode("clinical.populationNotReported")
  /// A population was gated by a later alternative of its rule list (the first needs markers the file lacks).
  public static let clinicalGateAlternative = DiagnosticCode("clinical.gateAlternative")
  /// Which built-in panel `--panel auto` chose, and why.
  public static let clinicalPanelChosen = DiagnosticCode("clinical.panelChosen")
  /// Few bead events: bead counting adds its own CV to every absolute count.
  public static let clinicalFewBeads = DiagnosticCode("clinical.fewBeads")
}
