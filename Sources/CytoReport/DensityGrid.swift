import CytoCore

/// Event counts on a regular grid over two plot coordinates (a 2-D histogram), or over one
/// (a 1-D histogram, `yBins == 1`).
///
/// Binning works on plot coordinates — the values after the axis transform — in `Float`,
/// column by column. An event is counted when it is in the parent population's mask (if one is
/// given) and each coordinate is finite and inside its range, *both ends included*: bin
/// `min(bins − 1, Int((v − lower) × bins ÷ (upper − lower)))`, computed in `Float` so a SIMD
/// lane and the scalar tail give the same bin. NaN, ±∞ and values outside the range are not
/// counted (``outsideEvents`` says how many).
public struct DensityGrid: Sendable, Equatable {
  /// Bins along x.
  public let xBins: Int
  /// Bins along y (1 for a 1-D histogram).
  public let yBins: Int
  /// The x coordinate range.
  public let xRange: (lower: Float, upper: Float)
  /// The y coordinate range (unused for a 1-D histogram).
  public let yRange: (lower: Float, upper: Float)
  /// Counts, `counts[iy × xBins + ix]`, `iy = 0` at the lower end of y.
  public internal(set) var counts: [UInt32]
  /// Events considered: in the mask, or all.
  public let selectedEvents: Int

  public static func == (a: Self, b: Self) -> Bool {
    a.xBins == b.xBins && a.yBins == b.yBins && a.xRange == b.xRange && a.yRange == b.yRange && a.counts == b.counts
      && a.selectedEvents == b.selectedEvents
  }

  /// Events counted in some bin.
  public var binnedEvents: Int { counts.reduce(0) { $0 + Int($1) } }
  /// Selected events not counted: a coordinate not finite or outside its range.
  public var outsideEvents: Int { selectedEvents - binnedEvents }
  /// The largest bin count.
  public var maxCount: UInt32 { counts.max() ?? 0 }

  /// The count of bin (ix, iy).
  public subscript(ix: Int, iy: Int) -> UInt32 { counts[iy * xBins + ix] }

  /// Bins `x` and `y` (same length) over `xBins × yBins` bins, only events set in `mask`.
  ///
  /// The loop reads 16 events per step as `SIMD16<Float>`, computes validity and bin indexes
  /// as vectors (events outside, non-finite or masked out go to one discard bin, so the loop
  /// has no branches) and then increments 16 counters. docs/plots.md has the timings.
  public static func bin(x: UnsafeBufferPointer<Float>, y: UnsafeBufferPointer<Float>, xRange: (lower: Float, upper: Float),
                         yRange: (lower: Float, upper: Float), xBins: Int = 256, yBins: Int = 256, mask: EventMask? = nil) -> DensityGrid {
    precondition(x.count == y.count, "x and y differ in length")
    precondition(mask == nil || mask!.count == x.count, "mask size differs from the event count")
    precondition(xBins > 0 && yBins > 0 && xBins <= 1 << 20 && yBins <= 1 << 20 && xBins * yBins < Int(Int32.max), "bad bin counts")
    let n = x.count
    let cells = xBins * yBins
    var counts = [UInt32](repeating: 0, count: cells + 1)
    let okRange = xRange.upper > xRange.lower && yRange.upper > yRange.lower
    let sx = Float(xBins) / (xRange.upper - xRange.lower), sy = Float(yBins) / (yRange.upper - yRange.lower)
    if okRange && n > 0 {
      counts.withUnsafeMutableBufferPointer { c in
        let words = mask?.words
        words.withOptionalBuffer { w in
          let xp = x.baseAddress!, yp = y.baseAddress!
          typealias V = SIMD16<Float>
          typealias I = SIMD16<UInt32>
          let xlo = V(repeating: xRange.lower), xhi = V(repeating: xRange.upper), vsx = V(repeating: sx)
          let ylo = V(repeating: yRange.lower), yhi = V(repeating: yRange.upper), vsy = V(repeating: sy)
          let xmax = I(repeating: UInt32(xBins - 1)), ymax = I(repeating: UInt32(yBins - 1)), nx = I(repeating: UInt32(xBins))
          let discard = I(repeating: UInt32(cells)), discardIndex = cells
          var i = 0
          while i + 16 <= n {
            let vx = UnsafeRawPointer(xp + i).loadUnaligned(as: V.self)
            let vy = UnsafeRawPointer(yp + i).loadUnaligned(as: V.self)
            let ok = (vx .>= xlo) .& (vx .<= xhi) .& (vy .>= ylo) .& (vy .<= yhi)
            // The mask's 16 bits for these events, applied lane by lane in the increment loop
            // (combining them into the vector mask costs several times more).
            let bits: UInt32 = w.map { UInt32(truncatingIfNeeded: $0[i >> 6] >> UInt64(i & 63)) & 0xFFFF } ?? 0xFFFF
            let ix = pointwiseMin(floorIndex(((vx - xlo) * vsx).replacing(with: 0, where: .!ok)), xmax)
            let iy = pointwiseMin(floorIndex(((vy - ylo) * vsy).replacing(with: 0, where: .!ok)), ymax)
            let idx = (iy &* nx &+ ix).replacing(with: discard, where: .!ok)
            for k in 0..<16 { c[(bits >> UInt32(k)) & 1 == 0 ? discardIndex : Int(idx[k])] &+= 1 }
            i += 16
          }
          while i < n {
            let vx = xp[i], vy = yp[i]
            let inMask = w.map { ($0[i >> 6] >> UInt64(i & 63)) & 1 == 1 } ?? true
            if inMask && vx >= xRange.lower && vx <= xRange.upper && vy >= yRange.lower && vy <= yRange.upper {
              let ix = min(Int32((vx - xRange.lower) * sx), Int32(xBins - 1))
              let iy = min(Int32((vy - yRange.lower) * sy), Int32(yBins - 1))
              c[Int(iy) * xBins + Int(ix)] &+= 1
            }
            i += 1
          }
        }
      }
    }
    counts.removeLast()
    return DensityGrid(xBins: xBins, yBins: yBins, xRange: xRange, yRange: yRange, counts: counts, selectedEvents: mask?.setCount ?? n)
  }

