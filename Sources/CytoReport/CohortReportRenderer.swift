import CytoClinical
import Foundation

/// Renders a ``CohortReport`` as one self-contained HTML page: a swimmer plot of aplasia and
/// reconstitution per patient, the CAR T peak per patient, and a table linking to each
/// patient's report.
public enum CohortReportRenderer {
  /// The report as HTML.
  public static func html(_ r: CohortReport) -> String {
    var page = HTMLPage(title: r.title)
    var b = "<header>\n<h1>\(HTML.e(r.title))</h1>\n<dl class=\"meta\">\n"
    b += "<dt>Patients</dt><dd>\(r.patients.count)</dd>\n"
    if !r.failures.isEmpty { b += "<dt>Failed analyses</dt><dd><a href=\"#failures\">\(r.failures.count)</a></dd>\n" }
    b += "<dt>Software</dt><dd>CytoReset \(HTML.e(r.softwareVersion))</dd>\n"
    b += "<dt>Source</dt><dd>\(HTML.e(r.provenance))</dd>\n</dl>\n</header>\n"
    b += "<section id=\"swimmer\">\n<h2>B-cell aplasia and reconstitution</h2>\n<div class=\"chart\">\n\(swimmer(r).svg())</div>\n</section>\n"
    b += "<section id=\"car-peak\">\n<h2>CAR T peak per patient</h2>\n<div class=\"chart\">\n\(peaks(r).svg())</div>\n</section>\n"
    b += "<section id=\"patients\">\n<h2>Patients</h2>\n\(table(r))</section>\n"
    if r.patients.contains(where: { $0.clinical.map { !$0.isEmpty } ?? false }) {
      b += "<section id=\"clinical\">\n<h2>Adverse events, B-cell reconstitution and IVIG</h2>\n\(clinicalTable(r))</section>\n"
    }
    if !r.failures.isEmpty {
      b += "<section id=\"failures\">\n<h2>Analyses that failed</h2>\n"
      b += "<p>FCS files that could not be analysed: their visits have no values in this report until the file is analysed again and stored.</p>\n"
      b += HTML.failuresTable(r.failures, withPatient: true) + "</section>\n"
    }
    b += "<footer>CytoReset \(HTML.e(r.softwareVersion)) · \(HTML.e(r.provenance))</footer>\n"
    page.body = b
    return page.html
  }

  static func swimmer(_ r: CohortReport) -> SwimmerPlot {
    SwimmerPlot(title: "Aplasia (bar), reconstitution (◆) and CAR T peak (▲) by patient", lanes: r.patients.map { p in
      SwimmerPlot.Lane(label: p.patientID, followUpDay: p.lastDay, aplasiaOnsetDay: p.bCells.aplasiaOnsetDay,
                       aplasiaDurationDays: p.bCells.aplasiaDurationDays, ongoing: p.bCells.ongoing, reconstitutionDay: p.bCells.reconstitutionDay,
                       peakDay: p.carPeakDay, peakLabel: p.carPeakPerMicroliter.map { "\(num($0, 1)) /µL" })
    })
  }

  static func peaks(_ r: CohortReport) -> StackedBarChart {
    let top = r.patients.compactMap(\.carPeakPerMicroliter).max() ?? 1
    let step = AxisTicks.niceStep(span: max(top, 1e-9), target: 5)
    return StackedBarChart(title: "CAR T Cmax (cells/µL)", components: ["Cmax"], colors: [SwimmerPlot.peakColor],
                           bars: r.patients.map { p in
                             StackedBar(label: p.patientID, segments: [p.carPeakPerMicroliter],
                                        note: p.carPeakPerMicroliter.map { num($0, 1) } ?? "n/a")
                           },
                           y: .linear(min: 0, max: max(step, (top / step).rounded(.up) * step)), yTitle: "cells/µL", height: 240)
  }

