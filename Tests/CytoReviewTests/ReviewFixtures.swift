import CytoClinical
import CytoCore
import CytoFCS
import CytoGating
import CytoReview
import CytoSimulation
import CytoTestSupport
import Foundation
import Testing

/// A visit analysed as `analyze` does, with the data it read.
struct AnalysedVisit {
  var analysis: VisitAnalysis
  var input: GatingInput

  /// A simulated reset-panel tube (the default composition), analysed with the reset panel.
  static func simulated(events: Int, seed: UInt64) throws -> AnalysedVisit {
    let (table, _) = try SampleSimulator(events: events, seed: seed).simulate()
    let ds = try FCSFile(bytes: try FCSWriter.encode(table), path: "sim.fcs").dataSets[0]
    let (a, r) = try VisitAnalyzer(panel: try PanelDefinition.reset).analyzeResolving(ds, file: "sim.fcs")
    return AnalysedVisit(analysis: a, input: r.input)
  }

  /// A file of ../shared/testdata analysed with `--panel auto`; `nil` when the shared data is
  /// absent (a skip line is printed once; under CI=true that is a recorded failure).
  static func shared(_ relative: String) throws -> AnalysedVisit? {
    guard TestData.sharedAvailable, let url = TestData.shared(relative) else {
      if TestData.isCI { Issue.record("../shared/testdata is required under CI") }
      return nil
    }
    let ds = try FCSFile(contentsOf: url.path).dataSets[0]
    let choice = try PanelSelection.choose(among: try PanelLibrary.all(), dataSet: ds, file: relative)
    let (a, r) = try VisitAnalyzer(panel: choice.panel).analyzeResolving(ds, file: relative)
    return AnalysedVisit(analysis: a, input: r.input)
  }
}

/// Checks that every population of the session equals the engine's full evaluation of the
/// session's current strategy, mask for mask.
func expectEqualsFullEvaluation(_ s: ReviewSession, _ input: GatingInput, _ context: String,
                                sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
  let full = try GatingEngine.evaluate(s.strategy, on: input)
  for id in s.strategy.populations {
    #expect(s.masks[id] == full.masks[id], "\(context): population \(id) differs from the full evaluation",
            sourceLocation: sourceLocation)
    #expect(s.count(id) == full.count(id), "\(context): count of \(id)", sourceLocation: sourceLocation)
  }
}

/// Random edits that a reviewer could make: small moves of existing geometry.
struct PlausibleEdits {
  var rng: SplitMix64

  mutating func unit() -> Double { Double.random(in: -1...1, using: &rng) }

  /// A random edit of a random gate or cut of `s`, `nil` when the gate has nothing to edit.
  mutating func next(_ s: ReviewSession) -> GateEdit? {
    let editable = s.strategy.gates.filter { if case .boolean = $0.shape { return false } else { return true } }
    if !s.cuts.filter({ !$0.usages.isEmpty }).isEmpty, Int.random(in: 0..<4, using: &rng) == 0 {
      let c = s.cuts.filter { !$0.usages.isEmpty }.randomElement(using: &rng)!
      return .setCut(name: c.name, value: c.value + 0.05 * unit() * max(1, abs(c.value)))
    }
    guard let g = editable.randomElement(using: &rng) else { return nil }
    switch g.shape {
    case .polygon(_, _, let v):
      let xs = v.map(\.x), ys = v.map(\.y)
      let w = (xs.max()! - xs.min()!) * 0.1, h = (ys.max()! - ys.min()!) * 0.1
      let k = Int.random(in: 0..<v.count, using: &rng)
      switch Int.random(in: 0..<5, using: &rng) {
      case 0: return .moveVertex(g.id, index: k, to: Vertex(v[k].x + w * unit(), v[k].y + h * unit()))
      case 1:
        let n = v[(k + 1) % v.count]
        return .insertVertex(g.id, index: k + 1, Vertex((v[k].x + n.x) / 2 + w * unit(), (v[k].y + n.y) / 2 + h * unit()))
      case 2: return .removeVertex(g.id, index: k)
      case 3: return .translatePolygon(g.id, dx: w * unit(), dy: h * unit())
      default: return .replaceVertices(g.id, v.map { Vertex($0.x + w * unit(), $0.y + h * unit()) })
      }
    case .rectangle(let sides):
      let k = Int.random(in: 0..<sides.count, using: &rng)
      let s = sides[k]
      let span = max(abs(s.min ?? 0), abs(s.max ?? 0), 0.1) * 0.1
      return .setRectangleSide(g.id, side: k, min: s.min.map { $0 + span * unit() }, max: s.max.map { $0 + span * unit() })
    case .quadrant(let d, _):
      guard d.count == 2, let x = d[0].values.first, let y = d[1].values.first else { return nil }
      return .moveQuadrantCentre(g.id, x: x + 0.05 * unit(), y: y + 0.05 * unit())
    case .ellipsoid, .boolean: return nil
    }
  }
}

/// A plausible edit may only be refused for making a range empty or a polygon too small.
func expectPlausibleRefusal(_ error: ReviewError, _ edit: GateEdit, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
  switch error {
  case .emptyRange, .vertexCount: break
  default: Issue.record("\(edit) refused: \(error)", sourceLocation: sourceLocation)
  }
}
