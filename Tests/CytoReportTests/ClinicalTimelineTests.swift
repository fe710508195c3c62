import CytoClinical
import Foundation
import Testing

@testable import CytoReport

/// The patient report's clinical timeline and the cohort report's clinical table (issue #16).
@Suite struct ClinicalTimelineTests {
  static let hostile = "<script>alert(\"x\")</script> & 'quoted'"
  static let hostileEscaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;"

  static func lab(_ day: Double, _ a: ClinicalAnalyte, _ v: Double, _ c: LabMeasurement.Censoring = .none, source: String = "lab") -> LabRow {
    LabRow(patient: "P01", day: day, analyte: .known(a), measurement: LabMeasurement(number: v, censoring: c, unit: a.canonicalUnit.rawValue),
           valueAsGiven: "\(v)", unitAsGiven: a.canonicalUnit.rawValue, factor: 1, source: source, line: 2)
  }

  /// A course with every panel: IgG falling, IVIG, transgene with both bounds, CRS, ICANS, treatments.
  static func course(detail: String = "fever", labSource: String = "lab") -> ClinicalCourse {
    let labs = [lab(-7, .igG, 8.1), lab(28, .igG, 4.6), lab(56, .igG, 3.2, source: labSource), lab(62, .igG, 9.4), lab(120, .igG, 3, .below),
                lab(7, .carTransgene, 25_000, .above), lab(14, .carTransgene, 8_000), lab(90, .carTransgene, 50, .below)]
    let events = [
      EventRow(patient: "P01", kind: .crs, startDay: 2, endDay: 4, grade: 1, detail: detail, source: "ward", line: 2),
      EventRow(patient: "P01", kind: .crs, startDay: 9, endDay: 10, grade: 3, line: 3),
      EventRow(patient: "P01", kind: .icans, startDay: 6, grade: 2, line: 4),
      EventRow(patient: "P01", kind: .tocilizumab, startDay: 3, dose: 8, doseUnit: "mg/kg", line: 5),
      EventRow(patient: "P01", kind: .ivig, startDay: 60, dose: 0.4, doseUnit: "g/kg", line: 6),
      EventRow(patient: "P01", kind: .ivig, startDay: 88, dose: 0.4, doseUnit: "g/kg", line: 7),
      EventRow(patient: "P01", kind: .diseaseActivity, startDay: 90, value: 2, detail: "SLEDAI-2K", line: 8),
    ]
    return ClinicalCourse.compute(labs: labs, events: events)
  }

  static func report(_ c: ClinicalCourse?) -> PatientReport {
    var r = ReportTests.patient()
    r.clinical = c
    return r
  }

  @Test func withoutClinicalDataTheReportIsUnchangedOrSaysSo() {
    let plain = PatientReportRenderer.html(Self.report(nil))
    #expect(plain == PatientReportRenderer.html(ReportTests.patient()) && !plain.contains("id=\"timeline\""))
    let empty = PatientReportRenderer.html(Self.report(ClinicalCourse.compute(labs: [], events: [])))
    #expect(empty.contains("<section id=\"timeline\">") && empty.contains("No clinical data (lab values, events) imported"))
    #expect(!empty.contains("Serum IgG"))
  }

