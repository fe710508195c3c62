import CytoCore
import CytoGating
import CytoTestSupport
import CytoTransforms
@testable import CytoWorkspace
import Foundation
import Testing

/// `WorkspaceWriter` on a hand-made strategy: odd names escaped, Boolean nodes, quadrants,
/// compensated logicle polygons, the refusals, and the atomic write.
@Suite("FlowJo workspace export, hand-made")
struct WorkspaceExportEdgeTests {
  static let channels: [ChannelName] = ["FL1-A", "FL2-A", "FSC-A"]
  static let spill = SpilloverMatrix(channels: ["FL1-A", "FL2-A"], values: [1, 0.12, 0.05, 1])

  /// 3000 pseudo-random events over −200…9000 (fluorescence) and 0…250000 (scatter).
  static var input: GatingInput {
    var state: UInt64 = 42
    func next() -> Float {
      state = state &* 6364136223846793005 &+ 1442695040888963407
      return Float(Double(state >> 11) / Double(1 << 53))
    }
    let n = 3000
    var cols: [Float] = []
    for c in 0..<3 { for _ in 0..<n { cols.append(c == 2 ? next() * 250_000 : next() * 9200 - 200) } }
    return GatingInput(channels: channels, events: EventMatrix(eventCount: n, channelCount: 3, columnMajor: cols), fileSpillover: spill)
  }

  static let oddName = "A<&\"'> 1"

  static func strategy(extra: [Gate] = []) throws -> GatingStrategy {
    let logicle = Transformation(id: "L", kind: .scale(.logicle(try LogicleParameters(t: 10_000, w: 0.5, m: 4.5, a: 0))))
    let fl1 = GateDimension.channel("FL1-A", compensation: .fileSpillover, transform: "L")
    let fl2 = GateDimension.channel("FL2-A", compensation: .fileSpillover, transform: "L")
    let fsc = GateDimension.channel("FSC-A")
    let gates = [
      Gate(id: GateID(oddName), shape: .rectangle([RectangleSide(fsc, min: 20_000, max: 200_000)])),
      Gate(id: "Poly", parent: GateID(oddName), shape: .polygon(x: fl1, y: fl2, vertices: [
        Vertex(0.2, 0.2), Vertex(0.9, 0.3), Vertex(0.8, 0.95), Vertex(0.3, 0.7),
      ])),
      Gate(id: "Quad", parent: GateID(oddName), shape: .quadrant(
        dividers: [QuadrantDivider(id: "dx", dimension: fl1, values: [0.55]), QuadrantDivider(id: "dy", dimension: fl2, values: [0.6])],
        quadrants: [Quadrant(id: "Q1", positions: ["dx": 0, "dy": 1]), Quadrant(id: "Q2", positions: ["dx": 1, "dy": 1]),
                    Quadrant(id: "Q3", positions: ["dx": 1, "dy": 0]), Quadrant(id: "Q4", positions: ["dx": 0, "dy": 0])])),
      Gate(id: "Both", parent: GateID(oddName), shape: .boolean(.and([BooleanOperand("Poly"), BooleanOperand("Q2")]))),
      Gate(id: "Either", parent: GateID(oddName), shape: .boolean(.or([BooleanOperand("Poly"), BooleanOperand("Q4")]))),
      Gate(id: "NotPoly", parent: GateID(oddName), shape: .boolean(.not(BooleanOperand("Poly")))),
    ]
    return try GatingStrategy(transformations: [logicle], gates: gates + extra)
  }

  static func sample(_ strategy: GatingStrategy, file: String = "/data/run <1> & \"x\" 'y'.fcs",
                     keywords: [WorkspaceKeyword]? = nil) throws -> (WorkspaceExportSample, GatingResult) {
    let input = Self.input
    let result = try GatingEngine.evaluate(strategy, on: input)
    var counts: [GateID: Int] = [:]
    for id in strategy.populations { counts[id] = result.count(id) }
    let kw = keywords ?? [WorkspaceKeyword(name: "$FIL", value: "run <1> & \"x\" 'y'.fcs"), WorkspaceKeyword(name: "$TOT", value: "3000"),
                          WorkspaceKeyword(name: "$PAR", value: "3"), WorkspaceKeyword(name: "NOTE", value: "line 1\nline 2\ttab\r")]
    let s = WorkspaceExportSample(file: file, keywords: kw, channelRanges: ["FL1-A": 10_000, "FL2-A": 10_000, "FSC-A": 262_144],
                                  spillover: spill, eventCount: input.events.eventCount, strategy: strategy, counts: counts)
    return (s, result)
  }

