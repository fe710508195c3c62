import CytoClinical
import CytoStore
import Foundation

/// The rows of `cytoreset clinical list` (TSV columns and JSON schema `cytoreset.clinical-list/1`,
/// docs/cli-json.md).
enum ClinicalListDocument {
  static let labHeader = ["patient", "day", "date", "analyte", "loinc", "value", "less_than", "greater_than", "unit", "lloq", "method",
                          "source", "version", "superseded_by", "value_as_given", "unit_as_given"]
  static let eventHeader = ["patient", "kind", "start_day", "start_date", "end_day", "end_date", "grade", "dose", "dose_unit", "value",
                            "detail", "source", "version", "superseded_by"]

  static func text(_ d: Double?) -> String { d?.clinicalText ?? "" }

  static func tsv(_ l: StoredLabValue) -> [String] {
    let r = l.row, m = r.measurement
    return [r.patient, r.day.clinicalText, r.date ?? "", r.analyte.name, r.analyte.loinc ?? "", text(m.value), text(m.lessThan),
            text(m.greaterThan), m.unit, text(r.lloq), r.method, r.source, String(l.version), l.supersededBy.map(String.init) ?? "",
            r.valueAsGiven, r.unitAsGiven]
  }

  static func tsv(_ e: StoredClinicalEvent) -> [String] {
    let r = e.row
    return [r.patient, r.kind.rawValue, r.startDay.clinicalText, r.startDate ?? "", text(r.endDay), r.endDate ?? "",
            r.grade.map(String.init) ?? "", text(r.dose), r.doseUnit, text(r.value), r.detail, r.source, String(e.version),
            e.supersededBy.map(String.init) ?? ""]
  }

  struct Document: Encodable {
    var schema = "cytoreset.clinical-list/1"
    var store: String
    var patient: String?
    var labs: [Lab]?
    var events: [Event]?
    var imports: [Import]
  }

  struct Lab: Encodable {
    var patient: String, day: Double, date: String?, analyte: String, vocabulary: Bool, loinc: String?
    var value: Double?, lessThan: Double?, greaterThan: Double?, unit: String, lloq: Double?
    var valueAsGiven: String, unitAsGiven: String, factor: Double?, method: String, source: String, line: Int
    var version: Int, supersededBy: Int?, importSHA256: String

    init(_ l: StoredLabValue) {
      let r = l.row, m = r.measurement
      var vocabulary = false
      if case .known = r.analyte { vocabulary = true }
      (patient, day, date, analyte, self.vocabulary, loinc) = (r.patient, r.day, r.date, r.analyte.name, vocabulary, r.analyte.loinc)
      (value, lessThan, greaterThan, unit, lloq) = (m.value, m.lessThan, m.greaterThan, m.unit, r.lloq)
      (valueAsGiven, unitAsGiven, factor, method, source, line) = (r.valueAsGiven, r.unitAsGiven, r.factor, r.method, r.source, r.line)
      (version, supersededBy, importSHA256) = (l.version, l.supersededBy, l.importSHA256)
    }
  }

  struct Event: Encodable {
    var patient: String, kind: String, startDay: Double, startDate: String?, endDay: Double?, endDate: String?, grade: Int?
    var dose: Double?, doseUnit: String, value: Double?, detail: String, source: String, line: Int
    var version: Int, supersededBy: Int?, importSHA256: String

    init(_ e: StoredClinicalEvent) {
      let r = e.row
      (patient, kind, startDay, startDate, endDay, endDate, grade) = (r.patient, r.kind.rawValue, r.startDay, r.startDate, r.endDay, r.endDate, r.grade)
      (dose, doseUnit, value, detail, source, line) = (r.dose, r.doseUnit, r.value, r.detail, r.source, r.line)
      (version, supersededBy, importSHA256) = (e.version, e.supersededBy, e.importSHA256)
    }
  }

  struct Import: Encodable {
    var fileName: String, fileSHA256: String, kind: String, importTime: String, cytoresetVersion: String
    var added: Int, unchanged: Int, newVersions: Int, warnings: Int
  }

  static func json(labs: [StoredLabValue]?, events: [StoredClinicalEvent]?, imports: [StoredClinicalImport], store: String, patient: String?) -> String {
    let doc = Document(
      store: store, patient: patient,
      labs: labs?.map(Lab.init), events: events?.map(Event.init),
      imports: imports.map {
        Import(fileName: $0.fileName, fileSHA256: $0.fileSHA256, kind: $0.kind.rawValue, importTime: $0.importTime,
               cytoresetVersion: $0.cytoresetVersion, added: $0.added, unchanged: $0.unchanged, newVersions: $0.newVersions, warnings: $0.warnings)
      })
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: (try? e.encode(doc)) ?? Data("{}".utf8), as: UTF8.self) + "\n"
  }
}
