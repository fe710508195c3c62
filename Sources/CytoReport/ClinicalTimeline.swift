import CytoClinical
import Foundation

/// The patient report's clinical timeline (issue #16): charts stacked on one day axis — cells
/// per µL, CAR transgene copies, IgG with the hypogammaglobulinaemia band and IVIG doses,
/// adverse events and treatments — and the tables of flags and summaries (docs/report.md).
extension PatientReportRenderer {
  /// Colours of the timeline's series and marks.
  static let igGColor = "#0072B2", confoundedColor = "#E69F00", ivigColor = "#7B3294", transgeneColor = "#D55E00"
  /// ASTCT grade 1–4 fill colours (light to dark).
  static let gradeColors = ["#F6D55C", "#E69F00", "#D55E00", "#8B1A1A"]
  /// Fill colours of the treatment marks by kind.
  static let markColors: [ClinicalEventKind: String] = [
    .tocilizumab: "#009E73", .corticosteroids: "#56B4E9", .infection: "#CC79A7", .retreatment: "#000000", .diseaseActivity: "#999999",
  ]

  /// The timeline section: nothing when the report has no clinical course, a note when the
  /// course is empty.
  static func timelineSection(_ r: PatientReport, _ visits: [PatientVisit], x: AxisScale) -> String {
    guard let c = r.clinical else { return "" }
    var b = "<section id=\"timeline\">\n<h2>Clinical timeline</h2>\n"
    guard !c.isEmpty else {
      return b + "<p class=\"note\">No clinical data (lab values, events) imported for this patient (<code>cytoreset clinical import</code>).</p>\n</section>\n"
    }
    b += "<p class=\"note\">Every chart on one axis: days since the first infusion (day 0).</p>\n"
    if !visits.isEmpty { b += "<div class=\"chart\">\n\(cellsChart(r, visits, x: x).svg())</div>\n" }
    if !c.carTransgene.isEmpty { b += "<div class=\"chart\">\n\(transgeneChart(c, x: x).svg())</div>\n" }
    if !c.igG.isEmpty || !c.ivigDoses.isEmpty { b += "<div class=\"chart\">\n\(igGChart(c, x: x).svg())</div>\n" }
    if c.crs != nil || c.icans != nil || !c.ivigDoses.isEmpty || !c.otherEvents.isEmpty {
      b += "<div class=\"chart\">\n\(eventChart(c, x: x).svg())</div>\n"
    }
    b += summaryTables(c)
    return b + "</section>\n"
  }

  static func point(_ day: Double, _ m: LabMeasurement) -> ChartPoint {
    ChartPoint(x: day, value: m.value, lessThan: m.lessThan, greaterThan: m.greaterThan)
  }

  static func cellsChart(_ r: PatientReport, _ visits: [PatientVisit], x: AxisScale) -> LineChart {
    let qs = visits.flatMap { [$0.bCellsPerMicroliter, $0.carPerMicroliter] }
    var bands: [ChartBand] = []
    if let t = r.aplasiaThresholdPerMicroliter {
      bands.append(ChartBand(axis: .y, from: nil, to: t, label: "aplasia ≤ \(num(t)) /µL", color: "#D55E00", opacity: 0.10))
    }
    return LineChart(title: "CD19⁺ B cells and CAR T cells per µL", x: x, y: logAxis(qs, extra: r.aplasiaThresholdPerMicroliter.map { [$0] } ?? []),
                     xTitle: "days since infusion", yTitle: "cells/µL",
                     series: [series("CD19⁺ B cells", bColor, visits) { $0.bCellsPerMicroliter },
                              series("CAR⁺ T cells", carColor, visits) { $0.carPerMicroliter }],
                     bands: bands, height: 240)
  }

  static func transgeneChart(_ c: ClinicalCourse, x: AxisScale) -> LineChart {
    let values = c.carTransgene.map(\.measurement.number)
    let lo = values.filter { $0 > 0 }.min() ?? 1, hi = values.max() ?? 10
    // A value or bound exactly on a decade gets the decade below (above) it: points on the
    // frame are hard to see.
    var a = pow(10, log10(lo * 0.99).rounded(.down)), z = pow(10, log10(hi * 1.01).rounded(.up))
    if z <= a { z = a * 10 }
    a = max(a, 1e-3)
    return LineChart(title: "CAR transgene copies per µg DNA", x: x, y: .log10(min: a, max: z), xTitle: "days since infusion",
                     yTitle: "copies/µg DNA",
                     series: [ChartSeries(name: "CAR transgene", color: transgeneColor, points: c.carTransgene.map { point($0.day, $0.measurement) },
                                          errorBars: false)], height: 240)
  }

