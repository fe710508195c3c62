import CytoClinical
import Foundation

/// A failed analysis as the store keeps it: one row of the `/failures` table
/// (docs/store-schema.md, "Failures"), read with ``CohortStoreReader/failures()``.
public struct StoredFailure: Sendable, Equatable {
  /// Whether the visit still lacks data.
  public enum Status: String, Sendable, CaseIterable {
    /// The visit has no stored analysis: the failure is what the store knows about it.
    case open
    /// The visit was stored by a later commit (``StoredFailure/resolvedAnalysis`` says which
    /// analysis version); kept for the audit trail.
    case resolved
    /// The visit was already stored when the failure arrived (its file later failed again, or
    /// was replaced by an unreadable copy); recorded, never open.
    case superseded
  }

  /// The patient, infusion and day of the visit, and its group name (`day+028`).
  public var patient: String, infusion: Int, day: Double, visit: String
  /// The blood collection date, when given.
  public var collectionDate: String?
  /// The analyst's note (empty when none).
  public var note: String
  /// The FCS path as given, its name, and its SHA-256 and size when the bytes could be read.
  public var file: String, fileName: String, fileSHA256: String?, fileSizeBytes: Int?
  /// The data set that was to be analysed.
  public var dataSet: Int
  /// The error's typed code (`fcs.truncated`) and message.
  public var code: String, message: String
  /// The cytoreset version that tried, and when it failed (ISO 8601 UTC).
  public var cytoresetVersion: String, failureTime: String
  /// ``AnalysisFailure/failureKey``: the same key again is the same failure.
  public var failureKey: String
  /// Open, resolved or superseded.
  public var status: Status
  /// When the store recorded the failure (ISO 8601 UTC, the commit's time).
  public var recordedTime: String
  /// The visit's analysis version that closed the failure: the one stored later (resolved) or
  /// the one already stored (superseded); `nil` while open.
  public var resolvedAnalysis: Int?
  /// When the failure was closed (`nil` while open; the recording time when superseded).
  public var resolvedTime: String?

  /// The row of a failure the store has just received.
  init(_ f: AnalysisFailure, status: Status, recordedTime: String, resolvedAnalysis: Int?) {
    patient = f.visit.patient
    infusion = f.visit.infusion
    day = f.visit.day
    visit = f.visitName
    collectionDate = f.visit.collectionDate
    note = f.visit.note
    file = f.fcs.path
    fileName = f.fcs.name
    fileSHA256 = f.fcs.sha256
    fileSizeBytes = f.fcs.sizeBytes
    dataSet = f.fcs.dataSet
    code = f.error.code
    message = f.error.message
    cytoresetVersion = f.software.version
    failureTime = f.failureTime
    failureKey = f.failureKey
    self.status = status
    self.recordedTime = recordedTime
    self.resolvedAnalysis = resolvedAnalysis
    self.resolvedTime = status == .open ? nil : recordedTime
  }

  init(patient: String, infusion: Int, day: Double, visit: String, collectionDate: String?, note: String, file: String, fileName: String,
       fileSHA256: String?, fileSizeBytes: Int?, dataSet: Int, code: String, message: String, cytoresetVersion: String,
       failureTime: String, failureKey: String, status: Status, recordedTime: String, resolvedAnalysis: Int?, resolvedTime: String?) {
    (self.patient, self.infusion, self.day, self.visit, self.collectionDate, self.note) = (patient, infusion, day, visit, collectionDate, note)
    (self.file, self.fileName, self.fileSHA256, self.fileSizeBytes, self.dataSet) = (file, fileName, fileSHA256, fileSizeBytes, dataSet)
    (self.code, self.message, self.cytoresetVersion, self.failureTime, self.failureKey) = (code, message, cytoresetVersion, failureTime, failureKey)
    (self.status, self.recordedTime, self.resolvedAnalysis, self.resolvedTime) = (status, recordedTime, resolvedAnalysis, resolvedTime)
  }
}

