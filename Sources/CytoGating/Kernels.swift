import CSimdShim
import CytoCore
import CytoTransforms
import Dispatch
import Foundation

/// SIMD gate kernels over column-major values, writing one bit per event into `UInt64` words.
///
/// Every kernel has the semantics of the scalar reference in `CytoTestSupport`
/// (`ReferenceGating`) and equals it bit for bit, including tails shorter than a vector.
/// Loads are unaligned SIMD16<Float> or SIMD8<Double>; masks become bits through the
/// `CSimdShim` movemask functions (one `kmovw`/`vmovmskps`), 64 events per word.
enum Kernels {
  // MARK: Parallel driver

  /// Words per task below which kernels stay on the calling thread.
  static let parallelWordThreshold = 1 << 14  // 1 M events

  /// Runs `body` over disjoint word ranges, in parallel for large masks.
  static func forWordRanges(_ wordCount: Int, _ body: @Sendable (Range<Int>) -> Void) {
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let tasks = wordCount >= parallelWordThreshold ? max(1, min(cores, 64)) : 1
    if tasks == 1 { body(0..<wordCount); return }
    let chunk = (wordCount + tasks - 1) / tasks
    DispatchQueue.concurrentPerform(iterations: tasks) { t in
      let lo = t * chunk, hi = min(wordCount, lo + chunk)
      if lo < hi { body(lo..<hi) }
    }
  }

  // MARK: Fused evaluation of a whole strategy, block by block

  /// One dimension's values: a pointer to `Float` or `Double` values, one per event, or a
  /// slot of per-block `Double` values computed by a `.lazy` step.
  struct Column {
    var pointer: UnsafeRawPointer
    var isFloat: Bool
    /// The block scratch slot of a lazily computed dimension, or −1.
    var slot: Int = -1
    /// For a `Double` column, its values rounded to the nearest `Float`, when kept
    /// (``PreparedDimensions/rounded``): polygons then decide on them first (`polygonWordsRounded`).
    var rounded: UnsafePointer<Float>? = nil
    init(_ pointer: UnsafeRawPointer, isFloat: Bool, rounded: UnsafePointer<Float>? = nil) {
      self.pointer = pointer
      self.isFloat = isFloat
      self.rounded = rounded
    }
    /// The column's values as `Float`s: the column itself, or its rounded copy (`nil` when neither).
    var floats: UnsafePointer<Float>? {
      isFloat ? pointer.assumingMemoryBound(to: Float.self) : rounded
    }
    init(slot: Int) {
      self.pointer = UnsafeRawPointer(bitPattern: 8)!
      self.isFloat = false
      self.slot = slot
    }
  }

  /// A dimension computed per block (see `LazySpec`), with its detector columns resolved.
  struct LazyColumn {
    var detectors: [UnsafePointer<Float>]
    var scalings: [ValueScaling?]
    var coefficients: [Double]?
    var transform: Transformation?
    /// When set, the transform runs in Float32 and the slot holds approximations within
    /// `bound`; gates that read the slot redo in Float64 every event that close to a cut.
    var approximate: ApproximateForward? = nil
  }

  /// A scale transform evaluated by its Float32 kernel, with that kernel's error bound.
  struct ApproximateForward {
    var transform: ScaleTransform
    var bound: Float32ForwardErrorBound
    /// Inputs from this magnitude on (and non-finite ones) are transformed exactly at once:
    /// rounding them to Float could overflow.
    static let exactFrom = 1e30
    /// Whether the error bound covers `x`: 0, or 2⁻¹²⁶ ≤ |x| < ``exactFrom``. Below Float's
    /// normal range rounding to Float is not relative (`flog` of a Double that rounds to a
    /// subnormal or to 0 could be far off), so those inputs are transformed exactly too.
    @inline(__always) static func floatHolds(_ x: Double) -> Bool {
      let a = abs(x)
      return a < exactFrom && (a >= Double(Float.leastNormalMagnitude) || a == 0)
    }
  }

  /// Per-task buffers for lazily computed dimensions: one block of `Double` values and a
  /// computed-events mask per slot, and a dense buffer of the values still to transform. For an
  /// approximate slot also its untransformed inputs and which events hold exact values.
  final class BlockScratch {
    let values: [UnsafeMutablePointer<Double>]
    let computed: [UnsafeMutablePointer<UInt64>]
    let dense: UnsafeMutablePointer<Double>
    let denseFloat: UnsafeMutablePointer<Float>
    let index: UnsafeMutablePointer<Int32>
    /// Per slot: the Float32 path's transform and bound, or `nil` for exact values.
    let approximate: [ApproximateForward?]
    /// Per approximate slot: the untransformed (compensated) inputs, and the exact-values mask.
    let inputs: [UnsafeMutablePointer<Double>]
    let exact: [UnsafeMutablePointer<UInt64>]
    /// First event of the current block.
    var blockStart = 0
    init(lazy: [LazyColumn]) {
      let events = blockWords << 6
      approximate = lazy.map(\.approximate)
      values = lazy.map { _ in
        let p = UnsafeMutablePointer<Double>.allocate(capacity: events)
        p.initialize(repeating: .nan, count: events)
        return p
      }
      computed = lazy.map { _ in UnsafeMutablePointer<UInt64>.allocate(capacity: blockWords) }
      // Only approximate slots use these (empty allocations for the others).
      inputs = lazy.map { .allocate(capacity: $0.approximate == nil ? 0 : events) }
      exact = lazy.map { .allocate(capacity: $0.approximate == nil ? 0 : blockWords) }
      dense = .allocate(capacity: events)
      denseFloat = .allocate(capacity: events)
      index = .allocate(capacity: events)
    }
    /// Forgets what was computed (a new block starts at word `word`).
    func reset(word: Int) {
      blockStart = word << 6
      for c in computed { c.update(repeating: 0, count: blockWords) }
      for (k, a) in approximate.enumerated() where a != nil { exact[k].update(repeating: 0, count: blockWords) }
    }
    /// The exact `Double` value of approximate slot `slot` at absolute event `e` (computed once
    /// per block, then stored in place of the approximation).
    @inline(__always)
    func exactValue(_ slot: Int, _ e: Int) -> Double {
      let local = e &- blockStart
      let bit: UInt64 = 1 &<< UInt64(local & 63)
      if exact[slot][local >> 6] & bit == 0 {
        exact[slot][local >> 6] |= bit
        values[slot][local] = approximate[slot]!.transform.forward(inputs[slot][local])
      }
      return values[slot][local]
    }
    deinit {
      for v in values { v.deallocate() }
      for c in computed { c.deallocate() }
      for v in inputs { v.deallocate() }
      for c in exact { c.deallocate() }
      dense.deallocate()
      denseFloat.deallocate()
      index.deallocate()
    }
  }

