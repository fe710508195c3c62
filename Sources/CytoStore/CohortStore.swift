import CytoClinical
import CytoCore
import Foundation

/// Writes the longitudinal cohort store (docs/store-schema.md).
///
/// Every ingest is copy-on-write: under an exclusive lock on `<store>.lock`, the store is copied
/// to a hidden sibling file, the visits are added to the copy, the copy is flushed and
/// `fsync`ed, and it is renamed over the store. A process killed at any moment leaves either the
/// old store or the new one, never a mixture; readers open the store read-only and see one
/// complete version. The price is one copy of the store per ingest (measured in
/// docs/store-schema.md).
public enum CohortStore {
  /// Ingests `submissions` into the store at `path` (created when missing) in one atomic commit.
  ///
  /// A submission whose file is already stored for that visit with the same analysis key
  /// (``VisitSubmission/analysisKey``) changes nothing (``IngestOutcome/unchanged(patient:visit:analysis:)``);
  /// the same file with another gating or count method becomes a new analysis version beside the
  /// old ones. When nothing changes, the store file is not rewritten.
  ///
  /// - Throws: ``StoreError/conflict(file:object:detail:)`` for another file on a stored visit
  ///   or contradicting patient attributes (nothing is written then),
  ///   ``StoreError/newerSchema(file:found:supported:)``, ``StoreError/notAStore(file:reason:)``,
  ///   ``StoreError/hdf5(_:)`` for an unreadable store, ``StoreError/io(file:operation:message:)``.
  public static func ingest(_ submissions: [VisitSubmission], into path: String) throws(StoreError) -> [IngestOutcome] {
    var outcomes: [IngestOutcome] = []
    for r in try commit(submissions, into: path, refusals: .abortAll) {
      switch r {
      case .success(let o): outcomes.append(o)
      case .failure(let e): throw e  // not reached: `.abortAll` throws the first refusal
      }
    }
    return outcomes
  }

  /// Ingests `submissions` in one atomic commit, like ``ingest(_:into:)``, except that a
  /// submission the store's rules refuse is left out with its error and the others are still
  /// stored: another file for a stored visit (or for a visit an earlier submission of the same
  /// call adds), contradicting patient attributes, a missing patient id or day
  /// (``StoreError/conflict(file:object:detail:)``, ``StoreError/invalidArgument(_:)``).
  ///
  /// Results are in submission order. When no submission is added, the store is not rewritten
  /// (nor created).
  ///
  /// - Throws: what concerns the store as a whole: ``StoreError/newerSchema(file:found:supported:)``,
  ///   ``StoreError/notAStore(file:reason:)``, ``StoreError/hdf5(_:)``, ``StoreError/damaged(file:object:detail:)``,
  ///   ``StoreError/io(file:operation:message:)`` (nothing is written then).
  public static func ingestEach(_ submissions: [VisitSubmission], into path: String) throws(StoreError)
    -> [Result<IngestOutcome, StoreError>]
  {
    try commit(submissions, into: path, refusals: .perSubmission)
  }

  /// What a refused submission does to the others.
  enum Refusals {
    /// The first refusal is thrown and nothing is written.
    case abortAll
    /// A refused submission is left out, with its error as its result.
    case perSubmission

    /// `error` as the result of one submission, or rethrown when it concerns the whole commit.
    func result(_ error: StoreError) throws(StoreError) -> Result<IngestOutcome, StoreError> {
      switch (self, error) {
      case (.perSubmission, .conflict), (.perSubmission, .invalidArgument): return .failure(error)
      default: throw error
      }
    }
  }

