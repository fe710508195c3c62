/// Parameters of the Hyperlog display transform (Gating-ML 2.0 `hyperlog`).
///
///     hyperlog(x; T, W, M, A) = the y with EH(y) = x, where for y ≥ x₁
///     EH(y) = a·e^(b·y) + c·y − f,    and EH(y) = −EH(2x₁ − y) for y < x₁
///
///     w = W/(M + A),  x₂ = A/(M + A),  x₁ = x₂ + w,  x₀ = x₂ + 2w,  b = (M + A)·ln 10,
///     e₀ = e^(b·x₀),  c_a = e₀/w,  f_a = e^(b·x₁) + c_a·x₁,
///     a = T / (e^b + c_a − f_a),  c = c_a·a,  f = f_a·a
///
/// Like Logicle, T maps to 1 and data 0 to x₁, with a linear region of about W decades and a
/// logarithmic top of M decades, but the linear part comes from an explicit c·y term.
/// Defined for every real x; odd about (0, x₁). Data and T are in data units; the result is
/// dimensionless display units.
///
/// - `T` (top of scale): T > 0.
/// - `W` (linear-region width, decades): 0 < W ≤ M/2.
/// - `M` (decades of the full scale): M > 0.
/// - `A` (additional negative decades): −W ≤ A ≤ M − 2W.
///
/// Evaluation as for ``LogicleParameters``: the inverse as p·expm1(b·Δ) + c·Δ with
/// Δ = y − x₁ (no cancellation near 0), the forward transform by per-lane Halley iteration.
/// Measured against 50-digit references: error ≤ 1e−15; see docs/transforms.md.
///
/// Source: Bagwell 2005, Cytometry A 64A:34–42 (Hyperlog); Gating-ML 2.0, section
/// "Hyperlog transformation – hyperlog"; flowCore class `hyperlogtGml2`.
public struct HyperlogParameters: Sendable, BiexponentialParameterSet, CustomStringConvertible {
  /// Top of scale `T`, in data units.
  public let t: Double
  /// Linear-region width `W`, in decades.
  public let w: Double
  /// Full scale width `M`, in decades.
  public let m: Double
  /// Additional negative decades `A`.
  public let a: Double
  let kernel: BiexponentialKernel

  /// Validates the parameters and derives the scale's constants.
  /// - Throws: ``TransformParameterError`` naming the first parameter that breaks
  ///   T > 0, M > 0, 0 < W ≤ M/2 or −W ≤ A ≤ M − 2W, or is not finite; naming `M` when the
  ///   constants overflow Double.
  public init(t: Double, w: Double, m: Double, a: Double) throws(TransformParameterError) {
    try requireFinite(.hyperlog, "T", t)
    try requireFinite(.hyperlog, "W", w)
    try requireFinite(.hyperlog, "M", m)
    try requireFinite(.hyperlog, "A", a)
    try require(t > 0, .hyperlog, "T", t, "T > 0")
    try require(m > 0, .hyperlog, "M", m, "M > 0")
    try require(w > 0 && w <= m / 2, .hyperlog, "W", w, "0 < W ≤ M/2 (M = \(m))")
    try require(a >= -w && a <= m - 2 * w, .hyperlog, "A", a, "−W ≤ A ≤ M − 2W (W = \(w), M = \(m))")
    let curve = BiexponentialCurve(hyperlogT: t, w: w, m: m, a: a)
    try require(curve.isFinite, .hyperlog, "M", m, "M + A small enough for Double arithmetic (≲ 300)")
    self.t = t
    self.w = w
    self.m = m
    self.a = a
    self.kernel = BiexponentialKernel(curve)
  }

  /// The display value of data value 0 (x₁ = (W + A)/(M + A)).
  public var zeroPosition: Double { kernel.x1 }

  /// A one-line human-readable form.
  public var description: String { "hyperlog(T: \(t), W: \(w), M: \(m), A: \(a))" }
}

extension HyperlogParameters: LaneKernel {
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
