import CytoTestSupport
import Foundation
import Testing

/// `analyze … --format json -o` + `ingest --analyses` store exactly what `ingest --manifest` /
/// `ingest FILE…` store: compared through `export-store`, `series`, `patients` and `h5dump` of
/// both stores, ignoring only the store's `created`/`modified` and each analysis's
/// `analysis_time`.
@Suite(.serialized) struct AnalysisRecordCLITests {
  static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    try ChildProcess.cytoreset(arguments, binary: CLIRunner.binary.path)
  }

  /// The store's content as `h5dump` prints it, with the values of the timestamp attributes
  /// (`created`, `modified`, `analysis_time`) and the file name on the first line replaced:
  /// the only things allowed to differ. `nil` (with a SKIP line; a failure under CI) when
  /// h5dump is not installed.
  static func dump(_ store: String) throws -> String? {
    let h5dump = "/usr/bin/h5dump"
    guard FileManager.default.isExecutableFile(atPath: h5dump) else {
      print("SKIP: \(h5dump) not installed (apt-get install hdf5-tools); stores compared without it")
      if TestData.isCI { Issue.record("h5dump is required under CI") }
      return nil
    }
    let r = try ChildProcess.cytoreset([store], binary: h5dump)
    #expect(r.status == 0, "\(r.stderr)")
    var out: [String] = []
    var inTimestamp = false
    for (n, line) in r.stdout.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let t = line.trimmingCharacters(in: .whitespaces)
      if n == 0 { out.append("HDF5 <store> {"); continue }
      if t.hasPrefix("ATTRIBUTE ") { inTimestamp = ["\"created\"", "\"modified\"", "\"analysis_time\""].contains { t.contains($0) } }
      if inTimestamp && t.hasPrefix("(0): \"") { out.append("(0): <timestamp>"); continue }
      out.append(String(line))
    }
    return out.joined(separator: "\n")
  }

  /// Everything a store holds, read through the CLI and h5dump.
  static func content(_ store: String, patients: [String]) throws -> [String] {
    var out: [String] = []
    for p in patients {
      let r = try run(["series", "--store", store, "--patient", p, "--format", "json"])
      #expect(r.status == 0, "\(r.stderr)")
      out.append(r.stdout.replacingOccurrences(of: store, with: "<store>"))
    }
    for args in [["export-store", "--format", "csv"], ["patients"]] {
      let r = try run(args + ["--store", store])
      #expect(r.status == 0, "\(r.stderr)")
      out.append(r.stdout)
    }
    if let d = try dump(store) { out.append(d) }
    return out
  }

  /// One record per visit, each by its own `analyze` process (as a cluster job would).
  static func analyzeEach(_ visits: [(file: String, patient: String, day: Int)], into dir: URL, extra: [String]) throws -> [String] {
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return try visits.map { v in
      let out = dir.appendingPathComponent("\(v.patient)_\(v.day).analysis.json").path
      let r = try run(["analyze", v.file, "--patient", v.patient, "--day=\(v.day)", "--format", "json", "-o", out] + extra)
      #expect(r.status == 0, "\(r.stderr)")
      #expect(r.stdout.hasPrefix("\(out): \(v.patient) day"), "\(r.stdout)")
      return out
    }
  }

  static func expectSame(_ a: [String], _ b: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.count == b.count, sourceLocation: sourceLocation)
    for (x, y) in zip(a, b) where x != y {
      let lx = x.split(separator: "\n", omittingEmptySubsequences: false), ly = y.split(separator: "\n", omittingEmptySubsequences: false)
      let i = zip(lx, ly).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(lx.count, ly.count)
      Issue.record("stores differ at line \(i + 1): \(i < lx.count ? String(lx[i]) : "<end>")  vs  \(i < ly.count ? String(ly[i]) : "<end>")",
                   sourceLocation: sourceLocation)
    }
  }

  /// 2 simulated patients × 4 visits, stored in two rounds (the later visits' CAR background
  /// then comes from the store): `ingest --manifest` and per-file `analyze -o` + `ingest
  /// --analyses` (records given in shuffled order) give the same stores; merging the records
  /// again changes nothing.
  @Test func recordsMergeToWhatManifestIngestStores() throws {
    let dir = try CLIRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    var visits: [(file: String, patient: String, day: Int)] = []
    var rows: [String] = []
    for (p, seed, days) in [("P01", 41, [-7, 14, 28, 90]), ("P02", 42, [-3, 7, 60, 180])] {
      let r = try Self.run(["simulate", "--timeline", "--patient", p, "--seed", String(seed), "--days=\(days.map(String.init).joined(separator: ","))",
                            "--events", "4000", "-o", dir.appendingPathComponent(p).path])
      #expect(r.status == 0, "\(r.stderr)")
      for d in days {
        let name = "\(p)/\(p)_day\(d < 0 ? "-" : "+")\(String(format: "%03d", abs(d))).fcs"
        visits.append((dir.appendingPathComponent(name).path, p, d))
        rows.append("\(name),\(p),\(d),1,50000,50")
      }
    }
    // Round 1: the first two visits of each patient; round 2: the others.
    let rounds = [[0, 1, 4, 5], [2, 3, 6, 7]]
    let a = dir.appendingPathComponent("manifest.h5").path, b = dir.appendingPathComponent("records.h5").path
    for (n, round) in rounds.enumerated() {
      let manifest = dir.appendingPathComponent("round\(n).csv").path
      try (["file,patient,day,infusion,beads_per_test,blood_ul"] + round.map { rows[$0] }).joined(separator: "\n")
        .write(toFile: manifest, atomically: true, encoding: .utf8)
      let attributes = n == 0 ? ["--diagnosis", "SLE"] : []
      let viaManifest = try Self.run(["ingest", "--manifest", manifest, "--store", a] + attributes)
      #expect(viaManifest.status == 0, "\(viaManifest.stderr)")
      let records = try Self.analyzeEach(round.map { visits[$0] }, into: dir.appendingPathComponent("records"),
                                         extra: ["--beads-per-test", "50000", "--blood-ul", "50"] + attributes)
      let merged = try Self.run(["ingest", "--analyses"] + records.reversed() + ["--store", b])
      #expect(merged.status == 0, "\(merged.stderr)")
      #expect(merged.stdout == viaManifest.stdout.replacingOccurrences(of: a, with: b))
      #expect(merged.stdout.contains("4 visits stored, 0 already present, 0 failed"), "\(merged.stdout)")
      // Each record's line names the record, in storing order (per patient by day).
      let stored = merged.stderr.split(separator: "\n").filter { $0.contains(": stored as analysis 1") }
      #expect(stored.map { String($0.split(separator: ":")[0]) } == records, "\(merged.stderr)")
    }
    let viaManifest = try Self.content(a, patients: ["P01", "P02"]), viaRecords = try Self.content(b, patients: ["P01", "P02"])
    Self.expectSame(viaManifest, viaRecords)
    if viaRecords.count == 5 {  // with h5dump
      #expect(viaRecords[4].contains("\"pre-infusion visit\""), "later visits' CAR background comes from the baseline")
    }

    // The same records again: a no-op that leaves the file as it was.
    let before = try Data(contentsOf: URL(fileURLWithPath: b))
    let list = dir.appendingPathComponent("records.txt").path
    let names = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("records").path).sorted()
    try (["# every record"] + names.map { "records/\($0)" }).joined(separator: "\n").write(toFile: list, atomically: true, encoding: .utf8)
    let again = try Self.run(["ingest", "--analyses-list", list, "--store", b])
    #expect(again.status == 0, "\(again.stderr)")
    #expect(again.stdout.contains("0 visits stored, 8 already present, 0 failed"), "\(again.stdout)")
    #expect(try Data(contentsOf: URL(fileURLWithPath: b)) == before)
  }

  /// Real instrument files of two panels (`--panel auto` picks bcell for one, massbcell for the
  /// other) as two visits of one patient: `ingest FILE…` and records give the same store.
  @Test func realFilesWithAutoPanel() throws {
    guard TestData.sharedAvailable,
      let f1 = TestData.shared("realdata/flowai_bcells/flowAI_Bcells1.fcs")?.path,
      let f2 = TestData.shared("realdata/cytonorm_gates/Gates_PTLG021_Unstim_Control_1.fcs")?.path
    else {
      if TestData.isCI { Issue.record("../shared/testdata is required under CI") }
      return
    }
    let dir = try CLIRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let a = dir.appendingPathComponent("files.h5").path, b = dir.appendingPathComponent("records.h5").path
    let options = ["--panel", "auto", "--alc", "1500", "--stats", "median", "--sex", "F", "--infusion-date", "2026-01-05"]
    let direct = try Self.run(["ingest", f1, f2, "--store", a, "--patient", "R1", "--day=-2", "--day=30", "--note", "real",
                               "--collection-date", "2026-01-03", "--collection-date", "2026-02-04"] + options)
    #expect(direct.status == 0, "\(direct.stderr)")
    let out = dir.appendingPathComponent("rec/")
    let analyzed = try Self.run(["analyze", f1, f2, "--patient", "R1", "--day=-2", "--day=30", "--note", "real", "--collection-date", "2026-01-03",
                                 "--collection-date", "2026-02-04", "--format", "json", "-o", out.path + "/"] + options)
    #expect(analyzed.status == 0, "\(analyzed.stderr)")
    #expect(analyzed.stderr.contains("--panel auto"), "the panel choice is reported")
    let records = ["flowAI_Bcells1", "Gates_PTLG021_Unstim_Control_1"].map { out.appendingPathComponent("\($0).analysis.json").path }
    #expect(records.allSatisfy { FileManager.default.fileExists(atPath: $0) }, "\(analyzed.stdout)")
    let merged = try Self.run(["ingest", "--analyses"] + records + ["--store", b])
    #expect(merged.status == 0, "\(merged.stderr)")
    #expect(merged.stdout.contains("2 visits stored"), "\(merged.stdout)")
    Self.expectSame(try Self.content(a, patients: ["R1"]), try Self.content(b, patients: ["R1"]))
  }

  /// A FlowJo workspace as the panel: the record keeps the workspace panel document and its
  /// gating hash (recomputed on merging by the workspace rule); the stores are the same.
  @Test func workspaceRecords() throws {
    guard TestData.sharedAvailable, let wsp = TestData.shared("flowjo/flowsom_68983/gating.wsp")?.path,
      let fcs = TestData.shared("flowjo/flowsom_68983/68983.fcs")?.path
    else {
      if TestData.isCI { Issue.record("../shared/testdata is required under CI") }
      return
    }
    let dir = try CLIRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let a = dir.appendingPathComponent("files.h5").path, b = dir.appendingPathComponent("records.h5").path
    let record = dir.appendingPathComponent("w.analysis.json").path
    let options = ["--patient", "W1", "--day=0", "--workspace", wsp, "--roles", "lymphocytes=/Lymphocytes,tCells=T cells,bCells=NK1_1-/B cells",
                   "--alc", "1500"]
    let direct = try Self.run(["ingest", fcs, "--store", a] + options)
    let analyzed = try Self.run(["analyze", fcs, "--format", "json", "-o", record] + options)
    let merged = try Self.run(["ingest", "--analyses", record, "--store", b])
    #expect(direct.status == 0 && analyzed.status == 0 && merged.status == 0, "\(direct.stderr)\(analyzed.stderr)\(merged.stderr)")
    Self.expectSame(try Self.content(a, patients: ["W1"]), try Self.content(b, patients: ["W1"]))
  }
}