  enum BooleanKind { case and, or, not }

  /// One step of a strategy's evaluation on a range of words; steps run in order on each block.
  enum Step {
    /// dest = parent (or every event).
    case start(UnsafeMutablePointer<UInt64>, parent: UnsafeMutablePointer<UInt64>?)
    /// dest &= lo ≤ x < hi.
    case range(Column, lo: Double, hi: Double, UnsafeMutablePointer<UInt64>)
    /// dest &= in polygon (`Float` edges when both columns are `Float` and the polygon fits).
    case polygon(Column, Column, [Edge], FloatPolygon?, UnsafeMutablePointer<UInt64>)
    /// dest &= in polygon, decided on the columns' `Float` values (a `Double` column's rounded
    /// copy) with the exact rule for events near an edge (`polygonWordsRounded`).
    case polygonRounded(Column, Column, [Edge], RoundedPolygon, UnsafeMutablePointer<UInt64>)
    /// dest &= words (a gate's shape decided before the block loop, `PolygonBandIndex`).
    case andWords(UnsafePointer<UInt64>, UnsafeMutablePointer<UInt64>)
    /// dest = parent in the words where parent differs from `previous` (its mask in an earlier
    /// evaluation), 0 elsewhere, so the kernels that follow skip the unchanged words.
    case startChanged(UnsafeMutablePointer<UInt64>, parent: UnsafeMutablePointer<UInt64>, previous: UnsafePointer<UInt64>)
    /// dest = `old` (its own earlier mask) in the words where parent equals `previous`: a gate
    /// whose definition did not change keeps its words where its parent's did not change.
    case keepUnchanged(UnsafeMutablePointer<UInt64>, parent: UnsafeMutablePointer<UInt64>, previous: UnsafePointer<UInt64>,
                       old: UnsafePointer<UInt64>)
    /// dest &= in ellipsoid.
    case ellipsoid([Column], mean: [Double], inverse: [Double], distanceSquare: Double, UnsafeMutablePointer<UInt64>)
    /// Computes a lazy dimension (scratch slot) for the events of `mask` not yet computed in this block.
    case lazy(Int, LazyColumn, UnsafeMutablePointer<UInt64>)
    /// dest = op(operands, each optionally complemented) ∩ parent.
    case boolean(BooleanKind, [(UnsafeMutablePointer<UInt64>, Bool)], parent: UnsafeMutablePointer<UInt64>?, UnsafeMutablePointer<UInt64>)
  }

  /// Creates `count` word arrays of `wordCount` words, uninitialised, and calls `body` with
  /// stable pointers to them (every word must be written by `body`); returns the arrays.
  static func withMaskWords(count: Int, wordCount: Int, _ body: ([UnsafeMutablePointer<UInt64>]) -> Void) -> [[UInt64]] {
    var pointers: [UnsafeMutablePointer<UInt64>] = []
    func level(_ i: Int) -> [[UInt64]] {
      if i == count { body(pointers); return [] }
      var a = [UInt64](unsafeUninitializedCapacity: wordCount) { _, c in c = wordCount }
      var rest: [[UInt64]] = []
      a.withUnsafeMutableBufferPointer { p in
        pointers.append(p.baseAddress ?? UnsafeMutablePointer(bitPattern: 8)!)
        rest = level(i + 1)
      }
      return [a] + rest
    }
    return level(0)
  }

  /// Words per block: 4,096 events, 16 KB of each `Float` column, so a block's columns stay in
  /// cache while every gate of the strategy reads them.
  static let blockWords = 64
  /// Words per parallel task (dynamically distributed, which balances a busy machine).
  static let taskWords = 2048

  /// Runs `steps` over all words of `n` events: block by block, in parallel for large inputs.
  /// `block`: words per block; larger blocks (only without lazy columns, whose scratch holds
  /// `blockWords`) run each step fewer times, which matters when most words are skipped.
  static func run(_ steps: [Step], eventCount n: Int, lazy: [LazyColumn] = [], block: Int = blockWords) {
    precondition(lazy.isEmpty || block == blockWords, "lazy columns need blocks of blockWords")
    let wordCount = (n + 63) >> 6
    guard wordCount > 0 else { return }
    let ctx = SendableRef((steps, lazy))
    let tasks = wordCount >= 2 * taskWords ? (wordCount + taskWords - 1) / taskWords : 1
    let per = tasks == 1 ? wordCount : taskWords
    let body: @Sendable (Int) -> Void = { t in
      let (steps, lazy) = ctx.value
      let scratch = BlockScratch(lazy: lazy)
      var b = t * per
      let end = Swift.min(wordCount, b + per)
      while b < end {
        let r = b..<Swift.min(end, b + block)
        scratch.reset(word: r.lowerBound)
        for s in steps { runStep(s, r, n, wordCount, scratch) }
        b = r.upperBound
      }
    }
    if tasks == 1 { body(0) } else { DispatchQueue.concurrentPerform(iterations: tasks, execute: body) }
  }