  static func igGChart(_ c: ClinicalCourse, x: AxisScale) -> LineChart {
    let t = c.rules.hypogammaglobulinaemiaIgGBelow
    let top = max(c.igG.map(\.measurement.number).max() ?? 0, t) * 1.15
    let step = AxisTicks.niceStep(span: top, target: 5)
    let confounded = c.flagged(.ivigConfounded)
    var series = [ChartSeries(name: "IgG", color: igGColor, points: c.igG.map { point($0.day, $0.measurement) }, errorBars: false)]
    if !confounded.isEmpty {
      series.append(ChartSeries(name: "≤ \(c.rules.ivigConfoundingDays.clinicalText) d after IVIG", color: confoundedColor,
                                points: confounded.map { point($0.day, $0.measurement) }, errorBars: false, connected: false))
    }
    return LineChart(
      title: "Serum IgG (g/L) and IVIG doses", x: x, y: .linear(min: 0, max: (top / step).rounded(.up) * step), xTitle: "days since infusion",
      yTitle: "IgG, g/L", series: series,
      bands: [ChartBand(axis: .y, from: nil, to: t, label: "IgG < \(t.clinicalText) g/L", color: "#D55E00", opacity: 0.12)],
      markers: c.ivigDoses.map { ChartMarker(x: $0.startDay, label: $0.label, color: ivigColor, dashed: false) }, height: 260)
  }

  static func eventChart(_ c: ClinicalCourse, x: AxisScale) -> EventTrackChart {
    func title(_ e: EventRow, _ what: String) -> String {
      var s = "\(what), day \(e.startDay.clinicalText)" + (e.endDay.map { "–\($0.clinicalText)" } ?? "")
      if !e.detail.isEmpty { s += ": \(e.detail)" }
      if !e.source.isEmpty { s += " (\(e.source))" }
      return s
    }
    var tracks: [EventTrack] = []
    for summary in [c.crs, c.icans].compactMap({ $0 }) {
      tracks.append(EventTrack(name: summary.kind.rawValue, items: summary.episodes.map { e in
        let g = e.grade ?? 1
        return EventTrackItem(start: e.startDay, end: e.endDay, shape: .bar, color: gradeColors[min(3, max(0, g - 1))],
                              label: (e.grade.map { "G\($0) " } ?? "") + "d\(e.startDay.clinicalText)" + (e.endDay.map { "–\($0.clinicalText)" } ?? ""),
                              title: title(e, "\(e.kind.rawValue) grade \(e.grade.map(String.init) ?? "?")"))
      }))
    }
    if !c.ivigDoses.isEmpty {
      tracks.append(EventTrack(name: "IVIG", items: c.ivigDoses.map { d in
        EventTrackItem(start: d.startDay, end: d.endDay, shape: .mark, color: ivigColor, label: "",
                       title: "\(d.label), day \(d.startDay.clinicalText)" + (d.source.isEmpty ? "" : " (\(d.source))"))
      }))
    }
    let names: [(ClinicalEventKind, String)] = [(.tocilizumab, "tocilizumab"), (.corticosteroids, "steroids"), (.infection, "infection"),
                                                 (.retreatment, "re-treatment"), (.diseaseActivity, "activity")]
    for (kind, name) in names {
      let es = c.otherEvents.filter { $0.kind == kind }
      guard !es.isEmpty else { continue }
      tracks.append(EventTrack(name: name, items: es.map { e in
        let dose = e.dose.map { "\($0.clinicalText) \(e.doseUnit)".trimmingCharacters(in: .whitespaces) } ?? ""
        let label = kind == .diseaseActivity ? [e.detail, e.value?.clinicalText ?? ""].filter { !$0.isEmpty }.joined(separator: " ") : dose
        return EventTrackItem(start: e.startDay, end: e.endDay, shape: .mark, color: markColors[kind] ?? "#333", label: label,
                              title: title(e, kind.rawValue + (dose.isEmpty ? "" : " \(dose)") + (e.value.map { " = \($0.clinicalText)" } ?? "")))
      }))
    }
    var legend = (1...4).map { (label: "grade \($0)", color: gradeColors[$0 - 1]) }
    if c.crs == nil && c.icans == nil { legend = [] }
    return EventTrackChart(title: "Adverse events (ASTCT grade) and treatments", x: x, xTitle: "days since infusion", tracks: tracks, legend: legend)
  }

