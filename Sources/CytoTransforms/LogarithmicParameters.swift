import Foundation

/// Parameters of the Gating-ML 2.0 parametrized logarithmic transform `flog`.
///
///     flog(x; T, M) = log₁₀(x / T) / M + 1
///     x = flog⁻¹(y) = T · 10^(M·(y − 1))
///
/// Maps (0, T] onto (−∞, 1] so that T ↦ 1 and M decades below T land in [0, 1]. The
/// logarithm is only defined for x > 0: x = 0 gives −∞ and x < 0 gives NaN (IEEE `log`
/// semantics, the same values flowCore and FlowKit produce). Input and T are in data units;
/// the result is dimensionless display units.
///
/// - `T` (top of scale): T > 0.
/// - `M` (number of decades shown): M > 0.
///
/// Source: Gating-ML 2.0, section "Parametrized logarithmic transformation – flog"; flowCore
/// class `logtGml2`.
public struct LogarithmicParameters: Sendable, Hashable, Codable, CustomStringConvertible {
  /// Top of scale `T`, in data units.
  public let t: Double
  /// Decades `M` mapped onto [0, 1].
  public let m: Double

  /// Validates and stores `flog` parameters.
  /// - Throws: ``TransformParameterError`` naming `T` or `M` when either is ≤ 0 or not finite.
  public init(t: Double, m: Double) throws(TransformParameterError) {
    try requireFinite(.flog, "T", t)
    try requireFinite(.flog, "M", m)
    try require(t > 0, .flog, "T", t, "T > 0")
    try require(m > 0, .flog, "M", m, "M > 0")
    self.t = t
    self.m = m
  }

  /// A one-line human-readable form.
  public var description: String { "flog(T: \(t), M: \(m))" }

  private enum CodingKeys: String, CodingKey { case t = "T", m = "M" }

  /// Decodes `{"T": …, "M": …}` and validates it like ``init(t:m:)``.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    try self.init(t: c.decode(Double.self, forKey: .t), m: c.decode(Double.self, forKey: .m))
  }
}

extension LogarithmicParameters: LaneKernel {
  @inline(__always) func forwardLanes(_ x: DVec) -> DVec {
    vlog(x / t) / (m * M_LN10) + 1
  }
  @inline(__always) func inverseLanes(_ y: DVec) -> DVec {
    vexp((y - 1) * (m * M_LN10)) * t
  }
}
