// What the Float32 interpolation table (FloatForwardTable) needs from a transform, and the
// column driver shared by the Float32 kernels.

/// A transform of the form y = x₁ ± Δ(|x|) (the sign of x), with Δ(0) = 0 and Δ increasing:
/// Logicle, Hyperlog and `fasinh`. ``FloatForwardTable`` tabulates Δ from these exact Float64
/// values and slopes.
protocol FloatTableCurve {
  /// x₁, the display value of data value 0.
  var zero: Double { get }
  /// Δ′(0): below ``seriesLimit`` Δ = u − c₂u² with u = |x|·Δ′(0).
  var seriesSlope: Double { get }
  /// c₂ of the series below the table.
  var seriesQuadratic: Double { get }
  /// The |x| below which the series is within 10⁻⁸ of Δ, relatively.
  var seriesLimit: Double { get }
  /// The |x| from which the exact kernel is used (T·2²⁰).
  var tableTop: Double { get }
  /// Δ(|x|) and dΔ/d|x| for |x| > 0, exact in Float64, per lane.
  func deltaAndSlope(_ ax: DVec) -> (delta: DVec, slope: DVec)
}

extension FloatForwardTable {
  /// The Float32 forward transform of 8 lanes: the table, with the lanes it does not cover
  /// computed by `exact` (the Float64 forward) and rounded.
  @inline(__always)
  func forward(_ x: F8, exact: (DVec) -> DVec) -> F8 {
    var (y, lanes) = forward(x)
    if any(lanes) { y = y.replacing(with: exactLanes(x, exact), where: lanes) }
    return y
  }
}

/// `exact` (a Float64 forward) of 8 Float lanes, rounded back to Float.
@inline(__always)
func exactLanes(_ x: F8, _ exact: (DVec) -> DVec) -> F8 {
  F8(lowHalf: narrow(exact(widen(x.lowHalf))), highHalf: narrow(exact(widen(x.highHalf))))
}

/// Applies `body` to `src[range]` into `dst[range]`, 8 Floats at a time; the tail goes through
/// a zero-padded vector (every lane depends only on its own input, so the padding is harmless).
@inline(__always)
func mapLanes8(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ range: Range<Int>, _ body: (F8) -> F8) {
  let rs = UnsafeRawPointer(src), rd = UnsafeMutableRawPointer(dst)
  let width = F8.scalarCount
  var i = range.lowerBound
  while i &+ width <= range.upperBound {
    let v = rs.loadUnaligned(fromByteOffset: i &* 4, as: F8.self)
    rd.storeBytes(of: body(v), toByteOffset: i &* 4, as: F8.self)
    i &+= width
  }
  if i < range.upperBound {
    var v = F8()
    for j in 0..<(range.upperBound &- i) { v[j] = src[i &+ j] }
    let r = body(v)
    for j in 0..<(range.upperBound &- i) { dst[i &+ j] = r[j] }
  }
}
