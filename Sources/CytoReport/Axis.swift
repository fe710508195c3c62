import CytoTransforms
import Foundation

/// How an axis maps data values to positions: linear, base-10 logarithmic, or through a
/// cytometry scale transform (logicle, biex, arcsinh, …) as a cytometer displays it.
public enum AxisScale: Sendable, Hashable {
  /// Linear from `min` to `max` (data units).
  case linear(min: Double, max: Double)
  /// log₁₀ from `min` to `max` (data units, both > 0). Values ≤ 0 have no position.
  case log10(min: Double, max: Double)
  /// Through `transform`; `min` and `max` are *transformed* values (0 and 1 for logicle's
  /// full display range). Ticks sit at 0 and ±10ⁿ data values placed by the transform.
  case transformed(ScaleTransform, min: Double, max: Double)

  /// The axis coordinate of a data value: the value (linear), its log₁₀, or its transform.
  /// `nil` when the value has no coordinate (≤ 0 on a log axis, not finite).
  public func coordinate(_ v: Double) -> Double? {
    guard v.isFinite else { return nil }
    switch self {
    case .linear: return v
    case .log10: return v > 0 ? Foundation.log10(v) : nil
    case .transformed(let t, _, _):
      let c = t.forward(v)
      return c.isFinite ? c : nil
    }
  }

  /// The data value at an axis coordinate (inverse of ``coordinate(_:)``).
  public func value(atCoordinate c: Double) -> Double {
    switch self {
    case .linear: c
    case .log10: pow(10, c)
    case .transformed(let t, _, _): t.inverse(c)
    }
  }

  /// The coordinates of the two ends of the axis.
  public var coordinateRange: (lower: Double, upper: Double) {
    switch self {
    case .linear(let a, let b): (a, b)
    case .log10(let a, let b): (Foundation.log10(a), Foundation.log10(b))
    case .transformed(_, let a, let b): (a, b)
    }
  }

  /// The fraction along the axis (0 at the start, 1 at the end; outside for values beyond
  /// the ends), or `nil` when the value has no coordinate.
  public func fraction(_ v: Double) -> Double? {
    guard let c = coordinate(v) else { return nil }
    return fraction(ofCoordinate: c)
  }

  /// The fraction along the axis of an axis coordinate.
  public func fraction(ofCoordinate c: Double) -> Double {
    let (a, b) = coordinateRange
    return b == a ? 0.5 : (c - a) / (b - a)
  }

  /// Tick marks for this axis, about `target` labelled ones for linear axes.
  public func ticks(target: Int = 5) -> [AxisTick] {
    switch self {
    case .linear(let a, let b): AxisTicks.linear(min: a, max: b, target: target)
    case .log10(let a, let b): AxisTicks.log10(min: a, max: b)
    case .transformed: AxisTicks.decades(self)
    }
  }
}

/// One tick of an axis: the data value, its fraction along the axis and its label (minor ticks
/// have none).
public struct AxisTick: Sendable, Hashable {
  /// The data value at the tick.
  public var value: Double
  /// 0 at the start of the axis, 1 at its end.
  public var fraction: Double
  /// The label, or `nil` for a minor tick.
  public var label: String?
  /// Whether the tick is a major (labelled) tick.
  public var isMajor: Bool { label != nil }

  /// A tick at `value`.
  public init(value: Double, fraction: Double, label: String?) {
    self.value = value
    self.fraction = fraction
    self.label = label
  }
}

/// Tick placement and labels.
public enum AxisTicks {
  /// The "nice" step (1, 2 or 5 × 10ⁿ) for about `target` intervals over `span`.
  public static func niceStep(span: Double, target: Int) -> Double {
    guard span > 0, span.isFinite, target > 0 else { return 1 }
    let raw = span / Double(target)
    let mag = pow(10, floor(Foundation.log10(raw)))
    let r = raw / mag
    let f: Double = r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10
    return f * mag
  }

  /// Linear ticks at multiples of a nice step inside [min, max].
  public static func linear(min a: Double, max b: Double, target: Int = 5) -> [AxisTick] {
    guard b > a, a.isFinite, b.isFinite else { return [] }
    let step = niceStep(span: b - a, target: target)
    let decimals = max(0, Int(-floor(Foundation.log10(step) + 1e-9)))
    var out: [AxisTick] = []
    var k = (a / step).rounded(.up)
    while k * step <= b + step * 1e-9 {
      let v = k * step
      out.append(AxisTick(value: v, fraction: (v - a) / (b - a), label: linearLabel(v, step: step, decimals: decimals)))
      k += 1
    }
    return out
  }

