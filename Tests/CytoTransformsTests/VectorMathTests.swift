import Foundation
import Testing

@testable import CytoTransforms

/// The SIMD elementary functions against glibc (correctly rounded or within 1 ulp for these).
@Suite("SIMD elementary functions")
struct VectorMathTests {
  private func worst(_ xs: [Double], _ simd: (DVec) -> DVec, _ reference: (Double) -> Double) -> UInt64 {
    var w: UInt64 = 0
    var i = 0
    while i + laneCount <= xs.count {
      var v = DVec()
      for l in 0..<laneCount { v[l] = xs[i + l] }
      let r = simd(v)
      for l in 0..<laneCount { w = max(w, ulps(r[l], reference(xs[i + l]))) }
      i += laneCount
    }
    return w
  }

  @Test func expIsWithinTwoUlp() {
    var rng = SeededGenerator(seed: 1)
    let xs = (0..<200_000).map { _ in Double.random(in: -708...709.4, using: &rng) }
      + (0..<4_000).map { _ in Double.random(in: -1...1, using: &rng) }
    let w = worst(xs, vexp, exp)
    print("vexp worst ulp: \(w)")
    #expect(w <= 2)
    let special = vexp(DVec(.nan, .infinity, -.infinity, 710))
    #expect(special[0].isNaN && special[1] == .infinity && special[2] == 0 && special[3] == .infinity)
  }

  @Test func expm1IsWithinTwoUlp() {
    var rng = SeededGenerator(seed: 4)
    let xs = (0..<200_000).map { _ in Double.random(in: -45...709.4, using: &rng) }
      + (0..<20_000).map { _ in (Bool.random(using: &rng) ? 1 : -1) * pow(10, Double.random(in: -300...0, using: &rng)) }
    let w = worst(xs, vexpm1, expm1)
    print("vexpm1 worst ulp: \(w)")
    #expect(w <= 2)
    let special = vexpm1(DVec(.nan, .infinity, -.infinity, -0.0))
    #expect(special[0].isNaN && special[1] == .infinity && special[2] == -1 && special[3] == 0)
  }

  @Test func logIsWithinOneUlp() {
    var rng = SeededGenerator(seed: 2)
    let xs = (0..<200_000).map { _ in pow(10, Double.random(in: -307...308, using: &rng)) }
      + (0..<4_000).map { _ in Double.random(in: 0.5...2, using: &rng) }
      + (0..<4_000).map { _ in Double(bitPattern: UInt64.random(in: 1...0x000F_FFFF_FFFF_FFFF, using: &rng)) }
    let w = worst(xs, vlog, log)
    print("vlog worst ulp: \(w)")
    #expect(w <= 1)
    let special = vlog(DVec(.nan, .infinity, 0, -1))
    #expect(special[0].isNaN && special[1] == .infinity && special[2] == -.infinity && special[3].isNaN)
  }

  @Test func asinhAndSinhAreWithinThreeUlp() {
    var rng = SeededGenerator(seed: 3)
    let xs = (0..<200_000).map { _ in (Bool.random(using: &rng) ? 1 : -1) * pow(10, Double.random(in: -300...300, using: &rng)) }
    let wa = worst(xs, vasinh, asinh)
    let ys = (0..<200_000).map { _ in Double.random(in: -709...709, using: &rng) }
      + (0..<20_000).map { _ in Double.random(in: -2...2, using: &rng) }
    let ws = worst(ys, vsinh, sinh)
    print("vasinh worst ulp: \(wa), vsinh worst ulp: \(ws)")
    #expect(wa <= 3)
    #expect(ws <= 3)
  }
}
