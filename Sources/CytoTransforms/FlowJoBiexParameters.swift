import Foundation

/// Parameters of FlowJo's biexponential display transform ("Biex"), evaluated as Logicle.
///
/// FlowJo writes a biex transform with four numbers (workspace attributes `width`, `pos`,
/// `neg`, `maxRange`). This type maps them onto Logicle, as CytoML and flowWorkspace do
/// (RGLab/CytoML#38):
///
///     T = maxValue,   W = log₁₀(−widthBasis) / 2,   M = positiveDecades,   A = negativeDecades
///
/// and returns the Logicle display value in [0, 1] at T (FlowJo shows the same curve on
/// 0…channelRange, usually 4096 channels; multiply by it to compare with FlowJo channels).
///
/// How FlowJo really evaluates it, and what this approximation leaves out: FlowJo does not
/// solve the biexponential per event. It tabulates it at channelRange + 1 = 4097 display
/// channels, placing data zero on the whole channel ⌊(W + A)/(M + A)·4096⌋ and rescaling the
/// decades so that this truncated zero position is exact, then maps events by linear
/// interpolation in that table and clamps values outside it to channel 0 or 4096. FlowKit's
/// `WSPBiexTransform` reproduces that table (ported via cytolib from TreeStar's Java code).
/// Measured for FlowJo's defaults (widthBasis −10, 4.418540 positive decades, 0 negative,
/// maxValue 262144): inside the table's data range, −132.3 … 261622, Logicle differs from
/// FlowJo's table by at most 1.0e−3 of the scale (4 of 4096 channels), mostly from the
/// truncated zero channel; outside it FlowJo clamps while Logicle continues (a data value of
/// −200 is 0.04 of the scale below FlowJo's channel 0). Gates drawn in FlowJo on a biex axis
/// can therefore move by a few channels; gates defined in data units are unaffected. The
/// measurement script is in docs/transforms.md.
///
/// - `widthBasis`: ≤ −1 (FlowJo's UI offers −1 … −1000; −10 is the default), so W ≥ 0.
/// - `positiveDecades` (`pos`): > 0; with W it must satisfy W ≤ M/2, i.e.
///   log₁₀(−widthBasis) ≤ positiveDecades.
/// - `negativeDecades` (`neg`): 0 ≤ neg ≤ pos − log₁₀(−widthBasis) (FlowJo silently treats
///   negative values as 0; here they are rejected so nothing changes silently).
/// - `maxValue` (`maxRange`, data units): > 0.
///
/// Sources: RGLab/CytoML issue #38 (the mapping and its validation against FlowJo output);
/// FlowKit `WSPBiexTransform` / `generate_biex_lut` and cytolib `biexpTrans` (FlowJo's table);
/// FlowJo documentation, "Biex" transform.
public struct FlowJoBiexParameters: Sendable, Hashable, Codable, CustomStringConvertible {
  /// FlowJo "Width Basis" (negative).
  public let widthBasis: Double
  /// FlowJo "Positive Decades".
  public let positiveDecades: Double
  /// FlowJo "Negative Decades".
  public let negativeDecades: Double
  /// FlowJo "Max Value" (top of scale, data units).
  public let maxValue: Double
  /// The Logicle transform this maps to.
  public let logicle: LogicleParameters

  /// Validates FlowJo's parameters and builds the equivalent Logicle.
  /// - Throws: ``TransformParameterError`` (transform `biex`) naming `widthBasis`,
  ///   `positiveDecades`, `negativeDecades` or `maxValue`.
  public init(widthBasis: Double, positiveDecades: Double, negativeDecades: Double, maxValue: Double)
    throws(TransformParameterError)
  {
    try requireFinite(.flowJoBiex, "widthBasis", widthBasis)
    try requireFinite(.flowJoBiex, "positiveDecades", positiveDecades)
    try requireFinite(.flowJoBiex, "negativeDecades", negativeDecades)
    try requireFinite(.flowJoBiex, "maxValue", maxValue)
    try require(maxValue > 0, .flowJoBiex, "maxValue", maxValue, "maxValue > 0")
    try require(widthBasis <= -1, .flowJoBiex, "widthBasis", widthBasis, "widthBasis ≤ −1")
    try require(positiveDecades > 0, .flowJoBiex, "positiveDecades", positiveDecades, "positiveDecades > 0")
    let w = log10(-widthBasis) / 2
    try require(
      w <= positiveDecades / 2, .flowJoBiex, "widthBasis", widthBasis,
      "log₁₀(−widthBasis) ≤ positiveDecades (= \(positiveDecades))")
    try require(
      negativeDecades >= 0 && negativeDecades <= positiveDecades - 2 * w, .flowJoBiex, "negativeDecades",
      negativeDecades, "0 ≤ negativeDecades ≤ positiveDecades − log₁₀(−widthBasis) (= \(positiveDecades - 2 * w))")
    do {
      self.logicle = try LogicleParameters(t: maxValue, w: w, m: positiveDecades, a: negativeDecades)
    } catch {
      throw TransformParameterError(
        transform: .flowJoBiex, parameter: "positiveDecades", value: positiveDecades,
        requirement: "a Logicle-compatible combination (\(error.requirement))")
    }
    self.widthBasis = widthBasis
    self.positiveDecades = positiveDecades
    self.negativeDecades = negativeDecades
    self.maxValue = maxValue
  }

  /// A one-line human-readable form.
  public var description: String {
    "biex(widthBasis: \(widthBasis), pos: \(positiveDecades), neg: \(negativeDecades), max: \(maxValue))"
  }

  private enum CodingKeys: String, CodingKey {
    case widthBasis, positiveDecades, negativeDecades, maxValue
  }

  /// Encodes the four FlowJo numbers.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(widthBasis, forKey: .widthBasis)
    try c.encode(positiveDecades, forKey: .positiveDecades)
    try c.encode(negativeDecades, forKey: .negativeDecades)
    try c.encode(maxValue, forKey: .maxValue)
  }

  /// Decodes the four FlowJo numbers and validates them like the initialiser.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    try self.init(
      widthBasis: c.decode(Double.self, forKey: .widthBasis),
      positiveDecades: c.decode(Double.self, forKey: .positiveDecades),
      negativeDecades: c.decode(Double.self, forKey: .negativeDecades),
      maxValue: c.decode(Double.self, forKey: .maxValue))
  }
}
