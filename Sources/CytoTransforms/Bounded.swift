/// The Gating-ML 2.0 `transforms:boundMin` / `transforms:boundMax` restriction of a transform's
/// result.
///
///     bound(f) = max(min(f, boundMax), boundMin)
///
/// Gating-ML 2.0 (section "Transformations", attributes `boundMin`, `boundMax` of
/// `transforms:transformation`): a result below boundMin becomes boundMin and a result above
/// boundMax becomes boundMax, so off-scale events pile up on the edge instead of
/// disappearing; an absent bound is no restriction, and boundMin must not exceed boundMax.
/// flowCore implements it the same way (`bound(f, boundMin, boundMax)` in every `*Gml2`
/// transform class). Bounds are in the transform's output (display) units.
///
/// NaN stays NaN (it is not ordered against either bound); −∞ becomes boundMin and +∞
/// becomes boundMax when those bounds exist.
public struct TransformBounds: Sendable, Hashable, Codable, CustomStringConvertible {
  /// `boundMin`, or −∞ when absent.
  public let lower: Double
  /// `boundMax`, or +∞ when absent.
  public let upper: Double

  /// No restriction.
  public static let unbounded = TransformBounds(uncheckedLower: -.infinity, upper: .infinity)

  /// Validates the bounds (either may be absent).
  /// - Throws: ``TransformParameterError`` (transform `bounds`) naming `boundMin` or `boundMax`
  ///   when a bound is NaN, or `boundMin` when it exceeds `boundMax`.
  public init(boundMin: Double? = nil, boundMax: Double? = nil) throws(TransformParameterError) {
    let lo = boundMin ?? -.infinity, hi = boundMax ?? .infinity
    try require(!lo.isNaN, .bounds, "boundMin", lo, "a number")
    try require(!hi.isNaN, .bounds, "boundMax", hi, "a number")
    try require(lo <= hi, .bounds, "boundMin", lo, "boundMin ≤ boundMax (= \(hi))")
    self.init(uncheckedLower: lo, upper: hi)
  }

  private init(uncheckedLower lower: Double, upper: Double) {
    self.lower = lower
    self.upper = upper
  }

  /// `boundMin`, or `nil` when absent.
  public var boundMin: Double? { lower == -.infinity ? nil : lower }
  /// `boundMax`, or `nil` when absent.
  public var boundMax: Double? { upper == .infinity ? nil : upper }

  /// `y` restricted to [boundMin, boundMax]; NaN stays NaN.
  @inline(__always)
  public func clamp(_ y: Double) -> Double { y < lower ? lower : (y > upper ? upper : y) }

  /// Restricts every value in place (NaN stays NaN).
  public func clamp(_ values: UnsafeMutableBufferPointer<Double>) {
    guard lower != -.infinity || upper != .infinity else { return }
    for i in values.indices { values[i] = clamp(values[i]) }
  }

  /// Restricts every value in place, with the bounds rounded to Float (NaN stays NaN).
  public func clamp(_ values: UnsafeMutableBufferPointer<Float>) {
    guard lower != -.infinity || upper != .infinity else { return }
    let lo = Float(lower), hi = Float(upper)
    for i in values.indices {
      let y = values[i]
      values[i] = y < lo ? lo : (y > hi ? hi : y)
    }
  }

  /// A one-line human-readable form.
  public var description: String { "[\(boundMin.map { "\($0)" } ?? "−∞"), \(boundMax.map { "\($0)" } ?? "+∞")]" }

  private enum CodingKeys: String, CodingKey { case boundMin, boundMax }

  /// Encodes the bounds that are present (`boundMin`, `boundMax`).
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encodeIfPresent(boundMin, forKey: .boundMin)
    try c.encodeIfPresent(boundMax, forKey: .boundMax)
  }

  /// Decodes optional `boundMin` / `boundMax` and validates them.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    try self.init(
      boundMin: c.decodeIfPresent(Double.self, forKey: .boundMin),
      boundMax: c.decodeIfPresent(Double.self, forKey: .boundMax))
  }
}

/// A transform whose result is restricted by ``TransformBounds`` (a Gating-ML 2.0
/// `transforms:transformation` with `boundMin`/`boundMax`).
///
/// Works for the one-dimensional ``ScaleTransform`` and the two-dimensional
/// ``RatioTransform``; the bound is applied after the transform. There is no inverse: the
/// bound is not invertible (use `base.inverse` for values inside the bounds).
public struct Bounded<Base: Sendable & Hashable & Codable>: Sendable, Hashable, Codable {
  /// The transform before the bound.
  public var base: Base
  /// The restriction of its result.
  public var bounds: TransformBounds

  /// Wraps `base` with `bounds`.
  public init(_ base: Base, bounds: TransformBounds) {
    self.base = base
    self.bounds = bounds
  }
}

extension Bounded where Base == ScaleTransform {
  /// bound(base.forward(x)).
  public func forward(_ x: Double) -> Double { bounds.clamp(base.forward(x)) }

  /// Transforms and bounds `input` into `output` (same count; may be the same memory).
  public func forward(_ input: UnsafeBufferPointer<Double>, into output: UnsafeMutableBufferPointer<Double>) {
    base.forward(input, into: output)
    bounds.clamp(output)
  }

  /// Transforms and bounds Float `input` into `output` (same count; may be the same memory).
  /// The bounds are compared after rounding the result to Float.
  public func forward(_ input: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>) {
    base.forward(input, into: output)
    bounds.clamp(output)
  }
}

extension Bounded where Base == RatioTransform {
  /// bound(base.forward(x, y)).
  public func forward(_ numerator: Double, _ denominator: Double) -> Double {
    bounds.clamp(base.forward(numerator, denominator))
  }

  /// Ratio of two columns into `output`, bounded.
  public func forward(
    numerator: UnsafeBufferPointer<Double>, denominator: UnsafeBufferPointer<Double>,
    into output: UnsafeMutableBufferPointer<Double>
  ) {
    base.forward(numerator: numerator, denominator: denominator, into: output)
    bounds.clamp(output)
  }

  /// Ratio of two Float columns into `output`, bounded.
  public func forward(
    numerator: UnsafeBufferPointer<Float>, denominator: UnsafeBufferPointer<Float>,
    into output: UnsafeMutableBufferPointer<Float>
  ) {
    base.forward(numerator: numerator, denominator: denominator, into: output)
    bounds.clamp(output)
  }
}
