import Foundation

/// A kernel density estimate of one marker's values on a regular grid, and its modes found by
/// topological persistence.
///
/// The estimate is a binned KDE: a histogram on `bins` bins over the data's robust range,
/// convolved with a Gaussian of standard deviation ``bandwidth`` (Silverman's rule of thumb on
/// the robust spread, 0.9 · min(σ̂, IQR/1.34) · n^(−1/5), times `adjust`; R's `bw.nrd0`, the
/// bandwidth openCyto's `mindensity` and flowDensity use). Density is in events per bin.
///
/// Modes (peaks) are found by persistence, as in the ToMATo clustering algorithm (Chazal et al.,
/// J ACM 2013): bins are visited from the densest down; each new local maximum starts a
/// component, and where two components meet the one with the lower peak ends. Its persistence is
/// how far its peak rises above that meeting point (the saddle), relative to its peak:
/// 1 − saddle/peak. A mode with persistence 0.5 has a valley at most half its height on the way
/// to any higher mode, so shoulders and noise ripples (persistence near 0) are not modes.
public struct Density1D: Sendable {
  public let lower: Double
  public let upper: Double
  public let bins: Int
  /// Events per bin before smoothing.
  public let counts: [Double]
  /// Smoothed events per bin.
  public let density: [Double]
  /// The Gaussian kernel's σ, in data units.
  public let bandwidth: Double
  /// Finite values the estimate was made from.
  public let eventCount: Int

  public var binWidth: Double { (upper - lower) / Double(bins) }

  /// - Parameters:
  ///   - sample: the values.
  ///   - range: the grid's span; default: the 0.1–99.9% quantiles, but no further than 20
  ///     interquartile ranges beyond the quartiles, widened by 10% on each side (corrupt events
  ///     millions of units off scale, even 1% of them, must not flatten the grid).
  ///   - bins: grid size.
  ///   - adjust: bandwidth multiplier (openCyto's `adjust`).
  ///   - minBandwidth: the least bandwidth (data units): the resolution of the values, for
  ///     data on a lattice (ion counts are whole numbers) whose spikes are not modes.
  public init(_ sample: RobustSample, range: ClosedRange<Double>? = nil, bins: Int = 512, adjust: Double = 1, minBandwidth: Double = 0) {
    let n = sample.count
    eventCount = n
    self.bins = max(8, bins)
    var lo = range?.lowerBound ?? (sample.quantile(0.001) ?? 0)
    var hi = range?.upperBound ?? (sample.quantile(0.999) ?? 1)
    if range == nil, let q1 = sample.quantile(0.25), let q3 = sample.quantile(0.75), q3 > q1 {
      lo = max(lo, q1 - 20 * (q3 - q1))
      hi = min(hi, q3 + 20 * (q3 - q1))
    }
    if range == nil {
      let pad = max(hi - lo, 1e-9) * 0.1
      lo -= pad
      hi += pad
    }
    if !(hi > lo) { hi = lo + 1 }
    lower = lo
    upper = hi
    let w = (hi - lo) / Double(self.bins)
    var c = [Double](repeating: 0, count: self.bins)
    for v in sample.sorted {
      let x = Double(v)
      guard x >= lo && x < hi else { continue }
      c[min(self.bins - 1, Int((x - lo) / w))] += 1
    }
    counts = c
    // Silverman / bw.nrd0 on the robust spread.
    var spread = 0.0
    if n > 1, let q1 = sample.quantile(0.25), let q3 = sample.quantile(0.75) {
      let mean = sample.sorted.reduce(0.0) { $0 + Double($1) } / Double(n)
      let sd = (sample.sorted.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(n - 1)).squareRoot()
      let iqr = (q3 - q1) / 1.34
      spread = iqr > 0 ? min(sd, iqr) : sd
    }
    let h = max(0.9 * spread * pow(Double(max(n, 2)), -0.2) * adjust, w, minBandwidth)
    bandwidth = h
    density = Self.smooth(c, sigmaBins: h / w)
  }

