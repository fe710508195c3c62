import Foundation

/// FlowJo's biexponential as the lookup table FlowJo bins with: data value per channel
/// `0…channels` (docs/flowjo.md, "The rule", step 1).
///
/// The algorithm is the one cytolib documents as TreeStar's (and FlowKit ports), ported from
/// `scripts/flowjo_counts.py` (`biex_table`). docs/flowjo.md measured that FlowJo's polygon
/// binning uses **4096** channels whatever `length` the workspace stores (256 in every
/// workspace seen). For `width −100, pos 4.418539922, neg 0, maxRange 262144` the table runs
/// from −1636.28 (channel 0) to 262868.46 (channel 4096), so its top is not `maxRange`.
///
/// ``displayValue(_:)`` interpolates linearly between table points and clamps outside the
/// table, as `numpy.interp` does in the script.
public struct FlowJoBiexTable: Sendable, Hashable {
  /// Data values at channels `0…channelCount` (increasing).
  public let dataValues: [Double]
  /// The number of channels (4096); the table has `channelCount + 1` points.
  public let channelCount: Int

  /// Builds the table for FlowJo's stored parameters.
  public init(_ biex: FlowJoBiex, channels: Int = 4096) {
    channelCount = channels
    dataValues = Self.table(neg: biex.neg, width: biex.width, pos: biex.pos, top: biex.maxRange, channels: channels)
  }

  /// Display coordinate `u` in 0…1 of data value `x`: `channel(x) / channelCount`.
  public func displayValue(_ x: Double) -> Double { channel(x) / Double(channelCount) }

  /// The (fractional) channel of data value `x`, linear between table points, clamped to
  /// `0…channelCount`. NaN stays NaN.
  public func channel(_ x: Double) -> Double {
    let d = dataValues
    if x.isNaN { return .nan }
    if x <= d[0] { return 0 }
    if x >= d[d.count - 1] { return Double(d.count - 1) }
    // First index with d[i] > x (d is increasing); x lies in [d[i-1], d[i]).
    var lo = 0, hi = d.count - 1
    while hi - lo > 1 {
      let mid = (lo + hi) / 2
      if d[mid] <= x { lo = mid } else { hi = mid }
    }
    let span = d[hi] - d[lo]
    return span == 0 ? Double(lo) : Double(lo) + (x - d[lo]) / span
  }

  /// `biex_table` of scripts/flowjo_counts.py, statement for statement.
  static func table(neg: Double, width: Double, pos: Double, top: Double, channels: Int) -> [Double] {
    var w = log10(-width)
    var decades = pos - w / 2
    let extra = max(neg, 0) + w / 2
    let zero = Int(min(Double(Int(extra * Double(channels) / (extra + decades))), Double(channels) / 2))
    if zero > 0 { decades = extra * Double(channels) / Double(zero) }
    w = w / (2 * decades)
    let prange = log(10.0) * decades
    let lowest = top / exp(prange)

    // The negative range r solves 2 ln r + w r = 2 ln prange − w prange (bisection on (0, prange]).
    let target = 2 * log(prange) - w * prange
    var lo = 0.0, hi = prange
    if w != 0 {
      for _ in 0..<200 {
        let mid = (lo + hi) / 2
        if 2 * log(mid) + w * mid < target { lo = mid } else { hi = mid }
      }
    }
    let nrange = w != 0 ? (lo + hi) / 2 : prange

    let n = channels + 1
    let scale = exp((prange + nrange) * (w + extra / decades))
    func up(_ k: Int) -> Double { exp(Double(k) / Double(n) * prange) }
    func down(_ k: Int) -> Double { exp(Double(k) / Double(n) * -nrange) * scale }
    let shift = up(zero) - down(zero)
    var data = [Double](repeating: 0, count: n)
    for k in zero..<n { data[k] = lowest * (up(k) - down(k) - shift) }
    for m in 0..<zero { data[m] = -data[2 * zero - m] }
    return data
  }
}
