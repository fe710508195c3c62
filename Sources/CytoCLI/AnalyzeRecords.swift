import ArgumentParser
import CytoClinical
import CytoStore
import Foundation

/// `analyze … --format json -o OUT`: one analysis record per file (``CytoStore/AnalysisRecord``),
/// for `ingest --analyses` to merge without the FCS files.
extension Analyze {
  /// Where each file's record goes: `-o FILE` for one FCS file; for several (or when `-o`
  /// names a folder, or ends in `/`), `DIR/<file name without .fcs>.analysis.json`.
  /// - Throws: `ValidationError` for `-o FILE` with several files, or two files of one name.
  func recordDestinations(_ output: String) throws -> [String] {
    var isDirectory: ObjCBool = false
    let exists = FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory)
    let folder = output.hasSuffix("/") || (exists && isDirectory.boolValue)
    guard folder else {
      if files.count > 1 {
        throw ValidationError("-o \(output) names one record, but \(files.count) FCS files were given: give a folder (-o DIR/) for one record per file")
      }
      return [output]
    }
    let names = files.map { f -> String in
      let name = (f as NSString).lastPathComponent
      let stem = name.lowercased().hasSuffix(".fcs") ? String(name.dropLast(4)) : name
      return (output as NSString).appendingPathComponent(stem + ".analysis.json")
    }
    if let twice = names.first(where: { n in names.filter { $0 == n }.count > 1 }) {
      throw ValidationError("two FCS files would both write \(twice): give them one by one with -o FILE")
    }
    return names
  }

  /// Checks the options of record output (`-o`).
  func validateRecordOutput(_ output: String) throws {
    guard format == .json else {
      throw ValidationError("-o writes analysis records (--format json); for table or tsv, redirect standard output")
    }
    guard patient != nil, !day.isEmpty || !record.collectionDate.isEmpty else {
      throw ValidationError("an analysis record is one visit of the store: give --patient and one --day per file (or one --collection-date per file with --infusion-date)")
    }
    if let patient, !StoreSchema.isValidPatientID(patient) { throw ValidationError("--patient must be non-empty and without '/'") }
    try record.validate(fileCount: files.count)
    _ = try recordDays()
    _ = try recordDestinations(output)
  }

  /// The day of each file's record: `--day`, or else from `--collection-date` and the
  /// `--infusion-date` of `--infusion` (rounded whole days, as `ingest --manifest` computes a
  /// date without a day). `--day` wins when both are given (the dates are then only recorded).
  func recordDays() throws -> [Double] {
    day.isEmpty ? try record.days(fileCount: files.count, infusion: infusion) : day
  }

  /// What became of one file.
  enum RecordOutcome: Sendable {
    /// Its analysis record was written.
    case analysed(VisitAnalysis)
    /// It could not be analysed and its failure record was written (`--on-failure record`).
    case failureRecorded(Error)
  }

  /// Analyses every file (in parallel) exactly as `ingest` does and writes its record
  /// atomically; prints each file's warnings and errors on standard error and one line per
  /// record written on standard output.
  ///
  /// A file that cannot be analysed (missing, unreadable, truncated, malformed, no panel fits,
  /// any error of the pipeline) gets no record and exit code 1 by default. With
  /// `--on-failure record` it gets a failure record at the same path instead (its error line is
  /// still printed) and the exit code is 0 when every such record was written: a workflow
  /// deletes a failed job's outputs and does not run the merge, so the failure must be an
  /// output the merge can store. Errors writing a record are never recorded (exit code 1).
  ///
  /// Each record is independent of the others: its CAR T call is made without a pre-infusion
  /// background, which `ingest --analyses` settles in storing order.
  func runRecords(_ output: String) throws {
    let destinations = try recordDestinations(output)
    if output.hasSuffix("/") { try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true) }
    if let qc { try FileManager.default.createDirectory(atPath: qc, withIntermediateDirectories: true) }
    let gating: VisitPipeline.Gating
    if let w = try workspaceOptions.workspacePanel(panelOption: analysis.panel) {
      gating = .workspace(try WorkspaceIngest(w))
    } else {
      gating = .panel(try analysis.loadPanel(), cuts: try analysis.overrides(), gates: try analysis.gateOverrides(),
                      statistics: try analysis.statistics())
    }
    let pipeline = VisitPipeline(gating: gating, dataSet: analysis.dataSet, patient: record.patientAttributes, qcDirectory: qc)
    let days = try recordDays()
    let jobs = files.indices.map {
      VisitJob(path: files[$0], patient: patient!, day: days[$0], infusion: infusion, method: analysis.countMethod,
               note: record.note ?? "", collectionDate: record.collectionDate(ofFile: $0))
    }
    let recordFailures = onFailure == .record
    let outcomes = Batch.run(Array(files.indices), label: "analyze", events: { (o: RecordOutcome) in
      if case .analysed(let a) = o { a.events } else { 0 }
    }) { i, gated -> RecordOutcome in
      let record: AnalysisRecord
      do {
        let submission = try pipeline.submission(for: jobs[i], gated: gated)
        record = try AnalysisRecord(submission: submission, fileSizeBytes: try Self.fileSize(jobs[i].path))
      } catch {
        guard recordFailures else { throw error }
        try pipeline.failure(for: jobs[i], error: error).write(to: destinations[i])
        return .failureRecorded(error)
      }
      try record.write(to: destinations[i])
      return .analysed(record.analysis)
    }
    var failed = false
    var out = StandardOutput()
    for i in files.indices {
      let visit = "\(patient!) \(StoreSchema.visitName(day: days[i], infusion: infusion))"
      switch outcomes[i]! {
      case .success(.analysed(let a)):
        for d in a.diagnostics where d.severity >= .warning || d.code == .clinicalPanelChosen {
          printError("cytoreset: \(files[i]): \(d.severity.rawValue): \(d.message)")
        }
        out.write("\(destinations[i]): \(visit) (\(files[i]))\n")
      case .success(.failureRecorded(let e)):
        printError("cytoreset: \(FailureCode.line(e, file: files[i]))")
        out.write("\(destinations[i]): \(visit) (\(files[i])): failure recorded [\(FailureCode.of(e))]\n")
      case .failure(let e):
        printError("cytoreset: \(FailureCode.line(e, file: files[i]))")
        failed = true
      }
    }
    out.flush()
    if failed { throw ExitCode(1) }
  }

  /// The size of the file at `path`, in bytes.
  static func fileSize(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    guard let n = (attributes[.size] as? NSNumber)?.intValue else { throw ValidationError("\(path): unknown file size") }
    return n
  }
}
