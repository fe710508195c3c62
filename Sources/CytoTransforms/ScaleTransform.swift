import CytoCore

/// A one-dimensional display transform: the Gating-ML 2.0 scale transforms, the Gating-ML 1.5
/// `asinh` and FlowJo's biexponential.
///
/// Each case carries validated parameters, so a `ScaleTransform` value is always usable.
/// `forward` maps data values (data units) to display values (dimensionless, usually [0, 1]
/// at the top of scale), `inverse` maps back. Column versions process buffers with SIMD
/// lanes and, for large inputs, several cores.
///
///     let t = ScaleTransform.logicle(try LogicleParameters(t: 262_144, w: 0.5, m: 4.5, a: 0))
///     t.forward(0)          // 0.1111…, the zero position (W + A)/(M + A)
///     t.inverse(1)          // 262144
///
/// Special values (every case): NaN maps to NaN in both directions. +∞ and −∞ map to the
/// transform's limits: ±∞ for `flin`, `fasinh`, `logicle`, `hyperlog`, `asinh` and `biex`;
/// `flog` gives +∞ at +∞, −∞ at 0 and NaN for negative data (outside the logarithm's
/// domain). The inverses map ±∞ back the same way (`flog` inverse: −∞ ↦ 0).
///
/// Accuracy: `flin` is exact up to rounding; the others are computed in Float64 with SIMD
/// elementary functions within 2 ulp, and `logicle`/`hyperlog` forward by Halley iteration
/// to the root (measured against a Float64 bisection: ≤ 1.4e−15). Float32 data are widened to
/// Float64, transformed and rounded back once — except the forward of `flin` (computed in
/// Float32 within 1 ulp of that) and of `logicle`, `hyperlog` and `biex` (Float32 table
/// kernels within a few Float ulps, see ``Float32ForwardErrorBound``). `fasinh` and `flog`
/// have Float32 table kernels too, used by the gating engine under the same bound
/// (``forwardFloat32Kernel(_:)``); their Float32 ``forward(_:into:)`` stays rounded once from
/// Float64, because adaptive gating finds gates on those values and issue #17 requires the
/// analyses to stay identical. docs/transforms.md has the measurements.
public enum ScaleTransform: Sendable, Hashable {
  /// Gating-ML 2.0 `flin`: (x + A)/(T + A).
  case flin(LinearParameters)
  /// Gating-ML 2.0 `flog`: log₁₀(x/T)/M + 1.
  case flog(LogarithmicParameters)
  /// Gating-ML 2.0 `fasinh`: (asinh(x·sinh(M ln 10)/T) + A ln 10)/((M + A) ln 10).
  case fasinh(ArcsinhParameters)
  /// Gating-ML 2.0 `logicle` (Parks, Roederer & Moore 2006).
  case logicle(LogicleParameters)
  /// Gating-ML 2.0 `hyperlog` (Bagwell 2005).
  case hyperlog(HyperlogParameters)
  /// Gating-ML 1.5 `asinh(a, b)`: b·asinh(a·x).
  case gml15Asinh(ScaledArcsinhParameters)
  /// FlowJo biexponential, evaluated as the equivalent Logicle (see ``FlowJoBiexParameters``).
  case flowJoBiex(FlowJoBiexParameters)

  /// The transform family.
  public var kind: TransformKind {
    switch self {
    case .flin: .flin
    case .flog: .flog
    case .fasinh: .fasinh
    case .logicle: .logicle
    case .hyperlog: .hyperlog
    case .gml15Asinh: .gml15Asinh
    case .flowJoBiex: .flowJoBiex
    }
  }

  /// The display value of one data value.
  ///
  /// Runs the same per-lane kernel as the column versions, so it returns bit-identical
  /// results; for many values use the column versions.
  public func forward(_ x: Double) -> Double {
    switch self {
    case .flin(let p): p.scalarForward(x)
    case .flog(let p): p.scalarForward(x)
    case .fasinh(let p): p.scalarForward(x)
    case .logicle(let p): p.scalarForward(x)
    case .hyperlog(let p): p.scalarForward(x)
    case .gml15Asinh(let p): p.scalarForward(x)
    case .flowJoBiex(let p): p.logicle.scalarForward(x)
    }
  }

