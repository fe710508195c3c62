import CytoTestSupport
import Foundation
import Testing

/// `cytoreset workspace export` end to end: `analyze`'s counts come back through
/// `workspace apply --geometry exact`; a file that cannot be analysed is an error naming it.
@Suite("cytoreset workspace export")
struct WorkspaceExportCLITests {
  func json(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
  }

  @Test func exportedWorkspaceAppliesWithTheAnalysisCounts() throws {
    let dir = try CLIRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let fcs = dir.appendingPathComponent("visit.fcs").path, wsp = dir.appendingPathComponent("visit.wsp").path
    let sim = try CLIRunner.run(["simulate", "-o", fcs, "--events", "30000", "--seed", "5", "--car-percent", "4"])
    #expect(sim.status == 0, "\(sim.stderr)")
    let ex = try CLIRunner.run(["workspace", "export", fcs, "-o", wsp])
    #expect(ex.status == 0, "\(ex.stderr)")
    #expect(ex.stdout.contains("wrote \(wsp): 1 sample(s)"))

    let analyze = try json(try CLIRunner.run(["analyze", fcs, "--format", "json"]).stdout)
    let populations = try #require(((analyze["analyses"] as? [[String: Any]])?.first)?["populations"] as? [[String: Any]])
    let apply = try CLIRunner.run(["workspace", "apply", wsp, "--geometry", "exact", "--format", "json"])
    #expect(apply.status == 0, "\(apply.stderr)")
    let sample = try #require((try json(apply.stdout)["samples"] as? [[String: Any]])?.first)
    let counted = try #require(sample["populations"] as? [[String: Any]])
    var byPath: [String: Int] = [:]
    for p in counted {
      let path = try #require(p["path"] as? String)
      #expect(path == "/" + ((p["pathList"] as? [String]) ?? []).joined(separator: "/"))
      byPath[path] = p["count"] as? Int
      #expect(p["difference"] as? Int == 0, "\(path)")
    }
    #expect(!populations.isEmpty)
    for p in populations {
      let path = try #require(p["path"] as? String)
      #expect(byPath[path] == p["count"] as? Int, "\(path)")
    }
  }

  @Test func aFileThatCannotBeAnalysedIsNamedAndNothingIsWritten() throws {
    let dir = try CLIRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let good = dir.appendingPathComponent("good.fcs").path, bad = dir.appendingPathComponent("broken.fcs").path
    let wsp = dir.appendingPathComponent("out.wsp").path
    #expect(try CLIRunner.run(["simulate", "-o", good, "--events", "20000", "--seed", "3"]).status == 0)
    try Data("not an FCS file".utf8).write(to: URL(fileURLWithPath: bad))
    let r = try CLIRunner.run(["workspace", "export", good, bad, "-o", wsp])
    #expect(r.status == 1)
    #expect(r.stderr.contains(bad))
    #expect(r.stderr.contains("\(wsp) not written"))
    #expect(!FileManager.default.fileExists(atPath: wsp))
  }

  @Test func helpShowsExamples() throws {
    let r = try CLIRunner.run(["workspace", "export", "--help"])
    #expect(r.status == 0)
    #expect(r.stdout.contains("cytoreset workspace export d*.fcs --panel auto -o review.wsp"))
  }
}
