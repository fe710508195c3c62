import CytoCore
import CytoFCS
import CytoGating
import CytoTestSupport
import CytoWorkspace
import Foundation
import Testing

/// The hand-made FlowJo 9 workspaces (`Workspace@version="2.0"`) in testdata/workspace/, written in
/// the format docs/flowjo.md ("FlowJo 9 workspaces") documents from CytoML and LabKey.
@Suite("FlowJo 9 workspaces")
struct FlowJo9WorkspaceTests {
  static func path(_ name: String) -> String { TestData.project("workspace/\(name)").path }
  static func read(_ name: String) throws -> FlowJoWorkspace { try FlowJoWorkspace(contentsOf: path(name)) }

  static func refusal(_ name: String) -> WorkspaceError? {
    do throws(WorkspaceError) { _ = try FlowJoWorkspace(contentsOf: path(name)) } catch { return error }
    return nil
  }

  static func refusal(_ data: Data) -> WorkspaceError? {
    do throws(WorkspaceError) { _ = try FlowJoWorkspace(data: data) } catch { return error }
    return nil
  }

  static func countError(_ s: WorkspaceSample, _ mode: GeometryMode, _ input: GatingInput) -> WorkspaceCountError? {
    do throws(WorkspaceCountError) { _ = try FlowJoCounter(sample: s, mode: mode).count(input) } catch { return error }
    return nil
  }

  /// The shared FCS file `flowjo/<relative>` as gating input, or `nil` (SKIP line; an issue
  /// under CI=true) when ../shared is absent.
  static func shared(_ relative: String) throws -> GatingInput? {
    guard TestData.sharedAvailable, let url = TestData.shared("flowjo/\(relative)") else {
      if TestData.isCI { Issue.record("../shared/testdata is required under CI") }
      print("SKIP: ../shared/testdata/flowjo/\(relative) absent")
      return nil
    }
    return try GatingInput(FCSFile(contentsOf: url.path).dataSets[0])
  }

