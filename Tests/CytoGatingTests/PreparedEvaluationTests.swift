import CytoClinical
import CytoCore
import CytoFCS
import CytoGating
import CytoTestSupport
import Foundation
import Testing

/// Evaluation on prepared dimensions (what a review session recounts from) gives the engine's
/// masks: the whole strategy at once, and each gate alone from the others' masks.
@Suite("Evaluation on prepared dimensions", .enabled(if: TestData.sharedAvailable))
struct PreparedEvaluationTests {
  @Test(arguments: [("gates1.xml", "data1.fcs"), ("gates2.xml", "data2.fcs"), ("gates3.xml", "9399_1_3_NKR.fcs"),
                    ("gates4.xml", "9399_1_3_NKR.fcs"), ("gates5.xml", "9399_1_3_NKR.fcs")])
  func preparedEvaluationEqualsTheEngine(_ xml: String, _ fcs: String) throws {
    let strategy = try GatingML.read(contentsOf: try #require(TestData.shared("gatingml2/Gating-MLFiles/\(xml)")).path)
    let ds = try FCSFile(contentsOf: try #require(TestData.shared("gatingml2/FCSFiles/\(fcs)")).path).dataSets[0]
    let input = try GatingInput(ds)
    let full = try GatingEngine.evaluate(strategy, on: input)
    let prepared = try GatingEngine.prepareDimensions(of: strategy, on: input)
    let all = try GatingEngine.evaluate(Set(strategy.gates.map(\.id)), of: strategy, prepared: prepared, given: [:])
    #expect(all == full.masks, "\(xml): all gates")
    for g in strategy.gates {
      let one = try GatingEngine.evaluate([g.id], of: strategy, prepared: prepared, given: full.masks)
      for p in g.populations { #expect(one[p] == full.masks[p], "\(xml): \(p) alone") }
      #expect(one.count == g.populations.count)
    }
    // Each gate's geometry changed in turn: every gate evaluated again with the old masks given and
    // the old strategy as `previous` (unchanged gates recomputed only where their parent changed)
    // equals the engine on the edited strategy.
    for (k, g) in strategy.gates.enumerated() {
      var gates = strategy.gates
      switch g.shape {
      case .rectangle(let sides):
        gates[k].shape = .rectangle(sides.map { s in
          var s = s
          let span = (s.max ?? 1) - (s.min ?? 0)
          s.min = s.min.map { $0 + 0.07 * span }
          return s
        })
      case .polygon(let x, let y, let v):
        let cx = v.map(\.x).reduce(0, +) / Double(v.count), cy = v.map(\.y).reduce(0, +) / Double(v.count)
        gates[k].shape = .polygon(x: x, y: y, vertices: v.enumerated().map { i, p in
          i == 0 ? Vertex(p.x + 0.1 * (cx - p.x), p.y + 0.1 * (cy - p.y)) : p
        })
      case .ellipsoid(let d, let m, let c, let d2): gates[k].shape = .ellipsoid(dimensions: d, mean: m, covariance: c, distanceSquare: d2 * 1.2)
      case .quadrant, .boolean: continue
      }
      let edited = try GatingStrategy(transformations: Array(strategy.transformations.values),
                                      spectrumMatrices: Array(strategy.spectrumMatrices.values), gates: gates)
      let want = try GatingEngine.evaluate(edited, on: input).masks
      let got = try GatingEngine.evaluate(Set(edited.gates.map(\.id)), of: edited, prepared: prepared, given: full.masks,
                                          previous: strategy)
      #expect(got == want, "\(xml): \(g.id) edited, others reused")
    }
    // A gate whose parent is neither evaluated nor given is an error, not a crash.
    if let child = strategy.gates.first(where: { $0.parent != nil }) {
      #expect(throws: GatingStrategyError.self) { try GatingEngine.evaluate([child.id], of: strategy, prepared: prepared, given: [:]) }
    }
  }
}
