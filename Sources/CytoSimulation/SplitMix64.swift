import Foundation

/// A small, fast, seeded random number generator (SplitMix64, Steele et al. 2014).
///
/// Every simulated file is a pure function of its seed: the same seed gives the same bytes on
/// one platform (normal and log-normal draws use the C library's `log`, `exp`, `sin`, `cos`).
public struct SplitMix64: RandomNumberGenerator, Sendable {
  private var state: UInt64
  public init(seed: UInt64) { state = seed }
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// Normal and log-normal draws on top of ``SplitMix64`` (Box–Muller, with the spare kept).
struct Draws {
  var rng: SplitMix64
  private var spare: Double? = nil

  init(seed: UInt64) { rng = SplitMix64(seed: seed) }

  /// Uniform in [0, 1).
  mutating func uniform() -> Double { Double.random(in: 0..<1, using: &rng) }

  /// Standard normal.
  mutating func normal() -> Double {
    if let s = spare {
      spare = nil
      return s
    }
    var u = 0.0
    repeat { u = uniform() } while u == 0
    let v = uniform(), r = (-2 * log(u)).squareRoot()
    spare = r * sin(2 * .pi * v)
    return r * cos(2 * .pi * v)
  }

  /// A standard normal truncated to ±`limit` (redrawn outside): keeps simulated populations
  /// apart so that the truth is recoverable by gating.
  mutating func truncatedNormal(_ limit: Double = 3.5) -> Double {
    while true {
      let z = normal()
      if abs(z) <= limit { return z }
    }
  }

  /// `median · e^(σ·Z)` with Z a standard normal truncated to ±3.5.
  mutating func logNormal(_ median: Double, _ sigma: Double) -> Double { median * exp(sigma * truncatedNormal()) }
}

extension Draws {
  /// A Poisson count with this mean (Knuth's product method below 30, a rounded normal above).
  mutating func poisson(_ mean: Double) -> Double {
    guard mean > 0 else { return 0 }
    if mean < 30 {
      let limit = exp(-mean)
      var k = 0.0, p = uniform()
      while p > limit {
        k += 1
        p *= uniform()
      }
      return k
    }
    return max(0, (mean + mean.squareRoot() * normal()).rounded())
  }
}
