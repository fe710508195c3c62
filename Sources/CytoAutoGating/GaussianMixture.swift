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

  /// Fits at most `maxPoints` values (taken at a fixed stride; deterministic), starting from
  /// the lower and upper halves of the sorted values, for at most `iterations` EM steps.
  /// `nil` with fewer than 20 values or when a component empties.
  public static func fit(_ sample: RobustSample, iterations: Int = 200, maxPoints: Int = 20_000) -> GaussianMixture2? {
    guard sample.count >= 20, let sd = sample.robustSD else { return nil }
    let stride = max(1, sample.count / maxPoints)
    let x = Swift.stride(from: 0, to: sample.count, by: stride).map { Double(sample.sorted[$0]) }
    let spread = max(sd, (x.last! - x.first!) / 100, 1e-12)
    let floor = spread * 1e-3
    // Start from the lower and upper halves (sorted values split at the median).
    func moments(_ v: ArraySlice<Double>) -> (Double, Double) {
      let m = v.reduce(0, +) / Double(v.count)
      let s = (v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count)).squareRoot()
      return (m, max(s, spread / 10))
    }
    let half = x.count / 2
    let (m0, s0) = moments(x[..<half]), (m1, s1) = moments(x[half...])
    var w = (0.5, 0.5), m = (m0, m1), s = (s0, s1)
    func logpdf(_ v: Double, _ mu: Double, _ sigma: Double) -> Double {
      let z = (v - mu) / sigma
      return -0.5 * z * z - log(sigma) - 0.918_938_533_204_672_7
    }
    var lastLL = -Double.infinity
    for _ in 0..<iterations {
      var n0 = 0.0, n1 = 0.0, sum0 = 0.0, sum1 = 0.0, sq0 = 0.0, sq1 = 0.0, ll = 0.0
      let lw0 = log(max(w.0, 1e-300)), lw1 = log(max(w.1, 1e-300))
      for v in x {
        // Responsibilities in log space (far points must not underflow to 0/0).
        let a = lw0 + logpdf(v, m.0, s.0), b = lw1 + logpdf(v, m.1, s.1)
        let top = max(a, b), lse = top + log(exp(a - top) + exp(b - top))
        ll += lse
        let r0 = exp(a - lse), r1 = 1 - r0
        n0 += r0; n1 += r1; sum0 += r0 * v; sum1 += r1 * v
        sq0 += r0 * v * v; sq1 += r1 * v * v
      }
      guard n0 > 1, n1 > 1 else { return nil }
      m = (sum0 / n0, sum1 / n1)
      s = (max((max(0, sq0 / n0 - m.0 * m.0)).squareRoot(), floor), max((max(0, sq1 / n1 - m.1 * m.1)).squareRoot(), floor))
      w = (n0 / Double(x.count), n1 / Double(x.count))
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