  /// The data value of one display value (the inverse transform).
  public func inverse(_ y: Double) -> Double {
    switch self {
    case .flin(let p): p.scalarInverse(y)
    case .flog(let p): p.scalarInverse(y)
    case .fasinh(let p): p.scalarInverse(y)
    case .logicle(let p): p.scalarInverse(y)
    case .hyperlog(let p): p.scalarInverse(y)
    case .gml15Asinh(let p): p.scalarInverse(y)
    case .flowJoBiex(let p): p.logicle.scalarInverse(y)
    }
  }

  /// Transforms `input` into `output` (same count; they may be the same memory).
  ///
  /// Uses SIMD lanes and, from 32,768 values on, all cores.
  /// - Precondition: `output.count == input.count`.
  public func forward(_ input: UnsafeBufferPointer<Double>, into output: UnsafeMutableBufferPointer<Double>) {
    apply(.forward, input, output)
  }

  /// Transforms Float32 `input` into `output` (same count; they may be the same memory),
  /// computing in Float64 and rounding once (`flin`: in Float32, within 1 ulp of that;
  /// `logicle`, `hyperlog`, `biex`: Float32 table kernels, see ``Float32ForwardErrorBound``).
  /// - Precondition: `output.count == input.count`.
  public func forward(_ input: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>) {
    apply(.forward, input, output)
  }

  /// Inverse-transforms `input` into `output` (same count; they may be the same memory).
  /// - Precondition: `output.count == input.count`.
  public func inverse(_ input: UnsafeBufferPointer<Double>, into output: UnsafeMutableBufferPointer<Double>) {
    apply(.inverse, input, output)
  }

  /// Inverse-transforms Float32 `input` into `output` (same count; they may be the same
  /// memory), computing in Float64 and rounding once.
  /// - Precondition: `output.count == input.count`.
  public func inverse(_ input: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>) {
    apply(.inverse, input, output)
  }

  /// The display values of `values`.
  public func forward<S: EventScalar>(_ values: [S]) -> [S] { mapped(.forward, values) }

  /// The data values of display values `values`.
  public func inverse<S: EventScalar>(_ values: [S]) -> [S] { mapped(.inverse, values) }

  private func mapped<S: EventScalar>(_ direction: TransformDirection, _ values: [S]) -> [S] {
    [S](unsafeUninitializedCapacity: values.count) { out, n in
      values.withUnsafeBufferPointer { apply(direction, $0, out) }
      n = values.count
    }
  }

  func apply<S: EventScalar>(
    _ direction: TransformDirection, _ input: UnsafeBufferPointer<S>, _ output: UnsafeMutableBufferPointer<S>
  ) {
    precondition(output.count == input.count, "output has \(output.count) values, input \(input.count)")
    if S.self == Double.self {
      map(direction, rebound(input, to: Double.self), rebound(output, to: Double.self))
    } else if S.self == Float.self {
      map(direction, rebound(input, to: Float.self), rebound(output, to: Float.self))
    } else {
      for k in 0..<input.count {
        let x = Double(input[k])
        output[k] = S(direction == .forward ? forward(x) : inverse(x))
      }
    }
  }

  /// The forward transform of `values[range]` in place, on the calling thread (for callers
  /// that already split work across cores). Same results as ``forward(_:into:)``.
  func forwardSerial<S: EventScalar>(_ values: UnsafeMutablePointer<S>, _ range: Range<Int>) {
    if S.self == Float.self {
      let p = UnsafeMutableRawPointer(values).assumingMemoryBound(to: Float.self)
      switch self {
      case .flin(let k): k.mapFloatRange(.forward, p, p, range)
      case .flog(let k): k.mapFloatRange(.forward, p, p, range)
      case .fasinh(let k): k.mapFloatRange(.forward, p, p, range)
      case .logicle(let k): k.mapFloatRange(.forward, p, p, range)
      case .hyperlog(let k): k.mapFloatRange(.forward, p, p, range)
      case .gml15Asinh(let k): k.mapFloatRange(.forward, p, p, range)
      case .flowJoBiex(let k): k.logicle.mapFloatRange(.forward, p, p, range)
      }
    } else if S.self == Double.self {
      let p = UnsafeMutableRawPointer(values).assumingMemoryBound(to: Double.self)
      switch self {
      case .flin(let k): mapLanes(p, p, range) { k.forwardLanes($0) }
      case .flog(let k): mapLanes(p, p, range) { k.forwardLanes($0) }
      case .fasinh(let k): mapLanes(p, p, range) { k.forwardLanes($0) }
      case .logicle(let k): mapLanes(p, p, range) { k.forwardLanes($0) }
      case .hyperlog(let k): mapLanes(p, p, range) { k.forwardLanes($0) }
      case .gml15Asinh(let k): mapLanes(p, p, range) { k.forwardLanes($0) }
      case .flowJoBiex(let k): mapLanes(p, p, range) { k.logicle.forwardLanes($0) }
      }
    } else {
      for k in range { values[k] = S(forward(Double(values[k]))) }
    }
  }

