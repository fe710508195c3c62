import CSimdShim
import CytoCore
import Dispatch
import Foundation
import Synchronization

/// The events of one population sorted into horizontal bands of a polygon's y values, so that a
/// polygon is tested in each band against only the edges whose heights reach the band (2–4 of the
/// reset panel's 31-edge lymphocyte gate), with the rounded-`Float` kernel and the exact rule for the
/// events it flags (`polygonWordsRounded`'s contract).
///
/// Built once for a population (a polygon gate's parent) and the polygon's two dimensions, and
/// reused while that population's mask stays the same: a review drag moves the polygon, not its
/// parent. Memory: 12 bytes per event of the population.
///
/// Skipping an edge is exact: an edge is skipped for a band only when every event of the band has
/// its y outside the edge's closed y-range (for rounded y values, by more than the rounding, 4u·|y|
/// + 2⁻¹⁴⁰ with u = 2⁻²⁴), and for such an event the reference finds neither a crossing nor the
/// event on that edge. Every edge that is kept is tested by the kernel as in `polygonWordsRounded`.
final class PolygonBandIndex: Sendable {
  /// The population's mask words it was built for (`nil`: every event).
  let parent: [UInt64]?
  /// Slot ranges of the bands: band b is `start[b]..<start[b + 1]`, a multiple of 8 slots.
  let start: [Int]
  /// The least and greatest y in each band.
  let low: [Float], high: [Float]
  /// Per slot, the event's x and y (`Float` values: a `Float` column, or a `Double` column's
  /// rounded copy) and its index; padding slots have NaN values and event `UInt32.max`.
  let xs: [Float], ys: [Float], events: [UInt32]
  /// Events of the population whose y is NaN or ±∞: decided by the exact rule.
  let special: [UInt32]

  static let padding = UInt32.max

  private init(parent: [UInt64]?, start: [Int], low: [Float], high: [Float], xs: [Float], ys: [Float], events: [UInt32],
               special: [UInt32]) {
    self.parent = parent
    self.start = start
    self.low = low
    self.high = high
    self.xs = xs
    self.ys = ys
    self.events = events
    self.special = special
  }

  /// Calls `body` with every event of `parent` (every event of `n` when `nil`), ascending.
  @inline(__always)
  static func forEachEvent(_ parent: UnsafePointer<UInt64>?, _ n: Int, _ body: (Int) -> Void) {
    let wordCount = (n + 63) >> 6
    for wi in 0..<wordCount {
      var w: UInt64 = parent?[wi] ?? ~0
      if wi == wordCount - 1, n & 63 != 0 { w &= (1 &<< UInt64(n & 63)) &- 1 }
      while w != 0 {
        body(wi << 6 | w.trailingZeroBitCount)
        w &= w &- 1
      }
    }
  }

  /// Sorts the events of `parent` (its words; `nil`: all `n` events) into bands of their `y`,
  /// about 256 events a band, at most 4,096 bands; `nil` when event indices do not fit `UInt32`.
  static func build(x: UnsafePointer<Float>, y: UnsafePointer<Float>, parent: [UInt64]?, eventCount n: Int) -> PolygonBandIndex? {
    guard n < Int(UInt32.max) else { return nil }
    return withPointers(parent.map { [$0] } ?? []) { p in
      let parentWords = p.first
      var lowest = Float.infinity, highest = -Float.infinity, finite = 0
      var special: [UInt32] = []
      forEachEvent(parentWords, n) { e in
        let v = y[e]
        if v.isFinite {
          lowest = Swift.min(lowest, v)
          highest = Swift.max(highest, v)
          finite += 1
        } else {
          special.append(UInt32(e))
        }
      }
      let bands = Swift.max(1, Swift.min(4096, finite / 256))
      let scale = highest > lowest ? Double(bands) / (Double(highest) - Double(lowest)) : 0
      @inline(__always) func band(_ v: Float) -> Int { Swift.min(bands - 1, Int((Double(v) - Double(lowest)) * scale)) }
      var counts = [Int](repeating: 0, count: bands)
      var low = [Float](repeating: .infinity, count: bands), high = [Float](repeating: -.infinity, count: bands)
      forEachEvent(parentWords, n) { e in
        let v = y[e]
        guard v.isFinite else { return }
        let b = band(v)
        counts[b] += 1
        low[b] = Swift.min(low[b], v)
        high[b] = Swift.max(high[b], v)
      }
      var start = [Int](repeating: 0, count: bands + 1)
      for b in 0..<bands { start[b + 1] = start[b] + (counts[b] + 7) & ~7 }
      let slots = start[bands]
      var xs = [Float](repeating: .nan, count: slots), ys = [Float](repeating: .nan, count: slots)
      var events = [UInt32](repeating: padding, count: slots)
      var next = Array(start.dropLast())
      forEachEvent(parentWords, n) { e in
        let v = y[e]
        guard v.isFinite else { return }
        let b = band(v)
        let s = next[b]
        next[b] = s + 1
        xs[s] = x[e]
        ys[s] = v
        events[s] = UInt32(e)
      }
      return PolygonBandIndex(parent: parent, start: start, low: low, high: high, xs: xs, ys: ys, events: events, special: special)
    }
  }