  static func commit(_ submissions: [VisitSubmission], into path: String, refusals: Refusals) throws(StoreError)
    -> [Result<IngestOutcome, StoreError>]
  {
    var results: [Result<IngestOutcome, StoreError>?] = Array(repeating: nil, count: submissions.count)
    for (k, s) in submissions.enumerated() {
      guard let p = s.analysis.visit.patient, StoreSchema.isValidPatientID(p) else {
        results[k] = try refusals.result(.invalidArgument("\(s.provenance.fileName): a patient id is needed (non-empty, without '/')"))
        continue
      }
      guard let d = s.analysis.visit.day, d.isFinite else {
        results[k] = try refusals.result(.invalidArgument("\(s.provenance.fileName): the visit needs a day since infusion"))
        continue
      }
    }
    if results.allSatisfy({ $0 != nil }) { return results.map { $0! } }
    let lock = try StoreLock(storePath: path)
    defer { withExtendedLifetime(lock) {} }
    _ = StoreFiles.removeStaleTemporaries(path)
    let exists = FileManager.default.fileExists(atPath: path)
    if exists {
      // Read-only pass: refuse a foreign/newer/damaged store and skip the copy when every
      // submission is already stored (or refused).
      do {
        let store = try HDF5File.open(path, mode: .readOnly)
        try validateSchema(store)
        for (k, s) in submissions.enumerated() where results[k] == nil {
          do {
            if case .unchanged(let n) = try classify(s, in: store) {
              results[k] = .success(.unchanged(patient: s.analysis.visit.patient!, visit: visitName(s), analysis: n))
            }
          } catch { results[k] = try refusals.result(error) }
        }
      } catch let e as HDF5Error { throw StoreError.hdf5(e) } catch let e as StoreError { throw e } catch {
        throw StoreError.io(file: path, operation: "read", message: "\(error)")
      }
      if results.allSatisfy({ $0 != nil }) { return results.map { $0! } }
    }
    let temporary = StoreFiles.temporaryPath(path)
    do {
      if exists { try StoreFiles.copy(path, to: temporary) }
      let written = try write(submissions, skipping: results, to: temporary, creating: !exists, storePath: path, refusals: refusals)
      guard written.contains(where: { if case .success(.added) = $0 { true } else { false } }) else {
        unlink(temporary)
        return written
      }
      try StoreFiles.fsyncFile(temporary)
      try StoreFiles.rename(temporary, over: path)
      try? StoreFiles.fsyncFile(StoreFiles.directory(of: path), directory: true)
      return written
    } catch {
      unlink(temporary)
      throw error
    }
  }

  /// The visit group name of a submission.
  static func visitName(_ s: VisitSubmission) -> String {
    StoreSchema.visitName(day: s.analysis.visit.day!, infusion: s.analysis.visit.infusion)
  }

  /// Checks the root attributes: a CytoReset store whose major version this build reads.
  static func validateSchema(_ file: HDF5File) throws(StoreError) {
    guard file.hasAttribute("schema") else {
      throw StoreError.notAStore(file: file.filePath, reason: "no root attribute 'schema' (another program's HDF5 file?)")
    }
    let name: String
    do { name = try file.stringAttribute("schema") } catch { throw StoreError.hdf5(error) }
    guard name == StoreSchema.name else {
      throw StoreError.notAStore(file: file.filePath, reason: "root attribute 'schema' is '\(name)', not '\(StoreSchema.name)'")
    }
    let version: String
    do { version = try file.stringAttribute("schema_version") } catch { throw StoreError.hdf5(error) }
    guard let major = Int(version.split(separator: ".").first ?? "") else {
      throw StoreError.damaged(file: file.filePath, object: "/@schema_version", detail: "unreadable schema version '\(version)'")
    }
    if major > StoreSchema.major {
      throw StoreError.newerSchema(file: file.filePath, found: version, supported: "\(StoreSchema.major).x")
    }
  }

  enum Classification: Equatable {
    case newVisit
    case newAnalysis(Int)
    case unchanged(Int)
  }

  /// Whether a submission is a new visit, a new analysis of a stored visit, or already stored.
  static func classify(_ s: VisitSubmission, in root: HDF5Group) throws(StoreError) -> Classification {
    let patient = s.analysis.visit.patient!
    let visit = "/patients/\(patient)/visits/\(visitName(s))"
    guard root.exists(visit) else {
      if s.analysis.review != nil {
        throw StoreError.conflict(file: root.filePath, object: visit, detail: "a review needs a stored visit, and the store has none here")
      }
      return .newVisit
    }
    do {
      let group = try root.group(visit)
      let stored = try group.stringAttribute("file_sha256")
      if stored != s.provenance.fileSHA256 {
        let storedName = (try? group.stringAttribute("file_name")) ?? "?"
        throw StoreError.conflict(
          file: root.filePath, object: visit,
          detail: "the visit already holds \(storedName) (SHA-256 \(stored.prefix(12))…); \(s.provenance.fileName) (SHA-256 "
            + "\(s.provenance.fileSHA256.prefix(12))…) is another file for the same patient, infusion and day")
      }
      let key = s.analysisKey
      var highest = 0
      var same: Int? = nil
      for name in try group.children(of: "analyses") {
        guard let n = Int(name) else { continue }
        highest = max(highest, n)
        if try group.group("analyses/\(name)").stringAttribute("analysis_key") == key { same = n }
      }
      if let same { return .unchanged(same) }
      if let expected = s.expectedLatestAnalysis, expected != highest {
        throw StoreError.conflict(
          file: root.filePath, object: visit,
          detail: "the review was made on version \(expected), but the visit now has version \(highest): someone saved in between; reload the visit and review again")
      }
      return .newAnalysis(highest + 1)
    } catch let e as HDF5Error { throw StoreError.hdf5(e) } catch let e as StoreError { throw e } catch {
      throw StoreError.io(file: root.filePath, operation: "read", message: "\(error)")
    }
  }

