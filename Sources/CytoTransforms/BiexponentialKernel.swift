import Foundation

/// The shared machinery of Logicle and Hyperlog: a monotone function B(y) whose inverse is
/// the display transform.
///
/// For y ≥ x₁ (data ≥ 0):
///
///     Logicle:  B(y) = a·e^(b·y) − c·e^(−d·y) + f
///     Hyperlog: B(y) = a·e^(b·y) + c·y        + f
///
/// and B(y) = −B(2·x₁ − y) for y < x₁, so data 0 sits at x₁ and negative data mirror positive
/// data. (`f` is the constant with its sign included; Gating-ML writes "− f".)
///
/// Evaluation without cancellation. Written directly, B subtracts exponentials that nearly
/// cancel near x₁ (Moore & Parks 2012 switch to a Taylor series there). Because B(x₁) = 0
/// fixes f, B can be rewritten in Δ = y − x₁ ≥ 0 as a sum of positive terms:
///
///     Logicle:  B = p·expm1(b·Δ) + q·(−expm1(−d·Δ)),   p = a·e^(b·x₁), q = c·e^(−d·x₁)
///     Hyperlog: B = p·expm1(b·Δ) + c·Δ
///
/// which is accurate to a few ulp for every Δ, including the wide quasi-linear region of
/// W near M/2 where a Taylor series about x₁ would need many terms. `inverse` evaluates this.
///
/// `forward` solves B = |x| for Δ per lane by Halley's method (Moore & Parks 2012). The start
/// comes from a table of exact solutions at 16 points per binary octave of |x| (cubic Hermite
/// interpolation with exact slopes), the linear term below it and the logarithm above it.
/// Halley's error obeys e′ ≤ b²·e³ for these functions, so iteration stops as soon as
/// b²·|Δstep|³ ≤ ε·max(1, |y|)/2: usually after one step.
///
/// Source: Moore & Parks 2012, Cytometry A 81A:273–277 ("Update for the logicle data scale
/// including operational code implementations"); Gating-ML 2.0 sections on `logicle` and
/// `hyperlog`.
struct BiexponentialKernel: Sendable {
  let curve: BiexponentialCurve
  let table: StartingTable
  /// The Float32 forward table, built on first use.
  let floatTable = LazyFloatForwardTable()

  init(_ curve: BiexponentialCurve) {
    self.curve = curve
    self.table = StartingTable(curve)
  }

  /// The kernel of `curve`, shared by every transform made with the same parameters `key`
  /// in this process (its starting table and Float32 table are built once: adaptive gating
  /// and the engine then use the same tables for a file's scales). At most 64 are kept.
  static func shared(_ curve: @autoclosure () -> BiexponentialCurve, key: [Double]) -> BiexponentialKernel {
    KernelCache.shared.kernel(key, make: { BiexponentialKernel(curve()) })
  }

  var x1: Double { curve.x1 }

  /// Data value for display value y, per lane.
  @inline(__always) func inverse(_ y: DVec) -> DVec { curve.inverse(y) }

  /// Display value for data value x (the root of B(y) = x), per lane.
  @inline(__always)
  func forward(_ x: DVec) -> DVec {
    let delta = self.delta(x.magnitude)
    let y = (curve.x1 + delta).replacing(with: curve.x1 - delta, where: x .< 0)
    return y.replacing(with: x, where: x .!= x)
  }

  /// The root Δ ≥ 0 of B(x₁ + Δ) = ax for ax = |x| ≥ 0, per lane (NaN for NaN).
  @inline(__always)
  func delta(_ ax: DVec) -> DVec {
    var delta = pointwiseMax(table.guess(ax) - curve.x1, DVec())
    delta = delta.replacing(with: ax / curve.slope0, where: ax .< splat(table.lowerLimit))
    var active = ax .> 0
    let beyond = ax .>= splat(table.upperLimit)
    if any(beyond) {
      // p·e^(b·Δ) is all that matters up here.
      let logGuess = vlog(ax / curve.p) / curve.b
      delta = delta.replacing(with: logGuess, where: beyond)
      active = active .& .!(logGuess .> splat(curve.asymptoticLimit))
    }
    delta = curve.refine(ax, from: delta, active: active)
    return delta.replacing(with: DVec(), where: ax .== 0)
  }
}

/// The constants of B and its evaluation in Δ = y − x₁.
struct BiexponentialCurve: Sendable {
  enum Family: Sendable { case logicle, hyperlog }

