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
    // A gate whose parent is neither evaluated nor given is an error, not a crash.
    if let child = strategy.gates.first(where: { $0.parent != nil }) {
      #expect(throws: GatingStrategyError.self) { try GatingEngine.evaluate([child.id], of: strategy, prepared: prepared, given: [:]) }
    }
  }
}
