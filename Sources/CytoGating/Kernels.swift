import CSimdShim
import CytoCore
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
    withRaw([xv, yv]) { p, f in
      words.withUnsafeMutableBufferPointer { w in
        let ctx = SendableRef((p[0], p[1], f[0], f[1], es, w))
        forWordRanges(w.count) { r in
          let (px, py, fx, fy, es, w) = ctx.value
          polygonWords(px, py, fx, fy, es, w, r, n)
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
    let k = dims.count
    withRaw(dims) { p, f in
      words.withUnsafeMutableBufferPointer { w in
        let ctx = SendableRef((p, f, w))
        forWordRanges(w.count) { r in
          let (p, f, w) = ctx.value
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