  let family: Family
  let a, b, c: Double
  /// Logicle only (0 for Hyperlog).
  let d: Double
  let f: Double
  /// Position of data value 0.
  let x1: Double
  /// a·e^(b·x₁).
  let p: Double
  /// c·e^(−d·x₁) (Logicle).
  let q: Double
  /// B′(x₁), data units per display unit.
  let slope0: Double
  /// Above this Δ the logarithm alone is exact (the other terms are below one ulp).
  let asymptoticLimit: Double

  var isFinite: Bool { [a, b, c, d, f, x1, p, q, slope0].allSatisfy(\.isFinite) && slope0 > 0 }

  /// Logicle coefficients from Gating-ML `T, W, M, A` (Moore & Parks 2012, equations 1–6).
  init(logicleT t: Double, w: Double, m: Double, a: Double) {
    let width = w / (m + a)
    let x2 = a / (m + a)
    let x1 = x2 + width
    let x0 = x2 + 2 * width
    let b = (m + a) * M_LN10
    let d = Self.solveD(b: b, w: width)
    let cA = exp(x0 * (b + d))
    let mfA = exp(b * x1) - cA * exp(-d * x1)
    let aa = t / (exp(b) - mfA - cA * exp(-d))
    self.init(family: .logicle, a: aa, b: b, c: cA * aa, d: d, f: -mfA * aa, x1: x1)
  }

  /// Hyperlog coefficients from Gating-ML `T, W, M, A` (Gating-ML 2.0, after Bagwell 2005).
  init(hyperlogT t: Double, w: Double, m: Double, a: Double) {
    let width = w / (m + a)
    let x2 = a / (m + a)
    let x1 = x2 + width
    let x0 = x2 + 2 * width
    let b = (m + a) * M_LN10
    let cA = exp(b * x0) / width
    let fA = exp(b * x1) + cA * x1
    let aa = t / (exp(b) + cA - fA)
    self.init(family: .hyperlog, a: aa, b: b, c: cA * aa, d: 0, f: -fA * aa, x1: x1)
  }

  private init(family: Family, a: Double, b: Double, c: Double, d: Double, f: Double, x1: Double) {
    self.family = family
    self.a = a
    self.b = b
    self.c = c
    self.d = d
    self.f = f
    self.x1 = x1
    p = a * exp(b * x1)
    switch family {
    case .logicle:
      q = c * exp(-d * x1)
      slope0 = p * b + q * d
    case .hyperlog:
      q = 0
      slope0 = p * b + c
    }
    asymptoticLimit = 690 / b
  }

  /// The root d ∈ (0, b] of 2·ln(d/b) + w·(b + d) = 0 (Moore & Parks 2012, eq. 4).
  ///
  /// Newton's method on u = ln d: g(u) = 2(u − ln b) + w(b + eᵘ) is increasing and convex,
  /// and g(ln b) = 2wb ≥ 0, so Newton steps from u = ln b decrease monotonically to the root.
  static func solveD(b: Double, w: Double) -> Double {
    if w == 0 { return b }
    let lnB = log(b)
    var u = lnB
    for _ in 0..<200 {
      let g = 2 * (u - lnB) + w * (b + exp(u))
      let step = g / (2 + w * exp(u))
      let next = u - step
      if !(next < u) { break }  // the monotone decrease stopped: converged to rounding
      u = next
      if abs(step) <= 2 * Double.ulpOfOne * max(1, abs(u)) { break }
    }
    return exp(u)
  }

  /// B(x₁ + Δ) for Δ ≥ 0, as a sum of positive terms.
  @inline(__always)
  func positiveBranch(_ delta: DVec) -> DVec {
    switch family {
    case .logicle: vexpm1(delta * b) * p - vexpm1(delta * -d) * q
    case .hyperlog: vexpm1(delta * b) * p + delta * c
    }
  }

  /// Data value for display value y, per lane.
  @inline(__always)
  func inverse(_ y: DVec) -> DVec {
    let v = positiveBranch((y - x1).magnitude)
    return v.replacing(with: -v, where: y .< splat(x1))
  }

  /// An upper bound of the root Δ of B = ax (ax ≥ 0), close to it for small and for large ax.
  ///
  /// B is convex in Δ ≥ 0 (B″(x₁) = 0 for Logicle, B‴ > 0), so B ≥ B′(x₁)·Δ; and both
  /// families satisfy B ≥ p·expm1(b·Δ). Hence Δ ≤ min(ax/B′(x₁), log1p(ax/p)/b).
  @inline(__always)
  func upperBound(_ ax: DVec) -> DVec {
    pointwiseMin(ax / slope0, vlog1pNonNegative(ax / p) / b)
  }

