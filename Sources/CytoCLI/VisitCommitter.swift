import ArgumentParser
import CytoClinical
import CytoCore
import CytoStore
import Foundation

/// The single writer of `ingest`: takes analysed visits in storing order (per patient and
/// infusion by day), makes each one's CAR T call against the latest earlier pre-infusion
/// visit (from this run or the store), prints its warnings, and commits batches to the store.
/// `ingest FILE…`/`--manifest` and `ingest --analyses` both feed it, so they store the same.
///
/// A visit the store refuses (another file for a stored visit, contradicting patient
/// attributes) is reported and counted as failed; the others of its batch are still stored.
/// A failure of the store itself (unreadable, newer schema, disk full) stops the command.
///
/// Files that could not be analysed (``addFailure(_:label:fromRecord:)``) are committed with the
/// visits into the store's failures table (docs/store-schema.md, "Failures").
final class VisitCommitter {
  let store: String
  /// Visits per commit (one atomic copy-write-fsync-rename each).
  let batch: Int
  let bar: ProgressBar
  private(set) var stored = 0, unchanged = 0, failed = 0
  /// Failures added to the store's failures table (recorded or superseded, not unchanged).
  private(set) var failuresRecorded = 0
  private var backgrounds: [String: (day: Double, value: Double)] = [:]
  private var pending: [(submission: VisitSubmission, label: String)] = []
  private var pendingFailures: [(failure: AnalysisFailure, label: String, fromRecord: Bool)] = []
  /// The file of each visit of this run (patient, infusion, day → SHA-256), the first one given.
  private var files: [String: String] = [:]

  init(store: String, batch: Int, bar: ProgressBar) {
    self.store = store
    self.batch = batch
    self.bar = bar
  }

  /// A per-file line on standard error (above the progress line on a terminal).
  func say(_ line: String) { if bar.enabled { bar.message(line) } else { printError(line) } }

  /// The next visit in storing order; `label` names its input (FCS file or record) in messages.
  /// Commits when a batch is full.
  /// - Throws: `ExitCode(1)` when a commit fails (after reporting it).
  func add(_ submission: VisitSubmission, label: String) throws {
    var s = submission
    let visit = s.analysis.visit
    let (patient, infusion, day) = (visit.patient ?? "", visit.infusion, visit.day ?? .nan)
    let key = "\(patient)\u{0}\(infusion)"
    // The latest pre-infusion visit before this one, from this run or the store.
    let candidates = [backgrounds[key], storedBackground(patient: patient, infusion: infusion, before: day)]
    let background = candidates.compactMap { $0 }.filter { $0.day < day }.max { $0.day < $1.day }?.value
    s.analysis = s.analysis.applyingCARBackground(background, thresholds: s.thresholds)
    let file = "\(key)\u{0}\(day)"
    if day <= 0, !isOtherFile(s, visitKey: file), let bg = s.analysis.calls.carPercentOfT, let v = bg.value ?? Optional(bg.upper95) {
      backgrounds[key] = (day, v)
    }
    files[file] = files[file] ?? s.provenance.fileSHA256
    for d in s.analysis.diagnostics where d.severity >= .warning || d.code == .clinicalPanelChosen {
      say("\(label): \(d.severity.rawValue): \(d.message)")
    }
    pending.append((s, label))
    if pending.count + pendingFailures.count >= batch { try commit() }
  }

  /// A file that could not be analysed, to record in the store's failures table with the next
  /// commit. `fromRecord`: it comes from a failure record of a merge (its line is printed when
  /// it is committed, and it is not counted as failed: the failure is data); otherwise it is an
  /// FCS file of this run, already reported by ``fail(_:label:)``.
  func addFailure(_ failure: AnalysisFailure, label: String, fromRecord: Bool) throws {
    pendingFailures.append((failure, label, fromRecord))
    if pending.count + pendingFailures.count >= batch { try commit() }
  }

  /// An input that could not be analysed or read.
  func fail(_ error: Error, label: String) {
    failed += 1
    say("cytoreset: \(describe(error, file: label))")
  }

  /// An FCS file of this run that could not be analysed: its line with the error's code.
  func failAnalysis(_ error: Error, label: String) {
    failed += 1
    say("cytoreset: \(FailureCode.line(error, file: label))")
  }

