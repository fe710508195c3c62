import CytoClinical
import Testing

/// The IgG flags, IVIG exposure and CRS/ICANS summaries of ``ClinicalCourse`` (docs/clinical-data.md,
/// "Flags and summaries").
@Suite struct ClinicalCourseTests {
  static func igG(_ day: Double, _ v: Double, _ c: LabMeasurement.Censoring = .none, source: String = "lab") -> LabRow {
    LabRow(patient: "P", day: day, analyte: .known(.igG), measurement: LabMeasurement(number: v, censoring: c, unit: "g/L"),
           valueAsGiven: "\(v)", unitAsGiven: "g/L", factor: 1, source: source, line: 2)
  }

  static func ivig(_ day: Double, end: Double? = nil, dose: Double = 0.4) -> EventRow {
    EventRow(patient: "P", kind: .ivig, startDay: day, endDay: end, dose: dose, doseUnit: "g/kg", line: 2)
  }

  static func graded(_ kind: ClinicalEventKind, _ start: Double, _ end: Double?, _ grade: Int) -> EventRow {
    EventRow(patient: "P", kind: kind, startDay: start, endDay: end, grade: grade, line: 2)
  }

  @Test func hypogammaglobulinaemiaIsStrictlyBelowTheThreshold() {
    let c = ClinicalCourse.compute(labs: [Self.igG(30, 3.99), Self.igG(60, 4), Self.igG(90, 7.2)], events: [])
    #expect(c.igG.map(\.belowThreshold) == [true, false, false])
    #expect(c.flagged(.hypogammaglobulinaemia).map(\.day) == [30])
    let f = c.igG[0].flags
    #expect(f.count == 1 && f[0].rule == "IgG < 4 g/L" && f[0].source.contains("Hill"))
  }

  @Test func boundsAreBelowOnlyWhenTheyTell() {
    // <x with x ≤ threshold is below; <x above it and >x below it cannot tell; >x ≥ threshold is not below.
    let m = { (v: Double, c: LabMeasurement.Censoring) in LabMeasurement(number: v, censoring: c, unit: "g/L") }
    #expect(IgGReading.isBelow(m(4, .below), threshold: 4) == true)
    #expect(IgGReading.isBelow(m(1.5, .below), threshold: 4) == true)
    #expect(IgGReading.isBelow(m(6, .below), threshold: 4) == nil)
    #expect(IgGReading.isBelow(m(2, .above), threshold: 4) == nil)
    #expect(IgGReading.isBelow(m(4, .above), threshold: 4) == false)
    let c = ClinicalCourse.compute(labs: [Self.igG(30, 6, .below)], events: [])
    #expect(c.igG[0].belowThreshold == nil && c.igG[0].flags.isEmpty)
  }

  @Test func theThresholdComesFromTheRules() {
    let labs = [Self.igG(30, 5.5)]
    #expect(ClinicalCourse.compute(labs: labs, events: []).flagged(.hypogammaglobulinaemia).isEmpty)
    let strict = ClinicalCourse.compute(labs: labs, events: [], rules: ClinicalContextRules(hypogammaglobulinaemiaIgGBelow: 7))
    #expect(strict.flagged(.hypogammaglobulinaemia).map(\.day) == [30])
    #expect(strict.igG[0].flags[0].rule == "IgG < 7 g/L")
  }

  @Test func ivigConfoundingWindowEdges() {
    // Dose on day 60: a draw the same day, 28 days later, counts; 28.5 days later and the day before do not.
    let labs = [Self.igG(59, 3), Self.igG(60, 3), Self.igG(88, 6), Self.igG(88.5, 6)]
    let c = ClinicalCourse.compute(labs: labs, events: [Self.ivig(60)])
    #expect(c.igG.map { $0.confoundingDose?.startDay } == [nil, 60, 60, nil])
    #expect(c.flagged(.ivigConfounded).map(\.day) == [60, 88])
    let rule = c.igG[2].flags.first { $0.kind == .ivigConfounded }!.rule
    #expect(rule == "drawn 28 d after IVIG 0.4 g/kg on day 60 (window 28 d)")
    // Both flags on one reading: low and confounded.
    #expect(c.igG[1].flags.map(\.kind) == [.hypogammaglobulinaemia, .ivigConfounded])
  }

  @Test func theMostRecentDoseIsRecordedAndAMultiDayDoseCountsFromItsLastDay() {
    let c = ClinicalCourse.compute(labs: [Self.igG(100, 5), Self.igG(125, 5)],
                                   events: [Self.ivig(70, dose: 0.3), Self.ivig(90, end: 91, dose: 0.5)])
    #expect(c.igG[0].confoundingDose == IVIGDose(startDay: 90, endDay: 91, gramsPerKilogram: 0.5))
    // Day 125 is 34 days after day 91: outside the window.
    #expect(c.igG[1].confoundingDose == nil)
    let wide = ClinicalCourse.compute(labs: [Self.igG(125, 5)], events: [Self.ivig(90, end: 91)],
                                      rules: ClinicalContextRules(ivigConfoundingDays: 84))
    #expect(wide.igG[0].confoundingDose?.startDay == 90)
  }

