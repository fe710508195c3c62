import CytoCore
import CytoFCS
import CytoGating
import CytoTestSupport
import Foundation
import Testing

/// `simulate`, `analyze` and `panel` end to end through the binary.
@Suite("cytoreset simulate/analyze/panel")
struct AnalyzeCommandTests {
  func tempDir() throws -> URL {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("cytoreset-analyze-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
    return d
  }

  @Test func simulateThenAnalyzeRecoversTheTruthInJSON() throws {
    let dir = try tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let fcs = dir.appendingPathComponent("s.fcs").path
    let sim = try CLIRunner.run(["simulate", "-o", fcs, "--events", "30000", "--seed", "5", "--cd19", "120", "--car-percent", "4"])
    #expect(sim.status == 0, "\(sim.stderr)")
    let truth = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("s.truth.json"))) as? [String: Any])
    #expect(truth["schema"] as? String == "cytoreset.simulation-truth/1")
    let pops = try #require(truth["populations"] as? [String: [String: Any]])

    let r = try CLIRunner.run(["analyze", fcs, "--beads-per-test", "50000", "--blood-ul", "50", "--format", "json", "--stats", "median"])
    #expect(r.status == 0, "\(r.stderr)")
    let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    #expect(obj["schema"] as? String == "cytoreset.analyze/2")
    let a = try #require((obj["analyses"] as? [[String: Any]])?.first)
    #expect(a["schema"] as? String == "cytoreset.analysis/2")
    let populations = try #require(a["populations"] as? [[String: Any]])
    for p in populations {
      let id = try #require(p["id"] as? String)
      let expected = try #require(pops[id]?["events"] as? Int)
      #expect(abs((p["count"] as? Int ?? -1) - expected) <= max(3, expected / 50), "\(id)")
      let absolute = try #require(p["absolute"] as? [String: Any])
      #expect(absolute["method"] != nil)
      #expect((p["statistics"] as? [String: Any])?["CD19"] != nil)
    }
    let calls = try #require(a["calls"] as? [String: Any])
    #expect((calls["bCellAplasia"] as? [String: Any])?["result"] as? String == "no")
    #expect((calls["carTDetectable"] as? [String: Any])?["result"] as? String == "yes")
    #expect((a["cuts"] as? [[String: Any]])?.contains { $0["name"] as? String == "CD19" && $0["method"] as? String == "valley" } == true)
  }

  @Test func timelineAnalysisSummarisesThePatient() throws {
    let dir = try tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("P07").path
    let sim = try CLIRunner.run(["simulate", "--timeline", "--patient", "P07", "--seed", "7", "--events", "20000", "-o", out])
    #expect(sim.status == 0, "\(sim.stderr)")
    let manifest = try String(contentsOfFile: out + "/P07.visits.csv", encoding: .utf8).split(separator: "\n").dropFirst()
    #expect(manifest.count == 9)
    let rows = manifest.map { $0.split(separator: ",").map(String.init) }
    var args = ["analyze"] + rows.map { out + "/" + $0[0] } + ["--patient", "P07"]
    for row in rows { args += ["--day", row[2]] }
    args += ["--beads-per-test", "50000", "--blood-ul", "50"]
    let table = try CLIRunner.run(args)
    #expect(table.status == 0, "\(table.stderr)")
    #expect(table.stdout.contains("Patient P07, infusion 1 (9 visits"))
    #expect(table.stdout.contains("B-cell aplasia from day 7"))
    #expect(table.stdout.contains("CAR T cells/µL: Cmax"))
    let json = try CLIRunner.run(args + ["--format", "json"])
    let obj = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    let patient = try #require((obj["patients"] as? [[String: Any]])?.first)
    let b = try #require(patient["bCells"] as? [String: Any])
    #expect(b["aplasiaOnsetDay"] as? Double == 7)
    let recon = try #require(b["reconstitutionDay"] as? Double)
    #expect([90.0, 120, 180].contains(recon))
    let car = try #require(patient["carPerMicroliter"] as? [String: Any])
    #expect([7.0, 14].contains(try #require(car["tmax"] as? Double)))
    let tsv = try CLIRunner.run(args + ["--format", "tsv"])
    let lines = tsv.stdout.split(separator: "\n")
    #expect(lines.count == 10)
    let header = lines[0].split(separator: "\t")
    #expect(header.contains("BCells_per_ul") && header.contains("aplasia") && header.contains("cut_CD19_method"))
  }

  @Test func usageErrorsExitWith2() throws {
    #expect(try CLIRunner.run(["analyze", "x.fcs", "--beads-per-test", "5000"]).status == 2)
    #expect(try CLIRunner.run(["analyze", "x.fcs", "--beads-per-test", "5000", "--blood-ul", "50", "--alc", "1000"]).status == 2)
    #expect(try CLIRunner.run(["analyze", "a.fcs", "b.fcs", "--patient", "P", "--day", "1"]).status == 2)
    #expect(try CLIRunner.run(["analyze", "a.fcs", "--cut", "CD19"]).status == 2)
    #expect(try CLIRunner.run(["simulate", "--timeline", "-o", "x"]).status == 2)
    let missing = try CLIRunner.run(["analyze", "/nonexistent/visit.fcs"])
    #expect(missing.status == 1 && missing.stderr.contains("/nonexistent/visit.fcs"))
  }

  @Test func panelExportsJSONAndGatingMLThatGateLikeAnalyze() throws {
    let dir = try tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let json = dir.appendingPathComponent("lab.panel.json").path
    #expect(try CLIRunner.run(["panel", "export", "reset", "-o", json]).status == 0)
    let show = try CLIRunner.run(["panel", "show", json])
    #expect(show.status == 0 && show.stdout.contains("CD19") && show.stdout.contains("valley"))
    let fcs = dir.appendingPathComponent("s.fcs").path
    #expect(try CLIRunner.run(["simulate", "-o", fcs, "--events", "20000", "--seed", "9"]).status == 0)
    let xml = dir.appendingPathComponent("s.xml").path
    let export = try CLIRunner.run(["panel", "export", json, "--format", "gatingml", "--file", fcs, "-o", xml])
    #expect(export.status == 0, "\(export.stderr)")
    // gate with the exported Gating-ML gives the counts analyze reports.
    let gate = try CLIRunner.run(["gate", fcs, "--gating", xml, "--format", "tsv"])
    #expect(gate.status == 0, "\(gate.stderr)")
    let counts = Dictionary(uniqueKeysWithValues: gate.stdout.split(separator: "\n").dropFirst().map { line -> (String, Int) in
      let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      return (f[1], Int(f[3]) ?? -1)
    })
    let analyze = try CLIRunner.run(["analyze", json.replacingOccurrences(of: "lab.panel.json", with: "s.fcs"), "--panel", json, "--format", "json"])
    let obj = try #require(try JSONSerialization.jsonObject(with: Data(analyze.stdout.utf8)) as? [String: Any])
    let pops = try #require(((obj["analyses"] as? [[String: Any]])?.first)?["populations"] as? [[String: Any]])
    for p in pops { #expect(counts[p["id"] as! String] == p["count"] as? Int, "\(p["id"]!)") }
  }
}