  static func runStep(_ s: Step, _ r: Range<Int>, _ n: Int, _ wordCount: Int, _ scratch: BlockScratch) {
    /// A lazy slot's block of values, addressed by absolute event index like any column.
    func resolve(_ c: Column) -> Column {
      if c.slot < 0 { return c }
      return Column(UnsafeRawPointer(scratch.values[c.slot]).advanced(by: -(r.lowerBound << 6) * 8), isFloat: false)
    }
    switch s {
    case .lazy(let slot, let spec, let mask):
      computeLazy(spec, slot, mask, r, scratch)
    case .start(let dest, let parent):
      if let parent {
        (dest + r.lowerBound).update(from: parent + r.lowerBound, count: r.count)
      } else {
        (dest + r.lowerBound).update(repeating: ~0, count: r.count)
        if r.upperBound == wordCount, n & 63 != 0 { dest[wordCount - 1] = (1 &<< UInt64(n & 63)) &- 1 }
      }
    case .range(let c0, let lo, let hi, let dest):
      let c = resolve(c0)
      let w = UnsafeMutableBufferPointer(start: dest, count: wordCount)
      if c0.slot >= 0, let approx = scratch.approximate[c0.slot] {
        rangeDoubleApprox(c0.slot, approx.bound, c.pointer.assumingMemoryBound(to: Double.self), lo, hi, dest, r, n, scratch)
      } else if c.isFloat {
        let l = lo == -.infinity ? -Float.infinity : ceilFloat(lo)
        let h = hi == .infinity ? Float.infinity : ceilFloat(hi)
        rangeFloat(UnsafeBufferPointer(start: c.pointer.assumingMemoryBound(to: Float.self), count: n), l, h, w, r, n)
      } else {
        rangeDouble(UnsafeBufferPointer(start: c.pointer.assumingMemoryBound(to: Double.self), count: n), lo, hi, w, r, n)
      }
    case .polygon(let x0, let y0, let es, let fes, let dest):
      let (x, y) = (resolve(x0), resolve(y0))
      let w = UnsafeMutableBufferPointer(start: dest, count: wordCount)
      let ax = x0.slot >= 0 ? scratch.approximate[x0.slot] : nil, ay = y0.slot >= 0 ? scratch.approximate[y0.slot] : nil
      if ax != nil || ay != nil {
        polygonWordsApprox(x, x0.slot, ax?.bound, y, y0.slot, ay?.bound, es, dest, r, n, scratch)
      } else if x.isFloat && y.isFloat, let fes {
        polygonWordsFloat(x.pointer.assumingMemoryBound(to: Float.self), y.pointer.assumingMemoryBound(to: Float.self), fes, es, w, r, n)
      } else {
        polygonWords(x.pointer, y.pointer, x.isFloat, y.isFloat, es, w, r, n)
      }
    case .polygonRounded(let x, let y, let es, let re, let dest):
      polygonWordsRounded(x, y, re, es, dest, r, n)
    case .andWords(let words, let dest):
      for wi in r { dest[wi] &= words[wi] }
    case .startChanged(let dest, let parent, let previous):
      for wi in r { dest[wi] = parent[wi] != previous[wi] ? parent[wi] : 0 }
    case .keepUnchanged(let dest, let parent, let previous, let old):
      for wi in r where parent[wi] == previous[wi] { dest[wi] = old[wi] }
    case .ellipsoid(let cols0, let mean, let inv, let d2, let dest):
      let cols = cols0.map(resolve)
      ellipsoidWords(cols.map(\.pointer), cols.map(\.isFloat), mean, inv, d2, UnsafeMutableBufferPointer(start: dest, count: wordCount), r, n)
    case .boolean(let kind, let ops, let parent, let dest):
      let tail: UInt64 = n & 63 == 0 ? ~0 : (1 &<< UInt64(n & 63)) &- 1
      for wi in r {
        var v: UInt64
        switch kind {
        case .and:
          v = ~0
          for (m, c) in ops { v &= c ? ~m[wi] : m[wi] }
        case .or:
          v = 0
          for (m, c) in ops { v |= c ? ~m[wi] : m[wi] }
        case .not:
          v = ops[0].1 ? ops[0].0[wi] : ~ops[0].0[wi]
        }
        if let parent { v &= parent[wi] }
        if wi == wordCount - 1 { v &= tail }
        dest[wi] = v
      }
    }
  }

  /// Computes `spec` into its scratch slot for the events of `mask` in words `r` not computed
  /// yet: linear detector values, compensation (Σ over detectors in matrix order from 0, in
  /// `Double`, SIMD for whole 8-event groups: the same operations per value), gathered densely
  /// so the scale transform runs once per block on just those values, then scattered back.
  static func computeLazy(_ spec: LazyColumn, _ slot: Int, _ mask: UnsafeMutablePointer<UInt64>, _ r: Range<Int>,
                          _ scratch: BlockScratch) {
    let vals = scratch.values[slot], done = scratch.computed[slot]
    let dense = scratch.dense, index = scratch.index
    let b0 = r.lowerBound, blockStart = b0 << 6
    let plain = spec.scalings.allSatisfy { $0 == nil }
    var m = 0
    spec.detectors.withUnsafeBufferPointer { det in
      let coef = spec.coefficients ?? [1]
      coef.withUnsafeBufferPointer { coef in
        let nd = det.count
        @inline(__always) func value(_ e: Int) -> Double {
          @inline(__always) func x(_ d: Int) -> Double {
            let v = Double(det[d][e])
            if plain { return v }
            return spec.scalings[d].map { $0.apply(v) } ?? v
          }
          if spec.coefficients == nil { return x(0) }
          var acc = 0.0
          for d in 0..<nd { acc += coef[d] * x(d) }
          return acc
        }
        for wi in r {
          let need = mask[wi] & ~done[wi - b0]
          if need == 0 { continue }
          done[wi - b0] |= need
          let e0 = wi << 6
          for g in 0..<8 {
            var lanes = (need >> UInt64(g &* 8)) & 0xFF
            if lanes == 0 { continue }
            let e = e0 &+ g &* 8
            if plain {
              // All 8 events of the group (cheaper than picking lanes); only needed lanes are transformed.
              var acc = SIMD8<Double>(repeating: 0)
              if spec.coefficients == nil {
                acc = SIMD8<Double>(UnsafeRawPointer(det[0] + e).loadUnaligned(as: SIMD8<Float>.self))
              } else {
                for d in 0..<nd {
                  acc += SIMD8<Double>(repeating: coef[d]) * SIMD8<Double>(UnsafeRawPointer(det[d] + e).loadUnaligned(as: SIMD8<Float>.self))
                }
              }
              if lanes == 0xFF {
                UnsafeMutableRawPointer(dense + m).storeBytes(of: acc, as: SIMD8<Double>.self)
                for j in 0..<8 { index[m &+ j] = Int32(e &+ j &- blockStart) }
                m &+= 8
              } else {
                while lanes != 0 {
                  let j = lanes.trailingZeroBitCount
                  lanes &= lanes &- 1
                  dense[m] = acc[j]
                  index[m] = Int32(e &+ j &- blockStart)
                  m &+= 1
                }
              }
            } else {
              while lanes != 0 {
                let j = lanes.trailingZeroBitCount
                lanes &= lanes &- 1
                dense[m] = value(e &+ j)
                index[m] = Int32(e &+ j &- blockStart)
                m &+= 1
              }
            }
          }
        }
      }
    }
    guard m > 0 else { return }
    if let approx = spec.approximate {
      // Float32 kernel; inputs kept for the exact recomputation near cuts (`exactValue`).
      let inputs = scratch.inputs[slot], exact = scratch.exact[slot], f = scratch.denseFloat
      for i in 0..<m { f[i] = Float(dense[i]) }
      approx.transform.forwardFloat32Kernel(UnsafeMutableBufferPointer(start: f, count: m))
      for i in 0..<m {
        let k = Int(index[i]), x = dense[i]
        inputs[k] = x
        if ApproximateForward.floatHolds(x) {
          vals[k] = Double(f[i])
        } else {  // huge, infinite, NaN or below Float's normal range: exact at once
          vals[k] = approx.transform.forward(x)
          exact[k >> 6] |= 1 &<< UInt64(k & 63)
        }
      }
      return
    }
    spec.transform?.scaleInPlace(UnsafeMutableBufferPointer(start: dense, count: m))
    for i in 0..<m { vals[Int(index[i])] = dense[i] }
  }

