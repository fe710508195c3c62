import CytoCore
import CytoFCS
import CytoTestSupport
import Foundation
import Testing

@Suite("cytoreset command line")
struct CLITests {
  let demo = TestData.project("fcs/generated/demo-sample.fcs").path

  @Test func binaryExists() {
    #expect(FileManager.default.isExecutableFile(atPath: CLIRunner.binary.path), "missing \(CLIRunner.binary.path)")
  }

  @Test func infoJSONHasTheDocumentedFields() throws {
    let r = try CLIRunner.run(["info", demo, "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    #expect(obj["schema"] as? String == "cytoreset.info/1")
    let f = try #require((obj["files"] as? [[String: Any]])?.first)
    #expect(f["fcsVersion"] as? String == "FCS3.1")
    #expect(f["error"] is NSNull)
    let ds = try #require((f["dataSets"] as? [[String: Any]])?.first)
    #expect(ds["eventCount"] as? Int == 2000)
    #expect(ds["dataType"] as? String == "F")
    #expect(ds["byteOrder"] as? String == "1,2,3,4")
    let params = try #require(ds["parameters"] as? [[String: Any]])
    #expect(params.map { $0["name"] as? String } == ["Time", "FSC-A", "SSC-A", "FITC-A", "PE-A", "APC-A", "BV421-A", "PE-Cy7-A"])
    #expect(params[4]["label"] as? String == "CD19 PE")
    #expect(params[0]["label"] is NSNull)
    #expect(params[0]["isTime"] as? Bool == true)
    let spill = try #require(ds["spillover"] as? [String: Any])
    #expect(spill["channels"] as? [String] == ["FITC-A", "PE-A", "APC-A"])
    #expect(ds["diagnostics"] is [Any])
    #expect(f["diagnostics"] is [Any])
    #expect((ds["acquisition"] as? [String: Any])?["date"] as? String == "2026-11-21")
  }

  @Test func infoTextNamesChannelsAndSpillover() throws {
    let r = try CLIRunner.run(["info", demo, "--keywords"])
    #expect(r.status == 0)
    #expect(r.stdout.contains("2,000 events × 8 parameters, float32 little-endian"))
    #expect(r.stdout.contains("CD19 PE"))
    #expect(r.stdout.contains("spillover ($SPILLOVER): 3 channels: FITC-A, PE-A, APC-A"))
    #expect(r.stdout.contains("$CYT = CytoReset demo writer"))
  }

  @Test func badInputExitsOneAndOthersStillProcessed() throws {
    let dir = try CLIRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let bad = dir.appendingPathComponent("bad.fcs").path
    try Data("FCS3.1    garbage".utf8).write(to: URL(fileURLWithPath: bad))
    let r = try CLIRunner.run(["info", bad, demo, "--json"])
    #expect(r.status == 1)
    #expect(r.stderr.contains(bad))
    #expect(r.stderr.contains("HEADER"))
    #expect(r.stdout.contains("\"eventCount\": 2000"))
    #expect(r.stdout.contains("\"kind\": \"truncated\""))
    let missing = try CLIRunner.run(["info", dir.appendingPathComponent("nope.fcs").path])
    #expect(missing.status == 1)
    #expect(missing.stderr.contains("nope.fcs"))
  }

  @Test func usageErrorsExitTwo() throws {
    #expect(try CLIRunner.run(["export"]).status == 2)
    #expect(try CLIRunner.run(["export", demo, "--values", "bogus"]).status == 2)
    #expect(try CLIRunner.run(["export", demo, "--format", "fcs"]).status == 2)
    #expect(try CLIRunner.run(["no-such-command"]).status == 2)
    #expect(try CLIRunner.run(["anonymize", demo, "-o", demo]).status == 2)
  }

  @Test(arguments: ["info", "export", "gate", "anonymize", "serve"])
  func helpHasExamples(_ command: String) throws {
    let r = try CLIRunner.run([command, "--help"])
    #expect(r.status == 0)
    #expect(r.stdout.contains("EXAMPLES"))
    #expect(r.stdout.contains("cytoreset \(command)"))
  }

  @Test func exportCSVMatchesTheReader() throws {
    let r = try CLIRunner.run(["export", demo, "--values", "scaled"])
    #expect(r.status == 0)
    let lines = r.stdout.split(separator: "\n")
    #expect(lines.count == 2001)
    #expect(lines[0] == "Time,FSC-A,SSC-A,FITC-A,PE-A,APC-A,BV421-A,PE-Cy7-A")
    let m = try FCSFile(contentsOf: demo).dataSets[0].events(.scaled, as: Double.self)
    let row = lines[10].split(separator: ",").map { Double($0)! }
    #expect(row == m.row(9))
  }

  @Test func exportChannelSubsetToFCSAndTSV() throws {
    let dir = try CLIRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("sub.fcs").path
    let r = try CLIRunner.run(["export", demo, "--channels", "CD19 PE,2", "--format", "fcs", "-o", out])
    #expect(r.status == 0, "\(r.stderr)")
    let ds = try FCSFile(contentsOf: out).dataSets[0]
    #expect(ds.parameters.map(\.name) == ["PE-A", "FSC-A"])
    let tsv = dir.appendingPathComponent("x.tsv").path
    #expect(try CLIRunner.run(["export", out, "--format", "tsv", "-o", tsv]).status == 0)
    #expect(try String(contentsOfFile: tsv, encoding: .utf8).hasPrefix("PE-A\tFSC-A\n"))
    let bad = try CLIRunner.run(["export", demo, "--channels", "CD99"])
    #expect(bad.status == 1)
    #expect(bad.stderr.contains("no channel 'CD99'"))
  }

  @Test func anonymizeReportsChangesNotValues() throws {
    let dir = try CLIRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("anon.fcs").path
    let r = try CLIRunner.run(["anonymize", demo, "-o", out, "--json", "--set", "$SMNO=P-7", "--keyword", "$CYT"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("\"keyword\": \"$SRC\""))
    #expect(r.stdout.contains("\"keyword\": \"$CYT\""))
    #expect(!r.stdout.contains("Jane"))
    let a = try FCSFile(contentsOf: out).dataSets[0]
    #expect(a.keywords["$SRC"] == nil && a.keywords["$CYT"] == nil)
    #expect(a.keywords["$SMNO"] == "P-7")
    #expect(a.keywords["$DATE"] == "21-NOV-2026")
    let o = try FCSFile(contentsOf: demo).dataSets[0]
    #expect(try a.events(.raw, as: Float.self) == o.events(.raw, as: Float.self))
  }

  // MARK: gate

  static var gml: (fcs: String, xml: String)? {
    guard let f = TestData.shared("gatingml2/FCSFiles/9399_1_3_NKR.fcs"), let x = TestData.shared("gatingml2/Gating-MLFiles/gates5.xml") else { return nil }
    return (f.path, x.path)
  }

  @Test(.enabled(if: TestData.sharedAvailable))
  func gateCountsMatchTheSuite() throws {
    let (fcs, xml) = try #require(Self.gml)
    let r = try CLIRunner.run(["gate", fcs, "--gating", xml, "--format", "tsv", "--stats", "median,p95", "--channels", "PE-A"])
    #expect(r.status == 0, "\(r.stderr)")
    let lines = r.stdout.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    #expect(lines[0] == ["file", "population", "path", "count", "parent", "pct_parent", "pct_total", "PE-A:median", "PE-A:p95"])
    // Truth: Results_myAnd1.txt has 67,777 events in the gate.
    let and1 = try #require(lines.first { $0[1] == "myAnd1" })
    #expect(and1[3] == "67777")
    #expect(and1[4] == "124600")
  }

  @Test(.enabled(if: TestData.sharedAvailable))
  func gateJSONAndMembership() throws {
    let (fcs, xml) = try #require(Self.gml)
    let dir = try CLIRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let members = dir.appendingPathComponent("m.csv").path
    let r = try CLIRunner.run(["gate", fcs, "--gating", xml, "--format", "json", "--membership", members])
    #expect(r.status == 0, "\(r.stderr)")
    let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    #expect(obj["schema"] as? String == "cytoreset.gate/1")
    let csv = try String(contentsOfFile: members, encoding: .utf8).split(separator: "\n")
    #expect(csv.count == 124_601)
    let header = csv[0].split(separator: ",").map(String.init)
    let col = try #require(header.firstIndex(of: "myAnd1"))
    #expect(csv.dropFirst().filter { $0.split(separator: ",")[col] == "1" }.count == 67777)
    #expect(try CLIRunner.run(["gate", fcs, fcs, "--gating", xml, "--membership", members]).status == 2)
  }

  @Test(.enabled(if: TestData.sharedAvailable))
  func badStrategyIsAUsageErrorNamingTheLine() throws {
    let (fcs, _) = try #require(Self.gml)
    let dir = try CLIRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let bad = dir.appendingPathComponent("bad.xml")
    try Data("""
      <?xml version="1.0"?>
      <gating:Gating-ML xmlns:gating="http://www.isac-net.org/std/Gating-ML/v2.0/gating">
        <gating:SpiralGate gating:id="x"/>
      </gating:Gating-ML>
      """.utf8).write(to: bad)
    let r = try CLIRunner.run(["gate", fcs, "--gating", bad.path])
    #expect(r.status == 2)
    #expect(r.stderr.contains("line 3"))
    #expect(r.stderr.contains("gating:SpiralGate"))
  }

  @Test(.enabled(if: TestData.sharedAvailable))
  func exportOnePopulation() throws {
    let (fcs, xml) = try #require(Self.gml)
    let r = try CLIRunner.run(["export", fcs, "--gating", xml, "--population", "/myAnd1", "--values", "compensated", "--channels", "PE-A"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.split(separator: "\n").count == 67_778)
    let missing = try CLIRunner.run(["export", fcs, "--population", "x"])
    #expect(missing.status == 2)
  }
}
