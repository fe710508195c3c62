import CytoClinical
import CytoCore
import Foundation

/// Renders a ``PatientReport`` as one self-contained HTML page (inline SVG and CSS, no
/// scripts, no external resources); see docs/report.md for what each section shows.
///
/// The output depends only on the input: no timestamps, no random ids.
public enum PatientReportRenderer {
  /// Colours of the B-cell, CAR T and T-cell series.
  static let bColor = "#0072B2", carColor = "#D55E00", cd3Color = "#000000", cd4Color = "#009E73", cd8Color = "#CC79A7"

  /// The report as HTML.
  public static func html(_ r: PatientReport) -> String {
    let visits = r.visits.sorted { $0.day < $1.day || ($0.day == $1.day && $0.file < $1.file) }
    var page = HTMLPage(title: "CytoReset patient report: \(r.patientID)")
    var b = ""
    b += header(r, visits)
    if !r.failures.isEmpty {
      b += "<section id=\"failures\">\n<h2>Visits that failed analysis</h2>\n"
      b += "<p>These visits' FCS files could not be analysed: they have no values below until the file is analysed again and stored.</p>\n"
      b += HTML.failuresTable(r.failures, withPatient: false) + "</section>\n"
    }
    // One day axis for every chart: the visits' days and the clinical course's.
    let x = dayAxis(visits.map(\.day) + (r.clinical?.days ?? []))
    b += timelineSection(r, visits, x: x)
    // No analysed visit (every file failed): no empty charts, no course summary from nothing.
    if !visits.isEmpty { b += visitSections(r, visits, x: x) }
    b += "<footer>CytoReset \(HTML.e(r.softwareVersion)) · \(HTML.e(r.provenance))</footer>\n"
    page.body = b
    return page.html
  }

  /// The charts, tables, QC plots and calls of the analysed visits.
  static func visitSections(_ r: PatientReport, _ visits: [PatientVisit], x: AxisScale) -> String {
    var b = ""
    b += "<section id=\"b-cells\">\n<h2>CD19⁺ B cells</h2>\n"
    b += "<div class=\"chart\">\n\(bCellChart(r, visits, x: x).svg())</div>\n"
    b += "<p>\(HTML.e(courseSummary(r.bCells)))</p>\n</section>\n"
    b += "<section id=\"car-t\">\n<h2>CAR T cells</h2>\n<div class=\"row\">\n"
    b += "<div class=\"chart\">\n\(carChart(visits, percent: false, x: x).svg())</div>\n"
    b += "<div class=\"chart\">\n\(carChart(visits, percent: true, x: x).svg())</div>\n"
    b += kineticsTable(r) + "</div>\n</section>\n"
    b += "<section id=\"subsets\">\n<h2>B-cell subsets</h2>\n<div class=\"chart\">\n\(subsetChart(visits).svg())</div>\n</section>\n"
    b += "<section id=\"t-cells\">\n<h2>T cells</h2>\n<div class=\"chart\">\n\(tCellChart(visits, x: x).svg())</div>\n</section>\n"
    if visits.contains(where: { !$0.qcPlots.isEmpty }) {
      b += "<section id=\"qc\" class=\"page-break\">\n<h2>Gating QC</h2>\n"
      for v in visits where !v.qcPlots.isEmpty {
        b += "<h3>Day \(HTML.e(HTML.day(v.day))) — \(HTML.e(v.file))</h3>\n<div class=\"qc\">\n"
        for p in v.qcPlots {
          b += "<figure>\n\(HTML.trustedSVG(p.svg))<figcaption>\(HTML.e(p.caption))</figcaption>\n</figure>\n"
        }
        b += "</div>\n"
      }
      b += "</section>\n"
    }
    b += "<section id=\"values\" class=\"page-break\">\n<h2>All values</h2>\n\(valuesTable(visits))</section>\n"
    b += "<section id=\"calls\">\n<h2>Calls, cuts and diagnostics</h2>\n\(callsAndDiagnostics(visits))</section>\n"
    return b
  }

  // MARK: - Header

