import CytoCore
import CytoGating
import CytoTestSupport
import CytoWorkspace
import Foundation
import Testing

/// The hand-made workspaces in testdata/workspace/: Boolean nodes, a complement, compensation
/// forms and transforms the shared files lack, and one malformed file per error kind.
@Suite("Hand-made FlowJo workspaces")
struct HandMadeWorkspaceTests {
  static func path(_ name: String) -> String { TestData.project("workspace/\(name)").path }

  static func read(_ name: String) throws -> FlowJoWorkspace { try FlowJoWorkspace(contentsOf: path(name)) }

  @Test func booleanNodesComplementAndCompensationForms() throws {
    let ws = try Self.read("boolean-and-complement.wsp")
    #expect(ws.flowJoVersion == "10.8.1")
    let m = try #require(ws.matrices.first)
    #expect(m.origin == .workspace(name: "My matrix"))
    #expect(m.spillover.values == [1, 0.25, 0.03, 1])
    #expect(m.compensatedName(of: "FL2-A") == "Comp-FL2-A" && m.detector(forCompensatedName: "Comp-FL9-A") == nil)
    let s = try #require(ws.samples.first)
    #expect(s.id == SampleID("7") && s.name == "Tube 1" && s.fil == "tube 1.fcs" && s.dataSetFileName == "tube 1.fcs")
    #expect(s.transform(for: "Comp-FL1-A") == .log(offset: 1, decades: 4.5))
    #expect(s.transform(for: "Comp-FL2-A") == .logicle(t: 262_144, w: 0.5, m: 4.5, a: 0))
    #expect(s.transform(for: "FJComp-FL3-A") == .hyperlog(t: 262_144, w: 1, m: 4.5, a: 0))

    #expect(s.allPopulations.map(\.path) == [["Cells"], ["Cells", "Not debris"], ["Cells", "530+"],
                                              ["Cells", "Both"], ["Cells", "Either"], ["Cells", "Not 530+"]])
    let cells = try #require(s.population(at: ["Cells"]))
    #expect(cells.statistics == ["Median"] && cells.owningGroup == "Panel" && cells.savedCount == .events(900))
    // A 1-D range with an open top, on a compensated channel with a log transform.
    guard case .gate(let g1) = cells.definition, case .rectangle(let r) = g1.shape else { Issue.record("Cells"); return }
    #expect(r == [WorkspaceRange(WorkspaceDimension(parameter: "Comp-FL1-A", channel: "FL1-A",
                                                    compensation: .matrix(id: "m-1", origin: .workspace(name: "My matrix")),
                                                    transform: .log(offset: 1, decades: 4.5)), min: 100, max: nil)])
    // eventsInside="0": the complement of the polygon; FJComp- is already compensated in the file.
    guard case .gate(let g2) = try #require(s.population(at: ["Cells", "Not debris"])).definition,
          case .polygon(let x, let y, let v) = g2.shape else { Issue.record("Not debris"); return }
    #expect(g2.region == .outside && g2.resolution == 256 && g2.parentID == "G1")
    #expect(x.channel == "FL2-A" && y.compensation == .precompensatedInFile && y.channel == "FJComp-FL3-A")
    #expect(v == [Vertex(0, 0), Vertex(500, 0), Vertex(250.5, -40)])
    // FlowJo's `/` → `_` spelling: the gate names "530_30" for the FCS channel "530/30".
    guard case .gate(let g3) = try #require(s.population(at: ["Cells", "530+"])).definition else { Issue.record("530+"); return }
    let fcsName = ChannelName(try #require(s.keyword("$P4N")))
    #expect(g3.shape.dimensions[0].parameter == WorkspaceDimension.flowJoSpelling(of: fcsName))
    #expect(g3.shape.dimensions[0].transform == nil)  // no entry: FlowJo shows it linear
    // Boolean nodes.
    let both = try #require(s.population(at: ["Cells", "Both"]))
    #expect(both.definition == .boolean(.and([["Cells", "Not debris"], ["Cells", "530+"]])))
    #expect(both.definition.typeName == "AndNode" && both.savedCount == .events(100))
    #expect(s.population(at: ["Cells", "Either"])?.definition == .boolean(.or([["Cells", "Not debris"], ["Cells", "530+"]])))
    #expect(s.population(at: ["Cells", "Either"])?.savedCount == .notComputed)
    #expect(s.population(at: ["Cells", "Not 530+"])?.definition == .boolean(.not(["Cells", "530+"])))
    #expect(s.population(at: ["Cells", "Not 530+"])?.savedCount == .absent)
    // The group template resolves Comp- against the workspace matrices, without transforms.
    let group = try #require(ws.groups.first)
    #expect(group.name == "Panel" && group.sampleIDs == [SampleID("7")])
    guard case .gate(let tg) = try #require(group.template.first).definition else { Issue.record("template"); return }
    #expect(tg.shape.dimensions[0].compensation == .matrix(id: "m-1", origin: .workspace(name: "My matrix")))
    #expect(tg.shape.dimensions[0].transform == nil)
  }

  struct Malformed: Sendable, CustomStringConvertible {
    var file: String
    var kind: WorkspaceError.Kind
    var element: String?
    var line: Int?
    var node: [String]?
    var description: String { file }
  }

  static let malformed: [Malformed] = [
    Malformed(file: "unknown-gate.wsp", kind: .unknownGate, element: "gating:SplineGate", line: 72, node: ["Cells", "Not debris"]),
    Malformed(file: "derived-parameter.wsp", kind: .derivedParameter, element: "data-type:fcs-dimension", line: 87, node: ["Cells", "530+"]),
    Malformed(file: "dtd-external-entity.wsp", kind: .documentTypeDeclaration, element: "!DOCTYPE", line: 2, node: nil),
    Malformed(file: "truncated.wsp", kind: .malformedXML, element: nil, line: nil, node: nil),
    Malformed(file: "unresolved-dependent.wsp", kind: .unresolvedDependent, element: "AndNode", line: 88, node: ["Cells", "Both"]),
    Malformed(file: "boolean-cycle.wsp", kind: .booleanCycle, element: "AndNode", line: 88, node: ["Cells", "Both"]),
  ]

  @Test(arguments: malformed)
  func malformedFileGivesTypedError(_ c: Malformed) throws {
    let path = Self.path(c.file)
    let error = try #require(throws: WorkspaceError.self) { try FlowJoWorkspace(contentsOf: path) }
    #expect(error.kind == c.kind)
    #expect(error.file == path)
    #expect(error.node == c.node)
    if let e = c.element { #expect(error.element == e) }
    if let l = c.line { #expect(error.line == l) } else { #expect(error.line != nil) }
    #expect(error.description.contains(path))
  }

  @Test func truncatedFileNamesTheLineWhereItEnds() throws {
    let error = try #require(throws: WorkspaceError.self) { try Self.read("truncated.wsp") }
    let lines = try String(contentsOfFile: Self.path("truncated.wsp"), encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
    #expect(error.line.map { $0 >= lines.count - 1 } == true, "\(error)")
  }

  @Test func otherRefusals() throws {
    func refusal(_ xml: String) throws -> WorkspaceError {
      try #require(throws: WorkspaceError.self) { try FlowJoWorkspace(data: Data(xml.utf8), file: "x.wsp") }
    }
    // 2.0 is FlowJo 9 (FlowJo9WorkspaceTests); 3.0 (FlowJo 9.7.2+) and others are refused.
    #expect(try refusal("<Workspace version=\"3.0\"/>").kind == .unsupportedVersion)
    #expect(try refusal("<Workspace version=\"1.61\"/>").kind == .unsupportedVersion)
    #expect(try refusal("<Gating-ML/>").kind == .notAWorkspace)
    #expect(try refusal("<?xml version=\"1.0\"?>\n<!DOCTYPE a [<!ENTITY b \"bbbbbbbb\"><!ENTITY c \"&b;&b;&b;&b;\">]>\n<Workspace version=\"20.0\">&c;</Workspace>").kind
            == .documentTypeDeclaration)
    var utf16 = Data([0xFF, 0xFE]); utf16.append("<Workspace/>".data(using: .utf16LittleEndian)!)
    #expect(throws: WorkspaceError.self) { try FlowJoWorkspace(data: utf16) }
    #expect(try refusal("<Workspace version=\"20.0\"><SampleList><Sample/></SampleList></Workspace>").kind == .missingValue)
    let unreadable = try #require(throws: WorkspaceError.self) { try FlowJoWorkspace(contentsOf: "/nonexistent/w.wsp") }
    #expect(unreadable.kind == .unreadable && unreadable.file == "/nonexistent/w.wsp")
  }

  /// Fuzzing regression (fuzz/run.sh, FUZZ_TARGET=workspace): one invalid UTF-8 byte in an
  /// element name made Foundation's XML parser trap. It is refused before parsing, naming the
  /// byte, its offset and line.
  @Test func invalidUTF8IsRefusedWithItsOffsetAndLine() throws {
    var data = try Data(contentsOf: URL(fileURLWithPath: Self.path("boolean-and-complement.wsp")))
    let at = try #require(data.range(of: Data("<SampleList".utf8))).lowerBound + 4
    data[at] = 0xF5
    let line = data.prefix(at).filter { $0 == 0x0A }.count + 1
    let e = try #require(throws: WorkspaceError.self) { try FlowJoWorkspace(data: data, file: "bad.wsp") }
    #expect(e.kind == .unsupportedEncoding && e.line == line && e.file == "bad.wsp")
    #expect(e.message.contains("0xF5 at byte offset \(at)"), "\(e)")
    // Also in an attribute value, and a lone continuation byte.
    for (needle, byte) in [("name=\"Cells\"", UInt8(0xC3)), ("<Workspace", UInt8(0x80))] {
      var d = try Data(contentsOf: URL(fileURLWithPath: Self.path("boolean-and-complement.wsp")))
      let i = try #require(d.range(of: Data(needle.utf8))).lowerBound + 7
      d[i] = byte
      #expect(throws: WorkspaceError.self) { try FlowJoWorkspace(data: d, file: "bad.wsp") }
    }
  }

  /// Fuzzing regression: a processing instruction without data (`<?r?>`) made Foundation's XML
  /// parser call `strlen` on a null pointer. It is refused naming the instruction and line;
  /// instructions with data still read.
  @Test func processingInstructionWithoutDataIsRefused() throws {
    for pi in ["<?r?>", "<?pi  ?>", "<??>"] {
      let xml = "<?xml version=\"1.0\"?>\n\(pi)<Workspace version=\"20.0\"/>"
      let e = try #require(throws: WorkspaceError.self) { try FlowJoWorkspace(data: Data(xml.utf8), file: "pi.wsp") }
      #expect(e.kind == .malformedXML && e.line == 2, "\(pi): \(e)")
    }
    let fine = "<?xml version=\"1.0\"?>\n<?app data?><Workspace version=\"20.0\" flowJoVersion=\"10.8.1\"><SampleList/></Workspace>"
    #expect(try FlowJoWorkspace(data: Data(fine.utf8), file: "pi.wsp").samples.isEmpty)
  }

  /// Cut anywhere before the root's end tag, the workspace is refused with a typed error (never
  /// a crash, never a partial tree).
  @Test func everyTruncationIsRefused() throws {
    let data = try Data(contentsOf: URL(fileURLWithPath: Self.path("boolean-and-complement.wsp")))
    let end = try #require(data.range(of: Data("</Workspace>".utf8))).lowerBound
    var refused = 0
    for cut in stride(from: 0, to: end, by: 7) {
      do {
        _ = try FlowJoWorkspace(data: data.prefix(cut), file: "cut-\(cut).wsp")
        Issue.record("a workspace cut at byte \(cut) was accepted")
      } catch {
        #expect(error.file == "cut-\(cut).wsp")
        refused += 1
      }
    }
    #expect(refused == (end + 6) / 7)
  }

  @Test func curlyQuadrantsKeepTheIntersectionAndSide() throws {
    let s = try #require(try Self.read("curly-quad.wsp").samples.first)
    let quads = try #require(s.population(at: ["Cells"])).children.filter { $0.definition.typeName == "CurlyQuad" }
    #expect(quads.map(\.name) == ["Q1: FL1- , FL2+", "Q2: FL1+ , FL2+", "Q3: FL1+ , FL2-", "Q4: FL1- , FL2-"])
    let positions: [QuadrantPosition] = [.upperLeft, .upperRight, .lowerRight, .lowerLeft]
    for (n, expected) in zip(quads, positions) {
      guard case .gate(let g) = n.definition, case .curlyQuadrant(let q) = g.shape else { Issue.record("\(n.name)"); continue }
      #expect(q.quadrant == expected && q.quadrant.flowJoNumber == positions.firstIndex(of: expected)! + 1)
      #expect(q.intersection == Vertex(1250.5, -30))
      #expect(q.x.channel == "FL1-A" && q.y.channel == "FL2-A" && q.y.transform == .logicle(t: 262_144, w: 0.5, m: 4.5, a: 0))
    }
  }

  @Test func gatingMLQuadrantGateIsRefusedNamingThePopulation() throws {
    var xml = try String(contentsOfFile: Self.path("curly-quad.wsp"), encoding: .utf8)
    xml = xml.replacingOccurrences(of: "gating:CurlyQuad", with: "gating:QuadrantGate")
    let error = try #require(throws: WorkspaceError.self) { try FlowJoWorkspace(data: Data(xml.utf8), file: "q.wsp") }
    #expect(error.kind == .unknownGate && error.node == ["Cells", "Q1: FL1- , FL2+"] && error.line == 90)
    xml = xml.replacingOccurrences(of: "gating:min=\"1250.5\"", with: "gating:min=\"1250.5\" gating:max=\"2000\"")
      .replacingOccurrences(of: "gating:QuadrantGate", with: "gating:CurlyQuad")
    let both = try #require(throws: WorkspaceError.self) { try FlowJoWorkspace(data: Data(xml.utf8), file: "q.wsp") }
    #expect(both.kind == .invalidValue && both.node == ["Cells", "Q2: FL1+ , FL2+"])
  }

  /// Two samples named alike, a `$TOT` that is not FlowJo's count and a group naming a missing
  /// sample are read, each with a diagnostic.
  @Test func readableOdditiesGetDiagnostics() throws {
    var xml = try String(contentsOfFile: Self.path("boolean-and-complement.wsp"), encoding: .utf8)
    let sample = try #require(xml.range(of: "    <Sample>")?.lowerBound)
    let end = try #require(xml.range(of: "    </Sample>\n")?.upperBound)
    let copy = String(xml[sample..<end]).replacingOccurrences(of: "sampleID=\"7\"", with: "sampleID=\"8\"")
      .replacingOccurrences(of: "<Keyword name=\"$TOT\" value=\"1000\"/>", with: "<Keyword name=\"$TOT\" value=\"999\"/>")
    xml.insert(contentsOf: copy, at: end)
    xml = xml.replacingOccurrences(of: "<SampleRef sampleID=\"7\"/>", with: "<SampleRef sampleID=\"7\"/><SampleRef sampleID=\"9\"/>")
    let ws = try FlowJoWorkspace(data: Data(xml.utf8), file: "d.wsp")
    #expect(ws.samples.map(\.id) == [SampleID("7"), SampleID("8")])
    #expect(ws.diagnostics.map(\.code.rawValue) == ["workspace.sample.duplicateName", "workspace.sample.countMismatch",
                                                    "workspace.group.unknownSample"])
    #expect(ws.diagnostics.allSatisfy { $0.severity == .warning })
    #expect(ws.diagnostics[0].message == "samples 7, 8 are all named \"Tube 1\"")
    #expect(ws.diagnostics[1].message == "sample 8 \"Tube 1\": $TOT is 999 but FlowJo's count is 1000")
    #expect(try Self.read("boolean-and-complement.wsp").diagnostics.isEmpty)
  }
}
