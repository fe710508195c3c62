import CytoClinical
import CytoCore
import CytoFCS
import CytoGating
import CytoTestSupport
import CytoTransforms
import Foundation
import Testing

/// One truth file of the ISAC Gating-ML 2.0 compliance suite.
struct ComplianceCase: CustomTestStringConvertible, Sendable {
  var set: String
  var xml: String
  var fcs: String
  var gateID: String
  var resultsFile: String
  var expectedInGate: Int
  var testDescription: String { "\(set)/\(gateID)" }

  static let all: [ComplianceCase] = {
    guard let map = TestData.shared("gatingml2/TEST_MAP.tsv"), let text = try? String(contentsOf: map, encoding: .utf8) else { return [] }
    return text.split(separator: "\n").dropFirst().compactMap { line in
      let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      guard f.count >= 7, let n = Int(f[6]) else { return nil }
      return ComplianceCase(set: f[0], xml: f[1], fcs: f[2], gateID: f[3], resultsFile: f[4], expectedInGate: n)
    }
  }()
}

/// Gating results per set, computed once (sets share files and strategies).
enum ComplianceRuns {
  struct Run: Sendable {
    var result: GatingResult?
    var error: String?
  }

  static let runs: [String: Run] = {
    var out: [String: Run] = [:]
    let sets = Dictionary(grouping: ComplianceCase.all, by: \.set)
    for (set, cases) in sets {
      do {
        let c = cases[0]
        let fcsURL = try #require(TestData.shared("gatingml2/FCSFiles/\(c.fcs)"))
        let ds = try FCSFile(contentsOf: fcsURL.path).dataSets[0]
        let strategy: GatingStrategy
        if set == "set_6" {
          strategy = try Set6.strategy()
        } else {
          strategy = try GatingML.read(contentsOf: try #require(TestData.shared("gatingml2/Gating-MLFiles/\(c.xml)")).path)
        }
        out[set] = Run(result: try GatingEngine.evaluate(strategy, on: GatingInput(ds)), error: nil)
      } catch {
        out[set] = Run(result: nil, error: "\(error)")
      }
    }
    return out
  }()
}

@Suite("Gating-ML 2.0 compliance suite", .enabled(if: TestData.sharedAvailable))
struct GatingMLComplianceTests {
  @Test func allTruthFilesAreListed() {
    #expect(ComplianceCase.all.count == 213)
  }

  @Test("event-for-event membership", arguments: ComplianceCase.all)
  func membership(_ c: ComplianceCase) throws {
    let run = try #require(ComplianceRuns.runs[c.set])
    let result = try #require(run.result, "set \(c.set) failed: \(run.error ?? "")")
    let url = try #require(TestData.shared("gatingml2/ExpectedResults/\(c.set)/\(c.resultsFile)"))
    let truth = try String(contentsOf: url, encoding: .utf8).split(whereSeparator: \.isNewline).map { $0 == "1" }
    // flowUtils names the complement operand it builds for NOT "Not_<id>" (suite README).
    var mask: EventMask
    if c.gateID.hasPrefix("Not_"), result.masks[GateID(c.gateID)] == nil {
      mask = try #require(result.masks[GateID(String(c.gateID.dropFirst(4)))]).complement()
    } else {
      mask = try #require(result.masks[GateID(c.gateID)], "no population \(c.gateID)")
    }
    #expect(truth.count == result.eventCount)
    let want = EventMask(truth)
    let diff = mask.union(want).intersection(mask.intersection(want).complement())
    #expect(diff.setCount == 0, "\(c.set)/\(c.gateID): \(diff.setCount) events differ, first \(diff.indices.prefix(5)); in gate \(mask.setCount), truth \(want.setCount)")
    #expect(want.setCount == c.expectedInGate)
  }