  static func header(_ r: PatientReport, _ visits: [PatientVisit]) -> String {
    var s = "<header>\n<h1>Patient \(HTML.e(r.patientID))</h1>\n<dl class=\"meta\">\n"
    func item(_ k: String, _ v: String) { s += "<dt>\(HTML.e(k))</dt><dd>\(HTML.e(v))</dd>\n" }
    item("Diagnosis", r.diagnosis ?? "—")
    item("Product", r.product ?? "—")
    item(r.infusionDates.count > 1 ? "Infusions" : "Infusion", r.infusionDates.isEmpty ? "—" : r.infusionDates.joined(separator: ", "))
    item("Visits", visits.isEmpty ? "none" : "\(visits.count) (days \(visits.map { HTML.day($0.day) }.joined(separator: ", ")))")
    item("Software", "CytoReset \(r.softwareVersion)")
    item("Source", r.provenance)
    s += "</dl>\n"
    for n in r.notes { s += "<p class=\"note\">\(HTML.e(n))</p>\n" }
    return s + "</header>\n"
  }

  static func courseSummary(_ c: BCellCourse) -> String {
    guard let onset = c.aplasiaOnsetDay else { return "No B-cell aplasia observed after infusion." }
    var s = "Aplasia from day \(HTML.day(onset))"
    if let r = c.reconstitutionDay {
      s += "; B cells returned on day \(HTML.day(r)) after \(HTML.day(c.aplasiaDurationDays ?? r - onset)) days"
      if c.reconstitutionConfirmed == false { s += " (not yet confirmed by a next visit)" }
      if let n = c.naivePercentAtReconstitution { s += "; naive \(n.formatted(decimals: 1))% of B cells at return" }
      if let p = c.predominantlyNaiveAtReconstitution { s += p ? " (predominantly naive)" : " (not predominantly naive)" }
      s += "."
    } else {
      s += c.ongoing ? ", ongoing at the last visit (\(HTML.day(c.aplasiaDurationDays ?? 0)) days so far)." : "."
    }
    return s
  }

  // MARK: - Charts

  /// The days axis: from min(first day, 0) to max(last day, 28), at nice steps.
  static func dayAxis(_ days: [Double]) -> AxisScale {
    let finite = days.filter(\.isFinite)
    let lo = min(finite.min() ?? 0, 0), hi = max(finite.max() ?? 28, 28)
    let step = AxisTicks.niceStep(span: hi - lo, target: 6)
    return .linear(min: (lo / step).rounded(.down) * step, max: (hi / step).rounded(.up) * step)
  }

  /// A log axis spanning every value, bound, upper interval end and `extra`, in whole decades.
  /// Lower interval ends are left out (a few events have lower bounds decades below the value;
  /// their error bars are clipped at the axis instead).
  static func logAxis(_ qs: [Quantity?], extra: [Double] = [], fallback: (Double, Double) = (0.1, 1_000)) -> AxisScale {
    var vs = extra
    for q in qs.compactMap({ $0 }) { vs += [q.value, q.lessThan, q.upper95].compactMap { $0 } }
    let pos = vs.filter { $0 > 0 && $0.isFinite }
    guard let lo = pos.min(), let hi = pos.max() else { return .log10(min: fallback.0, max: fallback.1) }
    var a = pow(10, (log10(lo)).rounded(.down)), b = pow(10, (log10(hi)).rounded(.up))
    if b <= a { b = a * 10 }
    a = max(a, 1e-3)
    return .log10(min: a, max: max(b, a * 10))
  }

  static func series(_ name: String, _ color: String, _ visits: [PatientVisit], _ q: (PatientVisit) -> Quantity?) -> ChartSeries {
    ChartSeries(name: name, color: color, points: visits.compactMap { v in q(v).map { ChartPoint(x: v.day, quantity: $0) } })
  }

