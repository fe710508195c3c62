import Foundation
import Testing

@testable import CytoTransforms

@Suite("Hyperlog")
struct HyperlogTests {
  /// flowUtils `tests/transform_tests.py::test_hyperlog_range` (whitews/FlowUtils; computed by
  /// flowCore's Hyperlog C++): T = 1000, W = 1, M = 4, A = 0, 6 decimals.
  @Test func matchesFlowUtilsTable() throws {
    let t = ScaleTransform.hyperlog(try HyperlogParameters(t: 1000, w: 1, m: 4, a: 0))
    let table: [(Double, Double)] = [
      (-10, 0.08355406), (-5, 0.15586819), (-1, 0.2294768), (0, 0.25), (0.3, 0.25623887),
      (1, 0.2705232), (3, 0.30909185), (10, 0.41644594), (100, 0.73187469), (1000, 1.0),
    ]
    for (x, y) in table {
      #expect(abs(t.forward(x) - y) < 5e-7, "hyperlog(\(x)) = \(t.forward(x))")
    }
  }

  @Test(arguments: ReferenceValues.hyperlog)
  func matchesHighPrecisionReference(_ c: ReferenceCase) throws {
    let t = ScaleTransform.hyperlog(try HyperlogParameters(t: c.t, w: c.w, m: c.m, a: c.a))
    let ref = BisectionReference(.hyperlog, t: c.t, w: c.w, m: c.m, a: c.a)
    for (x, y) in c.points {
      #expect(mixedError(t.forward(x), y) < 1e-14, "forward(\(x)) = \(t.forward(x)), exact \(y)")
      let slope = abs(ref.inverse(y + 1e-7) - ref.inverse(y - 1e-7)) / 2e-7
      let allowed = 8 * slope * max(abs(y), abs(ref.x1)).ulp + 4 * abs(x).ulp + 1e-40
      #expect(abs(t.inverse(y) - x) <= allowed, "inverse(\(y)) = \(t.inverse(y)), exact \(x)")
    }
  }

  @Test func matchesBisectionAcrossParameterGrid() throws {
    var rng = SeededGenerator(seed: 0x4E9E_2106)
    var worst = 0.0
    for t in [1.0, 4_194_304] {
      for m in [0.5, 4.5, 7] {
        for w in [0.05 * m, m / 4, m / 2] {
          for a in [-w, 0, m - 2 * w] {
            let p = try HyperlogParameters(t: t, w: w, m: m, a: a)
            let ref = BisectionReference(.hyperlog, t: t, w: w, m: m, a: a)
            let tr = ScaleTransform.hyperlog(p)
            for _ in 0..<40 {
              let x = (Bool.random(using: &rng) ? 1 : -1) * t * pow(10, Double.random(in: -9...4, using: &rng))
              let e = mixedError(tr.forward(x), ref.forward(x))
              worst = max(worst, e)
              #expect(e < 1e-12, "\(p) at x = \(x): \(tr.forward(x)) vs \(ref.forward(x))")
            }
          }
        }
      }
    }
    print("hyperlog forward vs Float64 bisection, worst mixed error: \(worst)")
  }

  @Test func roundTripsAcrossTheRange() throws {
    for p in [
      try HyperlogParameters(t: 10_000, w: 1, m: 4.5, a: 0),
      try HyperlogParameters(t: 262_144, w: 0.5, m: 4.5, a: -0.5),
      try HyperlogParameters(t: 100, w: 0.1, m: 0.5, a: 0.2),
    ] {
      let tr = ScaleTransform.hyperlog(p)
      let slope0 = 1 / (tr.forward(1e-9 * p.t) - tr.forward(0)) * 1e-9 * p.t
      for x in [0, 1e-300, -1e-300, 1e-12, -0.3, 1, -17, p.t / 3, p.t, -p.t, 1e3 * p.t, 1e12 * p.t, -1e12 * p.t] {
        let back = tr.inverse(tr.forward(x))
        #expect(abs(back - x) <= 1e-13 * abs(x) + 1e-15 * slope0, "\(p): \(x) → \(back)")
      }
    }
  }

  @Test func rejectsInvalidParameters() {
    #expect(throws: TransformParameterError.self) { try HyperlogParameters(t: 1e4, w: 0, m: 4.5, a: 0) }
    #expect(throws: TransformParameterError.self) { try HyperlogParameters(t: 1e4, w: 2.3, m: 4.5, a: 0) }
    #expect(throws: TransformParameterError.self) { try HyperlogParameters(t: 1e4, w: 1, m: 4.5, a: -1.5) }
    #expect(throws: TransformParameterError.self) { try HyperlogParameters(t: 1e4, w: 1, m: 4.5, a: 2.6) }
  }
}
