import CytoTestSupport
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `cytoreset ingest`, `series`, `patients`, `export-store` end to end, and the never-lose-data
/// guarantees with real processes (kill -9, concurrent writers). The store is read through
/// `cytoreset` too, never in this process: the HDF5 hygiene test counts every HDF5 object open in
/// the test process.
@Suite(.serialized) struct StoreCLITests {
  /// The days of `patient`'s stored visits (from `series --metric cd19_pct_lymphocytes`), or nil with the
  /// error text when the store cannot be read.
  static func storedDays(_ store: String, _ patient: String) throws -> (days: [Double]?, error: String) {
    let r = try run(["series", "--store", store, "--patient", patient, "--metric", "cd19_pct_lymphocytes"])
    guard r.status == 0 else { return (nil, r.stderr) }
    let days = r.stdout.split(separator: "\n").dropFirst().compactMap { line -> Double? in
      let cells = line.split(separator: "\t", omittingEmptySubsequences: false)
      return cells.count > 3 ? Double(cells[3]) : nil
    }
    return (days, "")
  }

  /// Runs `cytoreset` without leaking this process's descriptors into it (see ``ChildProcess``).
  static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    try ChildProcess.cytoreset(arguments, binary: CLIRunner.binary.path)
  }

  /// Simulated timeline files of `patient` (5,000 events each) and the manifest.
  static func timeline(_ patient: String, seed: Int, days: String, in dir: URL) throws -> String {
    let r = try Self.run(["simulate", "--timeline", "--patient", patient, "--seed", String(seed), "--days=\(days)",
                               "--events", "5000", "-o", dir.appendingPathComponent(patient).path])
    #expect(r.status == 0, "\(r.stderr)")
    return dir.appendingPathComponent("\(patient)/\(patient).visits.csv").path
  }

  static func json(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
  }

  /// 3 patients through the manifest: the stored series equal `cytoreset analyze` of the same
  /// files, the kinetics equal analyze's patient summary; a second ingest is a no-op with a
  /// message; patients/export-store list what was stored.
  @Test func timelineThroughTheCLI() throws {
    let dir = try CLIRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let store = dir.appendingPathComponent("cohort.h5").path
    let days = "-7,7,14,28,120,180"
    for (p, seed) in [("P01", 11), ("P02", 12), ("P03", 13)] {
      let manifest = try Self.timeline(p, seed: seed, days: days, in: dir)
      let r = try Self.run(["ingest", "--manifest", manifest, "--store", store, "--diagnosis", "SLE"])
      #expect(r.status == 0, "\(r.stderr)")
      #expect(r.stdout.contains("6 visits stored, 0 already present, 0 failed"), "\(r.stdout)")
      #expect(!r.stderr.contains("\r"), "progress must be plain lines when stderr is not a terminal")

      let files = days.split(separator: ",").map { d -> String in
        let n = Int(d)!
        return dir.appendingPathComponent("\(p)/\(p)_day\(n < 0 ? "-" : "+")\(String(format: "%03d", abs(n))).fcs").path
      }
      var args = ["analyze"] + files + ["--patient", p, "--beads-per-test", "50000", "--blood-ul", "50", "--format", "json"]
      for d in days.split(separator: ",") { args += ["--day=\(d)"] }
      let analyzed = try Self.run(args)
      #expect(analyzed.status == 0, "\(analyzed.stderr)")
      let a = try Self.json(analyzed.stdout)
      let series = try Self.run(["series", "--store", store, "--patient", p, "--format", "json"])
      #expect(series.status == 0, "\(series.stderr)")
      let s = try Self.json(series.stdout)
      let analyses = try #require(a["analyses"] as? [[String: Any]])
      let metrics = try #require(s["series"] as? [[String: Any]])
      func points(_ m: String) throws -> [[String: Any]] {
        try #require(metrics.first { $0["metric"] as? String == m }?["points"] as? [[String: Any]])
      }
      for (metric, population) in [("cd19_per_ul", "BCells"), ("car_per_ul", "CART"), ("cd3_per_ul", "TCells")] {
        let stored = try points(metric)
        #expect(stored.count == analyses.count)
        for (pt, an) in zip(stored, analyses) {
          let pops = try #require(an["populations"] as? [[String: Any]])
          let q = try #require((pops.first { $0["id"] as? String == population }?["absolute"] as? [String: Any])?["perMicroliter"] as? [String: Any])
          #expect(pt["value"] as? Double == q["value"] as? Double, "\(p) \(metric) day \(pt["day"] ?? "?")")
          #expect(pt["lessThan"] as? Double == q["lessThan"] as? Double)
          #expect(pt["events"] as? Int == q["events"] as? Int)
        }
      }
      let summary = try #require((a["patients"] as? [[String: Any]])?.first)
      let kinetics = try #require((s["kinetics"] as? [[String: Any]])?.first)
      for key in ["bCells", "carPercentOfT", "carPerMicroliter"] {
        let x = try JSONSerialization.data(withJSONObject: summary[key] ?? NSNull(), options: [.sortedKeys, .fragmentsAllowed])
        let y = try JSONSerialization.data(withJSONObject: kinetics[key] ?? NSNull(), options: [.sortedKeys, .fragmentsAllowed])
        #expect(x == y, "\(p) \(key): analyze \(String(decoding: x, as: UTF8.self)) vs store \(String(decoding: y, as: UTF8.self))")
      }
      let again = try Self.run(["ingest", "--manifest", manifest, "--store", store])
      #expect(again.status == 0)
      #expect(again.stdout.contains("0 visits stored, 6 already present"), "\(again.stdout)")
      #expect(again.stderr.contains("already stored (same file and gating"), "\(again.stderr)")
    }
    let patients = try Self.run(["patients", "--store", store])
    let lines = patients.stdout.split(separator: "\n")
    #expect(lines.count == 4)
    #expect(lines[1].hasPrefix("P01\tSLE\t\t\t\t\t6\t-7\t180\t6\t0"), "\(lines[1])")
    let export = try Self.run(["export-store", "--store", store, "--format", "csv"])
    #expect(export.status == 0)
    let rows = export.stdout.split(separator: "\n")
    #expect(rows[0] == "patient,infusion,day,visit,analysis,metric,unit,value,less_than,below_lloq,lower95,upper95,events,method,"
      + "record,greater_than,source,version,date,loinc,end_day,grade,dose,dose_unit,detail")
    let p01 = try Self.run(["series", "--store", store, "--patient", "P01"]).stdout.split(separator: "\n").dropFirst()
    let perMetric = Set(p01.map { $0.split(separator: "\t").first ?? "" }).count
    #expect(rows.count == 1 + 3 * 6 * perMetric)
    // Below the LLOQ: an empty value, the bound, below_lloq=true — never 0.
    let aplastic = rows.filter { $0.hasPrefix("P01,1,14,day+014,1,cd19_per_ul,") }
    #expect(aplastic.count == 1)
    let cells = aplastic.first.map { $0.split(separator: ",", omittingEmptySubsequences: false) } ?? []
    #expect(cells.count == 25 && cells[7].isEmpty && !cells[8].isEmpty && cells[9] == "true" && cells[14] == "flow", "\(aplastic)")
  }

  /// An ingest killed with SIGKILL at 100 random moments: the store opens every time and has every
  /// visit committed before; a visit is either wholly there or absent.
  @Test func killedIngestsNeverLoseData() throws {
    let dir = try CLIRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let store = dir.appendingPathComponent("kill.h5").path
    let sim = try Self.run(["simulate", "-o", dir.appendingPathComponent("v.fcs").path, "--events", "5000", "--seed", "5"])
    #expect(sim.status == 0, "\(sim.stderr)")
    let fcs = dir.appendingPathComponent("v.fcs").path
    func ingestArguments(day: Int) -> [String] {
      ["ingest", fcs, "--store", store, "--patient", "K", "--day=\(day)", "--beads-per-test", "50000", "--blood-ul", "50"]
    }
    // Warm up and time one ingest.
    var durations: [Double] = []
    for day in [-7, 1, 2] {
      let t0 = Date()
      let r = try Self.run(ingestArguments(day: day))
      durations.append(Date().timeIntervalSince(t0))
      #expect(r.status == 0, "\(r.stderr)")
    }
    let typical = durations.sorted()[1]
    var known: Set<Double> = [-7, 1, 2]
    var killedBefore = 0, completed = 0, midCommit = 0
    for i in 0..<100 {
      let day = 10 + i
      let p = try ChildProcess(CLIRunner.binary.path, ingestArguments(day: day))
      usleep(UInt32(Double.random(in: 0...(1.6 * typical)) * 1_000_000))
      p.kill(SIGKILL)
      p.wait()
      // A temporary copy exists only between the copy and the rename: the kill hit the commit.
      let mine = "-\(p.pid)-"
      if try FileManager.default.contentsOfDirectory(atPath: dir.path).contains(where: { $0.hasSuffix(".tmp") && $0.contains(mine) }) {
        midCommit += 1
      }
      // The store opens and reads completely (series are rebuilt from every visit's analysis).
      let (read, error) = try Self.storedDays(store, "K")
      let days = Set(try #require(read, "iteration \(i): the store does not read: \(error)"))
      #expect(known.isSubset(of: days), "iteration \(i): lost \(known.subtracting(days))")
      #expect(days.subtracting(known).isSubset(of: [Double(day)]))
      if days.contains(Double(day)) {
        completed += 1
        known.insert(Double(day))
        // Wholly there: its stored analysis reads back.
        let v = try Self.run(["patients", "--store", store])
        #expect(v.status == 0 && v.stdout.contains("K\t\t\t\t\t\t\(known.count)\t"), "\(v.stdout)")
      } else {
        killedBefore += 1
      }
    }
    // Both outcomes happened, so kills landed before and after the commit point.
    #expect(killedBefore > 5 && completed > 5, "killed before commit \(killedBefore), completed \(completed)")
    #expect(midCommit > 0, "no kill landed between the copy and the rename")
    print("kill test: \(killedBefore) killed before the rename (\(midCommit) of them mid-commit), \(completed) completed")
    // The next ingest cleans up the temporary copies the killed ones left.
    let r = try Self.run(ingestArguments(day: 500))
    #expect(r.status == 0, "\(r.stderr)")
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".tmp") }
    #expect(leftovers.isEmpty, "\(leftovers)")
    #expect(try Self.storedDays(store, "K").days?.count == known.count + 1)
  }

  /// Two ingest processes into one store at once: both visits are present afterwards.
  @Test func concurrentIngestProcesses() throws {
    let dir = try CLIRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let store = dir.appendingPathComponent("c.h5").path
    let fcs = dir.appendingPathComponent("v.fcs").path
    #expect(try Self.run(["simulate", "-o", fcs, "--events", "5000", "--seed", "6"]).status == 0)
    for round in 0..<4 {
      let processes = try (0..<2).map { k in
        try ChildProcess(CLIRunner.binary.path, ["ingest", fcs, "--store", store, "--patient", "C\(k)", "--day", String(round)])
      }
      for p in processes { #expect(p.wait() == 0) }
    }
    let patients = try Self.run(["patients", "--store", store]).stdout.split(separator: "\n").dropFirst()
    #expect(patients.map { $0.split(separator: "\t").first ?? "" } == ["C0", "C1"])
    #expect(try Self.storedDays(store, "C0").days == [0, 1, 2, 3])
    #expect(try Self.storedDays(store, "C1").days == [0, 1, 2, 3])
  }

  /// Unreadable stores: a clear error naming the file, exit 1, and an ingest leaves them alone.
  @Test func damagedStoresAreRefused() throws {
    let dir = try CLIRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let bad = dir.appendingPathComponent("bad.h5").path
    try Data("not an HDF5 file at all".utf8).write(to: URL(fileURLWithPath: bad))
    let fcs = dir.appendingPathComponent("v.fcs").path
    #expect(try Self.run(["simulate", "-o", fcs, "--events", "5000", "--seed", "7"]).status == 0)
    for args in [["series", "--store", bad, "--patient", "P"], ["patients", "--store", bad], ["export-store", "--store", bad],
                 ["ingest", fcs, "--store", bad, "--patient", "P", "--day", "1"]] {
      let r = try Self.run(args)
      #expect(r.status == 1, "\(args[0])")
      #expect(r.stderr.contains("\(bad): open file failed: not an HDF5 file"), "\(args[0]): \(r.stderr)")
    }
    #expect(try String(contentsOfFile: bad, encoding: .utf8) == "not an HDF5 file at all")
    let missing = try Self.run(["series", "--store", dir.appendingPathComponent("none.h5").path, "--patient", "P"])
    #expect(missing.status == 1 && missing.stderr.contains("file not found"))
  }
}