/// What a commit did with one failure (``CohortStore/ingestEach(_:failures:into:)``).
public enum FailureOutcome: Sendable, Equatable, CustomStringConvertible {
  /// Added as an open failure: the visit has no stored analysis.
  case recorded(patient: String, visit: String)
  /// Added as superseded: the store already holds the visit (analysis `analysis` is current).
  case superseded(patient: String, visit: String, analysis: Int)
  /// The same failure (``AnalysisFailure/failureKey``) is already in the table: nothing changed.
  case unchanged(patient: String, visit: String, status: StoredFailure.Status)

  public var description: String {
    switch self {
    case .recorded: "recorded in the store's failures"
    case .superseded(_, _, let n):
      "recorded in the store's failures as superseded: the store already holds this visit (analysis \(n))"
    case .unchanged(_, _, let s): "already in the store's failures (\(s.rawValue)); nothing changed"
    }
  }
}

extension CohortStore {
  /// The path of the failures table.
  static let failuresPath = "/failures"

  /// Every row of `/failures` (none in a store without the table, such as a 1.1 store).
  static func readFailures(_ root: HDF5Group) throws -> [StoredFailure] {
    guard root.exists(failuresPath) else { return [] }
    let d = try root.dataset(failuresPath)
    let t = try d.readTable()
    func strings(_ n: String) throws -> [String] {
      guard let v = t[n]?.strings else { throw StoreError.damaged(file: root.filePath, object: "\(failuresPath).\(n)", detail: "missing or mistyped column") }
      return v
    }
    func ints(_ n: String) throws -> [Int] {
      guard let v = t[n]?.int64s else { throw StoreError.damaged(file: root.filePath, object: "\(failuresPath).\(n)", detail: "missing or mistyped column") }
      return v.map { Int($0) }
    }
    guard let day = t["day"]?.doubles else { throw StoreError.damaged(file: root.filePath, object: "\(failuresPath).day", detail: "missing or mistyped column") }
    let patient = try strings("patient"), infusion = try ints("infusion"), visit = try strings("visit")
    let date = try strings("collection_date"), note = try strings("note"), file = try strings("file"), name = try strings("file_name")
    let sha = try strings("file_sha256"), size = try ints("file_size"), dataSet = try ints("data_set")
    let code = try strings("code"), message = try strings("message"), version = try strings("cytoreset_version")
    let time = try strings("failure_time"), key = try strings("failure_key"), status = try strings("status")
    let recorded = try strings("recorded_time"), analysis = try ints("resolved_analysis"), resolved = try strings("resolved_time")
    return try (0..<t.rowCount).map { i in
      guard let s = StoredFailure.Status(rawValue: status[i]) else {
        throw StoreError.damaged(file: root.filePath, object: "\(failuresPath).status", detail: "unknown status '\(status[i])' in row \(i)")
      }
      return StoredFailure(
        patient: patient[i], infusion: infusion[i], day: day[i], visit: visit[i], collectionDate: date[i].isEmpty ? nil : date[i],
        note: note[i], file: file[i], fileName: name[i], fileSHA256: sha[i].isEmpty ? nil : sha[i], fileSizeBytes: size[i] < 0 ? nil : size[i],
        dataSet: dataSet[i], code: code[i], message: message[i], cytoresetVersion: version[i], failureTime: time[i], failureKey: key[i],
        status: s, recordedTime: recorded[i], resolvedAnalysis: analysis[i] < 0 ? nil : analysis[i],
        resolvedTime: resolved[i].isEmpty ? nil : resolved[i])
    }
  }