  /// Bins one column over `bins` bins (a 1-D histogram), only events set in `mask`.
  public static func bin(x: UnsafeBufferPointer<Float>, range: (lower: Float, upper: Float), bins: Int = 256,
                         mask: EventMask? = nil) -> DensityGrid {
    precondition(mask == nil || mask!.count == x.count, "mask size differs from the event count")
    precondition(bins > 0 && bins <= 1 << 20, "bad bin count")
    let n = x.count
    var counts = [UInt32](repeating: 0, count: bins + 1)
    let s = Float(bins) / (range.upper - range.lower)
    if range.upper > range.lower && n > 0 {
      counts.withUnsafeMutableBufferPointer { c in
        let words = mask?.words
        words.withOptionalBuffer { w in
          let xp = x.baseAddress!
          typealias V = SIMD16<Float>
          typealias I = SIMD16<UInt32>
          let lo = V(repeating: range.lower), hi = V(repeating: range.upper), vs = V(repeating: s)
          let top = I(repeating: UInt32(bins - 1)), discard = I(repeating: UInt32(bins)), discardIndex = bins
          var i = 0
          while i + 16 <= n {
            let vx = UnsafeRawPointer(xp + i).loadUnaligned(as: V.self)
            let ok = (vx .>= lo) .& (vx .<= hi)
            // The mask's 16 bits for these events, applied lane by lane in the increment loop
            // (combining them into the vector mask costs several times more).
            let bits: UInt32 = w.map { UInt32(truncatingIfNeeded: $0[i >> 6] >> UInt64(i & 63)) & 0xFFFF } ?? 0xFFFF
            let idx = pointwiseMin(floorIndex(((vx - lo) * vs).replacing(with: 0, where: .!ok)), top).replacing(with: discard, where: .!ok)
            for k in 0..<16 { c[(bits >> UInt32(k)) & 1 == 0 ? discardIndex : Int(idx[k])] &+= 1 }
            i += 16
          }
          while i < n {
            let v = xp[i]
            let inMask = w.map { ($0[i >> 6] >> UInt64(i & 63)) & 1 == 1 } ?? true
            if inMask && v >= range.lower && v <= range.upper {
              c[Int(min(Int32((v - range.lower) * s), Int32(bins - 1)))] &+= 1
            }
            i += 1
          }
        }
      }
    }
    counts.removeLast()
    return DensityGrid(xBins: bins, yBins: 1, xRange: range, yRange: (0, 1), counts: counts, selectedEvents: mask?.setCount ?? n)
  }
}

/// ⌊v⌋ of each lane, for 0 ≤ v ≤ 2²⁰, as an integer, with vector instructions only: adding
/// 2²³ rounds to an integer (to nearest) held in the low mantissa bits; one is taken off where
/// that rounded up. (The stdlib's float → integer SIMD conversion runs lane by lane.)
@inline(__always) func floorIndex(_ v: SIMD16<Float>) -> SIMD16<UInt32> {
  let magic = SIMD16<Float>(repeating: 8_388_608)
  let r = (v + magic) - magic
  let f = r - SIMD16<Float>(repeating: 0).replacing(with: 1, where: r .> v)
  return unsafeBitCast(f + magic, to: SIMD16<UInt32>.self) &- SIMD16<UInt32>(repeating: 0x4B00_0000)
}

extension Optional where Wrapped == [UInt64] {
  /// Runs `body` with the array's buffer, or `nil`.
  func withOptionalBuffer<R>(_ body: (UnsafeBufferPointer<UInt64>?) -> R) -> R {
    switch self {
    case .some(let a): a.withUnsafeBufferPointer { body($0) }
    case .none: body(nil)
    }
  }
}