  @Test("export then import gives identical memberships", arguments: ["gates1.xml", "gates2.xml", "gates3.xml", "gates4.xml", "gates5.xml"])
  func exportRoundTrip(_ xml: String) throws {
    let path = try #require(TestData.shared("gatingml2/Gating-MLFiles/\(xml)")).path
    let s = try GatingML.read(contentsOf: path)
    let back = try GatingML.read(Data(try GatingML.write(s).utf8))
    #expect(back == s)
    let fcs = xml == "gates1.xml" ? "data1.fcs" : xml == "gates2.xml" ? "data2.fcs" : "9399_1_3_NKR.fcs"
    let ds = try FCSFile(contentsOf: try #require(TestData.shared("gatingml2/FCSFiles/\(fcs)")).path).dataSets[0]
    let a = try GatingEngine.evaluate(s, on: GatingInput(ds)), b = try GatingEngine.evaluate(back, on: GatingInput(ds))
    #expect(a.masks == b.masks)
  }
}

/// Set 6 has no XML: its gates are built from the definitions in the suite README.
enum Set6 {
  static func strategy() throws -> GatingStrategy {
    let unc = CompensationReference.uncompensated, fcs = CompensationReference.fileSpillover
    func ch(_ n: String, _ c: CompensationReference = .uncompensated, _ t: String? = nil) -> GateDimension {
      .channel(ChannelName(n), compensation: c, transform: t)
    }
    func quad(_ id: String, _ x: GateDimension, _ xv: Double, _ y: GateDimension, _ yv: Double, names: String) -> Gate {
      let d1 = QuadrantDivider(id: "\(id)_x", dimension: x, values: [xv])
      let d2 = QuadrantDivider(id: "\(id)_y", dimension: y, values: [yv])
      let qs = [("NN", xv - 1, yv - 1), ("NP", xv - 1, yv + 1), ("PN", xv + 1, yv - 1), ("PP", xv + 1, yv + 1)].map {
        Quadrant(id: GateID("\(names).\($0.0)"), positions: [d1.id: $0.1, d2.id: $0.2])
      }
      return Gate(id: GateID(id), shape: .quadrant(dividers: [d1, d2], quadrants: qs))
    }
    let transforms = [
      Transformation(id: "asinh1", kind: .scale(.fasinh(try ArcsinhParameters(t: 1000, m: 4.5, a: 0)))),
      Transformation(id: "logicle1", kind: .scale(.logicle(try LogicleParameters(t: 1000, w: 0.5, m: 4.5, a: 0)))),
      Transformation(id: "asinh2", kind: .scale(.fasinh(try ArcsinhParameters(t: 1000, m: 4, a: 0)))),
      Transformation(id: "logicle2", kind: .scale(.logicle(try LogicleParameters(t: 1000, w: 0.3, m: 4.5, a: 0)))),
      Transformation(id: "ratio1", kind: .ratio(try RatioTransform(a: 1, b: 0, c: 0), numerator: "FSC-A", denominator: "SSC-A")),
      Transformation(id: "ratio2", kind: .ratio(try RatioTransform(a: 1, b: 0, c: 0), numerator: "FSC-A", denominator: "APC-A")),
      Transformation(id: "asinh3", kind: .scale(.fasinh(try ArcsinhParameters(t: 1000, m: 4.5, a: 0)))),
      Transformation(id: "gml15", kind: .scale(.gml15Asinh(try ScaledArcsinhParameters(a: 1, b: 1)))),
    ]
    let rg1 = Gate(id: "rg1", shape: .rectangle([RectangleSide(ch("FSC-A"), min: 200, max: 16000), RectangleSide(ch("SSC-A"), min: 0, max: 34000)]))
    let rg2 = Gate(id: "rg2", shape: .rectangle([RectangleSide(ch("PE-A"), min: 100, max: 8000), RectangleSide(ch("APC-Cy7-A"), min: 0, max: 59000)]))
    let gates: [Gate] = [
      quad("myQuad", ch("FSC-A"), 15000, ch("SSC-A"), 16000, names: "myQuad"),
      quad("myCompQuad", ch("PE-A", fcs), 100, ch("PerCP-Cy5-5-A", fcs), 200, names: "myCompQuad"),
      quad("myTrQuad", ch("APC-A", unc, "asinh1"), 0.5, ch("APC-Cy7-A", unc, "logicle1"), 0.5, names: "myTrQuad"),
      quad("myTr!Comp Quad", ch("APC-A", fcs, "asinh2"), 0.5, ch("APC-Cy7-A", fcs, "logicle2"), 0.5, names: "myTr.Comp.Quad"),
      Gate(id: "gate1", shape: .rectangle([RectangleSide(GateDimension(.ratio("ratio1")), min: 0.8, max: 1.4)])),
      Gate(id: "gate2", shape: .rectangle([RectangleSide(GateDimension(.ratio("ratio2"), transform: "asinh3"), min: 0.6, max: 1.3)])),
      Gate(id: "gateAsinhGml1.5", shape: .rectangle([RectangleSide(ch("APC-A", unc, "gml15"), min: 0.3, max: 4.7)])),
      rg1, rg2,
      Gate(id: "orGate", shape: .boolean(.or([BooleanOperand("rg1"), BooleanOperand("rg2")]))),
      Gate(id: "andGate", shape: .boolean(.and([BooleanOperand("rg1"), BooleanOperand("rg2")]))),
      Gate(id: "notGate", shape: .boolean(.not(BooleanOperand("rg1")))),
      Gate(id: "parentGate", parent: "rg2", shape: rg1.shape),
    ]
    return try GatingStrategy(transformations: transforms, gates: gates)
  }
}

/// Hostile or broken Gating-ML documents are refused with the line, never parsed further:
/// the reader shares the FlowJo workspace reader's XML checks.
@Suite struct GatingMLHostileInputTests {
  static let gate = """
    <?xml version="1.0" encoding="UTF-8"?>
    <gating:Gating-ML xmlns:gating="http://www.isac-net.org/std/Gating-ML/v2.0/gating" xmlns:data-type="http://www.isac-net.org/std/Gating-ML/v2.0/datatypes">
      <gating:RectangleGate gating:id="R">
        <gating:dimension gating:min="1"><data-type:fcs-dimension data-type:name="FSC-A"/></gating:dimension>
      </gating:RectangleGate>
    </gating:Gating-ML>
    """

  @Test func wellFormedDocumentReads() throws {
    #expect(try GatingML.read(Data(Self.gate.utf8)).gates.count == 1)
  }

  @Test func dtdEntitiesEncodingsAndTruncationAreRefused() {
    let xxe = Self.gate.replacingOccurrences(of: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
      with: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE g [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n")
    let e1 = #expect(throws: GatingMLError.self) { try GatingML.read(Data(xxe.utf8), file: "x.xml") }
    #expect(e1?.line == 2 && e1?.element == "!DOCTYPE" && e1?.file == "x.xml")
    let truncated = String(Self.gate.prefix(Self.gate.count - 60))
    let e2 = #expect(throws: GatingMLError.self) { try GatingML.read(Data(truncated.utf8)) }
    #expect(e2?.message.contains("truncated") == true || e2?.message.contains("well-formed") == true)
    var utf16 = Data([0xFF, 0xFE])
    utf16.append(Self.gate.data(using: .utf16LittleEndian)!)
    let e3 = #expect(throws: GatingMLError.self) { try GatingML.read(utf16) }
    #expect(e3?.message.contains("UTF-8") == true)
  }
}
