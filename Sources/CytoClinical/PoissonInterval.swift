import Foundation

/// Exact (Garwood) confidence interval of a Poisson count.
///
///     lower = ½·χ²(α/2; 2n),   upper = ½·χ²(1 − α/2; 2n + 2)
///
/// computed as quantiles of the Gamma distribution (χ²(p; k)/2 = Γ⁻¹(p; k/2)). For n = 0 the
/// lower bound is 0 and the 95% upper bound is 3.689 events. Source: Garwood 1936,
/// Biometrika 28:437; the "3 events" rule of thumb for zero counts in domain.md §4.
public enum PoissonInterval {
  /// The two-sided interval for `count` events at confidence `level` (default 0.95).
  public static func interval(count: Int, level: Double = 0.95) -> ClosedRange<Double> {
    precondition(count >= 0 && level > 0 && level < 1)
    let alpha = 1 - level
    if count > exactLimit {
      return wilsonHilferty(alpha / 2, shape: Double(count))...wilsonHilferty(1 - alpha / 2, shape: Double(count + 1))
    }
    let lower = count == 0 ? 0 : gammaQuantile(alpha / 2, shape: Double(count))
    let upper = gammaQuantile(1 - alpha / 2, shape: Double(count + 1))
    return lower...upper
  }

  /// Counts up to this use the exact quantile; above it the incomplete-gamma series would need
  /// O(√n) terms per evaluation (and a fixed cap would truncate it), while the Wilson–Hilferty
  /// approximation is accurate to ~1e−8 relative there.
  static let exactLimit = 10_000

  /// Γ(shape)'s `p`-quantile by Wilson & Hilferty (1931): a·(1 − 1/(9a) + z·√(1/(9a)))³,
  /// z the standard normal `p`-quantile.
  static func wilsonHilferty(_ p: Double, shape a: Double) -> Double {
    let c = 1 / (9 * a)
    let t = 1 - c + normalQuantile(p) * c.squareRoot()
    return a * t * t * t
  }

  /// The standard normal `p`-quantile, by bisection on ½·erfc(−z/√2).
  static func normalQuantile(_ p: Double) -> Double {
    var lo = -40.0, hi = 40.0
    for _ in 0..<200 {
      let mid = (lo + hi) / 2
      if 0.5 * erfc(-mid / 2.squareRoot()) < p { lo = mid } else { hi = mid }
    }
    return (lo + hi) / 2
  }

  /// The `p`-quantile of Gamma(shape, 1), by bisection on the regularized lower incomplete gamma P.
  static func gammaQuantile(_ p: Double, shape a: Double) -> Double {
    var lo = 0.0, hi = a + 20 * (a.squareRoot() + 1)
    while regularizedGammaP(a, hi) < p { hi *= 2 }
    for _ in 0..<200 {
      let mid = (lo + hi) / 2
      if regularizedGammaP(a, mid) < p { lo = mid } else { hi = mid }
      if hi - lo <= 1e-13 * max(1, hi) { break }
    }
    return (lo + hi) / 2
  }

  /// P(a, x) = γ(a, x)/Γ(a): series for x < a + 1, Lentz continued fraction otherwise
  /// (the standard split; Abramowitz & Stegun 6.5.29 and 6.5.31).
  static func regularizedGammaP(_ a: Double, _ x: Double) -> Double {
    if x <= 0 { return 0 }
    let logPrefix = a * log(x) - x - lgamma(a)
    if x < a + 1 {
      var term = 1 / a, sum = term, n = a
      for _ in 0..<10_000 {
        n += 1
        term *= x / n
        sum += term
        if abs(term) < abs(sum) * 1e-16 { break }
      }
      return min(1, sum * exp(logPrefix))
    }
    // Q(a, x) by the continued fraction, P = 1 − Q.
    let tiny = 1e-300
    var b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d
    for i in 1..<10_000 {
      let an = -Double(i) * (Double(i) - a)
      b += 2
      d = an * d + b
      if abs(d) < tiny { d = tiny }
      c = b + an / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      let delta = d * c
      h *= delta
      if abs(delta - 1) < 1e-16 { break }
    }
    return max(0, 1 - exp(logPrefix) * h)
  }
}
