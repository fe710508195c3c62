import CytoCore
import CytoGating
import CytoTestSupport
import CytoWorkspace
import Foundation
import Testing

/// Every FlowJo 10 workspace in ../shared/testdata/flowjo reads, and its sample tree equals the
/// populations recorded in `expected/*.json` (path, gate type, dimensions, FlowJo's saved count).
@Suite("FlowJo workspaces in ../shared")
struct SharedWorkspaceTests {
  /// `expected/<folder>__<workspace>.json` names.
  static let expected = [
    "flowsom_68983__gating.wsp.json",
    "flowkit_simple_diamond__simple_diamond_example_quad_gate.wsp.json",
    "flowkit_simple_diamond__test_data_diamond_asinh_rect.wsp.json",
    "flowkit_simple_diamond__test_data_diamond_asinh_rect2.wsp.json",
    "flowkit_simple_diamond__test_data_diamond_biex_rect.wsp.json",
    "flowkit_simple_line__simple_poly_and_rect.wsp.json",
    "flowkit_simple_line__simple_poly_and_rect_v2_poly50.wsp.json",
    "flowkit_simple_line__single_ellipse_51_events.wsp.json",
  ]

  /// The workspace at `flowjo/<relative>`, or `nil` (with a SKIP line; an issue under CI=true)
  /// when ../shared is absent.
  static func workspace(_ relative: String) throws -> FlowJoWorkspace? {
    guard TestData.sharedAvailable, let url = TestData.shared("flowjo/\(relative)") else {
      if TestData.isCI { Issue.record("../shared/testdata is required under CI") }
      return nil
    }
    return try FlowJoWorkspace(contentsOf: url.path)
  }

  struct Expected: Decodable {
    struct Sample: Decodable {
      var sample: String
      var flowjo_event_count: Int
      var populations: [Population]
    }
    struct Population: Decodable {
      var path: [String]
      var node: String
      var gate_type: String
      var dimensions: [String]
      var flowjo_count: Int?
    }
    var workspace: String
    var flowjo_version: String
    var samples: [Sample]
  }