  @Test func readsVersionMatricesParametersAndGroups() throws {
    let ws = try Self.read("flowjo9-features.xml")
    #expect(ws.version == "2.0" && ws.flowJoVersion == "9.3.2")
    let m = try #require(ws.matrices.first)
    #expect(ws.matrices.count == 1 && m.id == "1" && m.origin == .workspace(name: "My matrix") && m.prefix == "Comp-")
    #expect(m.spillover.fluorochromes == ["FL1-H", "FL2-H"] && m.spillover.detectors == ["FL1-H", "FL2-H"])
    #expect(m.spillover.values == [1, 0.2, 0.05, 1])
    let s = try #require(ws.sample(SampleID("1")))
    #expect(s.name == "stored.fcs" && s.fil == "stored.fcs" && s.dataSetURI == "" && s.savedCount == .events(1000))
    #expect(s.compensation == m && s.derivedParameters.map(\.name) == ["Ratio FL1/FL2"])
    guard case .flowJo9(let fsc)? = s.transform(for: "FSC-H"), case .flowJo9(let fl1)? = s.transform(for: "Comp-FL1-H") else {
      Issue.record("FlowJo 9 parameters"); return
    }
    #expect(!fsc.isLog && fsc.highValue == 1024 && fsc.gateUnitsKnown && fl1.isLog && fl1.name == "FL1-H")
    let g = try #require(ws.groups.first)
    #expect(g.name == "All Samples" && g.sampleIDs == [SampleID("1"), SampleID("2")])
    // A template's compensated name is compensated with each member sample's own matrix.
    guard case .gate(let tg) = try #require(g.template.first).definition, case .rectangle(let r) = tg.shape else {
      Issue.record("template"); return
    }
    #expect(r.first?.dimension.compensation == .sampleMatrix && r.first?.dimension.channel == "FL1-H")
  }

  @Test func eachGateTypeAndCompensatedNames() throws {
    let s = try #require(try Self.read("flowjo9-features.xml").sample(SampleID("1")))
    #expect(s.allPopulations.map(\.path) == [["Cells"], ["Cells", "FL1+"], ["Cells", "FL2+"], ["Cells", "Both"],
                                              ["Cells", "Either"], ["Cells", "Not FL1+"]])
    let cells = try #require(s.population(at: ["Cells"]))
    #expect(cells.statistics == ["Median"] && cells.savedCount == .events(800))
    guard case .gate(let e) = cells.definition, case .antipodalEllipse(let el) = e.shape else { Issue.record("Ellipse"); return }
    #expect(el.points == [Vertex(100, 500), Vertex(900, 500), Vertex(500, 300), Vertex(500, 700)] && e.resolution == nil)
    #expect(FlowJoAntipodalEllipse.contains(points: el.points, 500, 690) == true)
    #expect(FlowJoAntipodalEllipse.contains(points: el.points, 880, 690) == false)
    // Range: 1-D, data units, on Comp-FL1-H = detector FL1-H compensated with matrix 1.
    guard case .gate(let rg) = try #require(s.population(at: ["Cells", "FL1+"])).definition,
          case .rectangle(let r) = rg.shape else { Issue.record("Range"); return }
    #expect(r.count == 1 && r[0].min == 1000 && r[0].max == 262_144 && r[0].dimension.channel == "FL1-H")
    #expect(r[0].dimension.compensation == .matrix(id: "1", origin: .workspace(name: "My matrix")))
    // negated="1" polygon: the complement.
    guard case .gate(let pg) = try #require(s.population(at: ["Cells", "FL2+"])).definition,
          case .polygon(let x, let y, let v) = pg.shape else { Issue.record("Polygon"); return }
    #expect(pg.region == .outside && v.count == 3 && x.parameter == "Comp-FL1-H" && y.channel == "FL2-H")
    // Acquisition-defined: <FL1-H> is FL1-H compensated with the file's $SPILLOVER (workspace copy).
    let acq = try #require(try Self.read("flowjo9-features.xml").sample(SampleID("2")))
    let am = try #require(acq.compensation)
    #expect(am.origin == .acquisitionDefined && am.prefix == "<" && am.suffix == ">" && am.spillover.values == [1, 0.1, 0.02, 1])
    guard case .gate(let pr) = try #require(acq.allPopulations.first).definition, case .rectangle(let box) = pr.shape else {
      Issue.record("PolyRect"); return
    }
    #expect(box.map(\.min) == [100, 200] && box.map(\.max) == [1000, 5000])
    #expect(box.map(\.dimension.channel) == ["FL1-H", "FL2-H"] && box[0].dimension.parameter == "<FL1-H>")
    #expect(box[0].dimension.compensation == .matrix(id: "acquisition-defined", origin: .acquisitionDefined))
    guard case .flowJo9(let p)? = box[0].dimension.transform else { Issue.record("transform"); return }
    #expect(p.calibration?.name == "Acquisition-defined <FL1-H>" && p.calibration?.maxValue == 262_144 && p.calibration?.width == -10)
  }

  @Test func booleanGatesResolvePartialPaths() throws {
    let s = try #require(try Self.read("flowjo9-features.xml").sample(SampleID("1")))
    func def(_ name: String) -> PopulationDefinition? { s.population(at: ["Cells", name])?.definition }
    #expect(def("Both") == .boolean(.and([["Cells", "FL1+"], ["Cells", "FL2+"]])))
    #expect(def("Either") == .boolean(.or([["Cells", "FL1+"], ["Cells", "FL2+"]])))
    #expect(def("Not FL1+") == .boolean(.not(["Cells", "FL1+"])))
  }

  @Test func refusalsNameElementLineAndPopulation() throws {
    let unknown = try #require(Self.refusal("flowjo9-unknown-gate.xml"))
    #expect(unknown.kind == .unknownGate && unknown.element == "Spline" && unknown.line == 49 && unknown.node == ["Cells"])
    let derived = try #require(Self.refusal("flowjo9-derived-parameter.xml"))
    #expect(derived.kind == .derivedParameter && derived.line == 63 && derived.node == ["Cells", "FL1+"])
    let statistic = try #require(Self.refusal("flowjo9-statistic-axis.xml"))
    #expect(statistic.kind == .unknownParameter && statistic.line == 63 && statistic.node == ["Cells", "FL1+"])
    let mixed = try #require(Self.refusal("flowjo9-mixed-boolean.xml"))
    #expect(mixed.kind == .unknownGate && mixed.element == "BooleanGate" && mixed.line == 82 && mixed.node == ["Cells", "Both"])
    let cut = try #require(Self.refusal("flowjo9-truncated.xml"))
    #expect(cut.kind == .malformedXML && cut.file?.hasSuffix("flowjo9-truncated.xml") == true)
    // A DOCTYPE other than FlowJo 9's bare one is still refused; version 3.0 is named.
    let dtd = Data(#"<?xml version="1.0"?><!DOCTYPE Workspace [<!ENTITY x "y">]><Workspace version="2.0"/>"#.utf8)
    #expect(Self.refusal(dtd)?.kind == .documentTypeDeclaration)
    let v3 = try #require(Self.refusal(Data(#"<Workspace version="3.0"/>"#.utf8)))
    #expect(v3.kind == .unsupportedVersion && v3.message.contains("9.7.2"))
  }

  /// Fuzzing regression: a matrix whose first Channel row has no ChannelValue trapped in
  /// SpilloverMatrix's size check. Every row must have one value per detector.
  @Test func unevenMatrixRowsAreRefusedNamingTheRow() throws {
    let text = try String(contentsOfFile: Self.path("flowjo9-features.xml"), encoding: .utf8)
    let first = try #require(text.range(of: #"<ChannelValue name="FL1-H" value="1" />"#))
    // The first row one value short: the second row has more values than the detectors.
    let short = try #require(Self.refusal(Data(text.replacingCharacters(in: first, with: "").utf8)))
    #expect(short.kind == .invalidValue && short.element == "Channel" && short.line != nil, "\(short)")
    // A first row with no values at all.
    var empty = text
    let row = try #require(empty.range(of: #"<Channel name="FL1-H">"#))
    let end = try #require(empty.range(of: "</Channel>", range: row.upperBound..<empty.endIndex))
    empty.replaceSubrange(row.upperBound..<end.lowerBound, with: "\n")
    let e = try #require(Self.refusal(Data(empty.utf8)))
    #expect(e.kind == .invalidValue && e.message.contains("no ChannelValue"), "\(e)")
  }

  /// The FlowKit diamond quadrant as 4 PolyRects and the biex_rect rectangle as two nested
  /// Ranges, over ../shared test_data_diamond_01.fcs: FlowJo 10's saved counts (docs/flowjo.md).
  /// The fixture is ISO-8859-1 with FlowJo 9's bare DOCTYPE.
  @Test func diamondRectanglesEqualFlowJoSavedCounts() throws {
    let ws = try Self.read("flowjo9-diamond.xml")
    let s = try #require(ws.samples.first)
    #expect(s.keyword("$INST") == "Université")
    guard let input = try Self.shared("flowkit_simple_diamond/test_data_diamond_01.fcs") else { return }
    for mode in GeometryMode.allCases {
      let counts = try FlowJoCounter(sample: s, mode: mode).count(input)
      let byPath = Dictionary(uniqueKeysWithValues: counts.populations.map { ($0.path.joined(separator: "/"), $0.count) })
      #expect(byPath["Q1: channel_A- , channel_B+"] == 49671 && byPath["Q2: channel_A+ , channel_B+"] == 50596)
      #expect(byPath["Q3: channel_A+ , channel_B-"] == 50330 && byPath["Q4: channel_A- , channel_B-"] == 49403)
      #expect(byPath["A in range/upper_right"] == 50605)
      #expect(counts.populations.allSatisfy { $0.difference == nil || $0.difference == 0 })
    }
  }

  /// poly1/rect1 of FlowKit's simple_poly_and_rect_v2_poly50 as FlowJo 9 gates: rect1 equals
  /// FlowJo 10's saved 0; poly1 is refused under the FlowJo rule (FlowJo 9 stores no
  /// gateResolution) and counts 50 in exact geometry (FlowJo 10's 0 is its 256-grid).
  @Test func simpleLinePolygonIsCountedInExactGeometry() throws {
    let s = try #require(try Self.read("flowjo9-simple-line.xml").samples.first)
    guard let input = try Self.shared("flowkit_simple_line/data_set_simple_line_100.fcs") else { return }
    // No gateResolution: FlowJo's grid is unknown, so even under .flowJo the polygon is tested
    // in exact geometry and says so (never on a guessed grid).
    let grid = try FlowJoCounter(sample: s, mode: .flowJo).count(input)
    #expect(grid.populations.map(\.count) == [50, 0])
    #expect(grid.populations[0].exactGeometryReason?.contains("no gateResolution") == true && grid.populations[1].exactGeometryReason == nil)
    let exact = try FlowJoCounter(sample: s, mode: .exact).count(input)
    #expect(exact.populations.map(\.count) == [50, 0])
    #expect(exact.populations[1].difference == 0)
  }

  @Test func ellipseCountsExactlyOnLinearAxesAndRefusesLogAxes() throws {
    let s = try #require(try Self.read("flowjo9-features.xml").sample(SampleID("1")))
    let xs: [Float] = [500, 880, 100, 500], ys: [Float] = [690, 690, 500, 100]
    let fl: [Float] = [5000, 5000, 5000, 5000]
    let input = GatingInput(channels: ["FSC-H", "SSC-H", "FL1-H", "FL2-H"], events: EventMatrix(eventCount: 4, channelCount: 4, columnMajor: xs + ys + fl + fl))
    var cells = try #require(s.population(at: ["Cells"]))
    cells.children = cells.children.filter { $0.name == "FL1+" }
    var only = s
    only.populations = [cells]
    let counts = try FlowJoCounter(sample: only, mode: .exact).count(input)
    #expect(counts.masks[["Cells"]] == [true, false, true, false])
    #expect(counts.masks[["Cells", "FL1+"]] == [true, false, true, false])
    let grid = try FlowJoCounter(sample: only, mode: .flowJo).count(input)
    #expect(grid.masks[["Cells"]] == counts.masks[["Cells"]])
    #expect(grid.populations.first { $0.path == ["Cells"] }?.exactGeometryReason?.contains("ellipses") == true)
    // The negated polygon sits on two log (log="1") axes: refused, never guessed.
    let log = try #require(Self.countError(s, .exact, input), "polygon on FlowJo 9 log axes counted")
    #expect(log.kind == .unsupportedTransform && log.node == ["Cells", "FL2+"])
  }

  @Test func olderThan9IsDecidedByTheVersionList() {
    #expect(!Self.olderThan9("; 9.2", nil) && Self.olderThan9("; 8.8.7; 9.2", "9.2") && Self.olderThan9(nil, "8.7"))
    #expect(!Self.olderThan9(nil, "9.3.2") && Self.olderThan9(nil, nil))
  }

  static func olderThan9(_ list: String?, _ version: String?) -> Bool {
    let xml = #"<Workspace version="2.0" \#(list.map { "versionList=\"\($0)\"" } ?? "") \#(version.map { "flowJoVersion=\"\($0)\"" } ?? "")><SampleList><Sample sampleID="1"><Parameter name="FSC-H" log="0" highValue="4096"/><SampleNode name="a" sampleID="1"/></Sample></SampleList></Workspace>"#
    guard let ws = try? FlowJoWorkspace(data: Data(xml.utf8)), case .flowJo9(let p)? = ws.samples.first?.transform(for: "FSC-H") else {
      return false
    }
    return !p.gateUnitsKnown
  }
}