  @Test func monthsOnIVIGIsTheUnionOfFourWeekIntervals() throws {
    #expect(IVIGExposure.months([]) == nil)
    // One dose: 28 days.
    #expect(try #require(IVIGExposure.months([IVIGDose(startDay: 60)])) == 28 / 30.4375)
    // Doses every 28 days: contiguous, 3 × 28 days.
    let monthly = [60.0, 88, 116].map { IVIGDose(startDay: $0) }
    #expect(try #require(IVIGExposure.months(monthly)) == 84 / 30.4375)
    // Overlapping doses (every 21 days) count once: [60, 130) = 70 days; order does not matter.
    let overlapping = [102.0, 60, 81].map { IVIGDose(startDay: $0) }
    #expect(try #require(IVIGExposure.months(overlapping)) == 70 / 30.4375)
    // A gap: [60, 88) and [200, 228) = 56 days.
    let gap = [60.0, 200].map { IVIGDose(startDay: $0) }
    #expect(try #require(IVIGExposure.months(gap)) == 56 / 30.4375)
    // A two-day dose covers 28 days from its last day.
    #expect(try #require(IVIGExposure.months([IVIGDose(startDay: 60, endDay: 61)])) == 29 / 30.4375)
    let c = ClinicalCourse.compute(labs: [], events: monthly.map { Self.ivig($0.startDay) })
    #expect(c.monthsOnIVIG == 84 / 30.4375 && c.ivigDoses.count == 3)
  }

  @Test func crsAndICANSSummaries() throws {
    let events = [Self.graded(.crs, 9, nil, 1), Self.graded(.crs, 2, 5, 1), Self.graded(.crs, 6, 7, 3), Self.graded(.icans, 5, nil, 2)]
    let c = ClinicalCourse.compute(labs: [], events: events)
    let crs = try #require(c.crs)
    #expect(crs.maxGrade == 3 && crs.onsetDay == 2 && crs.durationDays == 3 && crs.episodes.map(\.startDay) == [2, 6, 9])
    // ICANS with no end: onset known, duration unknown (ongoing or single day without an end).
    let icans = try #require(c.icans)
    #expect(icans.maxGrade == 2 && icans.onsetDay == 5 && icans.durationDays == nil)
    // A single-day episode with its end on the start day lasts 0 days.
    #expect(AdverseEventSummary.of(.crs, in: [Self.graded(.crs, 3, 3, 1)])?.durationDays == 0)
  }

  @Test func noDataGivesAnEmptyCourse() {
    let c = ClinicalCourse.compute(labs: [], events: [])
    #expect(c.isEmpty && c.crs == nil && c.icans == nil && c.monthsOnIVIG == nil && c.igG.isEmpty && c.days.isEmpty)
  }

  @Test func otherEventsAndLabsAreSortedByDayAndKeptApart() {
    let labs = [
      LabRow(patient: "P", day: 14, analyte: .known(.carTransgene), measurement: LabMeasurement(number: 0.5, censoring: .below, unit: "copies/µg DNA"),
             valueAsGiven: "<0.5", unitAsGiven: "copies/µg DNA", factor: 1, line: 3),
      LabRow(patient: "P", day: 7, analyte: .known(.carTransgene), measurement: LabMeasurement(number: 12_000, unit: "copies/µg DNA"),
             valueAsGiven: "12000", unitAsGiven: "copies/µg DNA", factor: 1, line: 2),
      LabRow(patient: "P", day: 7, analyte: .known(.alc), measurement: LabMeasurement(number: 600, unit: "cells/µL"),
             valueAsGiven: "0.6", unitAsGiven: "G/L", factor: 1000, line: 4),
      LabRow(patient: "P", day: 7, analyte: .free("ESR"), measurement: LabMeasurement(number: 20, unit: "mm/h"),
             valueAsGiven: "20", unitAsGiven: "mm/h", factor: nil, line: 5),
    ]
    let events = [
      EventRow(patient: "P", kind: .corticosteroids, startDay: 4, line: 2),
      EventRow(patient: "P", kind: .tocilizumab, startDay: 3, dose: 8, doseUnit: "mg/kg", line: 3),
      EventRow(patient: "P", kind: .diseaseActivity, startDay: 90, value: 2, detail: "SLEDAI-2K", line: 4),
      Self.ivig(60),
    ]
    let c = ClinicalCourse.compute(labs: labs, events: events)
    #expect(c.carTransgene.map(\.day) == [7, 14] && c.carTransgene[1].measurement.lessThan == 0.5)
    #expect(c.alc.map(\.measurement.number) == [600])
    #expect(c.otherEvents.map(\.kind) == [.tocilizumab, .corticosteroids, .diseaseActivity])
    #expect(c.igG.isEmpty && c.ivigDoses.map(\.startDay) == [60] && !c.isEmpty)
    #expect(Set(c.days) == [3, 4, 7, 14, 60, 90])
  }
}
