/// Order statistics by selection: the values a full ascending sort would put at given
/// positions, found in expected linear time without sorting. Shared by the statistics of the
/// gating engine (`Double`, CytoGating's `ValueSummary`) and the robust statistics of adaptive
/// gating (`Float`, CytoAutoGating's `RobustSample`); inlinable so each is specialised.
public enum OrderStatistics {
  /// Reorders `b` (no NaN) so that each position in `ranks` holds the value an ascending sort
  /// would put there. `ranks` must be ascending and within `b`'s indices.
  ///
  /// Selects in increasing order on a shrinking range: after position k is placed, positions
  /// k+1… hold exactly the larger order statistics, so the next rank is selected among them
  /// only. A rank right after the previous one is the minimum of the rest (one scan).
  @inlinable
  public static func select<T: BinaryFloatingPoint>(_ b: UnsafeMutableBufferPointer<T>, ranks: [Int]) {
    var start = 0
    for k in ranks where k >= start {
      precondition(k < b.count, "rank \(k) outside \(b.count) values")
      if k == start {
        var m = start
        for i in (start + 1)..<b.count where b[i] < b[m] { m = i }
        b.swapAt(start, m)
      } else {
        select(b, from: start, to: b.count - 1, k: k)
      }
      start = k + 1
    }
  }

  /// Introselect on `b[from...to]` (no NaN): afterwards position `k` holds the value a sort of
  /// that range would put there, with smaller-or-equal values before it and greater-or-equal
  /// after. Hoare's selection with a median-of-three pivot; a range still unresolved after
  /// 2·log₂ n + 4 partitions (an adversarial order) is sorted instead, so the worst case is
  /// O(n log n).
  @inlinable
  public static func select<T: BinaryFloatingPoint>(_ b: UnsafeMutableBufferPointer<T>, from: Int, to: Int, k: Int) {
    var lo = from, hi = to
    var budget = 2 * (Int.bitWidth - max(hi - lo + 1, 1).leadingZeroBitCount) + 4
    while hi > lo {
      if budget == 0 {
        var range = UnsafeMutableBufferPointer(rebasing: b[lo...hi])
        range.sort()
        return
      }
      budget -= 1
      let mid = lo + (hi - lo) / 2
      if b[mid] < b[lo] { b.swapAt(mid, lo) }
      if b[hi] < b[lo] { b.swapAt(hi, lo) }
      if b[hi] < b[mid] { b.swapAt(hi, mid) }
      let pivot = b[mid]
      var i = lo, j = hi
      while i <= j {
        while b[i] < pivot { i += 1 }
        while b[j] > pivot { j -= 1 }
        if i <= j {
          b.swapAt(i, j)
          i += 1
          j -= 1
        }
      }
      // b[lo...j] ≤ pivot, b[i...hi] ≥ pivot, and everything strictly between equals it.
      if k <= j { hi = j } else if k >= i { lo = i } else { return }
    }
  }
}
