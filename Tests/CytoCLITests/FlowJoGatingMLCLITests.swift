import CytoTestSupport
import Foundation
import Testing

/// `cytoreset gate` on FlowJo's Gating-ML export: `manualGating.xml` on `68983.fcs`
/// (../shared/testdata/flowjo/flowsom_68983) and the hand-made fixture of testdata/gating.
@Suite("cytoreset gate: FlowJo Gating-ML export")
struct FlowJoGatingMLCLITests {
  /// Exact counts of every population of manualGating.xml on 68983.fcs (docs/flowjo.md); each
  /// equals an independent evaluation in FlowJoGatingML68983Tests.
  static let counts: [String: Int] = [
    "ID1152036930": 19225, "ID1073341880": 18702, "ID325928510": 18585, "ID2057965263": 15934, "ID1229333490": 311,
    "ID275096433": 487, "ID2056235295": 17470, "ID52300206": 2452, "ID1758852169": 10777, "ID785879196": 9207,
    "ID1570643440": 7505, "ID935307156": 9, "ID127074852": 285, "ID1148292446": 1408, "ID188379411": 1463,
  ]

  @Test func manualGatingCountsEveryPopulation() throws {
    guard TestData.sharedAvailable, let dir = TestData.shared("flowjo/flowsom_68983") else {
      if TestData.isCI { Issue.record("../shared/testdata is required under CI") }
      return
    }
    let r = try CLIRunner.run(["gate", dir.appendingPathComponent("68983.fcs").path,
                               "--gating", dir.appendingPathComponent("manualGating.xml").path, "--format", "json"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stderr.contains("note: FlowJo Gating-ML export: Comp-PE-Cy5-A, Comp-PE-Cy7-A, Comp-PE-A, Comp-APC-A, Comp-APC-Cy7-A, "
      + "Comp-PE-Texas Red-A, Comp-Pacific Blue-A read as PE-Cy5-A, PE-Cy7-A, PE-A, APC-A, APC-Cy7-A, PE-Texas Red-A, "
      + "Pacific Blue-A compensated with the file's SPILL"), "\(r.stderr)")
    #expect(r.stderr.split(separator: "\n").count == 2, "one note for Comp-, one for the ignored attributes: \(r.stderr)")
    let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    let file = try #require((obj["files"] as? [[String: Any]])?.first)
    let pops = try #require(file["populations"] as? [[String: Any]])
    var got: [String: Int] = [:]
    for p in pops { got[p["population"] as! String] = p["count"] as? Int }
    #expect(got == Self.counts)
    let codes = (file["diagnostics"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
    #expect(codes == ["gating.flowjo.compensatedDimensions", "gating.flowjo.ignoredAttributes"])
  }

  @Test func compOnAFileWithoutSpilloverNamesGateAndDimension() throws {
    let dir = try CLIRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    var b = FCSBuilder(parameters: 4, events: [[200, 10, 600, 100], [300, 20, 50, 900]])
    b.names = ["FSC-A", "SSC-A", "FL1-A", "FL2-A"]
    let fcs = dir.appendingPathComponent("no-spillover.fcs")
    try b.build().write(to: fcs)
    let r = try CLIRunner.run(["gate", fcs.path, "--gating", TestData.project("gating/flowjo-export-comp.xml").path])
    #expect(r.status == 1)
    #expect(r.stderr.contains("no-spillover.fcs: gate ID2: dimension Comp-FL1-A (FlowJo Gating-ML export: a compensated channel) "
      + "cannot be resolved: Comp-FL1-A is FL1-A compensated with the sample's matrix, but the file has no spillover matrix"), "\(r.stderr)")
    #expect(r.stderr.contains("channels: FSC-A, SSC-A, FL1-A, FL2-A"))
  }

  @Test func helpSaysFlowJoExportsAreRead() throws {
    let r = try CLIRunner.run(["gate", "--help"])
    #expect(r.status == 0)
    #expect(r.stdout.contains("FlowJo's Gating-ML 2.0 export"))
    #expect(r.stdout.contains("cytoreset gate 68983.fcs --gating manualGating.xml"))
  }
}
