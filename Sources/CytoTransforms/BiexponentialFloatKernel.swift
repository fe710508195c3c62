import Foundation

// The Float32 forward Logicle/Hyperlog: a table with cubic interpolation, evaluated in Float32
// on 8 lanes, with no iteration.
//
// Why a separate kernel: the Float64 forward (BiexponentialKernel.forward) spends most of its
// time in the Halley correction, which needs two Float64 expm1 per value. Float data need far
// less: the result is rounded to Float anyway. Here the display value y(x) is tabulated at 32
// points per binary octave of |x| as one cubic per interval (Hermite, from the exact Float64
// values and slopes at both ends), separately for x > 0 (y = x₁ + Δ) and x < 0 (y = x₁ − Δ),
// so a value costs a table index from its bit pattern, one 16-byte load and a Horner step.
//
// Accuracy (measured by a dense sweep in the tests and documented in docs/transforms.md): the
// interpolation error is far below a Float ulp, so the result is within a few Float ulps of
// the exact value. Two regions are handed to the exact Float64 kernel instead, lane by lane:
//
// * |x| at or above the table's top (T·2²⁰), and NaN/±∞;
// * x < 0 with |y| < x₁/4, near the point where the display value crosses 0. There an
//   absolute error of a small fraction of ulp(x₁) would be a large relative error in y.
//
// Below the table (where b·Δ < 10⁻⁴) the series Δ = u − c₂u², u = |x|/B′(x₁),
// c₂ = B″(x₁)/(2B′(x₁)) is used; its relative error is below (b·Δ)² ≈ 10⁻⁸. (If that point is
// below Float's normal range — a very steep scale — the table starts at 2⁻¹²⁶ and the lanes
// below it go to the exact kernel instead.)
//
// Every lane depends only on its own input, so a value gives the same result in any lane,
// column position or column length.

/// 8 Float lanes: the Float32 kernels' vector.
typealias F8 = SIMD8<Float>
/// The 32-bit pattern lanes of ``F8``.
typealias I8 = SIMD8<Int32>

/// The cubic-per-interval table of the Float32 forward transform (see the file comment).
final class FloatForwardTable: @unchecked Sendable {
  /// Intervals per binary octave: 2^octaveBits, from 32 up to 256 until the interpolation
  /// error at every interval's midpoint is within ``tolerance``.
  static let octaveBitsTried: ClosedRange<Int32> = 5...8
  /// Largest interpolation error allowed, relative to |y| (about a sixth of a Float ulp).
  static let tolerance = 1e-8
  /// Most octaves tabulated (Float has 254 normal octaves).
  static let maxOctaves: Int32 = 200

  /// Intervals per binary octave, log₂.
  let octaveBits: Int32
  /// Key of the first node (|x| = `lowerLimit`); a Float's key is its magnitude's bit
  /// pattern shifted right by `keyShift`.
  let firstKey: Int32
  /// Number of intervals per sign.
  let intervals: Int32
  /// The last valid interval index of one sign (0 for an empty table).
  let lastInterval: Int32
  /// The key shift (`23 − octaveBits`) and the mask and scale that turn the bits below it
  /// into t ∈ [0, 1).
  let keyShift: Int32, fractionMask: Int32, fractionScale: Float
  /// Below this |x| the series is used.
  let lowerLimit: Float
  /// From this |x| on (and for NaN) the exact Float64 kernel is used.
  let upperLimit: Float
  /// x₁ rounded to Float.
  let x1: Float
  /// 1/B′(x₁) and c₂ = B″(x₁)/(2B′(x₁)), for the series below the table.
  let inverseSlope0: Float, quadratic: Float
  /// Negative x whose |y| is below this go to the exact kernel (x₁/64).
  let nearZero: Float
  /// Whether the series is good below ``lowerLimit``; if not (its limit is below Float's
  /// normal range, so the table starts higher — a very steep scale), those lanes are exact.
  let seriesHolds: Bool
  /// Largest interpolation error found at the interval midpoints, relative to
  /// max(|y|, x₁/64) for both signs (in Float64, before rounding the coefficients).
  let midpointError: Double
  /// (c₀, c₁, c₂, c₃) of y = c₀ + t·(c₁ + t·(c₂ + t·c₃)) for each interval, t ∈ [0, 1):
  /// x > 0 in `0..<intervals`, x < 0 in `intervals..<2·intervals`.
  let cubics: UnsafeMutablePointer<SIMD4<Float>>