  @Test(arguments: expected)
  func treeMatchesExpected(_ name: String) throws {
    guard TestData.sharedAvailable, let url = TestData.shared("flowjo/expected/\(name)") else {
      if TestData.isCI { Issue.record("../shared/testdata is required under CI") }
      return
    }
    let exp = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: url))
    let ws = try #require(try Self.workspace(exp.workspace))
    #expect(ws.version == "20.0")
    #expect(ws.flowJoVersion == exp.flowjo_version)
    #expect(ws.samples.map(\.name) == exp.samples.map(\.sample))
    #expect(ws.diagnostics.isEmpty, "\(ws.diagnostics)")
    for (sample, e) in zip(ws.samples, exp.samples) {
      #expect(sample.savedCount == .events(e.flowjo_event_count))
      #expect(sample.keyword("$TOT") == String(e.flowjo_event_count))
      let pops = sample.allPopulations
      #expect(pops.map(\.path) == e.populations.map(\.path))
      for (p, q) in zip(pops, e.populations) {
        #expect(p.definition.typeName == q.gate_type, "\(p.path)")
        guard case .gate(let gate) = p.definition else { Issue.record("\(p.path) is not a gated population"); continue }
        #expect(gate.shape.dimensions.map(\.parameter) == q.dimensions, "\(p.path)")
        #expect(gate.region == .inside)
        let saved: SavedCount = q.flowjo_count.map { $0 == -1 ? .notComputed : .events($0) } ?? .absent
        #expect(p.savedCount == saved, "\(p.path)")
      }
    }
  }

  @Test func flowSOM68983SampleCompensationAndTransforms() throws {
    guard let ws = try Self.workspace("flowsom_68983/gating.wsp") else { return }
    #expect(ws.groups.map(\.name) == ["All Samples", "Compensation"])
    #expect(ws.groups[0].sampleIDs == [SampleID("1")])
    #expect(ws.groups[1].sampleIDs.isEmpty)
    #expect(ws.groups.allSatisfy { $0.template.isEmpty })
    let s = try #require(ws.sample(SampleID("1")))
    #expect(s.name == "68983.fcs")
    #expect(s.dataSetURI == "file:/D:/FlowSOM/inst/extdata/lymphocytes.fcs")
    #expect(s.dataSetFileName == "lymphocytes.fcs")
    #expect(s.fil == "68983.fcs")  // the sample name, $FIL and the DataSet file all differ from the URI
    // The matrix: acquisition-defined, 11 × 11, the same copy in Matrices/.
    let m = try #require(s.compensation)
    #expect(m.id == "18405cb6-3c7f-485d-a690-1690f98d59a8")
    #expect(m.origin == .acquisitionDefined)
    #expect(m.prefix == "Comp-" && m.suffix == "" && !m.isSpectral)
    #expect(m.spillover.detectors.count == 11 && m.spillover.fluorochromes.count == 11)
    #expect(m.spillover.detectors.first == "FITC-A" && m.spillover.detectors.last == "PE-Cy7-A")
    #expect(m.spillover[row: 0, column: 1] == 0.047373455)  // FITC-A row, Pacific Blue-A
    #expect(m.spillover[row: 0, column: 2] == 0.7135625482)
    #expect(m.spillover[row: 9, column: 3] == 0.2243933976)  // PE-Cy5-A row, Qdot 605-A
    #expect(ws.matrices.map(\.id) == [m.id] && ws.matrices.first?.spillover == m.spillover)  // the Matrices/ copy
    #expect(ws.matrices.first?.line == 17 && m.line == 287)
    // Transforms: linear scatter, Time with its gain, biex fluorescence (raw and Comp-).
    #expect(s.transform(for: "FSC-A") == .linear(minRange: 0, maxRange: 262_144, gain: 1))
    #expect(s.transform(for: "Time") == .linear(minRange: 0, maxRange: 73, gain: 0.0101614699))
    let biex = FlowJoTransform.biex(FlowJoBiex(width: -100, pos: 4.418539922, neg: 0, maxRange: 262_144, length: 256))
    #expect(s.transform(for: "Comp-PE-A") == biex)
    #expect(s.transform(for: "PE-A") == biex)
    if case .biex(let b) = biex { #expect(try b.logicleEquivalent().logicle.w == 1) }

    let pops = s.allPopulations
    #expect(pops.count == 15)
    // Lymphocytes: a 12-vertex polygon on FSC-A × SSC-A at resolution 1024.
    guard case .gate(let lym) = try #require(s.population(at: ["Lymphocytes"])).definition,
          case .polygon(let x, let y, let v) = lym.shape else { Issue.record("Lymphocytes is not a polygon"); return }
    #expect(lym.id == "ID15126854" && lym.parentID == nil && lym.resolution == 1024)
    #expect(x.parameter == "FSC-A" && x.compensation == .uncompensated && x.transform == .linear(minRange: 0, maxRange: 262_144, gain: 1))
    #expect(y.parameter == "SSC-A")
    #expect(v.count == 12)
    #expect(v.first == Vertex(121_241, 27_904) && v[1] == Vertex(101_580, 13_952) && v.last == Vertex(137_625, 36_096))
    // Singlets: a rectangle in data units, parent id = Lymphocytes.
    guard case .gate(let singlets) = try #require(s.population(at: ["Lymphocytes", "Singlets"])).definition,
          case .rectangle(let r) = singlets.shape else { Issue.record("Singlets is not a rectangle"); return }
    #expect(singlets.parentID == "ID15126854")
    #expect(r.map(\.dimension.parameter) == ["FSC-H", "FSC-W"])
    #expect(r[0].min == 14_199 && r[0].max == 78_643 && r[1].min == 17_472 && r[1].max == 201_536)
    // B cells: Comp- dimensions resolve to the detector and the sample's matrix.
    let bPath = ["Lymphocytes", "Singlets", "Singlets2", "NK1_1-", "B cells"]
    guard case .gate(let b) = try #require(s.population(at: bPath)).definition, case .rectangle(let br) = b.shape else {
      Issue.record("B cells is not a rectangle"); return
    }
    #expect(br[0].dimension == WorkspaceDimension(parameter: "Comp-PE-Cy5-A", channel: "PE-Cy5-A",
                                                  compensation: .matrix(id: m.id, origin: .acquisitionDefined), transform: biex))
    #expect(br[0].min == 1590.6169698408737 && br[0].max == 145_338.53403470616)
    #expect(br[1].dimension.channel == "PE-Cy7-A" && br[1].min == -612.7345229002069 && br[1].max == 986.3609036840695)
    // ab T cells: a 256-resolution polygon on two biex Comp- axes, with negative vertices.
    guard case .gate(let ab) = try #require(s.population(at: Array(bPath.dropLast()) + ["T cells", "ab T cells"])).definition,
          case .polygon(let ax, let ay, let av) = ab.shape else { Issue.record("ab T cells is not a polygon"); return }
    #expect(ab.resolution == 256 && ax.channel == "APC-Cy7-A" && ay.channel == "APC-A")
    #expect(av.count == 6 && av[0] == Vertex(-39.5967135016, 198.5706258167) && av[3] == Vertex(16_021.3446964681, -555.2100939238))
    #expect(pops.allSatisfy { $0.owningGroup == "" && $0.statistics.isEmpty })
  }

  @Test func ellipseKeptInGridUnits() throws {
    guard let ws = try Self.workspace("flowkit_simple_line/single_ellipse_51_events.wsp") else { return }
    let p = try #require(ws.samples.first?.population(at: ["ellipse1"]))
    guard case .gate(let gate) = p.definition, case .ellipse(let e) = gate.shape else { Issue.record("not an ellipse"); return }
    #expect(gate.id == "ID1141618811" && gate.resolution == nil)
    #expect(e.x.parameter == "channel_A" && e.y.parameter == "channel_B")
    #expect(e.x.transform == .linear(minRange: 0, maxRange: 262_144, gain: 1))
    #expect(e.foci == [Vertex(62.7724519002, 157.4044547167), Vertex(94.2275480998, 93.5955452833)])
    #expect(e.edge == [Vertex(96, 90), Vertex(61, 161), Vertex(67, 113), Vertex(90, 139)])
    #expect(e.distance == 89.21048731225189)
    #expect(p.savedCount == .events(51))
    #expect(ws.samples[0].fil == nil)  // FlowJo's keyword copy has no $FIL here
  }

  @Test func quadrantSavedAsHalfOpenRectangles() throws {
    guard let ws = try Self.workspace("flowkit_simple_diamond/simple_diamond_example_quad_gate.wsp") else { return }
    let pops = try #require(ws.samples.first).populations
    #expect(pops.map(\.name) == ["Q1: channel_A- , channel_B+", "Q2: channel_A+ , channel_B+",
                                 "Q3: channel_A+ , channel_B-", "Q4: channel_A- , channel_B-"])
    let a = 49536.60093896714, b = 49866.83420593368
    let expected: [[(Double?, Double?)]] = [[(nil, a), (b, nil)], [(a, nil), (b, nil)], [(a, nil), (nil, b)], [(nil, a), (nil, b)]]
    for (p, e) in zip(pops, expected) {
      guard case .gate(let g) = p.definition, case .rectangle(let r) = g.shape else { Issue.record("\(p.name)"); continue }
      #expect(r.count == 2)
      for (side, (lo, hi)) in zip(r, e) { #expect(side.min == lo && side.max == hi, "\(p.name)") }
    }
  }

  @Test func arcsinhAndBiexParameters() throws {
    guard let w2 = try Self.workspace("flowkit_simple_diamond/test_data_diamond_asinh_rect2.wsp"),
          let w1 = try Self.workspace("flowkit_simple_diamond/test_data_diamond_asinh_rect.wsp"),
          let wb = try Self.workspace("flowkit_simple_diamond/test_data_diamond_biex_rect.wsp") else { return }
    #expect(w1.samples[0].transform(for: "channel_B") == .fasinh(t: 262_144, m: 1, a: 0, w: -10, length: 256, maxRange: 262_144))
    #expect(w2.samples[0].transform(for: "channel_A") == .fasinh(t: 262_144, m: 1, a: 0, w: -10, length: 256, maxRange: 262_144))
    #expect(w2.samples[0].transform(for: "channel_B") == .fasinh(t: 262_144, m: 1.3, a: 0, w: -19.9526231497, length: 256, maxRange: 262_144))
    guard case .biex(let b) = try #require(wb.samples[0].transform(for: "channel_A")) else { Issue.record("not biex"); return }
    #expect(b == FlowJoBiex(width: -10, pos: 4.418539922, neg: 0, maxRange: 262_144, length: 256))
    guard case .gate(let g) = try #require(wb.samples[0].population(at: ["upper_right"])).definition,
          case .rectangle(let r) = g.shape else { Issue.record("upper_right"); return }
    #expect(r[0].min == 49058.7235978176 && r[0].max == 127_585.76474245574 && r[1].min == 50336.54700531022)
    #expect(r[0].dimension.transform == .biex(b))
  }

  /// The group template and the sample's own copy of `poly1` differ (different vertices,
  /// `owningGroup=""` on the sample's copy): the sample's tree is the one FlowJo applied.
  @Test func templateAndSampleTreesDiffer() throws {
    guard let ws = try Self.workspace("flowkit_simple_line/simple_poly_and_rect_v2_poly50.wsp") else { return }
    #expect(ws.groups.map(\.name) == ["All Samples", "Compensation", "my_group"])
    let group = try #require(ws.groups.last)
    #expect(group.sampleIDs == [SampleID("1")])
    try #require(group.template.map(\.name) == ["poly1", "rect1"])
    #expect(group.template.allSatisfy { $0.savedCount == .events(0) && $0.owningGroup == "my_group" })  // not -1 here
    guard case .gate(let tg) = group.template[0].definition, case .polygon(_, _, let tv) = tg.shape,
          case .gate(let sg) = try #require(ws.samples[0].population(at: ["poly1"])).definition,
          case .polygon(let sx, let sy, let sv) = sg.shape else { Issue.record("poly1 is not a polygon"); return }
    #expect(tg.id == "ID54754627" && sg.id == "ID1571031032")
    #expect(tv.first == Vertex(59483.5164835165, 106_300.1745200698))
    #expect(sv == [Vertex(59478.021978022, 106_171.5399610137), Vertex(58928.5714285714, 131_668.6159844054),
                   Vertex(136_675.8241758242, 130_495.126705653), Vertex(136_675.8241758242, 106_230.0194931774)])
    #expect(sx.transform == .linear(minRange: 50_000, maxRange: 150_000, gain: 1))
    #expect(sy.transform == .linear(minRange: 0, maxRange: 255_000, gain: 1))
    #expect(tg.shape.dimensions.allSatisfy { $0.transform == nil })  // a template belongs to no sample
  }
}
