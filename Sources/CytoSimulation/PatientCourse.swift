import Foundation

/// One patient's course after CD19 CAR T infusion, as the Erlangen reports describe it
/// (Mackensen 2022, Nat Med 28:2124; Müller 2024, NEJM 390:687; ../shared/docs/domain.md §1, §3):
/// B cells vanish within the first week, CAR T cells expand to a peak near days 7–14 and then
/// decline, lymphocytes dip after lymphodepletion and recover, and B cells return around day
/// 100 (110 ± 32 d) mostly naive, with many transitional cells early in the recovery.
///
/// Individual parameters are drawn from the patient's seed, so each patient differs and the
/// same seed gives the same course.
public struct PatientCourse: Codable, Sendable, Equatable {
  public var patient: String
  public var seed: UInt64
  /// Visit days since infusion (day 0); the first, negative, is the pre-infusion baseline.
  public var days: [Int]
  /// B cells per µL before infusion.
  public var baselineBCells: Double
  /// B cells per µL once recovered (reached around ``reconstitutionDay`` + 60 d).
  public var recoveredBCells: Double
  /// Day the returning B cells reach 10 cells/µL.
  public var reconstitutionDay: Double
  /// Peak CAR T cells per µL and its day.
  public var carPeakPerMicroliter: Double
  public var carPeakDay: Double
  /// CAR T decline half-life after the peak, days; the level then settles at ``carPersistencePerMicroliter``.
  public var carHalfLifeDays: Double
  public var carPersistencePerMicroliter: Double
  /// Absolute lymphocyte count before infusion, cells/µL.
  public var baselineLymphocytes: Double

  /// The standard visit schedule: baseline (day −7), days 7, 14, 28, 60, 90, 120, 180, 365.
  public static let standardDays = [-7, 7, 14, 28, 60, 90, 120, 180, 365]

  /// A patient with parameters drawn from `seed`.
  public init(patient: String, seed: UInt64, days: [Int] = PatientCourse.standardDays) {
    var r = Draws(seed: seed ^ 0x5EED_C0DE_0000_0001)
    self.patient = patient
    self.seed = seed
    self.days = days
    baselineBCells = 120 + 180 * r.uniform()
    recoveredBCells = 150 + 250 * r.uniform()
    reconstitutionDay = 85 + 40 * r.uniform()
    carPeakPerMicroliter = 20 + 130 * r.uniform()
    carPeakDay = 8 + 5 * r.uniform()
    carHalfLifeDays = 8 + 10 * r.uniform()
    carPersistencePerMicroliter = 0.2 + 0.8 * r.uniform()
    baselineLymphocytes = 1_300 + 900 * r.uniform()
  }

  /// Absolute lymphocyte count on `day`: lymphodepletion (fludarabine/cyclophosphamide) halves
  /// it, recovering over about two months.
  public func lymphocytes(day: Double) -> Double {
    guard day > 0 else { return baselineLymphocytes }
    let depth = 0.55 * exp(-day / 30)
    return baselineLymphocytes * (1 - depth)
  }

  /// CAR T cells per µL: logistic expansion to the peak, exponential decline to a plateau.
  public func carT(day: Double) -> Double {
    guard day > 0 else { return 0 }
    if day <= carPeakDay {
      return carPeakPerMicroliter * pow(day / carPeakDay, 3)
    }
    let decay = exp(-log(2) * (day - carPeakDay) / carHalfLifeDays)
    return carPersistencePerMicroliter + (carPeakPerMicroliter - carPersistencePerMicroliter) * decay
  }

  /// B cells per µL: baseline before infusion, none during aplasia, a logistic return.
  public func bCells(day: Double) -> Double {
    guard day > 0 else { return baselineBCells }
    // Fall within the first week: 5% left at day 3, none after day 5.
    if day < 5 { return baselineBCells * 0.05 * (5 - day) / 2 }
    // Logistic recovery through 10 cells/µL at `reconstitutionDay`.
    let k = 0.07, x0 = reconstitutionDay + log(recoveredBCells / 10 - 1) / k
    let value = recoveredBCells / (1 + exp(-k * (day - x0)))
    return value < 0.05 ? 0 : value
  }

  /// Naive fraction of B cells: about 60% before infusion; 90% early in the recovery, easing to 75% by a year.
  public func naiveFraction(day: Double) -> Double {
    guard day > 0 else { return 0.6 }
    return 0.92 - 0.17 * min(1, max(0, (day - reconstitutionDay) / 250))
  }

  /// Transitional fraction of B cells: 5% before infusion; about 40% as B cells return, falling to 10%.
  public func transitionalFraction(day: Double) -> Double {
    guard day > 0 else { return 0.05 }
    return 0.4 - 0.3 * min(1, max(0, (day - reconstitutionDay) / 150))
  }

  /// The sample composition on `day`.
  public func composition(day: Int) -> SampleComposition {
    let d = Double(day)
    var c = SampleComposition()
    c.lymphocytesPerMicroliter = lymphocytes(day: d)
    c.bCellsPerMicroliter = bCells(day: d)
    // Plasmablasts: CD19⁻ long-lived plasma cells persist, CD19^dim plasmablasts follow the B cells.
    c.plasmablastsPerMicroliter = day > 0 ? min(3, c.bCellsPerMicroliter * 0.02) : 3
    c.naiveFraction = naiveFraction(day: d)
    c.transitionalFraction = min(c.naiveFraction, transitionalFraction(day: d))
    let nonB = c.lymphocytesPerMicroliter - c.bCellsPerMicroliter - c.plasmablastsPerMicroliter
    let t = nonB * c.tCellFractionOfNonB
    c.carPercentOfT = t > 0 ? min(60, carT(day: d) / t * 100) : 0
    return c
  }

  /// One simulator per visit, each with its own seed, all on `instrument`.
  public func visits(events: Int, tube: TubeSetup = TubeSetup(), instrument: InstrumentProfile = .reference) throws -> [SampleSimulator] {
    guard !days.isEmpty, Set(days).count == days.count else { throw SimulationError.invalidTimeline("visit days must be distinct and non-empty") }
    return days.sorted().enumerated().map { i, day in
      SampleSimulator(composition: composition(day: day), tube: tube, events: events,
                      seed: seed &* 1_000_003 &+ UInt64(i + 1), patient: patient, day: day, instrument: instrument)
    }
  }
}
