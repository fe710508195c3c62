/// A sum of `Double`s that does not depend on the order of the additions: Shewchuk's
/// non-overlapping partials (as in Python's `math.fsum`), rounded once at the end.
///
/// The finite terms are kept exactly, as a list of non-overlapping partials (usually one to
/// three for measurement data); ``value`` is their exact sum correctly rounded to nearest, ties
/// to even — so the result is the same, to the bit, for every order of the same terms, and its
/// error is at most half a unit in the last place of the result.
///
/// Non-finite terms follow IEEE addition, also order-independently: any NaN, or both +∞ and −∞,
/// gives NaN; otherwise +∞ or −∞ if one was added. A running partial that overflows
/// (|sum| > `Double.greatestFiniteMagnitude` part-way, only possible with terms near 10³⁰⁸)
/// counts as ±∞ too, as a plain IEEE sum would.
struct ExactSum: ~Copyable {
  /// Every partial occupies a distinct bit position in [2⁻¹⁰⁷⁴, 2¹⁰²⁴), so 2,100 always suffice.
  private static let capacity = 2100
  /// The partials, increasing in magnitude and non-overlapping; `count` of them in use.
  private let partials = UnsafeMutablePointer<Double>.allocate(capacity: ExactSum.capacity)
  private var count = 0
  /// IEEE sum of the non-finite terms and of overflowed partials (0 when there were none).
  private var special = 0.0

  init() {}

  deinit { partials.deallocate() }

  /// Adds `x` exactly.
  @inline(__always) mutating func add(_ x: Double) {
    guard x.isFinite else {
      special += x
      return
    }
    let p = partials
    var x = x
    var i = 0
    for j in 0..<count {
      var y = p[j]
      if abs(x) < abs(y) { swap(&x, &y) }
      let hi = x + y
      if !hi.isFinite {
        // Overflow of the running sum: counted as the IEEE sum would.
        special += hi
        count = 0
        return
      }
      let lo = y - (hi - x)
      if lo != 0 {
        p[i] = lo
        i += 1
      }
      x = hi
    }
    p[i] = x
    count = i + 1
  }

  /// The sum, correctly rounded (see the type's documentation for non-finite terms).
  var value: Double {
    if special != 0 || special.isNaN { return special }
    var n = count
    guard n > 0 else { return 0 }
    n -= 1
    var hi = partials[n], lo = 0.0
    while n > 0 {
      let x = hi
      n -= 1
      let y = partials[n]
      hi = x + y
      lo = y - (hi - x)
      if lo != 0 { break }
    }
    // Round half to even across partials: a tie in (hi, lo) is decided by the sign of the
    // next partial down (Python's fsum does the same).
    if n > 0 && ((lo < 0 && partials[n - 1] < 0) || (lo > 0 && partials[n - 1] > 0)) {
      let y = lo * 2
      let x = hi + y
      if y == x - hi { hi = x }
    }
    return hi
  }
}