  /// The adverse-event summaries, IVIG and the IgG flags, with their rules and sources.
  static func summaryTables(_ c: ClinicalCourse) -> String {
    var s = "<h3>Adverse events</h3>\n"
    let rows: [[HTML.Cell]] = [c.crs, c.icans].compactMap { $0 }.map { a in
      [.text(a.kind.rawValue), .text(a.maxGrade.map { "grade \($0)" } ?? "—"), .text(HTML.day(a.onsetDay)),
       .text(a.durationDays.map(HTML.day) ?? "no end recorded"),
       .text(a.episodes.map { e in
         "day \(HTML.day(e.startDay))" + (e.endDay.map { "–\(HTML.day($0))" } ?? "") + (e.grade.map { " G\($0)" } ?? "")
           + (e.detail.isEmpty ? "" : ": \(e.detail)") + (e.source.isEmpty ? "" : " (\(e.source))")
       }.joined(separator: "; "))]
    }
    s += rows.isEmpty ? "<p class=\"note\">No CRS or ICANS recorded.</p>\n"
      : HTML.table(["event", "max ASTCT grade", "onset (day since infusion)", "duration of first episode (days)", "episodes"], rows,
                   numeric: [2, 3, 4])
    s += "<p class=\"note\">ASTCT consensus grades (Lee et al., Biol Blood Marrow Transplant 2019;25:625). Onset: start day of the first episode; "
      + "duration: its end − start day.</p>\n"
    s += "<h3>IVIG and IgG flags</h3>\n"
    if let m = c.monthsOnIVIG {
      s += "<p>\(c.ivigDoses.count) IVIG dose\(c.ivigDoses.count == 1 ? "" : "s") (day\(c.ivigDoses.count == 1 ? "" : "s") \(HTML.e(c.ivigDoses.map { $0.startDay.clinicalText }.joined(separator: ", "))))"
        + "; <strong>\(HTML.number(m, 1)) months on IVIG</strong> (union of 28-day intervals from each dose ÷ 30.4375 days/month; "
        + "4 weeks = the longest usual dosing interval, domain.md §9.2).</p>\n"
    }
    let flagged = c.igG.filter { !$0.flags.isEmpty }
    if c.igG.isEmpty {
      s += "<p class=\"note\">No IgG values imported.</p>\n"
    } else if flagged.isEmpty {
      s += "<p class=\"note\">No IgG reading flagged.</p>\n"
    } else {
      s += HTML.table(["day", "IgG (g/L)", "source", "flag", "rule"], flagged.flatMap { g in
        g.flags.map { f in [.text(HTML.day(g.day)), .text(g.measurement.text), .text(g.source), .text(f.kind.rawValue), .text(f.rule)] }
      }, numeric: [0, 1])
    }
    let t = c.rules
    s += "<p class=\"note\">Hypogammaglobulinaemia: IgG &lt; \(HTML.e(t.hypogammaglobulinaemiaIgGBelow.clinicalText)) g/L "
      + "(a bound &lt;x counts when x ≤ the threshold) — \(HTML.e(ClinicalFlag.hypogammaglobulinaemiaSource)). IVIG-confounded: drawn at most "
      + "\(HTML.e(t.ivigConfoundingDays.clinicalText)) days after an IVIG dose, the dose day included — \(HTML.e(ClinicalFlag.ivigConfoundingSource)).</p>\n"
    if !c.otherEvents.isEmpty {
      s += "<h3>Treatments and other events</h3>\n"
      s += HTML.table(["day", "end", "event", "dose", "value", "detail", "source"], c.otherEvents.map { e in
        [.text(HTML.day(e.startDay)), .text(e.endDay.map(HTML.day) ?? ""), .text(e.kind.rawValue),
         .text(e.dose.map { "\($0.clinicalText) \(e.doseUnit)" } ?? ""), .text(e.value?.clinicalText ?? ""), .text(e.detail), .text(e.source)]
      }, numeric: [0, 1])
    }
    return s
  }
}
