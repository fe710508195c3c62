/// Reads a lab CSV (docs/clinical-data.md, "Lab CSV"): long format, one value per row, columns
/// by header name: `patient`, `date` and/or `day`, `analyte`, `value`, `unit`, and optionally
/// `lloq`, `method`, `source`.
public enum LabCSVReader {
  /// The columns a lab CSV may have.
  public static let columns = ["patient", "date", "day", "analyte", "value", "unit", "lloq", "method", "source"]
  /// The columns it must have (and `date` or `day`).
  public static let requiredColumns = ["patient", "analyte", "value", "unit"]

  /// Reads every row, converting vocabulary analytes to their canonical unit.
  ///
  /// - Parameters:
  ///   - text: the file's text.
  ///   - file: its name for messages.
  ///   - firstInfusionDate: a patient's first infusion date (`YYYY-MM-DD`), when known; a row
  ///     with a date and no day needs it.
  /// - Returns: the rows (identical duplicates left out) and warnings.
  /// - Throws: ``ClinicalImportFailure`` with every error of the file (unknown or wrong unit,
  ///   unparseable date or value, a date without the patient's infusion date, a negative value,
  ///   two different values for one patient, day, analyte and source, …): nothing is imported.
  public static func read(_ text: String, file: String, firstInfusionDate: (String) -> String?) throws(ClinicalImportFailure) -> LabImport {
    let table = try ClinicalTable.read(text, file: file, allowed: columns, required: requiredColumns)
    guard table.column("date") != nil || table.column("day") != nil else {
      throw ClinicalImportFailure([ClinicalIssue(.error, .missingColumn, file: file, line: 1, message: "the header needs a 'date' or a 'day' column")])
    }
    var issues: [ClinicalIssue] = [], warnings: [ClinicalIssue] = []
    var rows: [LabRow] = []
    var byKey: [String: Int] = [:]
    var duplicates = 0
    for record in table.rows {
      if let e = table.extraFields(record) {
        issues.append(e)
        continue
      }
      var rowIssues: [ClinicalIssue] = []
      let row = readRow(record, table, firstInfusionDate, &rowIssues, &warnings)
      issues += rowIssues
      guard let row, rowIssues.isEmpty else { continue }
      if let k = byKey[row.key] {
        if rows[k].sameContent(as: row) {
          duplicates += 1
        } else {
          let col = rows[k].measurement != row.measurement ? "value" : nil
          issues.append(table.issue(.conflictingDuplicate, record, col,
            "patient \(row.patient), day \(row.day.clinicalText), \(row.analyte.name)\(row.source.isEmpty ? "" : ", source '\(row.source)'") "
              + "is \(row.measurement.text) \(row.measurement.unit) here but \(rows[k].measurement.text) \(rows[k].measurement.unit) on line \(rows[k].line)"
              + (col == nil ? " (LLOQ, method or date differ)" : "") + "; one file gives one value per patient, day, analyte and source"))
        }
        continue
      }
      byKey[row.key] = rows.count
      rows.append(row)
    }
    if !issues.isEmpty { throw ClinicalImportFailure(issues) }
    return LabImport(rows: rows, warnings: warnings, identicalDuplicates: duplicates)
  }

