/// Reads an events CSV (docs/clinical-data.md, "Events CSV"): columns `patient`, `start`
/// (date `YYYY-MM-DD` or day since the first infusion), `kind`, and optionally `end`, `grade`,
/// `dose`, `dose_unit`, `value`, `detail`, `source`.
public enum EventCSVReader {
  /// The columns an events CSV may have.
  public static let columns = ["patient", "start", "end", "kind", "grade", "dose", "dose_unit", "value", "detail", "source"]
  /// The columns it must have.
  public static let requiredColumns = ["patient", "start", "kind"]
  /// The SLEDAI-2K range: 24 weighted items, 0–105 (domain.md 9.5).
  public static let sledai2KRange = 0.0...105.0

  /// Reads every event.
  /// - Throws: ``ClinicalImportFailure`` with every error (an unknown kind, CRS/ICANS without
  ///   an ASTCT grade 1–4, a grade on another kind, IVIG without a dose in g/kg, a score without
  ///   its value, an end before the start, dates as for labs, conflicting duplicates).
  public static func read(_ text: String, file: String, firstInfusionDate: (String) -> String?) throws(ClinicalImportFailure) -> EventImport {
    let table = try ClinicalTable.read(text, file: file, allowed: columns, required: requiredColumns)
    var issues: [ClinicalIssue] = []
    var rows: [EventRow] = []
    var byKey: [String: Int] = [:]
    var duplicates = 0
    for record in table.rows {
      if let e = table.extraFields(record) {
        issues.append(e)
        continue
      }
      var rowIssues: [ClinicalIssue] = []
      let row = readRow(record, table, firstInfusionDate, &rowIssues)
      issues += rowIssues
      guard let row, rowIssues.isEmpty else { continue }
      if let k = byKey[row.key] {
        if rows[k].sameContent(as: row) { duplicates += 1 } else {
          issues.append(table.issue(.conflictingDuplicate, record, nil,
            "patient \(row.patient), \(row.kind.rawValue) starting day \(row.startDay.clinicalText) differs from line \(rows[k].line); "
              + "one file gives one record per patient, kind, start and source"))
        }
        continue
      }
      byKey[row.key] = rows.count
      rows.append(row)
    }
    if !issues.isEmpty { throw ClinicalImportFailure(issues) }
    return EventImport(rows: rows, identicalDuplicates: duplicates)
  }

  /// An ASTCT grade cell: `2`, `Grade 2`, `grade2`, `G2` (case and spaces ignored), 1–4;
  /// nil otherwise (0, 5, `2.5`, roman numerals).
  public static func astctGrade(_ text: String) -> Int? {
    var s = Substring(text.lowercased().filter { $0 != " " })
    if s.hasPrefix("grade") { s = s.dropFirst(5) } else if s.hasPrefix("g") { s = s.dropFirst() }
    guard s.count == 1, let g = Int(s), (1...4).contains(g) else { return nil }
    return g
  }

