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
/// data. (`f` here is the constant term with its sign included; Gating-ML writes "− f".)
///
/// `inverse` evaluates B directly, replacing it by its Taylor series about x₁ where
/// b·(y − x₁) < 1, because there the exponentials nearly cancel (18 terms are exact to
/// 1e−16 on that interval; Moore & Parks use x₁ + w/4, which for W near M/2 needs more terms).
///
/// `forward` solves B(y) = |x| per lane by Halley's method (Moore & Parks 2012). The starting
/// value comes from a table of the exact solution at 16 points per binary octave of |x|
/// (cubic Hermite interpolation with the exact slopes; error ≤ 1e−7 in y), linear below the
/// table and logarithmic above it. Halley's error obeys e' ≤ b²·e³ for these functions, so
/// iteration stops as soon as b²·|Δy|³ ≤ ε·max(1, |y|)/2: usually after one step.
///
/// Source: Moore & Parks 2012, Cytometry A 81A:273–277 ("Update for the logicle data scale
/// including operational code implementations"); Gating-ML 2.0 sections on `logicle` and
/// `hyperlog`.
struct BiexponentialKernel: Sendable {
  let curve: BiexponentialCurve
  let table: StartingTable

  init(_ curve: BiexponentialCurve) {
    self.curve = curve
    self.table = StartingTable(curve)
  }

  var isFinite: Bool { curve.isFinite }
  var x1: Double { curve.x1 }

  /// Data value for display value y, per lane.
  @inline(__always) func inverse(_ y: DVec) -> DVec { curve.inverse(y) }

  /// Display value for data value x (the root of B(y) = x), per lane.
  @inline(__always)
  func forward(_ x: DVec) -> DVec {
    let ax = x.magnitude
    var y = table.guess(ax)
    y = y.replacing(with: ax / curve.series[0] + curve.x1, where: ax .< splat(table.lowerLimit))
    var active = ax .> 0
    let beyond = ax .>= splat(table.upperLimit)
    if any(beyond) {
      let logGuess = vlog((ax - curve.f) / curve.a) / curve.b
      y = y.replacing(with: logGuess, where: beyond)
      active = active .& .!(logGuess .> splat(curve.asymptoticLimit))
    }
    y = curve.refine(ax, from: y, active: active, rule: .cubic)
    var result = y.replacing(with: splat(curve.x1), where: ax .== 0)
    result = result.replacing(with: 2 * curve.x1 - result, where: x .< 0)
    return result.replacing(with: x, where: x .!= x)
  }
}

/// The constants of B and its evaluation.
struct BiexponentialCurve: Sendable {
  enum Family: Sendable { case logicle, hyperlog }
  enum StopRule { case cubic, strict }

  static let seriesLength = 18

  let family: Family
  let a, b, c: Double
  /// Logicle only (0 for Hyperlog).
  let d: Double
  let f: Double
  /// Position of data value 0.
  let x1: Double
  /// The series replaces the closed form for x₁ ≤ y < seriesLimit = x₁ + 1/b.
  let seriesLimit: Double
  /// Above this y the logarithm alone is exact (the other terms are below one ulp).
  let asymptoticLimit: Double
  /// Taylor coefficients of B about x₁: B(x₁ + Δ) = Σ_{k=1}^{18} series[k − 1]·Δᵏ.
  let series: SIMD32<Double>