  @Test func oddNamesBooleanNodesAndQuadrantsReadBackWithTheEngineCounts() throws {
    let strategy = try Self.strategy()
    let (s, result) = try Self.sample(strategy)
    let xml = try WorkspaceWriter.document([s])
    #expect(xml.contains("name=\"A&lt;&amp;&quot;&apos;&gt; 1\""))
    #expect(xml.contains("value=\"line 1&#10;line 2&#9;tab&#13;\""))
    let back = try #require(try FlowJoWorkspace(data: Data(xml.utf8)).samples.first)
    #expect(back.name == "run <1> & \"x\" 'y'.fcs" && back.fil == "run <1> & \"x\" 'y'.fcs")
    #expect(back.dataSetFileName == "run <1> & \"x\" 'y'.fcs")
    #expect(back.keyword("NOTE") == "line 1\nline 2\ttab\r")
    let names = back.allPopulations.map(\.path)
    #expect(names.contains([Self.oddName, "Q3"]) && names.contains([Self.oddName, "Both"]))
    let both = try #require(back.population(at: [Self.oddName, "Both"]))
    #expect(both.definition == .boolean(.and([[Self.oddName, "Poly"], [Self.oddName, "Q2"]])))
    let counts = try FlowJoCounter(sample: back, mode: .exact).count(Self.input)
    for id in strategy.populations {
      let path = try #require(strategy.path(of: id)).components
      let p = try #require(counts.populations.first { $0.path == path })
      #expect(p.count == result.count(id), "\(path)")
      #expect(p.difference == 0)
    }
    #expect(result.count("Poly")! > 100 && result.count("Both")! > 10)
  }

  /// FlowJo's grid is not measured on logicle axes: under `.flowJo` the exported polygons are
  /// tested in exact geometry (the counts `analyze` gave) and each says why.
  @Test func flowJoGeometryTestsLogiclePolygonsExactlySaying() throws {
    let (s, _) = try Self.sample(try Self.strategy())
    let back = try #require(try FlowJoWorkspace(data: Data(try WorkspaceWriter.document([s]).utf8)).samples.first)
    let grid = try FlowJoCounter(sample: back, mode: .flowJo).count(Self.input)
    let exact = try FlowJoCounter(sample: back, mode: .exact).count(Self.input)
    #expect(grid.populations.map(\.count) == exact.populations.map(\.count))
    let polygons = grid.populations.filter { $0.typeName == "PolygonGate" }
    #expect(!polygons.isEmpty && polygons.allSatisfy { $0.exactGeometryReason?.contains("logicle") == true })
  }

  @Test func whatFlowJoCannotStateIsRefusedNamingThePopulation() throws {
    let fsc = GateDimension.channel("FSC-A")
    let ellipse = Gate(id: "E", shape: .ellipsoid(dimensions: [fsc, GateDimension.channel("FL1-A")], mean: [1, 1],
                                                 covariance: [[1, 0], [0, 1]], distanceSquare: 1))
    var caught: WorkspaceExportError? = nil
    let withEllipse = try Self.sample(try Self.strategy(extra: [ellipse])).0
    do { _ = try WorkspaceWriter.document([withEllipse]) } catch { caught = error }
    let error = try #require(caught)
    #expect(error.kind == .unsupportedGate && error.population == "E" && error.sample == "/data/run <1> & \"x\" 'y'.fcs")

    let slash = Gate(id: "a/b", shape: .rectangle([RectangleSide(fsc, min: 1)]))
    #expect { try WorkspaceWriter.document([try Self.sample(try Self.strategy(extra: [slash])).0]) } throws: {
      ($0 as? WorkspaceExportError)?.kind == .invalidName
    }
    let bell = [WorkspaceKeyword(name: "BAD", value: "ring\u{07}")]
    #expect { try WorkspaceWriter.document([try Self.sample(try Self.strategy(), keywords: bell).0]) } throws: {
      ($0 as? WorkspaceExportError)?.kind == .unrepresentableText
    }
    let a = try Self.sample(try Self.strategy(), file: "/one/x.fcs").0, b = try Self.sample(try Self.strategy(), file: "/two/x.fcs").0
    #expect { try WorkspaceWriter.document([a, b]) } throws: { ($0 as? WorkspaceExportError)?.kind == .duplicateSample }
  }

  @Test func writeIsAtomic() throws {
    let dir = try CLIRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("out.wsp").path
    try Data("previous".utf8).write(to: URL(fileURLWithPath: path))
    // A document that cannot be made leaves the old file and no temporary file.
    let bad = Gate(id: "a/b", shape: .rectangle([RectangleSide(GateDimension.channel("FSC-A"), min: 1)]))
    #expect(throws: WorkspaceExportError.self) { try WorkspaceWriter.write([try Self.sample(try Self.strategy(extra: [bad])).0], to: path) }
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "previous")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.wsp"])
    // A folder that does not exist: an io error, nothing written.
    let missing = dir.appendingPathComponent("no/such/dir/out.wsp").path
    #expect { try WorkspaceWriter.write([try Self.sample(try Self.strategy()).0], to: missing) } throws: {
      ($0 as? WorkspaceExportError)?.kind == .io
    }
    // Success replaces the file with a workspace the reader accepts.
    try WorkspaceWriter.write([try Self.sample(try Self.strategy()).0], to: path)
    #expect(try FlowJoWorkspace(contentsOf: path).samples.count == 1)
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.wsp"])
  }

  @Test func dataBoundIsTheExactCrossingOfTheTransform() throws {
    let t = ScaleTransform.logicle(try LogicleParameters(t: 262_144, w: 0.5, m: 4.5, a: 0))
    for bound in [0.0, 0.1234567, 0.5, 0.987654321] {
      let x = try WorkspaceThreshold.dataBound(t, bound, population: "p")
      #expect(t.forward(x) >= bound && t.forward(x.nextDown) < bound, "\(bound)")
    }
  }
}
