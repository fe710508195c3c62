import CSimdShim
import CytoCore

// MARK: Polygon on Float roundings of Double values, exact rule near the edges

extension Kernels {
  /// A polygon edge for `cyto_polygon8_rounded`: the `Float` edge of `cyto_float_edge` (start
  /// vertex and edge vector rounded to `Float`, the vector negated for a downward edge, `lo`/`hi`
  /// = `ceilFloat` of the y-range), `k` the constant part of its cross-product bound and `yk`
  /// that of its vertex-height bound.
  typealias RoundedEdge = cyto_rounded_edge

  /// A polygon's edges for the rounded-`Float` kernel, with each edge's `Double` y-range (for
  /// `PolygonBandIndex`, which skips edges that cannot reach a band's heights).
  struct RoundedPolygon: Sendable {
    var edges: [RoundedEdge] = []
    var minY: [Double] = []
    var maxY: [Double] = []
  }

  /// Relative part of the cross-product bound for rounded points: 16u (u = 2⁻²⁴), about three
  /// times the derived 5u (see `roundedPolygon`).
  static let roundedCrossRelativeBound: Float = 0x1p-20

  /// Edges for `polygonWordsRounded`, or `nil` when the `Float` form cannot be used (a vertex
  /// or edge vector beyond ¼ of the `Float` range or not finite, an edge-vector component
  /// below 2⁻¹²⁰ that is not 0, fewer than two vertices or all vertices equal): then the
  /// `Double` kernel decides every event.
  ///
  /// Every edge is a general edge (axis-parallel ones too; edges of length 0 are left out: they
  /// are never crossed, and their point is an end of a neighbouring edge, on which the reference
  /// finds the same events). The points are x, y (`Double`s, or `Float`s widened) and the kernel
  /// sees X = fl(x), Y = fl(y) (round to nearest, so |X − x| ≤ u·|X| + 2⁻¹⁵⁰).
  ///
  /// *Cross product.* With the kernel's P = fl(DX·fl(Y − Y1)), Q = fl(DY·fl(X − X1)),
  /// C = fl(P − Q) (`polygonWordsFloat`'s arithmetic), and the reference's `Double` cross product
  /// R at (x, y) with the `Double` edge vector dx, dy:
  /// - |C − s·E(X, Y)| ≤ 4u(1 + 3u)(|P| + |Q|) + u(|dx||y1| + |dy||x1|) for the exact E at the
  ///   rounded point (as for `Float` columns);
  /// - |E(x, y) − E(X, Y)| ≤ |dx||y − Y| + |dy||x − X| ≤ u(1 + 4u)(|P| + |Q|) + u(1 + u)(|dx||y1| + |dy||x1|)
  ///   + 2⁻¹⁵⁰(|dx| + |dy|), since |dx||Y| ≤ |dx||Y − y1| + |dx||y1| and |dx||Y − y1| is |P| within
  ///   3u (with DX = fl(dx) relatively exact: |dx| ≥ 2⁻¹²⁰);
  /// - |R − E(x, y)| ≤ 2⁻⁵⁰(|P| + |Q| + |dx||y1| + |dy||x1|).
  /// So |C − s·R| < 5.1u(|P| + |Q|) + 2.1u(|dx||y1| + |dy||x1|) + 2⁻¹⁵⁰(|dx| + |dy|) + (underflow
  /// of P, Q, C: ≤ 2⁻¹⁴⁸). The kernel's bound 16u(|P| + |Q|) + k, k = 8u(|dx||y1| + |dy||x1|) +
  /// 2⁻¹⁴⁸(|dx| + |dy|) + 2⁻¹⁰⁰ rounded up, exceeds that even after its own rounding (≤ 3u
  /// relative): where |C| > bound, R ≠ 0 (the point is on no edge) and R has the sign of s·C.
  /// NaN, infinities and overflow make the test fail, so those points go to the exact rule.
  ///
  /// *Heights.* The crossing rule compares y with the vertices' y (`Float` y against `ceilFloat`
  /// thresholds is exact). For a rounded y, Y and y are strictly on the same side of every vertex
  /// height y1 unless |Y − y1| ≤ |Y − y|, which needs |fl(Y − Y1)| ≤ 4u(|Y| + |y1|) + 2⁻¹⁴⁶ (with
  /// room for the rounding of Y1, of the difference and of the test): such points are flagged,
  /// for every edge's start (every vertex starts an edge). With the heights and the signs of R
  /// decided as the reference decides them, and no point on an edge, the crossing count is the
  /// reference's, so an unflagged point's membership is the reference's.
  static func roundedPolygon(_ vertices: [Vertex]) -> RoundedPolygon? {
    guard vertices.count >= 2 else { return nil }
    let limit = Double(Float.greatestFiniteMagnitude) / 4
    var out = RoundedPolygon()
    for i in vertices.indices {
      let a = vertices[i], b = vertices[(i + 1) % vertices.count]
      let dx = b.x - a.x, dy = b.y - a.y  // as the reference computes them
      for v in [a.x, a.y, b.x, b.y, dx, dy] where !(abs(v) <= limit) { return nil }
      if dx == 0 && dy == 0 { continue }  // a repeated vertex (dx = 0 only when the x are equal)
      for d in [dx, dy] where d != 0 && abs(d) < 0x1p-120 { return nil }  // fl(d) would lose relative precision
      let s: Double = b.y < a.y ? -1 : 1
      let k = 0x1p-21 * (abs(dx) * abs(a.y) + abs(dy) * abs(a.x)) * (1 + 0x1p-40) + 0x1p-148 * (abs(dx) + abs(dy)) + 0x1p-100
      let yk = 0x1p-22 * abs(a.y) * (1 + 0x1p-40) + 0x1p-146
      let kf = Float(k).nextUp, ykf = Float(yk).nextUp
      guard kf.isFinite, ykf.isFinite else { return nil }
      out.edges.append(RoundedEdge(x1: Float(a.x), y1: Float(a.y), dx: Float(s * dx), dy: Float(s * dy),
                                   lo: ceilFloat(Swift.min(a.y, b.y)), hi: ceilFloat(Swift.max(a.y, b.y)), k: kf, yk: ykf))
      out.minY.append(Swift.min(a.y, b.y))
      out.maxY.append(Swift.max(a.y, b.y))
    }
    return out.edges.isEmpty ? nil : out
  }

