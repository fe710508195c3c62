import Foundation

// The Float32 forward `fasinh`: the interpolation table of the Logicle kernel
// (FloatForwardTable), built from the exact Float64 values and slopes of
//
//     y = x₁ ± Δ(|x|),  x₁ = A/(M + A),  Δ(|x|) = asinh(s·|x|)/R,
//     s = sinh(M·ln 10)/T,  R = (M + A)·ln 10,
//
// which is the Gating-ML formula with asinh's oddness made explicit. Below the table
// (s·|x| < 10⁻⁴) Δ = s·|x|/R (asinh z = z − z³/6 + …, relative error below 2·10⁻⁹); at and
// above T·2²⁰, for NaN/±∞, and for negative x whose |y| is below x₁/64 (where y crosses 0
// when A > 0), the lane is computed by the exact Float64 kernel and rounded.

/// The `fasinh` curve in the form the Float32 table needs.
struct ArcsinhFloatCurve: FloatTableCurve {
  /// sinh(M·ln 10)/T, (M + A)·ln 10, T, A.
  let s: Double, r: Double, t: Double, a: Double

  var zero: Double { a * M_LN10 / r }
  var seriesSlope: Double { s / r }
  var seriesQuadratic: Double { 0 }  // asinh is odd: no quadratic term
  var seriesLimit: Double { 1e-4 / s }
  var tableTop: Double { t * 0x1p20 }
  func deltaAndSlope(_ ax: DVec) -> (delta: DVec, slope: DVec) {
    let z = ax * s
    return (vasinh(z) / r, s / (r * (1 + z * z).squareRoot()))
  }
}

extension ArcsinhParameters {
  /// The Float32 table of these parameters (built on first use, shared per parameter set).
  var floatTable: FloatForwardTable {
    FloatTableCache.shared.table([1, t, m, a]) {
      FloatForwardTable(ArcsinhFloatCurve(s: inputScale, r: range, t: t, a: a))
    }
  }

  /// Float32 forward by the interpolation table (exact Float64 lanes where it does not
  /// apply): ``ScaleTransform/forwardFloat32Kernel(_:)``, the gating engine's path. The
  /// `LaneKernel` Float32 forward (``ScaleTransform/forward(_:into:)``) stays Float64 rounded once.
  func forwardFloatTable(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
    let table = floatTable
    mapLanes8(src, dst, range) { table.forward($0, exact: forwardLanes) }
  }
}

/// Float32 tables of `fasinh` and `flog` scales, built on first use and shared by every
/// transform with the same parameters in this process (at most 64 kept).
final class FloatTableCache: @unchecked Sendable {
  static let shared = FloatTableCache()
  private let lock = NSLock()
  private var tables: [[Double]: AnyObject] = [:]
  private var order: [[Double]] = []

  /// The table for `key` (kind tag first, then the parameters), made by `make` if absent.
  func table<T: AnyObject>(_ key: [Double], make: () -> T) -> T {
    lock.lock()
    if let found = tables[key] as? T {
      lock.unlock()
      return found
    }
    lock.unlock()
    let built = make()
    lock.lock()
    defer { lock.unlock() }
    if let found = tables[key] as? T { return found }
    tables[key] = built
    order.append(key)
    if order.count > 64 { tables[order.removeFirst()] = nil }
    return built
  }
}
