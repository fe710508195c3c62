import Foundation

// The Float32 forward `flog`: y = log₁₀(x/T)/M + 1 evaluated in Float32 on 8 lanes, from two
// small tables and no libm call.
//
// A positive normal Float is x = 2^e·(1 + f), f ∈ [0, 1), so
//
//     y = [(e·log₁₀2 − log₁₀T)/M + 1] + log₁₀(1 + f)/M = offset(e) + g(f).
//
// offset(e) is computed in Float64 for every exponent field and rounded to Float; g is a cubic
// per interval of 1/64 of the mantissa (Hermite, from the exact Float64 values and slopes at
// both ends; interpolation error below 10⁻⁹/M). A lane costs two table loads and a Horner
// step. Rounding: offset(e) and the cubic's terms are each within half a Float ulp, |g| ≤
// log₁₀2/M and |offset(e)| ≤ |y| + log₁₀2/M, so the error is a few 2⁻²⁴·(|y| + 1/(M·ln 10))
// (measured in the tests; docs/transforms.md).
//
// Lanes outside the tables: x = ±0 gives −∞ and a normal x < 0 gives NaN, computed here
// because compensated data hold many of them (the tests check they equal the Float64 path's
// values); NaN stays NaN. Subnormal x, ±∞, and exponents where x/T would leave the normal
// Float64 range (extreme T) go to the exact Float64 kernel lane by lane.
//
// Every lane depends only on its own input.

/// The tables of the Float32 `flog` forward (see the file comment).
final class LogFloatTable: @unchecked Sendable {
  /// log₂ of the intervals per binary octave.
  static let intervalBits: Int32 = 6
  /// The mantissa bits below the interval index, and t's scale.
  static let fractionBits: Int32 = 23 - intervalBits
  /// offset(e) for each of the 256 exponent fields (NaN: the lane goes to the exact kernel).
  let offsets: UnsafeMutablePointer<Float>
  /// (c₀, c₁, c₂, c₃) of g = c₀ + t·(c₁ + t·(c₂ + t·c₃)) per interval, t ∈ [0, 1).
  let cubics: UnsafeMutablePointer<SIMD4<Float>>
  /// Largest interpolation error of g at the interval midpoints, in Float64 (display units).
  let midpointError: Double

  init(_ p: LogarithmicParameters) {
    let scale = 1 / (p.m * M_LN10)  // display units per unit of ln x
    offsets = .allocate(capacity: 256)
    for field in 0..<256 {
      let e = field - 127
      let low = scalbn(1.0, e) / p.t, high = scalbn(1.0, e + 1) / p.t
      let valid = (1...254).contains(field) && low >= Double.leastNormalMagnitude && high <= Double.greatestFiniteMagnitude
      offsets[field] = valid ? Float((Double(e) * M_LN2 - log(p.t)) * scale + 1) : .nan
    }
    let n = 1 << Int(Self.intervalBits)
    cubics = .allocate(capacity: n)
    var worst = 0.0
    let h = 1 / Double(n)
    func g(_ m: Double) -> Double { log(m) * scale }
    for k in 0..<n {
      let m0 = 1 + Double(k) * h, m1 = m0 + h
      let hm0 = h * scale / m0, hm1 = h * scale / m1, dy = g(m1) - g(m0)
      let c2 = 3 * dy - 2 * hm0 - hm1, c3 = hm0 + hm1 - 2 * dy
      cubics[k] = SIMD4(Float(g(m0)), Float(hm0), Float(c2), Float(c3))
      worst = max(worst, abs(g(m0) + 0.5 * (hm0 + 0.5 * (c2 + 0.5 * c3)) - g(m0 + h / 2)))
    }
    midpointError = worst
  }

  deinit {
    offsets.deallocate()
    cubics.deallocate()
  }

  /// The table's value for each lane, and the lanes that must go to the exact kernel.
  @inline(__always)
  func forward(_ x: F8) -> (y: F8, exact: SIMDMask<I8>) {
    let bits = unsafeBitCast(x, to: I8.self)
    let field = (bits &>> 23) & 0xFF
    let index = (bits &>> Self.fractionBits) & ((1 << Self.intervalBits) - 1)
    let t = F8(bits & ((1 << Self.fractionBits) - 1)) * (1 / Float(1 << Self.fractionBits))
    var offset = F8(), c0 = F8(), c1 = F8(), c2 = F8(), c3 = F8()
    let os = offsets, cs = cubics
    for l in 0..<F8.scalarCount {
      offset[l] = os[Int(field[l])]
      let c = cs[Int(index[l])]
      c0[l] = c[0]
      c1[l] = c[1]
      c2[l] = c[2]
      c3[l] = c[3]
    }
    var y = offset + (c0 + t * (c1 + t * (c2 + t * c3)))
    // NaN offsets: ±0 and subnormals, ±∞ and NaN, or an exponent where x/T is not a normal
    // Double (there the Float64 path's x/T may round to ±0 or ±∞, even for negative x).
    let exact = (y .!= y) .& (x .!= 0) .& (x .== x)
    y = y.replacing(with: -.infinity, where: x .== 0)
    y = y.replacing(with: .nan, where: x .< 0)  // the exact lanes are replaced by the caller
    return (y, exact)
  }
}

extension LogarithmicParameters {
  /// The Float32 tables of these parameters (built on first use, shared per parameter set).
  var floatTable: LogFloatTable {
    FloatTableCache.shared.table([2, t, m]) { LogFloatTable(self) }
  }

  /// Float32 forward by the tables (exact Float64 lanes where they do not apply):
  /// ``ScaleTransform/forwardFloat32Kernel(_:)``, the gating engine's path. The `LaneKernel`
  /// Float32 forward (``ScaleTransform/forward(_:into:)``) stays Float64 rounded once.
  func forwardFloatTable(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
    let table = floatTable
    mapLanes8(src, dst, range) { x in
      var (y, lanes) = table.forward(x)
      if any(lanes) { y = y.replacing(with: exactLanes(x, forwardLanes), where: lanes) }
      return y
    }
  }
}
