import CytoClinical
import CytoFCS
import CytoSimulation
import Testing

/// A lab ALC applied to an analysis made without a count equals analysing with `--alc` of the
/// same value; removing it gives back the analysis without a count. The matching rules of
/// ``LabALCMatch`` (docs/clinical-data.md, "Dual-platform counts from lab ALC").
@Suite struct LabCountTests {
  static func lab(_ day: Double, _ value: Double, censoring: LabMeasurement.Censoring = .none, source: String = "lab",
                  analyte: ClinicalAnalyte = .alc, version: Int = 1) -> LabALCMatch.Candidate {
    LabALCMatch.Candidate(row: LabRow(patient: "P", day: day, analyte: .known(analyte),
                                      measurement: LabMeasurement(number: value, censoring: censoring, unit: "cells/µL"),
                                      valueAsGiven: "", unitAsGiven: "", factor: 1, source: source, line: 2), version: version)
  }

  /// B cells from present to aplastic (the aplasia call changes with cells/µL), ALC values
  /// around the 100 cells/µL B threshold.
  @Test(arguments: [(250.0, UInt64(31), 1_400.0), (0.5, 32, 800), (40, 33, 250)])
  func labALCEqualsAnalysingWithAlc(bPerMicroliter: Double, seed: UInt64, alc: Double) throws {
    var c = SampleComposition()
    c.bCellsPerMicroliter = bPerMicroliter
    let (table, _) = try SampleSimulator(composition: c, events: 20_000, seed: seed).simulate()
    let file = try FCSFile(bytes: try FCSWriter.encode(table), path: "lab.fcs")
    let panel = try PanelDefinition.reset
    let visit = VisitInfo(patient: "P", day: 14)
    let none = try VisitAnalyzer(panel: panel).analyze(file.dataSets[0], file: "lab.fcs", visit: visit)
    let withALC = try VisitAnalyzer(panel: panel, countMethod: .dualPlatform(lymphocytesPerMicroliter: alc))
      .analyze(file.dataSets[0], file: "lab.fcs", visit: visit)
    let source = LabCountSource(lymphocytesPerMicroliter: alc, labDay: 13, visitDaySinceFirstInfusion: 14, source: "hem", method: "",
                                version: 1, windowDays: 1)
    var applied = try none.applyingLabALC(source, thresholds: panel.thresholds)
    #expect(applied.labCount == source)
    #expect(applied.population(panel.roles.bCells)?.absolute != nil)
    applied.labCount = nil
    #expect(applied == withALC)
    // From one lab value to another, and back to none.
    let other = LabCountSource(lymphocytesPerMicroliter: alc * 2, labDay: 14, visitDaySinceFirstInfusion: 14, source: "hem", method: "",
                               version: 2, windowDays: 1)
    let twice = try none.applyingLabALC(source, thresholds: panel.thresholds).applyingLabALC(other, thresholds: panel.thresholds)
    #expect(twice == (try none.applyingLabALC(other, thresholds: panel.thresholds)))
    #expect(try twice.removingLabCount(thresholds: panel.thresholds) == none)
    // An analysis counted with its own method does not accept a lab count.
    #expect(!withALC.acceptsLabCount && none.acceptsLabCount && twice.acceptsLabCount)
    #expect(withALC.applyingLabOutcome(.matched(other), thresholds: panel.thresholds) == withALC)
  }