  var isFinite: Bool {
    [a, b, c, d, f, x1, seriesLimit].allSatisfy(\.isFinite)
      && (0..<Self.seriesLength).allSatisfy { series[$0].isFinite }
  }

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
    var pos = aa * exp(b * x1)
    var neg = -cA * aa * exp(-d * x1)
    var coef = SIMD32<Double>()
    for k in 1...Self.seriesLength {
      pos *= b / Double(k)
      neg *= -d / Double(k)
      coef[k - 1] = pos + neg
    }
    coef[1] = 0  // the Logicle condition makes B''(x₁) = 0 exactly
    self.init(family: .logicle, a: aa, b: b, c: cA * aa, d: d, f: -mfA * aa, x1: x1, series: coef)
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
    let c = cA * aa
    var pos = aa * exp(b * x1)
    var coef = SIMD32<Double>()
    for k in 1...Self.seriesLength {
      pos *= b / Double(k)
      coef[k - 1] = pos
    }
    coef[0] += c
    self.init(family: .hyperlog, a: aa, b: b, c: c, d: 0, f: -fA * aa, x1: x1, series: coef)
  }

  private init(family: Family, a: Double, b: Double, c: Double, d: Double, f: Double, x1: Double, series: SIMD32<Double>) {
    self.family = family
    self.a = a
    self.b = b
    self.c = c
    self.d = d
    self.f = f
    self.x1 = x1
    self.series = series
    self.seriesLimit = x1 + 1 / b
    self.asymptoticLimit = 690 / b
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

  /// Σ_{k=1}^{18} series[k−1]·Δᵏ by Horner's rule (unrolled: a loop over the SIMD32
  /// storage compiles to stack reloads).
  @inline(__always)
  func seriesValue(_ delta: DVec) -> DVec {
    let s = series
    var p = splat(s[17])
    p = p * delta + s[16]
    p = p * delta + s[15]
    p = p * delta + s[14]
    p = p * delta + s[13]
    p = p * delta + s[12]
    p = p * delta + s[11]
    p = p * delta + s[10]
    p = p * delta + s[9]
    p = p * delta + s[8]
    p = p * delta + s[7]
    p = p * delta + s[6]
    p = p * delta + s[5]
    p = p * delta + s[4]
    p = p * delta + s[3]
    p = p * delta + s[2]
    p = p * delta + s[1]
    p = p * delta + s[0]
    return p * delta
  }

  /// B(y) for y ≥ x₁ (no reflection).
  @inline(__always)
  func positiveBranch(_ y: DVec) -> DVec {
    let closed: DVec
    switch family {
    case .logicle: closed = (vexp(y * b) * a + f) - vexp(y * -d) * c
    case .hyperlog: closed = (vexp(y * b) * a + f) + y * c
    }
    let near = y .< splat(seriesLimit)
    guard any(near) else { return closed }
    return closed.replacing(with: seriesValue(y - x1), where: near)
  }

  /// B′(y) for y ≥ x₁ (a sum of positive terms: no cancellation).
  @inline(__always)
  func slope(_ y: DVec) -> DVec {
    switch family {
    case .logicle: vexp(y * b) * (a * b) + vexp(y * -d) * (c * d)
    case .hyperlog: vexp(y * b) * (a * b) + c
    }
  }

  /// Data value for display value y, per lane.
  @inline(__always)
  func inverse(_ y: DVec) -> DVec {
    let negative = y .< splat(x1)
    let yy = y.replacing(with: 2 * x1 - y, where: negative)
    let v = positiveBranch(yy)
    return v.replacing(with: -v, where: negative)
  }

  /// Moore & Parks's starting value: linear below the quasi-linear limit, logarithmic above.
  @inline(__always)
  func roughGuess(_ ax: DVec) -> DVec {
    let linear = ax / series[0] + x1
    let log = vlog(ax / a) / b
    return linear.replacing(with: log, where: ax .>= splat(max(f, positiveBranchScalar(seriesLimit))))
  }

  func positiveBranchScalar(_ y: Double) -> Double { positiveBranch(splat(y))[0] }

  /// Halley iteration for B(y) = ax on the `active` lanes, from `start` (≥ x₁).
  ///
  /// `.cubic` stops a lane once b²·|Δ|³ ≤ ε·max(1, |y|)/2 (the next step would be below
  /// rounding); `.strict` iterates until |Δ| ≤ 4ε·max(1, |y|) or the steps stop shrinking.
  @inline(__always)
  func refine(_ ax: DVec, from start: DVec, active start0: SIMDMask<IVec>, rule: StopRule) -> DVec {
    var y = start
    var active = start0
    var lastStep = splat(.infinity)
    var iteration = 0
    let cubicScale = b * b * 2 / Double.ulpOfOne
    while any(active) && iteration < 40 {
      iteration += 1
      let eb = vexp(y * b) * a
      let value: DVec, d1: DVec, d2: DVec
      switch family {
      case .logicle:
        let ed = vexp(y * -d) * c
        value = (eb + f) - (ed + ax)
        d1 = eb * b + ed * d
        d2 = (eb * b) * b - (ed * d) * d
      case .hyperlog:
        value = (eb + f) + (y * c - ax)
        d1 = eb * b + c
        d2 = (eb * b) * b
      }
      var g = value
      let near = y .< splat(seriesLimit)
      if any(near .& active) {
        g = g.replacing(with: seriesValue(y - x1) - ax, where: near)
      }
      // Halley: Δ = (g/g′) / (1 − (g/g′)·g″/(2g′)).
      let inverseSlope = 1 / d1
      let r = g * inverseSlope
      let step = r / (1 - 0.5 * r * (d2 * inverseSlope))
      y = y.replacing(with: y - step, where: active)
      let size = step.magnitude
      let scale = pointwiseMax(y.magnitude, splat(1))
      var done: SIMDMask<IVec>
      switch rule {
      case .cubic:
        done = size * size * size * cubicScale .<= scale
      case .strict:
        done = size .<= 4 * Double.ulpOfOne * scale
        if iteration > 2 { done = done .| (size .>= lastStep) }  // rounding floor reached
      }
      done = done .| (size .!= size)
      lastStep = size
      active = active .& .!done
    }
    return y
  }
}

