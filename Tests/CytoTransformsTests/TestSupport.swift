import Foundation

/// SplitMix64: a small seeded generator so random tests are repeatable.
struct SeededGenerator: RandomNumberGenerator {
  private var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// |a − b| / max(|b|, floor): relative error, switching to absolute error below `floor`.
func mixedError(_ a: Double, _ b: Double, floor: Double = 1) -> Double {
  if a == b { return 0 }
  return abs(a - b) / max(abs(b), floor)
}

/// Distance in units in the last place between two finite Floats.
func ulps(_ a: Float, _ b: Float) -> Int {
  if a == b { return 0 }
  func key(_ x: Float) -> Int64 {
    let i = Int64(Int32(bitPattern: x.bitPattern))
    return i < 0 ? Int64(Int32.min) - i : i
  }
  return Int(abs(key(a) - key(b)))
}

/// Distance in units in the last place between two finite Doubles.
func ulps(_ a: Double, _ b: Double) -> UInt64 {
  if a == b { return 0 }
  func key(_ x: Double) -> Int64 {
    let i = Int64(bitPattern: x.bitPattern)
    return i < 0 ? Int64.min - i : i
  }
  let (ka, kb) = (key(a), key(b))
  return ka > kb ? UInt64(bitPattern: ka &- kb) : UInt64(bitPattern: kb &- ka)
}

/// Bit-identical comparison that treats two NaNs as equal.
func same(_ a: Double, _ b: Double) -> Bool { a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN) }
func same(_ a: Float, _ b: Float) -> Bool { a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN) }

/// An independent Float64 reference for Logicle and Hyperlog: the Gating-ML 2.0 formulas
/// written out directly with Foundation's exp/log, d found by bisection, and y by bisection
/// of B(y) = x (no Taylor series, no Halley). Near data 0 the closed form cancels, so this
/// reference is good to about 1e−15 absolute there and 1e−15 relative elsewhere.
struct BisectionReference {
  enum Family { case logicle, hyperlog }
  let family: Family
  let a, b, c, d, f, x1: Double

  init(_ family: Family, t: Double, w W: Double, m: Double, a A: Double) {
    let w = W / (m + A), x2 = A / (m + A), x1 = x2 + w, x0 = x2 + 2 * w, b = (m + A) * M_LN10
    self.family = family
    self.x1 = x1
    self.b = b
    switch family {
    case .logicle:
      var d = b
      if w > 0 {
        var lo = 0.0, hi = b
        for _ in 0..<200 {
          let mid = (lo + hi) / 2
          if 2 * log(mid / b) + w * (b + mid) < 0 { lo = mid } else { hi = mid }
        }
        d = (lo + hi) / 2
      }
      let ca = exp(x0 * (b + d)), mfa = exp(b * x1) - ca * exp(-d * x1)
      let a = t / (exp(b) - mfa - ca * exp(-d))
      (self.a, self.c, self.d, self.f) = (a, ca * a, d, mfa * a)
    case .hyperlog:
      let ca = exp(b * x0) / w, fa = exp(b * x1) + ca * x1
      let a = t / (exp(b) + ca - fa)
      (self.a, self.c, self.d, self.f) = (a, ca * a, 0, fa * a)
    }
  }

  /// B(y) (the inverse transform).
  func inverse(_ y: Double) -> Double {
    if y < x1 { return -inverse(2 * x1 - y) }
    switch family {
    case .logicle: return a * exp(b * y) - c * exp(-d * y) - f
    case .hyperlog: return a * exp(b * y) + c * y - f
    }
  }

  /// The root of B(y) = x by bisection to adjacent Doubles.
  func forward(_ x: Double) -> Double {
    var lo = -1.0, hi = 2.0
    while inverse(lo) > x { lo -= 1 }
    while inverse(hi) < x { hi += 1 }
    while true {
      let mid = lo + (hi - lo) / 2
      if mid <= lo || mid >= hi { return inverse(hi) - x < x - inverse(lo) ? hi : lo }
      if inverse(mid) < x { lo = mid } else { hi = mid }
    }
  }
}