  static func readRow(_ r: ClinicalCSVRecord, _ t: ClinicalTable, _ infusion: (String) -> String?, _ issues: inout [ClinicalIssue]) -> EventRow? {
    let patient = ClinicalWhen.patient(r, t, &issues)
    var kind: ClinicalEventKind? = nil
    var scoreNamedAsKind: String? = nil
    if let s = t.cell("kind", r) {
      kind = ClinicalEventKind.matching(s)
      // A score's name as the kind (`SLEDAI-2K`, value 4) is a disease-activity row naming it.
      if kind == nil, ClinicalAnalyte.normalizedName(s) == "sledai2k" {
        kind = .diseaseActivity
        scoreNamedAsKind = s
      }
      if kind == nil {
        issues.append(t.issue(.unknownEventKind, r, "kind", "unknown event kind '\(s)' (kinds: \(ClinicalEventKind.allCases.map(\.rawValue).joined(separator: ", ")))"))
      }
    } else {
      issues.append(t.issue(.missingField, r, "kind", "no kind"))
    }
    let start = patient.flatMap { ClinicalWhen.resolve(r, t, dateColumn: "start", dayColumn: "start", patient: $0, firstInfusionDate: infusion, &issues) }
    let end = patient.flatMap { ClinicalWhen.resolve(r, t, dateColumn: "end", dayColumn: "end", patient: $0, firstInfusionDate: infusion, optional: true, &issues) }
    if let start, let end, end.day < start.day {
      issues.append(t.issue(.endBeforeStart, r, "end", "ends on day \(end.day.clinicalText), before its start on day \(start.day.clinicalText)"))
    }
    var grade: Int? = nil
    if let s = t.cell("grade", r) {
      if let kind, !kind.isASTCTGraded {
        issues.append(t.issue(.invalidGrade, r, "grade", "a grade is for CRS and ICANS (ASTCT 1–4); describe a grading of \(kind.rawValue) in detail"))
      } else if let g = astctGrade(s) {
        grade = g
      } else {
        issues.append(t.issue(.invalidGrade, r, "grade",
          "grade '\(s)' is not an ASTCT grade of CRS/ICANS (1–4; Lee et al. 2019 — a death is recorded as grade 4 with the outcome in detail, and no CRS is no row)"))
      }
    } else if let kind, kind.isASTCTGraded {
      issues.append(t.issue(.invalidGrade, r, "grade", "\(kind.rawValue) needs its ASTCT grade (1–4)"))
    }
    var dose: Double? = nil
    let doseUnit = t.cell("dose_unit", r) ?? ""
    if let s = t.cell("dose", r) {
      if let d = LabNumber.parse(s), d > 0 { dose = d } else {
        issues.append(t.issue(.invalidDose, r, "dose", "dose '\(s)' is not a positive number"))
      }
      if kind != .ivig, doseUnit.isEmpty { issues.append(t.issue(.invalidDose, r, "dose_unit", "a dose needs its unit (dose_unit)")) }
    }
    if kind == .ivig {
      if t.cell("dose", r) == nil { issues.append(t.issue(.invalidDose, r, "dose", "IVIG needs its dose in g/kg")) }
      if !doseUnit.isEmpty, LabUnitConversion.normalized(doseUnit) != "g/kg" {
        issues.append(t.issue(.invalidDose, r, "dose_unit", "IVIG doses are in g/kg, not '\(doseUnit)'"))
      }
    }
    var value: Double? = nil
    if let s = t.cell("value", r) {
      if kind != .diseaseActivity {
        issues.append(t.issue(.invalidScore, r, "value", "a value is for disease-activity scores; \(kind?.rawValue ?? "this kind") has none"))
      } else if let v = LabNumber.parse(s), v >= 0 {
        value = v
      } else {
        issues.append(t.issue(.invalidScore, r, "value", "score '\(s)' is not a non-negative number"))
      }
    }
    var detail = t.verbatim("detail", r)
    if let name = scoreNamedAsKind, detail.isEmpty { detail = name }
    if kind == .diseaseActivity {
      if detail.isEmpty { issues.append(t.issue(.invalidScore, r, "detail", "a disease-activity row names its score in detail (e.g. SLEDAI-2K)")) }
      if t.cell("value", r) == nil { issues.append(t.issue(.invalidScore, r, "value", "a disease-activity row needs the score's value")) }
      if let v = value, ClinicalAnalyte.normalizedName(detail) == "sledai2k", !(v == v.rounded() && EventCSVReader.sledai2KRange.contains(v)) {
        issues.append(t.issue(.invalidScore, r, "value", "SLEDAI-2K is a whole number from 0 to 105, not \(v.clinicalText)"))
      }
    }
    guard let patient, let kind, let start else { return nil }
    return EventRow(patient: patient, kind: kind, startDay: start.day, startDate: start.date, endDay: end?.day, endDate: end?.date, grade: grade,
                    dose: dose, doseUnit: kind == .ivig ? "g/kg" : doseUnit, value: value, detail: detail, source: t.verbatim("source", r), line: r.line)
  }
}
