import CytoTestSupport
import Foundation
import Testing

/// `cytoreset workspace info`, on the hand-made workspace and FlowSOM's 68983 `gating.wsp`.
@Suite("cytoreset workspace info")
struct WorkspaceCLITests {
  let handMade = TestData.project("workspace/boolean-and-complement.wsp").path

  @Test func textListsGroupsSamplesAndTheTree() throws {
    let r = try CLIRunner.run(["workspace", "info", handMade])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("FlowJo 10.8.1 (workspace version 20.0)"))
    #expect(r.stdout.contains("Panel: 1 sample(s) (7), template:"))
    #expect(r.stdout.contains("sample 7 \"Tube 1\": 1000 events (FlowJo)"))
    #expect(r.stdout.contains("FCS file: not found beside the workspace"))
    #expect(r.stdout.contains("Not debris  PolygonGate  Comp-FL2-A × FJComp-FL3-A, 3 vertices, resolution 256, complement  [850]"))
    #expect(r.stdout.contains("Both  AndNode  Cells/Not debris, Cells/530+  [100]"))
    #expect(r.stdout.contains("Comp-FL2-A: logicle(T 262144, W 0.5, M 4.5, A 0)"))
  }

  @Test func jsonHasTheDocumentedFields() throws {
    let r = try CLIRunner.run(["workspace", "info", handMade, "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    #expect(obj["schema"] as? String == "cytoreset.workspace-info/1")
    #expect(obj["flowJoVersion"] as? String == "10.8.1")
    let sample = try #require((obj["samples"] as? [[String: Any]])?.first)
    #expect(sample["sampleID"] as? String == "7" && sample["fil"] as? String == "tube 1.fcs")
    #expect(sample["file"] is NSNull && sample["compensation"] as? String == "m-1")
    let cells = try #require((sample["populations"] as? [[String: Any]])?.first)
    let dim = try #require((cells["dimensions"] as? [[String: Any]])?.first)
    #expect(dim["parameter"] as? String == "Comp-FL1-A" && dim["channel"] as? String == "FL1-A")
    #expect(dim["compensation"] as? String == "matrix" && dim["matrix"] as? String == "m-1")
    let kids = try #require(cells["children"] as? [[String: Any]])
    #expect(kids.map { $0["type"] as? String } == ["PolygonGate", "RectangleGate", "AndNode", "OrNode", "NotNode"])
    #expect(kids[0]["region"] as? String == "outside" && kids[0]["gateResolution"] as? Int == 256)
    #expect(kids[3]["flowjoCount"] is NSNull && kids[3]["countState"] as? String == "notComputed")
    #expect(kids[4]["dependents"] as? [[String]] == [["Cells", "530+"]])
    #expect((obj["diagnostics"] as? [Any])?.isEmpty == true)
  }

  @Test func unreadableWorkspaceExitsOneNamingTheNode() throws {
    let bad = TestData.project("workspace/derived-parameter.wsp").path
    let r = try CLIRunner.run(["workspace", "info", bad])
    #expect(r.status == 1)
    #expect(r.stderr.contains("\(bad): line 87: <data-type:fcs-dimension>: population \"Cells/530+\""))
  }

  @Test func flowSOMWorkspaceFindsItsFileByName() throws {
    guard TestData.sharedAvailable, let ws = TestData.shared("flowjo/flowsom_68983/gating.wsp") else {
      if TestData.isCI { Issue.record("../shared/testdata is required under CI") }
      return
    }
    let r = try CLIRunner.run(["workspace", "info", ws.path])
    #expect(r.status == 0, "\(r.stderr)")
    // The DataSet URI names lymphocytes.fcs; the file beside the workspace is the sample name.
    #expect(r.stdout.contains("flowsom_68983/68983.fcs (by name)"))
    #expect(r.stdout.contains("Lymphocytes  PolygonGate  FSC-A × SSC-A, 12 vertices, resolution 1024  [19212]"))
    #expect(r.stdout.contains("populations: 15"))
  }

  @Test func helpShowsExamples() throws {
    let r = try CLIRunner.run(["workspace", "info", "--help"])
    #expect(r.status == 0)
    #expect(r.stdout.contains("cytoreset workspace info gating.wsp --json"))
  }
}

/// `cytoreset workspace apply`, on FlowSOM's 68983 `gating.wsp` and its FCS file.
@Suite("cytoreset workspace apply")
struct WorkspaceApplyCLITests {
  static func workspace() -> String? {
    guard TestData.sharedAvailable, let ws = TestData.shared("flowjo/flowsom_68983/gating.wsp") else {
      if TestData.isCI { Issue.record("../shared/testdata is required under CI") }
      return nil
    }
    return ws.path
  }

  @Test func flowJoGeometryMatchesEverySavedCount() throws {
    guard let ws = Self.workspace() else { return }
    let r = try CLIRunner.run(["workspace", "apply", ws])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("geometry flowjo: 15 populations with a FlowJo count, 0 differ"))
    #expect(r.stdout.contains("Lymphocytes"))
  }

  @Test func exactGeometryJSONShowsTheLymphocyteDifference() throws {
    guard let ws = Self.workspace() else { return }
    let r = try CLIRunner.run(["workspace", "apply", ws, "--geometry", "exact", "--format", "json"])
    #expect(r.status == 0, "\(r.stderr)")
    let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    #expect(obj["schema"] as? String == "cytoreset.workspace-apply/1" && obj["geometry"] as? String == "exact")
    let pops = try #require(((obj["samples"] as? [[String: Any]])?.first)?["populations"] as? [[String: Any]])
    let lymph = try #require(pops.first)
    #expect(lymph["path"] as? [String] == ["Lymphocytes"])
    #expect(lymph["count"] as? Int == 19225 && lymph["flowjoCount"] as? Int == 19212 && lymph["difference"] as? Int == 13)
  }

  @Test func tsvHasOneRowPerPopulation() throws {
    guard let ws = Self.workspace() else { return }
    let r = try CLIRunner.run(["workspace", "apply", ws, "--format", "tsv"])
    #expect(r.status == 0, "\(r.stderr)")
    let lines = r.stdout.split(separator: "\n")
    #expect(lines.first == "sample\tpath\tcount\tflowjo_count\tdifference" && lines.count == 16)
    #expect(lines.contains("68983.fcs\tLymphocytes\t19212\t19212\t0"))
  }

  @Test func helpShowsExamplesAndTheDefaultGeometry() throws {
    let r = try CLIRunner.run(["workspace", "apply", "--help"])
    #expect(r.status == 0)
    #expect(r.stdout.contains("cytoreset workspace apply gating.wsp --fcs-dir data/ --geometry exact"))
    #expect(r.stdout.contains("default: flowjo"))
  }

  @Test func sampleWithoutFCSFileExitsOne() throws {
    let hand = TestData.project("workspace/boolean-and-complement.wsp").path
    let r = try CLIRunner.run(["workspace", "apply", hand])
    #expect(r.status == 1)
    #expect(r.stderr.contains("sample \"Tube 1\": no FCS file for the sample"))
  }

  @Test func flowJo9WorkspaceIsDescribed() throws {
    let fj9 = TestData.project("workspace/flowjo9-features.xml").path
    let r = try CLIRunner.run(["workspace", "info", fj9])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("FlowJo 9.3.2 (workspace version 2.0)"), "\(r.stdout)")
    #expect(r.stdout.contains("FL1 x FL2  RectangleGate  <FL1-H> × <FL2-H>"), "\(r.stdout)")
    #expect(r.stdout.contains("Cells  EllipsoidGate  FSC-H × SSC-H, 4 antipodal points in data units  [800]"), "\(r.stdout)")
    #expect(r.stdout.contains("Both  AndNode  Cells/FL1+, Cells/FL2+  [100]"), "\(r.stdout)")
    let bad = TestData.project("workspace/flowjo9-unknown-gate.xml").path
    let e = try CLIRunner.run(["workspace", "info", bad])
    #expect(e.status == 1 && e.stderr.contains("line 49: <Spline>: population \"Cells\""), "\(e.stderr)")
  }
}