  static func readRow(_ r: ClinicalCSVRecord, _ t: ClinicalTable, _ infusion: (String) -> String?, _ issues: inout [ClinicalIssue],
                      _ warnings: inout [ClinicalIssue]) -> LabRow? {
    let patient = ClinicalWhen.patient(r, t, &issues)
    let analyteText = t.cell("analyte", r)
    if analyteText == nil { issues.append(t.issue(.missingField, r, "analyte", "no analyte")) }
    let when = patient.flatMap { ClinicalWhen.resolve(r, t, dateColumn: "date", dayColumn: "day", patient: $0, firstInfusionDate: infusion, &issues) }
    let valueText = t.cell("value", r), unitText = t.cell("unit", r)
    var lloqGiven: Double? = nil
    if let s = t.cell("lloq", r) {
      if let d = LabNumber.parse(s), d >= 0 { lloqGiven = d } else {
        issues.append(t.issue(LabNumber.parse(s) == nil ? .unparseableValue : .negativeValue, r, "lloq", "LLOQ '\(s)' is not a non-negative number"))
      }
    }
    var parsed: (number: Double, censoring: LabMeasurement.Censoring)? = nil
    var belowDetection = false
    if let valueText, LabNumber.meansNotDetected(valueText) {
      // `not detected`, `<LLOQ`, `BLQ`, `neg`: below the assay's limit. The row's LLOQ makes it
      // a bound; without one there is no number to store (and never a 0).
      if let lloqGiven {
        parsed = (lloqGiven, .below)
        belowDetection = true
      } else if t.cell("lloq", r) == nil {
        issues.append(t.issue(.unparseableValue, r, "value",
          "'\(valueText)' says below the assay's limit, but the row gives no LLOQ: put it in the lloq column (stored as the bound <LLOQ, never as 0)"))
      }
    } else if let valueText {
      do { parsed = try LabNumber.parseValue(valueText) } catch {
        switch error {
        case .negative: issues.append(t.issue(.negativeValue, r, "value", "negative value '\(valueText)': a lab value or bound is never below 0"))
        case .unparseable:
          let comma = valueText.contains(",") ? "; a comma is read neither as a decimal point nor as a thousands separator (write 1.2 or 1200)" : ""
          issues.append(t.issue(.unparseableValue, r, "value", "'\(valueText)' is not a number (a plain decimal such as 4.2, or <0.5 / >2000 for a bound\(comma))"))
        }
      }
    } else {
      issues.append(t.issue(.missingField, r, "value", "no value"))
    }
    if unitText == nil { issues.append(t.issue(.missingField, r, "unit", "no unit (every value needs one)")) }
    guard let patient, let analyteText, let unitText else { return nil }
    let analyte: AnalyteIdentity = ClinicalAnalyte.matching(analyteText).map { .known($0) } ?? .free(analyteText)
    var unit = unitText
    var convert: (Double) -> Double = { $0 }
    var factor: Double? = nil
    switch analyte {
    case .known(let a):
      guard let source = LabSourceUnit.named(unitText) else {
        issues.append(t.issue(.unknownUnit, r, "unit", "unknown unit '\(unitText)' for \(a.rawValue) (canonical \(a.canonicalUnit.rawValue); "
          + "units read: \(LabUnitConversion.all.filter { $0.to == a.canonicalUnit }.map(\.from).joined(separator: ", ")))"))
        return nil
      }
      guard let c = LabUnitConversion.from(source, to: a.canonicalUnit) else {
        issues.append(t.issue(.wrongUnit, r, "unit", "'\(unitText)' (\(source.symbol)) is not a unit of \(a.rawValue), which is measured in "
          + "\(a.canonicalUnit.rawValue) (units read: \(LabUnitConversion.all.filter { $0.to == a.canonicalUnit }.map(\.from).joined(separator: ", ")))"))
        return nil
      }
      unit = a.canonicalUnit.rawValue
      convert = c.apply
      factor = c.factor
    case .free(let name):
      warnings.append(t.issue(.freeAnalyte, r, "analyte",
        "'\(name)' is not in the analyte vocabulary (docs/clinical-data.md); stored as given in '\(unitText)', not converted", severity: .warning))
    }
    guard let parsed, let when else { return nil }
    var measurement = LabMeasurement(number: convert(parsed.number), censoring: parsed.censoring, unit: unit)
    let lloq = lloqGiven.map(convert)
    if belowDetection {
      warnings.append(t.issue(.belowLLOQ, r, "value",
        "'\(valueText ?? "")' stored as the bound <\(measurement.number.clinicalText) \(unit) (the row's LLOQ), never as a number", severity: .warning))
    }
    if let lloq, parsed.censoring == .none, measurement.number < lloq {
      warnings.append(t.issue(.belowLLOQ, r, "value",
        "\(valueText ?? "") \(unitText) is below the row's LLOQ \(t.cell("lloq", r) ?? ""): stored as the bound <\(lloq.clinicalText) \(unit), never as a number", severity: .warning))
      measurement = LabMeasurement(number: lloq, censoring: .below, unit: unit)
    }
    return LabRow(patient: patient, day: when.day, date: when.date, analyte: analyte, measurement: measurement, valueAsGiven: valueText ?? "",
                  unitAsGiven: unitText, factor: factor, lloq: lloq, method: t.verbatim("method", r), source: t.verbatim("source", r), line: r.line)
  }
}

