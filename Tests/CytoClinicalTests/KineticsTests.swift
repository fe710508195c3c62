import CytoClinical
import Testing

/// Kinetics and B-cell course of hand-computed series.
@Suite struct KineticsTests {
  /// A quantity of `n` events at scale 1 (value = events), LLOQ 25 events.
  func q(_ n: Int, _ unit: ClinicalUnit = .cellsPerMicroliter) -> Quantity { Quantity(events: n, scale: 1, unit: unit, lloqEvents: 25) }

  @Test func carKineticsOfAHandSeries() {
    // Baseline below LLOQ, expansion to 100/µL at day 14, decline, below LLOQ by day 60.
    let series = [SeriesPoint(day: -7, quantity: q(0)), SeriesPoint(day: 7, quantity: q(50)), SeriesPoint(day: 14, quantity: q(100)),
                  SeriesPoint(day: 28, quantity: q(20, .cellsPerMicroliter)), SeriesPoint(day: 60, quantity: q(3))]
    // 20 events < LLOQ 25: below LLOQ, counts as 0 in the AUC, not measurable for Tlast.
    let k = CARKinetics.compute(series, window: KineticsRule())
    #expect(k.cmax == 100 && k.tmax == 14)
    #expect(k.tlast == 14)
    // Knots (0, 0) [no visit on day 0: level 0 at infusion], (7, 50), (14, 100), (28, 0):
    // 7·25 + 7·75 + 14·50 = 175 + 525 + 700.
    #expect(k.auc == 1_400)
    #expect(k.aucTruncatedAtDay == nil)
    #expect(k.unit == .cellsPerMicroliter && k.aucUnit == .cellsPerMicroliterDays)
    #expect(k.visits == 4)
  }

  @Test func aucInterpolatesAtTheWindowEndsAndStopsAtTheLastVisit() {
    let series = [SeriesPoint(day: 7, quantity: q(50)), SeriesPoint(day: 14, quantity: q(100)), SeriesPoint(day: 28, quantity: q(40)),
                  SeriesPoint(day: 60, quantity: q(30))]
    // Window 10–30: level at 10 = 50 + 50·3/7, at 30 = 40 − 10·2/32.
    let k = CARKinetics.compute(series, window: KineticsRule(aucStartDay: 10, aucEndDay: 30))
    let y10 = 50 + 50 * 3.0 / 7, y30 = 40 - 10 * 2.0 / 32
    let expected = 4 * (y10 + 100) / 2 + 14 * (100 + 40) / 2 + 2 * (40 + y30) / 2
    #expect(abs(k.auc! - expected) < 1e-9)
    #expect(k.tlast == 60)
    // A window past the last visit: the area stops there, and says so.
    let long = CARKinetics.compute(series, window: KineticsRule(aucStartDay: 0, aucEndDay: 90))
    #expect(long.aucTruncatedAtDay == 60)
    #expect(abs(long.auc! - (7 * 25 + 7 * 75 + 14 * 70 + 32 * 35)) < 1e-9)
  }

  @Test func percentSeriesKeepsItsUnit() {
    let k = CARKinetics.compute([SeriesPoint(day: 10, quantity: q(30, .percentOfCD3))], window: KineticsRule())
    #expect(k.unit == .percentOfCD3 && k.aucUnit == .percentOfCD3Days)
  }

  typealias V = BCellCourse.Visit

  @Test func reconstitutionConfirmedOnTheNextVisit() {
    let c = BCellCourse.compute([V(day: -7, aplasia: .no), V(day: 7, aplasia: .yes), V(day: 14, aplasia: .yes), V(day: 60, aplasia: .yes),
                                 V(day: 90, aplasia: .no, naivePercentOfB: q(90, .percentOfB), predominantlyNaive: true),
                                 V(day: 120, aplasia: .no)], rule: ReconstitutionRule())
    #expect(c.aplasiaOnsetDay == 7 && c.reconstitutionDay == 90 && c.reconstitutionConfirmed == true)
    #expect(c.aplasiaDurationDays == 83 && !c.ongoing)
    #expect(c.naivePercentAtReconstitution?.value == 90 && c.predominantlyNaiveAtReconstitution == true)
  }

  @Test func aBlipBackIntoAplasiaIsNotReconstitution() {
    let visits = [V(day: 7, aplasia: .yes), V(day: 90, aplasia: .no), V(day: 120, aplasia: .yes), V(day: 150, aplasia: .indeterminate),
                  V(day: 180, aplasia: .no), V(day: 365, aplasia: .no)]
    let c = BCellCourse.compute(visits, rule: ReconstitutionRule())
    #expect(c.reconstitutionDay == 180 && c.aplasiaDurationDays == 173)
    // Without confirmation the first non-aplastic visit counts.
    let unconfirmed = BCellCourse.compute(visits, rule: ReconstitutionRule(confirmOnNextVisit: false))
    #expect(unconfirmed.reconstitutionDay == 90 && unconfirmed.reconstitutionConfirmed == nil)
  }

  @Test func lastVisitCannotBeConfirmedYetAndOngoingAplasiaHasADurationSoFar() {
    let pending = BCellCourse.compute([V(day: 7, aplasia: .yes), V(day: 100, aplasia: .no)], rule: ReconstitutionRule())
    #expect(pending.reconstitutionDay == 100 && pending.reconstitutionConfirmed == false)
    let ongoing = BCellCourse.compute([V(day: 7, aplasia: .yes), V(day: 28, aplasia: .yes), V(day: 60, aplasia: .yes)], rule: ReconstitutionRule())
    #expect(ongoing.ongoing && ongoing.aplasiaDurationDays == 53 && ongoing.reconstitutionDay == nil)
    let never = BCellCourse.compute([V(day: 7, aplasia: .no)], rule: ReconstitutionRule())
    #expect(never.aplasiaOnsetDay == nil && !never.ongoing)
  }
}
