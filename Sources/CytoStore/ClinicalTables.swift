import CytoClinical
import Foundation

/// A lab value as the store keeps it: one row of `/clinical/labs` (docs/store-schema.md,
/// "Clinical data"), read with ``CohortStoreReader/labValues(of:includingSuperseded:)``.
public struct StoredLabValue: Sendable, Equatable {
  /// The value as imported (canonical unit, bounds kept as bounds).
  public var row: LabRow
  /// The version of this key (patient, day, analyte, source): 1 for the first import, n+1
  /// for each corrected value.
  public var version: Int
  /// The version that replaced this one, `nil` while it is current.
  public var supersededBy: Int?
  /// SHA-256 of the file that brought it (a row of `/clinical/imports`).
  public var importSHA256: String

  /// Whether this is the current version of its key.
  public var isCurrent: Bool { supersededBy == nil }
}

/// An event as the store keeps it: one row of `/clinical/events`.
public struct StoredClinicalEvent: Sendable, Equatable {
  /// The event as imported.
  public var row: EventRow
  /// The version of this key (patient, kind, start day, source).
  public var version: Int
  /// The version that replaced this one, `nil` while current.
  public var supersededBy: Int?
  /// SHA-256 of the file that brought it.
  public var importSHA256: String

  /// Whether this is the current version of its key.
  public var isCurrent: Bool { supersededBy == nil }
}

/// One imported file: a row of `/clinical/imports`.
public struct StoredClinicalImport: Sendable, Equatable {
  /// The file's name (no directory) and the SHA-256 of its bytes.
  public var fileName: String, fileSHA256: String
  /// `labs` or `events`.
  public var kind: ClinicalFileKind
  /// When it was imported (ISO 8601 UTC) and by which cytoreset.
  public var importTime: String, cytoresetVersion: String
  /// Rows stored under a new key, rows already stored as they are, corrected rows stored as
  /// new versions, and warnings reported.
  public var added: Int, unchanged: Int, newVersions: Int, warnings: Int
}

/// Reading and writing the clinical tables.
enum ClinicalTables {
  static let labsPath = "/clinical/labs"
  static let eventsPath = "/clinical/events"
  static let importsPath = "/clinical/imports"

  static func text(_ d: Double?) -> Double { d ?? .nan }
  static func optional(_ d: Double) -> Double? { d.isNaN ? nil : d }
  static func optional(_ s: String) -> String? { s.isEmpty ? nil : s }

  // MARK: - Labs

  static func labColumns(_ rows: [StoredLabValue]) -> [HDF5Column] {
    let r = rows.map(\.row)
    return [
      HDF5Column("patient", .string(r.map(\.patient))), HDF5Column("day", .double(r.map(\.day))),
      HDF5Column("date", .string(r.map { $0.date ?? "" })), HDF5Column("analyte", .string(r.map(\.analyte.name))),
      HDF5Column("vocabulary", .bool(r.map { if case .known = $0.analyte { true } else { false } })),
      HDF5Column("loinc", .string(r.map { $0.analyte.loinc ?? "" })),
      HDF5Column("value", .double(r.map { text($0.measurement.value) })),
      HDF5Column("less_than", .double(r.map { text($0.measurement.lessThan) })),
      HDF5Column("greater_than", .double(r.map { text($0.measurement.greaterThan) })),
      HDF5Column("below_lloq", .bool(r.map { $0.measurement.censoring == .below })),
      HDF5Column("unit", .string(r.map(\.measurement.unit))), HDF5Column("lloq", .double(r.map { text($0.lloq) })),
      HDF5Column("value_as_given", .string(r.map(\.valueAsGiven))), HDF5Column("unit_as_given", .string(r.map(\.unitAsGiven))),
      HDF5Column("factor", .double(r.map { text($0.factor) })), HDF5Column("method", .string(r.map(\.method))),
      HDF5Column("source", .string(r.map(\.source))), HDF5Column("line", .int64(r.map { Int64($0.line) })),
      HDF5Column("version", .int64(rows.map { Int64($0.version) })),
      HDF5Column("superseded_by", .int64(rows.map { Int64($0.supersededBy ?? -1) })),
      HDF5Column("import_sha256", .string(rows.map(\.importSHA256))),
    ]
  }

