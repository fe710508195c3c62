import CytoCore
import CytoGating
import CytoTestSupport
import CytoWorkspace
import Foundation
import Testing

/// FlowJoCounter on hand-made workspaces: Boolean nodes, a complement, compensation, the
/// biex table, and the typed errors for what the rule does not cover.
@Suite("FlowJo counting, hand-made")
struct FlowJoCounterHandMadeTests {
  /// Cells = Comp-FL1-A ≥ 100; Outside = not in a linear polygon (eventsInside="0");
  /// Low = FL2-A < 500; And/Or/Not nodes over them under Cells.
  static let xml = """
    <?xml version="1.0" encoding="UTF-8"?>
    <Workspace version="20.0" flowJoVersion="10.8.1" xmlns:gating="http://www.isac-net.org/std/Gating-ML/v2.0/gating" xmlns:transforms="http://www.isac-net.org/std/Gating-ML/v2.0/transformations" xmlns:data-type="http://www.isac-net.org/std/Gating-ML/v2.0/datatypes">
      <SampleList><Sample>
        <DataSet uri="file:/C:/t.fcs" sampleID="1"/>
        <transforms:spilloverMatrix prefix="Comp-" name="M" suffix="" transforms:id="m-1">
          <data-type:parameters><data-type:parameter data-type:name="FL1-A"/><data-type:parameter data-type:name="FL2-A"/></data-type:parameters>
          <transforms:spillover data-type:parameter="FL1-A">
            <transforms:coefficient data-type:parameter="FL1-A" transforms:value="1"/>
            <transforms:coefficient data-type:parameter="FL2-A" transforms:value="0"/>
          </transforms:spillover>
          <transforms:spillover data-type:parameter="FL2-A">
            <transforms:coefficient data-type:parameter="FL1-A" transforms:value="0.5"/>
            <transforms:coefficient data-type:parameter="FL2-A" transforms:value="1"/>
          </transforms:spillover>
        </transforms:spilloverMatrix>
        <Transformations>
          <transforms:linear transforms:minRange="0" transforms:maxRange="1000" gain="1"><data-type:parameter data-type:name="FL1-A"/></transforms:linear>
          <transforms:linear transforms:minRange="0" transforms:maxRange="1000" gain="1"><data-type:parameter data-type:name="FL2-A"/></transforms:linear>
          TRANSFORM
        </Transformations>
        <SampleNode name="t.fcs" count="6" sampleID="1"><Subpopulations>
          <Population name="Cells" count="5">
            <Gate gating:id="G1"><gating:RectangleGate eventsInside="1">
              <gating:dimension gating:min="100"><data-type:fcs-dimension data-type:name="Comp-FL1-A"/></gating:dimension>
            </gating:RectangleGate></Gate>
            <Subpopulations>
              <Population name="Outside" count="-1">
                <Gate gating:id="G2" gating:parent_id="G1"><gating:PolygonGate eventsInside="0" gateResolution="256">
                  <gating:dimension><data-type:fcs-dimension data-type:name="FL1-A"/></gating:dimension>
                  <gating:dimension><data-type:fcs-dimension data-type:name="YAXIS"/></gating:dimension>
                  <gating:vertex><gating:coordinate data-type:value="0"/><gating:coordinate data-type:value="0"/></gating:vertex>
                  <gating:vertex><gating:coordinate data-type:value="600"/><gating:coordinate data-type:value="0"/></gating:vertex>
                  <gating:vertex><gating:coordinate data-type:value="600"/><gating:coordinate data-type:value="600"/></gating:vertex>
                  <gating:vertex><gating:coordinate data-type:value="0"/><gating:coordinate data-type:value="600"/></gating:vertex>
                </gating:PolygonGate></Gate>
              </Population>
              <Population name="Low" count="-1">
                <Gate gating:id="G3" gating:parent_id="G1"><gating:RectangleGate eventsInside="1">
                  <gating:dimension gating:max="500"><data-type:fcs-dimension data-type:name="FL2-A"/></gating:dimension>
                </gating:RectangleGate></Gate>
              </Population>
              <AndNode name="Both" count="-1"><Dependents><Dependent name="Cells/Outside"/><Dependent name="Cells/Low"/></Dependents></AndNode>
              <OrNode name="Either" count="-1"><Dependents><Dependent name="Cells/Outside"/><Dependent name="Cells/Low"/></Dependents></OrNode>
              <NotNode name="Not low" count="-1"><Dependents><Dependent name="Cells/Low"/></Dependents></NotNode>
            </Subpopulations>
          </Population>
        </Subpopulations></SampleNode>
      </Sample></SampleList>
    </Workspace>
    """

