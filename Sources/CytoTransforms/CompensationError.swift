import CytoCore

/// Why a compensation matrix could not be built or applied.
public enum CompensationError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The spillover matrix has no fluorochromes or no detectors.
  case empty
  /// More fluorochromes than detectors: the unmixing is underdetermined.
  case underdetermined(fluorochromes: Int, detectors: Int)
  /// A coefficient is NaN or infinite.
  case nonFiniteCoefficient(fluorochrome: ChannelName, detector: ChannelName, value: Double)
  /// A channel name appears twice among the fluorochromes or among the detectors.
  case duplicateChannel(ChannelName)
  /// The spillover rows are linearly dependent, so the matrix (or S·Sᵀ) is singular:
  /// `fluorochrome`'s row is a linear combination of the rows of `combinationOf` (empty when
  /// the row is zero). All of these channels are involved.
  case singular(fluorochrome: ChannelName, combinationOf: [ChannelName])
  /// The number of detector columns given differs from the matrix's detector count.
  case detectorColumnCount(expected: Int, given: Int)
  /// A detector column index is outside the data.
  case detectorColumnOutOfRange(ChannelIndex, channelCount: Int)

  /// A one-line human-readable form.
  public var description: String {
    switch self {
    case .empty:
      "the spillover matrix is empty"
    case .underdetermined(let f, let d):
      "the spillover matrix has \(f) fluorochromes but only \(d) detectors; at least as many detectors as fluorochromes are needed"
    case .nonFiniteCoefficient(let f, let d, let v):
      "spillover coefficient of \(f) into \(d) is \(v); every coefficient must be finite"
    case .duplicateChannel(let c):
      "channel \(c) appears twice in the spillover matrix"
    case .singular(let f, let others) where others.isEmpty:
      "the spillover matrix is singular: the row of \(f) is zero"
    case .singular(let f, let others):
      "the spillover matrix is singular: the row of \(f) is a linear combination of the rows of "
        + others.map(\.rawValue).joined(separator: ", ") + "; channels involved: "
        + ([f] + others).map(\.rawValue).joined(separator: ", ")
    case .detectorColumnCount(let e, let g):
      "\(g) detector columns given for a matrix with \(e) detectors"
    case .detectorColumnOutOfRange(let c, let n):
      "detector column \(c) is outside the data (\(n) channels)"
    }
  }
}
