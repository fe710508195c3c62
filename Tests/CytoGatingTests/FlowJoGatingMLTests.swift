import CytoClinical
import CytoCore
import CytoFCS
import CytoGating
import CytoTestSupport
import Foundation
import Testing

/// FlowJo's Gating-ML 2.0 export dialect (docs/flowjo.md): detection, `Comp-X` resolved against
/// the file's spillover (or a typed error), `eventsInside="0"` as the complement. Hand-made
/// fixtures in testdata/gating (README there) on files built here; the real export in
/// FlowJoGatingML68983Tests.
@Suite("FlowJo Gating-ML export dialect")
struct FlowJoGatingMLTests {
  static let comp = TestData.project("gating/flowjo-export-comp.xml").path
  static let outside = TestData.project("gating/flowjo-export-outside.xml").path

  /// FSC-A, SSC-A, FL1-A, FL2-A; `spillover` adds a `$SPILLOVER` over FL1-A and FL2-A.
  static func input(events: [[Double]], names: [String] = ["FSC-A", "SSC-A", "FL1-A", "FL2-A"],
                    spillover: String? = nil) throws -> GatingInput {
    var b = FCSBuilder(parameters: names.count, events: events)
    b.names = names
    if let spillover { b.extra = [("$SPILLOVER", spillover)] }
    return try GatingInput(FCSFile(bytes: b.build()).dataSets[0])
  }

  /// Seeded events: FSC/SSC uniform in 0…1000, FL1/FL2 spread around a spillover of 0.2 / 0.05.
  static func events(_ n: Int, seed: UInt64) -> [[Double]] {
    var rng = SeededGenerator(seed: seed)
    return (0..<n).map { _ in
      let t1 = Double.random(in: -500...3000, using: &rng), t2 = Double.random(in: -500...3000, using: &rng)
      // Observed = true × S with S = [[1, 0.2], [0.05, 1]] (rows: fluorochromes FL1, FL2).
      return [Double.random(in: 0...1000, using: &rng), Double.random(in: 0...1000, using: &rng),
              (t1 + 0.05 * t2).rounded(), (0.2 * t1 + t2).rounded()]
    }
  }

  static func inPolygon(_ x: Double, _ y: Double, _ v: [(Double, Double)]) -> Bool {
    var inside = false
    var j = v.count - 1
    for i in v.indices {
      let (xi, yi) = v[i], (xj, yj) = v[j]
      if (yi > y) != (yj > y), x < (xj - xi) * (y - yi) / (yj - yi) + xi { inside.toggle() }
      j = i
    }
    return inside
  }

