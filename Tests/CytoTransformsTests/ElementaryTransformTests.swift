import CytoTransforms
import Foundation
import Testing

/// Values below are hand-computed from the Gating-ML 2.0 formulas, or (marked "mpmath")
/// evaluated from them with mpmath at 30 digits.
@Suite("flin, flog, fasinh, Gating-ML 1.5 asinh, FlowJo biex")
struct ElementaryTransformTests {
  @Test func flinMatchesDefinition() throws {
    let t = ScaleTransform.flin(try LinearParameters(t: 10_000, a: 500))
    #expect(t.forward(-500) == 0)
    #expect(t.forward(10_000) == 1)
    #expect(abs(t.forward(0) - 500.0 / 10_500) < 1e-17)
    #expect(t.forward(20_500) == 2)  // linear beyond T
    #expect(t.inverse(0.5) == 4_750)
    #expect(t.inverse(0) == -500)
  }

  @Test func flogMatchesDefinition() throws {
    let t = ScaleTransform.flog(try LogarithmicParameters(t: 10_000, m: 5))
    #expect(t.forward(10_000) == 1)
    #expect(abs(t.forward(100) - 0.6) < 1e-15)
    #expect(abs(t.forward(1) - 0.2) < 1e-15)
    #expect(abs(t.forward(0.1)) < 1e-15)
    #expect(abs(t.forward(3) - 0.29542425094393248746) < 1e-15)  // mpmath
    #expect(abs(t.inverse(0.6) - 100) < 1e-12)
    #expect(abs(t.inverse(0.2) - 1) < 1e-14)
  }

  @Test func fasinhMatchesDefinition() throws {
    let t = ScaleTransform.fasinh(try ArcsinhParameters(t: 10_000, m: 4, a: 1))
    let mpmath: [(Double, Double)] = [
      (-1000, -0.40000008599017886162), (-10, -0.00085584141953147022604), (0, 0.2),
      (1, 0.24179752766155095285), (100, 0.60000868371862877055), (1000, 0.80000008599017886162),
      (10_000, 1.0), (1e6, 1.3999999991314978907),
    ]
    for (x, y) in mpmath {
      #expect(abs(t.forward(x) - y) < 2e-16 * max(1, abs(y)) * 4, "fasinh(\(x)) = \(t.forward(x))")
      #expect(mixedError(t.inverse(y), x, floor: 1) < 1e-13, "inverse(\(y)) = \(t.inverse(y))")
    }
  }

  /// Set 6 of the compliance suite: `gateAsinhGml1.5` is 0.3 ≤ asinh(APC-A) < 4.7 with a = b = 1.
  @Test func gml15AsinhMatchesDefinition() throws {
    let plain = ScaleTransform.gml15Asinh(try ScaledArcsinhParameters(a: 1, b: 1))
    #expect(abs(plain.forward(1) - 0.88137358701954302523) < 2e-16)  // mpmath
    #expect(abs(plain.forward(0.3) - 0.29567304756342242847) < 1e-16)
    #expect(abs(plain.forward(-4.7) + 2.2518395970315982643) < 5e-16)
    #expect(abs(plain.inverse(plain.forward(4.7)) - 4.7) < 1e-14)
    let scaled = ScaleTransform.gml15Asinh(try ScaledArcsinhParameters(a: 2, b: 0.5))
    #expect(abs(scaled.forward(3) - 1.2458899263224559852) < 3e-16)  // 0.5·asinh(6), mpmath
    #expect(abs(scaled.inverse(1.2458899263224559852) - 3) < 1e-14)
  }

