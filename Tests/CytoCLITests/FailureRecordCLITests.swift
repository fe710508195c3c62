import CytoStore
import CytoTestSupport
import Foundation
import Testing

/// `analyze --on-failure record` → failure records → `ingest --analyses` → the store's failures
/// table: what a workflow with one job per file and one merge does when a file cannot be read.
@Suite(.serialized) struct FailureRecordCLITests {
  static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    try ChildProcess.cytoreset(arguments, binary: CLIRunner.binary.path)
  }

  static let counts = ["--beads-per-test", "50000", "--blood-ul", "50"]

  /// A simulated patient P03 (days −7, 14, 28) and a truncated copy of day 28 (`v/bad.fcs`).
  static func visits(in dir: URL) throws -> (good: [Int: String], bad: String) {
    let r = try run(["simulate", "--timeline", "--patient", "P03", "--seed", "61", "--days=-7,14,28", "--events", "3000",
                     "-o", dir.appendingPathComponent("v").path])
    #expect(r.status == 0, "\(r.stderr)")
    var good: [Int: String] = [:]
    for d in [-7, 14, 28] { good[d] = dir.appendingPathComponent("v/P03_day\(d < 0 ? "-" : "+")\(String(format: "%03d", abs(d))).fcs").path }
    let bad = dir.appendingPathComponent("v/bad.fcs").path
    try Data(try Data(contentsOf: URL(fileURLWithPath: good[28]!)).prefix(5000)).write(to: URL(fileURLWithPath: bad))
    return (good, bad)
  }

  /// One `analyze -o` job, as the workflow runs it.
  static func analyze(_ file: String, day: Int, to out: String, _ extra: [String] = []) throws -> (status: Int32, stdout: String, stderr: String) {
    try run(["analyze", file, "--patient", "P03", "--day=\(day)", "--format", "json", "-o", out] + counts + extra)
  }

  @Test func failedFilesBecomeFailureRecordsTheMergeStores() throws {
    let dir = try CLIRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
    let (good, bad) = try Self.visits(in: dir)
    let missing = path("v/missing.fcs")

    // Without --on-failure record: no record, exit code 1 (today's behaviour).
    let plain = try Self.analyze(bad, day: 28, to: path("plain.json"))
    #expect(plain.status == 1 && !FileManager.default.fileExists(atPath: path("plain.json")), "\(plain.stderr)")

    let truncated = try Self.analyze(bad, day: 28, to: path("d28.analysis.json"), ["--on-failure", "record", "--diagnosis", "SLE"])
    #expect(truncated.status == 0, "\(truncated.stderr)")
    #expect(truncated.stderr.contains("cytoreset: \(bad): DATA: ") && truncated.stderr.contains("[fcs.truncated]"), "\(truncated.stderr)")
    #expect(truncated.stdout == "\(path("d28.analysis.json")): P03 day+028 (\(bad)): failure recorded [fcs.truncated]\n")
    let gone = try Self.analyze(missing, day: 35, to: path("d35.analysis.json"), ["--on-failure", "record"])
    #expect(gone.status == 0 && gone.stderr.contains("FILE: cannot open: No such file or directory [fcs.unreadable]"), "\(gone.stderr)")

    // Both validate as failure records; the truncated file's bytes were hashed, the missing one's not.
    guard case .failure(let f28) = try MergeRecord.read(contentsOf: path("d28.analysis.json"), readerVersion: "0.1.0"),
      case .failure(let f35) = try MergeRecord.read(contentsOf: path("d35.analysis.json"), readerVersion: "0.1.0")
    else { Issue.record("not failure records"); return }
    #expect(f28.fcs.path == bad && f28.fcs.sizeBytes == 5000 && f28.fcs.sha256?.count == 64 && f28.error.code == "fcs.truncated")
    #expect(f28.patientAttributes.diagnosis == "SLE" && f28.visit.day == 28)
    #expect(f35.fcs.sha256 == nil && f35.fcs.sizeBytes == nil && f35.error.code == "fcs.unreadable")
    #expect(f35.error.message == "FILE: cannot open: No such file or directory")

    // A tampered reason (digest unchanged) and a truncated failure record are refused, naming the file.
    let text = try String(contentsOfFile: path("d28.analysis.json"), encoding: .utf8)
    try text.replacingOccurrences(of: "the file ends at byte", with: "fine, the file ends at byte")
      .write(toFile: path("tampered.analysis.json"), atomically: true, encoding: .utf8)
    try String(text.prefix(300)).write(toFile: path("cut.analysis.json"), atomically: true, encoding: .utf8)

    var records: [String] = []
    for d in [-7, 14] {
      records.append(path("d\(d).analysis.json"))
      #expect(try Self.analyze(good[d]!, day: d, to: records.last!).status == 0)
    }
    let store = path("s.h5")
    let all = records + [path("d28.analysis.json"), path("d35.analysis.json"), path("tampered.analysis.json"), path("cut.analysis.json")]
    let merged = try Self.run(["ingest", "--analyses"] + all + ["--store", store])
    #expect(merged.status == 1, "two refusals")
    #expect(merged.stdout.contains("2 visits stored, 0 already present, 2 failed, 2 failed analyses recorded"), "\(merged.stdout)")
    let lines = merged.stderr.split(separator: "\n").map(String.init)
    #expect(lines.contains { $0.hasPrefix("cytoreset: \(path("tampered.analysis.json")): ") && $0.hasSuffix("[record.digestMismatch]") }, "\(merged.stderr)")
    #expect(lines.contains { $0.hasPrefix("cytoreset: \(path("cut.analysis.json")): not a complete JSON document") }, "\(merged.stderr)")
    #expect(lines.contains("cytoreset: \(path("d28.analysis.json")): P03 day 28 failed analysis: \(f28.error.message) [fcs.truncated] (recorded in the store's failures)"),
            "\(merged.stderr)")
    let reader = try CohortStoreReader(path: store)
    #expect(try reader.visits(of: "P03").map(\.name) == ["day-007", "day+014"])
    let open = try reader.openFailures()
    #expect(open.map(\.visit) == ["day+028", "day+035"] && open.map(\.code) == ["fcs.truncated", "fcs.unreadable"])
    #expect(open[0].file == bad && open[0].fileSHA256 == f28.fcs.sha256 && open[0].message == f28.error.message)

    // The same records again (the refused ones left out): nothing changes, the file is not rewritten.
    let before = try Data(contentsOf: URL(fileURLWithPath: store))
    let attributes = try FileManager.default.attributesOfItem(atPath: store)
    let again = try Self.run(["ingest", "--analyses"] + all.prefix(4) + ["--store", store])
    #expect(again.status == 0 && again.stdout.contains("0 visits stored, 2 already present, 0 failed\n"), "\(again.stdout)\(again.stderr)")
    #expect(again.stderr.contains("(already in the store's failures (open); nothing changed)"))
    #expect(try Data(contentsOf: URL(fileURLWithPath: store)) == before)
    #expect(try FileManager.default.attributesOfItem(atPath: store)[.modificationDate] as? Date == attributes[.modificationDate] as? Date)

    // Day 28 analysed again from the good file: stored, and its failure resolved in the same commit.
    let fixed = try Self.analyze(good[28]!, day: 28, to: path("d28.analysis.json"))
    #expect(fixed.status == 0)
    let later = try Self.run(["ingest", "--analyses", path("d28.analysis.json"), "--store", store])
    #expect(later.status == 0, "\(later.stderr)")
    let after = try CohortStoreReader(path: store)
    #expect(try after.openFailures().map(\.visit) == ["day+035"])
    let resolved = try #require(try after.failures().first { $0.visit == "day+028" })
    #expect(resolved.status == .resolved && resolved.resolvedAnalysis == 1)
  }

  /// `ingest --manifest` with the truncated file records the row the workflow's merge records
  /// (everything but the times); its exit code stays 1.
  @Test func serialIngestStoresTheSameFailureRow() throws {
    let dir = try CLIRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
    let (_, bad) = try Self.visits(in: dir)
    try "file,patient,day,infusion,beads_per_test,blood_ul,note\nv/P03_day-007.fcs,P03,-7,1,50000,50,\nv/bad.fcs,P03,28,1,50000,50,redo\n"
      .write(toFile: path("m.csv"), atomically: true, encoding: .utf8)
    let serial = try Self.run(["ingest", "--manifest", path("m.csv"), "--store", path("serial.h5")])
    #expect(serial.status == 1)
    #expect(serial.stdout.contains("1 visit stored, 0 already present, 1 failed, 1 failed analysis recorded"), "\(serial.stdout)")
    #expect(serial.stderr.contains("cytoreset: \(bad): DATA: ") && serial.stderr.contains("failed analysis recorded in the store's failures"),
            "\(serial.stderr)")

    let record = path("bad.analysis.json")
    #expect(try Self.analyze(bad, day: 28, to: record, ["--on-failure", "record", "--note", "redo"]).status == 0)
    let merged = try Self.run(["ingest", "--analyses", record, "--store", path("merged.h5")])
    #expect(merged.status == 0, "\(merged.stderr)")
    func row(_ store: String) throws -> StoredFailure? {
      var r = try CohortStoreReader(path: store).failures().first
      r?.failureTime = ""
      r?.recordedTime = ""
      return r
    }
    let a = try #require(try row(path("serial.h5"))), b = try #require(try row(path("merged.h5")))
    #expect(a == b)
    #expect(a.note == "redo" && a.status == .open)
  }

  @Test(arguments: [
    ["analyze", "x.fcs", "--on-failure", "record"],
    ["analyze", "x.fcs", "--patient", "P", "--day=1", "--format", "tsv", "-o", "x.json", "--on-failure", "record"],
    ["analyze", "x.fcs", "--patient", "P", "--day=1", "--format", "json", "-o", "x.json", "--on-failure", "sometimes"],
    ["analyze", "x.fcs", "--patient", "P", "--collection-date", "2026-03-15", "--format", "json", "-o", "x.json"],
  ])
  func usageErrors(_ arguments: [String]) throws {
    let r = try Self.run(arguments)
    #expect(r.status == 2, "\(r.stderr)")
  }

  /// `--collection-date` with `--infusion-date` instead of `--day`: the same record as the
  /// equivalent `--day` (times and digest aside), for the first and a second infusion.
  @Test func dayFromDates() throws {
    let dir = try CLIRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
    let (good, _) = try Self.visits(in: dir)
    func content(_ file: String) throws -> NSDictionary {
      let o = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
      return o.filter { $0.key != "analysisTime" && $0.key != "digest" } as NSDictionary
    }
    let dates = ["--collection-date", "2026-03-15", "--infusion-date", "2025-06-01", "--infusion-date", "2026-03-01"]
    for (infusion, day) in [(1, 287), (2, 14)] {
      let fromDates = try Self.run(["analyze", good[14]!, "--patient", "P03", "--infusion", String(infusion), "--format", "json",
                                    "-o", path("dates\(infusion).json")] + Self.counts + dates)
      #expect(fromDates.status == 0, "\(fromDates.stderr)")
      #expect(fromDates.stdout.contains("P03 \(infusion == 1 ? "" : "inf2_")day+\(String(format: "%03d", day))"), "\(fromDates.stdout)")
      let fromDay = try Self.run(["analyze", good[14]!, "--patient", "P03", "--infusion", String(infusion), "--day=\(day)", "--format", "json",
                                  "-o", path("day\(infusion).json")] + Self.counts + dates)
      #expect(fromDay.status == 0, "\(fromDay.stderr)")
      #expect(try content(path("dates\(infusion).json")) == content(path("day\(infusion).json")))
    }
    // --day wins over the dates.
    let both = try Self.run(["analyze", good[14]!, "--patient", "P03", "--day=15", "--format", "json", "-o", path("both.json")] + Self.counts + dates)
    #expect(both.status == 0 && both.stdout.contains("P03 day+015"), "\(both.stdout)")
  }
}
