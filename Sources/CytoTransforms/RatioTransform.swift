/// The Gating-ML 2.0 ratio of two dimensions, `fratio`.
///
///     fratio(x, y; A, B, C) = A · (x − B) / (y − C)
///
/// `x` is the first (numerator) dimension and `y` the second (denominator) dimension, both in
/// data units; A scales the result, B and C offset the numerator and denominator (data
/// units). The result is dimensionless. There is no inverse (two inputs, one output).
///
/// IEEE semantics at the singularity: y = C gives ±∞ when x ≠ B and NaN when x = B; NaN in
/// either input gives NaN. Float data are computed in Float64 and rounded once.
///
/// - `A`, `B`, `C`: any finite numbers.
///
/// Source: Gating-ML 2.0, section "Parametrized ratio of two parameters – fratio"; flowCore
/// class `ratiotGml2` (f = A·(p1 − B)/(p2 − C)).
public struct RatioTransform: Sendable, Hashable, Codable, CustomStringConvertible {
  /// Scale `A`.
  public let a: Double
  /// Numerator offset `B`, in data units.
  public let b: Double
  /// Denominator offset `C`, in data units.
  public let c: Double

  /// Validates and stores `fratio` parameters.
  /// - Throws: ``TransformParameterError`` naming `A`, `B` or `C` when it is not finite.
  public init(a: Double, b: Double, c: Double) throws(TransformParameterError) {
    try requireFinite(.fratio, "A", a)
    try requireFinite(.fratio, "B", b)
    try requireFinite(.fratio, "C", c)
    self.a = a
    self.b = b
    self.c = c
  }

  /// A · (x − B) / (y − C).
  @inline(__always)
  public func forward(_ x: Double, _ y: Double) -> Double { a * (x - b) / (y - c) }

  /// The ratio of two Double columns into `output` (all the same count; `output` may be the
  /// same memory as either input).
  /// - Precondition: the three counts are equal.
  public func forward(
    numerator: UnsafeBufferPointer<Double>, denominator: UnsafeBufferPointer<Double>,
    into output: UnsafeMutableBufferPointer<Double>
  ) {
    precondition(numerator.count == denominator.count && output.count == numerator.count, "column lengths differ")
    guard let xs = numerator.baseAddress, let ys = denominator.baseAddress, let out = output.baseAddress else { return }
    let rx = UnsafeRawPointer(xs), ry = UnsafeRawPointer(ys), ro = UnsafeMutableRawPointer(out)
    let n = output.count
    var i = 0
    while i &+ laneCount <= n {
      let x = rx.loadUnaligned(fromByteOffset: i &* 8, as: DVec.self)
      let y = ry.loadUnaligned(fromByteOffset: i &* 8, as: DVec.self)
      ro.storeBytes(of: a * (x - b) / (y - c), toByteOffset: i &* 8, as: DVec.self)
      i &+= laneCount
    }
    while i < n {
      out[i] = forward(xs[i], ys[i])
      i &+= 1
    }
  }

  /// The ratio of two Float columns into `output`, computed in Float64 and rounded once.
  /// - Precondition: the three counts are equal.
  public func forward(
    numerator: UnsafeBufferPointer<Float>, denominator: UnsafeBufferPointer<Float>,
    into output: UnsafeMutableBufferPointer<Float>
  ) {
    precondition(numerator.count == denominator.count && output.count == numerator.count, "column lengths differ")
    guard let xs = numerator.baseAddress, let ys = denominator.baseAddress, let out = output.baseAddress else { return }
    let rx = UnsafeRawPointer(xs), ry = UnsafeRawPointer(ys), ro = UnsafeMutableRawPointer(out)
    let n = output.count
    var i = 0
    while i &+ laneCount <= n {
      let x = widen(rx.loadUnaligned(fromByteOffset: i &* 4, as: FVec.self))
      let y = widen(ry.loadUnaligned(fromByteOffset: i &* 4, as: FVec.self))
      ro.storeBytes(of: narrow(a * (x - b) / (y - c)), toByteOffset: i &* 4, as: FVec.self)
      i &+= laneCount
    }
    while i < n {
      out[i] = Float(forward(Double(xs[i]), Double(ys[i])))
      i &+= 1
    }
  }

  /// A one-line human-readable form.
  public var description: String { "fratio(A: \(a), B: \(b), C: \(c))" }

  private enum CodingKeys: String, CodingKey { case a = "A", b = "B", c = "C" }

  /// Decodes `{"A": …, "B": …, "C": …}` and validates it like ``init(a:b:c:)``.
  public init(from decoder: any Decoder) throws {
    let k = try decoder.container(keyedBy: CodingKeys.self)
    try self.init(
      a: k.decode(Double.self, forKey: .a), b: k.decode(Double.self, forKey: .b),
      c: k.decode(Double.self, forKey: .c))
  }
}
