import Foundation
import Testing

@testable import CytoTransforms

/// The Float32 `fasinh` and `flog` forward kernels (ArcsinhFloatCurve + FloatForwardTable,
/// LogFloatTable) against the Float64 forward, and their ``Float32ForwardErrorBound``.
@Suite("Float32 fasinh/flog kernels")
struct LogAsinhFloatKernelTests {
  /// The kernel error documented in ``Float32ForwardErrorBound``: at most this many 2⁻²⁴·(|y| + σ)
  /// from the exact Float64 value of the Float input (σ = x₁ for fasinh, 1/(M·ln 10) for flog).
  static let maxKernelError = 3.0
  /// The bound must hold with at least this factor to spare, for inputs rounded from Float64.
  static let boundMargin = 16.0

  /// Gating-ML compliance-style scales (T = 262144, M = 4.5, A = 0/1; M = 5, T = 10000), a
  /// CyTOF cofactor-5 arcsinh (s = 1/5), A = M, few and many decades, tiny and huge T, and
  /// scales so steep (s = sinh(M ln 10)/T ≥ 10⁴⁰) that the linear series would start below
  /// Float's normal range.
  static let transforms: [ScaleTransform] = {
    do {
      var list: [ScaleTransform] = []
      for (t, m, a) in [
        (262_144.0, 4.5, 0.0), (262_144, 4.5, 1), (10_000, 5, 0), (10_000, 5, 2), (5 * sinh(4 * M_LN10), 4, 0),
        (5 * sinh(M_LN10), 1, 0), (262_144, 4.5, 4.5), (1, 0.01, 0), (1e6, 12, 3), (0.001, 2, 1), (1e30, 30, 0),
        (1, 50, 0), (1e-20, 10, 2),
      ] {
        list.append(.fasinh(try ArcsinhParameters(t: t, m: m, a: a)))
      }
      for (t, m) in [(262_144.0, 4.5), (10_000, 5), (262_144, 0.5), (1, 1), (1e-3, 10), (1e30, 2), (1e-300, 1), (1e300, 0.1), (262_144, 300)] {
        list.append(.flog(try LogarithmicParameters(t: t, m: m)))
      }
      return list
    } catch {
      fatalError("\(error)")
    }
  }()

  /// σ of the kernel error measure (see ``maxKernelError``).
  static func sigma(_ t: ScaleTransform) -> Double {
    switch t {
    case .fasinh(let p): p.a / (p.m + p.a)
    case .flog(let p): 1 / (p.m * M_LN10)
    default: fatalError("not fasinh or flog")
    }
  }

  /// Worst kernel error (units of 2⁻²⁴·(|y| + σ)), worst ulp distance to the rounded Float64
  /// value (where |y| ≥ σ or σ = 0), and the first input whose result is wrong or out of bound.
  static func kernelErrors(_ t: ScaleTransform, _ xs: [Float]) -> (error: Double, ulps: Int, offender: Float?) {
    let ys = t.forwardFloat32Kernel(xs)
    let sigma = Self.sigma(t)
    var worst = 0.0, worstUlps = 0
    var offender: Float? = nil
    for k in xs.indices {
      let r = t.forward(Double(xs[k])), y = ys[k]
      guard r.isFinite else {
        if !same(y, Float(r)) { offender = offender ?? xs[k] }  // NaN and ±∞ exactly as Float64
        continue
      }
      // 2⁻¹⁴⁹: a result in Float's subnormal range can only be that close.
      let e = abs(Double(y) - r) / (0x1p-24 * (abs(r) + sigma) + 0x1p-149)
      worst = max(worst, e)
      if abs(r) >= sigma, Float(r).isFinite { worstUlps = max(worstUlps, ulps(y, Float(r))) }
      if !(e <= maxKernelError) {
        if offender == nil { print("\(t): x = \(xs[k]): \(y) vs \(r), \(e)") }
        offender = offender ?? xs[k]
      }
    }
    return (worst, worstUlps, offender)
  }