  /// Adds the submissions without a result yet to the (temporary) file at `path`, flushes it,
  /// and returns every submission's result.
  private static func write(_ submissions: [VisitSubmission], skipping settled: [Result<IngestOutcome, StoreError>?], to path: String,
                            creating: Bool, storePath: String, refusals: Refusals) throws(StoreError)
    -> [Result<IngestOutcome, StoreError>]
  {
    do {
      let file = creating ? try HDF5File.create(path, persistentFreeSpace: true) : try HDF5File.open(path, mode: .readWrite)
      let now = StoreClock.now()
      if creating {
        try file.setAttribute("schema", StoreSchema.name)
        try file.setAttribute("schema_version", StoreSchema.version)
        try file.setAttribute("created", now)
        try file.createGroup("patients")
      } else {
        try validateSchema(file)
        // A store of an earlier minor version gains this one's additions (review attributes).
        try file.setAttribute("schema_version", StoreSchema.version)
      }
      var results = settled
      var touched: [String] = []
      for (k, s) in submissions.enumerated() where results[k] == nil {
        let patient = s.analysis.visit.patient!
        let visit = visitName(s)
        let n: Int, changes: [PatientChange]
        do {
          switch try classify(s, in: file) {
          case .unchanged(let m):
            results[k] = .success(.unchanged(patient: patient, visit: visit, analysis: m))
            continue
          case .newVisit: n = 1
          case .newAnalysis(let m): n = m
          }
          changes = try patientChanges(s, in: file)
        } catch let e as StoreError {
          results[k] = try refusals.result(e)
          continue
        }
        try writePatient(s, changes, in: file)
        try writeVisit(s, analysis: n, in: file)
        results[k] = .success(.added(patient: patient, visit: visit, analysis: n))
        if !touched.contains(patient) { touched.append(patient) }
      }
      // The thresholds and version of the last submission not refused (stored or already there).
      let accepted = submissions.indices.filter { if case .success? = results[$0] { true } else { false } }.map { submissions[$0] }
      for p in touched {
        let thresholds = accepted.last { $0.analysis.visit.patient == p }!.thresholds
        try SeriesWriter.rebuild(patient: p, in: file, thresholds: thresholds)
      }
      try file.setAttribute("modified", now)
      try file.setAttribute("cytoreset_version", accepted.last?.provenance.cytoresetVersion ?? "")
      try file.flush()
      return results.map { $0! }
    } catch let e as HDF5Error {
      // Errors name the temporary copy; name the store, which is what the user gave.
      var e = e
      if e.filePath == path { e.filePath = storePath }
      throw StoreError.hdf5(e)
    } catch let e as StoreError { throw e } catch {
      throw StoreError.io(file: storePath, operation: "write", message: "\(error)")
    }
  }