  // MARK: Float64 decisions near cuts for approximate (Float32-transformed) dimensions

  /// |x| per lane (NaN stays NaN).
  @inline(__always)
  static func vabs(_ x: SIMD8<Double>) -> SIMD8<Double> { x.replacing(with: -x, where: x .< 0) }

  /// The lesser of `a` and `b` per lane (`a` where either is NaN); inlined, unlike the generic `pointwiseMin`.
  @inline(__always)
  static func vmin(_ a: SIMD8<Double>, _ b: SIMD8<Double>) -> SIMD8<Double> { a.replacing(with: b, where: b .< a) }

  /// `rangeDouble` for an approximate slot: the bits from the approximate values, and every
  /// event of `w` whose approximate value lies within the error bound of `lo` or `hi` decided
  /// again on its exact value (elsewhere the approximation is on the same side of both cuts).
  ///
  /// Band: if |x − t| ≤ a + r·|x| (the bound at x), then |x − t| ≤ (a + r·|t|)/(1 − r), so
  /// testing t − M ≤ x ≤ t + M with M = (a + r·|t|)·(1 + 4r) catches every such event.
  static func rangeDoubleApprox(_ slot: Int, _ bound: Float32ForwardErrorBound, _ x: UnsafePointer<Double>, _ lo: Double, _ hi: Double,
                                _ w: UnsafeMutablePointer<UInt64>, _ r: Range<Int>, _ n: Int, _ scratch: BlockScratch) {
    func band(_ t: Double) -> (Double, Double) {
      guard t.isFinite else { return (.infinity, -.infinity) }  // never near an infinite cut
      let m = (bound.absolute + bound.relative * abs(t)) * (1 + 4 * bound.relative)
      return (t - m, t + m)
    }
    let (l0, l1) = band(lo), (h0, h1) = band(hi)
    let vlo = SIMD8<Double>(repeating: lo), vhi = SIMD8<Double>(repeating: hi)
    let vl0 = SIMD8<Double>(repeating: l0), vl1 = SIMD8<Double>(repeating: l1)
    let vh0 = SIMD8<Double>(repeating: h0), vh1 = SIMD8<Double>(repeating: h1)
    let raw = UnsafeRawPointer(x)
    for wi in r {
      let before = w[wi]
      if before == 0 { continue }
      var bits: UInt64 = 0, near: UInt64 = 0
      let e0 = wi << 6
      if e0 &+ 64 <= n {
        for k in 0..<8 {
          let v = raw.loadUnaligned(fromByteOffset: (e0 &+ k &* 8) &* 8, as: SIMD8<Double>.self)
          bits |= bits8((v .>= vlo) .& (v .< vhi)) &<< UInt64(k &* 8)
          near |= bits8(((v .>= vl0) .& (v .<= vl1)) .| ((v .>= vh0) .& (v .<= vh1))) &<< UInt64(k &* 8)
        }
      } else {
        for e in e0..<min(n, e0 &+ 64) {
          let v = x[e]
          if v >= lo && v < hi { bits |= 1 &<< UInt64(e & 63) }
          if (v >= l0 && v <= l1) || (v >= h0 && v <= h1) { near |= 1 &<< UInt64(e & 63) }
        }
      }
      near &= before
      while near != 0 {
        let j = near.trailingZeroBitCount
        near &= near &- 1
        let v = scratch.exactValue(slot, e0 &+ j)
        let bit: UInt64 = 1 &<< UInt64(j)
        if v >= lo && v < hi { bits |= bit } else { bits &= ~bit }
      }
      w[wi] = before & bits
    }
  }