  /// Rounds `values` to the nearest `Float` (what ``PreparedDimensions/rounded`` keeps).
  static func roundedToFloat(_ values: [Double]) -> [Float] {
    [Float](unsafeUninitializedCapacity: values.count) { out, count in
      values.withUnsafeBufferPointer { v in
        for i in v.indices { out[i] = Float(v[i]) }
      }
      count = values.count
    }
  }

  /// ANDs polygon membership into words `r`, deciding on the columns' `Float` values (`x.floats`,
  /// `y.floats`: a `Float` column itself or a `Double` column's rounded copy), 8 events at a time
  /// (`cyto_polygon8_rounded`); every event the kernel flags (within the bound of an edge's line
  /// or, for a rounded y, of a vertex's height; NaN, ±∞) is decided again by the scalar `Double`
  /// rule on its exact values, as is the last partial word. Groups of 8 the parent leaves empty
  /// are skipped. Equals the `Double` reference bit for bit (see `roundedPolygon`).
  static func polygonWordsRounded(_ x: Column, _ y: Column, _ polygon: RoundedPolygon, _ es: [Edge],
                                  _ w: UnsafeMutablePointer<UInt64>, _ r: Range<Int>, _ n: Int) {
    guard !r.isEmpty else { return }
    guard let fx = x.floats, let fy = y.floats else { preconditionFailure("a rounded polygon needs Float values of both columns") }
    let yRounded: Int32 = y.isFloat ? 0 : 1
    let rel = roundedCrossRelativeBound
    polygon.edges.withUnsafeBufferPointer { ge in
      es.withUnsafeBufferPointer { es in
        for wi in r {
          let before = w[wi]
          if before == 0 { continue }
          var bits: UInt64 = 0, near: UInt64 = 0
          let e0 = wi << 6
          if e0 &+ 64 <= n {
            for g in 0..<8 where (before >> UInt64(g &* 8)) & 0xFF != 0 {
              let e = e0 &+ g &* 8
              let m = cyto_polygon8_rounded(fx + e, fy + e, ge.baseAddress, ge.count, rel, yRounded)
              bits |= UInt64(m & 0xFF) &<< UInt64(g &* 8)
              near |= UInt64(m >> 8) &<< UInt64(g &* 8)
            }
          } else {
            near = ~0  // the last partial word: every event by the exact rule
          }
          near &= before
          while near != 0 {
            let j = near.trailingZeroBitCount
            near &= near &- 1
            let bit: UInt64 = 1 &<< UInt64(j)
            if pointInPolygon(PolygonBandIndex.exact(x, e0 &+ j), PolygonBandIndex.exact(y, e0 &+ j), es) { bits |= bit } else { bits &= ~bit }
          }
          w[wi] = before & bits
        }
      }
    }
  }

  /// ANDs polygon membership of `xv`, `yv` into `words` by the rounded-`Float` kernel (the
  /// `Double` columns rounded here), for tests: equal to ``andPolygon(_:_:_:into:count:)``.
  static func andPolygonRounded(_ xv: DimensionValues, _ yv: DimensionValues, _ vertices: [Vertex],
                                into words: inout [UInt64], count n: Int) {
    guard let re = roundedPolygon(vertices) else {
      andPolygon(xv, yv, vertices, into: &words, count: n)
      return
    }
    let es = edges(vertices)
    func rounded(_ v: DimensionValues) -> [Float] {
      if case .double(let d) = v { return roundedToFloat(d) }
      return []
    }
    let rx = rounded(xv), ry = rounded(yv)
    withRaw([xv, yv]) { p, f in
      rx.withUnsafeBufferPointer { rx in
        ry.withUnsafeBufferPointer { ry in
          let x = Column(p[0], isFloat: f[0], rounded: rx.baseAddress), y = Column(p[1], isFloat: f[1], rounded: ry.baseAddress)
          words.withUnsafeMutableBufferPointer { w in
            guard let base = w.baseAddress else { return }
            polygonWordsRounded(x, y, re, es, base, 0..<w.count, n)
          }
        }
      }
    }
  }
}