  /// Sets in `out` (`wordCount` words, zero on entry) the bit of every event of the population
  /// inside the polygon (`rounded` its `Float` edges, `es` its `Double` edges; `x`, `y` the
  /// columns the index was built from, with `yRounded` when y holds roundings of `Double`s).
  func inside(_ rounded: Kernels.RoundedPolygon, _ es: [Kernels.Edge], x: Kernels.Column, y: Kernels.Column,
              into out: UnsafeMutablePointer<UInt64>, wordCount: Int) {
    let bands = low.count
    let yRounded = !y.isFloat
    // Two halves of the slots on two cores when large; each sets bits in its own words.
    let tasks = start[bands] >= 1 << 16 ? Swift.max(1, Swift.min(ProcessInfo.processInfo.activeProcessorCount, 8)) : 1
    var cuts = [0]
    for t in 1..<tasks { cuts.append(start.firstIndex { $0 >= start[bands] * t / tasks } ?? bands) }
    cuts.append(bands)
    let buffers = (1..<tasks).map { _ in UnsafeMutablePointer<UInt64>.allocate(capacity: Swift.max(wordCount, 1)) }
    defer { for b in buffers { b.deallocate() } }
    for b in buffers { b.initialize(repeating: 0, count: wordCount) }
    let ctx = SendableRef((out, buffers, cuts, x, y))
    let body: @Sendable (Int) -> Void = { t in
      let (out, buffers, cuts, x, y) = ctx.value
      self.inside(bands: cuts[t]..<cuts[t + 1], rounded, es, x, y, yRounded, t == 0 ? out : buffers[t - 1])
    }
    if tasks == 1 { body(0) } else { DispatchQueue.concurrentPerform(iterations: tasks, execute: body) }
    for b in buffers { for wi in 0..<wordCount { out[wi] |= b[wi] } }
    es.withUnsafeBufferPointer { es in
      for e in special where Kernels.pointInPolygon(Self.exact(x, Int(e)), Self.exact(y, Int(e)), es) {
        out[Int(e) >> 6] |= 1 &<< UInt64(e & 63)
      }
    }
  }

  @inline(__always)
  static func exact(_ c: Kernels.Column, _ e: Int) -> Double {
    c.isFloat ? Double(c.pointer.load(fromByteOffset: e &* 4, as: Float.self)) : c.pointer.load(fromByteOffset: e &* 8, as: Double.self)
  }

  private func inside(bands: Range<Int>, _ rounded: Kernels.RoundedPolygon, _ es: [Kernels.Edge], _ x: Kernels.Column,
                      _ y: Kernels.Column, _ yRounded: Bool, _ out: UnsafeMutablePointer<UInt64>) {
    let rel = Kernels.roundedCrossRelativeBound
    var kept: [Kernels.RoundedEdge] = []
    kept.reserveCapacity(rounded.edges.count)
    xs.withUnsafeBufferPointer { xs in
      ys.withUnsafeBufferPointer { ys in
        events.withUnsafeBufferPointer { events in
          es.withUnsafeBufferPointer { es in
            for b in bands where start[b] < start[b + 1] {
              // The edges whose closed y-range reaches the band (widened by the rounding of y).
              let lo = Double(low[b]), hi = Double(high[b])
              let margin = yRounded ? 0x1p-22 * Swift.max(abs(lo), abs(hi)) + 0x1p-140 : 0
              kept.removeAll(keepingCapacity: true)
              for k in rounded.edges.indices where rounded.maxY[k] >= lo - margin && rounded.minY[k] <= hi + margin {
                kept.append(rounded.edges[k])
              }
              if kept.isEmpty { continue }  // no edge reaches these heights: every event is outside
              kept.withUnsafeBufferPointer { ke in
                var s = start[b]
                while s < start[b + 1] {
                  let m = cyto_polygon8_rounded(xs.baseAddress! + s, ys.baseAddress! + s, ke.baseAddress, ke.count, rel, yRounded ? 1 : 0)
                  var near = (m >> 8) & 0xFF
                  var inside = m & 0xFF & ~near
                  while inside != 0 {
                    let e = Int(events[s &+ inside.trailingZeroBitCount])
                    inside &= inside &- 1
                    out[e >> 6] |= 1 &<< UInt64(e & 63)
                  }
                  while near != 0 {
                    let j = near.trailingZeroBitCount
                    near &= near &- 1
                    let e32 = events[s &+ Int(j)]
                    if e32 == Self.padding { continue }
                    let e = Int(e32)
                    if Kernels.pointInPolygon(Self.exact(x, e), Self.exact(y, e), es) { out[e >> 6] |= 1 &<< UInt64(e & 63) }
                  }
                  s &+= 8
                }
              }
            }
          }
        }
      }
    }
  }
}

/// Band indexes built for a ``PreparedDimensions``, one per polygon's dimensions and parent
/// population (for the parent's latest mask), shared by copies of it.
final class PolygonBandIndexCache: Sendable {
  struct Key: Hashable {
    var x: GateDimension, y: GateDimension
    var parent: GateID?
  }
  private let indexes = Mutex<[Key: PolygonBandIndex]>([:])

  /// The index of the events of population `parentID` (mask words `parent`; `nil`: all events)
  /// on `x`, `y`, built by `build` unless there is one for these words (compared word for word;
  /// the same array is recognised at once).
  func index(x: GateDimension, y: GateDimension, parentID: GateID?, parent: [UInt64]?,
             build: () -> PolygonBandIndex?) -> PolygonBandIndex? {
    let key = Key(x: x, y: y, parent: parentID)
    return indexes.withLock { d in
      if let i = d[key], i.parent == parent { return i }
      let i = build()
      d[key] = i
      return i
    }
  }
}