  /// Dispatches once per column to the concrete kernel, so each loop is specialised.
  private func map(_ d: TransformDirection, _ i: UnsafeBufferPointer<Double>, _ o: UnsafeMutableBufferPointer<Double>) {
    switch self {
    case .flin(let p): p.map(d, i, o)
    case .flog(let p): p.map(d, i, o)
    case .fasinh(let p): p.map(d, i, o)
    case .logicle(let p): p.map(d, i, o)
    case .hyperlog(let p): p.map(d, i, o)
    case .gml15Asinh(let p): p.map(d, i, o)
    case .flowJoBiex(let p): p.logicle.map(d, i, o)
    }
  }

  private func map(_ d: TransformDirection, _ i: UnsafeBufferPointer<Float>, _ o: UnsafeMutableBufferPointer<Float>) {
    switch self {
    case .flin(let p): p.map(d, i, o)
    case .flog(let p): p.map(d, i, o)
    case .fasinh(let p): p.map(d, i, o)
    case .logicle(let p): p.map(d, i, o)
    case .hyperlog(let p): p.map(d, i, o)
    case .gml15Asinh(let p): p.map(d, i, o)
    case .flowJoBiex(let p): p.logicle.map(d, i, o)
    }
  }
}

/// Reinterprets a buffer of `S` as a buffer of `T` (the caller checked `S.self == T.self`).
@inline(__always)
func rebound<S, T>(_ b: UnsafeBufferPointer<S>, to: T.Type) -> UnsafeBufferPointer<T> {
  UnsafeBufferPointer(start: UnsafeRawPointer(b.baseAddress)?.assumingMemoryBound(to: T.self), count: b.count)
}

/// Reinterprets a mutable buffer of `S` as one of `T` (the caller checked `S.self == T.self`).
@inline(__always)
func rebound<S, T>(_ b: UnsafeMutableBufferPointer<S>, to: T.Type) -> UnsafeMutableBufferPointer<T> {
  UnsafeMutableBufferPointer(start: UnsafeMutableRawPointer(b.baseAddress)?.assumingMemoryBound(to: T.self), count: b.count)
}

/// How far the Float32 forward path of a transform may be from the exact Float64 forward.
///
/// For a Float64 input `x` rounded to Float32 and transformed by the Float32 kernel
/// (``ScaleTransform/forwardFloat32Kernel(_:)``), the result `y₃₂` satisfies
/// `|y₃₂ − y₆₄(x)| ≤ absolute + relative·|y₆₄(x)|` for every `x` with `x = 0` or
/// `2⁻¹²⁶ ≤ |x| < 10³⁰` (Float's normal range: below it rounding to Float is not relative);
/// where `y₆₄(x)` is not finite (`flog` at 0 or below), `y₃₂` is the same value.
///
/// Each bound is the sum of (a) the kernel's error on its Float input, measured by dense
/// sweeps (FloatKernelTests, docs/transforms.md), and (b) the effect of rounding the input to
/// Float, which moves x by ≤ u·|x| (u = 2⁻²⁴) and so y by ≤ u·|x|·y′(x) — times ≥ 40 for
/// headroom over the measured (not proven) kernel error. With e = 2⁻¹⁶ = 256·u:
///
/// * Logicle, Hyperlog, FlowJo biex: (a) ≤ 2 Float ulp ≤ 2.4·10⁻⁷·|y|; (b) ≤ u·|y − x₁|
///   (B is convex with B(x₁) = 0, so B(Δ)/B′(Δ) ≤ Δ). Bound `e·(1 + |x₁| + |y|)`, about 40×.
/// * `fasinh`, y = x₁ ± asinh(s·|x|)/R with R = (M + A)·ln 10: (a) ≤ 1.97·u·(|y| + x₁)
///   measured over 13 parameter sets (the table's c₀ = x₁ ± Δ and its cubic are each rounded
///   once); (b) ≤ u/R, because |x|·y′(x) = (s|x|/√(1 + s²x²))/R ≤ 1/R. Bound
///   `e·(x₁ + 1/R + |y|)`, ≥ 85× (a) + (b) ≤ 3·u·(x₁ + 1/R + |y|).
/// * `flog`, y = log₁₀(x/T)/M + 1: (a) ≤ 1.97·u·(|y| + 1/(M·ln 10)) measured over 9 sets
///   (the octave offset, the cubic and their sum are each rounded once; |offset| ≤
///   |y| + log₁₀2/M); (b) ≤ u/(M·ln 10), since |x|·y′(x) = 1/(M·ln 10). Bound
///   `e·(1/(M·ln 10) + |y|)`, ≥ 85× their sum.
public struct Float32ForwardErrorBound: Sendable, Hashable {
  /// Error allowed at y = 0, in display units.
  public let absolute: Double
  /// Error allowed per unit of |y|.
  public let relative: Double

