/// A robust straight-line fit y = intercept + slope · x: the Theil–Sen estimator (slope = median
/// of the pairwise slopes, intercept = median of y − slope · x; Sen, JASA 1968). It tolerates up
/// to 29% of the points being off the line — doublets, debris, saturated events — where least
/// squares would be pulled toward them.
///
/// At most `maxPoints` points enter the pairwise slopes, taken at a fixed stride, so the cost
/// is bounded (O(maxPoints²), the median slope found by selection) and the result deterministic.
public struct RobustLine: Sendable, Equatable {
  public var intercept: Double
  public var slope: Double

  public init(intercept: Double, slope: Double) {
    self.intercept = intercept
    self.slope = slope
  }

  /// Fits `y` on `x`; `nil` with fewer than 3 usable points or no spread in x.
  public static func theilSen(x: [Float], y: [Float], maxPoints: Int = 400) -> RobustLine? {
    var px: [Double] = [], py: [Double] = []
    let n = min(x.count, y.count)
    let stride = max(1, n / maxPoints)
    var i = 0
    while i < n {
      let a = Double(x[i]), b = Double(y[i])
      if a.isFinite && b.isFinite {
        px.append(a)
        py.append(b)
      }
      i += stride
    }
    guard px.count >= 3 else { return nil }
    var slopes: [Float] = []
    slopes.reserveCapacity(px.count * (px.count - 1) / 2)
    for a in 0..<px.count {
      for b in (a + 1)..<px.count where px[b] != px[a] {
        slopes.append(Float((py[b] - py[a]) / (px[b] - px[a])))
      }
    }
    guard let slope = RobustSample.median(selecting: &slopes) else { return nil }
    let residual = RobustSample(zip(px, py).map { Float($1 - slope * $0) })
    guard let intercept = residual.median else { return nil }
    return RobustLine(intercept: intercept, slope: slope)
  }

  public func predict(_ x: Double) -> Double { intercept + slope * x }

  /// Theil–Sen refitted on the points within `k` robust SDs of the previous fit, `rounds`
  /// times: points far off the line (a doublet cloud with its own slope) pull the pairwise
  /// slopes between the two clouds; trimming them lets the main line's own slope through.
  /// The points are first thinned to at most 20,000 at a fixed stride: the trimming spread
  /// is as well measured from them as from a million.
  public static func trimmedTheilSen(x: [Float], y: [Float], k: Double = 3, rounds: Int = 2, maxPoints: Int = 400) -> RobustLine? {
    let n = min(x.count, y.count), limit = 20_000
    if n > limit {
      let step = Double(n) / Double(limit)
      let idx = (0..<limit).map { Int(Double($0) * step) }
      return trimmedTheilSen(x: idx.map { x[$0] }, y: idx.map { y[$0] }, k: k, rounds: rounds, maxPoints: maxPoints)
    }
    guard var line = theilSen(x: x, y: y, maxPoints: maxPoints) else { return nil }
    for _ in 0..<rounds {
      let r = zip(x, y).map { Float(Double($1) - line.predict(Double($0))) }
      guard let s = RobustSample(r, limit: 100_000).robustSD, s > 0 else { break }
      var kx: [Float] = [], ky: [Float] = []
      for i in r.indices where abs(Double(r[i])) <= k * s {
        kx.append(x[i])
        ky.append(y[i])
      }
      guard let refit = theilSen(x: kx, y: ky, maxPoints: maxPoints) else { break }
      line = refit
    }
    return line
  }
}