  /// The columns of `/failures`, in order (unknown values: `""` for strings, −1 for integers).
  static func failureColumns(_ rows: [StoredFailure]) -> [HDF5Column] {
    [
      HDF5Column("patient", .string(rows.map(\.patient))), HDF5Column("infusion", .int64(rows.map { Int64($0.infusion) })),
      HDF5Column("day", .double(rows.map(\.day))), HDF5Column("visit", .string(rows.map(\.visit))),
      HDF5Column("collection_date", .string(rows.map { $0.collectionDate ?? "" })), HDF5Column("note", .string(rows.map(\.note))),
      HDF5Column("file", .string(rows.map(\.file))), HDF5Column("file_name", .string(rows.map(\.fileName))),
      HDF5Column("file_sha256", .string(rows.map { $0.fileSHA256 ?? "" })),
      HDF5Column("file_size", .int64(rows.map { Int64($0.fileSizeBytes ?? -1) })),
      HDF5Column("data_set", .int64(rows.map { Int64($0.dataSet) })),
      HDF5Column("code", .string(rows.map(\.code))), HDF5Column("message", .string(rows.map(\.message))),
      HDF5Column("cytoreset_version", .string(rows.map(\.cytoresetVersion))), HDF5Column("failure_time", .string(rows.map(\.failureTime))),
      HDF5Column("failure_key", .string(rows.map(\.failureKey))), HDF5Column("status", .string(rows.map(\.status.rawValue))),
      HDF5Column("recorded_time", .string(rows.map(\.recordedTime))),
      HDF5Column("resolved_analysis", .int64(rows.map { Int64($0.resolvedAnalysis ?? -1) })),
      HDF5Column("resolved_time", .string(rows.map { $0.resolvedTime ?? "" })),
    ]
  }

  /// The failures a read-only pass finds already stored (by key): nothing to write for them.
  static func settledFailures(_ failures: [AnalysisFailure], in root: HDF5Group) throws -> [FailureOutcome?] {
    let stored = try readFailures(root)
    return failures.map { f in
      stored.first { $0.failureKey == f.failureKey }.map { .unchanged(patient: f.visit.patient, visit: f.visitName, status: $0.status) }
    }
  }

  /// Applies a commit to `/failures` in the (temporary) file: the open failures of the visits
  /// this commit added are resolved, then each new failure is added — superseded when its visit
  /// is stored (before or by this commit), open otherwise; a failure whose key is already in
  /// the table (or earlier in `failures`) is unchanged. The table is written only if it changed.
  static func writeFailures(_ failures: [AnalysisFailure], settled: [FailureOutcome?], added: [(patient: String, visit: String, analysis: Int)],
                            in file: HDF5File, now: String) throws -> [FailureOutcome] {
    var rows = try readFailures(file)
    var changed = false
    for a in added {
      for i in rows.indices where rows[i].status == .open && rows[i].patient == a.patient && rows[i].visit == a.visit {
        rows[i].status = .resolved
        rows[i].resolvedAnalysis = a.analysis
        rows[i].resolvedTime = now
        changed = true
      }
    }
    var outcomes: [FailureOutcome] = []
    for (k, f) in failures.enumerated() {
      if let s = settled[k] {
        outcomes.append(s)
        continue
      }
      let key = f.failureKey
      if let row = rows.first(where: { $0.failureKey == key }) {
        outcomes.append(.unchanged(patient: f.visit.patient, visit: f.visitName, status: row.status))
        continue
      }
      let visitPath = "/patients/\(f.visit.patient)/visits/\(f.visitName)"
      if file.exists(visitPath) {
        let n = Int(try file.group(visitPath).int64Attribute("current_analysis"))
        rows.append(StoredFailure(f, status: .superseded, recordedTime: now, resolvedAnalysis: n))
        outcomes.append(.superseded(patient: f.visit.patient, visit: f.visitName, analysis: n))
      } else {
        rows.append(StoredFailure(f, status: .open, recordedTime: now, resolvedAnalysis: nil))
        outcomes.append(.recorded(patient: f.visit.patient, visit: f.visitName))
      }
      changed = true
    }
    if changed {
      let columns = failureColumns(rows)
      if file.exists(failuresPath) {
        try file.dataset(failuresPath).replaceRows(columns)
      } else {
        let d = try file.createTable(failuresPath, columns: columns, options: HDF5DatasetOptions(chunkSize: 64, resizable: true))
        try d.setAttribute("description", "FCS files that could not be analysed, one row per failure; open ones have no stored visit")
      }
    }
    return outcomes
  }
}