  static func sample(yAxis: String = "FL2-A", transform: String = "") throws -> WorkspaceSample {
    let text = xml.replacingOccurrences(of: "YAXIS", with: yAxis).replacingOccurrences(of: "TRANSFORM", with: transform)
    return try #require(try FlowJoWorkspace(data: Data(text.utf8)).samples.first)
  }

  /// Events (FL1-A, FL2-A): Comp-FL1-A = FL1-A − 0.5·FL2-A (S = [[1, 0], [0.5, 1]]).
  static let events: [(Float, Float)] = [(50, 10), (200, 100), (700, 100), (300, 700), (900, 900), (200, 300), (400, 400)]

  static var input: GatingInput {
    let cols: [Float] = events.map(\.0) + events.map(\.1)
    return GatingInput(channels: ["FL1-A", "FL2-A"], events: EventMatrix(eventCount: events.count, channelCount: 2, columnMajor: cols))
  }

  @Test func booleanNodesComplementAndCompensation() throws {
    let counts = try FlowJoCounter(sample: Self.sample()).count(Self.input)
    let m = counts.masks
    // Comp-FL1-A: 45, 150, 650, −50, 450, 50, 200 → Cells = events 1, 2, 4, 6.
    #expect(m[["Cells"]] == [false, true, true, false, true, false, true])
    // Inside the square (0…600)² on the grid: events 1 (200,100), 6 (400,400); complement within Cells.
    #expect(m[["Cells", "Outside"]] == [false, false, true, false, true, false, false])
    #expect(m[["Cells", "Low"]] == [false, true, true, false, false, false, true])
    #expect(m[["Cells", "Both"]] == [false, false, true, false, false, false, false])
    #expect(m[["Cells", "Either"]] == [false, true, true, false, true, false, true])
    #expect(m[["Cells", "Not low"]] == [false, false, false, false, true, false, false])
    #expect(counts.populations.map(\.count) == [4, 2, 3, 1, 4, 1])
    #expect(counts.populations[0].difference == -1 && counts.populations[1].difference == nil)
  }

