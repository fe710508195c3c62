/// Order statistics and robust spreads of a sample, the building blocks of every data-driven
/// cut: quantiles (type 7, as R's default), the median, the median absolute deviation scaled to
/// a normal standard deviation, and the one-sided ("half") spreads that measure a peak's width
/// on the side no neighbouring population contaminates.
///
/// Non-finite values are ignored everywhere. An empty sample has no statistics (`nil`).
public struct RobustSample: Sendable {
  /// The finite values, sorted ascending.
  public let sorted: [Float]

  /// The consistency factor of the MAD: 1 / Φ⁻¹(3/4), so MAD × factor estimates σ of a normal.
  public static let madToSD = 1.482_602_218_505_602

  public init<S: Sequence>(_ values: S) where S.Element == Float {
    var v = values.filter(\.isFinite)
    v.sort()
    sorted = v
  }

  /// At most `limit` of the values, taken at a fixed stride (deterministic): densities,
  /// quantiles and robust spreads of a million events are as well estimated from 100,000 of
  /// them, without sorting them all.
  public init(_ values: [Float], limit: Int) {
    guard values.count > limit, limit > 0 else {
      self.init(values)
      return
    }
    let step = Double(values.count) / Double(limit)
    self.init((0..<limit).lazy.map { values[Int(Double($0) * step)] })
  }

  /// Number of values strictly below `x` in `values` (every one, not a sample).
  public static func count(_ values: [Float], below x: Double) -> Int {
    var n = 0
    for v in values where Double(v) < x { n += 1 }
    return n
  }

  public var count: Int { sorted.count }
  public var isEmpty: Bool { sorted.isEmpty }

  /// The `q`-quantile (0 ≤ q ≤ 1), linear interpolation between order statistics (R type 7).
  public func quantile(_ q: Double) -> Double? {
    guard !sorted.isEmpty else { return nil }
    let q = min(1, max(0, q))
    let h = Double(sorted.count - 1) * q
    let lo = Int(h.rounded(.down)), hi = min(sorted.count - 1, lo + 1)
    let f = h - Double(lo)
    return Double(sorted[lo]) + f * (Double(sorted[hi]) - Double(sorted[lo]))
  }

  public var median: Double? { quantile(0.5) }

  /// Median absolute deviation from the median, × ``madToSD`` (a robust σ).
  public var robustSD: Double? {
    guard let m = median else { return nil }
    let dev = RobustSample(sorted.map { Float(abs(Double($0) - m)) })
    return dev.median.map { $0 * Self.madToSD }
  }

  /// A robust σ from one side of `center` only: the median of |x − center| over the values on
  /// that side, × ``madToSD``. For a population with a neighbour on the other side (doublets
  /// right of the singlet ratio, positives right of a negative peak) this measures the peak's
  /// own width.
  public func halfSD(around center: Double, side: Side) -> Double? {
    var dev: [Float] = []
    for v in sorted {
      let d = Double(v) - center
      switch side {
      case .below where d <= 0: dev.append(Float(-d))
      case .above where d >= 0: dev.append(Float(d))
      default: break
      }
    }
    guard dev.count >= 3 else { return nil }
    return RobustSample(dev).median.map { $0 * Self.madToSD }
  }

  /// Number of values strictly below `x`.
  public func countBelow(_ x: Double) -> Int {
    var lo = 0, hi = sorted.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if Double(sorted[mid]) < x { lo = mid + 1 } else { hi = mid }
    }
    return lo
  }

  /// Which side of a centre.
  public enum Side: String, Sendable, Codable {
    case below, above
  }
}
