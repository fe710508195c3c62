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
    #expect(r.stdout.contains("agreement (geometry flowjo): 15 populations with a FlowJo count: 15 exact, 0 within 1%, 0 worse"))
    // % of parent: B cells 2459 of NK1_1- 17458.
    #expect(r.stdout.contains("Lymphocytes/Singlets/Singlets2/NK1_1-/B cells") && r.stdout.contains("2459     14.09    2459"))
  }

  @Test func exactGeometryJSONShowsTheLymphocyteDifference() throws {
    guard let ws = Self.workspace() else { return }
    let r = try CLIRunner.run(["workspace", "apply", ws, "--geometry", "exact", "--format", "json"])
    #expect(r.status == 0, "\(r.stderr)")
    let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    #expect(obj["schema"] as? String == "cytoreset.workspace-counts/1" && obj["geometry"] as? String == "exact")
    #expect(obj["flowjoVersion"] as? String == "10.5.3")
    let sample = try #require((obj["samples"] as? [[String: Any]])?.first)
    #expect(sample["sample"] as? String == "68983.fcs" && sample["sampleID"] as? String == "1" && sample["error"] is NSNull)
    let pops = try #require(sample["populations"] as? [[String: Any]])
    let lymph = try #require(pops.first)
    #expect(lymph["path"] as? String == "/Lymphocytes" && lymph["pathList"] as? [String] == ["Lymphocytes"])
    #expect(lymph["gateType"] as? String == "PolygonGate" && lymph["parentCount"] as? Int == 19225)
    #expect(lymph["count"] as? Int == 19225 && lymph["flowjoCount"] as? Int == 19212 && lymph["difference"] as? Int == 13)
    #expect(lymph["agreement"] as? String == "within1Percent")
    let b = try #require(pops.first { $0["pathList"] as? [String] == ["Lymphocytes", "Singlets", "Singlets2", "NK1_1-", "B cells"] })
    let nkNeg = try #require(pops.first { $0["path"] as? String == "/Lymphocytes/Singlets/Singlets2/NK1_1-" })
    #expect(b["parentCount"] as? Int == nkNeg["count"] as? Int)
    let pct = try #require(b["percentOfParent"] as? Double)
    #expect(abs(pct - 100 * Double(b["count"] as? Int ?? 0) / Double(nkNeg["count"] as? Int ?? 1)) < 1e-9)
    let agreement = try #require(obj["agreement"] as? [String: Int])
    #expect(agreement["compared"] == 15 && agreement["exact"]! + agreement["within1Percent"]! + agreement["worse"]! == 15)
    #expect(agreement["exact"]! < 15, "exact geometry differs from FlowJo on Lymphocytes")
  }

  @Test func tsvHasOneRowPerPopulation() throws {
    guard let ws = Self.workspace() else { return }
    let r = try CLIRunner.run(["workspace", "apply", ws, "--format", "tsv"])
    #expect(r.status == 0, "\(r.stderr)")
    let lines = r.stdout.split(separator: "\n")
    #expect(lines.first == "sample\tsample_id\tpath\tgate_type\tcount\tparent_count\tpercent_of_parent\tflowjo_count\tdifference\tagreement\tgeometry")
    #expect(lines.count == 16)
    #expect(lines.contains("68983.fcs\t1\tLymphocytes\tPolygonGate\t19212\t19225\t99.93\t19212\t0\texact\tflowjo"))
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

  /// FlowKit's poly50 workspace (one sample, data_set_simple_line_100.fcs) with two more samples
  /// written into a temporary copy: sample 2 names a file that does not exist, sample 3 is the
  /// same file with a FlowJo event count of 99 (a stale or subsampled count).
  static func threeSampleWorkspace() throws -> (wsp: String, fcsDir: String)? {
    guard TestData.sharedAvailable, let src = TestData.shared("flowjo/flowkit_simple_line/simple_poly_and_rect_v2_poly50.wsp") else {
      if TestData.isCI { Issue.record("../shared/testdata is required under CI") }
      return nil
    }
    let text = try String(contentsOf: src, encoding: .utf8)
    let start = try #require(text.range(of: "<Sample>")), end = try #require(text.range(of: "</Sample>"))
    let block = String(text[start.lowerBound..<end.upperBound])
    let missing = block.replacingOccurrences(of: "sampleID=\"1\"", with: "sampleID=\"2\"")
      .replacingOccurrences(of: "data_set_simple_line_100.fcs", with: "gone.fcs")
    let stale = block.replacingOccurrences(of: "sampleID=\"1\"", with: "sampleID=\"3\"")
      .replacingOccurrences(of: "count=\"100\"  sampleID", with: "count=\"99\"  sampleID")
    let out = text.replacingOccurrences(of: block, with: block + "\n" + missing + "\n" + stale)
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ws-apply-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let wsp = dir.appendingPathComponent("three.wsp")
    try out.write(to: wsp, atomically: true, encoding: .utf8)
    return (wsp.path, src.deletingLastPathComponent().path)
  }

  @Test func missingFileIsAnErrorEntryAndTheOtherSamplesAreCounted() throws {
    guard let (wsp, dir) = try Self.threeSampleWorkspace() else { return }
    // Exact geometry: poly1 holds all 50 events of its parent (FlowJo's grid rule gives 0, as FlowJo saved).
    let r = try CLIRunner.run(["workspace", "apply", wsp, "--fcs-dir", dir, "--geometry", "exact", "--format", "json"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("sample \"gone.fcs\": no FCS file for the sample"))
    let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    let samples = try #require(obj["samples"] as? [[String: Any]])
    #expect(samples.map { $0["sampleID"] as? String } == ["1", "2", "3"])
    #expect(samples[1]["file"] is NSNull && (samples[1]["error"] as? String)?.contains("no FCS file") == true)
    #expect((samples[1]["populations"] as? [Any])?.isEmpty == true)
    for s in [samples[0], samples[2]] {
      #expect(s["error"] is NSNull)
      let pops = try #require(s["populations"] as? [[String: Any]])
      #expect(pops.first { $0["path"] as? String == "/poly1" }?["count"] as? Int == 50)
      #expect(pops.first { $0["path"] as? String == "/rect1" }?["count"] as? Int == 0)
    }
    // Sample 3's FlowJo count (99) is not its file's (100): said, not silently taken.
    let diag = try #require(samples[2]["diagnostics"] as? [[String: Any]])
    #expect(diag.contains { $0["code"] as? String == "workspace.sample.fileEventCount" })
    #expect((samples[0]["diagnostics"] as? [Any])?.isEmpty == true)
    let wsDiag = try #require(obj["diagnostics"] as? [[String: Any]])
    #expect(wsDiag.contains { $0["code"] as? String == "workspace.sample.duplicateName" })
    #expect(wsDiag.contains { $0["code"] as? String == "workspace.sample.countMismatch" })
  }

  @Test func sampleAndGroupChooseWhatIsCounted() throws {
    guard let (wsp, dir) = try Self.threeSampleWorkspace() else { return }
    let one = try CLIRunner.run(["workspace", "apply", wsp, "--fcs-dir", dir, "--sample", "3", "--format", "tsv"])
    #expect(one.status == 0, "\(one.stderr)")
    let rows = one.stdout.split(separator: "\n").dropFirst()
    #expect(rows.count == 2 && rows.allSatisfy { $0.split(separator: "\t")[1] == "3" })
    // my_group lists sample 1 only; the missing file (sample 2) is not touched.
    let group = try CLIRunner.run(["workspace", "apply", wsp, "--fcs-dir", dir, "--group", "my_group"])
    #expect(group.status == 0, "\(group.stderr)")
    let heads = group.stdout.split(separator: "\n").filter { $0.hasPrefix("sample ") }.map { $0.prefix(9) }
    #expect(heads == ["sample 1 "], "\(group.stdout)")
    #expect(group.stdout.contains("agreement (geometry flowjo): 2 populations with a FlowJo count: 2 exact"))
    let unknown = try CLIRunner.run(["workspace", "apply", wsp, "--group", "Patients"])
    #expect(unknown.status == 1 && unknown.stderr.contains("no group \"Patients\"; groups: \"All Samples\", \"Compensation\", \"my_group\""))
    let noSample = try CLIRunner.run(["workspace", "apply", wsp, "--sample", "x.fcs"])
    #expect(noSample.status == 1 && noSample.stderr.contains("no sample named or numbered \"x.fcs\""))
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
