import CytoCore
import CytoTransforms

/// A named transformation of a strategy (Gating-ML `transforms:transformation`): a scale
/// transform applied to one dimension, or a ratio that defines a new dimension from two
/// channels, optionally bounded (`transforms:boundMin`/`boundMax`: results are clamped).
public struct Transformation: Hashable, Sendable {
  public enum Kind: Hashable, Sendable {
    /// A one-dimensional scale transform (`flin`, `flog`, `fasinh`, `logicle`, `hyperlog`, …).
    case scale(ScaleTransform)
    /// `fratio` of two channels: A·(numerator − B)/(denominator − C).
    case ratio(RatioTransform, numerator: ChannelName, denominator: ChannelName)
  }

  public var id: String
  public var kind: Kind
  /// The clamp applied to the result.
  public var bounds: TransformBounds?

  public init(id: String, kind: Kind, bounds: TransformBounds? = nil) {
    self.id = id
    self.kind = kind
    self.bounds = bounds.flatMap { $0.boundMin == nil && $0.boundMax == nil ? nil : $0 }
  }

  /// Whether this transformation defines a new (ratio) dimension.
  public var isRatio: Bool { if case .ratio = kind { return true } else { return false } }

  /// The ratio's channels, or `nil` for a scale transform.
  public var ratioChannels: (ChannelName, ChannelName)? {
    if case .ratio(_, let a, let b) = kind { return (a, b) }
    return nil
  }

  /// The scale transform applied to every value, in `Double`, bounded.
  func applyScale(_ v: DimensionValues) -> [Double] {
    var x = v.doubles
    x.withUnsafeMutableBufferPointer { scaleInPlace($0) }
    return x
  }

  /// The scale transform of `buf`, in place, bounded (elementwise: the same value gives the same
  /// result in any buffer, at any position).
  func scaleInPlace(_ buf: UnsafeMutableBufferPointer<Double>) {
    guard case .scale(let s) = kind else { preconditionFailure("not a scale transform") }
    let input = UnsafeBufferPointer(buf)
    if let bounds { Bounded(s, bounds: bounds).forward(input, into: buf) } else { s.forward(input, into: buf) }
  }

  /// The ratio of two value columns, in `Double`, bounded.
  func applyRatio(_ x: DimensionValues, _ y: DimensionValues) -> [Double] {
    guard case .ratio(let r, _, _) = kind else { preconditionFailure("not a ratio") }
    let a = x.doubles, b = y.doubles
    var out = [Double](repeating: 0, count: a.count)
    a.withUnsafeBufferPointer { na in
      b.withUnsafeBufferPointer { nb in
        out.withUnsafeMutableBufferPointer { o in
          if let bounds { Bounded(r, bounds: bounds).forward(numerator: na, denominator: nb, into: o) }
          else { r.forward(numerator: na, denominator: nb, into: o) }
        }
      }
    }
    return out
  }
}