/// Exact display values at 16 points per binary octave of |x|, for starting Halley close to
/// the root.
///
/// Node `i` is the Double whose top 16 bits are `firstKey + i` (sign, 11 exponent bits and
/// the 4 leading mantissa bits), so a value's interval is `bits >> 48 − firstKey` and the
/// nodes are x = 2ᴱ·(1 + j/16). Each node stores (y, dy/dx) for cubic Hermite interpolation.
/// It spans from where the linear guess is already within 1e−8 up to T·2⁴⁰, at most 200
/// octaves (≤ 51 KB).
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
    // Linear guess x₁ + x/B′(x₁) is within b·δ²/2 of the root for y − x₁ < δ = 1e−4/b.
    let low = max(curve.seriesValue(splat(1e-4 / curve.b))[0], Double.leastNormalMagnitude)
    let top = min(curve.positiveBranchScalar(1) * 0x1p40, Double.greatestFiniteMagnitude / 2)
    let first = Int(low.bitPattern >> 48)
    var last = Int(top.bitPattern >> 48) + 1
    last = min(last, first + 16 * 200)
    if !(low.isFinite && top.isFinite) || last <= first { last = first + 1 }
    firstKey = first
    intervals = last - first
    lowerLimit = Double(bitPattern: UInt64(first) << 48)
    upperLimit = Double(bitPattern: UInt64(last) << 48)
    let count = 2 * (intervals + 1)
    nodes = .allocate(capacity: count + 2 * laneCount)
    nodes.initialize(repeating: 0, count: count + 2 * laneCount)
    var i = 0
    while i <= intervals {
      var x = DVec()
      for l in 0..<laneCount { x[l] = Double(bitPattern: UInt64(first + min(i + l, intervals)) << 48) }
      let y = curve.refine(x, from: curve.roughGuess(x), active: x .> 0, rule: .strict)
      let slope = 1 / curve.slope(y)
      for l in 0..<laneCount where i + l <= intervals {
        nodes[2 * (i + l)] = y[l]
        nodes[2 * (i + l) + 1] = slope[l]
      }
      i += laneCount
    }
  }

  deinit { nodes.deallocate() }

  /// Cubic Hermite interpolation of the table at |x| (lanes outside the table get garbage
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
    // lanes.k = (y₀, m₀, y₁, m₁) of lane k; transpose.
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