  init(_ curve: some FloatTableCurve) {
    x1 = Float(curve.zero)
    inverseSlope0 = Float(curve.seriesSlope)
    quadratic = Float(curve.seriesQuadratic)
    nearZero = Float(curve.zero / 64)
    // From where the series is good to 1e−8 to T·2²⁰.
    let lowData = curve.seriesLimit, topData = curve.tableTop
    seriesHolds = lowData >= Double(Float.leastNormalMagnitude) && inverseSlope0.isFinite
    var built: (bits: Int32, first: Int32, count: Int32, cubics: [SIMD4<Float>], error: Double) = (5, 1, 0, [], 0)
    if lowData.isFinite, topData.isFinite, lowData > 0 {
      let low = Float(max(lowData, Double(Float.leastNormalMagnitude)))
      let top = Float(min(topData, Double(Float.greatestFiniteMagnitude)))
      for bits in Self.octaveBitsTried {
        let shift = 23 - bits
        let first = Int32(bitPattern: low.bitPattern) >> shift
        // Round the top up to a node; never reach the key of +∞.
        let infinityKey = Int32(bitPattern: Float.infinity.bitPattern) >> shift
        let last = min(Int32(bitPattern: top.bitPattern) >> shift + 1, infinityKey, first + Self.maxOctaves << bits)
        guard last > first else { break }
        let (cubics, error) = Self.cubics(curve, first: first, count: last - first, shift: shift)
        built = (bits, first, last - first, cubics, error)
        if error <= Self.tolerance { break }
      }
    }
    octaveBits = built.bits
    keyShift = 23 - built.bits
    fractionMask = (1 << keyShift) - 1
    fractionScale = 1 / Float(1 << keyShift)
    firstKey = built.first
    intervals = built.count
    lastInterval = max(built.count, 1) - 1
    midpointError = built.error
    // An empty table (degenerate scale) sends every lane to the exact kernel.
    lowerLimit = built.count == 0 ? 0 : Float(bitPattern: UInt32(built.first) << UInt32(keyShift))
    upperLimit = built.count == 0 ? 0 : Float(bitPattern: UInt32(built.first + built.count) << UInt32(keyShift))
    let stored = max(built.cubics.count, 1)
    cubics = .allocate(capacity: stored)
    cubics.initialize(repeating: SIMD4<Float>(), count: stored)
    for (k, c) in built.cubics.enumerated() { cubics[k] = c }
  }

  /// The cubics of `count` intervals from node key `first` (x > 0, then x < 0), and the
  /// largest midpoint error relative to max(|y|, x₁/64) over both signs.
  private static func cubics(
    _ curve: some FloatTableCurve, first: Int32, count n32: Int32, shift: Int32
  ) -> ([SIMD4<Float>], Double) {
    let x1 = curve.zero
    let n = Int(n32)
    // Nodes at even positions, midpoints at odd ones; exact Δ and dΔ/dx 4 at a time.
    let m = 2 * n + 1
    var xs = [Double](repeating: 0, count: m)
    for i in 0...n { xs[2 * i] = Double(Float(bitPattern: UInt32(first + Int32(i)) << UInt32(shift))) }
    for i in 0..<n { xs[2 * i + 1] = (xs[2 * i] + xs[2 * i + 2]) / 2 }
    var deltas = [Double](repeating: 0, count: m)
    var slopes = [Double](repeating: 0, count: m)
    var i = 0
    while i < m {
      var x = DVec()
      for l in 0..<laneCount { x[l] = xs[min(i + l, m - 1)] }
      let (delta, slope) = curve.deltaAndSlope(x)
      for l in 0..<laneCount where i + l < m {
        deltas[i + l] = delta[l]
        slopes[i + l] = slope[l]
      }
      i += laneCount
    }
    var out = [SIMD4<Float>](repeating: SIMD4(), count: 2 * n)
    var worst = 0.0
    let floor = x1 / 64
    for k in 0..<n {
      let (a, mid, b) = (2 * k, 2 * k + 1, 2 * k + 2)
      let h = xs[b] - xs[a]
      let hm0 = h * slopes[a], hm1 = h * slopes[b], dy = deltas[b] - deltas[a]
      let c2 = 3 * dy - 2 * hm0 - hm1
      let c3 = hm0 + hm1 - 2 * dy
      let positive = SIMD4(Float(x1 + deltas[a]), Float(hm0), Float(c2), Float(c3))
      let negative = SIMD4(Float(x1 - deltas[a]), Float(-hm0), Float(-c2), Float(-c3))
      out[k] = positive
      out[n + k] = negative
      // The interpolation error of Δ at t = ½ (before rounding the coefficients to Float).
      let error = abs(deltas[a] + 0.5 * (hm0 + 0.5 * (c2 + 0.5 * c3)) - deltas[mid])
      let y = min(x1 + deltas[mid], max(abs(x1 - deltas[mid]), floor))
      worst = max(worst, error / y)
    }
    return (out, worst)
  }

