import CytoCore
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
    sorted = FloatSort.sorted(values.filter(\.isFinite))
  }

  /// The finite values of an array, sorted (the common case, specialised).
  public init(_ values: [Float]) {
    sorted = FloatSort.sorted(values.filter(\.isFinite))
  }

  /// Wraps values already sorted ascending and finite (not checked).
  init(alreadySorted: [Float]) {
    sorted = alreadySorted
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
    var v: [Float] = []
    v.reserveCapacity(limit)
    values.withUnsafeBufferPointer { b in
      for i in 0..<limit {
        let x = b[Int(Double(i) * step)]
        if x.isFinite { v.append(x) }
      }
    }
    self.init(alreadySorted: FloatSort.sorted(v))
  }

  /// The sample without its `k` largest values (no re-sort).
  public func droppingLast(_ k: Int) -> RobustSample {
    RobustSample(alreadySorted: Array(sorted.dropLast(k)))
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
    // The deviations below the median, read downward, and those above it, read upward, are
    // both ascending: merging them gives the sorted deviations in O(n), no sort.
    let split = countBelow(m)
    var dev: [Float] = []
    dev.reserveCapacity(sorted.count)
    var lo = split - 1, hi = split
    while lo >= 0 || hi < sorted.count {
      let a = lo >= 0 ? m - Double(sorted[lo]) : .infinity
      let b = hi < sorted.count ? Double(sorted[hi]) - m : .infinity
      if a <= b {
        dev.append(Float(a))
        lo -= 1
      } else {
        dev.append(Float(b))
        hi += 1
      }
    }
    return RobustSample(alreadySorted: dev).median.map { $0 * Self.madToSD }
  }

  /// A robust σ from one side of `center` only: the median of |x − center| over the values on
  /// that side, × ``madToSD``. For a population with a neighbour on the other side (doublets
  /// right of the singlet ratio, positives right of a negative peak) this measures the peak's
  /// own width.
  public func halfSD(around center: Double, side: Side) -> Double? {
    // The values on one side of `center` are a contiguous run of the sorted values, so their
    // distances to it are already in order.
    var dev: [Float] = []
    switch side {
    case .below:
      let end = countAtMost(center)
      dev = sorted[0..<end].reversed().map { Float(center - Double($0)) }
    case .above:
      let start = countBelow(center)
      dev = sorted[start...].map { Float(Double($0) - center) }
    }
    guard dev.count >= 3 else { return nil }
    return RobustSample(alreadySorted: dev).median.map { $0 * Self.madToSD }
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

  /// Number of values at most `x`.
  public func countAtMost(_ x: Double) -> Int {
    var lo = 0, hi = sorted.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if Double(sorted[mid]) <= x { lo = mid + 1 } else { hi = mid }
    }
    return lo
  }

  /// The median of `values` (finite ones) by selection, without sorting them all: for the
  /// pairwise slopes of a Theil–Sen fit. Reorders `values`.
  public static func median(selecting values: inout [Float]) -> Double? {
    var n = 0
    for v in values where v.isFinite {
      values[n] = v
      n += 1
    }
    guard n > 0 else { return nil }
    let h = Double(n - 1) * 0.5
    let lo = Int(h.rounded(.down))
    return values.withUnsafeMutableBufferPointer { b -> Double in
      OrderStatistics.select(b, from: 0, to: n - 1, k: lo)
      let a = Double(b[lo])
      guard lo + 1 < n, h > Double(lo) else { return a }
      // The next order statistic is the smallest value above position `lo`.
      var next = Float.infinity
      for i in (lo + 1)..<n where b[i] < next { next = b[i] }
      return a + (h - Double(lo)) * (Double(next) - a)
    }
  }

  /// Which side of a centre.
  public enum Side: String, Sendable, Codable {
    case below, above
  }
}