  /// FlowJo biex maps onto Logicle as CytoML does (W = log₁₀(−widthBasis)/2, M = pos, A = neg,
  /// T = maxValue). The FlowJo values are FlowJo's own 4097-point table divided by 4096, as
  /// reconstructed from FlowKit's `generate_biex_lut` (FlowKit checks it against FlowJo 10);
  /// docs/transforms.md gives the script. The mapping is within 1.0e−3 of it.
  @Test func flowJoBiexMapsToLogicleAndStaysNearFlowJo() throws {
    let biex = try FlowJoBiexParameters(widthBasis: -10, positiveDecades: 4.418540, negativeDecades: 0, maxValue: 262_144.000029)
    #expect(biex.logicle == (try LogicleParameters(t: 262_144.000029, w: 0.5, m: 4.418540, a: 0)))
    let t = ScaleTransform.flowJoBiex(biex)
    #expect(abs(t.forward(0) - 0.5 / 4.418540) < 1e-15)
    let flowJoTable: [(Double, Double)] = [
      (0, 0.113037109375), (100, 0.20230860215041627), (1000, 0.4435598320195404),
      (10_000, 0.678293265824534), (100_000, 0.9054745554408753),
    ]
    for (x, y) in flowJoTable {
      #expect(abs(t.forward(x) - y) < 1.0e-3, "biex(\(x)) = \(t.forward(x)), FlowJo \(y)")
    }
    #expect(abs(t.inverse(t.forward(12_345)) - 12_345) < 1e-9)
  }

  @Test func ratioMatchesDefinition() throws {
    let r = try RatioTransform(a: 2.7, b: -100, c: -300)
    #expect(r.forward(50, 100) == 2.7 * 150 / 400)
    #expect(try RatioTransform(a: 1, b: 0, c: -1).forward(3, 1) == 1.5)
    #expect(r.forward(1, -300) == .infinity)  // y = C
    #expect(r.forward(-100, -300).isNaN)  // 0/0
  }

  /// Gating-ML 2.0: results below boundMin become boundMin, above boundMax become boundMax.
  @Test func boundsClampResults() throws {
    let log = ScaleTransform.flog(try LogarithmicParameters(t: 100, m: 2))
    let bounded = Bounded(log, bounds: try TransformBounds(boundMin: 0, boundMax: 1))
    #expect(bounded.forward(1e-6) == 0)
    #expect(bounded.forward(0) == 0)  // −∞ → boundMin
    #expect(bounded.forward(1e6) == 1)
    #expect(abs(bounded.forward(10) - 0.5) < 1e-15)
    #expect(bounded.forward(.nan).isNaN)
    #expect(bounded.forward(-1).isNaN)  // NaN (log of a negative) stays NaN
    let onlyMax = try TransformBounds(boundMax: 15.3)
    let ratio = Bounded(try RatioTransform(a: 1, b: 0, c: -1), bounds: onlyMax)
    #expect(ratio.forward(100, 1) == 15.3)
    #expect(ratio.forward(-1e9, 1) == -5e8)
    #expect(onlyMax.boundMin == nil && onlyMax.boundMax == 15.3)
    #expect(TransformBounds.unbounded.clamp(-.infinity) == -.infinity)
  }