  /// Commits the pending visits as one atomic copy of the store.
  /// - Throws: `ExitCode(1)` when the store cannot be written (nothing of this batch is).
  func commit() throws {
    guard !pending.isEmpty || !pendingFailures.isEmpty else { return }
    var what = "committing \(pending.count) visit\(pending.count == 1 ? "" : "s")"
    if !pendingFailures.isEmpty { what += " and \(pendingFailures.count) failure\(pendingFailures.count == 1 ? "" : "s")" }
    what += " to \(store)"
    if bar.enabled { bar.status(what) } else { printError("ingest: \(what)") }
    let results: [Result<IngestOutcome, StoreError>], failureResults: [FailureOutcome]
    do {
      (results, failureResults) = try CohortStore.ingestEach(pending.map(\.submission), failures: pendingFailures.map(\.failure), into: store)
    } catch {
      bar.finish()
      printError("cytoreset: \(error)")
      for p in pending { printError("cytoreset: \(p.label): not stored") }
      for f in pendingFailures { printError("cytoreset: \(f.label): failure not recorded") }
      throw ExitCode(1)
    }
    bar.status("")
    // Visits stored without a count of their own may have taken the store's lab ALC: say so.
    var reader: CohortStoreReader? = nil
    if results.indices.contains(where: { if case .success(.added) = results[$0] { pending[$0].submission.analysis.countMethod == nil } else { false } }) {
      reader = try? CohortStoreReader(path: store)
    }
    for (r, p) in zip(results, pending) {
      switch r {
      case .success(let o):
        if case .added = o { stored += 1 } else { unchanged += 1 }
        var line = "\(p.label): \(o)"
        if case .added(let patient, let visit, let n) = o, p.submission.analysis.countMethod == nil,
          let stored = try? reader?.analysis(patient: patient, visit: visit, version: n)
        {
          if let lab = stored.labCount { line += "; dual-platform count from \(lab.summary)" }
          if let note = stored.diagnostics.first(where: { $0.code == .clinicalLabCount }) { line += "; no lab count: \(note.message)" }
        }
        say(line)
      case .failure(let e): fail(e, label: p.label)
      }
    }
    for (o, f) in zip(failureResults, pendingFailures) {
      if case .unchanged = o {} else { failuresRecorded += 1 }
      let v = f.failure.visit
      if f.fromRecord {
        say("cytoreset: \(f.label): \(v.patient) day \(v.day.compactText) failed analysis: \(f.failure.error.message) [\(f.failure.error.code)] (\(o))")
      } else {
        say("\(f.label): \(v.patient)/\(f.failure.visitName): failed analysis \(o)")
      }
    }
    pending.removeAll()
    pendingFailures.removeAll()
  }

  /// Commits what is left and prints the summary line on standard output.
  /// - Throws: `ExitCode(1)` when any input failed or was refused.
  func finish() throws {
    try commit()
    bar.finish()
    print("\(store): \(stored) visit\(stored == 1 ? "" : "s") stored, \(unchanged) already present, \(failed) failed"
      + (failuresRecorded > 0 ? ", \(failuresRecorded) failed analys\(failuresRecorded == 1 ? "is" : "es") recorded" : ""))
    if failed > 0 { throw ExitCode(1) }
  }

  /// Whether the store (or an earlier visit of this run) holds another file for this visit: the
  /// store will refuse it, so it must not be the CAR background of later visits either.
  func isOtherFile(_ s: VisitSubmission, visitKey: String) -> Bool {
    if let earlier = files[visitKey] { return earlier != s.provenance.fileSHA256 }
    let v = s.analysis.visit
    guard let patient = v.patient, let day = v.day, FileManager.default.fileExists(atPath: store),
      let reader = try? CohortStoreReader(path: store), let stored = try? reader.visits(of: patient)
    else { return false }
    return stored.contains { $0.infusion == v.infusion && $0.day == day && $0.fileSHA256 != s.provenance.fileSHA256 }
  }

  /// The CAR⁺ % of CD3 of the last stored pre-infusion visit of this patient and infusion
  /// before `day` (the detectability background, as `analyze` uses it: its value, or its upper
  /// 95% bound below the LLOQ — the same number a pre-infusion visit of this run gives, so a
  /// visit's call and analysis key do not depend on whether its baseline was stored earlier).
  func storedBackground(patient: String, infusion: Int, before day: Double) -> (day: Double, value: Double)? {
    guard FileManager.default.fileExists(atPath: store), let reader = try? CohortStoreReader(path: store),
      let s = try? reader.series(of: patient, metric: "car_pct_cd3")
    else { return nil }
    guard let p = s.points.filter({ $0.infusion == infusion && $0.day <= 0 && $0.day < day }).last,
      let v = p.quantity.flatMap({ $0.value ?? $0.upper95 })
    else { return nil }
    return (p.day, v)
  }
}