/// The patient and day of a row, shared by the lab and event readers.
enum ClinicalWhen {
  /// The patient cell: non-empty, without `/` (a store group name).
  static func patient(_ r: ClinicalCSVRecord, _ t: ClinicalTable, _ issues: inout [ClinicalIssue]) -> String? {
    guard let p = t.cell("patient", r) else {
      issues.append(t.issue(.missingField, r, "patient", "no patient"))
      return nil
    }
    guard !p.contains("/"), p != ".", p != "..", !p.unicodeScalars.contains("\u{0}") else {
      issues.append(t.issue(.invalidPatient, r, "patient", "invalid patient id '\(p)' (no '/', not '.' or '..')"))
      return nil
    }
    return p
  }

  /// Whether a cell is written as a date (`YYYY-…`) rather than a day.
  static func looksLikeDate(_ s: String) -> Bool {
    let c = Array(s)
    return c.count >= 5 && c[0...3].allSatisfy(\.isNumber) && c[4] == "-"
  }

  /// The day of a row from its date cell, its day cell, or both (they must agree when the
  /// patient's first infusion date is known). `dateColumn` and `dayColumn` may be one column
  /// holding either (events' `start` and `end`). Nil, with an issue, when neither gives a day;
  /// nil without an issue when both cells are empty and `optional`.
  static func resolve(_ r: ClinicalCSVRecord, _ t: ClinicalTable, dateColumn: String, dayColumn: String, patient: String,
                      firstInfusionDate: (String) -> String?, optional: Bool = false, _ issues: inout [ClinicalIssue]) -> (day: Double, date: String?)? {
    var dateText = t.cell(dateColumn, r), dayText = dateColumn == dayColumn ? nil : t.cell(dayColumn, r)
    if dateColumn == dayColumn, let s = dateText, !looksLikeDate(s) { (dateText, dayText) = (nil, s) }
    var day: Double? = nil
    if let s = dayText {
      guard let d = LabNumber.parse(s) else {
        issues.append(t.issue(.unparseableDay, r, dayColumn, "day '\(s)' is not a number of days since the first infusion (negative before it)"))
        return nil
      }
      day = d
    }
    guard let dateText else {
      if let day { return (day, nil) }
      if optional { return nil }
      let where_ = dateColumn == dayColumn ? "'\(dateColumn)'" : "'\(dateColumn)' or '\(dayColumn)'"
      issues.append(t.issue(.missingField, r, dateColumn == dayColumn ? dateColumn : (t.column(dayColumn) != nil ? dayColumn : dateColumn),
                            "no \(where_): a row needs a date (YYYY-MM-DD) or a day since the first infusion"))
      return nil
    }
    guard let dateText = ClinicalDate.datePart(dateText) else {
      issues.append(t.issue(.unparseableDate, r, dateColumn, "'\(dateText)' is not a date YYYY-MM-DD (or an ISO 8601 date-time YYYY-MM-DDTHH:MM)"))
      return nil
    }
    guard let infusion = firstInfusionDate(patient), let fromDate = ClinicalDate.day(of: dateText, since: infusion) else {
      if let day { return (day, dateText) }
      issues.append(t.issue(.noInfusionDate, r, dateColumn,
        "a date without a day needs patient \(patient)'s first infusion date, and the store has none (ingest a visit with --infusion-date, or give a day)"))
      return nil
    }
    if let day, day != fromDate {
      issues.append(t.issue(.dayDateMismatch, r, dayColumn,
        "day \(day.clinicalText), but \(dateText) is day \(fromDate.clinicalText) after patient \(patient)'s first infusion on \(infusion)"))
      return nil
    }
    return (fromDate, dateText)
  }
}