  @Test func boundsColumnsMatchScalar() throws {
    let b = Bounded(ScaleTransform.flin(try LinearParameters(t: 10_000, a: 500)), bounds: try TransformBounds(boundMin: 0.05, boundMax: 100))
    let xs: [Double] = [-1000, -500, 0, 25, 300, 5000, 1e6, 1e7, .nan, .infinity, -.infinity]
    var out = [Double](repeating: 0, count: xs.count)
    xs.withUnsafeBufferPointer { i in out.withUnsafeMutableBufferPointer { b.forward(i, into: $0) } }
    for (x, y) in zip(xs, out) { #expect(same(y, b.forward(x)), "x = \(x)") }
    let fs = xs.map(Float.init)
    var fo = [Float](repeating: 0, count: xs.count)
    fs.withUnsafeBufferPointer { i in fo.withUnsafeMutableBufferPointer { b.forward(i, into: $0) } }
    #expect(fo[0] == Float(0.05) && fo[7] == 100 && fo[8].isNaN)
  }

  @Test func rejectsInvalidParametersNamingThem() {
    func name(_ body: () throws -> Any) -> String? {
      do { _ = try body(); return nil } catch let e as TransformParameterError { return "\(e.transform).\(e.parameter)" } catch { return "other" }
    }
    #expect(name { try LinearParameters(t: 0, a: 0) } == "flin.T")
    #expect(name { try LinearParameters(t: 10, a: 11) } == "flin.A")
    #expect(name { try LinearParameters(t: 10, a: -1) } == "flin.A")
    #expect(name { try LogarithmicParameters(t: 10, m: 0) } == "flog.M")
    #expect(name { try LogarithmicParameters(t: -1, m: 4) } == "flog.T")
    #expect(name { try ArcsinhParameters(t: 10, m: 4, a: 5) } == "fasinh.A")
    #expect(name { try ArcsinhParameters(t: 10, m: -4, a: 0) } == "fasinh.M")
    #expect(name { try HyperlogParameters(t: 10, w: 0, m: 4, a: 0) } == "hyperlog.W")
    #expect(name { try ScaledArcsinhParameters(a: 0, b: 1) } == "asinh.a")
    #expect(name { try ScaledArcsinhParameters(a: 1, b: .nan) } == "asinh.b")
    #expect(name { try FlowJoBiexParameters(widthBasis: -0.5, positiveDecades: 4.5, negativeDecades: 0, maxValue: 262_144) } == "biex.widthBasis")
    #expect(name { try FlowJoBiexParameters(widthBasis: -10, positiveDecades: 4.5, negativeDecades: -1, maxValue: 262_144) } == "biex.negativeDecades")
    #expect(name { try FlowJoBiexParameters(widthBasis: -1e6, positiveDecades: 4.5, negativeDecades: 0, maxValue: 262_144) } == "biex.widthBasis")
    #expect(name { try FlowJoBiexParameters(widthBasis: -10, positiveDecades: 4.5, negativeDecades: 0, maxValue: 0) } == "biex.maxValue")
    #expect(name { try RatioTransform(a: 1, b: .infinity, c: 0) } == "fratio.B")
    #expect(name { try TransformBounds(boundMin: 2, boundMax: 1) } == "bounds.boundMin")
    #expect(name { try TransformBounds(boundMin: .nan) } == "bounds.boundMin")
  }

  @Test func codableRoundTripValidates() throws {
    let transforms: [ScaleTransform] = [
      .flin(try LinearParameters(t: 1000, a: 10)),
      .flog(try LogarithmicParameters(t: 1000, m: 3)),
      .fasinh(try ArcsinhParameters(t: 1000, m: 4, a: 0.5)),
      .logicle(try LogicleParameters(t: 262_144, w: 0.5, m: 4.5, a: 0)),
      .hyperlog(try HyperlogParameters(t: 262_144, w: 0.5, m: 4.5, a: 0)),
      .gml15Asinh(try ScaledArcsinhParameters(a: 1, b: 1)),
      .flowJoBiex(try FlowJoBiexParameters(widthBasis: -10, positiveDecades: 4.5, negativeDecades: 0, maxValue: 262_144)),
    ]
    let data = try JSONEncoder().encode(transforms)
    let back = try JSONDecoder().decode([ScaleTransform].self, from: data)
    #expect(back == transforms)
    #expect(back.map { $0.forward(123.0) } == transforms.map { $0.forward(123.0) })
    let json = String(decoding: try JSONEncoder().encode(transforms[3]), as: UTF8.self)
    #expect(json.contains("\"transform\":\"logicle\"") && json.contains("\"W\":0.5"))
    let invalid = Data(#"{"transform":"logicle","parameters":{"T":1000,"W":3,"M":4.5,"A":0}}"#.utf8)
    #expect(throws: TransformParameterError.self) { try JSONDecoder().decode(ScaleTransform.self, from: invalid) }
    let bounded = Bounded(transforms[0], bounds: try TransformBounds(boundMin: 0))
    #expect(try JSONDecoder().decode(Bounded<ScaleTransform>.self, from: JSONEncoder().encode(bounded)) == bounded)
  }
}
