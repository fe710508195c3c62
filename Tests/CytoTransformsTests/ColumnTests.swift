import CytoTransforms
import Foundation
import Testing

/// The SIMD (and multi-core) column versions against the scalar entry points.
@Suite("Column transforms")
struct ColumnTests {
  /// Lengths 0 … lane width + 1, a few odd lengths, and one long enough for several cores.
  static let lengths = [0, 1, 2, 3, 4, 5, 7, 8, 9, 17, 1_001, 40_003]

  /// The indices compared: all of them for short columns, a stride through long ones (the
  /// scalar entry points are slow in debug builds).
  private func checked(_ n: Int) -> StrideTo<Int> { stride(from: 0, to: n, by: n > 2_000 ? 37 : 1) }

  private func data(_ n: Int, top: Double, seed: UInt64) -> [Double] {
    var rng = SeededGenerator(seed: seed)
    let awkward = AllTransforms.awkwardValues(top: top)
    return (0..<n).map { i in
      if i % 7 == 3 { return awkward[i % awkward.count] }
      let magnitude = top * pow(10, Double.random(in: -8...1.5, using: &rng))
      return Bool.random(using: &rng) ? magnitude : -magnitude / 100
    }
  }

  @Test(arguments: AllTransforms.list)
  func doubleColumnsEqualScalarBitForBit(_ t: ScaleTransform) {
    for n in Self.lengths {
      let xs = data(n, top: 262_144, seed: UInt64(n))
      var out = [Double](repeating: -7, count: n)
      xs.withUnsafeBufferPointer { i in out.withUnsafeMutableBufferPointer { t.forward(i, into: $0) } }
      for k in checked(n) where !same(out[k], t.forward(xs[k])) {
        Issue.record("\(t) n=\(n) forward x=\(xs[k]): column \(out[k]) scalar \(t.forward(xs[k]))")
        break
      }
      let ys = out.map { $0.isFinite ? $0 : 0.5 }
      var back = [Double](repeating: -7, count: n)
      ys.withUnsafeBufferPointer { i in back.withUnsafeMutableBufferPointer { t.inverse(i, into: $0) } }
      for k in checked(n) where !same(back[k], t.inverse(ys[k])) {
        Issue.record("\(t) n=\(n) inverse y=\(ys[k]): column \(back[k]) scalar \(t.inverse(ys[k]))")
        break
      }
    }
  }