  /// g = B(x₁ + Δ) − ax with its first two derivatives in Δ.
  @inline(__always)
  func halleyTerms(_ delta: DVec, _ ax: DVec) -> (g: DVec, d1: DVec, d2: DVec) {
    let eb = vexpm1(delta * b)
    let pb = (eb + 1) * (p * b)
    switch family {
    case .logicle:
      let ed = vexpm1(delta * -d)
      let qd = (ed + 1) * (q * d)
      return (eb * p - ed * q - ax, pb + qd, pb * b - qd * d)
    case .hyperlog:
      return (eb * p + (delta * c - ax), pb + c, pb * b)
    }
  }

  /// The Halley step (g/g′) / (1 − (g/g′)·g″/(2g′)).
  @inline(__always)
  func halleyStep(_ t: (g: DVec, d1: DVec, d2: DVec)) -> DVec {
    let inverseSlope = 1 / t.d1
    let r = t.g * inverseSlope
    return r / (1 - 0.5 * r * (t.d2 * inverseSlope))
  }

  /// Halley iteration for B(x₁ + Δ) = ax on the `active` lanes, from a `start` close to the
  /// root; a lane stops once b²·|step|³ ≤ ε·max(1, |y|)/2, when the next step would be below
  /// rounding (Halley's error obeys e′ ≤ b²·e³ here: |B‴/B′| ≤ b², |B″/B′| ≤ b).
  @inline(__always)
  func refine(_ ax: DVec, from start: DVec, active start0: SIMDMask<IVec>) -> DVec {
    var delta = start
    var active = start0
    var iteration = 0
    let cubicScale = b * b * 2 / Double.ulpOfOne
    let scale = pointwiseMax(splat(abs(x1)), splat(1))
    while any(active) && iteration < 40 {
      iteration += 1
      let step = halleyStep(halleyTerms(delta, ax))
      delta = delta.replacing(with: delta - step, where: active)
      let size = step.magnitude
      let done = (size * size * size * cubicScale .<= pointwiseMax(scale, delta)) .| (size .!= size)
      active = active .& .!done
    }
    return delta
  }

  /// The root Δ of B(x₁ + Δ) = ax, safeguarded: Halley from the upper end of a bracket
  /// [lo, hi] that every evaluation narrows, bisecting whenever a step leaves it; stops at
  /// |step| ≤ 4ε·max(1, Δ), an empty bracket or when the steps stop shrinking. Without a
  /// bracket it starts from [0, ``upperBound(_:)``]. Builds the starting table, where
  /// robustness matters more than speed.
  func solve(_ ax: DVec, lower: DVec = DVec(), upper: DVec? = nil) -> DVec {
    var hi = pointwiseMin(upper ?? upperBound(ax), upperBound(ax))
    var lo = pointwiseMin(lower, hi)
    var delta = hi
    var active = (ax .> 0) .& (ax .< splat(.infinity))
    var lastStep = splat(.infinity)
    for iteration in 1...200 where any(active) {
      let t = halleyTerms(delta, ax)
      hi = hi.replacing(with: delta, where: t.g .> 0)
      lo = lo.replacing(with: delta, where: t.g .< 0)
      var next = delta - halleyStep(t)
      next = next.replacing(with: (lo + hi) * 0.5, where: .!((next .> lo) .& (next .< hi)))
      let size = (next - delta).magnitude
      delta = delta.replacing(with: next, where: active)
      let tolerance = 4 * Double.ulpOfOne * pointwiseMax(delta, splat(1))
      var done = (size .<= tolerance) .| (hi - lo .<= tolerance) .| (t.g .== 0)
      if iteration > 4 { done = done .| (size .>= lastStep) }
      lastStep = size
      active = active .& .!done
    }
    return delta.replacing(with: DVec(), where: ax .== 0)
  }
}

/// Exact display values at 16 points per binary octave of |x|, for starting Halley close to
/// the root.
///
/// Node `i` is the Double whose top 16 bits are `firstKey + i` (sign, 11 exponent bits and
/// the 4 leading mantissa bits), so a value's interval is `bits >> 48 − firstKey` and the
/// nodes are x = 2ᴱ·(1 + j/16). Each node stores (y, dy/dx) for cubic Hermite interpolation
/// (error ≤ 1e−7 in y). It spans from where the linear guess Δ = x/B′(x₁) is within 1e−8 up
/// to T·2⁴⁰, at most 200 octaves (≤ 51 KB).
final class StartingTable: @unchecked Sendable {
  let firstKey: Int
  let intervals: Int
  /// Interleaved (y, dy/dx) for nodes 0…intervals.
  let nodes: UnsafeMutablePointer<Double>
  /// Below this |x| the linear guess is used.
  let lowerLimit: Double
  /// From this |x| on the logarithmic guess is used.
  let upperLimit: Double