  static func readLabs(_ root: HDF5Group) throws -> [StoredLabValue] {
    guard root.exists(labsPath) else { return [] }
    let t = Columns(try root.dataset(labsPath).readTable(), root.filePath, labsPath)
    let patient = try t.strings("patient"), day = try t.doubles("day"), date = try t.strings("date"), analyte = try t.strings("analyte")
    let vocabulary = try t.bools("vocabulary"), value = try t.doubles("value"), lessThan = try t.doubles("less_than")
    let greaterThan = try t.doubles("greater_than"), unit = try t.strings("unit"), lloq = try t.doubles("lloq")
    let given = try t.strings("value_as_given"), unitGiven = try t.strings("unit_as_given"), factor = try t.doubles("factor")
    let method = try t.strings("method"), source = try t.strings("source"), line = try t.ints("line"), version = try t.ints("version")
    let superseded = try t.ints("superseded_by"), sha = try t.strings("import_sha256")
    return try (0..<t.table.rowCount).map { i in
      let identity: AnalyteIdentity
      if vocabulary[i] {
        guard let a = ClinicalAnalyte(rawValue: analyte[i]) else {
          throw StoreError.damaged(file: root.filePath, object: "\(labsPath).analyte", detail: "unknown vocabulary analyte '\(analyte[i])' in row \(i)")
        }
        identity = .known(a)
      } else {
        identity = .free(analyte[i])
      }
      let m: LabMeasurement
      if !value[i].isNaN { m = LabMeasurement(number: value[i], unit: unit[i]) } else if !lessThan[i].isNaN {
        m = LabMeasurement(number: lessThan[i], censoring: .below, unit: unit[i])
      } else if !greaterThan[i].isNaN {
        m = LabMeasurement(number: greaterThan[i], censoring: .above, unit: unit[i])
      } else {
        throw StoreError.damaged(file: root.filePath, object: labsPath, detail: "row \(i) has no value and no bound")
      }
      let row = LabRow(patient: patient[i], day: day[i], date: optional(date[i]), analyte: identity, measurement: m, valueAsGiven: given[i],
                       unitAsGiven: unitGiven[i], factor: optional(factor[i]), lloq: optional(lloq[i]), method: method[i], source: source[i],
                       line: line[i])
      return StoredLabValue(row: row, version: version[i], supersededBy: superseded[i] < 0 ? nil : superseded[i], importSHA256: sha[i])
    }
  }

  // MARK: - Events

  static func eventColumns(_ rows: [StoredClinicalEvent]) -> [HDF5Column] {
    let r = rows.map(\.row)
    return [
      HDF5Column("patient", .string(r.map(\.patient))), HDF5Column("kind", .string(r.map(\.kind.rawValue))),
      HDF5Column("start_day", .double(r.map(\.startDay))), HDF5Column("start_date", .string(r.map { $0.startDate ?? "" })),
      HDF5Column("end_day", .double(r.map { text($0.endDay) })), HDF5Column("end_date", .string(r.map { $0.endDate ?? "" })),
      HDF5Column("grade", .int64(r.map { Int64($0.grade ?? -1) })), HDF5Column("dose", .double(r.map { text($0.dose) })),
      HDF5Column("dose_unit", .string(r.map(\.doseUnit))), HDF5Column("value", .double(r.map { text($0.value) })),
      HDF5Column("detail", .string(r.map(\.detail))), HDF5Column("source", .string(r.map(\.source))),
      HDF5Column("line", .int64(r.map { Int64($0.line) })), HDF5Column("version", .int64(rows.map { Int64($0.version) })),
      HDF5Column("superseded_by", .int64(rows.map { Int64($0.supersededBy ?? -1) })),
      HDF5Column("import_sha256", .string(rows.map(\.importSHA256))),
    ]
  }