  /// `polygonWords` with an approximate x and/or y: the bits from the approximate values, and
  /// every event of `w` whose error box (± the bound along each approximate axis) could touch
  /// an edge, or straddle the y of an edge's end, decided again on its exact values. An event
  /// whose box touches no edge has the same membership at every point of the box, the exact
  /// point included.
  ///
  /// Box sizes: along an approximate axis whose vertices are within ±V, a point with |v| ≤ V + 1
  /// has a bound ≤ Δ = a + r·(V + 1); a point beyond V + 1 is farther than its own bound from
  /// every vertex (when a + r·(V + 1) < 1/2), so its box touches no edge. Per edge, the box
  /// test: |y − y₁| or |y − y₂| ≤ Δy (the half-open crossing rule changes at those y), or y
  /// within the edge's y range widened by Δy and |dx·(y − y₁) − dy·(x − x₁)| ≤ |dx|·Δy + |dy|·Δx
  /// + 2⁻⁴⁰·(max(|dx|, |dy|)·(|x| + |y|) + |dx|·|y₁| + |dy|·|x₁|) (the cross product varies by at
  /// most |dx|·Δy + |dy|·Δx over the box; the last term covers its rounding in `Double`).
  static func polygonWordsApprox(_ x: Column, _ xSlot: Int, _ bx: Float32ForwardErrorBound?, _ y: Column, _ ySlot: Int,
                                 _ by: Float32ForwardErrorBound?, _ es: [Edge], _ w: UnsafeMutablePointer<UInt64>,
                                 _ r: Range<Int>, _ n: Int, _ scratch: BlockScratch) {
    var vx = 0.0, vy = 0.0
    for e in es { vx = Swift.max(vx, abs(e.minX), abs(e.maxX)); vy = Swift.max(vy, abs(e.minY), abs(e.maxY)) }
    func axis(_ b: Float32ForwardErrorBound?, _ v: Double) -> (delta: Double, limit: Double) {
      guard let b else { return (0, .infinity) }
      let d = (b.absolute + b.relative * (v + 1)) * (1 + 0x1p-20)
      return d < 0.5 && v.isFinite ? (d, v + 1) : (.infinity, .infinity)
    }
    let (dxBox, xLimit) = axis(bx, vx), (dyBox, yLimit) = axis(by, vy)
    // A polygon too large for the box argument: every event by the exact rule.
    let allExact = !(dxBox.isFinite && dyBox.isFinite)
    let bands = es.map { e in
      cyto_band_edge(x1: e.x1, y1: e.y1, y2: e.y2, dx: e.dx, dy: e.dy, lo: e.minY - dyBox, hi: e.maxY + dyBox,
                     limit: abs(e.dx) * dyBox + abs(e.dy) * dxBox + 0x1p-40 * (abs(e.dx) * abs(e.y1) + abs(e.dy) * abs(e.x1)) + 0x1p-1000,
                     k: 0x1p-40 * Swift.max(abs(e.dx), abs(e.dy)))
    }
    // Points beyond the limits along an approximate axis are certain (see above); NaN is never near.
    let xl = bx == nil ? Double.infinity : xLimit, yl = by == nil ? Double.infinity : yLimit
    var px8 = SIMD8<Double>(), py8 = SIMD8<Double>()
    es.withUnsafeBufferPointer { es in
      bands.withUnsafeBufferPointer { bands in
        for wi in r {
          let before = w[wi]
          if before == 0 { continue }
          var bits: UInt64 = 0, near: UInt64 = 0
          let e0 = wi << 6
          if e0 &+ 64 <= n && !allExact {
            for g in 0..<8 where (before >> UInt64(g &* 8)) & 0xFF != 0 {
              let e = e0 &+ g &* 8
              px8 = load8(x.pointer, x.isFloat, e)
              py8 = load8(y.pointer, y.isFloat, e)
              let m = withUnsafePointer(to: &px8) { xp in
                withUnsafePointer(to: &py8) { yp in
                  cyto_polygon8_banded(UnsafeRawPointer(xp).assumingMemoryBound(to: Double.self),
                                       UnsafeRawPointer(yp).assumingMemoryBound(to: Double.self),
                                       bands.baseAddress, bands.count, dyBox, xl, yl)
                }
              }
              bits |= UInt64(m & 0xFF) &<< UInt64(g &* 8)
              near |= UInt64(m >> 8) &<< UInt64(g &* 8)
            }
          } else {
            near = ~0  // a partial last word (or allExact): every event by the exact rule
          }
          near &= before
          while near != 0 {
            let j = near.trailingZeroBitCount
            near &= near &- 1
            let e = e0 &+ j
            let xv = bx != nil ? scratch.exactValue(xSlot, e)
              : (x.isFloat ? Double(x.pointer.load(fromByteOffset: e &* 4, as: Float.self)) : x.pointer.load(fromByteOffset: e &* 8, as: Double.self))
            let yv = by != nil ? scratch.exactValue(ySlot, e)
              : (y.isFloat ? Double(y.pointer.load(fromByteOffset: e &* 4, as: Float.self)) : y.pointer.load(fromByteOffset: e &* 8, as: Double.self))
            let bit: UInt64 = 1 &<< UInt64(j)
            if pointInPolygon(xv, yv, es) { bits |= bit } else { bits &= ~bit }
          }
          w[wi] = before & bits
        }
      }
    }
  }

  // MARK: Range (one rectangle side): lo ≤ x < hi, AND-ed into `words`

  /// ANDs `lo ≤ x < hi` into `words` (which must start as all ones or an earlier result).
  static func andRange(_ values: DimensionValues, lo: Double, hi: Double, into words: inout [UInt64], count n: Int) {
    switch values {
    case .float(let v):
      let l = lo == -.infinity ? -Float.infinity : ceilFloat(lo)
      let h = hi == .infinity ? Float.infinity : ceilFloat(hi)
      v.withUnsafeBufferPointer { x in
        words.withUnsafeMutableBufferPointer { w in
          let xs = SendableRef(x), ws = SendableRef(w)
          forWordRanges(w.count) { r in rangeFloat(xs.value, l, h, ws.value, r, n) }
        }
      }
    case .double(let v):
      v.withUnsafeBufferPointer { x in
        words.withUnsafeMutableBufferPointer { w in
          let xs = SendableRef(x), ws = SendableRef(w)
          forWordRanges(w.count) { r in rangeDouble(xs.value, lo, hi, ws.value, r, n) }
        }
      }
    }
  }

  @inline(__always)
  static func bits16(_ m: SIMDMask<SIMD16<Int32>>) -> UInt64 {
    UInt64(cyto_movemask16(unsafeBitCast(m, to: SIMD16<Int32>.self)))
  }

  @inline(__always)
  static func bits8(_ m: SIMDMask<SIMD8<Int64>>) -> UInt64 {
    UInt64(cyto_movemask8x64(unsafeBitCast(m, to: SIMD8<Int64>.self)))
  }

  static func rangeFloat(_ x: UnsafeBufferPointer<Float>, _ lo: Float, _ hi: Float,
                         _ w: UnsafeMutableBufferPointer<UInt64>, _ r: Range<Int>, _ n: Int) {
    guard let base = x.baseAddress else { return }
    let raw = UnsafeRawPointer(base)
    let vlo = SIMD16<Float>(repeating: lo), vhi = SIMD16<Float>(repeating: hi)
    let fullWords = n >> 6
    for wi in r {
      if w[wi] == 0 { continue }  // nothing left to keep in this word
      var bits: UInt64 = 0
      if wi < fullWords {
        let off = wi &* 256
        for k in 0..<4 {
          let v = raw.loadUnaligned(fromByteOffset: off &+ k &* 64, as: SIMD16<Float>.self)
          bits |= bits16((v .>= vlo) .& (v .< vhi)) &<< UInt64(k &* 16)
        }
      } else {
        for e in (wi << 6)..<min(n, (wi + 1) << 6) where x[e] >= lo && x[e] < hi { bits |= 1 &<< UInt64(e & 63) }
      }
      w[wi] &= bits
    }
  }

  static func rangeDouble(_ x: UnsafeBufferPointer<Double>, _ lo: Double, _ hi: Double,
                          _ w: UnsafeMutableBufferPointer<UInt64>, _ r: Range<Int>, _ n: Int) {
    guard let base = x.baseAddress else { return }
    let raw = UnsafeRawPointer(base)
    let vlo = SIMD8<Double>(repeating: lo), vhi = SIMD8<Double>(repeating: hi)
    let fullWords = n >> 6
    for wi in r {
      if w[wi] == 0 { continue }
      var bits: UInt64 = 0
      if wi < fullWords {
        let off = wi &* 512
        for k in 0..<8 {
          let v = raw.loadUnaligned(fromByteOffset: off &+ k &* 64, as: SIMD8<Double>.self)
          bits |= bits8((v .>= vlo) .& (v .< vhi)) &<< UInt64(k &* 8)
        }
      } else {
        for e in (wi << 6)..<min(n, (wi + 1) << 6) where x[e] >= lo && x[e] < hi { bits |= 1 &<< UInt64(e & 63) }
      }
      w[wi] &= bits
    }
  }

