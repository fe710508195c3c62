/// Parameters of the Gating-ML 1.5 inverse hyperbolic sine `asinh(a, b)`.
///
///     f(x; a, b) = b · asinh(a · x)
///     x = f⁻¹(y) = sinh(y / b) / a
///
/// Odd, defined for every real x. With a = b = 1 it is plain asinh(x), which the Gating-ML 2.0
/// compliance suite's set 6 uses (`gateAsinhGml1.5`: 0.3 ≤ asinh(APC-A) < 4.7). `a` is in
/// 1/data units, `b` in display units.
///
/// - `a` (input scale): a ≠ 0, finite.
/// - `b` (output scale): b ≠ 0, finite.
///
/// Source: Gating-ML 1.5 (Candidate Recommendation), parametrized inverse hyperbolic sine;
/// flowCore class `asinht` (f = asinh(a·x)·b), which flowUtils writes and reads back.
public struct ScaledArcsinhParameters: Sendable, Hashable, Codable, CustomStringConvertible {
  /// Input scale `a`.
  public let a: Double
  /// Output scale `b`.
  public let b: Double

  /// Validates and stores Gating-ML 1.5 `asinh` parameters.
  /// - Throws: ``TransformParameterError`` naming `a` or `b` when it is 0 or not finite.
  public init(a: Double, b: Double) throws(TransformParameterError) {
    try requireFinite(.gml15Asinh, "a", a)
    try requireFinite(.gml15Asinh, "b", b)
    try require(a != 0, .gml15Asinh, "a", a, "a ≠ 0")
    try require(b != 0, .gml15Asinh, "b", b, "b ≠ 0")
    self.a = a
    self.b = b
  }

  /// A one-line human-readable form.
  public var description: String { "asinh(a: \(a), b: \(b))" }

  private enum CodingKeys: String, CodingKey { case a, b }

  /// Decodes `{"a": …, "b": …}` and validates it like ``init(a:b:)``.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    try self.init(a: c.decode(Double.self, forKey: .a), b: c.decode(Double.self, forKey: .b))
  }
}

extension ScaledArcsinhParameters: LaneKernel {
  @inline(__always) func forwardLanes(_ x: DVec) -> DVec { vasinh(x * a) * b }
  @inline(__always) func inverseLanes(_ y: DVec) -> DVec { vsinh(y / b) / a }
}
