/// A clinical CSV file read into records with a header: columns by name, every cell located by
/// line and column for error messages. Shared by the lab and event readers.
struct ClinicalTable {
  let file: String
  let header: [String]
  let rows: [ClinicalCSVRecord]

  /// Reads the records and checks the header: every name known (`allowed`), none twice, the
  /// `required` ones present. Header names are compared lower-cased and trimmed.
  static func read(_ text: String, file: String, allowed: [String], required: [String]) throws(ClinicalImportFailure) -> ClinicalTable {
    let records: [ClinicalCSVRecord]
    do { records = try ClinicalCSV.parse(text) } catch {
      throw ClinicalImportFailure([ClinicalIssue(.error, .csvSyntax, file: file, line: error.line, column: error.column, message: error.message)])
    }
    guard let first = records.first else {
      throw ClinicalImportFailure([ClinicalIssue(.error, .empty, file: file, message: "the file is empty (a header row is needed)")])
    }
    if let issue = separatorIssue(first, file: file) { throw ClinicalImportFailure([issue]) }
    let header = first.fields.map { $0.trimmingSpaces.lowercased() }
    var issues: [ClinicalIssue] = []
    var seen = Set<String>()
    for (i, name) in header.enumerated() {
      if !allowed.contains(name) {
        issues.append(ClinicalIssue(.error, .unknownColumn, file: file, line: first.line, column: i + 1, field: name.isEmpty ? nil : name,
                                    message: "unknown column '\(name)' (columns: \(allowed.joined(separator: ", ")))"))
      } else if !seen.insert(name).inserted {
        issues.append(ClinicalIssue(.error, .duplicateColumn, file: file, line: first.line, column: i + 1, field: name,
                                    message: "column '\(name)' appears twice"))
      }
    }
    for name in required where !header.contains(name) {
      issues.append(ClinicalIssue(.error, .missingColumn, file: file, line: first.line, message: "the header has no '\(name)' column"))
    }
    if !issues.isEmpty { throw ClinicalImportFailure(issues) }
    return ClinicalTable(file: file, header: header, rows: Array(records.dropFirst()))
  }

  /// An error for a header that is one field holding `;` or a tab: a semicolon- or
  /// tab-separated export (spreadsheets in locales with a decimal comma write `;`), which would
  /// otherwise be refused column by column.
  static func separatorIssue(_ header: ClinicalCSVRecord, file: String) -> ClinicalIssue? {
    guard header.fields.count == 1, let only = header.fields.first else { return nil }
    let separator = only.contains(";") ? "semicolon" : only.contains("\t") ? "tab" : nil
    guard let separator else { return nil }
    return ClinicalIssue(.error, .csvSyntax, file: file, line: header.line, column: 1,
                         message: "the header is one field holding \(separator)s: the file looks \(separator)-separated; save it as comma-separated CSV (RFC 4180, '.' as the decimal point)")
  }

  /// The 1-based column index of `name`, if the header has it.
  func column(_ name: String) -> Int? { header.firstIndex(of: name).map { $0 + 1 } }

  /// The trimmed cell of `name` in `row` (`nil` when the column is absent or the cell empty).
  func cell(_ name: String, _ row: ClinicalCSVRecord) -> String? {
    guard let i = header.firstIndex(of: name), i < row.fields.count else { return nil }
    let v = row.fields[i].trimmingSpaces
    return v.isEmpty ? nil : v
  }

  /// The cell of `name` as written (not trimmed: free text is stored verbatim), `""` when absent.
  func verbatim(_ name: String, _ row: ClinicalCSVRecord) -> String {
    guard let i = header.firstIndex(of: name), i < row.fields.count else { return "" }
    return row.fields[i].trimmingSpaces.isEmpty ? "" : row.fields[i]
  }

  /// An issue located at the cell of `name` in `row`.
  func issue(_ code: ClinicalIssue.Code, _ row: ClinicalCSVRecord, _ name: String?, _ message: String,
             severity: ClinicalIssue.Severity = .error) -> ClinicalIssue {
    ClinicalIssue(severity, code, file: file, line: row.line, column: name.flatMap(column), field: name, message: message)
  }

  /// An error for a row with more fields than the header, or nil.
  func extraFields(_ row: ClinicalCSVRecord) -> ClinicalIssue? {
    guard row.fields.count > header.count else { return nil }
    return ClinicalIssue(.error, .extraFields, file: file, line: row.line, column: header.count + 1,
                         message: "\(row.fields.count) fields, but the header has \(header.count) columns")
  }
}

/// Calendar dates `YYYY-MM-DD` (proleptic Gregorian, no time zone) and days since infusion.
public enum ClinicalDate {
  /// Days since 1970-01-01 of a valid `YYYY-MM-DD` date (`2026-02-30` is refused), or nil.
  public static func dayNumber(_ text: String) -> Int? {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
      parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
      let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), (1...12).contains(m)
    else { return nil }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
    let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    guard d >= 1, d <= lengths[m - 1] else { return nil }
    // Days from civil (H. Hinnant, http://howardhinnant.github.io/date_algorithms.html).
    let yy = m <= 2 ? y - 1 : y
    let era = (yy >= 0 ? yy : yy - 399) / 400
    let yoe = yy - era * 400
    let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }

  /// The calendar date of a cell: `YYYY-MM-DD` itself, or the date of an ISO 8601 date-time
  /// as lab systems export it — `YYYY-MM-DDTHH:MM`, with a space instead of `T`, optional
  /// seconds (and fraction) and an optional `Z` or `±HH:MM` — whose time is dropped (days are
  /// calendar days, as written); nil for anything else.
  public static func datePart(_ text: String) -> String? {
    let s = Array(text.unicodeScalars)
    guard s.count >= 10 else { return nil }
    let date = String(String.UnicodeScalarView(s[0..<10]))
    guard dayNumber(date) != nil else { return nil }
    if s.count == 10 { return date }
    guard s[10] == "T" || s[10] == " " else { return nil }
    var rest = String(String.UnicodeScalarView(s[11...]))
    if rest.hasSuffix("Z") { rest.removeLast() } else if rest.count > 6, let sign = rest.unicodeScalars.dropLast(5).last, sign == "+" || sign == "-" {
      let zone = String(rest.suffix(5))
      guard isClock(zone, seconds: false) else { return nil }
      rest.removeLast(6)
    }
    return isClock(rest, seconds: true) ? date : nil
  }

  /// `HH:MM`, or with `seconds` also `HH:MM:SS` and `HH:MM:SS.fff`, in range.
  static func isClock(_ text: String, seconds: Bool) -> Bool {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 2 || (seconds && parts.count == 3) else { return false }
    func two(_ p: Substring, below limit: Int) -> Bool { p.count == 2 && p.allSatisfy { $0.isASCII && $0.isNumber } && Int(p)! < limit }
    guard two(parts[0], below: 24), two(parts[1], below: 60) else { return false }
    guard parts.count == 3 else { return true }
    let sec = parts[2].split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
    return two(sec[0], below: 61) && (sec.count == 1 || (!sec[1].isEmpty && sec[1].allSatisfy { $0.isASCII && $0.isNumber }))
  }

  /// The day of `date` counted from `infusionDate` (the infusion day is day 0, the day before
  /// it day −1), the rule `ingest --manifest` uses for collection dates; nil if either date is
  /// not a valid `YYYY-MM-DD`.
  public static func day(of date: String, since infusionDate: String) -> Double? {
    guard let a = dayNumber(date), let b = dayNumber(infusionDate) else { return nil }
    return Double(a - b)
  }
}