  // MARK: Lanes of 8 events as Double, from either precision

  @inline(__always)
  static func load8(_ v: UnsafeRawPointer, _ isFloat: Bool, _ e: Int) -> SIMD8<Double> {
    if isFloat { return SIMD8<Double>(v.loadUnaligned(fromByteOffset: e &* 4, as: SIMD8<Float>.self)) }
    return v.loadUnaligned(fromByteOffset: e &* 8, as: SIMD8<Double>.self)
  }

  /// Calls `body(words, rawPointers, isFloat)` with raw pointers to each dimension's values.
  static func withRaw<R>(_ dims: [DimensionValues], _ body: ([UnsafeRawPointer], [Bool]) -> R) -> R {
    var ptrs: [UnsafeRawPointer] = []
    var kinds: [Bool] = []
    func go(_ i: Int) -> R {
      if i == dims.count { return body(ptrs, kinds) }
      switch dims[i] {
      case .float(let v):
        return v.withUnsafeBufferPointer { b in
          ptrs.append(UnsafeRawPointer(b.baseAddress ?? UnsafePointer(bitPattern: 16)!)); kinds.append(true)
          defer { ptrs.removeLast(); kinds.removeLast() }
          return go(i + 1)
        }
      case .double(let v):
        return v.withUnsafeBufferPointer { b in
          ptrs.append(UnsafeRawPointer(b.baseAddress ?? UnsafePointer(bitPattern: 16)!)); kinds.append(false)
          defer { ptrs.removeLast(); kinds.removeLast() }
          return go(i + 1)
        }
      }
    }
    return go(0)
  }

  // MARK: Polygon: crossing number with the half-open rule, plus exact on-edge detection

  /// A polygon edge with precomputed splats.
  struct Edge {
    var x1: Double, y1: Double, y2: Double, dx: Double, dy: Double
    var minX: Double, maxX: Double, minY: Double, maxY: Double
  }

  static func edges(_ vertices: [Vertex]) -> [Edge] {
    guard vertices.count >= 2 else { return [] }
    return vertices.indices.map { i in
      let a = vertices[i], b = vertices[(i + 1) % vertices.count]
      return Edge(x1: a.x, y1: a.y, y2: b.y, dx: b.x - a.x, dy: b.y - a.y,
                  minX: min(a.x, b.x), maxX: max(a.x, b.x), minY: min(a.y, b.y), maxY: max(a.y, b.y))
    }
  }

  /// ANDs polygon membership into `words`. Inside = odd crossing number (even–odd rule) or on an
  /// edge/vertex. Crossing test per edge, with y1 ≤ y < y2 (upward) or y2 ≤ y < y1 (downward):
  /// the edge counts when the point is strictly on its left (upward) or right (downward),
  /// decided by the sign of the cross product — no division, so the test is exact for exact inputs.
  static func andPolygon(_ xv: DimensionValues, _ yv: DimensionValues, _ vertices: [Vertex],
                         into words: inout [UInt64], count n: Int) {
    let es = edges(vertices)
    let fes = floatPolygon(vertices)
    withRaw([xv, yv]) { p, f in
      words.withUnsafeMutableBufferPointer { w in
        let ctx = SendableRef((p[0], p[1], f[0], f[1], es, fes, w))
        forWordRanges(w.count) { r in
          let (px, py, fx, fy, es, fes, w) = ctx.value
          if fx && fy, let fes {
            polygonWordsFloat(px.assumingMemoryBound(to: Float.self), py.assumingMemoryBound(to: Float.self), fes, es, w, r, n)
          } else {
            polygonWords(px, py, fx, fy, es, w, r, n)
          }
        }
      }
    }
  }

  // MARK: Polygon on Float columns: Float arithmetic with an error bound, Double where it is close

  /// A polygon edge for the `Float` kernel (`cyto_float_edge` in CSimdShim), oriented upward (a
  /// downward edge has `dx`, `dy` negated, which negates the cross product exactly): start
  /// vertex and edge vector rounded to `Float`; `lo` = `ceilFloat(min y)`, `hi` = `ceilFloat(max y)`
  /// (for a `Float` y, `minY ≤ y < maxY ⇔ lo ≤ y < hi`);
  /// `k` = 2⁻²³·(|dx|·|y1| + |dy|·|x1|) + 2⁻¹⁰⁰ rounded up, the error from rounding the vertex.
  typealias FloatEdge = cyto_float_edge

  /// Relative part of the `Float` cross-product error bound: 8u (u = 2⁻²⁴), twice the derived 4u.
  static let floatCrossRelativeBound: Float = 0x1p-21

