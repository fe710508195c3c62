import CytoClinical
import CytoCore
import Foundation

/// The three renderings of `cytoreset analyze` results.
enum AnalyzeOutput {
  struct Envelope: Encodable {
    var schema = "cytoreset.analyze/2"
    var version = CytoResetVersion.current
    var analyses: [VisitAnalysis]
    var patients: [PatientSummary]
  }

  /// JSON with sorted keys; absent keys mean "not applicable" (docs/cli-json.md).
  static func json(_ analyses: [VisitAnalysis], summaries: [PatientSummary]) throws -> String {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "NaN")
    return String(decoding: try e.encode(Envelope(analyses: analyses, patients: summaries)), as: UTF8.self) + "\n"
  }

  static func cell(_ q: Quantity?, decimals: Int = 2) -> String {
    guard let q else { return "" }
    if let v = q.value { return String(format: "%.\(decimals)f", v) }
    return "<" + String(format: "%.\(decimals)f", q.lessThan ?? .nan)
  }

  static func dayText(_ d: Double?) -> String { d.map { $0.compactText } ?? "" }

  /// One row per file; every reported population's count, % of its denominator and cells/µL.
  /// With several candidate panels (`--panel auto`) the columns are the union of their
  /// populations and cuts, in panel order; `panel` names the one each row used.
  static func tsv(_ analyses: [VisitAnalysis], panels: [PanelDefinition]) -> String {
    var reports: [ReportedPopulation] = [], cutNames: [String] = []
    for p in panels where analyses.isEmpty || analyses.contains(where: { $0.panel == p.name }) || panels.count == 1 {
      for r in p.report where !reports.contains(where: { $0.population == r.population }) { reports.append(r) }
      for c in p.cuts where !cutNames.contains(c.name) { cutNames.append(c.name) }
    }
    return tsv(analyses, reports: reports, cutNames: cutNames)
  }

  /// The TSV with one column group per reported population (its id) and per cut, in order.
  static func tsv(_ analyses: [VisitAnalysis], reports: [ReportedPopulation], cutNames: [String]) -> String {
    var header = ["file", "patient", "day", "infusion", "panel", "events", "bead_events", "count_method"]
    for r in reports { header += ["\(r.population)_count", "\(r.population)_pct_\(r.fractionOf ?? "parent")", "\(r.population)_per_ul"] }
    header += ["aplasia", "naive_pct_of_b", "predominantly_naive", "car_pct_of_cd3", "car_detectable"]
    for c in cutNames { header += ["cut_\(c)", "cut_\(c)_method"] }
    var lines = [header.joined(separator: "\t")]
    for a in analyses {
      var row = [a.file, a.visit.patient ?? "", dayText(a.visit.day), String(a.visit.infusion), a.panel, String(a.events),
                 a.beadEvents.map(String.init) ?? "", a.countMethod?.name ?? ""]
      for r in reports {
        let p = a.population(r.population)
        row += [p.map { String($0.count) } ?? "", cell(p?.percentOf, decimals: 4), cell(p?.absolute?.perMicroliter, decimals: 3)]
      }
      row += [a.calls.bCellAplasia.result.rawValue, cell(a.calls.naivePercentOfB), a.calls.predominantlyNaive.map { $0 ? "yes" : "no" } ?? "",
              cell(a.calls.carPercentOfT, decimals: 4), a.calls.carTDetectable.result.rawValue]
      for c in cutNames {
        let applied = a.cuts.first { $0.name == c }
        row += [applied.map { String(format: "%.4f", $0.value) } ?? "", applied?.method.rawValue ?? ""]
      }
      lines.append(row.map { $0.replacingOccurrences(of: "\t", with: " ") }.joined(separator: "\t"))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// One row per file with the key clinical numbers, then each patient's course.
  static func humanTable(_ analyses: [VisitAnalysis], summaries: [PatientSummary]) -> String {
    var rows = [["file", "panel", "day", "events", "lymph/µL", "CD3/µL", "CD19/µL", "CD19 %lym", "naive %B", "CAR %CD3", "CAR/µL", "aplasia",
                 "CAR T", "cuts"]]
    for a in analyses {
      func perMicroliter(_ id: String?) -> String { cell(a.population(id)?.absolute?.perMicroliter, decimals: 1) }
      let b = a.population(a.roles.bCells)
      var counts: [String] = []
      for m in [AppliedCut.Method.valley, .reference, .mixture, .peakEdge] {
        let n = a.cuts.filter { $0.method == m }.count
        if n > 0 { counts.append("\(n) \(m.rawValue)") }
      }
      let fallback = a.cuts.filter { $0.method == .fallback }.map(\.name)
      let overridden = a.cuts.filter { $0.method == .override }.map(\.name)
      var cuts = counts.joined(separator: ", ")
      if !fallback.isEmpty { cuts += ", fallback " + fallback.joined(separator: "/") }
      if !overridden.isEmpty { cuts += ", set " + overridden.joined(separator: "/") }
      rows.append([
        URL(fileURLWithPath: a.file).lastPathComponent, a.panel, dayText(a.visit.day), formatBytes(a.events),
        perMicroliter(a.roles.lymphocytes), perMicroliter(a.roles.tCells), perMicroliter(a.roles.bCells),
        cell(b?.percentOfLymphocytes), cell(a.calls.naivePercentOfB, decimals: 1), cell(a.calls.carPercentOfT, decimals: 3),
        perMicroliter(a.roles.carT), a.calls.bCellAplasia.result.rawValue, [.yes: "detectable", .no: "not detected", .indeterminate: "—"][a.calls.carTDetectable.result]!,
        cuts,
      ])
    }
    var text = table(rows)
    if let method = analyses.first?.countMethod {
      text += "\ncells/µL: \(method.summary); \"<x\": below the LLOQ, bound x\n"
    } else {
      text += "\nno absolute counts (give --beads-per-test/--blood-ul or --alc)\n"
    }
    for s in summaries {
      text += "\nPatient \(s.patient), infusion \(s.infusion) (\(s.days.count) visits, days \(s.days.map(\.compactText).joined(separator: ", ")))\n"
      let b = s.bCells
      if let onset = b.aplasiaOnsetDay {
        if let r = b.reconstitutionDay {
          text += "  B-cell aplasia from day \(onset.compactText); reconstitution on day \(r.compactText)"
            + (b.reconstitutionConfirmed == false ? " (not yet confirmed)" : "")
            + "; aplasia \(b.aplasiaDurationDays!.compactText) days"
          if let n = b.naivePercentAtReconstitution { text += "; returning B cells \(cell(n, decimals: 1))% naive" }
          text += "\n"
        } else {
          text += "  B-cell aplasia from day \(onset.compactText), ongoing (\(b.aplasiaDurationDays!.compactText) days so far)\n"
        }
      } else {
        text += "  no B-cell aplasia observed after infusion\n"
      }
      for (name, k) in [("CAR T cells/µL", s.carPerMicroliter), ("CAR T % of CD3", s.carPercentOfT)] {
        guard let k else { continue }
        let cmax = k.cmax.map { String(format: "%.3g", $0) } ?? "—"
        let auc = k.auc.map { String(format: "%.4g", $0) } ?? "—"
        text += "  \(name): Cmax \(cmax) \(k.unit.rawValue) at day \(k.tmax?.compactText ?? "—"); "
          + "AUC\(k.aucStartDay.compactText)–\(k.aucEndDay.compactText) \(auc) \(k.aucUnit.rawValue)"
          + (k.aucTruncatedAtDay.map { " (series ends on day \($0.compactText))" } ?? "")
          + "; Tlast day \(k.tlast?.compactText ?? "—")\n"
      }
    }
    return text
  }
}
