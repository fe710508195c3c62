import CytoClinical
import CytoStore
import Foundation

/// The clinical values `series` and `export-store` print beside the flow series, in the same
/// tidy long table (docs/cli-json.md, "Tidy tables"): one row per lab value or event (current
/// versions only), with the flow columns where they apply and the clinical columns appended.
enum ClinicalRows {
  /// The columns appended to every row (flow rows fill only `record`).
  static let extraColumns = ["record", "greater_than", "source", "version", "date", "loinc", "end_day", "grade", "dose", "dose_unit", "detail"]

  /// The appended cells of a flow row.
  static let flowExtra = ["flow"] + Array(repeating: "", count: extraColumns.count - 1)

  /// A lab value as the cells after `patient, infusion, day, visit, analysis` (infusion, visit
  /// and analysis empty: lab days count from the first infusion): metric (analyte), unit
  /// (canonical), value, less_than, below_lloq, lower95, upper95, events, method, then the
  /// appended columns.
  static func lab(_ l: StoredLabValue) -> (day: String, cells: [String]) {
    let r = l.row, m = r.measurement
    return (r.day.compactText, [
      r.analyte.name, m.unit, m.value?.compactText ?? "", m.lessThan?.compactText ?? "", m.censoring == .below ? "true" : "false",
      "", "", "", r.method,
      "lab", m.greaterThan?.compactText ?? "", r.source, String(l.version), r.date ?? "", r.analyte.loinc ?? "", "", "", "", "", "",
    ])
  }

  /// An event, like ``lab(_:)``: metric = kind, day = start day, value = a score's value,
  /// below_lloq false, then grade, dose, dose unit, end day, detail in the appended columns.
  static func event(_ e: StoredClinicalEvent) -> (day: String, cells: [String]) {
    let r = e.row
    return (r.startDay.compactText, [
      r.kind.rawValue, "", r.value?.compactText ?? "", "", "false", "", "", "", "",
      "event", "", r.source, String(e.version), r.startDate ?? "", "", r.endDay?.compactText ?? "", r.grade.map(String.init) ?? "",
      r.dose?.compactText ?? "", r.doseUnit, r.detail,
    ])
  }

  /// Every clinical row of `patient` (labs, then events), as full rows of `patient, infusion,
  /// day, visit, analysis` + ``lab(_:)``/``event(_:)`` cells.
  static func rows(_ reader: CohortStoreReader, patient: String) throws -> [[String]] {
    let labs = try readStore { () throws(StoreError) in try reader.labValues(of: patient) }
    let events = try readStore { () throws(StoreError) in try reader.clinicalEvents(of: patient) }
    return labs.map { let c = lab($0); return [patient, "", c.day, "", ""] + c.cells }
      + events.map { let c = event($0); return [patient, "", c.day, "", ""] + c.cells }
  }

  /// The patients with clinical rows (current versions), sorted.
  static func patients(_ reader: CohortStoreReader) throws -> [String] {
    let labs = try readStore { () throws(StoreError) in try reader.labValues() }
    let events = try readStore { () throws(StoreError) in try reader.clinicalEvents() }
    return Array(Set(labs.map(\.row.patient) + events.map(\.row.patient))).sorted()
  }
}

/// A CSV field per RFC 4180: quoted when it holds a comma, a quote, CR or LF, quotes doubled.
func rfc4180Field(_ s: String) -> String {
  s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
    ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
}