  /// Float data: computed in Float64 and rounded once, so the column equals the rounded
  /// scalar result exactly; `flin` forward is computed in Float32 and stays within 1 ulp;
  /// Logicle/Hyperlog/biex forward use the Float32 table kernel, within its documented bound
  /// (FloatKernelTests); fasinh/flog stay exact here (their table kernels are the engine's
  /// `forwardFloat32Kernel`, LogAsinhFloatKernelTests).
  @Test(arguments: AllTransforms.list)
  func floatColumnsEqualRoundedScalar(_ t: ScaleTransform) {
    var worst = 0
    for n in Self.lengths {
      let xs = data(n, top: 262_144, seed: UInt64(n) + 99).map { Float($0) }
      var out = [Float](repeating: -7, count: n)
      xs.withUnsafeBufferPointer { i in out.withUnsafeMutableBufferPointer { t.forward(i, into: $0) } }
      var ys = [Float](repeating: 0.5, count: n)
      for k in 0..<n where out[k].isFinite { ys[k] = out[k] }
      var back = [Float](repeating: -7, count: n)
      ys.withUnsafeBufferPointer { i in back.withUnsafeMutableBufferPointer { t.inverse(i, into: $0) } }
      for k in checked(n) {
        let f = Float(t.forward(Double(xs[k]))), g = Float(t.inverse(Double(ys[k])))
        if t.kind == .flin {
          if f.isFinite { worst = max(worst, ulps(out[k], f)) } else { #expect(same(out[k], f)) }
          #expect(same(back[k], g), "flin inverse goes through Float64")
        } else if [.logicle, .hyperlog, .flowJoBiex].contains(t.kind) {
          if f.isFinite { #expect(ulps(out[k], f) <= FloatKernelTests.maxUlps, "\(t) forward \(xs[k]): \(out[k]) vs \(f)") } else { #expect(same(out[k], f)) }
          #expect(same(back[k], g), "\(t) inverse \(ys[k]): \(back[k]) vs \(g)")
        } else {
          #expect(same(out[k], f), "\(t) forward \(xs[k]): \(out[k]) vs \(f)")
          #expect(same(back[k], g), "\(t) inverse \(ys[k]): \(back[k]) vs \(g)")
        }
      }
    }
    #expect(worst <= 1, "\(t): Float32 arithmetic differs by \(worst) ulp")
  }

  @Test func inPlaceAndArrayForms() throws {
    let t = ScaleTransform.logicle(try LogicleParameters(t: 262_144, w: 0.5, m: 4.5, a: 0))
    let xs = data(40_000, top: 262_144, seed: 5)
    var buffer = xs
    buffer.withUnsafeMutableBufferPointer { t.forward(UnsafeBufferPointer($0), into: $0) }
    #expect(zip(buffer, xs).allSatisfy { same($0, t.forward($1)) })
    #expect(zip(t.forward(xs), buffer).allSatisfy { same($0, $1) })
    let floats = xs.map(Float.init)
    #expect(zip(t.forward(floats), floats).allSatisfy { ulps($0, Float(t.forward(Double($1)))) <= FloatKernelTests.maxUlps })
  }

  @Test func ratioColumnsEqualScalar() throws {
    let r = try RatioTransform(a: 2.7, b: -100, c: -300)
    for n in Self.lengths {
      let xs = data(n, top: 1e4, seed: 11), ys = data(n, top: 1e3, seed: 12)
      var out = [Double](repeating: 0, count: n)
      xs.withUnsafeBufferPointer { x in ys.withUnsafeBufferPointer { y in out.withUnsafeMutableBufferPointer { r.forward(numerator: x, denominator: y, into: $0) } } }
      #expect((0..<n).allSatisfy { same(out[$0], r.forward(xs[$0], ys[$0])) })
      let fx = xs.map(Float.init), fy = ys.map(Float.init)
      var fo = [Float](repeating: 0, count: n)
      fx.withUnsafeBufferPointer { x in fy.withUnsafeBufferPointer { y in fo.withUnsafeMutableBufferPointer { r.forward(numerator: x, denominator: y, into: $0) } } }
      #expect((0..<n).allSatisfy { same(fo[$0], Float(r.forward(Double(fx[$0]), Double(fy[$0])))) })
    }
  }
}

@Suite("Float32 accuracy")
struct FloatAccuracyTests {
  /// Float32 data through the Float32 table kernel: within 2 ulp of the exact display value
  /// rounded to Float (FloatKernelTests.maxUlps), plus the one ulp by which that rounding
  /// can differ from rounding a Float64 result within 1e−15, and within the documented
  /// relative bound.
  @Test func logicleAndHyperlogFloatOutputIsRoundedExactValue() throws {
    var rng = SeededGenerator(seed: 77)
    for family in [BisectionReference.Family.logicle, .hyperlog] {
      for (t, w, m, a) in [(262_144.0, 0.5, 4.5, 0.0), (10_000, 1, 4, 0.5)] {
        let tr: ScaleTransform = family == .logicle
          ? .logicle(try LogicleParameters(t: t, w: w, m: m, a: a)) : .hyperlog(try HyperlogParameters(t: t, w: w, m: m, a: a))
        let ref = BisectionReference(family, t: t, w: w, m: m, a: a)
        let xs = (0..<3_000).map { _ in Float((Bool.random(using: &rng) ? 1 : -0.01) * t * pow(10, Double.random(in: -7...0.3, using: &rng))) }
        let ys = tr.forward(xs)
        var worstUlp = 0, worstRelative = 0.0
        for (x, y) in zip(xs, ys) {
          let exact = ref.forward(Double(x))
          worstUlp = max(worstUlp, ulps(y, Float(exact)))
          worstRelative = max(worstRelative, mixedError(Double(y), exact, floor: 1e-30))
        }
        print("\(tr) Float32 output: worst \(worstUlp) ulp from the rounded exact value, relative error \(worstRelative)")
        #expect(worstUlp <= FloatKernelTests.maxUlps + 1)
        #expect(worstRelative <= FloatKernelTests.maxRelative)
      }
    }
  }
}