  /// Gaussian smoothing of `x` with σ in bins (kernel truncated at 4σ, mass kept at the edges).
  static func smooth(_ x: [Double], sigmaBins s: Double) -> [Double] {
    let r = max(1, Int((4 * s).rounded(.up)))
    let kernel = (-r...r).map { exp(-Double($0 * $0) / (2 * s * s)) }
    let ksum = kernel.reduce(0, +)
    var out = [Double](repeating: 0, count: x.count)
    for (i, v) in x.enumerated() where v != 0 {
      for (k, kw) in kernel.enumerated() {
        let j = i + k - r
        if j >= 0 && j < x.count { out[j] += v * kw / ksum }
      }
    }
    return out
  }

  /// The centre of bin `i`, in data units.
  public func position(ofBin i: Int) -> Double { lower + (Double(i) + 0.5) * binWidth }

  /// The bin holding `x`, clamped to the grid.
  public func bin(of x: Double) -> Int { min(bins - 1, max(0, Int(((x - lower) / binWidth).rounded(.down)))) }

  /// A density mode: its peak, how persistent it is and the bins its basin spans.
  public struct Mode: Sendable, Equatable {
    public var peakBin: Int
    public var position: Double
    public var height: Double
    /// 1 − saddle / peak on the way to a higher mode (1 for the highest mode).
    public var persistence: Double
    /// Events in the histogram bins whose ascent ends at this mode (after merging the modes
    /// less persistent than the threshold it was found with).
    public var events: Double
  }

  /// The modes with persistence ≥ `minPersistence` and at least `minEvents` events in their
  /// basins, sorted by position. Less persistent modes are merged into their neighbours.
  public func modes(minPersistence: Double = 0.5, minEvents: Double = 0) -> [Mode] {
    let order = density.indices.sorted { density[$0] > density[$1] || (density[$0] == density[$1] && $0 < $1) }
    var parent = [Int](repeating: -1, count: bins)  // union-find over bins; -1 = not yet visited
    var peakOf = [Int: Int]()  // root → its peak bin
    var met = [Int: Double]()  // peak bin → persistence, fixed when it first meets a higher component
    func find(_ i: Int) -> Int {
      var r = i
      while parent[r] != r { r = parent[r] }
      var j = i
      while parent[j] != r { let next = parent[j]; parent[j] = r; j = next }
      return r
    }
    for i in order {
      var roots: [Int] = []
      for j in [i - 1, i + 1] where j >= 0 && j < bins && parent[j] != -1 {
        let r = find(j)
        if !roots.contains(r) { roots.append(r) }
      }
      if roots.isEmpty {  // a new local maximum
        parent[i] = i
        peakOf[i] = i
        continue
      }
      // The bin joins the neighbouring component with the highest peak; where it also touches
      // a lower component, that one meets a higher one for the first time here (the saddle):
      // it is merged unless persistent enough, and then stays a basin of its own.
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
    var events: [Int: Double] = [:]
    for i in 0..<bins { events[peakOf[find(i)]!, default: 0] += counts[i] }
    var out: [Mode] = []
    for (_, p) in peakOf {
      let pers = met[p] ?? 1  // the highest mode never meets a higher one
      guard pers >= minPersistence, (events[p] ?? 0) >= minEvents else { continue }
      out.append(Mode(peakBin: p, position: position(ofBin: p), height: density[p], persistence: pers, events: events[p] ?? 0))
    }
    return out.sorted { $0.peakBin < $1.peakBin }
  }

  /// The lowest density between two bins (inclusive) and the middle of its flat run.
  public func saddle(between a: Int, and b: Int) -> (bin: Int, position: Double, density: Double) {
    let lo = min(a, b), hi = max(a, b)
    var m = lo
    for i in lo...hi where density[i] < density[m] { m = i }
    let floor = density[m], tol = max(1e-12, floor * 1e-9)
    var s = m, e = m
    while s > lo && density[s - 1] <= floor + tol { s -= 1 }
    while e < hi && density[e + 1] <= floor + tol { e += 1 }
    let pos = lower + (Double(s) + Double(e) + 1) / 2 * binWidth
    return ((s + e) / 2, pos, floor)
  }
}
