import CytoStore
import CytoTestSupport
import Foundation
import Testing


/// `ingest --analyses`: the store's rules (no-op, new version, another file refused) and every
/// record it refuses, each named on one line while the rest of the merge is stored; usage
/// errors of `analyze -o` and of the merge.
@Suite(.serialized) struct AnalysisRecordRefusalTests {
  static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    try ChildProcess.cytoreset(arguments, binary: CLIRunner.binary.path)
  }

  static func bytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }
  static func write(_ bytes: [UInt8], _ path: String) throws { try Data(bytes).write(to: URL(fileURLWithPath: path)) }

  @Test func refusalsAmongGoodRecords() throws {
    let dir = try CLIRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
    for (p, seed) in [("P09", 51), ("P10", 52)] {
      let r = try Self.run(["simulate", "--timeline", "--patient", p, "--seed", String(seed), "--days=-7,14,28", "--events", "3000", "-o", path(p)])
      #expect(r.status == 0, "\(r.stderr)")
    }
    let d7 = path("P09/P09_day-007.fcs"), d14 = path("P09/P09_day+014.fcs"), d28 = path("P09/P09_day+028.fcs")
    let counts = ["--beads-per-test", "50000", "--blood-ul", "50"]
    let store = path("s.h5")
    let first = try Self.run(["ingest", d7, d14, "--store", store, "--patient", "P09", "--day=-7", "--day=14"] + counts)
    #expect(first.status == 0, "\(first.stderr)")
    func record(_ name: String, _ file: String, day: Int, _ extra: [String] = []) throws -> String {
      let out = path(name)
      let r = try Self.run(["analyze", file, "--patient", "P09", "--day=\(day)", "--format", "json", "-o", out] + counts + extra)
      #expect(r.status == 0, "\(r.stderr)")
      return out
    }
    let same = try record("same.json", d14, day: 14)
    let recut = try record("recut.json", d14, day: 14, ["--cut", "CD19=0.5"])
    let newVisit = try record("d28.json", d28, day: 28)
    let otherFile = try record("other-file.json", path("P10/P10_day+014.fcs"), day: 14)
    // Another file for the stored baseline: refused, and not the CAR background of day 28.
    let otherBaseline = try record("other-baseline.json", path("P10/P10_day-007.fcs"), day: -7)
    let baseline = try record("baseline.json", d7, day: -7)
    // The same file name with another SHA-256, digest made again (a forger): the store's file differs.
    let forged = path("forged-sha.json")
    try Self.write(try resealed(try Self.bytes(same), setting: ["fcs", "sha256"], to: .string(String(repeating: "ab", count: 32))), forged)
    let edited = path("edited-count.json")
    let text = String(decoding: try Self.bytes(same), as: UTF8.self)
    let count = try #require(text.range(of: #""count" : \d+"#, options: .regularExpression))
    try text.replacingCharacters(in: count, with: "\"count\" : 424242").write(toFile: edited, atomically: true, encoding: .utf8)
    let truncated = path("truncated.json")
    try Self.write(Array(try Self.bytes(same).prefix(20_000)), truncated)
    let envelope = path("envelope.json")
    let analyzed = try Self.run(["analyze", d14, "--format", "json"])
    try analyzed.stdout.write(toFile: envelope, atomically: true, encoding: .utf8)
    let major = path("major2.json")
    try Self.write(try resealed(try Self.bytes(same), setting: ["schema"], to: .string("cytoreset.analysis-record/2")), major)
    let version = path("version9.json")
    try Self.write(try resealed(try Self.bytes(same), setting: ["software", "version"], to: .string("9.0.0")), version)
    let missing = path("missing.json")

    let before = try Data(contentsOf: URL(fileURLWithPath: store))
    // Alone, the same file and gating again is a no-op that does not touch the store.
    let noop = try Self.run(["ingest", "--analyses", same, "--store", store])
    #expect(noop.status == 0 && noop.stdout.contains("0 visits stored, 1 already present, 0 failed"), "\(noop.stdout)\(noop.stderr)")
    #expect(noop.stderr.contains("already stored (same file and gating, analysis 1)"))
    #expect(try Data(contentsOf: URL(fileURLWithPath: store)) == before)

    let all = [same, recut, newVisit, otherFile, otherBaseline, forged, edited, truncated, envelope, major, version, missing]
    let r = try Self.run(["ingest", "--analyses"] + all + ["--store", store])
    #expect(r.status == 1)
    #expect(r.stdout.hasSuffix("2 visits stored, 1 already present, 9 failed\n"), "\(r.stdout)")
    // Day 28's background is the stored baseline's CAR+ % of CD3 (its value, or upper 95% bound).
    func background(_ record: String) throws -> Double? {
      let obj = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: record))) as? [String: Any]
      let q = ((obj?["analysis"] as? [String: Any])?["calls"] as? [String: Any])?["carPercentOfT"] as? [String: Any]
      return (q?["value"] as? Double) ?? (q?["upper95"] as? Double)
    }
    let stored = try #require(try background(baseline)), refused = try #require(try background(otherBaseline))
    #expect(stored != refused, "the two baselines must differ for this check to mean something")
    if FileManager.default.isExecutableFile(atPath: "/usr/bin/h5dump") {
      let a = try ChildProcess.cytoreset(["-m", "%.17g", "-a", "/patients/P09/visits/day+028/analyses/1/car_background_pct_cd3", store], binary: "/usr/bin/h5dump")
      let value = a.stdout.split(separator: "\n").first { $0.contains("(0):") }.flatMap { Double($0.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)) }
      #expect(value == stored, "\(a.stdout)")
    }
    let lines = r.stderr.split(separator: "\n").map(String.init)
    func line(_ file: String, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
      #expect(lines.filter { $0.hasPrefix("cytoreset: \(file): ") && $0.contains(fragment) }.count == 1,
              "\(file): no line with \(fragment) in\n\(r.stderr)", sourceLocation: sourceLocation)
    }
    line(otherFile, "refused: the visit already holds P09_day+014.fcs")
    line(otherBaseline, "refused: the visit already holds P09_day-007.fcs")
    line(forged, "refused: the visit already holds P09_day+014.fcs")
    line(edited, "[record.digestMismatch]")
    line(truncated, "not a complete JSON document: unexpected end of the file")
    line(truncated, "[record.malformedJSON]")
    line(envelope, "schema is 'cytoreset.analyze/2'")
    line(major, "[record.unsupportedSchema]")
    line(version, "analysed by cytoreset 9.0.0, which this cytoreset 0.1.0 does not merge")
    line(missing, "cannot read the analysis record: No such file or directory [record.unreadable]")
    #expect(lines.contains { $0.hasPrefix("\(recut): P09/day+014: stored as analysis 2") }, "\(r.stderr)")
    #expect(lines.contains { $0.hasPrefix("\(newVisit): P09/day+028: stored as analysis 1") }, "\(r.stderr)")
    #expect(lines.contains { $0.hasPrefix("\(same): P09/day+014: already stored") }, "\(r.stderr)")
    let versions = try Self.run(["series", "--store", store, "--patient", "P09", "--metric", "cd19_per_ul"])
    #expect(versions.stdout.split(separator: "\n").count == 4, "\(versions.stdout)")
    #expect(versions.stdout.contains("\tday+014\t2\t"), "the new gating is the current version: \(versions.stdout)")
  }

  @Test(arguments: [
    (["ingest", "--analyses", "a.json", "--store", "s.h5", "--panel", "auto"], "--panel"),
    (["ingest", "--analyses", "a.json", "--store", "s.h5", "--note", "x", "--diagnosis", "SLE"], "--note, --diagnosis"),
    (["ingest", "x.fcs", "--analyses", "a.json", "--store", "s.h5"], "FILE arguments"),
    (["ingest", "--analyses", "a.json", "--store", "s.h5", "--keep-events"], "--keep-events"),
    (["analyze", "x.fcs", "--format", "json", "-o", "x.json"], "give --patient and one --day"),
    (["analyze", "x.fcs", "y.fcs", "--patient", "P", "--day=1", "--day=2", "--format", "json", "-o", "x.json"], "give a folder"),
    (["analyze", "x.fcs", "--patient", "P", "--day=1", "-o", "x.json"], "(--format json)"),
    (["analyze", "x.fcs", "--note", "hello"], "go(es) into analysis records"),
    (["analyze", "d/x.fcs", "e/x.fcs", "--patient", "P", "--day=1", "--day=2", "--format", "json", "-o", "out/"], "would both write out/x.analysis.json"),
  ])
  func usageErrors(_ c: (arguments: [String], message: String)) throws {
    let r = try Self.run(c.arguments)
    #expect(r.status == 2, "\(c.arguments): \(r.stderr)")
    #expect(r.stderr.contains(c.message), "\(c.arguments): \(r.stderr)")
  }
}
