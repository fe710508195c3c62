/// The family of a transform, used to name it in errors and in `Codable` output.
///
/// Raw values are the element names of the defining document: the Gating-ML 2.0
/// `transforms:` elements (`flin`, `flog`, `fasinh`, `logicle`, `hyperlog`, `fratio`), the
/// Gating-ML 1.5 `asinh`, FlowJo's `biex`, and `bounds` for the
/// `transforms:boundMin`/`transforms:boundMax` wrapper.
public enum TransformKind: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
  /// Gating-ML 2.0 parametrized linear transform (`transforms:flin`).
  case flin
  /// Gating-ML 2.0 parametrized logarithmic transform (`transforms:flog`).
  case flog
  /// Gating-ML 2.0 parametrized inverse hyperbolic sine (`transforms:fasinh`).
  case fasinh
  /// Gating-ML 2.0 Logicle (`transforms:logicle`), Parks, Roederer & Moore 2006.
  case logicle
  /// Gating-ML 2.0 Hyperlog (`transforms:hyperlog`), Bagwell 2005.
  case hyperlog
  /// Gating-ML 1.5 inverse hyperbolic sine `asinh(a, b)`.
  case gml15Asinh = "asinh"
  /// FlowJo's biexponential display transform (`biex` in a FlowJo workspace).
  case flowJoBiex = "biex"
  /// Gating-ML 2.0 ratio of two dimensions (`transforms:fratio`).
  case fratio
  /// The `transforms:boundMin` / `transforms:boundMax` restriction of any transform's result.
  case bounds

  /// A one-line human-readable form.
  public var description: String { rawValue }
}

/// A transform parameter outside the range its defining document allows.
///
/// Thrown by the validating initialisers (`LogicleParameters(t:w:m:a:)`, …). The message
/// names the transform, the parameter as the document spells it, the value and the rule:
///
///     logicle: parameter W = 3 is invalid; required: 0 ≤ W ≤ M/2 (M = 4.5)
public struct TransformParameterError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The transform whose parameter is invalid.
  public var transform: TransformKind
  /// The parameter name exactly as the defining document spells it: `T`, `W`, `M`, `A`, `B`,
  /// `C` (Gating-ML 2.0), `a`, `b` (Gating-ML 1.5 `asinh`), `widthBasis`, `positiveDecades`,
  /// `negativeDecades`, `maxValue` (FlowJo) or `boundMin`, `boundMax`.
  public var parameter: String
  /// The rejected value (may be NaN or infinite).
  public var value: Double
  /// The condition the value must meet, in words, with the other parameters it depends on.
  public var requirement: String

  /// Creates an error record.
  public init(transform: TransformKind, parameter: String, value: Double, requirement: String) {
    self.transform = transform
    self.parameter = parameter
    self.value = value
    self.requirement = requirement
  }

  /// A one-line human-readable form.
  public var description: String {
    "\(transform): parameter \(parameter) = \(value) is invalid; required: \(requirement)"
  }
}

/// Throws a ``TransformParameterError`` unless `condition` holds.
@inline(__always)
func require(
  _ condition: Bool, _ transform: TransformKind, _ parameter: String, _ value: Double,
  _ requirement: @autoclosure () -> String
) throws(TransformParameterError) {
  if !condition {
    throw TransformParameterError(
      transform: transform, parameter: parameter, value: value, requirement: requirement())
  }
}

/// Throws unless `value` is finite (every transform parameter must be).
@inline(__always)
func requireFinite(_ transform: TransformKind, _ parameter: String, _ value: Double) throws(TransformParameterError) {
  try require(value.isFinite, transform, parameter, value, "a finite number")
}