  deinit { cubics.deallocate() }

  /// The table's value for each lane, and the lanes that must go to the exact kernel.
  @inline(__always)
  func forward(_ x: F8) -> (y: F8, exact: SIMDMask<I8>) {
    // Every compare is on Float lanes: SIMD integer compares are not lowered to vector
    // instructions (they become a loop over the lanes).
    let bits = unsafeBitCast(x, to: I8.self)
    let magnitudeBits = bits & 0x7FFF_FFFF
    let ax = unsafeBitCast(magnitudeBits, to: F8.self)
    let negative = x .< 0
    let small = ax .< lowerLimit
    let outside = .!(ax .< upperLimit)  // includes NaN
    // Interval index: clamp the key into the table, then move x < 0 to the second half.
    var key = (magnitudeBits &>> keyShift) &- firstKey
    key = key.replacing(with: 0, where: small)
    key = key.replacing(with: lastInterval, where: outside)
    let index = key &+ ((bits &>> 31) & intervals)
    // t = position inside the interval: the low mantissa bits, exactly.
    let t = F8(magnitudeBits & fractionMask) * fractionScale
    var c0 = F8(), c1 = F8(), c2 = F8(), c3 = F8()
    let base = cubics
    for l in 0..<F8.scalarCount {
      let c = base[Int(index[l])]
      c0[l] = c[0]
      c1[l] = c[1]
      c2[l] = c[2]
      c3[l] = c[3]
    }
    var y = c0 + t * (c1 + t * (c2 + t * c3))
    // Below the table: y = x₁ ± (u − c₂u²).
    if any(small) {
      let u = ax * inverseSlope0
      let delta = u - quadratic * (u * u)
      let signed = unsafeBitCast(unsafeBitCast(delta, to: I8.self) | (bits & I8(repeating: Int32.min)), to: F8.self)
      y = y.replacing(with: x1 + signed, where: small)
    }
    let absY = unsafeBitCast(unsafeBitCast(y, to: I8.self) & 0x7FFF_FFFF, to: F8.self)
    var exact = outside .| (negative .& (absY .< nearZero))
    if !seriesHolds { exact = exact .| small }
    return (y, exact)
  }
}

/// The Float32 table, built on first use (the Float64 API never needs it).
final class LazyFloatForwardTable: @unchecked Sendable {
  private let lock = NSLock()
  private var table: FloatForwardTable?

  init() {}

  func get(_ curve: @autoclosure () -> some FloatTableCurve) -> FloatForwardTable {
    lock.lock()
    defer { lock.unlock() }
    if let table { return table }
    let built = FloatForwardTable(curve())
    table = built
    return built
  }
}

extension BiexponentialKernel: FloatTableCurve {
  var zero: Double { curve.x1 }
  var seriesSlope: Double { 1 / curve.slope0 }
  /// c₂ = B″(x₁)/(2B′(x₁)).
  var seriesQuadratic: Double {
    let second: Double =
      switch curve.family {
      case .logicle: curve.p * curve.b * curve.b - curve.q * curve.d * curve.d
      case .hyperlog: curve.p * curve.b * curve.b
      }
    return second / (2 * curve.slope0)
  }
  /// Where b·Δ = 10⁻⁴ (the series' relative error is below (b·Δ)² there).
  var seriesLimit: Double { curve.positiveBranch(splat(1e-4 / curve.b))[0] }
  /// T·2²⁰.
  var tableTop: Double { curve.positiveBranch(splat(1 - curve.x1))[0] * 0x1p20 }
  func deltaAndSlope(_ ax: DVec) -> (delta: DVec, slope: DVec) {
    let delta = self.delta(ax)
    return (delta, 1 / curve.halleyTerms(delta, ax).d1)
  }

  /// Forward-transforms `src[range]` into `dst[range]` in Float32 (the table, and the exact
  /// Float64 ``forward(_:)`` for the lanes it does not cover).
  func forwardFloat(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
    let table = floatTable.get(self)
    mapLanes8(src, dst, range) { table.forward($0, exact: forward) }
  }
}