  /// Writes the visit group (when new) and analysis `n` below it.
  private static func writeVisit(_ s: VisitSubmission, analysis n: Int, in file: HDF5File) throws {
    let a = s.analysis
    let p = s.provenance
    let visitPath = "/patients/\(a.visit.patient!)/visits/\(visitName(s))"
    let visit: HDF5Group
    if file.exists(visitPath) {
      visit = try file.group(visitPath)
      if let date = p.collectionDate, !date.isEmpty, !visit.hasAttribute("collection_date") {
        try visit.setAttribute("collection_date", date)
      }
    } else {
      visit = try file.createGroup(visitPath)
      try visit.setAttribute("day", a.visit.day!)
      try visit.setAttribute("infusion", a.visit.infusion)
      try visit.setAttribute("file_name", p.fileName)
      try visit.setAttribute("file_sha256", p.fileSHA256)
      try visit.setAttribute("events", a.events)
      try visit.setAttribute("data_set", a.dataSet)
      if let date = p.collectionDate, !date.isEmpty { try visit.setAttribute("collection_date", date) }
    }
    let g = try visit.createGroup("analyses/\(n)")
    try g.setAttribute("analysis", n)
    try g.setAttribute("analysis_key", s.analysisKey)
    try g.setAttribute("panel", a.panel)
    try g.setAttribute("panel_version", a.panelVersion)
    try g.setAttribute("gating_hash", p.gatingHash)
    try g.setAttribute("cytoreset_version", p.cytoresetVersion)
    try g.setAttribute("analysis_time", p.analysisTime)
    try g.setAttribute("analyst_note", p.analystNote)
    try g.setAttribute("statistics", p.statistics)
    try g.setAttribute("count_method", a.countMethod?.name ?? "none")
    try g.setAttribute("count_method_summary", a.countMethod?.summary ?? "no absolute counts")
    switch a.countMethod {
    case .singlePlatform(let b, let v)?:
      try g.setAttribute("beads_per_test", b)
      try g.setAttribute("blood_ul", v)
    case .dualPlatform(let alc)?:
      try g.setAttribute("alc_per_ul", alc)
    case nil: break
    }
    try g.setAttribute("events", a.events)
    if let b = a.beadEvents { try g.setAttribute("bead_events", b) }
    try g.setAttribute("b_cell_aplasia", a.calls.bCellAplasia.result.rawValue)
    try g.setAttribute("b_cell_aplasia_reason", a.calls.bCellAplasia.reason)
    try g.setAttribute("predominantly_naive", a.calls.predominantlyNaive.map { $0 ? "yes" : "no" } ?? "unknown")
    try g.setAttribute("car_t_detectable", a.calls.carTDetectable.result.rawValue)
    try g.setAttribute("car_t_detectable_reason", a.calls.carTDetectable.reason)
    try g.setAttribute("car_background_pct_cd3", a.calls.carBackgroundPercentOfT)
    try g.setAttribute("car_background_source", a.calls.carBackgroundSource)
    try g.setAttribute("analysis_json", try StoreJSON.encode(a))
    if let r = a.review {
      try g.setAttribute("review_status", r.status.rawValue)
      try g.setAttribute("reviewer", r.reviewer)
      try g.setAttribute("review_reason", r.reason)
      try g.setAttribute("review_time", r.time)
      try g.setAttribute("replaces", r.replaces)
    }
    if let panel = p.panelJSON {
      // Stored once per distinct panel: /panels/<SHA-256 of the JSON>, referenced by hash.
      let hash = SHA256.hash(text: panel).hex
      if !file.exists("/panels/\(hash)") {
        let d = try file.createDataset("/panels/\(hash)", strings: [panel])
        try d.setAttribute("panel", a.panel)
        try d.setAttribute("panel_version", a.panelVersion)
      }
      try g.setAttribute("panel_sha256", hash)
    }
    try g.createTable("populations", columns: PopulationTable.columns(a))
    try g.createTable("cuts", columns: [
      HDF5Column("name", .string(a.cuts.map(\.name))), HDF5Column("marker", .string(a.cuts.map(\.marker))),
      HDF5Column("value", .double(a.cuts.map(\.value))), HDF5Column("method", .string(a.cuts.map(\.method.rawValue))),
      HDF5Column("note", .string(a.cuts.map { $0.note ?? "" })),
    ])
    try g.createTable("diagnostics", columns: [
      HDF5Column("severity", .string(a.diagnostics.map(\.severity.rawValue))),
      HDF5Column("code", .string(a.diagnostics.map(\.code.rawValue))),
      HDF5Column("message", .string(a.diagnostics.map(\.message))),
    ])
    if let e = s.events {
      if !visit.exists("events") {
        let m = try visit.createFloatMatrix("events", e.matrix)
        try m.setAttribute("channels", e.channels)
        try m.setAttribute("compensated", e.compensated ? "file spillover" : "no")
      }
      let masks = try g.createGroup("masks")
      try masks.setAttribute("bit_order", "little")
      try masks.setAttribute("events", e.matrix.eventCount)
      for (id, mask) in e.masks.sorted(by: { $0.key < $1.key }) {
        try masks.createDataset(id, values: packBits(mask), options: HDF5DatasetOptions(compression: .deflate(level: 1)))
      }
    }
    // The version series and reports use: an approved review; a draft or proposed one never;
    // a new automated analysis unless a reviewer approved an earlier version.
    switch a.review?.status {
    case .approved?: try visit.setAttribute("current_analysis", n)
    case .draft?, .proposed?: break
    case nil:
      if try !hasApprovedVersion(visit, below: n) { try visit.setAttribute("current_analysis", n) }
    }
    try visit.setAttribute("analyses", n)
  }

  /// Whether an analysis version of `visit` numbered below `n` is an approved review.
  static func hasApprovedVersion(_ visit: HDF5Group, below n: Int) throws -> Bool {
    for name in try visit.children(of: "analyses") {
      guard let k = Int(name), k < n else { continue }
      let g = try visit.group("analyses/\(name)")
      if g.hasAttribute("review_status"), try g.stringAttribute("review_status") == ReviewRecord.Status.approved.rawValue { return true }
    }
    return false
  }

  /// A mask as bytes, 8 events each, least significant bit first (numpy
  /// `unpackbits(bitorder="little")`).
  static func packBits(_ mask: EventMask) -> [UInt8] {
    let n = (mask.count + 7) / 8
    var out = [UInt8](repeating: 0, count: n)
    for (w, word) in mask.words.enumerated() {
      for b in 0..<8 where w * 8 + b < n { out[w * 8 + b] = UInt8(truncatingIfNeeded: word >> UInt64(8 * b)) }
    }
    return out
  }
}
