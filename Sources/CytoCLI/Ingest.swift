import ArgumentParser
import CytoClinical
import CytoCore
import CytoFCS
import CytoGating
import CytoStore
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// `cytoreset ingest`: analyse visits and add them to the cohort store.
struct Ingest: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Analyse visits and add them to a cohort HDF5 store (patients, visits, series; docs/store-schema.md).",
    discussion: reflow("""
      Each file is analysed exactly like `cytoreset analyze` and stored under
      /patients/<patient>/visits/<day> with its provenance (file SHA-256, gating hash, panel,
      version, time, count method, note), its population table and diagnostics; the patient's
      series are rebuilt from the stored visits. Kinetics are never stored: `cytoreset series`
      recomputes them.

      The same file with the same gating ingested again changes nothing (a message says so);
      the same file with another gating or count method becomes a new analysis version beside
      the old one. Another file for a stored visit (same patient, infusion and day) is refused.

      Every ingest is atomic: the store is copied, the visits are added to the copy, the copy is
      synced and renamed over the store, under a lock on <store>.lock. A crash or kill -9 leaves
      the previous store intact; concurrent ingests wait for each other.

      Visits come from FILE arguments (with --patient and one --day per file) or from a manifest
      CSV (--manifest) with a header row and columns file, patient, day (or date with the
      patient's --infusion-date), and optionally infusion, beads_per_test, blood_ul, alc, note,
      collection_date; file paths are relative to the manifest's directory (`cytoreset simulate
      --timeline` writes one). Count options given on the command line apply where a row has none.

      EXAMPLES
        cytoreset ingest d14.fcs --store cohort.h5 --patient P01 --day 14 --beads-per-test 50000 --blood-ul 50
        cytoreset ingest --manifest visits/P01/P01.visits.csv --store cohort.h5 --diagnosis SLE
        cytoreset ingest d14.fcs --store cohort.h5 --patient P01 --day 14 --alc 1400 --keep-events
        cytoreset ingest --manifest visits.csv --store cohort.h5 --workspace lab.wsp --group Patients \\
          --roles "lymphocytes=/Lymphocytes,tCells=T cells,bCells=B cells"

      With --workspace W.wsp --roles … (see `cytoreset analyze --help`), each file is gated by the
      lab's FlowJo workspace instead of a panel; the store records the workspace's SHA-256, the
      sample or group template used and each role's path (as the analysis's panel JSON), so a
      changed workspace makes a new analysis version.

      MERGING ANALYSIS RECORDS
      --analyses A.json… (or --analyses-list LIST, one path a line) stores analysis records that
      `cytoreset analyze FILE --patient ID --day N … --format json -o VISIT.analysis.json` wrote,
      without reading the FCS files: one job per file anywhere (a cluster), one merge. Each
      record is checked before it is stored (complete JSON, schema
      cytoreset.analysis-record/1, its SHA-256 digest, a cytoreset of this release line, the
      gating hash recomputed); one that fails is reported naming the file, and the others are
      still stored. The store's rules are the same as for FCS files, and so is the result:
      records made by `analyze` store exactly what `ingest FILE` stores (docs/batch.md).
      Analysis, visit and patient options (--panel, --beads-per-test, --note, --diagnosis, …)
      belong to `analyze` and are refused here. Failure records (`analyze … --on-failure
      record`) are checked the same way and stored in the store's failures table: a line says so
      ("P03 day 28 failed analysis: <reason> [code] (recorded in the store's failures)"), and
      they do not make the exit code 1. The same failure again changes nothing; a visit stored
      later resolves its failures. A file `ingest FILE…`/--manifest cannot analyse is recorded
      the same way (and its exit code stays 1).
        cytoreset analyze d14.fcs --patient P01 --day 14 --beads-per-test 50000 --blood-ul 50 \\
          --diagnosis SLE --format json -o records/P01_d14.analysis.json
        cytoreset ingest --analyses records/*.analysis.json --store cohort.h5

      A visit the store refuses (another file for a stored visit, other patient attributes) is
      reported and the others are still stored; exit code 1 when any input failed or was refused.
      """))

  @Argument(help: "FCS files (with --patient and --day).")
  var files: [String] = []

  @OptionGroup var analysis: AnalysisOptions

  @Option(help: "The HDF5 store (created when missing).")
  var store: String

  @Option(help: "Manifest CSV of visits (columns file, patient, day or date, infusion, beads_per_test, blood_ul, alc, note).")
  var manifest: String?

  @Option(name: .customLong("analyses"), parsing: .upToNextOption,
          help: "Analysis records to merge (`analyze … --format json -o FILE`), instead of FCS files.")
  var analyses: [String] = []

  @Option(name: .customLong("analyses-list"), help: "A file listing analysis records to merge, one path a line (relative to the list's folder).")
  var analysesList: String?

  @Option(help: "Patient id.")
  var patient: String?

  @Option(parsing: .unconditionalSingleValue, help: "Days since infusion, one per file in file order (repeat the option; negative before infusion).")
  var day: [Double] = []

  @Option(help: "Infusion the days count from (1 = first).")
  var infusion = 1

  @OptionGroup var workspaceOptions: AnalyzeWorkspaceOptions

  @Flag(name: .customLong("keep-events"), help: "Also store the compensated events and the gate masks (re-gating without the FCS file).")
  var keepEvents = false

  @OptionGroup var record: VisitRecordOptions

  /// Whether analysis records are merged (`--analyses`, `--analyses-list`).
  var mergesRecords: Bool { !analyses.isEmpty || analysesList != nil }

  func validate() throws {
    if mergesRecords { return try validateMerge() }
    if manifest == nil {
      if files.isEmpty { throw ValidationError("give FCS files (with --patient and --day), --manifest, or --analyses") }
      guard patient != nil else { throw ValidationError("--patient is required without --manifest") }
      if day.count != files.count { throw ValidationError("give one --day per file (\(files.count) files, \(day.count) days)") }
      try record.validate(fileCount: files.count)
    } else if !files.isEmpty || !day.isEmpty {
      throw ValidationError("--manifest lists the files and days; drop the FILE arguments and --day")
    }
    if let patient, !StoreSchema.isValidPatientID(patient) { throw ValidationError("--patient must be non-empty and without '/'") }
    try workspaceOptions.validate(analysis: analysis, qc: nil)
    if try keepEvents && workspaceOptions.workspacePanel(panelOption: analysis.panel) != nil {
      throw ValidationError("--keep-events does not apply with --workspace (the workspace and the FCS file are the record)")
    }
  }

  func run() throws {
    if mergesRecords { return try runMerge() }
    let workspacePanel = try workspaceOptions.workspacePanel(panelOption: analysis.panel)
    let gating: VisitPipeline.Gating
    if let workspacePanel {
      gating = .workspace(try WorkspaceIngest(workspacePanel))
    } else {
      gating = .panel(try analysis.loadPanel(), cuts: try analysis.overrides(), gates: try analysis.gateOverrides(),
                      statistics: try analysis.statistics())
    }
    let pipeline = VisitPipeline(gating: gating, dataSet: analysis.dataSet, keepEvents: keepEvents, patient: record.patientAttributes)
    let jobs = try jobs()
    // Visits are stored in this order: per patient and infusion by day, so pre-infusion visits
    // come first and their CAR⁺ % of CD3 is the background of later ones, as in `analyze`.
    let order = jobs.indices.sorted { (jobs[$0].patient, jobs[$0].infusion, jobs[$0].day) < (jobs[$1].patient, jobs[$1].infusion, jobs[$1].day) }
    let bar = ProgressBar(label: "ingest", total: jobs.count)
    let batch = keepEvents ? 1 : 50
    let committer = VisitCommitter(store: store, batch: batch, bar: bar)
    // Files are analysed in parallel (one per core, taken in storing order); results are
    // consumed here in that order: background, messages, commits. With --keep-events a result
    // holds the file's compensated events, so only one more file than there are workers is
    // in memory at once; without, results are small and the workers may run further ahead.
    let workers = Batch.workerCount
    let total = jobs.count, orderedJobs = order.map { jobs[$0] }, tty = bar.enabled
    try Batch.ordered(
      orderedJobs.count, workers: workers, window: keepEvents ? workers + 1 : max(batch, 4 * workers),
      started: { k in if !tty { printError("ingest: [\(k + 1)/\(total)] analysing \(orderedJobs[k].path)") } },
      work: { k in
        let r = Result { try pipeline.submission(for: orderedJobs[k]) { bar.gated(k, events: $0, of: $1) } }
        bar.fileDone(events: (try? r.get())?.analysis.events ?? 0, key: k)
        return try r.get()
      }
    ) { k, outcome in
      switch outcome {
      case .success(let submission): try committer.add(submission, label: orderedJobs[k].path)
      case .failure(let error):
        // Reported and counted as failed (exit code 1), and recorded in the store's failures
        // as `ingest --analyses` records a failure record of the same file.
        committer.failAnalysis(error, label: orderedJobs[k].path)
        try committer.addFailure(pipeline.failure(for: orderedJobs[k], error: error), label: orderedJobs[k].path, fromRecord: false)
      }
    }
    try committer.finish()
  }
}
