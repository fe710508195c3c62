import Foundation
import Testing

@testable import CytoTransforms

@Suite("Logicle")
struct LogicleTests {
  /// flowUtils `tests/transform_tests.py::test_logicle_range` (whitews/FlowUtils; the numbers
  /// come from flowCore's C++ Logicle by Moore): T = 1000, W = 1, M = 4, A = 0, 6 decimals.
  @Test func matchesFlowUtilsTable() throws {
    let t = ScaleTransform.logicle(try LogicleParameters(t: 1000, w: 1, m: 4, a: 0))
    let table: [(Double, Double)] = [
      (-10, 0.067574), (-5, 0.147986), (-1, 0.228752), (0, 0.25), (0.3, 0.256384),
      (1, 0.271248), (3, 0.312897), (10, 0.432426), (100, 0.739548), (1000, 1.0),
    ]
    for (x, y) in table {
      #expect(abs(t.forward(x) - y) < 5e-7, "logicle(\(x))")
    }
  }

  /// Every mpmath point (ReferenceValues.swift): forward within 1e−14 absolute (the display
  /// values are O(1)), and the inverse of the exact y within the rounding of y itself.
  @Test(arguments: ReferenceValues.logicle)
  func matchesHighPrecisionReference(_ c: ReferenceCase) throws {
    let t = ScaleTransform.logicle(try LogicleParameters(t: c.t, w: c.w, m: c.m, a: c.a))
    let ref = BisectionReference(.logicle, t: c.t, w: c.w, m: c.m, a: c.a)
    for (x, y) in c.points {
      #expect(mixedError(t.forward(x), y) < 1e-14, "forward(\(x)) = \(t.forward(x)), exact \(y)")
      // x changes by B′(y)·ulp(y) between adjacent Doubles y (and y is reflected about x₁,
      // so the ulp of x₁ counts too): allow 8 of those.
      let slope = abs(ref.inverse(y + 1e-7) - ref.inverse(y - 1e-7)) / 2e-7
      let allowed = 8 * slope * max(abs(y), abs(ref.x1)).ulp + 4 * abs(x).ulp + 1e-40
      #expect(abs(t.inverse(y) - x) <= allowed, "inverse(\(y)) = \(t.inverse(y)), exact \(x)")
    }
  }

  /// Forward against the independent Float64 bisection over a grid of parameters, including
  /// the edges W = 0, W = M/2, A = −W and A = M − 2W, and data from −T·10² to T·10⁴.
  @Test func matchesBisectionAcrossParameterGrid() throws {
    var rng = SeededGenerator(seed: 0x10_61C1E)
    var worst = 0.0
    for t in [1.0, 4_194_304] {
      for m in [0.5, 4.5, 7] {
        for w in [0, 0.1 * m, m / 4, m / 2] {
          for a in [-w, 0, (m - 2 * w) / 2, m - 2 * w] {
            let p = try LogicleParameters(t: t, w: w, m: m, a: a)
            let ref = BisectionReference(.logicle, t: t, w: w, m: m, a: a)
            let tr = ScaleTransform.logicle(p)
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
    print("logicle forward vs Float64 bisection, worst mixed error: \(worst)")
  }

  @Test func roundTripsAcrossTheRange() throws {
    for p in [
      try LogicleParameters(t: 262_144, w: 0.5, m: 4.5, a: 0),
      try LogicleParameters(t: 10_000, w: 1, m: 4, a: 0.5),
      try LogicleParameters(t: 262_144, w: 0, m: 4.5, a: 0),
      try LogicleParameters(t: 100, w: 0.1, m: 0.5, a: 0),
    ] {
      let tr = ScaleTransform.logicle(p)
      let slope0 = 1 / (tr.forward(1e-9 * p.t) - tr.forward(0)) * 1e-9 * p.t
      for x in [0, 1e-300, -1e-300, 1e-12, -1e-12, 0.3, -0.3, 1, -1, 17, -17, p.t / 3, p.t, -p.t, p.t * (1 + 1e-12), 1e3 * p.t, 1e12 * p.t, -1e12 * p.t] {
        let back = tr.inverse(tr.forward(x))
        // Conditioning: y has ~1e−16 absolute precision, so x comes back to slope·1e−16.
        #expect(abs(back - x) <= 1e-13 * abs(x) + 1e-15 * slope0, "\(p): \(x) → \(back)")
      }
    }
  }

  @Test func topOfScaleMapsToOneAndZeroToX1() throws {
    let p = try LogicleParameters(t: 262_144, w: 0.5, m: 4.5, a: 0.5)
    let tr = ScaleTransform.logicle(p)
    #expect(abs(tr.forward(262_144) - 1) < 1e-15)
    #expect(tr.forward(0) == p.zeroPosition)
    #expect(abs(p.zeroPosition - 1.0 / 5) < 1e-16)
    #expect(abs(tr.inverse(1) - 262_144) < 1e-9)
  }

  @Test func withZeroWidthEqualsFasinh() throws {
    let l = ScaleTransform.logicle(try LogicleParameters(t: 10_000, w: 0, m: 4.5, a: 0.5))
    let f = ScaleTransform.fasinh(try ArcsinhParameters(t: 10_000, m: 4.5, a: 0.5))
    for x in [-1e4, -100, -1, 0, 0.5, 3, 42, 1e3, 1e4, 1e6] {
      #expect(abs(l.forward(x) - f.forward(x)) < 1e-14, "x = \(x)")
    }
  }

  @Test func rejectsInvalidParameters() {
    func parameter(_ body: () throws(TransformParameterError) -> LogicleParameters) -> String? {
      do { _ = try body(); return nil } catch { return error.parameter }
    }
    #expect(parameter { () throws(TransformParameterError) in try LogicleParameters(t: 0, w: 0.5, m: 4.5, a: 0) } == "T")
    #expect(parameter { () throws(TransformParameterError) in try LogicleParameters(t: 1e4, w: 2.5, m: 4.5, a: 0) } == "W")
    #expect(parameter { () throws(TransformParameterError) in try LogicleParameters(t: 1e4, w: -0.1, m: 4.5, a: 0) } == "W")
    #expect(parameter { () throws(TransformParameterError) in try LogicleParameters(t: 1e4, w: 0.5, m: 0, a: 0) } == "M")
    #expect(parameter { () throws(TransformParameterError) in try LogicleParameters(t: 1e4, w: 0.5, m: 4.5, a: -0.6) } == "A")
    #expect(parameter { () throws(TransformParameterError) in try LogicleParameters(t: 1e4, w: 0.5, m: 4.5, a: 3.6) } == "A")
    #expect(parameter { () throws(TransformParameterError) in try LogicleParameters(t: .nan, w: 0.5, m: 4.5, a: 0) } == "T")
    #expect(parameter { () throws(TransformParameterError) in try LogicleParameters(t: 1e4, w: 0.5, m: 4.5, a: .infinity) } == "A")
    #expect(parameter { () throws(TransformParameterError) in try LogicleParameters(t: 1e4, w: 0.5, m: 4.5, a: 0) } == nil)
    do {
      _ = try LogicleParameters(t: 1e4, w: 3, m: 4.5, a: 0)
      Issue.record("expected an error")
    } catch {
      #expect(error.transform == .logicle)
      #expect(error.description == "logicle: parameter W = 3.0 is invalid; required: 0 ≤ W ≤ M/2 (M = 4.5)")
    }
  }
}