  /// The bound at display value `y` (in the form `absolute + relative·|y|`).
  @inline(__always) public func at(_ y: Double) -> Double { absolute + relative * abs(y) }
}

extension ScaleTransform {
  /// The error bound of the Float32 forward path, for transforms whose Float32 kernel is much
  /// faster than the Float64 one (Logicle, Hyperlog, FlowJo biex, `fasinh`, `flog`); `nil`
  /// for `flin` and Gating-ML 1.5 `asinh`, whose Float32 path computes in Float64.
  ///
  /// Callers that need Float64 decisions (the gating engine) compute in Float32 and recompute in
  /// Float64 only the values within this bound of a cut. The derivation of each bound is in
  /// ``Float32ForwardErrorBound``.
  public var float32ForwardErrorBound: Float32ForwardErrorBound? {
    let e = 0x1p-16, ln10 = 2.302_585_092_994_045_7
    switch self {
    case .logicle(let p): return Float32ForwardErrorBound(absolute: e * (1 + abs(p.zeroPosition)), relative: e)
    case .hyperlog(let p): return Float32ForwardErrorBound(absolute: e * (1 + abs(p.zeroPosition)), relative: e)
    case .flowJoBiex(let p): return Float32ForwardErrorBound(absolute: e * (1 + abs(p.logicle.zeroPosition)), relative: e)
    case .fasinh(let p):
      let r = (p.m + p.a) * ln10
      return Float32ForwardErrorBound(absolute: e * (p.a * ln10 / r + 1 / r), relative: e)
    case .flog(let p): return Float32ForwardErrorBound(absolute: e / (p.m * ln10), relative: e)
    case .flin, .gml15Asinh: return nil
    }
  }

  /// The Float32 forward transform of `values`, in place, on the calling thread (the same
  /// kernel, and results, as the Float32 `forward(_:into:)`, which splits large inputs across cores).
  public func forwardSerial(_ values: UnsafeMutableBufferPointer<Float>) {
    guard let base = values.baseAddress else { return }
    forwardSerial(base, 0..<values.count)
  }

  /// The Float32 kernel forward of `values`, in place, on the calling thread: the path
  /// ``float32ForwardErrorBound`` bounds, which the gating engine computes and re-decides near
  /// cuts. For `fasinh` and `flog` the Float32 table kernels; for the others the same as
  /// ``forwardSerial(_:)``.
  public func forwardFloat32Kernel(_ values: UnsafeMutableBufferPointer<Float>) {
    guard let base = values.baseAddress else { return }
    switch self {
    case .fasinh(let k): k.forwardFloatTable(base, base, 0..<values.count)
    case .flog(let k): k.forwardFloatTable(base, base, 0..<values.count)
    default: forwardSerial(base, 0..<values.count)
    }
  }

  /// ``forwardFloat32Kernel(_:)`` of `values`, as a new array.
  public func forwardFloat32Kernel(_ values: [Float]) -> [Float] {
    var out = values
    out.withUnsafeMutableBufferPointer { forwardFloat32Kernel($0) }
    return out
  }
}
