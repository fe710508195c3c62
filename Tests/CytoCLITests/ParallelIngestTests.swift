import CytoTestSupport
import Foundation
import Testing

/// Parallel `ingest` end to end: the store equals one-by-one ingests, failures are reported
/// as before, `analyze` equals a one-core run.
@Suite(.serialized) struct ParallelIngestTests {
  static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    try ChildProcess.cytoreset(arguments, binary: CLIRunner.binary.path)
  }

  /// Two patients' visits (4,000 events each) and a manifest of all of them.
  static func cohort(in dir: URL) throws -> (manifest: String, visits: [(file: String, patient: String, day: Int)]) {
    var visits: [(String, String, Int)] = []
    var rows = ["file,patient,day,infusion,beads_per_test,blood_ul"]
    for (p, seed) in [("A1", 31), ("A2", 32)] {
      let days = p == "A1" ? [-7, 7, 14, 28, 90, 180] : [-3, -1, 10, 60, 120]
      let r = try run(["simulate", "--timeline", "--patient", p, "--seed", String(seed), "--days=\(days.map(String.init).joined(separator: ","))",
                       "--events", "4000", "-o", dir.appendingPathComponent(p).path])
      #expect(r.status == 0, "\(r.stderr)")
      for d in days {
        let name = "\(p)/\(p)_day\(d < 0 ? "-" : "+")\(String(format: "%03d", abs(d))).fcs"
        visits.append((dir.appendingPathComponent(name).path, p, d))
        rows.append("\(name),\(p),\(d),1,50000,50")
      }
    }
    // Manifest rows out of order: ingest stores them per patient by day either way.
    rows = [rows[0]] + rows.dropFirst().reversed()
    let manifest = dir.appendingPathComponent("all.csv").path
    try (rows.joined(separator: "\n") + "\n").write(toFile: manifest, atomically: true, encoding: .utf8)
    return (manifest, visits)
  }

  /// What a store holds, read through the CLI: each patient's series JSON (without the store
  /// path) and the tidy export.
  static func content(_ store: String, patients: [String]) throws -> [String] {
    var out: [String] = []
    for p in patients {
      let r = try run(["series", "--store", store, "--patient", p, "--format", "json"])
      #expect(r.status == 0, "\(r.stderr)")
      var obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
      obj["store"] = nil
      out.append(String(decoding: try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]), as: UTF8.self))
    }
    let e = try run(["export-store", "--store", store, "--format", "csv"])
    #expect(e.status == 0, "\(e.stderr)")
    out.append(e.stdout)
    return out
  }

  @Test func parallelIngestEqualsOneByOne() throws {
    let dir = try CLIRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let (manifest, visits) = try Self.cohort(in: dir)
    let together = dir.appendingPathComponent("together.h5").path
    let all = try Self.run(["ingest", "--manifest", manifest, "--store", together])
    #expect(all.status == 0, "\(all.stderr)")
    #expect(all.stdout == "\(together): 11 visits stored, 0 already present, 0 failed\n")
    // Per file "stored" lines come in storing order: per patient, by day.
    let storedLines = all.stderr.split(separator: "\n").filter { $0.contains(": stored as analysis") }
    #expect(storedLines.map { String($0.split(separator: ":")[0]) } == visits.map(\.file))

    let single = dir.appendingPathComponent("single.h5").path
    for v in visits {
      let r = try Self.run(["ingest", v.file, "--store", single, "--patient", v.patient, "--day=\(v.day)",
                            "--beads-per-test", "50000", "--blood-ul", "50"])
      #expect(r.status == 0, "\(r.stderr)")
    }
    let a = try Self.content(together, patients: ["A1", "A2"]), b = try Self.content(single, patients: ["A1", "A2"])
    #expect(a.count == b.count)
    for (x, y) in zip(a, b) { #expect(x == y) }
    #expect(a.last?.split(separator: "\n").count ?? 0 > 11)

    // The same files again in one run: all already present.
    let again = try Self.run(["ingest", "--manifest", manifest, "--store", together])
    #expect(again.status == 0)
    #expect(again.stdout.contains("0 visits stored, 11 already present, 0 failed"), "\(again.stdout)")
  }

  @Test func failingFilesAmongGoodOnesAreReportedAsBefore() throws {
    let dir = try CLIRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let (_, visits) = try Self.cohort(in: dir)
    let good = visits.filter { $0.patient == "A1" }.prefix(4).map(\.file)
    let truncated = dir.appendingPathComponent("truncated.fcs").path
    try Data(try Data(contentsOf: URL(fileURLWithPath: good[1])).prefix(3000)).write(to: URL(fileURLWithPath: truncated))
    let missing = dir.appendingPathComponent("missing.fcs").path
    // The truncated file's error line, as `analyze` (the same description) reports it.
    let analyzed = try Self.run(["analyze", truncated])
    #expect(analyzed.status == 1)
    let truncatedLine = try #require(analyzed.stderr.split(separator: "\n").first.map(String.init))
    #expect(truncatedLine.hasPrefix("cytoreset: \(truncated): DATA: byte ") && truncatedLine.hasSuffix("[fcs.truncated]"), "\(truncatedLine)")

    let store = dir.appendingPathComponent("s.h5").path
    let files = [good[0], truncated, good[1], missing, good[2], good[3]]
    var args = ["ingest"] + files + ["--store", store, "--patient", "F1", "--beads-per-test", "50000", "--blood-ul", "50"]
    for d in [-7, 3, 7, 9, 14, 28] { args.append("--day=\(d)") }
    let r = try Self.run(args)
    #expect(r.status == 1)
    #expect(r.stdout == "\(store): 4 visits stored, 0 already present, 2 failed, 2 failed analyses recorded\n")
    let lines = r.stderr.split(separator: "\n").map(String.init)
    #expect(lines.filter { $0 == truncatedLine }.count == 1, "\(r.stderr)")
    // The file is named once (the error already names it); a missing file is an unreadable FCS file.
    #expect(lines.filter { $0 == "cytoreset: \(missing): FILE: cannot open: No such file or directory [fcs.unreadable]" }.count == 1,
            "\(r.stderr)")
    // Per-file lines in storing order (here the argument order), as each file's turn comes: a
    // good file's warnings (4,000-event files have few beads) or a failure; then the stored
    // files when the batch is committed, and the two failures recorded in the store's failures.
    let perFile = lines.filter { !$0.hasPrefix("ingest: ") }
    let order = perFile.map { l in files.firstIndex { l.hasPrefix("\($0): ") || l.hasPrefix("cytoreset: \($0): ") } ?? -1 }
    // A file may have several lines (warnings); consecutive lines of one file form one group.
    let groups = order.enumerated().filter { $0.offset == 0 || order[$0.offset - 1] != $0.element }.map(\.element)
    #expect(groups == [0, 1, 2, 3, 4, 5, 0, 2, 4, 5, 1, 3], "\(r.stderr)")
    #expect(perFile.dropLast(2).suffix(4).allSatisfy { $0.contains(": stored as analysis 1") }, "\(r.stderr)")
    #expect(perFile.suffix(2).allSatisfy { $0.hasSuffix(": failed analysis recorded in the store's failures") }, "\(r.stderr)")
    #expect(!r.stderr.contains("\r"), "no progress bar when stderr is not a terminal")
    // Progress lines as before: one "analysing" line per file and the commit.
    #expect(lines.filter { $0.hasPrefix("ingest: [") && $0.contains("] analysing ") }.count == 6)
    #expect(lines.contains("ingest: committing 4 visits and 2 failures to \(store)"))
    let days = try Self.run(["series", "--store", store, "--patient", "F1", "--metric", "cd19_per_ul"])
    #expect(days.stdout.split(separator: "\n").count == 5, "\(days.stdout)")
  }

  @Test func analyzeOnAllCoresEqualsOneCore() throws {
    let taskset = "/usr/bin/taskset"
    guard FileManager.default.isExecutableFile(atPath: taskset) else {
      print("SKIP: \(taskset) not installed")
      return
    }
    let dir = try CLIRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let (_, visits) = try Self.cohort(in: dir)
    let a1 = visits.filter { $0.patient == "A1" }
    let args = ["analyze"] + a1.map(\.file) + ["--patient", "A1", "--beads-per-test", "50000", "--blood-ul", "50", "--format", "json"]
      + a1.map { "--day=\($0.day)" }
    let parallel = try Self.run(args)
    let one = try ChildProcess.cytoreset(["-c", "0", CLIRunner.binary.path] + args, binary: taskset)
    #expect(parallel.status == 0 && one.status == 0, "\(parallel.stderr) \(one.stderr)")
    #expect(parallel.stdout == one.stdout)
    #expect(parallel.stdout.contains("pre-infusion visit"), "the later visits' CAR background comes from day -7")
  }
}
