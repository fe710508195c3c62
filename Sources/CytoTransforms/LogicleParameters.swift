/// Parameters of the Logicle display transform (Gating-ML 2.0 `logicle`).
///
///     logicle(x; T, W, M, A) = the y with B(y) = x, where for y ≥ x₁
///     B(y) = a·e^(b·y) − c·e^(−d·y) − f,    and B(y) = −B(2x₁ − y) for y < x₁
///
///     w = W/(M + A),  x₂ = A/(M + A),  x₁ = x₂ + w,  x₀ = x₂ + 2w,  b = (M + A)·ln 10,
///     d: 2·ln(d/b) + w·(b + d) = 0,
///     a = T / (e^b − e^(b·x₁) + e^(x₀(b+d) − d·x₁) − e^(x₀(b+d) − d)),
///     c = a·e^(x₀(b+d)),  f = a·(e^(b·x₁) − e^(x₀(b+d) − d·x₁))
///
/// T maps to 1, data 0 to x₁, and the scale is linear-like over about W decades around 0 and
/// logarithmic (M decades) at the top; A extra decades of negative data are brought on scale.
/// Defined for every real x; odd about (0, x₁). Data and T are in data units; the result is
/// dimensionless display units.
///
/// - `T` (top of scale): T > 0.
/// - `W` (linearization width, decades): 0 ≤ W ≤ M/2. W = 0 is `fasinh`.
/// - `M` (decades of the full scale): M > 0.
/// - `A` (additional negative decades): −W ≤ A ≤ M − 2W.
///
/// Evaluation: `inverse` is the closed form rewritten around data 0 as
/// p·expm1(b·Δ) − q·expm1(−d·Δ) with Δ = y − x₁ (a sum of positive terms, so it does not
/// cancel near 0 the way the textbook form does; Moore & Parks use a Taylor series there);
/// `forward` solves B(y) = x by Halley's method per SIMD lane (Moore & Parks 2012) from a
/// tabulated starting value. Measured against 50-digit references: error ≤ 1e−15 (absolute,
/// the display values being O(1)), including W = M/2 and A = −W; see docs/transforms.md.
///
/// Source: Parks, Roederer & Moore 2006, Cytometry A 69A:541–551; Moore & Parks 2012,
/// Cytometry A 81A:273–277; Gating-ML 2.0, section "Logicle transformation – logicle";
/// flowCore class `logicletGml2`.
public struct LogicleParameters: Sendable, BiexponentialParameterSet, CustomStringConvertible {
  /// Top of scale `T`, in data units.
  public let t: Double
  /// Linearization width `W`, in decades.
  public let w: Double
  /// Full scale width `M`, in decades.
  public let m: Double
  /// Additional negative decades `A`.
  public let a: Double
  let kernel: BiexponentialKernel

  /// Validates the parameters and derives the scale's constants.
  /// - Throws: ``TransformParameterError`` naming the first parameter that breaks
  ///   T > 0, M > 0, 0 ≤ W ≤ M/2 or −W ≤ A ≤ M − 2W, or is not finite; naming `M` when the
  ///   constants overflow Double (M + A beyond about 150 decades).
  public init(t: Double, w: Double, m: Double, a: Double) throws(TransformParameterError) {
    try requireFinite(.logicle, "T", t)
    try requireFinite(.logicle, "W", w)
    try requireFinite(.logicle, "M", m)
    try requireFinite(.logicle, "A", a)
    try require(t > 0, .logicle, "T", t, "T > 0")
    try require(m > 0, .logicle, "M", m, "M > 0")
    try require(w >= 0 && w <= m / 2, .logicle, "W", w, "0 ≤ W ≤ M/2 (M = \(m))")
    try require(a >= -w && a <= m - 2 * w, .logicle, "A", a, "−W ≤ A ≤ M − 2W (W = \(w), M = \(m))")
    let curve = BiexponentialCurve(logicleT: t, w: w, m: m, a: a)
    try require(curve.isFinite, .logicle, "M", m, "M + A small enough for Double arithmetic (≲ 150)")
    self.t = t
    self.w = w
    self.m = m
    self.a = a
    self.kernel = BiexponentialKernel.shared(curve, key: [0, t, w, m, a])  // 0: logicle
  }

  /// The display value of data value 0 (x₁ = (W + A)/(M + A)).
  public var zeroPosition: Double { kernel.x1 }

  /// A one-line human-readable form.
  public var description: String { "logicle(T: \(t), W: \(w), M: \(m), A: \(a))" }
}

extension LogicleParameters: LaneKernel {
  @inline(__always) func forwardLanes(_ x: DVec) -> DVec { kernel.forward(x) }
  @inline(__always) func inverseLanes(_ y: DVec) -> DVec { kernel.inverse(y) }
  /// Float32 forward by the interpolation table (``FloatForwardTable``); inverse via Float64.
  func mapFloatRange(_ direction: TransformDirection, _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
    switch direction {
    case .forward: kernel.forwardFloat(src, dst, range)
    case .inverse: mapLanes(src, dst, range) { inverseFloatLanes($0) }
    }
  }
}