  /// A relative link target, or `nil` for anything with a scheme (`javascript:`, `http:` …).
  static func safeHref(_ f: String?) -> String? {
    guard let f, !f.isEmpty, !f.contains(":"), !f.hasPrefix("//") else { return nil }
    return f
  }

  static func table(_ r: CohortReport) -> String {
    let rows: [[HTML.Cell]] = r.patients.map { p in
      let id: HTML.Cell = safeHref(p.reportFile).map { .raw("<a href=\"\(HTML.e($0))\">\(HTML.e(p.patientID))</a>") } ?? .text(p.patientID)
      let c = p.bCells
      return [id, .text(p.diagnosis ?? "—"), .text(c.aplasiaOnsetDay.map(HTML.day) ?? "—"),
              .text(c.aplasiaDurationDays.map { HTML.day($0) + (c.ongoing ? " (ongoing)" : "") } ?? "—"),
              .text(c.reconstitutionDay.map { HTML.day($0) + (c.reconstitutionConfirmed == false ? " (unconfirmed)" : "") } ?? "—"),
              .text(c.naivePercentAtReconstitution.map { $0.formatted(decimals: 1) } ?? "—"),
              .text(HTML.number(p.carPeakPerMicroliter, 2)), .text(p.carPeakDay.map(HTML.day) ?? "—"), .text(p.lastDay.map(HTML.day) ?? "—")]
    }
    return HTML.table(["patient", "diagnosis", "aplasia onset (day)", "aplasia duration (days)", "reconstitution (day)",
                       "naive % of B at return", "CAR T Cmax (cells/µL)", "Tmax (day)", "last visit (day)"], rows, numeric: [2, 3, 4, 5, 6, 7, 8])
  }

  /// CRS and ICANS (max ASTCT grade, onset day, duration of the first episode), time to B-cell
  /// reconstitution and months on IVIG, one row per patient.
  static func clinicalTable(_ r: CohortReport) -> String {
    func ae(_ a: AdverseEventSummary?) -> [HTML.Cell] {
      guard let a else { return [.text("none"), .text("—"), .text("—")] }
      return [.text(a.maxGrade.map { "grade \($0)" } ?? "—"), .text(HTML.day(a.onsetDay)), .text(a.durationDays.map(HTML.day) ?? "no end")]
    }
    let rows: [[HTML.Cell]] = r.patients.map { p in
      guard let c = p.clinical, !c.isEmpty else {
        return [.text(p.patientID)] + Array(repeating: HTML.Cell.text("—"), count: 6)
          + [.text(p.bCells.reconstitutionDay.map(HTML.day) ?? "—"), .text("no clinical data"), .text("—")]
      }
      let recon = p.bCells.reconstitutionDay.map { HTML.day($0) + (p.bCells.reconstitutionConfirmed == false ? " (unconfirmed)" : "") }
        ?? (p.bCells.ongoing ? "not yet (aplasia ongoing)" : "—")
      return [.text(p.patientID)] + ae(c.crs) + ae(c.icans)
        + [.text(recon), .text(String(c.ivigDoses.count)), .text(c.monthsOnIVIG.map { HTML.number($0, 1) } ?? "0")]
    }
    return HTML.table(["patient", "CRS max grade", "CRS onset (day)", "CRS duration (days)", "ICANS max grade", "ICANS onset (day)",
                       "ICANS duration (days)", "time to B-cell reconstitution (days since infusion)", "IVIG doses", "months on IVIG"],
                      rows, numeric: [2, 3, 5, 6, 7, 8, 9])
      + "<p class=\"note\">ASTCT consensus grades (Lee et al., Biol Blood Marrow Transplant 2019;25:625); onset = start day of the first "
      + "episode, duration = its end − start. Reconstitution: the B-cell course's rule (docs/clinical.md). Months on IVIG: union of 28-day "
      + "intervals from each dose ÷ 30.4375 days/month (docs/clinical-data.md).</p>\n"
  }
}
