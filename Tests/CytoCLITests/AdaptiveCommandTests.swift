import CytoCore
import CytoTestSupport
import Foundation
import Testing

/// `--panel auto`, `--gate`, `--qc`, `panel list` and `panel show` end to end.
@Suite("cytoreset adaptive gating commands")
struct AdaptiveCommandTests {
  func tempDir() throws -> URL {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("cytoreset-adaptive-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
    return d
  }

  func analysis(_ stdout: String) throws -> [String: Any] {
    let obj = try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any])
    return try #require((obj["analyses"] as? [[String: Any]])?.first)
  }

  func count(_ a: [String: Any], _ id: String) -> Int? {
    (a["populations"] as? [[String: Any]])?.first { $0["id"] as? String == id }?["count"] as? Int
  }

  @Test func autoPicksThePanelPerFileAndSaysWhy() throws {
    let dir = try tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let b = dir.appendingPathComponent("b.fcs").path, r = dir.appendingPathComponent("r.fcs").path
    #expect(try CLIRunner.run(["simulate", "-o", b, "--instrument", "fortessa-bcell", "--events", "20000", "--seed", "3"]).status == 0)
    #expect(try CLIRunner.run(["simulate", "-o", r, "--events", "20000", "--seed", "4"]).status == 0)
    let run = try CLIRunner.run(["analyze", b, r, "--panel", "auto", "--format", "tsv"])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stderr.contains("--panel auto: panel 'bcell'") && run.stderr.contains("--panel auto: panel 'reset'"), "\(run.stderr)")
    #expect(run.stderr.contains("not found: ") && run.stderr.contains("CD4"))  // names what the B-cell tube lacks
    let lines = run.stdout.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    let header = try #require(lines.first)
    let panel = try #require(header.firstIndex(of: "panel"))
    #expect(lines[1][panel] == "bcell" && lines[2][panel] == "reset")
    // The union of both panels' populations: bcell's MemoryB and reset's CART.
    #expect(header.contains("MemoryB_count") && header.contains("CART_count"))
  }

  @Test func gateOverrideIsAppliedAndRecorded() throws {
    let dir = try tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let f = dir.appendingPathComponent("s.fcs").path
    #expect(try CLIRunner.run(["simulate", "-o", f, "--events", "20000", "--seed", "6"]).status == 0)
    let found = try analysis(try CLIRunner.run(["analyze", f, "--format", "json"]).stdout)
    // Lymphocytes is a polygon on CD45 (display) vs SSC-A (log display): a small square in the
    // lymphocytes' corner keeps part of them.
    let gates = try #require((found["gating"] as? [String: Any])?["gates"] as? [[String: Any]])
    let lymph = try #require(gates.first { $0["id"] as? String == "Lymphocytes" })
    #expect(lymph["status"] as? String == "found" && lymph["rule"] as? String == "cluster")
    let vertices = try #require(((lymph["shape"] as? [String: Any])?["polygon"] as? [String: Any])?["vertices"] as? [[Double]])
    let xs = vertices.map { $0[0] }, ys = vertices.map { $0[1] }
    let (x0, x1, y0) = (xs.min()!, xs.max()!, ys.min()!), ym = (ys.min()! + ys.max()!) / 2
    let square = "\(x0),\(y0) \(x1),\(y0) \(x1),\(ym) \(x0),\(ym)"
    let r = try CLIRunner.run(["analyze", f, "--format", "json", "--gate", "Lymphocytes=\(square)"])
    #expect(r.status == 0, "\(r.stderr)")
    let o = try analysis(r.stdout)
    let og = try #require(((o["gating"] as? [String: Any])?["gates"] as? [[String: Any]])?.first { $0["id"] as? String == "Lymphocytes" })
    #expect(og["status"] as? String == "override")
    let before = try #require(count(found, "Lymphocytes")), after = try #require(count(o, "Lymphocytes"))
    #expect(after > 0 && after < before, "\(after) of \(before)")
    // A one-dimensional gate takes MIN:MAX; a polygon does not.
    let t = try CLIRunner.run(["analyze", f, "--format", "json", "--gate", "TCells=0.7:"])
    #expect(t.status == 0, "\(t.stderr)")
    #expect(try #require(count(try analysis(t.stdout), "TCells")) < (count(found, "TCells") ?? 0))
    let bad = try CLIRunner.run(["analyze", f, "--gate", "Lymphocytes=0:1"])
    #expect(bad.status == 1 && bad.stderr.contains("polygon"), "\(bad.stderr)")
    let unknown = try CLIRunner.run(["analyze", f, "--gate", "Nowhere=0:1"])
    #expect(unknown.status == 1 && unknown.stderr.contains("Nowhere"), "\(unknown.stderr)")
    let malformed = try CLIRunner.run(["analyze", f, "--gate", "Lymphocytes=1,2 3"])
    #expect(malformed.status == 2 && malformed.stderr.contains("vertex"), "\(malformed.stderr)")
  }

  @Test func qcSheetsShowEveryGateWithItsEvidence() throws {
    let dir = try tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let f = dir.appendingPathComponent("q.fcs").path
    #expect(try CLIRunner.run(["simulate", "-o", f, "--events", "15000", "--seed", "7", "--instrument", "reset-fsc-width"]).status == 0)
    let qc = dir.appendingPathComponent("qc").path
    let r = try CLIRunner.run(["analyze", f, "--qc", qc])
    #expect(r.status == 0, "\(r.stderr)")
    let svg = try String(contentsOfFile: qc + "/q.fcs.qc.svg", encoding: .utf8)
    #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
    for text in ["Singlets [found, singlets]", "FSC-W", "Lymphocytes [found, cluster]", "cut CD19 = ", "logicle W "] {
      #expect(svg.contains(text), "\(text)")
    }
    #expect(svg.components(separatedBy: "data:image/png;base64,").count > 6, "a plot per gate")
  }

  @Test func panelListAndShow() throws {
    let list = try CLIRunner.run(["panel", "list"])
    #expect(list.status == 0)
    let names = list.stdout.split(separator: "\n").dropFirst().map { String($0.split(separator: "\t")[0]) }
    #expect(names == ["reset", "bcell", "tbnk", "cart", "massbcell"])
    let show = try CLIRunner.run(["panel", "show", "tbnk"])
    #expect(show.status == 0 && show.stdout.contains("NKCells") && show.stdout.contains("Sources:") && show.stdout.contains("TBNK"))
    let dir = try tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let f = dir.appendingPathComponent("t.fcs").path
    #expect(try CLIRunner.run(["simulate", "-o", f, "--events", "5000", "--seed", "8", "--instrument", "canto-tbnk"]).status == 0)
    let ranked = try CLIRunner.run(["panel", "list", "--file", f])
    #expect(ranked.status == 0 && ranked.stderr.contains("auto: panel 'tbnk'"), "\(ranked.stderr)")
    // A panel file with a misspelt key is a usage error naming the key.
    let bad = dir.appendingPathComponent("bad.json").path
    let json = try CLIRunner.run(["panel", "export", "reset"]).stdout.replacingOccurrences(of: "\"whenMissing\" : \"skip\"", with: "\"whenMising\" : \"skip\"")
    try Data(json.utf8).write(to: URL(fileURLWithPath: bad))
    let e = try CLIRunner.run(["analyze", f, "--panel", bad])
    #expect(e.status == 2 && e.stderr.contains("unknown key") && e.stderr.contains("whenMising"), "\(e.stderr)")
  }
}
