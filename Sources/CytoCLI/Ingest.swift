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
      """))

  @Argument(help: "FCS files (with --patient and --day).")
  var files: [String] = []

  @OptionGroup var analysis: AnalysisOptions

  @Option(help: "The HDF5 store (created when missing).")
  var store: String

  @Option(help: "Manifest CSV of visits (columns file, patient, day or date, infusion, beads_per_test, blood_ul, alc, note).")
  var manifest: String?

  @Option(help: "Patient id.")
  var patient: String?

  @Option(parsing: .unconditionalSingleValue, help: "Days since infusion, one per file in file order (repeat the option; negative before infusion).")
  var day: [Double] = []

  @Option(help: "Infusion the days count from (1 = first).")
  var infusion = 1

  @OptionGroup var workspaceOptions: AnalyzeWorkspaceOptions

  @Flag(name: .customLong("keep-events"), help: "Also store the compensated events and the gate masks (re-gating without the FCS file).")
  var keepEvents = false

  @Option(help: "Analyst note stored with each analysis.")
  var note: String?

  @Option(name: .customLong("collection-date"), help: "Blood collection date (YYYY-MM-DD), one per file in file order (repeat).")
  var collectionDate: [String] = []

  @Option(help: "Diagnosis (patient attribute).")
  var diagnosis: String?

  @Option(help: "CAR T product (patient attribute).")
  var product: String?

  @Option(name: .customLong("infusion-date"), help: "Infusion date YYYY-MM-DD (repeat for re-treatment; patient attribute).")
  var infusionDate: [String] = []

  @Option(help: "Age in years (patient attribute).")
  var age: Int?

  @Option(help: "Sex (patient attribute).")
  var sex: String?

  func validate() throws {
    if manifest == nil {
      if files.isEmpty { throw ValidationError("give FCS files (with --patient and --day) or --manifest") }
      guard patient != nil else { throw ValidationError("--patient is required without --manifest") }
      if day.count != files.count { throw ValidationError("give one --day per file (\(files.count) files, \(day.count) days)") }
      if !collectionDate.isEmpty && collectionDate.count != files.count {
        throw ValidationError("give one --collection-date per file or none")
      }
    } else if !files.isEmpty || !day.isEmpty {
      throw ValidationError("--manifest lists the files and days; drop the FILE arguments and --day")
    }
    if let patient, !StoreSchema.isValidPatientID(patient) { throw ValidationError("--patient must be non-empty and without '/'") }
    for d in infusionDate where Self.parseDate(d) == nil { throw ValidationError("--infusion-date takes YYYY-MM-DD, got '\(d)'") }
    try workspaceOptions.validate(analysis: analysis, qc: nil)
    if try keepEvents && workspaceOptions.workspacePanel(panelOption: analysis.panel) != nil {
      throw ValidationError("--keep-events does not apply with --workspace (the workspace and the FCS file are the record)")
    }
  }

  /// One visit to analyse.
  struct Job {
    var path: String
    var patient: String
    var day: Double
    var infusion: Int
    var method: AbsoluteCountMethod?
    var note: String
    var collectionDate: String?
  }

  static func parseDate(_ s: String) -> Date? {
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = TimeZone(identifier: "UTC")
    f.dateFormat = "yyyy-MM-dd"
    return f.date(from: s)
  }


  /// The visits from the arguments or the manifest.
  func jobs() throws -> [Job] {
    guard let manifest else {
      return files.indices.map {
        Job(path: files[$0], patient: patient!, day: day[$0], infusion: infusion, method: analysis.countMethod, note: note ?? "",
            collectionDate: collectionDate.isEmpty ? nil : collectionDate[$0])
      }
    }
    let text: String
    do { text = try String(contentsOfFile: manifest, encoding: .utf8) } catch {
      throw ValidationError("\(manifest): cannot read the manifest: \(error.localizedDescription)")
    }
    let rows = ManifestCSV.parse(text)
    guard let header = rows.first?.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) else {
      throw ValidationError("\(manifest): empty manifest")
    }
    guard header.contains("file") else { throw ValidationError("\(manifest): the header has no 'file' column") }
    let base = (manifest as NSString).deletingLastPathComponent
    var out: [Job] = []
    for (n, row) in rows.dropFirst().enumerated() where !row.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
      let line = n + 2
      func field(_ name: String) -> String? {
        guard let i = header.firstIndex(of: name), i < row.count else { return nil }
        let v = row[i].trimmingCharacters(in: .whitespaces)
        return v.isEmpty ? nil : v
      }
      func number(_ name: String) throws -> Double? {
        guard let s = field(name) else { return nil }
        guard let v = Double(s), v.isFinite else { throw ValidationError("\(manifest):\(line): \(name) '\(s)' is not a number") }
        return v
      }
      guard let file = field("file") else { throw ValidationError("\(manifest):\(line): no file") }
      guard let p = field("patient") ?? patient else { throw ValidationError("\(manifest):\(line): no patient (column or --patient)") }
      guard StoreSchema.isValidPatientID(p) else { throw ValidationError("\(manifest):\(line): invalid patient id '\(p)'") }
      let inf = try number("infusion").map { Int($0) } ?? infusion
      let date = field("collection_date") ?? field("date")
      var d = try number("day")
      if d == nil, let date {
        guard let drawn = Self.parseDate(date) else { throw ValidationError("\(manifest):\(line): date '\(date)' is not YYYY-MM-DD") }
        let dates = infusionDate.isEmpty ? ((try? CohortStoreReader(path: store).patientAttributes(p).infusionDates) ?? []) : infusionDate
        guard inf >= 1, inf <= dates.count, let given = Self.parseDate(dates[inf - 1]) else {
          throw ValidationError("\(manifest):\(line): a date without a day needs infusion date \(inf) (--infusion-date, or stored for \(p))")
        }
        d = (drawn.timeIntervalSince(given) / 86_400).rounded()
      }
      guard let d else { throw ValidationError("\(manifest):\(line): no day (or date)") }
      var method = analysis.countMethod
      if let b = try number("beads_per_test"), let v = try number("blood_ul") {
        method = .singlePlatform(beadsPerTest: b, bloodVolumeMicroliters: v)
      } else if let a = try number("alc") {
        method = .dualPlatform(lymphocytesPerMicroliter: a)
      }
      let path = file.hasPrefix("/") || base.isEmpty ? file : (base as NSString).appendingPathComponent(file)
      out.append(Job(path: path, patient: p, day: d, infusion: inf, method: method, note: field("note") ?? note ?? "", collectionDate: date))
    }
    if out.isEmpty { throw ValidationError("\(manifest): no visits") }
    return out
  }

  func run() throws {
    let workspacePanel = try workspaceOptions.workspacePanel(panelOption: analysis.panel)
    let choice = try workspacePanel == nil ? analysis.loadPanel() : .fixed(PanelDefinition.named("reset"))
    let workspace = try workspacePanel.map { try WorkspaceIngest($0) }
    let jobs = try jobs()
    let cutOverrides = try analysis.overrides()
    let gateOverrides = try analysis.gateOverrides()
    let statistics = try analysis.statistics()
    // Visits are stored in this order: per patient and infusion by day, so pre-infusion visits
    // come first and their CAR⁺ % of CD3 is the background of later ones, as in `analyze`.
    let order = jobs.indices.sorted { (jobs[$0].patient, jobs[$0].infusion, jobs[$0].day) < (jobs[$1].patient, jobs[$1].infusion, jobs[$1].day) }
    let bar = ProgressBar(label: "ingest", total: jobs.count)
    var backgrounds: [String: (day: Double, value: Double)] = [:]
    var failed = 0
    var pending: [VisitSubmission] = []
    var pendingFiles: [String] = []
    let batch = keepEvents ? 1 : 50
    var stored = 0, unchanged = 0
    func say(_ line: String) { if bar.enabled { bar.message(line) } else { printError(line) } }
    func commit() throws {
      guard !pending.isEmpty else { return }
      let what = "committing \(pending.count) visit\(pending.count == 1 ? "" : "s") to \(store)"
      if bar.enabled { bar.status(what) } else { printError("ingest: \(what)") }
      let outcomes: [IngestOutcome]
      do { outcomes = try CohortStore.ingest(pending, into: store) } catch {
        bar.finish()
        printError("cytoreset: \(error)")
        for f in pendingFiles { printError("cytoreset: \(f): not stored") }
        throw ExitCode(1)
      }
      bar.status("")
      for (o, f) in zip(outcomes, pendingFiles) {
        switch o {
        case .added: stored += 1
        case .unchanged: unchanged += 1
        }
        say("\(f): \(o)")
      }
      pending.removeAll()
      pendingFiles.removeAll()
    }
    // Files are analysed in parallel (one per core, taken in storing order); results are
    // consumed here in that order: background, messages, commits. With --keep-events a result
    // holds the file's compensated events, so only one more file than there are workers is
    // in memory at once; without, results are small and the workers may run further ahead.
    let workers = Batch.workerCount
    let command = self, total = jobs.count, orderedJobs = order.map { jobs[$0] }, tty = bar.enabled
    try Batch.ordered(
      orderedJobs.count, workers: workers, window: keepEvents ? workers + 1 : max(batch, 4 * workers),
      started: { k in if !tty { printError("ingest: [\(k + 1)/\(total)] analysing \(orderedJobs[k].path)") } },
      work: { k in
        let r = Result {
          if let workspace { return try command.analyse(orderedJobs[k], workspace: workspace) }
          return try command.analyse(orderedJobs[k], choice: choice, cuts: cutOverrides, gates: gateOverrides, statistics: statistics)
        }
        bar.fileDone(events: (try? r.get())?.analysis.events ?? 0)
        return try r.get()
      }
    ) { k, outcome in
      let job = orderedJobs[k]
      switch outcome {
      case .success(var submission):
        let key = "\(job.patient)\u{0}\(job.infusion)"
        // The latest pre-infusion visit before this one, from this run or the store.
        let candidates = [backgrounds[key], storedBackground(patient: job.patient, infusion: job.infusion, before: job.day)]
        let background = candidates.compactMap { $0 }.filter { $0.day < job.day }.max { $0.day < $1.day }?.value
        if var w = workspace?.analyzer {
          w.carBackgroundPercentOfT = background
          submission.analysis = w.applyingCARBackground(to: submission.analysis)
        } else {
          let analyzer = VisitAnalyzer(panel: choice.candidates[0], carBackgroundPercentOfT: background)
          submission.analysis = analyzer.applyingCARBackground(to: submission.analysis)
        }
        if job.day <= 0, let bg = submission.analysis.calls.carPercentOfT, let v = bg.value ?? Optional(bg.upper95) {
          backgrounds[key] = (job.day, v)
        }
        for d in submission.analysis.diagnostics where d.severity >= .warning || d.code == .clinicalPanelChosen {
          say("\(job.path): \(d.severity.rawValue): \(d.message)")
        }
        pending.append(submission)
        pendingFiles.append(job.path)
      case .failure(let error):
        failed += 1
        say("cytoreset: \(describe(error, file: job.path))")
      }
      if pending.count >= batch { try commit() }
    }
    try commit()
    bar.finish()
    print("\(store): \(stored) visit\(stored == 1 ? "" : "s") stored, \(unchanged) already present, \(failed) failed")
    if failed > 0 { throw ExitCode(1) }
  }

  /// The CAR⁺ % of CD3 of the last stored pre-infusion visit of this patient and infusion
  /// before `day` (the detectability background, as `analyze` uses it).
  func storedBackground(patient: String, infusion: Int, before day: Double) -> (day: Double, value: Double)? {
    guard FileManager.default.fileExists(atPath: store), let reader = try? CohortStoreReader(path: store),
      let s = try? reader.series(of: patient, metric: "car_pct_cd3")
    else { return nil }
    guard let p = s.points.filter({ $0.infusion == infusion && $0.day <= 0 && $0.day < day }).last,
      let v = p.quantity.flatMap({ $0.value ?? $0.lessThan })
    else { return nil }
    return (p.day, v)
  }

  /// One visit's submission, analysed without a CAR background (the caller applies it, in
  /// storing order). Runs on a worker thread.
  func analyse(_ job: Job, choice: PanelChoice, cuts: [String: Double], gates: [String: GateOverride],
               statistics: [ChannelStatistic]) throws -> VisitSubmission {
    let sha = try SHA256.hash(fileAt: job.path).hex
    let ds = try FCSFile(contentsOf: job.path).dataSet(analysis.dataSet)
    let (panel, note) = try choice.panel(for: ds, file: job.path)
    let panelJSON = String(decoding: try panel.jsonData(), as: UTF8.self)
    let analyzer = VisitAnalyzer(panel: panel, countMethod: job.method, cutOverrides: cuts, gateOverrides: gates, statistics: statistics)
    // One gating for both the analysis and the stored masks.
    var (analysis, resolved) = try analyzer.analyzeResolving(ds, file: job.path,
                                                             visit: VisitInfo(patient: job.patient, day: job.day, infusion: job.infusion))
    if let note { analysis.diagnostics.insert(note, at: 0) }
    var events: VisitEvents? = nil
    if keepEvents {
      let input = resolved.input
      let compensate = panel.compensation != .none && input.fileSpillover != nil
      let reference: CompensationReference = compensate ? .fileSpillover : .uncompensated
      // Every fluorochrome of the matrix compensated (scatter and time as stored, linear), one
      // channel at a time.
      var storage: [Float] = []
      storage.reserveCapacity(input.events.eventCount * input.channels.count)
      for c in input.channels {
        switch try GatingEngine.channelValues(c, compensation: reference, input: input) {
        case .float(let v): storage += v
        case .double(let v): storage += v.lazy.map { Float($0) }
        }
      }
      let matrix = EventMatrix<Float>(eventCount: input.events.eventCount, channelCount: input.channels.count, columnMajor: storage)
      let masks = Dictionary(uniqueKeysWithValues: resolved.result.masks.map { ($0.key.rawValue, $0.value) })
      events = VisitEvents(channels: input.channels.map(\.rawValue), matrix: matrix, compensated: compensate, masks: masks)
    }
    let provenance = VisitProvenance(
      fileName: (job.path as NSString).lastPathComponent, fileSHA256: sha, gatingHash: Self.gatingHash(analysis, panelJSON: panelJSON),
      cytoresetVersion: CytoResetVersion.current, analysisTime: Self.now(), analystNote: job.note, collectionDate: job.collectionDate,
      panelJSON: panelJSON, statistics: statistics.map(\.rawValue))
    return VisitSubmission(
      analysis: analysis, provenance: provenance,
      patient: PatientAttributes(diagnosis: diagnosis, product: product, infusionDates: infusionDate, age: age, sex: sex),
      thresholds: panel.thresholds, events: events)
  }

  /// SHA-256 of what determines the gating of this sample (``CytoStore/VisitProvenance/gatingHash(_:panelJSON:)``).
  static func gatingHash(_ a: VisitAnalysis, panelJSON: String) -> String { VisitProvenance.gatingHash(a, panelJSON: panelJSON) }

  static func now() -> String {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return f.string(from: Date())
  }
}

/// A small RFC 4180 reader: commas, double-quoted fields with "" escapes, CRLF or LF.
enum ManifestCSV {
  static func parse(_ text: String) -> [[String]] {
    var rows: [[String]] = []
    var row: [String] = []
    var field = ""
    var quoted = false
    var chars = Array(text.unicodeScalars)[...]
    while let c = chars.popFirst() {
      if quoted {
        if c == "\"" {
          if chars.first == "\"" {
            field.unicodeScalars.append("\"")
            chars.removeFirst()
          } else {
            quoted = false
          }
        } else {
          field.unicodeScalars.append(c)
        }
        continue
      }
      switch c {
      case "\"": quoted = true
      case ",":
        row.append(field)
        field = ""
      case "\r": continue
      case "\n":
        row.append(field)
        rows.append(row)
        row = []
        field = ""
      default: field.unicodeScalars.append(c)
      }
    }
    if !field.isEmpty || !row.isEmpty {
      row.append(field)
      rows.append(row)
    }
    return rows
  }
}
