import ArgumentParser
import CytoClinical
import CytoStore
import Foundation

/// `ingest --analyses A.json… --store S`: merges analysis records (``CytoStore/AnalysisRecord``)
/// without reading FCS files, through the same committer (storing order, CAR backgrounds,
/// store rules) as `ingest FILE…`.
extension Ingest {
  /// Everything an analysis, a visit or a patient is belongs to `analyze` when records are
  /// merged: the records carry it.
  func validateMerge() throws {
    var notApplicable: [String] = []
    if !files.isEmpty { notApplicable.append("FILE arguments") }
    if manifest != nil { notApplicable.append("--manifest") }
    if patient != nil { notApplicable.append("--patient") }
    if !day.isEmpty { notApplicable.append("--day") }
    if infusion != 1 { notApplicable.append("--infusion") }
    if keepEvents { notApplicable.append("--keep-events (a record holds no events: ingest the FCS file)") }
    if analysis.panel != "reset" { notApplicable.append("--panel") }
    if analysis.beadsPerTest != nil || analysis.bloodMicroliters != nil { notApplicable.append("--beads-per-test/--blood-ul") }
    if analysis.alc != nil { notApplicable.append("--alc") }
    if !analysis.cut.isEmpty { notApplicable.append("--cut") }
    if !analysis.gate.isEmpty { notApplicable.append("--gate") }
    if analysis.stats != nil { notApplicable.append("--stats") }
    if analysis.dataSet != 0 { notApplicable.append("--data-set") }
    if workspaceOptions.workspace != nil || workspaceOptions.roles != nil || workspaceOptions.group != nil {
      notApplicable.append("--workspace/--roles/--group")
    }
    notApplicable += record.given
    if !notApplicable.isEmpty {
      throw ValidationError("""
        --analyses merges finished analysis records, which carry the panel, counts, visit and patient: \
        \(notApplicable.joined(separator: ", ")) do(es) not apply (give them to `cytoreset analyze … -o`)
        """)
    }
  }

  /// The record paths: `--analyses` as given, then `--analyses-list`'s lines (relative to the
  /// list's folder; blank lines and lines starting with `#` skipped).
  func recordPaths() throws -> [String] {
    var paths = analyses
    if let list = analysesList {
      let text: String
      do { text = try String(contentsOfFile: list, encoding: .utf8) } catch {
        throw ValidationError("\(list): cannot read the list of analysis records: \(error.localizedDescription)")
      }
      let base = (list as NSString).deletingLastPathComponent
      for line in text.split(whereSeparator: \.isNewline).map({ $0.trimmingCharacters(in: .whitespaces) })
      where !line.isEmpty && !line.hasPrefix("#") {
        paths.append(line.hasPrefix("/") || base.isEmpty ? line : (base as NSString).appendingPathComponent(line))
      }
    }
    if paths.isEmpty { throw ValidationError("no analysis records given") }
    return paths
  }

  /// Reads every record's visit, puts the records in storing order (per patient and infusion
  /// by day, as `ingest FILE…` stores its files), then reads and checks each in full (in
  /// parallel, at most a window ahead) and stores them in that order.
  func runMerge() throws {
    let paths = try recordPaths()
    let bar = ProgressBar(label: "ingest", total: paths.count)
    let committer = VisitCommitter(store: store, batch: 50, bar: bar)
    // 1. The visits, to order the records. A record that cannot be read this far is reported
    //    now, in argument order.
    var visits: [(path: String, visit: AnalysisRecord.Visit)] = []
    try Batch.ordered(paths.count, work: { k in try MergeRecord.readVisit(contentsOf: paths[k]) }) { k, r in
      switch r {
      case .success(let v): visits.append((paths[k], v))
      case .failure(let e):
        bar.fileDone(events: 0)
        committer.fail(e, label: paths[k])
      }
    }
    let ordered = visits.indices.sorted {
      let a = visits[$0].visit, b = visits[$1].visit
      return (a.patient, a.infusion, a.day) < (b.patient, b.infusion, b.day)
    }.map { visits[$0] }
    // 2. Each record in full, in storing order.
    let workers = Batch.workerCount
    let reader = CytoResetVersion.current
    try Batch.ordered(
      ordered.count, workers: workers, window: max(50, 4 * workers),
      work: { k in
        let r = Result { () throws(AnalysisRecordError) -> MergeRecord in
          let (path, visit) = ordered[k]
          let record = try MergeRecord.read(contentsOf: path, readerVersion: reader)
          let read: AnalysisRecord.Visit
          switch record {
          case .analysis(let a): read = a.visit
          case .failure(let f): read = f.visit
          }
          guard read.patient == visit.patient, read.infusion == visit.infusion, read.day == visit.day else {
            throw .inconsistent(file: path, path: "visit", detail: "the record changed while it was being merged")
          }
          return record
        }
        if case .success(.analysis(let a)) = r { bar.fileDone(events: a.analysis.events) } else { bar.fileDone(events: 0) }
        return try r.get()
      }
    ) { k, outcome in
      let path = ordered[k].path
      switch outcome {
      case .success(.analysis(let record)):
        if record.software.version != reader {
          committer.say("\(path): note: analysed by cytoreset \(record.software.version), merged by \(reader) (the same release line); the store records \(record.software.version)")
        }
        try committer.add(record.submission(), label: path)
      case .success(.failure(let failure)):
        // Not a refusal: the failure is data (the job that wrote it succeeded so the merge
        // runs); its line says it is recorded, and the exit code stays 0.
        try committer.addFailure(failure, label: path, fromRecord: true)
      case .failure(let error): committer.fail(error, label: path)
      }
    }
    try committer.finish()
  }
}