  /// A review (`serve`) of a visit whose count came from a lab ALC keeps it lab-derived: same
  /// count, `labCount` carried, so the store keeps following the lab value.
  @Test func aReviewKeepsTheLabCount() throws {
    let (table, _) = try SampleSimulator(events: 20_000, seed: 35).simulate()
    let ds = try FCSFile(bytes: try FCSWriter.encode(table), path: "r.fcs").dataSets[0]
    let panel = try PanelDefinition.reset
    let none = try VisitAnalyzer(panel: panel).analyze(ds, file: "r.fcs", visit: VisitInfo(patient: "P", day: 14))
    let source = LabCountSource(lymphocytesPerMicroliter: 1_300, labDay: 14, visitDaySinceFirstInfusion: 14, source: "hem", method: "",
                                version: 1, windowDays: 1)
    let original = try none.applyingLabALC(source, thresholds: panel.thresholds)
    let review = ReviewRecord(status: .approved, reviewer: "rv", reason: "checked", time: "2026-12-05T00:00:00Z", replaces: 2, changes: [])
    let reviewed = try VisitAnalyzer.reviewing(original, panel: panel)
      .analyze(ds, file: "r.fcs", reviewing: original, gating: try #require(original.gating), cuts: original.cuts, review: review)
    #expect(reviewed.labCount == source && reviewed.acceptsLabCount)
    #expect(reviewed.countMethod == original.countMethod && reviewed.populations.map(\.absolute) == original.populations.map(\.absolute))
  }

  @Test func matching() {
    func pick(_ day: Double, _ labs: [LabALCMatch.Candidate], window: Double = 1) -> Double? {
      LabALCMatch.select(visitDay: day, candidates: labs, windowDays: window).source?.lymphocytesPerMicroliter
    }
    #expect(pick(14, [Self.lab(13, 900)]) == 900)
    #expect(pick(14, [Self.lab(15, 900)]) == 900)
    #expect(pick(14, [Self.lab(12, 900), Self.lab(16, 900)]) == nil, "2 days away is outside ±1")
    #expect(pick(14, [Self.lab(12, 900)], window: 2) == 900)
    #expect(pick(14, [Self.lab(13, 900), Self.lab(14, 1000), Self.lab(15, 1100)]) == 1000, "the same day wins")
    #expect(pick(14, [Self.lab(15, 1100), Self.lab(13, 900)]) == 900, "at equal distance the earlier lab day")
    #expect(pick(14, [Self.lab(14, 50, censoring: .below)]) == nil)
    #expect(pick(14, [Self.lab(14, 50, censoring: .below), Self.lab(15, 1100)]) == 1100, "a bound is skipped")
    #expect(pick(14, [Self.lab(14, 4, analyte: .igG)]) == nil, "only ALC")
    #expect(pick(14, [Self.lab(14, 1000, source: "b"), Self.lab(14, 1000, source: "a")]) == 1000)
    #expect(LabALCMatch.select(visitDay: 14, candidates: [Self.lab(14, 1000, source: "b"), Self.lab(14, 1000, source: "a")], windowDays: 1)
      .source?.source == "a")
    guard case .unusable(let why) = LabALCMatch.select(visitDay: 14, candidates: [Self.lab(14, 1000, source: "b"), Self.lab(14, 1200, source: "a")],
                                                      windowDays: 1)
    else { Issue.record("disagreeing sources must give no count"); return }
    #expect(why.contains("disagree"))
    guard case .unusable(let bound) = LabALCMatch.select(visitDay: 14, candidates: [Self.lab(14, 50, censoring: .below)], windowDays: 1) else {
      Issue.record("a bound alone is reported"); return
    }
    #expect(bound.contains("only a bound (<50"))
    #expect(LabALCMatch.select(visitDay: 14, candidates: [], windowDays: 1) == .noneInWindow)
    let m = LabALCMatch.select(visitDay: 14, candidates: [Self.lab(13, 900, version: 3)], windowDays: 1).source
    #expect(m == LabCountSource(lymphocytesPerMicroliter: 900, labDay: 13, visitDaySinceFirstInfusion: 14, source: "lab", method: "", version: 3,
                                windowDays: 1))
  }

  @Test func daysSinceTheFirstInfusion() {
    let dates = ["2026-01-05", "2026-03-02"]
    #expect(LabALCMatch.daySinceFirstInfusion(VisitInfo(patient: "P", day: 7), infusionDates: []) == 7)
    #expect(LabALCMatch.daySinceFirstInfusion(VisitInfo(patient: "P", day: 7, infusion: 2), infusionDates: dates) == 63, "56 days from 2026-01-05 to 2026-03-02")
    #expect(LabALCMatch.daySinceFirstInfusion(VisitInfo(patient: "P", day: 7, infusion: 2), infusionDates: ["2026-01-05"]) == nil)
    #expect(LabALCMatch.daySinceFirstInfusion(VisitInfo(patient: "P", day: 7, infusion: 3), infusionDates: dates) == nil)
  }
}
