import ArgumentParser
import CytoClinical
import CytoCore
import CytoFCS
import CytoGating
import Foundation

/// `cytoreset analyze`: the clinical reading of panel files.
struct Analyze: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Analyse panel files: B-cell aplasia and subsets, CAR T cells, T cells, absolute counts and clinical calls.",
    discussion: reflow("""
      Each file is gated with the panel (default: the built-in reset panel; `cytoreset panel
      export reset` writes it for editing): markers are found by $PnS (then $PnN), valley cuts
      are computed per sample (with a fallback and a note when there is no valley) and reported.

      Absolute counts (cells/µL) need a method, stored with every value:
        single platform (--beads-per-test N --blood-ul V):
          cells/µL = events ÷ bead events × N ÷ V
        dual platform (--alc N):
          cells/µL = events ÷ lymphocyte events × N
      Without either, only counts and percentages are reported. Every count has a 95% Poisson
      interval; fewer events than the panel's LLOQ (default: CV > 20%, i.e. < 25 events) are
      reported as "< bound", never as 0.

      With --patient and one --day per file (in file order), the patient's course is
      summarised too: aplasia onset and duration, reconstitution day, naive fraction of the
      returning B cells, CAR T Cmax, Tmax, AUC (days 0–28 by default) and Tlast.

      Memory: files of any size (10⁸ events, 6 GB: about 230 MB). Gates are found in at most
      262,144 events read straight from the file, then every event is counted 16 MB at a time.
      --stats and --qc need the events and read each file whole.

      Output: table (one row per file, key numbers), tsv (one row per file, every population:
      count, % of its denominator, cells/µL, then calls and cuts; "<x" marks values below the
      LLOQ) or json (schema cytoreset.analyze/2, docs/cli-json.md).

      ANALYSIS RECORDS
      With --format json -o OUT, each file's analysis is written as one self-contained analysis record (schema
      cytoreset.analysis-record/1, docs/cli-json.md) for `cytoreset ingest --analyses` to merge
      into a store without the FCS files: the file's name, SHA-256 and size, the visit, the
      patient attributes, the panel JSON, the gating hash, the version, every population, call
      and diagnostic, and a SHA-256 digest over the content that makes any edit detectable.
      A record is one visit: --patient and one --day per file are required; --note,
      --collection-date and the patient attributes (--diagnosis, --product, --infusion-date,
      --age, --sex) go into it, as `ingest` would store them. -o FILE takes one FCS file; with
      -o DIR/ (or an existing folder) each file gets DIR/<name without .fcs>.analysis.json. The
      write is atomic (a temporary file in the same folder, fsync, rename): a killed job leaves
      no partial record. Records are independent: the CAR T call against the pre-infusion
      background is made when they are merged. One line per record on standard output; a file
      that fails gets no record and exit code 1.

      Without --day, the days come from one --collection-date per file and --infusion-date (the
      date of --infusion N): rounded whole days between them, as `ingest --manifest` computes a
      date without a day. With --day, the dates are only recorded.

      FAILURES AS DATA
      With --on-failure record, a file that cannot be analysed (missing, unreadable, truncated or
      malformed FCS, no panel fits, any error of the analysis) gets a failure record at the path
      its analysis record would have had (schema cytoreset.analysis-failure/1: the FCS path, its
      size and SHA-256 when readable, the visit, the error's code and message, the version, the
      time and a digest). Its error line is still printed, and the exit code is 0 when every
      failure record was written: a workflow deletes a failed job's outputs and does not run the
      merge, so the failure must be an output the merge (`ingest --analyses`) stores in the
      store's failures table, which the cohort report lists. Usage errors still exit 2; an error
      writing a record exits 1. --on-failure exit (default) keeps the behaviour above.

      EXAMPLES
        cytoreset analyze visit.fcs --beads-per-test 50000 --blood-ul 50
        cytoreset analyze d*.fcs --patient P01 --day -7 --day 14 --day 90 --alc 1400 --format json
        cytoreset analyze visit.fcs --panel lab.panel.json --cut CD19=0.42 --format tsv
        cytoreset analyze visit.fcs --stats median,rcv --format json
        cytoreset analyze d*.fcs --workspace lab.wsp --group Patients \\
          --roles "lymphocytes=/Lymphocytes,tCells=T cells,bCells=B cells,naiveB=Naive B" --alc 1400
        cytoreset analyze d14.fcs --patient P01 --day 14 --beads-per-test 50000 --blood-ul 50 \\
          --diagnosis SLE --format json -o records/P01_d14.analysis.json
        cytoreset analyze d*.fcs --patient P01 --day -7 --day 14 --panel auto --format json -o records/
        cytoreset analyze d28.fcs --patient P03 --collection-date 2026-03-29 --infusion-date 2026-03-01 \\
          --alc 1400 --format json -o records/P03_d28.analysis.json --on-failure record
        cytoreset ingest --analyses records/*.analysis.json --store cohort.h5

      A lab's FlowJo workspace as the panel (--workspace W.wsp --roles ROLE=POPULATION,…):
      each file is gated with its own sample's gates when the workspace holds it (DataSet URI
      file name, sample name or $FIL), otherwise with the template of --group (transforms from
      the group's member samples, compensation from the file's own spillover); populations are
      counted as FlowJo counts them (--geometry flowjo, default; or exact, docs/flowjo.md).
      Roles: beads, lymphocytes, leukocytes, tCells, bCells, carT, naiveB; a population is a
      full path (/Lymphocytes/B cells) or a name that is unique in the tree. Every population
      of the tree is reported by path; the analysis records the workspace's SHA-256, the sample
      or template used and each role's path (JSON "workspace"). --cut, --gate, --stats, --qc
      and --panel do not apply to a workspace.
      """))

  enum Format: String, ExpressibleByArgument, CaseIterable { case table, tsv, json }

  @Argument(help: "FCS files.")
  var files: [String]

  @OptionGroup var analysis: AnalysisOptions

  @Option(help: "Patient id (with --day).")
  var patient: String?

  @Option(parsing: .unconditionalSingleValue, help: "Days since infusion, one per file in file order (repeat the option; negative before infusion).")
  var day: [Double] = []

  @Option(help: "Infusion the days count from (1 = first).")
  var infusion = 1

  @Option(help: "Output format: table, tsv or json.")
  var format: Format = .table

  @Option(help: "Write each file's gates (every gate on its parent's events, with how it was found) as DIR/<file>.qc.svg.")
  var qc: String?

  @OptionGroup var workspaceOptions: AnalyzeWorkspaceOptions

  @Option(name: .shortAndLong, help: "With --format json: write one analysis record per file to FILE (one FCS file) or DIR/ (for `ingest --analyses`).")
  var output: String?

  @OptionGroup var record: VisitRecordOptions

  @Option(name: .customLong("on-failure"),
          help: "With --format json -o: what a file that cannot be analysed gives: exit (no record, exit code 1) or record (a failure record at its record's path, exit code 0).")
  var onFailure: OnFailure = .exit

  func validate() throws {
    if !day.isEmpty && day.count != files.count { throw ValidationError("give one --day per file (\(files.count) files, \(day.count) days)") }
    if !day.isEmpty && patient == nil { throw ValidationError("--day needs --patient") }
    try workspaceOptions.validate(analysis: analysis, qc: qc)
    if let output {
      try validateRecordOutput(output)
    } else if onFailure == .record {
      throw ValidationError("--on-failure record writes failure records in place of analysis records: add --format json -o OUT")
    } else if !record.given.isEmpty {
      throw ValidationError("\(record.given.joined(separator: ", ")) go(es) into analysis records: add --format json -o FILE")
    }
  }

  func run() throws {
    if let output { return try runRecords(output) }
    if let w = try workspaceOptions.workspacePanel(panelOption: analysis.panel) { return try runWithWorkspace(w) }
    let choice = try analysis.loadPanel()
    let method = analysis.countMethod
    let template = VisitAnalyzer(panel: choice.candidates[0], countMethod: method, cutOverrides: try analysis.overrides(),
                                 gateOverrides: try analysis.gateOverrides(), statistics: try analysis.statistics())
    // Every file at once, on all cores. The last pre-infusion visit's CAR⁺ % of CD3 is the
    // detectability background of the later visits: only that call depends on it, so it is
    // made again for them once all are analysed (the same result as analysing them with it).
    let paths = files, days = day, patient = patient, infusion = infusion, dataSet = analysis.dataSet, qcDir = qc
    if let qc { try FileManager.default.createDirectory(atPath: qc, withIntermediateDirectories: true) }
    var outcomes = Batch.run(Array(files.indices), label: "analyze", events: { $0.events }) { i, gated in
      let ds = try FCSFile(contentsOf: paths[i]).dataSet(dataSet)
      let (panel, note) = try choice.panel(for: ds, file: paths[i])
      var analyzer = template
      analyzer.panel = panel
      let visit = VisitInfo(patient: patient, day: days.isEmpty ? nil : days[i], infusion: infusion)
      guard let qc = qcDir else {
        // Counts only: the file is read in chunks, in bounded memory.
        var a = try analyzer.analyze(ds, file: paths[i], visit: visit, progress: { gated($0, ds.eventCount) })
        if let note { a.diagnostics.insert(note, at: 0) }
        return a
      }
      // The gate sheet draws the events: the file is held whole.
      var (a, resolved) = try analyzer.analyzeResolving(ds, file: paths[i], visit: visit)
      if let note { a.diagnostics.insert(note, at: 0) }
      try QCOutput.write(a, resolved: resolved, to: qc)
      return a
    }
    applyCARBackground(to: &outcomes) { background, a in
      var withBackground = template
      withBackground.carBackgroundPercentOfT = background
      return withBackground.applyingCARBackground(to: a)
    }
    let panels = choice.candidates
    try report(outcomes, thresholds: choice.thresholds) { AnalyzeOutput.tsv($0, panels: panels) }
  }

  /// The last pre-infusion visit's CAR⁺ % of CD3 (its value, or its upper 95% bound below the
  /// LLOQ) is the detectability background of the later visits: `apply(background, analysis)`
  /// makes their call again with it (only that call depends on it).
  func applyCARBackground(to outcomes: inout [Int: Result<VisitAnalysis, Error>],
                          _ apply: (Double, VisitAnalysis) -> VisitAnalysis) {
    let days = day
    let pre = days.isEmpty ? [] : files.indices.filter { days[$0] <= 0 }
    guard let last = pre.max(by: { days[$0] < days[$1] }), case .success(let a)? = outcomes[last],
          let bg = a.calls.carPercentOfT else { return }
    for i in files.indices where !pre.contains(i) {
      if case .success(let a)? = outcomes[i] { outcomes[i] = .success(apply(bg.value ?? bg.upper95, a)) }
    }
  }

  /// Prints each file's warnings or error, the patient summary and the output; exit code 1
  /// when any file failed.
  func report(_ outcomes: [Int: Result<VisitAnalysis, Error>], thresholds: ClinicalThresholds,
              tsv: ([VisitAnalysis]) -> String) throws {
    var analyses: [Int: VisitAnalysis] = [:]
    var failure: Error? = nil
    for i in files.indices {
      switch outcomes[i]! {
      case .success(let a):
        for d in a.diagnostics where d.severity >= .warning || d.code == .clinicalPanelChosen {
          printError("cytoreset: \(files[i]): \(d.severity.rawValue): \(d.message)")
        }
        analyses[i] = a
      case .failure(let e):
        printError("cytoreset: \(FailureCode.line(e, file: files[i]))")
        failure = ExitCode(1)
      }
    }
    let results = files.indices.compactMap { analyses[$0] }
    var summaries: [PatientSummary] = []
    if patient != nil && !day.isEmpty && !results.isEmpty {
      do { summaries = try PatientSummary.summarize(results, thresholds: thresholds) } catch {
        printError("cytoreset: \(error)")
        failure = failure ?? ExitCode(1)
      }
    }
    var out = StandardOutput()
    switch format {
    case .json: out.write(try AnalyzeOutput.json(results, summaries: summaries))
    case .tsv: out.write(tsv(results))
    case .table: out.write(AnalyzeOutput.humanTable(results, summaries: summaries))
    }
    out.flush()
    if let failure { throw failure }
  }
}