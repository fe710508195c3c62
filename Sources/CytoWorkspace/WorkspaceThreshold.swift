import CytoTransforms

/// Display-unit rectangle bounds as data-unit bounds that select the same events.
///
/// The engine keeps an event on a side when `min <= T(x) < max` (T the dimension's scale
/// transform, in `Double`); FlowJo tests `min' <= x < max'` on the data value x. For a
/// non-decreasing T both are the same test when `min'` is the smallest `Double` with
/// `T(min') >= min` (and `max'` likewise for `max`). `T.inverse(bound)` lands within a few
/// units in the last place of that value; ``dataBound(_:_:population:)`` then walks to it.
enum WorkspaceThreshold {
  /// The smallest `Double` x with `t.forward(x) >= bound`.
  /// - Throws: ``WorkspaceExportError/Kind/unsupportedTransform`` when the bound has no
  ///   finite data value under `t`.
  static func dataBound(_ t: ScaleTransform, _ bound: Double, population: String) throws(WorkspaceExportError) -> Double {
    let start = t.inverse(bound)
    guard start.isFinite else {
      throw WorkspaceExportError(.unsupportedTransform, "bound \(bound) has no finite data value under \(t.kind)", population: population)
    }
    func reaches(_ x: Double) -> Bool { t.forward(x) >= bound }
    // Bracket: lo does not reach the bound, hi does, searching outward from the inverse.
    var lo = start, hi = start
    var step = 1.0
    if reaches(start) {
      repeat {
        lo = Self.offset(start, by: -step)
        step *= 2
      } while reaches(lo) && lo.isFinite && step < 0x1p62
      guard !reaches(lo) else { return start }
    } else {
      repeat {
        hi = Self.offset(start, by: step)
        step *= 2
      } while !reaches(hi) && hi.isFinite && step < 0x1p62
      guard reaches(hi) else {
        throw WorkspaceExportError(.unsupportedTransform, "no data value reaches bound \(bound) under \(t.kind)", population: population)
      }
    }
    // Bisect on the ordered bit patterns until lo and hi are adjacent doubles.
    while true {
      let gap = UInt64(bitPattern: Self.key(hi) &- Self.key(lo))  // hi > lo: the true distance, < 2⁶⁴
      if gap <= 1 { break }
      let mid = Self.value(Self.key(lo) &+ Int64(bitPattern: gap / 2))
      if reaches(mid) { hi = mid } else { lo = mid }
    }
    return hi
  }

  /// A total order on finite doubles as integers (adjacent doubles differ by 1).
  static func key(_ x: Double) -> Int64 {
    let b = Int64(bitPattern: x.bitPattern)
    return b >= 0 ? b : Int64.min - b
  }

  static func value(_ k: Int64) -> Double {
    k >= 0 ? Double(bitPattern: UInt64(k)) : Double(bitPattern: UInt64(bitPattern: Int64.min - k))
  }

  /// `x` moved by `n` units in the last place (clamped to finite doubles).
  static func offset(_ x: Double, by n: Double) -> Double {
    let k = Double(key(x)) + n
    let limit = Double(key(.greatestFiniteMagnitude))
    return value(Int64(max(-limit, min(limit, k))))
  }
}