  static func linearLabel(_ v: Double, step: Double, decimals: Int) -> String {
    let v = abs(v) < step * 1e-9 ? 0 : v
    if abs(v) >= 10_000 && step >= 1_000 {
      let k = v / 1_000
      return num(k, k == k.rounded() ? 0 : 1) + "K"
    }
    return String(format: "%.\(decimals)f", v)
  }

  /// Log ticks: a labelled tick at every power of ten in [min, max], minor ticks at 2–9 ×.
  public static func log10(min a: Double, max b: Double) -> [AxisTick] {
    guard a > 0, b > a, a.isFinite, b.isFinite else { return [] }
    let la = Foundation.log10(a), lb = Foundation.log10(b)
    var out: [AxisTick] = []
    var e = Int(floor(la))
    while Double(e) <= lb + 1e-9 {
      for m in 1...9 {
        let v = Double(m) * pow(10, Double(e))
        let l = Foundation.log10(v)
        guard l >= la - 1e-9 && l <= lb + 1e-9 else { continue }
        out.append(AxisTick(value: v, fraction: (l - la) / (lb - la), label: m == 1 ? decadeLabel(e, plain: true) : nil))
      }
      e += 1
    }
    return out
  }

  /// Decade ticks of a transformed (logicle/biex/arcsinh) axis: 0 and ±10ⁿ, placed by the
  /// transform. Labels are "0" and "10ⁿ" (negative decades "−10ⁿ"); a decade label that would
  /// sit closer than 4 % of the axis to the previous label is left off (its tick stays).
  /// Minor ticks at 2–9 × each decade from 10² on, none closer than 1 % of the axis to another tick.
  public static func decades(_ scale: AxisScale) -> [AxisTick] {
    let (lo, hi) = scale.coordinateRange
    guard hi > lo else { return [] }
    let vMin = scale.value(atCoordinate: lo), vMax = scale.value(atCoordinate: hi)
    var candidates: [(Double, Bool, String?)] = [(0, true, "0")]
    for sign in [1.0, -1.0] {
      for e in 0...9 {
        for m in 1...9 {
          let v = sign * Double(m) * pow(10, Double(e))
          guard v >= vMin - abs(vMin) * 1e-9, v <= vMax + abs(vMax) * 1e-9 else { continue }
          // No minor ticks below 10² (the transform's near-linear region), as on cytometers.
          if m != 1 && e < 2 { continue }
          candidates.append((v, m == 1, m == 1 ? (sign < 0 ? "−" : "") + decadeLabel(e, plain: false) : nil))
        }
      }
    }
    var ticks: [AxisTick] = []
    for (v, _, label) in candidates {
      guard let f = scale.fraction(v), f >= -1e-9, f <= 1 + 1e-9 else { continue }
      ticks.append(AxisTick(value: v, fraction: f, label: label))
    }
    ticks.sort { $0.fraction < $1.fraction || ($0.fraction == $1.fraction && $0.value < $1.value) }
    // Thin labels outward from 0, so the 0 label always stays.
    let zero = ticks.firstIndex { $0.value == 0 }
    func thin(_ order: [Int]) {
      var last = zero.map { ticks[$0].fraction }
      for i in order where ticks[i].label != nil {
        if let l = last, abs(ticks[i].fraction - l) < 0.04 { ticks[i].label = nil } else { last = ticks[i].fraction }
      }
    }
    if let z = zero {
      thin(Array((z + 1)..<ticks.count))
      thin(Array((0..<z).reversed()))
    } else {
      thin(Array(0..<ticks.count))
    }
    // Unlabelled ticks crowd together near 0 (the linear region): keep one only when it is at
    // least 1 % of the axis from the last tick kept; labelled ticks always stay.
    var kept: [AxisTick] = []
    for t in ticks where t.label != nil || kept.last.map({ t.fraction - $0.fraction >= 0.01 }) ?? true {
      if t.label != nil, let last = kept.last, last.label == nil, t.fraction - last.fraction < 0.01 { kept.removeLast() }
      kept.append(t)
    }
    return kept
  }

  /// "10ⁿ" with a superscript exponent; with `plain`, small powers are written out
  /// (0.01 … 10,000) as on clinical count axes.
  public static func decadeLabel(_ e: Int, plain: Bool) -> String {
    if plain && e >= -2 && e <= 4 {
      switch e {
      case -2: return "0.01"
      case -1: return "0.1"
      case 3: return "1,000"
      case 4: return "10,000"
      default: return String(Int(pow(10, Double(e))))
      }
    }
    if !plain && e == 0 { return "1" }
    if !plain && e == 1 { return "10" }
    return "10" + superscript(e)
  }

  static func superscript(_ n: Int) -> String {
    let digits: [Character] = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
    var s = n < 0 ? "⁻" : ""
    for c in String(abs(n)) { s.append(digits[Int(String(c))!]) }
    return s
  }
}