  static func readEvents(_ root: HDF5Group) throws -> [StoredClinicalEvent] {
    guard root.exists(eventsPath) else { return [] }
    let t = Columns(try root.dataset(eventsPath).readTable(), root.filePath, eventsPath)
    let patient = try t.strings("patient"), kind = try t.strings("kind"), startDay = try t.doubles("start_day")
    let startDate = try t.strings("start_date"), endDay = try t.doubles("end_day"), endDate = try t.strings("end_date")
    let grade = try t.ints("grade"), dose = try t.doubles("dose"), doseUnit = try t.strings("dose_unit"), value = try t.doubles("value")
    let detail = try t.strings("detail"), source = try t.strings("source"), line = try t.ints("line"), version = try t.ints("version")
    let superseded = try t.ints("superseded_by"), sha = try t.strings("import_sha256")
    return try (0..<t.table.rowCount).map { i in
      guard let k = ClinicalEventKind(rawValue: kind[i]) else {
        throw StoreError.damaged(file: root.filePath, object: "\(eventsPath).kind", detail: "unknown kind '\(kind[i])' in row \(i)")
      }
      let row = EventRow(patient: patient[i], kind: k, startDay: startDay[i], startDate: optional(startDate[i]), endDay: optional(endDay[i]),
                         endDate: optional(endDate[i]), grade: grade[i] < 0 ? nil : grade[i], dose: optional(dose[i]), doseUnit: doseUnit[i],
                         value: optional(value[i]), detail: detail[i], source: source[i], line: line[i])
      return StoredClinicalEvent(row: row, version: version[i], supersededBy: superseded[i] < 0 ? nil : superseded[i], importSHA256: sha[i])
    }
  }

  // MARK: - Imports

  static func importColumns(_ rows: [StoredClinicalImport]) -> [HDF5Column] {
    [
      HDF5Column("file_name", .string(rows.map(\.fileName))), HDF5Column("file_sha256", .string(rows.map(\.fileSHA256))),
      HDF5Column("kind", .string(rows.map(\.kind.rawValue))), HDF5Column("import_time", .string(rows.map(\.importTime))),
      HDF5Column("cytoreset_version", .string(rows.map(\.cytoresetVersion))), HDF5Column("added", .int64(rows.map { Int64($0.added) })),
      HDF5Column("unchanged", .int64(rows.map { Int64($0.unchanged) })), HDF5Column("new_versions", .int64(rows.map { Int64($0.newVersions) })),
      HDF5Column("warnings", .int64(rows.map { Int64($0.warnings) })),
    ]
  }

  static func readImports(_ root: HDF5Group) throws -> [StoredClinicalImport] {
    guard root.exists(importsPath) else { return [] }
    let t = Columns(try root.dataset(importsPath).readTable(), root.filePath, importsPath)
    let name = try t.strings("file_name"), sha = try t.strings("file_sha256"), kind = try t.strings("kind"), time = try t.strings("import_time")
    let version = try t.strings("cytoreset_version"), added = try t.ints("added"), unchanged = try t.ints("unchanged")
    let versions = try t.ints("new_versions"), warnings = try t.ints("warnings")
    return try (0..<t.table.rowCount).map { i in
      guard let k = ClinicalFileKind(rawValue: kind[i]) else {
        throw StoreError.damaged(file: root.filePath, object: "\(importsPath).kind", detail: "unknown kind '\(kind[i])' in row \(i)")
      }
      return StoredClinicalImport(fileName: name[i], fileSHA256: sha[i], kind: k, importTime: time[i], cytoresetVersion: version[i],
                                  added: added[i], unchanged: unchanged[i], newVersions: versions[i], warnings: warnings[i])
    }
  }

  /// Writes `columns` at `path`: rewritten in place when the table exists, else created
  /// resizable (chunks of 64 rows) with its description.
  static func write(_ columns: [HDF5Column], at path: String, description: String, in file: HDF5File) throws {
    if file.exists(path) {
      try file.dataset(path).replaceRows(columns)
    } else {
      let d = try file.createTable(path, columns: columns, options: HDF5DatasetOptions(chunkSize: 64, resizable: true))
      try d.setAttribute("description", description)
    }
  }
}

/// Typed column access with errors naming the table.
struct Columns {
  let table: HDF5Table
  let file: String, path: String
  init(_ table: HDF5Table, _ file: String, _ path: String) { (self.table, self.file, self.path) = (table, file, path) }
  func missing(_ n: String) -> StoreError { StoreError.damaged(file: file, object: "\(path).\(n)", detail: "missing or mistyped column") }
  func strings(_ n: String) throws -> [String] { guard let v = table[n]?.strings else { throw missing(n) }; return v }
  func doubles(_ n: String) throws -> [Double] { guard let v = table[n]?.doubles else { throw missing(n) }; return v }
  func bools(_ n: String) throws -> [Bool] { guard let v = table[n]?.bools else { throw missing(n) }; return v }
  func ints(_ n: String) throws -> [Int] { guard let v = table[n]?.int64s else { throw missing(n) }; return v.map { Int($0) } }
}