  @Test func everyPanelIsDrawnOnOneDayAxis() throws {
    let html = PatientReportRenderer.html(Self.report(Self.course()))
    let section = try #require(html.components(separatedBy: "<section id=\"timeline\">").dropFirst().first?.components(separatedBy: "</section>").first)
    for title in ["CD19⁺ B cells and CAR T cells per µL", "CAR transgene copies per µg DNA", "Serum IgG (g/L) and IVIG doses",
                  "Adverse events (ASTCT grade) and treatments"] {
      #expect(section.contains("<title>\(htmlEscaped(title))</title>"), "\(title)")
    }
    // Axis titles with units.
    for axis in ["copies/µg DNA", "IgG, g/L", "cells/µL", "days since infusion"] { #expect(section.contains(">\(axis)</text>"), "\(axis)") }
    // The day axis spans −7 … 120 in every chart, the visit charts included: the same x tick labels.
    func xTicks(_ svg: String) -> [String] {
      let parts: [String] = svg.components(separatedBy: "text-anchor=\"middle\" font-size=\"10\" fill=\"#222\">")
      return parts[1...].map { String($0.prefix { $0 != "<" }) }
    }
    let parts: [String] = html.components(separatedBy: "<svg ")
    let svgs = Array(parts[1...])
    let first = xTicks(svgs[0])
    #expect(first.contains("120") && first.contains("0"))
    for s in svgs where s.contains("days since infusion") { #expect(Array(xTicks(s).prefix(first.count)) == first) }
  }

  @Test func transgeneIsOnALogAxisWithBoundsDrawnAsOpenTriangles() {
    let svg = PatientReportRenderer.transgeneChart(Self.course(), x: .linear(min: -20, max: 120)).svg()
    // y ticks at the decades 10 … 10⁵, labelled; both kinds of bounds drawn open with legend entries.
    // (50 is the lowest: decade 10 below it; 25,000 the highest: 10⁵ above it.)
    for label in ["10", "100", "1,000", "10,000", "10⁵"] {
      #expect(svg.contains("text-anchor=\"end\" font-size=\"10\" fill=\"#222\">\(label)</text>"), "\(label)")
    }
    #expect(!svg.contains("text-anchor=\"end\" font-size=\"10\" fill=\"#222\">1</text>"))
    #expect(svg.contains("&gt; 25000 (above the upper limit)") && svg.contains("&lt; 50 (below LLOQ)"))
    #expect(svg.contains("&gt; upper limit (bound)") && svg.contains("&lt; LLOQ (bound)"))
  }

  @Test func igGHasTheBandIVIGMarkersAndConfoundedRings() {
    let c = Self.course()
    let svg = PatientReportRenderer.igGChart(c, x: .linear(min: -20, max: 120)).svg()
    #expect(svg.contains("<title>IgG &lt; 4 g/L</title>"))  // the shaded band, labelled
    #expect(svg.components(separatedBy: ">IVIG 0.4 g/kg</text>").count == 3)  // one label per dose
    // Readings on day 62 (2 days after the dose) ringed; day 56 not.
    #expect(svg.contains("≤ 28 d after IVIG, day 62: 9.4"))
    #expect(!svg.contains("≤ 28 d after IVIG, day 56"))
    #expect(svg.contains("r=\"6.5\" fill=\"none\" stroke=\"\(PatientReportRenderer.confoundedColor)\""))
  }

  @Test func adverseEventsAreBarsColouredByGradeAndTreatmentsMarks() {
    let svg = PatientReportRenderer.eventChart(Self.course(), x: .linear(min: -20, max: 120)).svg()
    #expect(svg.contains("fill=\"\(PatientReportRenderer.gradeColors[0])\" stroke=\"#333\"><title>CRS grade 1, day 2–4: fever (ward)</title>"))
    #expect(svg.contains("fill=\"\(PatientReportRenderer.gradeColors[2])\" stroke=\"#333\"><title>CRS grade 3, day 9–10</title>"))
    // ICANS without an end: dashed outline and said so.
    #expect(svg.contains("stroke-dasharray=\"2 2\"><title>ICANS grade 2, day 6</title>") && svg.contains(">G2 d6 (no end)</text>") && svg.contains(">G3 d9–10</text>"))
    for lane in [">CRS</text>", ">ICANS</text>", ">IVIG</text>", ">tocilizumab</text>", ">activity</text>"] { #expect(svg.contains(lane), "\(lane)") }
    #expect(svg.contains("<title>tocilizumab 8 mg/kg, day 3</title>") && svg.contains(">SLEDAI-2K 2</text>"))
    for g in 1...4 { #expect(svg.contains(">grade \(g)</text>")) }
  }

  @Test func flagsAndSummariesAreTabulatedWithRulesAndSources() {
    let html = PatientReportRenderer.html(Self.report(Self.course()))
    #expect(html.contains("<td>CRS</td><td>grade 3</td><td class=\"num\">2</td><td class=\"num\">2</td>"))
    #expect(html.contains("<td>ICANS</td><td>grade 2</td><td class=\"num\">6</td><td class=\"num\">no end recorded</td>"))
    #expect(html.contains("2 IVIG doses (days 60, 88); <strong>1.8 months on IVIG</strong>"))  // [60, 116) = 56 d ÷ 30.4375
    #expect(html.contains("<td class=\"num\">56</td><td class=\"num\">3.2</td><td>lab</td><td>hypogammaglobulinaemia</td><td>IgG &lt; 4 g/L</td>"))
    #expect(html.contains("<td>IVIG-confounded</td><td>drawn 2 d after IVIG 0.4 g/kg on day 60 (window 28 d)</td>"))
    #expect(html.contains("<td class=\"num\">120</td><td class=\"num\">&lt;3</td>"))
    #expect(html.contains("Hill et al., Blood Rev 2019") && html.contains("Lee et al., Biol Blood Marrow Transplant 2019;25:625"))
  }

  @Test func hostileEventDetailAndLabSourceAreEscapedEverywhere() {
    let html = PatientReportRenderer.html(Self.report(Self.course(detail: Self.hostile, labSource: Self.hostile)))
    #expect(!html.lowercased().contains("<script"))
    #expect(!html.contains("'quoted'") && !html.contains("\"x\""))
    // In the SVG tooltip, the adverse-event table and the flags table.
    #expect(html.contains("<title>CRS grade 1, day 2–4: \(Self.hostileEscaped) (ward)</title>"))
    #expect(html.contains("day 2–4 G1: \(Self.hostileEscaped) (ward)"))
    #expect(html.contains("<td>\(Self.hostileEscaped)</td><td>hypogammaglobulinaemia</td>"))
  }

  @Test func cohortTableHasGradesReconstitutionAndMonthsOnIVIG() {
    let course = BCellCourse.compute([.init(day: 7, aplasia: .yes), .init(day: 95, aplasia: .no), .init(day: 120, aplasia: .no)],
                                     rule: ReconstitutionRule())
    let r = CohortReport(patients: [
      .init(patientID: "P01", bCells: course, reportFile: "P01.html", clinical: Self.course(detail: Self.hostile)),
      .init(patientID: "P02", bCells: BCellCourse.compute([], rule: ReconstitutionRule()), clinical: nil),
    ], softwareVersion: "0.1.0", provenance: "s")
    let html = CohortReportRenderer.html(r)
    #expect(!html.lowercased().contains("<script"))
    #expect(html.contains("<section id=\"clinical\">"))
    #expect(html.contains("<td>P01</td><td>grade 3</td><td class=\"num\">2</td><td class=\"num\">2</td><td>grade 2</td><td class=\"num\">6</td>"
      + "<td class=\"num\">no end</td><td class=\"num\">95</td><td class=\"num\">2</td><td class=\"num\">1.8</td>"))
    #expect(html.contains("<td>P02</td>") && html.contains("no clinical data"))
    // Without any clinical data the section is left out.
    let none = CohortReport(patients: [.init(patientID: "P02", bCells: course)], softwareVersion: "0.1.0", provenance: "s")
    #expect(!CohortReportRenderer.html(none).contains("id=\"clinical\""))
  }
}
