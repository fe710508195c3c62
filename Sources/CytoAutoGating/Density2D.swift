import Foundation

/// A two-dimensional kernel density estimate on a regular grid, its clusters found by
/// topological persistence, and the region of one cluster above a fraction of its peak.
///
/// The estimate is a binned KDE (histogram convolved with a separable Gaussian, bandwidth by
/// Scott's bivariate rule σ̂ · n^(−1/6) per axis on the robust spread, times `adjust`).
/// Clusters are the density's persistent modes (ToMATo: Chazal, Guibas, Oudot & Skraba,
/// J ACM 2013): bins are visited from the densest down in 8-connectivity; a component whose
/// peak rises less than `minPersistence` × its height above the saddle where it meets a higher
/// one is merged into it. Each bin belongs to the basin of one cluster. A cluster's *region* at
/// level α is its basin's bins with density ≥ α × its peak — the "contour at a fraction of the
/// peak" analysts draw by eye, cut off by the valleys to the neighbouring clusters.
public struct Density2D: Sendable {
  public let xRange: ClosedRange<Double>
  public let yRange: ClosedRange<Double>
  public let nx: Int
  public let ny: Int
  /// Events per bin before smoothing, row-major (`iy * nx + ix`).
  public let counts: [Double]
  /// Smoothed events per bin.
  public let density: [Double]
  /// Kernel σ per axis in data units.
  public let bandwidth: (x: Double, y: Double)
  public let eventCount: Int

  public var binWidth: (x: Double, y: Double) {
    ((xRange.upperBound - xRange.lowerBound) / Double(nx), (yRange.upperBound - yRange.lowerBound) / Double(ny))
  }

  /// - Parameters:
  ///   - x, y: the coordinates of the same events (non-finite pairs are skipped).
  ///   - xRange, yRange: the grid's span; default: the 0.5–99.5% quantiles (no further than 20
  ///     interquartile ranges beyond the quartiles) widened by 10%.
  public init(x: [Float], y: [Float], xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil, bins: Int = 128,
              adjust: Double = 1) {
    precondition(x.count == y.count, "x and y must hold the same events")
    let sx = RobustSample(x, limit: 100_000), sy = RobustSample(y, limit: 100_000)
    func span(_ s: RobustSample, _ given: ClosedRange<Double>?) -> ClosedRange<Double> {
      if let given { return given }
      var lo = s.quantile(0.005) ?? 0, hi = s.quantile(0.995) ?? 1
      if let q1 = s.quantile(0.25), let q3 = s.quantile(0.75), q3 > q1 {
        lo = max(lo, q1 - 20 * (q3 - q1))
        hi = min(hi, q3 + 20 * (q3 - q1))
      }
      let pad = max(hi - lo, 1e-9) * 0.1
      return (lo - pad)...(hi + pad)
    }
    let xr = span(sx, xRange), yr = span(sy, yRange)
    self.xRange = xr
    self.yRange = yr
    nx = max(8, bins)
    ny = max(8, bins)
    let wx = (xr.upperBound - xr.lowerBound) / Double(nx), wy = (yr.upperBound - yr.lowerBound) / Double(ny)
    var c = [Double](repeating: 0, count: nx * ny)
    var n = 0
    for k in x.indices {
      let a = Double(x[k]), b = Double(y[k])
      guard a.isFinite, b.isFinite else { continue }
      n += 1
      guard a >= xr.lowerBound, a < xr.upperBound, b >= yr.lowerBound, b < yr.upperBound else { continue }
      let ix = min(nx - 1, Int((a - xr.lowerBound) / wx)), iy = min(ny - 1, Int((b - yr.lowerBound) / wy))
      c[iy * nx + ix] += 1
    }
    eventCount = n
    counts = c
    let factor = pow(Double(max(n, 2)), -1.0 / 6) * adjust
    let hx = max((sx.robustSD ?? wx) * factor, wx), hy = max((sy.robustSD ?? wy) * factor, wy)
    bandwidth = (hx, hy)
    density = Self.smooth(c, nx: nx, ny: ny, sx: hx / wx, sy: hy / wy)
  }

  static func smooth(_ grid: [Double], nx: Int, ny: Int, sx: Double, sy: Double) -> [Double] {
    func kernel(_ s: Double) -> (Int, [Double]) {
      let r = max(1, Int((4 * s).rounded(.up)))
      let k = (-r...r).map { exp(-Double($0 * $0) / (2 * s * s)) }
      let sum = k.reduce(0, +)
      return (r, k.map { $0 / sum })
    }
    let (rx, kx) = kernel(sx), (ry, ky) = kernel(sy)
    var tmp = [Double](repeating: 0, count: grid.count)
    for iy in 0..<ny {
      for ix in 0..<nx {
        let v = grid[iy * nx + ix]
        guard v != 0 else { continue }
        for (k, w) in kx.enumerated() {
          let j = ix + k - rx
          if j >= 0 && j < nx { tmp[iy * nx + j] += v * w }
        }
      }
    }
    var out = [Double](repeating: 0, count: grid.count)
    for iy in 0..<ny {
      for ix in 0..<nx {
        let v = tmp[iy * nx + ix]
        guard v != 0 else { continue }
        for (k, w) in ky.enumerated() {
          let j = iy + k - ry
          if j >= 0 && j < ny { out[j * nx + ix] += v * w }
        }
      }
    }
    return out
  }