  @Test func flowJoAttributesMarkTheDialect() throws {
    let s = try GatingML.read(contentsOf: Self.comp)
    guard case .flowJoExport(let e) = s.dialect else { Issue.record("not read as a FlowJo export"); return }
    #expect(e.compensatedNames == ["Comp-FL1-A", "Comp-FL2-A"])
    #expect(e.ignoredAttributes == ["annoOffsetX", "annoOffsetY", "gateResolution", "isTinted", "lineWeight", "percentX",
                                    "percentY", "quadId", "tint", "userDefined"])
    #expect(e.outsideGates.isEmpty)
    let panel = try GatingML.read(contentsOf: TestData.project("gating/panel-strategy.xml").path)
    #expect(panel.dialect == .standard)
  }

  /// Without FlowJo's attributes a `Comp-` name is a channel name like any other: the standard
  /// reading (and its error) is unchanged.
  @Test func standardDocumentKeepsComp() throws {
    let xml = try String(contentsOfFile: Self.comp, encoding: .utf8)
      .replacingOccurrences(of: #" (eventsInside|annoOffset[XY]|tint|isTinted|lineWeight|userDefined|quadId|gateResolution|percent[XY])="[^"]*""#,
                            with: "", options: .regularExpression)
    let s = try GatingML.read(Data(xml.utf8))
    #expect(s.dialect == .standard)
    let input = try Self.input(events: Self.events(100, seed: 1), spillover: "2,FL1-A,FL2-A,1,0.2,0.05,1")
    let e = #expect(throws: GatingStrategyError.self) { try GatingEngine.evaluate(s, on: input) }
    #expect(e == .missingChannel("Comp-FL1-A", needed: "gate ID2", available: input.channels))
  }

  @Test func compWithoutSpilloverNamesGateAndDimension() throws {
    let s = try GatingML.read(contentsOf: Self.comp)
    let input = try Self.input(events: Self.events(100, seed: 2))
    let e = #expect(throws: GatingStrategyError.self) { try GatingEngine.evaluate(s, on: input) }
    guard case .unresolvedFlowJoDimension(let dim, let gate, let why, let channels)? = e else {
      Issue.record("unexpected error \(String(describing: e))"); return
    }
    #expect(dim == "Comp-FL1-A" && gate == "ID2" && channels == input.channels)
    #expect(why.contains("the file has no spillover matrix"))
    let text = try #require(e).description
    #expect(text.hasPrefix("gate ID2: dimension Comp-FL1-A (FlowJo Gating-ML export"), "\(text)")
    #expect(text.hasSuffix("channels: FSC-A, SSC-A, FL1-A, FL2-A"), "\(text)")
  }

  @Test func compWithoutTheChannelNamesGateAndDimension() throws {
    let s = try GatingML.read(contentsOf: Self.comp)
    let input = try Self.input(events: Self.events(100, seed: 3), names: ["FSC-A", "SSC-A", "FL1-A", "FL3-A"],
                               spillover: "2,FL1-A,FL3-A,1,0.2,0.05,1")
    let e = #expect(throws: GatingStrategyError.self) { try GatingEngine.evaluate(s, on: input) }
    #expect(e == .unresolvedFlowJoDimension("Comp-FL2-A", gate: "ID2", reason: "neither Comp-FL2-A nor FL2-A is a channel of the file",
                                            available: input.channels))
  }

  /// Comp-X is X compensated with the file's `$SPILLOVER`: counts equal rectangles and the
  /// polygon tested on values compensated here with the matrix inverse.
  @Test func compIsTheChannelCompensatedWithTheFileSpillover() throws {
    let ev = Self.events(5000, seed: 4)
    let input = try Self.input(events: ev, spillover: "2,FL1-A,FL2-A,1,0.2,0.05,1")
    let r = try GatingEngine.evaluate(try GatingML.read(contentsOf: Self.comp), on: input)
    // S = [[1, 0.2], [0.05, 1]]; true = observed × S⁻¹.
    let det = 1 - 0.2 * 0.05
    func comp(_ e: [Double]) -> (Double, Double) { ((e[2] - 0.05 * e[3]) / det, (e[3] - 0.2 * e[2]) / det) }
    let g1 = ev.filter { $0[0] >= 100 && $0[0] < 900 }
    let g2 = g1.filter { let (a, b) = comp($0); return a >= 500 && a < 100_000 && b >= -1000 && b < 300 }
    let g3 = g1.filter { let (a, b) = comp($0); return Self.inPolygon(a, b, [(-1000, 500), (400, 500), (400, 5000), (-1000, 5000)]) }
    #expect(r.count("ID1") == g1.count && r.count("ID2") == g2.count && r.count("ID3") == g3.count)
    #expect(g2.count > 100 && g3.count > 100)
    // Uncompensated, ID2 would differ: the test can tell.
    #expect(g1.filter { $0[2] >= 500 && $0[2] < 100_000 && $0[3] >= -1000 && $0[3] < 300 }.count != g2.count)
    let notes = r.diagnostics.map(\.message)
    #expect(notes.contains("FlowJo Gating-ML export: Comp-FL1-A, Comp-FL2-A read as FL1-A, FL2-A compensated with the file's $SPILLOVER"))
    #expect(r.diagnostics.allSatisfy { $0.severity == .note } && r.diagnostics.count == 2)
    // The resolved strategy is standard Gating-ML on the stripped names.
    #expect(r.strategy.dialect == .standard)
    #expect(r.strategy.gate("ID3")?.shape.dimensions.map(\.compensation) == [.fileSpillover, .fileSpillover])
  }

  /// A file FlowJo wrote compensated has channels named `Comp-X`: they are read as stored.
  @Test func compChannelsInTheFileAreReadAsStored() throws {
    let ev = Self.events(500, seed: 5)
    let input = try Self.input(events: ev, names: ["FSC-A", "SSC-A", "Comp-FL1-A", "Comp-FL2-A"])
    let r = try GatingEngine.evaluate(try GatingML.read(contentsOf: Self.comp), on: input)
    let g1 = ev.filter { $0[0] >= 100 && $0[0] < 900 }
    #expect(r.count("ID2") == g1.filter { $0[2] >= 500 && $0[2] < 100_000 && $0[3] >= -1000 && $0[3] < 300 }.count)
    #expect(r.diagnostics.contains { $0.code.rawValue == "gating.flowjo.storedCompensated" })
  }

  /// `eventsInside="0"`: the parent's events outside the shape; children gate within it.
  @Test func eventsInsideZeroSelectsTheOutside() throws {
    let s = try GatingML.read(contentsOf: Self.outside)
    guard case .flowJoExport(let e) = s.dialect else { Issue.record("not read as a FlowJo export"); return }
    #expect(e.outsideGates == ["NotDebris", "NotMiddle"])
    #expect(s.gate("NotDebris")?.region == .outside && s.gate("HighSSC")?.region == .inside)
    let ev = Self.events(5000, seed: 6)
    let r = try GatingEngine.evaluate(s, on: try Self.input(events: ev))
    let notDebris = ev.filter { !Self.inPolygon($0[0], $0[1], [(0, 0), (300, 0), (0, 300)]) }
    let notMiddle = notDebris.filter { !($0[0] >= 400 && $0[0] < 600) }
    let high = notMiddle.filter { $0[1] >= 500 }
    #expect(r.count("NotDebris") == notDebris.count && r.count("NotMiddle") == notMiddle.count && r.count("HighSSC") == high.count)
    #expect(notDebris.count < ev.count && notMiddle.count < notDebris.count)
    #expect(r.diagnostics.map(\.message).contains("FlowJo Gating-ML export: gate(s) NotDebris, NotMiddle select the events outside their shape (eventsInside=\"0\")"))
    // Standard Gating-ML cannot say it: writing refuses rather than dropping the complement.
    #expect(throws: GatingMLError.self) { try GatingML.write(r.strategy) }
  }

  @Test func eventsInsideMustBeZeroOrOne() throws {
    let xml = try String(contentsOfFile: Self.outside, encoding: .utf8).replacingOccurrences(of: #"eventsInside="0""#, with: #"eventsInside="no""#)
    let e = #expect(throws: GatingMLError.self) { try GatingML.read(Data(xml.utf8), file: "x.xml") }
    #expect(e?.description == "x.xml: line 4: <gating:PolygonGate>: eventsInside=\"no\" must be 0 or 1")
  }
}
