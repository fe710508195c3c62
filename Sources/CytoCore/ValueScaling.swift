import func Foundation.pow

/// How a stored (raw) value becomes a linear channel value.
///
/// FCS files store log-amplified integers, gains and time ticks; analysis needs linear values.
/// Keeping the rule as data lets consumers apply it in the precision they need (the gating
/// engine applies it in `Double` so no event crosses a gate boundary through rounding).
public enum ValueScaling: Hashable, Sendable, Codable, CustomStringConvertible {
  /// The stored value is already linear.
  case identity
  /// value = raw ÷ gain (`$PnG` on a linear parameter).
  case divide(by: Double)
  /// value = offset × 10^(decades × raw ÷ range) (`$PnE f1,f2` with f1 > 0, f2 = 0 read as 1).
  case logarithmic(decades: Double, range: Double, offset: Double)
  /// value = raw × factor (`$TIMESTEP` on the time parameter).
  case multiply(by: Double)

  /// The scaled value of `raw`.
  @inline(__always) public func apply(_ raw: Double) -> Double {
    switch self {
    case .identity: raw
    case .divide(let g): raw / g
    case .logarithmic(let d, let r, let o): o * pow(10, d * raw / r)
    case .multiply(let f): raw * f
    }
  }

  /// Whether the rule leaves values unchanged.
  public var isIdentity: Bool { self == .identity }

  public var description: String {
    func f(_ d: Double) -> String { d.compactText }
    switch self {
    case .identity: return "none"
    case .divide(let g): return "÷ gain \(f(g))"
    case .logarithmic(let d, let r, let o): return "log: \(f(o)) × 10^(\(f(d)) × raw / \(f(r)))"
    case .multiply(let t): return "× $TIMESTEP \(f(t))"
    }
  }
}