  /// `Float` edges for `polygonWordsFloat`, or `nil` when a vertex or edge vector is too large
  /// (or not finite) for `Float` arithmetic, or a general edge has a nonzero component below
  /// 2⁻¹²⁰ (its `Float` rounding would be subnormal), in which case the `Double` kernel is used.
  /// Axis-parallel edges are exact (vertical and horizontal edges whose products cannot
  /// underflow); the rest are general edges with this error bound.
  ///
  /// Error bound (u = 2⁻²⁴, per edge, for `Float` x, y): with X1 = fl(x1), Y1 = fl(y1),
  /// DX = fl(dx), DY = fl(dy), a = fl(y − Y1), b = fl(x − X1), P = fl(DX·a), Q = fl(DY·b),
  /// C = fl(P − Q), the exact E = dx·(y − y1) − dy·(x − x1) satisfies
  /// |C − E| ≤ 4u(1 + 3u)(|P| + |Q|) + u(|dx|·|y1| + |dy|·|x1|), and the `Double` value the reference
  /// computes differs from E by at most about 2⁻⁵⁰(|P| + |Q|). With bound = 8u(|P| + |Q|) + 2u(|dx||y1| + |dy||x1|)
  /// (twice both terms, which also covers rounding of the bound itself and underflow via the
  /// 2⁻¹⁰⁰ term), |C| > bound implies the reference's cross product is nonzero with the sign of C.
  /// Overflow or NaN anywhere makes the bound test fail, so those lanes go to `Double` too.
  static func floatPolygon(_ vertices: [Vertex]) -> FloatPolygon? {
    var out = FloatPolygon()
    guard vertices.count >= 2 else { return out }
    let limit = Double(Float.greatestFiniteMagnitude) / 4
    /// Whether `t * d` (Double) is nonzero for every `Float` x ≠ `t` and |d| ≥ `d`: no underflow to 0.
    func noUnderflow(_ t: Double, _ d: Double) -> Bool { abs(d) >= 1e-200 && (t == 0 || abs(t) >= 1e-30) }
    for i in vertices.indices {
      let a = vertices[i], b = vertices[(i + 1) % vertices.count]
      let dx = b.x - a.x, dy = b.y - a.y  // as the reference computes them
      for v in [a.x, a.y, b.x, b.y, dx, dy] where !(abs(v) <= limit) { return nil }
      let lo = Swift.min(a.y, b.y), hi = Swift.max(a.y, b.y)
      if a.x == b.x && a.y == b.y || a.y == b.y && noUnderflow(a.y, dx) {
        // Horizontal (or a single point): never crossed; on it only when y = y1 exactly.
        if Double(Float(a.y)) == a.y {
          out.horizontal.append(cyto_horizontal_edge(yOn: Float(a.y), xLo: ceilFloat(Swift.min(a.x, b.x)),
                                                     xHi: -ceilFloat(-Swift.max(a.x, b.x))))
        }
      } else if a.x == b.x && noUnderflow(a.x, dy) {
        // Vertical: the cross product is −dy·(x − x1), nonzero unless x = x1, so x < x1 decides.
        out.vertical.append(cyto_vertical_edge(xLess: ceilFloat(a.x), xOn: Double(Float(a.x)) == a.x ? Float(a.x) : .nan,
                                               lo: ceilFloat(lo), hi: ceilFloat(hi), hiClosed: -ceilFloat(-hi)))
      } else {
        // A tiny nonzero component would round to a subnormal Float, whose relative error the
        // bound's u does not cover: such polygons use the Double kernel (as roundedPolygon does).
        for d in [dx, dy] where d != 0 && abs(d) < 0x1p-120 { return nil }
        let s: Double = b.y < a.y ? -1 : 1
        let kd = 0x1p-23 * (abs(dx) * abs(a.y) + abs(dy) * abs(a.x)) * (1 + 0x1p-40) + 0x1p-100
        let k = Float(kd).nextUp
        guard k.isFinite else { return nil }
        out.general.append(FloatEdge(x1: Float(a.x), y1: Float(a.y), dx: Float(s * dx), dy: Float(s * dy),
                                     lo: ceilFloat(lo), hi: ceilFloat(hi), k: k))
      }
    }
    return out
  }

  /// A polygon's edges for the `Float` kernel, by kind. Axis-parallel edges are decided exactly
  /// by `Float` compares (for a vertical edge the sign of the cross product is the sign of
  /// x1 − x; a horizontal edge is never crossed), general edges by the error-bounded cross product.
  struct FloatPolygon {
    var general: [FloatEdge] = []
    var vertical: [cyto_vertical_edge] = []
    var horizontal: [cyto_horizontal_edge] = []
  }

  /// ANDs polygon membership of `Float` points into words `r`: even–odd crossings decided in
  /// `Float` for 8 events at a time (`cyto_polygon8`); axis-parallel edges are exact, and an
  /// 8-event group with any lane whose cross product with a general edge is within the error
  /// bound of 0 (it could be on the edge, or its crossing could flip) is decided again by the
  /// scalar `Double` rule. Groups the parent leaves empty are skipped. The result equals the
  /// `Double` reference bit for bit.
  static func polygonWordsFloat(_ px: UnsafePointer<Float>, _ py: UnsafePointer<Float>, _ poly: FloatPolygon, _ es: [Edge],
                                _ w: UnsafeMutableBufferPointer<UInt64>, _ r: Range<Int>, _ n: Int) {
    let rel = floatCrossRelativeBound
    poly.general.withUnsafeBufferPointer { ge in
      poly.vertical.withUnsafeBufferPointer { ve in
        poly.horizontal.withUnsafeBufferPointer { he in
          es.withUnsafeBufferPointer { es in
            for wi in r {
              if w[wi] == 0 { continue }
              var bits: UInt64 = 0
              let e0 = wi << 6
              if e0 + 64 <= n {
                for blk in 0..<8 where (w[wi] >> UInt64(blk &* 8)) & 0xFF != 0 {  // parent has events here
                  let e = e0 &+ blk &* 8
                  let m = cyto_polygon8(px + e, py + e, ge.baseAddress, ge.count, ve.baseAddress, ve.count,
                                        he.baseAddress, he.count, rel)
                  var blockBits = UInt64(m & 0xFF)
                  if m >> 8 != 0 {  // some lane within the error bound of a general edge
                    blockBits = 0
                    for j in 0..<8 where pointInPolygon(Double(px[e &+ j]), Double(py[e &+ j]), es) {
                      blockBits |= 1 &<< UInt64(j)
                    }
                  }
                  bits |= blockBits &<< UInt64(blk &* 8)
                }
              } else {
                for e in e0..<min(n, e0 + 64) where pointInPolygon(Double(px[e]), Double(py[e]), es) {
                  bits |= 1 &<< UInt64(e & 63)
                }
              }
              w[wi] &= bits
            }
          }
        }
      }
    }
  }

