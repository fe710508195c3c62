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
    for r in try commit(submissions, failures: [], into: path, refusals: .abortAll).visits {
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
    try commit(submissions, failures: [], into: path, refusals: .perSubmission).visits
  }

  /// Ingests `submissions` as ``ingestEach(_:into:)`` does and records `failures` (files that
  /// could not be analysed) in the store's failures table, in the same atomic commit
  /// (docs/store-schema.md, "Failures"):
  ///
  /// - a failure whose ``AnalysisFailure/failureKey`` is already in the table changes nothing
  ///   (``FailureOutcome/unchanged(patient:visit:status:)``): merging the same failure again
  ///   leaves the store file as it was;
  /// - a failure of a visit the store holds (stored earlier or by this commit) is recorded as
  ///   superseded (``FailureOutcome/superseded(patient:visit:analysis:)``): never open;
  /// - any other failure is recorded open (``FailureOutcome/recorded(patient:visit:)``);
  /// - the open failures of every visit this commit adds are marked resolved, with the analysis
  ///   version that stored it.
  ///
  /// When no submission is added and no failure recorded, the store is not rewritten (nor
  /// created). Results are in the order given.
  ///
  /// - Throws: what concerns the store as a whole, as ``ingestEach(_:into:)``.
  public static func ingestEach(_ submissions: [VisitSubmission], failures: [AnalysisFailure], into path: String) throws(StoreError)
    -> (visits: [Result<IngestOutcome, StoreError>], failures: [FailureOutcome])
  {
    let r = try commit(submissions, failures: failures, into: path, refusals: .perSubmission)
    return (r.visits, r.failures)
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

  /// One commit's results: one per submission and one per failure, in the order given.
  typealias CommitResults = (visits: [Result<IngestOutcome, StoreError>], failures: [FailureOutcome])

  static func commit(_ submissions: [VisitSubmission], failures: [AnalysisFailure], into path: String, refusals: Refusals)
    throws(StoreError) -> CommitResults
  {
    var submissions = submissions
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
    var failureResults: [FailureOutcome?] = Array(repeating: nil, count: failures.count)
    func settled() -> CommitResults? {
      guard results.allSatisfy({ $0 != nil }), failureResults.allSatisfy({ $0 != nil }) else { return nil }
      return (results.map { $0! }, failureResults.map { $0! })
    }
    if failures.isEmpty, let done = settled() { return done }
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
        // A visit without a count method of its own takes the store's matching lab ALC (read
        // under the lock, so the write below sees the same labs).
        submissions = try applyingLabCounts(submissions, in: store)
        for (k, s) in submissions.enumerated() where results[k] == nil {
          do {
            if case .unchanged(let n) = try classify(s, in: store) {
              results[k] = .success(.unchanged(patient: s.analysis.visit.patient!, visit: visitName(s), analysis: n))
            }
          } catch { results[k] = try refusals.result(error) }
        }
        failureResults = try settledFailures(failures, in: store)
      } catch let e as HDF5Error { throw StoreError.hdf5(e) } catch let e as StoreError { throw e } catch {
        throw StoreError.io(file: path, operation: "read", message: "\(error)")
      }
      if let done = settled() { return done }
    } else if let done = settled() {
      return done
    }
    let temporary = StoreFiles.temporaryPath(path)
    do {
      if exists { try StoreFiles.copy(path, to: temporary) }
      let written = try write(submissions, skipping: results, failures: failures, settled: failureResults, to: temporary,
                              creating: !exists, storePath: path, refusals: refusals)
      let changed = written.visits.contains { if case .success(.added) = $0 { true } else { false } }
        || written.failures.contains { if case .unchanged = $0 { false } else { true } }
      guard changed else {
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

  /// The temporary copy a commit writes (or a new store), with its root attributes checked and
  /// its schema version raised to this build's: a store of an earlier minor version gains this
  /// one's additions (1.1: review attributes; 1.2: the failures table, written when a failure is
  /// first recorded; 1.3: the clinical tables, written by `clinical import`; 1.4: the lab-ALC
  /// columns of `series/visits`, written when a patient's series are rebuilt).
  static func openForCommit(_ path: String, creating: Bool, now: String) throws -> HDF5File {
    let file = creating ? try HDF5File.create(path, persistentFreeSpace: true) : try HDF5File.open(path, mode: .readWrite)
    if creating {
      try file.setAttribute("schema", StoreSchema.name)
      try file.setAttribute("schema_version", StoreSchema.version)
      try file.setAttribute("created", now)
      try file.createGroup("patients")
    } else {
      try validateSchema(file)
      try file.setAttribute("schema_version", StoreSchema.version)
    }
    return file
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
  private static func write(_ submissions: [VisitSubmission], skipping settled: [Result<IngestOutcome, StoreError>?],
                            failures: [AnalysisFailure], settled settledFailures: [FailureOutcome?], to path: String,
                            creating: Bool, storePath: String, refusals: Refusals) throws(StoreError) -> CommitResults
  {
    do {
      let now = StoreClock.now()
      let file = try openForCommit(path, creating: creating, now: now)
      var results = settled
      var touched: [String] = []
      var added: [(patient: String, visit: String, analysis: Int)] = []
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
        added.append((patient, visit, n))
        if !touched.contains(patient) { touched.append(patient) }
      }
      // The thresholds and version of the last submission not refused (stored or already there).
      let accepted = submissions.indices.filter { if case .success? = results[$0] { true } else { false } }.map { submissions[$0] }
      for p in touched {
        let thresholds = accepted.last { $0.analysis.visit.patient == p }!.thresholds
        try SeriesWriter.rebuild(patient: p, in: file, thresholds: thresholds)
      }
      let failureResults = try writeFailures(failures, settled: settledFailures, added: added, in: file, now: now)
      let recorded = failures.indices.filter { if case .unchanged = failureResults[$0] { false } else { true } }.map { failures[$0] }
      try file.setAttribute("modified", now)
      try file.setAttribute("cytoreset_version", accepted.last?.provenance.cytoresetVersion ?? recorded.last?.software.version ?? "")
      try file.flush()
      return (results.map { $0! }, failureResults)
    } catch {
      // Errors name the temporary copy; name the store, which is what the user gave.
      throw StoreError.fromCommit(error, temporary: path, store: storePath)
    }
  }
}
