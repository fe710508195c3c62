import CytoClinical
import CytoReport
import Testing

/// The "Analyses that failed" table of the cohort overview and the failed visits of a patient
/// report: shown only when there are failures, every text escaped.
@Suite struct FailedAnalysisReportTests {
  static let hostile = FailedAnalysis(
    patientID: "P<b>9</b>", infusion: 1, day: 28, fileName: "d28<img src=x onerror=alert(1)>.fcs",
    reason: "DATA: the file ends at byte 5000 <script>alert('x')</script> & more", code: "fcs.truncated\"><i>",
    time: "2026-12-05T10:00:00.000Z", softwareVersion: "0.1.0<u>")

  @Test func cohortOverviewListsFailuresEscaped() {
    let course = BCellCourse.compute([.init(day: 7, aplasia: .yes)], rule: ReconstitutionRule())
    var r = CohortReport(patients: [.init(patientID: "P01", lastDay: 7, bCells: course, reportFile: "P01.html")],
                         softwareVersion: "0.1.0", provenance: "store s.h5")
    #expect(!CohortReportRenderer.html(r).contains("Analyses that failed"), "no section without failures")
    r.failures = [Self.hostile]
    let html = CohortReportRenderer.html(r)
    #expect(html.contains("<section id=\"failures\">\n<h2>Analyses that failed</h2>"))
    #expect(html.contains("<dt>Failed analyses</dt><dd><a href=\"#failures\">1</a></dd>"))
    for raw in ["<script", "<img", "<b>9", "\"><i>", "<u>"] { #expect(!html.contains(raw), "\(raw) escaped") }
    for escaped in ["P&lt;b&gt;9&lt;/b&gt;", "d28&lt;img src=x onerror=alert(1)&gt;.fcs", "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more",
                    "fcs.truncated&quot;&gt;&lt;i&gt;", "2026-12-05T10:00:00.000Z", "CytoReset 0.1.0&lt;u&gt;"] {
      #expect(html.contains(escaped), "\(escaped)")
    }
    #expect(html.contains("<th>patient</th><th>infusion</th><th>day</th><th>file</th><th>reason</th><th>code</th><th>when</th><th>software</th>"))
  }

  @Test func patientReportMentionsFailedVisits() {
    var r = PatientReport(patientID: "P9", softwareVersion: "0.1.0", provenance: "s.h5", visits: [],
                          bCells: BCellCourse.compute([], rule: ReconstitutionRule()))
    #expect(!PatientReportRenderer.html(r).contains("Visits that failed analysis"))
    r.failures = [Self.hostile]
    let html = PatientReportRenderer.html(r)
    #expect(html.contains("<h2>Visits that failed analysis</h2>") && html.contains("d28&lt;img src=x onerror=alert(1)&gt;.fcs"))
    #expect(!html.contains("<script") && !html.contains("<img"))
  }
}