  static func polygonWords(_ px: UnsafeRawPointer, _ py: UnsafeRawPointer, _ fx: Bool, _ fy: Bool, _ es: [Edge],
                           _ w: UnsafeMutableBufferPointer<UInt64>, _ r: Range<Int>, _ n: Int) {
    let zero = SIMD8<Double>(repeating: 0)
    es.withUnsafeBufferPointer { es in
      for wi in r {
        if w[wi] == 0 { continue }
        var bits: UInt64 = 0
        let e0 = wi << 6
        let full = e0 + 64 <= n
        if full {
          for k in 0..<8 {
            let e = e0 &+ k &* 8
            let x = load8(px, fx, e), y = load8(py, fy, e)
            var odd = SIMDMask<SIMD8<Int64>>(repeating: false)
            // Lanes whose point lies on the line through some edge (cross = 0): rare, so the
            // bounding-box part of the on-edge test runs only for blocks that have one.
            var onLine = SIMDMask<SIMD8<Int64>>(repeating: false)
            for ed in es {
              let cross = SIMD8<Double>(repeating: ed.dx) * (y - ed.y1) - SIMD8<Double>(repeating: ed.dy) * (x - ed.x1)
              let y1 = SIMD8<Double>(repeating: ed.y1), y2 = SIMD8<Double>(repeating: ed.y2)
              let up = (y1 .<= y) .& (y .< y2) .& (cross .> zero)
              let down = (y2 .<= y) .& (y .< y1) .& (cross .< zero)
              odd = odd .^ (up .| down)
              onLine = onLine .| (cross .== zero)
            }
            var inside = odd
            if any(onLine) {
              var onEdge = SIMDMask<SIMD8<Int64>>(repeating: false)
              for ed in es {
                let cross = SIMD8<Double>(repeating: ed.dx) * (y - ed.y1) - SIMD8<Double>(repeating: ed.dy) * (x - ed.x1)
                onEdge = onEdge .| ((cross .== zero) .& (x .>= SIMD8(repeating: ed.minX)) .& (x .<= SIMD8(repeating: ed.maxX))
                  .& (y .>= SIMD8(repeating: ed.minY)) .& (y .<= SIMD8(repeating: ed.maxY)))
              }
              inside = inside .| onEdge
            }
            bits |= bits8(inside) &<< UInt64(k &* 8)
          }
        } else {
          for e in e0..<min(n, e0 + 64) {
            let x = fx ? Double(px.load(fromByteOffset: e * 4, as: Float.self)) : px.load(fromByteOffset: e * 8, as: Double.self)
            let y = fy ? Double(py.load(fromByteOffset: e * 4, as: Float.self)) : py.load(fromByteOffset: e * 8, as: Double.self)
            if pointInPolygon(x, y, es) { bits |= 1 &<< UInt64(e & 63) }
          }
        }
        w[wi] &= bits
      }
    }
  }

  /// The scalar form of the polygon rule, for tails (same arithmetic as the vector form).
  @inline(__always)
  static func pointInPolygon(_ x: Double, _ y: Double, _ es: UnsafeBufferPointer<Edge>) -> Bool {
    var odd = false
    for ed in es {
      let cross = ed.dx * (y - ed.y1) - ed.dy * (x - ed.x1)
      let y2 = ed.y2
      if cross == 0 && x >= ed.minX && x <= ed.maxX && y >= ed.minY && y <= ed.maxY { return true }
      if (ed.y1 <= y && y < y2 && cross > 0) || (y2 <= y && y < ed.y1 && cross < 0) { odd.toggle() }
    }
    return odd
  }

  // MARK: Ellipsoid: (x − μ)ᵀ C⁻¹ (x − μ) ≤ d²

  static func andEllipsoid(_ dims: [DimensionValues], mean: [Double], inverseCovariance inv: [Double],
                           distanceSquare: Double, into words: inout [UInt64], count n: Int) {
    withRaw(dims) { p, f in
      words.withUnsafeMutableBufferPointer { w in
        let ctx = SendableRef((p, f, w))
        forWordRanges(w.count) { r in
          let (p, f, w) = ctx.value
          ellipsoidWords(p, f, mean, inv, distanceSquare, w, r, n)
        }
      }
    }
  }

  static func ellipsoidWords(_ p: [UnsafeRawPointer], _ f: [Bool], _ mean: [Double], _ inv: [Double], _ distanceSquare: Double,
                             _ w: UnsafeMutableBufferPointer<UInt64>, _ r: Range<Int>, _ n: Int) {
    let k = p.count
    let d2 = SIMD8<Double>(repeating: distanceSquare)
    var diff = [SIMD8<Double>](repeating: .zero, count: k)
    for wi in r {
      if w[wi] == 0 { continue }
      var bits: UInt64 = 0
      let e0 = wi << 6
      if e0 + 64 <= n {
        for blk in 0..<8 {
          let e = e0 &+ blk &* 8
          for i in 0..<k { diff[i] = load8(p[i], f[i], e) - SIMD8(repeating: mean[i]) }
          var q = SIMD8<Double>.zero
          for i in 0..<k {
            var row = SIMD8<Double>.zero
            for j in 0..<k { row += SIMD8(repeating: inv[i * k + j]) * diff[j] }
            q += diff[i] * row
          }
          bits |= bits8(q .<= d2) &<< UInt64(blk &* 8)
        }
      } else {
        for e in e0..<min(n, e0 + 64) {
          var d = [Double](repeating: 0, count: k)
          for i in 0..<k {
            d[i] = (f[i] ? Double(p[i].load(fromByteOffset: e * 4, as: Float.self)) : p[i].load(fromByteOffset: e * 8, as: Double.self)) - mean[i]
          }
          var q = 0.0
          for i in 0..<k {
            var row = 0.0
            for j in 0..<k { row += inv[i * k + j] * d[j] }
            q += d[i] * row
          }
          if q <= distanceSquare { bits |= 1 &<< UInt64(e & 63) }
        }
      }
      w[wi] &= bits
    }
  }
}

extension Kernels {
  /// Inverts a small matrix (Gauss–Jordan with partial pivoting), row-major result; `nil` when singular.
  static func invert(_ m: [[Double]]) -> [Double]? {
    let k = m.count
    guard m.allSatisfy({ $0.count == k }) else { return nil }
    var a = m.flatMap { $0 }
    var inv = [Double](repeating: 0, count: k * k)
    for i in 0..<k { inv[i * k + i] = 1 }
    for col in 0..<k {
      var p = col
      for r in col..<k where abs(a[r * k + col]) > abs(a[p * k + col]) { p = r }
      guard a[p * k + col] != 0, a[p * k + col].isFinite else { return nil }
      if p != col {
        for j in 0..<k { a.swapAt(p * k + j, col * k + j); inv.swapAt(p * k + j, col * k + j) }
      }
      let d = a[col * k + col]
      for j in 0..<k { a[col * k + j] /= d; inv[col * k + j] /= d }
      for r in 0..<k where r != col {
        let f = a[r * k + col]
        if f == 0 { continue }
        for j in 0..<k { a[r * k + j] -= f * a[col * k + j]; inv[r * k + j] -= f * inv[col * k + j] }
      }
    }
    return inv
  }
}

/// Wraps a non-Sendable value (pointers into buffers that outlive a concurrentPerform call,
/// with each task writing disjoint words) so it can cross into the parallel closure.
struct SendableRef<T>: @unchecked Sendable {
  let value: T
  init(_ value: T) { self.value = value }
}
