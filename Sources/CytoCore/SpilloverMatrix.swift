/// A spillover (spectral overlap) matrix: row `i` gives how much of fluorochrome `i`'s signal
/// appears in each detector, with 1 on the diagonal for a square matrix.
///
/// Values are stored row-major. Observed = true × S, so compensation multiplies by S⁻¹
/// (flowCore `compensation` class; FCS 3.1 `$SPILLOVER`).
public struct SpilloverMatrix: Sendable, Equatable, Codable {
  /// The detector channels (columns), in matrix order.
  public var detectors: [ChannelName]
  /// The fluorochromes (rows). For a matrix from `$SPILLOVER` these equal ``detectors``.
  public var fluorochromes: [ChannelName]
  /// Row-major values, `fluorochromes.count × detectors.count`.
  public var values: [Double]

  /// Creates a matrix; `values` are row-major.
  public init(fluorochromes: [ChannelName], detectors: [ChannelName], values: [Double]) {
    precondition(values.count == fluorochromes.count * detectors.count, "spillover matrix size mismatch")
    self.fluorochromes = fluorochromes
    self.detectors = detectors
    self.values = values
  }

  /// Creates a square matrix over `channels`; `values` are row-major.
  public init(channels: [ChannelName], values: [Double]) {
    self.init(fluorochromes: channels, detectors: channels, values: values)
  }

  /// The value at row `i`, column `j`.
  public subscript(row i: Int, column j: Int) -> Double { values[i * detectors.count + j] }
}
