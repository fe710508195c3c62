/// Sorting of `Float` samples, faster than the standard library's stable comparison sort for
/// the sizes adaptive gating sorts (up to 10⁵ values per sample). Selection of one order
/// statistic is CytoCore's `OrderStatistics`.
enum FloatSort {
  /// `values` (all finite) sorted ascending: an LSD radix sort on the IEEE-754 bits mapped to
  /// an order-preserving unsigned key (negative values have every bit flipped, others only the
  /// sign bit), three passes of 11 bits. Short arrays use the standard sort.
  static func sorted(_ values: [Float]) -> [Float] {
    let n = values.count
    guard n > 512 else { return values.sorted() }
    var keys = [UInt32](repeating: 0, count: n)
    var tmp = [UInt32](repeating: 0, count: n)
    values.withUnsafeBufferPointer { v in
      keys.withUnsafeMutableBufferPointer { k in
        for i in 0..<n {
          let b = v[i].bitPattern
          k[i] = b & 0x8000_0000 != 0 ? ~b : b | 0x8000_0000
        }
      }
    }
    var counts = [Int](repeating: 0, count: 3 * 2048)
    keys.withUnsafeBufferPointer { k in
      counts.withUnsafeMutableBufferPointer { c in
        for key in k {
          c[Int(key & 0x7FF)] += 1
          c[2048 + Int((key >> 11) & 0x7FF)] += 1
          c[4096 + Int(key >> 22)] += 1
        }
      }
    }
    for pass in 0..<3 {
      let shift = UInt32(11 * pass), base = 2048 * pass
      // A pass whose digit is the same for every key moves nothing.
      if counts[base..<(base + 2048)].contains(n) { continue }
      var offset = 0
      for d in 0..<2048 {
        let c = counts[base + d]
        counts[base + d] = offset
        offset += c
      }
      keys.withUnsafeBufferPointer { src in
        tmp.withUnsafeMutableBufferPointer { dst in
          counts.withUnsafeMutableBufferPointer { c in
            for key in src {
              let d = base + Int((key >> shift) & 0x7FF)
              dst[c[d]] = key
              c[d] += 1
            }
          }
        }
      }
      swap(&keys, &tmp)
    }
    return keys.map { k in Float(bitPattern: k & 0x8000_0000 != 0 ? k & 0x7FFF_FFFF : ~k) }
  }
}