  /// A polygon on an axis FlowJo's grid is not measured on (logicle, log, no transform) is
  /// tested in exact display geometry under `.flowJo`, and the population says so; its count is
  /// the exact-geometry count. Nothing else in the sample changes.
  @Test func polygonOnUnmeasuredAxisFallsBackToExactGeometrySaying() throws {
    let logicle = #"<transforms:logicle transforms:T="262144" transforms:W="0.5" transforms:M="4.5" transforms:A="0"><data-type:parameter data-type:name="Comp-FL2-A"/></transforms:logicle>"#
    let log = #"<transforms:log transforms:offset="1" transforms:decades="4.5"><data-type:parameter data-type:name="Comp-FL2-A"/></transforms:log>"#
    for (t, name) in [(logicle, "logicle"), (log, "log")] {
      let s = try Self.sample(yAxis: "Comp-FL2-A", transform: t)
      let grid = try FlowJoCounter(sample: s, mode: .flowJo).count(Self.input)
      let exact = try FlowJoCounter(sample: s, mode: .exact).count(Self.input)
      #expect(grid.populations.map(\.count) == exact.populations.map(\.count), "\(name)")
      let outside = try #require(grid.populations.first { $0.path == ["Cells", "Outside"] })
      #expect(outside.exactGeometryReason?.contains("Comp-FL2-A (transform \(name))") == true, "\(outside)")
      #expect(grid.populations.filter { $0.exactGeometryReason != nil }.count == 1)
      #expect(exact.populations.allSatisfy { $0.exactGeometryReason == nil })
    }
    // The log display: log10(max(x, offset) / offset), so a value below the offset sits on the
    // axis floor; the square (0…600)² then holds every event with Comp-FL2-A ≤ 600 and FL1-A ≤ 600.
    let sLog = try Self.sample(yAxis: "Comp-FL2-A", transform: log)
    let mLog = try FlowJoCounter(sample: sLog, mode: .flowJo).count(Self.input).masks
    let linear = try FlowJoCounter(sample: try Self.sample(), mode: .exact).count(Self.input).masks
    #expect(mLog[["Cells", "Outside"]] == linear[["Cells", "Outside"]])
    // No transform at all on a polygon axis: linear, tested in data units.
    let s2 = try Self.sample(yAxis: "Comp-FL2-A")
    let none = try FlowJoCounter(sample: s2).count(Self.input)
    #expect(none.populations.first { $0.path == ["Cells", "Outside"] }?.exactGeometryReason?.contains("no transform") == true)
  }

  /// Without `gateResolution` the grid FlowJo used is unknown: the polygon is tested in exact
  /// geometry under `.flowJo`, saying so, never on a guessed grid.
  @Test func polygonWithoutGateResolutionIsTestedExactlySaying() throws {
    let text = Self.xml.replacingOccurrences(of: "YAXIS", with: "FL2-A").replacingOccurrences(of: "TRANSFORM", with: "")
      .replacingOccurrences(of: #" gateResolution="256""#, with: "")
    let s = try #require(try FlowJoWorkspace(data: Data(text.utf8)).samples.first)
    let grid = try FlowJoCounter(sample: s, mode: .flowJo).count(Self.input)
    let exact = try FlowJoCounter(sample: s, mode: .exact).count(Self.input)
    #expect(grid.populations.map(\.count) == exact.populations.map(\.count) && exact.populations.count == 6)
    #expect(grid.populations.first { $0.path == ["Cells", "Outside"] }?.exactGeometryReason?.contains("no gateResolution") == true)
  }

  @Test func missingChannelIsRefused() throws {
    let t = #"<transforms:linear transforms:minRange="0" transforms:maxRange="1000" gain="1"><data-type:parameter data-type:name="FL3-A"/></transforms:linear>"#
    let s = try Self.sample(yAxis: "FL3-A", transform: t)
    let e = #expect(throws: WorkspaceCountError.self) { try FlowJoCounter(sample: s).count(Self.input) }
    #expect(e?.kind == .missingChannel)
  }

  /// docs/flowjo.md: for width −100, pos 4.418539922, neg 0 the 4096-channel table runs from
  /// −1636.28 to 262868.46; for width −10, from −132.29 to 261622.34.
  @Test func biexTableEndpoints() {
    let t = FlowJoBiexTable(FlowJoBiex(width: -100, pos: 4.418539922, neg: 0, maxRange: 262_144, length: 256))
    #expect(t.dataValues.count == 4097)
    #expect(abs(t.dataValues[0] - -1636.28) < 0.01 && abs(t.dataValues[4096] - 262_868.46) < 0.01)
    #expect(t.displayValue(-1e9) == 0 && t.displayValue(1e9) == 1)
    let t10 = FlowJoBiexTable(FlowJoBiex(width: -10, pos: 4.418539922, neg: 0, maxRange: 262_144, length: 256))
    #expect(abs(t10.dataValues[0] - -132.29) < 0.01 && abs(t10.dataValues[4096] - 261_622.34) < 0.01)
  }
}