  static func bCellChart(_ r: PatientReport, _ visits: [PatientVisit], x: AxisScale) -> LineChart {
    let qs = visits.map(\.bCellsPerMicroliter)
    var bands: [ChartBand] = []
    if let t = r.aplasiaThresholdPerMicroliter {
      bands.append(ChartBand(axis: .y, from: nil, to: t, label: "aplasia ≤ \(num(t)) /µL", color: "#D55E00", opacity: 0.10))
    }
    if let onset = r.bCells.aplasiaOnsetDay {
      let end = r.bCells.reconstitutionDay ?? (onset + (r.bCells.aplasiaDurationDays ?? 0))
      bands.append(ChartBand(axis: .x, from: onset, to: end, label: r.bCells.ongoing ? "aplasia period (ongoing)" : "aplasia period",
                             color: "#999999", opacity: 0.22))
    }
    var markers: [ChartMarker] = []
    if let d = r.bCells.reconstitutionDay { markers.append(ChartMarker(x: d, label: "reconstitution d\(HTML.day(d))", color: "#009E73")) }
    return LineChart(title: "CD19⁺ B cells per µL", x: x, y: logAxis(qs, extra: r.aplasiaThresholdPerMicroliter.map { [$0] } ?? []),
                     xTitle: "days since infusion", yTitle: "cells/µL", series: [series("CD19⁺ B cells", bColor, visits) { $0.bCellsPerMicroliter }],
                     bands: bands, markers: markers)
  }

  static func carChart(_ visits: [PatientVisit], percent: Bool, x: AxisScale) -> LineChart {
    let q: (PatientVisit) -> Quantity? = percent ? { $0.carPercentOfCD3 } : { $0.carPerMicroliter }
    return LineChart(title: percent ? "CAR T cells, % of CD3⁺" : "CAR T cells per µL", x: x,
                     y: logAxis(visits.map(q), fallback: percent ? (0.01, 100) : (0.1, 1_000)),
                     xTitle: "days since infusion", yTitle: percent ? "% of CD3⁺" : "cells/µL",
                     series: [series(percent ? "CAR⁺ % of CD3⁺" : "CAR⁺ T cells", carColor, visits, q)], width: 470, height: 260)
  }

  static func tCellChart(_ visits: [PatientVisit], x: AxisScale) -> LineChart {
    LineChart(title: "T cells per µL", x: x,
              y: logAxis(visits.flatMap { [$0.cd3PerMicroliter, $0.cd4PerMicroliter, $0.cd8PerMicroliter] }, fallback: (10, 10_000)),
              xTitle: "days since infusion", yTitle: "cells/µL",
              series: [series("CD3⁺", cd3Color, visits) { $0.cd3PerMicroliter }, series("CD4⁺", cd4Color, visits) { $0.cd4PerMicroliter },
                       series("CD8⁺", cd8Color, visits) { $0.cd8PerMicroliter }])
  }

  static func subsetChart(_ visits: [PatientVisit]) -> StackedBarChart {
    let bars = visits.map { v -> StackedBar in
      let values = v.subsets.all.map { $0?.value }
      let bBelow = v.bCellsPerMicroliter?.isBelowLLOQ ?? false
      let note: String? = bBelow ? "B < LLOQ" : (v.subsets.all.contains { $0?.isBelowLLOQ ?? false } ? "some < LLOQ" : nil)
      return StackedBar(label: "d\(HTML.day(v.day))", segments: bBelow ? values.map { _ in nil } : values, note: note)
    }
    return StackedBarChart(title: "B-cell subsets, % of CD19⁺ B cells", components: BCellSubsets.names, bars: bars,
                           yTitle: "% of B cells")
  }

  static func kineticsTable(_ r: PatientReport) -> String {
    func col(_ k: CARKinetics?) -> [String] {
      guard let k else { return ["—", "—", "—", "—"] }
      var auc = HTML.number(k.auc, 1)
      if k.auc != nil { auc += " \(k.aucUnit.rawValue)" }
      if let t = k.aucTruncatedAtDay { auc += " (to day \(HTML.day(t)))" }
      return [k.cmax.map { "\(HTML.number($0, 2)) \(k.unit.rawValue)" } ?? "—", k.tmax.map { "day \(HTML.day($0))" } ?? "—", auc,
              k.tlast.map { "day \(HTML.day($0))" } ?? "—"]
    }
    let a = col(r.carPerMicroliter), b = col(r.carPercentOfCD3)
    let k = r.carPerMicroliter ?? r.carPercentOfCD3
    let window = k.map { "AUC\(HTML.day($0.aucStartDay))–\(HTML.day($0.aucEndDay))" } ?? "AUC0–28"
    let names = ["Cmax", "Tmax", window, "Tlast"]
    return "<div>\n<h3>Kinetics</h3>\n" + HTML.table(["", "cells/µL", "% of CD3⁺"],
                                                  names.indices.map { [.text(names[$0]), .text(a[$0]), .text(b[$0])] }, numeric: [1, 2]) + "</div>\n"
  }

