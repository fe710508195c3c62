import CytoCore

/// The values of one gate dimension for every event, in the precision they were computed in.
///
/// Channel values that pass through neither compensation nor a transform stay `Float`, exactly
/// as stored; anything computed (compensation, transforms, ratios) is `Double`, the precision
/// the Gating-ML reference implementation uses, so no event crosses a gate boundary through
/// rounding to `Float`.
public enum DimensionValues: Sendable, Equatable {
  case float([Float])
  case double([Double])

  public var count: Int {
    switch self {
    case .float(let v): v.count
    case .double(let v): v.count
    }
  }

  /// The value of event `i` as a `Double` (exact for both cases).
  @inline(__always) public subscript(i: Int) -> Double {
    switch self {
    case .float(let v): Double(v[i])
    case .double(let v): v[i]
    }
  }

  /// All values as `Double`.
  public var doubles: [Double] {
    switch self {
    case .float(let v): v.map(Double.init)
    case .double(let v): v
    }
  }
}

/// Rounds a `Double` threshold to the smallest `Float` ≥ it, so that for every `Float` x,
/// `x >= t ⇔ x >= ceilFloat(t)` and `x < t ⇔ x < ceilFloat(t)`: Float compares then give
/// exactly the Double answer.
@inline(__always) func ceilFloat(_ t: Double) -> Float {
  if t.isNaN { return .nan }
  if t >= Double(Float.greatestFiniteMagnitude) { return t > Double(Float.greatestFiniteMagnitude) ? .infinity : .greatestFiniteMagnitude }
  if t <= -Double(Float.greatestFiniteMagnitude) { return t < -Double(Float.greatestFiniteMagnitude) ? -Float.greatestFiniteMagnitude.nextUp.nextDown : -.greatestFiniteMagnitude }
  var f = Float(t)
  if Double(f) < t { f = f.nextUp }
  return f
}
