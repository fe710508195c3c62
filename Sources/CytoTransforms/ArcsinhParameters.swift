import Foundation

/// Parameters of the Gating-ML 2.0 parametrized inverse hyperbolic sine `fasinh`.
///
///     fasinh(x; T, M, A) = (asinh(x · sinh(M·ln 10) / T) + A·ln 10) / ((M + A)·ln 10)
///     x = fasinh⁻¹(y)    = T · sinh((M + A)·ln 10 · y − A·ln 10) / sinh(M·ln 10)
///
/// T maps to 1, large values behave like an (M + A)-decade logarithmic scale and A decades of
/// negative data are brought on scale; it equals `logicle(T, W = 0, M, A)`. Defined for every
/// real x (odd around x = 0, which maps to A/(M + A)). Input and T are in data units; the
/// result is dimensionless display units.
///
/// - `T` (top of scale): T > 0.
/// - `M` (decades at the top end): M > 0.
/// - `A` (extra negative decades): 0 ≤ A ≤ M (the Logicle rule −W ≤ A ≤ M − 2W with W = 0).
///
/// Source: Gating-ML 2.0, section "Parametrized inverse hyperbolic sine – fasinh"; flowCore
/// class `asinhtGml2`.
public struct ArcsinhParameters: Sendable, Hashable, Codable, CustomStringConvertible {
  /// Top of scale `T`, in data units.
  public let t: Double
  /// Decades `M`.
  public let m: Double
  /// Additional negative decades `A`.
  public let a: Double
  /// sinh(M·ln 10) / T.
  let inputScale: Double
  /// (M + A)·ln 10.
  let range: Double

  /// Validates and stores `fasinh` parameters.
  /// - Throws: ``TransformParameterError`` naming `T`, `M` or `A` when T ≤ 0, M ≤ 0,
  ///   A ∉ [0, M] or a value is not finite.
  public init(t: Double, m: Double, a: Double) throws(TransformParameterError) {
    try requireFinite(.fasinh, "T", t)
    try requireFinite(.fasinh, "M", m)
    try requireFinite(.fasinh, "A", a)
    try require(t > 0, .fasinh, "T", t, "T > 0")
    try require(m > 0, .fasinh, "M", m, "M > 0")
    try require(a >= 0 && a <= m, .fasinh, "A", a, "0 ≤ A ≤ M (M = \(m))")
    try require(sinh(m * M_LN10).isFinite, .fasinh, "M", m, "sinh(M·ln 10) finite (M < 308)")
    self.t = t
    self.m = m
    self.a = a
    self.inputScale = sinh(m * M_LN10) / t
    self.range = (m + a) * M_LN10
  }

  /// A one-line human-readable form.
  public var description: String { "fasinh(T: \(t), M: \(m), A: \(a))" }

  private enum CodingKeys: String, CodingKey { case t = "T", m = "M", a = "A" }

  /// Decodes `{"T": …, "M": …, "A": …}` and validates it like ``init(t:m:a:)``.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    try self.init(
      t: c.decode(Double.self, forKey: .t), m: c.decode(Double.self, forKey: .m),
      a: c.decode(Double.self, forKey: .a))
  }
}

extension ArcsinhParameters: LaneKernel {
  @inline(__always) func forwardLanes(_ x: DVec) -> DVec {
    (vasinh(x * inputScale) + a * M_LN10) / range
  }
  @inline(__always) func inverseLanes(_ y: DVec) -> DVec {
    vsinh(y * range - a * M_LN10) / inputScale
  }
}