  // MARK: - Tables

  static func valuesTable(_ visits: [PatientVisit]) -> String {
    var rows: [[HTML.Cell]] = []
    for v in visits {
      var items: [(String, Quantity?, Bool)] = [
        ("CD19⁺ B cells", v.bCellsPerMicroliter, true), ("CD19⁺ B cells", v.bCellsPercentOfLymphocytes, false),
      ]
      for (n, q) in zip(BCellSubsets.names, v.subsets.all) { items.append((n, q, false)) }
      items += [("CAR⁺ T cells", v.carPerMicroliter, true), ("CAR⁺ T cells", v.carPercentOfCD3, false), ("CD3⁺ T cells", v.cd3PerMicroliter, true),
                ("CD4⁺ T cells", v.cd4PerMicroliter, true), ("CD8⁺ T cells", v.cd8PerMicroliter, true)]
      for (name, q, absolute) in items {
        guard let q else { continue }
        let method = absolute ? (v.countMethod ?? "absolute count") : "events ÷ denominator events"
        var flags: [String] = []
        if q.isBelowLLOQ { flags.append("< LLOQ") }
        rows.append([.text(HTML.day(v.day)), .text(v.file), .text(name), .text(HTML.quantity(q)), .text(q.unit.rawValue),
                     .text(HTML.interval(q)), .text(String(q.events)), .text(method),
                     flags.isEmpty ? .text("") : .raw("<span class=\"flag\">\(HTML.e(flags.joined(separator: ", ")))</span>")])
      }
    }
    return HTML.table(["day", "file", "population", "value", "unit", "95% CI", "events", "method", "flags"], rows, numeric: [0, 3, 5, 6])
  }

  static func callsAndDiagnostics(_ visits: [PatientVisit]) -> String {
    var s = ""
    for v in visits {
      s += "<h3>Day \(HTML.e(HTML.day(v.day))) — \(HTML.e(v.file))</h3>\n"
      if let r = v.review {
        let what = r.changes.isEmpty ? "no gate or cut changed" : "\(r.changes.count) gate or cut change\(r.changes.count == 1 ? "" : "s")"
        s += "<p class=\"review\">Gates set in review — \(HTML.e(r.status.rawValue)) by \(HTML.e(r.reviewer)) at \(HTML.e(r.time)) "
          + "(from analysis version \(r.replaces), \(what)): \(HTML.e(r.reason))</p>\n"
      }
      if let c = v.calls {
        s += HTML.table(["call", "result", "reason"], [
          [.text("B-cell aplasia"), .text(c.bCellAplasia.result.rawValue), .text(c.bCellAplasia.reason)],
          [.text("CAR T detectable"), .text(c.carTDetectable.result.rawValue),
           .text("\(c.carTDetectable.reason) (background \(c.carBackgroundPercentOfT.compactText)% from \(c.carBackgroundSource))")],
          [.text("predominantly naive"), .text(c.predominantlyNaive.map { $0 ? "yes" : "no" } ?? "—"), .text(c.naivePercentOfB.map { "naive \($0.formatted(decimals: 1))% of B cells" } ?? "")],
        ])
      }
      if !v.cuts.isEmpty {
        s += HTML.table(["cut", "marker", "value", "method", "note"],
                        v.cuts.map { [.text($0.name), .text($0.marker), .text(HTML.number($0.value, 3)), .text($0.method.rawValue), .text($0.note ?? "")] },
                        numeric: [2])
      }
      if v.diagnostics.isEmpty {
        s += "<p class=\"note\">No diagnostics.</p>\n"
      } else {
        s += HTML.table(["severity", "code", "message", "where"],
                        v.diagnostics.map { [.text($0.severity.rawValue), .text($0.code.rawValue), .text($0.message), .text($0.location.description)] })
      }
    }
    return s
  }
}