  /// Dense sweep: a stride through all finite Float bit patterns (both signs), runs of
  /// consecutive Floats around T, the data value of y = 0 and 1/2 and the table's limits, and
  /// random data-like values.
  @Test(arguments: Self.transforms)
  func denseSweepWithinKernelError(_ t: ScaleTransform) {
    var xs = FloatKernelTests.strideThroughFiniteFloats()
    var centres = [Float(t.inverse(1)), Float(t.inverse(0)), Float(t.inverse(0.5)), 1]
    if case .fasinh(let p) = t {
      let table = p.floatTable
      centres += [table.lowerLimit, table.upperLimit, Float(t.inverse(p.a / (p.m + p.a) / 64)), Float(t.inverse(-p.a / (p.m + p.a) / 64))]
    }
    for c in centres where c.isFinite && c != 0 {
      var lo = c, hi = c
      for _ in 0..<2_000 {
        xs += [lo, hi, -lo, -hi]
        lo = lo.nextDown
        hi = hi.nextUp
      }
    }
    var rng = SeededGenerator(seed: 5)
    let top = t.inverse(1)
    for _ in 0..<20_000 {
      let x = Float(top * pow(10, Double.random(in: -8...1, using: &rng)))
      xs.append(Bool.random(using: &rng) ? x : -x / 100)
    }
    let e = Self.kernelErrors(t, xs)
    print("\(t): Float32 kernel over \(xs.count) values: worst \(e.error) × 2⁻²⁴·(|y| + σ), \(e.ulps) ulp where |y| ≥ σ")
    #expect(e.offender == nil, "\(t): x = \(e.offender.map { "\($0)" } ?? "") outside the kernel error")
    if case .flog(let p) = t { #expect(p.floatTable.midpointError <= 1e-9 / p.m) }
  }

  /// Float64 inputs (random magnitudes over Float's normal range below 10³⁰, both signs) rounded to Float
  /// and transformed by the Float32 kernel stay within the documented bound of the Float64
  /// forward of the unrounded input, with ``boundMargin`` to spare.
  @Test(arguments: Self.transforms)
  func roundedDoubleInputsWithinBound(_ t: ScaleTransform) throws {
    let bound = try #require(t.float32ForwardErrorBound)
    var rng = SeededGenerator(seed: 11)
    let top = t.inverse(1)
    var xs: [Double] = []
    for k in 0..<60_000 {
      let x = k % 2 == 0
        ? top * pow(10, Double.random(in: -9...2, using: &rng))
        : pow(2, Double.random(in: -125.9...127.9, using: &rng))  // anywhere in Float's normal range
      // The bound's domain: Float's normal range below 10³⁰ (the engine computes the rest exactly).
      if x >= Double(Float.leastNormalMagnitude) && x < 1e30 { xs.append(k % 3 == 0 ? -x : x) }
    }
    let ys = t.forwardFloat32Kernel(xs.map { Float($0) })
    var worst = 0.0
    for k in xs.indices {
      let r = t.forward(xs[k]), y = Double(ys[k])
      if !r.isFinite {
        #expect(same(ys[k], Float(r)), "\(t) x = \(xs[k]): \(ys[k]) vs \(r)")
        continue
      }
      let ratio = abs(y - r) / bound.at(r)
      worst = max(worst, ratio)
      #expect(ratio <= 1 / Self.boundMargin, "\(t) x = \(xs[k]): \(y) vs \(r), bound \(bound.at(r))")
    }
    print("\(t): worst error / bound over \(xs.count) rounded Float64 inputs: \(worst)")
  }

  /// ±0, subnormals, tiny, huge (≥ 10³⁰), the largest Float, NaN, ±∞ and negatives: equal to
  /// the Float64 result where it is not finite (flog: −∞ at ±0, NaN below 0), within the
  /// kernel error elsewhere.
  @Test(arguments: Self.transforms)
  func specialValues(_ t: ScaleTransform) {
    let positive: [Float] = [
      0, .leastNonzeroMagnitude, 3e-42, .leastNormalMagnitude.nextDown, .leastNormalMagnitude, 1e-30, 1e-10,
      1e30, 3e35, .greatestFiniteMagnitude, .infinity, .nan,
    ]
    let xs = positive + positive.map { -$0 }
    let e = Self.kernelErrors(t, xs)
    #expect(e.offender == nil, "\(t): x = \(e.offender.map { "\($0)" } ?? "")")
    let ys = t.forwardFloat32Kernel(xs)
    if case .flog(let p) = t {
      #expect(ys[0] == -.infinity && ys[positive.count] == -.infinity)
      // (With T = 10³⁰⁰ the Float64 path's x/T underflows to −0 for tiny x < 0: −∞, matched above.)
      if p.t < 1e100 { #expect(ys[positive.count + 1..<xs.count].allSatisfy { $0.isNaN }) }
    } else {
      #expect(same(ys[0], Float(t.forward(0))) && ys[positive.count] == ys[0])
    }
    #expect(ys[positive.count - 2] == .infinity && ys[positive.count - 1].isNaN)
  }

  /// Every value gives the same bits whatever its position in an 8-lane vector and the column
  /// length (tails of 0…17 values).
  @Test(arguments: [Self.transforms[1], Self.transforms[Self.transforms.count - 9]])
  func columnEqualsSingleValuesBitForBit(_ t: ScaleTransform) {
    var rng = SeededGenerator(seed: 23)
    let pool: [Float] = [0, -0.0, .nan, .infinity, -.infinity, .leastNonzeroMagnitude, 1e-30, 1e30, -5, 262_144]
      + (0..<300).map { _ in Float(262_144 * pow(10, Double.random(in: -7...0.5, using: &rng))) * (Bool.random(using: &rng) ? 1 : -0.01) }
    FloatKernelTests.expectColumnsEqualSingles(pool, rng: &rng, "\(t)") { t.forwardFloat32Kernel($0) }
  }

  /// `flin` and Gating-ML 1.5 `asinh` keep no Float32 bound (their Float path is Float64).
  @Test func otherScalesHaveNoBound() throws {
    #expect(ScaleTransform.flin(try LinearParameters(t: 1000, a: 10)).float32ForwardErrorBound == nil)
    #expect(ScaleTransform.gml15Asinh(try ScaledArcsinhParameters(a: 1, b: 1)).float32ForwardErrorBound == nil)
  }
}
