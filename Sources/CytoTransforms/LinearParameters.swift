/// Parameters of the Gating-ML 2.0 parametrized linear transform `flin`.
///
///     flin(x; T, A) = (x + A) / (T + A)
///     x = flin⁻¹(y) = y·(T + A) − A
///
/// Maps the data range [−A, T] onto [0, 1] (so T ↦ 1 and −A ↦ 0) and is defined, linearly,
/// for every real x outside it. Input and T, A are in data units (the FCS channel value after
/// any gain and compensation); the result is dimensionless display units.
///
/// - `T` (top of scale): T > 0.
/// - `A` (bottom of scale, as a distance below 0): 0 ≤ A ≤ T.
///
/// Source: Gating-ML 2.0, section "Parametrized linear transformation – flin"; the
/// equivalent flowCore class is `lintGml2`.
///
/// Float data: the forward transform is computed in Float32 arithmetic ((x + A)/(T + A),
/// x + A being exact where it cancels): within 1 ulp of the Float64 result rounded to Float
/// (measured), so no Float64 detour is needed. The inverse y·(T + A) − A cancels near data 0
/// (an error of one Float ulp of A, about 3e−5 for A = 500), so it goes through Float64.
public struct LinearParameters: Sendable, Hashable, Codable, CustomStringConvertible {
  /// Top of scale `T`, in data units.
  public let t: Double
  /// Bottom of scale `A` (data value −A maps to 0), in data units.
  public let a: Double

  /// Validates and stores `flin` parameters.
  /// - Throws: ``TransformParameterError`` naming `T` or `A` when T ≤ 0, A < 0, A > T or a
  ///   value is not finite.
  public init(t: Double, a: Double) throws(TransformParameterError) {
    try requireFinite(.flin, "T", t)
    try requireFinite(.flin, "A", a)
    try require(t > 0, .flin, "T", t, "T > 0")
    try require(a >= 0 && a <= t, .flin, "A", a, "0 ≤ A ≤ T (T = \(t))")
    self.t = t
    self.a = a
  }

  /// A one-line human-readable form.
  public var description: String { "flin(T: \(t), A: \(a))" }

  private enum CodingKeys: String, CodingKey { case t = "T", a = "A" }

  /// Decodes `{"T": …, "A": …}` and validates it like ``init(t:a:)``.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    try self.init(t: c.decode(Double.self, forKey: .t), a: c.decode(Double.self, forKey: .a))
  }
}

extension LinearParameters: LaneKernel {
  @inline(__always) func forwardLanes(_ x: DVec) -> DVec { (x + a) / (t + a) }
  @inline(__always) func inverseLanes(_ y: DVec) -> DVec { y * (t + a) - a }
  @inline(__always) func forwardFloatLanes(_ x: FVec) -> FVec { (x + Float(a)) / Float(t + a) }
}