  /// The centre of bin (ix, iy) in data units.
  public func position(_ bin: Int) -> (x: Double, y: Double) {
    let (wx, wy) = binWidth
    return (xRange.lowerBound + (Double(bin % nx) + 0.5) * wx, yRange.lowerBound + (Double(bin / nx) + 0.5) * wy)
  }

  /// A cluster of the density: its peak and basin.
  public struct Cluster: Sendable {
    public var peakBin: Int
    public var peak: (x: Double, y: Double)
    public var height: Double
    /// 1 − saddle / peak where it meets a higher cluster (1 for the highest).
    public var persistence: Double
    /// Events in the histogram bins of its basin.
    public var events: Double
    /// The bins of its basin.
    public var bins: [Int]
  }

  /// The clusters whose persistence is at least `minPersistence` (the rest merged into their
  /// higher neighbours), with at least `minEvents` events, densest first.
  public func clusters(minPersistence: Double = 0.3, minEvents: Double = 0) -> [Cluster] {
    let count = nx * ny
    let order = (0..<count).filter { density[$0] > 0 }.sorted { density[$0] > density[$1] || (density[$0] == density[$1] && $0 < $1) }
    var parent = [Int](repeating: -1, count: count)
    var peakOf = [Int: Int]()
    var met = [Int: Double]()
    func find(_ i: Int) -> Int {
      var r = i
      while parent[r] != r { r = parent[r] }
      var j = i
      while parent[j] != r { let next = parent[j]; parent[j] = r; j = next }
      return r
    }
    for i in order {
      let ix = i % nx, iy = i / nx
      var roots: [Int] = []
      for dy in -1...1 {
        for dx in -1...1 where dx != 0 || dy != 0 {
          let jx = ix + dx, jy = iy + dy
          guard jx >= 0, jx < nx, jy >= 0, jy < ny else { continue }
          let j = jy * nx + jx
          guard parent[j] != -1 else { continue }
          let r = find(j)
          if !roots.contains(r) { roots.append(r) }
        }
      }
      if roots.isEmpty {
        parent[i] = i
        peakOf[i] = i
        continue
      }
      roots.sort { density[peakOf[$0]!] > density[peakOf[$1]!] }
      let top = roots[0]
      parent[i] = top
      for r in roots.dropFirst() {
        let p = peakOf[r]!
        if met[p] != nil { continue }
        let rel = density[p] > 0 ? 1 - density[i] / density[p] : 0
        met[p] = rel
        if rel < minPersistence {
          parent[r] = top
          peakOf.removeValue(forKey: r)
        }
      }
    }
    var members: [Int: [Int]] = [:]
    var events: [Int: Double] = [:]
    for i in order {
      let p = peakOf[find(i)]!
      members[p, default: []].append(i)
      events[p, default: 0] += counts[i]
    }
    var out: [Cluster] = []
    for (_, p) in peakOf {
      let pers = met[p] ?? 1
      guard pers >= minPersistence, (events[p] ?? 0) >= minEvents else { continue }
      out.append(Cluster(peakBin: p, peak: position(p), height: density[p], persistence: pers, events: events[p] ?? 0,
                         bins: members[p] ?? []))
    }
    return out.sorted { $0.height > $1.height }
  }

  /// The bins of `cluster`'s basin whose density is at least `level` × its peak.
  public func region(of cluster: Cluster, level: Double) -> [Int] {
    cluster.bins.filter { density[$0] >= level * cluster.height }
  }

  /// Events (histogram counts) in the bins whose centre lies inside `polygon`, and how many of
  /// them are in bins outside `basin` (another cluster's events a hull would swallow).
  public func events(inside polygon: Polygon2D, basin: Set<Int>) -> (inside: Double, foreign: Double) {
    var inside = 0.0, foreign = 0.0
    for b in counts.indices where counts[b] > 0 {
      let c = position(b)
      guard polygon.contains(c.x, c.y) else { continue }
      inside += counts[b]
      if !basin.contains(b) { foreign += counts[b] }
    }
    return (inside, foreign)
  }

  /// The convex hull of the given bins (their outer corners), counter-clockwise.
  public func hull(of bins: [Int]) -> [(x: Double, y: Double)] {
    let (wx, wy) = binWidth
    var points: [(Double, Double)] = []
    for b in bins {
      let x0 = xRange.lowerBound + Double(b % nx) * wx, y0 = yRange.lowerBound + Double(b / nx) * wy
      points += [(x0, y0), (x0 + wx, y0), (x0 + wx, y0 + wy), (x0, y0 + wy)]
    }
    return ConvexHull.of(points).map { (x: $0.0, y: $0.1) }
  }
}
