import CytoTransforms

/// A channel's display transform as FlowJo 10 stores it (`Sample/Transformations/transforms:*`),
/// with FlowJo's own parameters, unconverted.
///
/// FlowJo attaches one transform per sample and parameter name; compensated names
/// (`Comp-PE-A`) have entries of their own. Gate dimensions carry no transform reference: the
/// parameter name alone selects it (``WorkspaceSample/transform(for:)``).
public enum FlowJoTransform: Sendable, Hashable {
  /// `transforms:linear`: display = (x − minRange)/(maxRange − minRange). `gain` is the
  /// `$PnG`-like factor FlowJo shows (e.g. 0.0101614699 on Time in 68983).
  case linear(minRange: Double, maxRange: Double, gain: Double)
  /// `transforms:log`: `offset` (data value at the bottom of scale) and `decades`.
  case log(offset: Double, decades: Double)
  /// `transforms:biex`: FlowJo's lookup-table biexponential (see ``FlowJoBiex``).
  case biex(FlowJoBiex)
  /// `transforms:logicle`: Gating-ML logicle parameters.
  case logicle(t: Double, w: Double, m: Double, a: Double)
  /// `transforms:fasinh`: FlowJo's arcsinh. `W` and `length` are stored by FlowJo but have no
  /// Gating-ML counterpart (FlowKit ignores both); `maxRange` is the display top.
  case fasinh(t: Double, m: Double, a: Double, w: Double, length: Double?, maxRange: Double?)
  /// `transforms:hyperlog`: Gating-ML hyperlog parameters.
  case hyperlog(t: Double, w: Double, m: Double, a: Double)
  /// A FlowJo 9 workspace's `Sample/Parameter` (log flag, range, calibration table), as stored.
  case flowJo9(FlowJo9Parameter)

  /// The XML element's local name (`linear`, `log`, `biex`, `logicle`, `fasinh`, `hyperlog`;
  /// `Parameter` for FlowJo 9).
  public var elementName: String {
    switch self {
    case .linear: "linear"
    case .log: "log"
    case .biex: "biex"
    case .logicle: "logicle"
    case .fasinh: "fasinh"
    case .hyperlog: "hyperlog"
    case .flowJo9: "Parameter"
    }
  }
}

/// FlowJo's biexponential parameters exactly as stored on `transforms:biex`.
///
/// `width` is FlowJo's "Width Basis" (negative, e.g. −100), `pos` the positive decades, `neg`
/// the negative decades, `maxRange` the top of scale in data units and `length` the table
/// length FlowJo writes (256 in every workspace seen; docs/flowjo.md measured that FlowJo's
/// binning uses a 4096-channel table regardless). ``logicleEquivalent()`` gives CytoML's
/// mapping onto Logicle for callers that want a closed form.
public struct FlowJoBiex: Sendable, Hashable {
  /// Width basis (`transforms:width`), negative.
  public var width: Double
  /// Positive decades (`transforms:pos`).
  public var pos: Double
  /// Negative decades (`transforms:neg`).
  public var neg: Double
  /// Top of scale, data units (`transforms:maxRange`).
  public var maxRange: Double
  /// Table length as stored (`transforms:length`), when present.
  public var length: Int?

  /// Creates the parameters as stored.
  public init(width: Double, pos: Double, neg: Double, maxRange: Double, length: Int?) {
    self.width = width
    self.pos = pos
    self.neg = neg
    self.maxRange = maxRange
    self.length = length
  }

  /// The project's validated FlowJo biex (Logicle equivalent, CytoML #38).
  /// - Throws: ``TransformParameterError`` when FlowJo's values are outside Logicle's domain.
  public func logicleEquivalent() throws(TransformParameterError) -> FlowJoBiexParameters {
    try FlowJoBiexParameters(widthBasis: width, positiveDecades: pos, negativeDecades: neg, maxValue: maxRange)
  }
}
