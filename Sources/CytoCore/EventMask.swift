/// A set of events stored as bits in 64-bit words: bit `e % 64` of word `e / 64` is event `e`.
///
/// Bits past ``count`` in the last word are always zero, so word-wise operations and
/// popcounts need no tail handling.
public struct EventMask: Sendable, Equatable, Hashable {
  /// Number of events the mask covers.
  public let count: Int
  /// The bit words; `(count + 63) / 64` of them.
  public private(set) var words: [UInt64]

  /// A mask over `count` events, all cleared (or all set when `allSet`).
  public init(count: Int, allSet: Bool = false) {
    precondition(count >= 0, "negative event count")
    self.count = count
    self.words = [UInt64](repeating: allSet ? ~0 : 0, count: (count + 63) >> 6)
    if allSet { clearTail() }
  }

  /// A mask from explicit words; bits past `count` are cleared.
  public init(count: Int, words: [UInt64]) {
    precondition(words.count == (count + 63) >> 6, "word count does not match event count")
    self.count = count
    self.words = words
    clearTail()
  }

  /// A mask from one Boolean per event.
  public init<S: Sequence>(_ bits: S) where S.Element == Bool {
    var w: [UInt64] = []
    var n = 0
    var cur: UInt64 = 0
    for b in bits {
      if b { cur |= 1 &<< UInt64(n & 63) }
      n += 1
      if n & 63 == 0 { w.append(cur); cur = 0 }
    }
    if n & 63 != 0 { w.append(cur) }
    self.count = n
    self.words = w
  }

  private mutating func clearTail() {
    let r = count & 63
    if r != 0, !words.isEmpty { words[words.count - 1] &= (1 &<< UInt64(r)) &- 1 }
  }

  /// Whether event `e` is in the set.
  public subscript(e: Int) -> Bool {
    get { (words[e >> 6] >> UInt64(e & 63)) & 1 == 1 }
    set {
      if newValue { words[e >> 6] |= 1 &<< UInt64(e & 63) } else { words[e >> 6] &= ~(1 &<< UInt64(e & 63)) }
    }
  }

  /// Number of events in the set (population count).
  public var setCount: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }

  /// Indices of the events in the set, ascending.
  public var indices: [Int] {
    var out: [Int] = []
    out.reserveCapacity(setCount)
    for (wi, w0) in words.enumerated() {
      var w = w0
      while w != 0 {
        out.append(wi << 6 | w.trailingZeroBitCount)
        w &= w &- 1
      }
    }
    return out
  }

  /// Keeps only events also in `other` (in place).
  public mutating func formIntersection(_ other: EventMask) {
    precondition(other.count == count, "mask sizes differ")
    words.withUnsafeMutableBufferPointer { a in other.words.withUnsafeBufferPointer { b in
      for i in 0..<a.count { a[i] &= b[i] } } }
  }

  /// Adds the events of `other` (in place).
  public mutating func formUnion(_ other: EventMask) {
    precondition(other.count == count, "mask sizes differ")
    words.withUnsafeMutableBufferPointer { a in other.words.withUnsafeBufferPointer { b in
      for i in 0..<a.count { a[i] |= b[i] } } }
  }

  /// Replaces the set by its complement within `0..<count` (in place).
  public mutating func formComplement() {
    words.withUnsafeMutableBufferPointer { a in for i in 0..<a.count { a[i] = ~a[i] } }
    clearTail()
  }

  /// Events in both masks.
  public func intersection(_ other: EventMask) -> EventMask { var m = self; m.formIntersection(other); return m }
  /// Events in either mask.
  public func union(_ other: EventMask) -> EventMask { var m = self; m.formUnion(other); return m }
  /// Events not in this mask.
  public func complement() -> EventMask { var m = self; m.formComplement(); return m }

  /// Calls `body` with the mutable words, for kernels that write whole words.
  /// The caller must leave bits past ``count`` cleared.
  public mutating func withUnsafeMutableWords<R>(_ body: (UnsafeMutableBufferPointer<UInt64>) throws -> R) rethrows -> R {
    try words.withUnsafeMutableBufferPointer { try body($0) }
  }
}