  init(_ curve: BiexponentialCurve) {
    // The linear guess is within b·δ²/2 of the root for Δ < δ = 1e−4/b.
    let low = max(curve.positiveBranch(splat(1e-4 / curve.b))[0], Double.leastNormalMagnitude)
    let top = min(curve.positiveBranch(splat(1 - curve.x1))[0] * 0x1p40, Double.greatestFiniteMagnitude / 2)
    let first = Int(low.bitPattern >> 48)
    var last = min(Int(top.bitPattern >> 48) + 1, first + 16 * 200)
    if !(low.isFinite && top.isFinite) || last <= first { last = first + 1 }
    firstKey = first
    intervals = last - first
    lowerLimit = Double(bitPattern: UInt64(first) << 48)
    upperLimit = Double(bitPattern: UInt64(last) << 48)
    let count = 2 * (intervals + 1)
    nodes = .allocate(capacity: count + 2 * laneCount)
    nodes.initialize(repeating: 0, count: count + 2 * laneCount)
    // Nodes in increasing x: y(x) is increasing and concave, so the previous node's y is a
    // lower bound and its tangent an upper bound of the next ones: a tight bracket.
    var previous: (x: Double, delta: Double, slope: Double)? = nil
    var i = 0
    while i <= intervals {
      var x = DVec()
      for l in 0..<laneCount { x[l] = Double(bitPattern: UInt64(first + min(i + l, intervals)) << 48) }
      let delta: DVec
      if let p = previous {
        delta = curve.solve(x, lower: splat(p.delta), upper: (x - p.x) * p.slope + p.delta)
      } else {
        delta = curve.solve(x)
      }
      let slope = 1 / curve.halleyTerms(delta, x).d1
      for l in 0..<laneCount where i + l <= intervals {
        nodes[2 * (i + l)] = curve.x1 + delta[l]
        nodes[2 * (i + l) + 1] = slope[l]
      }
      previous = (x[laneCount - 1], delta[laneCount - 1], slope[laneCount - 1])
      i += laneCount
    }
  }

  deinit { nodes.deallocate() }

  /// Cubic Hermite interpolation of the table at |x| (lanes outside the table get values
  /// that the caller replaces).
  @inline(__always)
  func guess(_ ax: DVec) -> DVec {
    var lanes = (DVec(), DVec(), DVec(), DVec())
    let raw = UnsafeRawPointer(nodes)
    let lastInterval = intervals - 1
    withUnsafeMutableBytes(of: &lanes) { out in
      for l in 0..<laneCount {
        let key = Int(truncatingIfNeeded: ax[l].bitPattern >> 48) &- firstKey
        let i = key < 0 ? 0 : (key > lastInterval ? lastInterval : key)
        out.storeBytes(of: raw.loadUnaligned(fromByteOffset: i &* 16, as: DVec.self), toByteOffset: l &* 32, as: DVec.self)
      }
    }
    // lanes.k = (y₀, m₀, y₁, m₁) of lane k; transpose (written for 4 lanes).
    let (p, q, r, s) = lanes
    let y0 = DVec(p[0], q[0], r[0], s[0])
    let m0 = DVec(p[1], q[1], r[1], s[1])
    let y1 = DVec(p[2], q[2], r[2], s[2])
    let m1 = DVec(p[3], q[3], r[3], s[3])
    let bits = unsafeBitCast(ax, to: IVec.self)
    let x0 = unsafeBitCast(bits & ~0xFFFF_FFFF_FFFF, to: DVec.self)
    let octave = unsafeBitCast(bits & 0x7FF0_0000_0000_0000, to: DVec.self)
    let h = octave * 0.0625
    let t = (ax - x0) / h
    let hm0 = h * m0, hm1 = h * m1, dy = y1 - y0
    let c2 = 3 * dy - 2 * hm0 - hm1
    let c3 = hm0 + hm1 - 2 * dy
    return y0 + t * (hm0 + t * (c2 + t * c3))
  }
}

/// Recently made kernels by parameters (see ``BiexponentialKernel/shared(_:key:)``).
final class KernelCache: @unchecked Sendable {
  static let shared = KernelCache()
  private let lock = NSLock()
  private var kernels: [[Double]: BiexponentialKernel] = [:]
  private var order: [[Double]] = []

  func kernel(_ key: [Double], make: () -> BiexponentialKernel) -> BiexponentialKernel {
    lock.lock()
    if let k = kernels[key] {
      lock.unlock()
      return k
    }
    lock.unlock()
    let k = make()
    lock.lock()
    defer { lock.unlock() }
    if let existing = kernels[key] { return existing }
    kernels[key] = k
    order.append(key)
    if order.count > 64 { kernels[order.removeFirst()] = nil }
    return k
  }
}
