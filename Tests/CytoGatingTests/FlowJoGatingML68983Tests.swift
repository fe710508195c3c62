import CytoClinical
import CytoCore
import CytoFCS
import CytoGating
import CytoTestSupport
import Foundation
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

/// FlowJo's own Gating-ML export `manualGating.xml` on `68983.fcs` (../shared/testdata/flowjo/
/// flowsom_68983): every population is counted, and each count equals an evaluation made here
/// without the project's reader, compensation or kernels (XMLParser, the `SPILL` text inverted
/// by Gauss–Jordan, plain even-odd polygons and `min ≤ x < max` rectangles), so a wrong
/// compensation, prefix or complement would fail.
@Suite("FlowJo Gating-ML export on 68983.fcs")
struct FlowJoGatingML68983Tests {
  /// One gate as written in the XML.
  struct RawGate {
    var id = "", parent: String?, type = "", eventsInside = "1"
    var dims: [(name: String, min: Double?, max: Double?)] = []
    var vertices: [[Double]] = []
  }

  /// Collects gates with Foundation's XMLParser (prefixes as written by FlowJo).
  final class Collector: NSObject, XMLParserDelegate {
    var gates: [RawGate] = []
    func parser(_ p: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes a: [String: String] = [:]) {
      switch name {
      case "gating:PolygonGate", "gating:RectangleGate":
        gates.append(RawGate(id: a["gating:id"]!, parent: a["gating:parent_id"], type: name, eventsInside: a["eventsInside"] ?? "1"))
      case "gating:dimension":
        gates[gates.count - 1].dims.append(("", a["gating:min"].flatMap(Double.init), a["gating:max"].flatMap(Double.init)))
      case "data-type:fcs-dimension":
        gates[gates.count - 1].dims[gates[gates.count - 1].dims.count - 1].name = a["data-type:name"]!
      case "gating:vertex": gates[gates.count - 1].vertices.append([])
      case "gating:coordinate": gates[gates.count - 1].vertices[gates[gates.count - 1].vertices.count - 1].append(Double(a["data-type:value"]!)!)
      default: break
      }
    }
  }

  static func files() -> (fcs: String, xml: String)? {
    guard TestData.sharedAvailable, let dir = TestData.shared("flowjo/flowsom_68983") else {
      if TestData.isCI { Issue.record("../shared/testdata is required under CI") }
      return nil
    }
    return (dir.appendingPathComponent("68983.fcs").path, dir.appendingPathComponent("manualGating.xml").path)
  }

  /// `SPILL` text "n,names…,values…" as (names, row-major values), read here.
  static func spill(_ text: String) -> ([String], [Double]) {
    let f = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    let n = Int(f[0])!
    return (Array(f[1...n]), f[(n + 1)...].map { Double($0)! })
  }

  /// The inverse of an n × n row-major matrix (Gauss–Jordan with partial pivoting).
  static func inverse(_ m: [Double], _ n: Int) -> [Double] {
    var a = m, inv = (0..<(n * n)).map { $0 / n == $0 % n ? 1.0 : 0.0 }
    for c in 0..<n {
      let p = (c..<n).max { abs(a[$0 * n + c]) < abs(a[$1 * n + c]) }!
      for k in 0..<n { a.swapAt(c * n + k, p * n + k); inv.swapAt(c * n + k, p * n + k) }
      let d = a[c * n + c]
      for k in 0..<n { a[c * n + k] /= d; inv[c * n + k] /= d }
      for r in 0..<n where r != c {
        let f = a[r * n + c]
        for k in 0..<n { a[r * n + k] -= f * a[c * n + k]; inv[r * n + k] -= f * inv[c * n + k] }
      }
    }
    return inv
  }

  @Test func everyPopulationCountedAndEqualToAnIndependentEvaluation() throws {
    guard let (fcsPath, xmlPath) = Self.files() else { return }
    let ds = try FCSFile(contentsOf: fcsPath).dataSets[0]
    let result = try GatingEngine.evaluate(try GatingML.read(contentsOf: xmlPath), on: try GatingInput(ds))

    let parser = XMLParser(data: try Data(contentsOf: URL(fileURLWithPath: xmlPath)))
    let collector = Collector()
    parser.delegate = collector
    #expect(parser.parse())
    let gates = collector.gates
    #expect(gates.count == 15)
    #expect(!gates.contains { $0.eventsInside != "1" }, "manualGating.xml has no eventsInside=\"0\"")

    // Events: scaled values (gain 1 on every gated channel); compensated = observed × S⁻¹.
    let names = ds.parameters.map(\.name.rawValue)
    let m = try ds.events(.scaled, as: Double.self)
    let n = m.eventCount
    let (spillNames, spillValues) = Self.spill(try #require(ds.keywords["SPILL"]))
    let k = spillNames.count
    let inv = Self.inverse(spillValues, k)
    let detectorColumns = spillNames.map { s in Array(m.column(ChannelIndex(names.firstIndex(of: s)!))) }
    func values(_ dim: String) -> [Double] {
      guard dim.hasPrefix("Comp-") else { return Array(m.column(ChannelIndex(names.firstIndex(of: dim)!))) }
      let f = spillNames.firstIndex(of: String(dim.dropFirst(5)))!
      return (0..<n).map { e in (0..<k).reduce(0.0) { $0 + detectorColumns[$1][e] * inv[$1 * k + f] } }
    }

    var masks: [String: [Bool]] = [:]
    var compared = 0
    for g in gates {
      let parent = g.parent.map { masks[$0]! } ?? Array(repeating: true, count: n)
      let cols = g.dims.map { values($0.name) }
      var mask = [Bool](repeating: false, count: n)
      for e in 0..<n where parent[e] {
        if g.type == "gating:PolygonGate" {
          mask[e] = FlowJoGatingMLTests.inPolygon(cols[0][e], cols[1][e], g.vertices.map { ($0[0], $0[1]) })
        } else {
          mask[e] = zip(g.dims, cols).allSatisfy { d, c in c[e] >= (d.min ?? -.infinity) && c[e] < (d.max ?? .infinity) }
        }
      }
      masks[g.id] = mask
      let count = mask.lazy.filter { $0 }.count
      #expect(result.count(GateID(g.id)) == count, "\(g.id) (\(g.dims.map(\.name).joined(separator: " × "))): \(String(describing: result.count(GateID(g.id)))) vs \(count) here")
      print("manualGating.xml \(g.id) \(g.type.dropFirst(7)) \(g.dims.map(\.name).joined(separator: " × ")): \(count)")
      compared += 1
    }
    #expect(compared == 15 && result.masks.count == 15)
    #expect(result.diagnostics.map(\.message).contains { $0.hasPrefix("FlowJo Gating-ML export: Comp-PE-Cy5-A,") && $0.hasSuffix("compensated with the file's SPILL") })
  }
}
