import CytoClinical
import CytoCore
import CytoFCS
import CytoGating
import CytoTestSupport
import CytoWorkspace
import Foundation
import Testing

/// FlowJo's Gating-ML export `manualGating.xml` against the workspace `gating.wsp` beside it
/// (../shared/testdata/flowjo/flowsom_68983): exactly Lymphocytes, Singlets, Singlets2 and
/// NK1_1- are the same gates (docs/flowjo.md), and `cytoreset gate`'s exact counts for them equal
/// ``FlowJoCounter`` in `.exact` mode and are within max(13 events, 0.1% of the parent) of
/// FlowJo's saved counts.
@Suite("FlowJo Gating-ML export vs gating.wsp")
struct FlowJoGatingMLAgreementTests {
  /// Whether an export gate and a workspace gate have the same geometry on the same parameters.
  static func same(_ g: Gate, _ w: WorkspaceGate) -> Bool {
    func name(_ d: GateDimension) -> String? {
      guard case .channel(let c) = d.source, d.compensation == .uncompensated, d.transform == nil else { return nil }
      return c.rawValue
    }
    switch (g.shape, w.shape) {
    case (.polygon(let x, let y, let v), .polygon(let wx, let wy, let wv)):
      return name(x) == wx.parameter && name(y) == wy.parameter && v == wv
    case (.rectangle(let sides), .rectangle(let ranges)):
      return sides.count == ranges.count && zip(sides, ranges).allSatisfy { s, r in
        name(s.dimension) == r.dimension.parameter && s.min == r.min && s.max == r.max
      }
    default: return false
    }
  }

  @Test func sharedGatesCountAsFlowJoCounterExact() throws {
    guard TestData.sharedAvailable, let dir = TestData.shared("flowjo/flowsom_68983") else {
      if TestData.isCI { Issue.record("../shared/testdata is required under CI") }
      return
    }
    let export = try GatingML.read(contentsOf: dir.appendingPathComponent("manualGating.xml").path)
    let ws = try FlowJoWorkspace(contentsOf: dir.appendingPathComponent("gating.wsp").path)
    let sample = ws.samples[0]

    // Which export gates are workspace gates: exactly these four (docs/flowjo.md), parents alike.
    var matches: [GateID: [String]] = [:]
    for g in export.gates {
      for p in sample.allPopulations {
        if case .gate(let w) = p.definition, Self.same(g, w) { matches[g.id] = p.path }
      }
    }
    let shared: [GateID: [String]] = [
      "ID1152036930": ["Lymphocytes"],
      "ID1073341880": ["Lymphocytes", "Singlets"],
      "ID325928510": ["Lymphocytes", "Singlets", "Singlets2"],
      "ID2056235295": ["Lymphocytes", "Singlets", "Singlets2", "NK1_1-"],  // Comp-PE-A × FSC-A: compensated
    ]
    #expect(matches == shared)
    for (id, path) in shared { #expect(export.parent(of: id).flatMap { shared[$0] } == (path.count == 1 ? nil : Array(path.dropLast()))) }

    let input = try GatingInput(FCSFile(contentsOf: dir.appendingPathComponent("68983.fcs").path).dataSets[0])
    let result = try GatingEngine.evaluate(export, on: input)
    let exact = try FlowJoCounter(sample: sample, mode: .exact).count(input)
    for (id, path) in shared.sorted(by: { $0.value.count < $1.value.count }) {
      let ours = try #require(result.count(id))
      let parent = try #require(result.parentCount(id))
      let counted = try #require(exact.populations.first { $0.path == path })
      #expect(ours == counted.count, "\(path.joined(separator: "/")): gate \(ours), FlowJoCounter exact \(counted.count)")
      guard case .events(let saved) = counted.saved else { Issue.record("\(path): no saved count"); continue }
      let tolerance = max(13, Int((Double(parent) * 0.001).rounded(.up)))
      #expect(abs(ours - saved) <= tolerance, "\(path.joined(separator: "/")): \(ours) vs FlowJo \(saved) (parent \(parent))")
      print("\(path.joined(separator: "/")) = \(id): cytoreset gate \(ours), FlowJoCounter exact \(counted.count), FlowJo saved \(saved)")
    }
  }
}
