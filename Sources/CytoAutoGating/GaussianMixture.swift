import Foundation

/// A two-component Gaussian mixture of one variable, fitted by expectation–maximisation, for
/// populations that overlap too much to leave a density valley (a sharp peak beside a broad
/// shoulder). The components are *separated* when Ashman's D = √2·|μ₁ − μ₂| / √(σ₁² + σ₂²)
/// is at least 2 (Ashman, Bird & Zepf 1994: a clean bimodal split); the cut between them is
/// where their weighted densities are equal.
public struct GaussianMixture2: Sendable, Equatable {
  public var weights: (Double, Double)
  public var means: (Double, Double)
  public var sds: (Double, Double)

  public static func == (a: Self, b: Self) -> Bool {
    a.weights == b.weights && a.means == b.means && a.sds == b.sds
  }

  /// Ashman's D of the two components.
  public var separation: Double {
    2.0.squareRoot() * abs(means.1 - means.0) / (sds.0 * sds.0 + sds.1 * sds.1).squareRoot()
  }

  /// Fits the values by EM on their histogram: the sorted values are grouped into `bins`
  /// equal-width bins, each represented by its count and the mean of its values (binned EM,
  /// as for large samples in McLachlan & Peel 2000, §2.8); the cost per step is the number of
  /// bins, not of events. It starts from the lower and upper halves of the sorted values and
  /// runs at most `iterations` EM steps. `nil` with fewer than 20 values or when a component
  /// empties.
  public static func fit(_ sample: RobustSample, iterations: Int = 200, bins: Int = 1024) -> GaussianMixture2? {
    guard sample.count >= 20, let sd = sample.robustSD, let lo = sample.sorted.first, let hi = sample.sorted.last else { return nil }
    let v = sample.sorted
    let spread = max(sd, (Double(hi) - Double(lo)) / 100, 1e-12)
    let floor = spread * 1e-3
    // Histogram: count and mean of the values in each bin.
    let width = max((Double(hi) - Double(lo)) / Double(bins), 1e-300)
    var x: [Double] = [], c: [Double] = []
    var i = 0
    while i < v.count {
      let b = min(bins - 1, Int((Double(v[i]) - Double(lo)) / width))
      var sum = 0.0, n = 0.0
      while i < v.count, min(bins - 1, Int((Double(v[i]) - Double(lo)) / width)) == b {
        sum += Double(v[i])
        n += 1
        i += 1
      }
      x.append(sum / n)
      c.append(n)
    }
    let total = Double(v.count)
    // Start from the lower and upper halves (sorted values split at the median).
    func moments(_ r: Range<Int>) -> (Double, Double) {
      let m = r.reduce(0.0) { $0 + Double(v[$1]) } / Double(r.count)
      let s = (r.reduce(0.0) { $0 + (Double(v[$1]) - m) * (Double(v[$1]) - m) } / Double(r.count)).squareRoot()
      return (m, max(s, spread / 10))
    }
    let half = v.count / 2
    let (m0, s0) = moments(0..<half), (m1, s1) = moments(half..<v.count)
    var w = (0.5, 0.5), m = (m0, m1), s = (s0, s1)
    var lastLL = -Double.infinity
    for _ in 0..<iterations {
      var n0 = 0.0, n1 = 0.0, sum0 = 0.0, sum1 = 0.0, sq0 = 0.0, sq1 = 0.0, ll = 0.0
      // log of weight / (σ√2π), once per step.
      let k0 = log(max(w.0, 1e-300)) - log(s.0) - 0.918_938_533_204_672_7
      let k1 = log(max(w.1, 1e-300)) - log(s.1) - 0.918_938_533_204_672_7
      for j in x.indices {
        let xv = x[j], cnt = c[j]
        let z0 = (xv - m.0) / s.0, z1 = (xv - m.1) / s.1
        // Responsibilities in log space (far points must not underflow to 0/0).
        let a = k0 - 0.5 * z0 * z0, b = k1 - 0.5 * z1 * z1
        let e = exp(-abs(a - b))
        ll += cnt * (max(a, b) + log1p(e))
        let r0 = a >= b ? 1 / (1 + e) : e / (1 + e), r1 = 1 - r0
        n0 += cnt * r0; n1 += cnt * r1
        sum0 += cnt * r0 * xv; sum1 += cnt * r1 * xv
        sq0 += cnt * r0 * xv * xv; sq1 += cnt * r1 * xv * xv
      }
      guard n0 > 1, n1 > 1 else { return nil }
      m = (sum0 / n0, sum1 / n1)
      s = (max((max(0, sq0 / n0 - m.0 * m.0)).squareRoot(), floor), max((max(0, sq1 / n1 - m.1 * m.1)).squareRoot(), floor))
      w = (n0 / total, n1 / total)
      if ll - lastLL < 1e-9 * abs(ll) { break }
      lastLL = ll
    }
    if m.0 > m.1 { (m, s, w) = ((m.1, m.0), (s.1, s.0), (w.1, w.0)) }
    return GaussianMixture2(weights: w, means: m, sds: s)
  }

  /// Where the weighted component densities are equal, between the two means (bisection).
  public var crossing: Double {
    func diff(_ v: Double) -> Double {
      let a = weights.0 / sds.0 * exp(-0.5 * pow((v - means.0) / sds.0, 2))
      let b = weights.1 / sds.1 * exp(-0.5 * pow((v - means.1) / sds.1, 2))
      return a - b
    }
    var lo = means.0, hi = means.1
    guard diff(lo) > 0, diff(hi) < 0 else { return (means.0 + means.1) / 2 }
    for _ in 0..<80 {
      let mid = (lo + hi) / 2
      if diff(mid) > 0 { lo = mid } else { hi = mid }
    }
    return (lo + hi) / 2
  }
}
