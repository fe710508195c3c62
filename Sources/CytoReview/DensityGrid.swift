import CytoCore
import CytoGating
import CytoReport

/// A plot axis range in display units.
public struct AxisRange: Sendable, Equatable, Hashable {
  public var lower: Double
  public var upper: Double
  public init(_ lower: Double, _ upper: Double) {
    self.lower = lower
    self.upper = upper
  }
}

/// One binned axis: a dimension, its range and its bin count. Bin `k` covers
/// `[lower + k·w, lower + (k+1)·w)` with `w = (upper − lower) / bins`; events beyond either end
/// are counted in the end bin (as cytometry plots pile off-scale events on the axis), events
/// whose value is NaN in no bin.
public struct PlotAxis: Sendable, Equatable {
  public var dimension: GateDimension
  public var range: AxisRange
  public var bins: Int
}

/// A binned 2-D histogram of one population on two dimensions, for a density plot, with the
/// events of a second population on the same bins (back-gating: where a selected population
/// lies on an ancestor's plot).
public struct DensityGrid: Sendable, Equatable {
  /// The largest bin count per axis.
  /// 1024² bins are 4 MB of counts (8 MB with a highlight): a request cannot make the server
  /// allocate more than that per plot.
  public static let maximumBins = 1024

  public var x: PlotAxis
  public var y: PlotAxis
  /// The population binned (`nil`: all events).
  public var population: GateID?
  /// Events per bin, row-major from the bottom: `counts[iy * x.bins + ix]`.
  public var counts: [UInt32]
  /// Events of the population with a NaN coordinate (in no bin).
  public var unbinned: Int
  /// The highlighted population and its events (also in ``population``) per bin.
  public var highlighted: GateID?
  public var highlight: [UInt32]?
  public var highlightUnbinned: Int

  /// Events of bin (ix, iy).
  public subscript(ix: Int, iy: Int) -> UInt32 { counts[iy * x.bins + ix] }
}

/// A binned 1-D histogram of one population on one dimension, with a highlighted population.
public struct Histogram: Sendable, Equatable {
  public var axis: PlotAxis
  public var population: GateID?
  public var counts: [UInt32]
  /// Events of the population whose value is NaN (in no bin).
  public var unbinned: Int
  public var highlighted: GateID?
  public var highlight: [UInt32]?
  public var highlightUnbinned: Int
}

extension ReviewSession {
  /// The default display range of a gated dimension: [0, 1] for a scale-transformed one (the
  /// Gating-ML scales map the channel's range there), otherwise (linear scatter) from
  /// min(0, the 0.1th percentile), not below −0.1 × the top, to 1.05 × the 99.9th percentile
  /// of all events (a fixed-stride sample of at most 100,000), as the QC plots draw them.
  public func displayRange(of d: GateDimension) throws -> AxisRange {
    guard let v = columns[d] else { throw ReviewError.dimensionNotCached(d) }
    if d.transform != nil { return AxisRange(0, 1) }
    // The QC plots' rule, so a review plot frames the events as the report does.
    guard case .linear(let lo, let hi) = GatePlotter.dataRange(v) else { return AxisRange(0, 1) }
    return AxisRange(lo, hi)
  }

  /// The events of `population` (and of `highlight` within it) on dimensions `x` and `y`,
  /// binned `bins × bins` over the ranges given (default: ``displayRange(of:)``).
  /// - Throws: ``ReviewError`` for an unknown population, a dimension no gate reads, a bin
  ///   count outside 1…``DensityGrid/maximumBins`` or a range that is not finite and increasing.
  public func densityGrid(population: GateID?, x: GateDimension, y: GateDimension, bins: Int = 128,
                          xRange: AxisRange? = nil, yRange: AxisRange? = nil, highlight: GateID? = nil) throws -> DensityGrid {
    let (pop, hi) = try plotMasks(population, highlight)
    let ax = try axis(x, xRange, bins), ay = try axis(y, yRange, bins)
    guard let xv = columns[x], let yv = columns[y] else { throw ReviewError.dimensionNotCached(columns[x] == nil ? x : y) }
    let (counts, unbinned) = Binning.grid(xv, yv, ax, ay, pop)
    let h = hi.map { Binning.grid(xv, yv, ax, ay, $0) }
    return DensityGrid(x: ax, y: ay, population: population, counts: counts, unbinned: unbinned, highlighted: highlight,
                       highlight: h?.0, highlightUnbinned: h?.1 ?? 0)
  }

  /// The events of `population` (and of `highlight` within it) on `dimension`, binned over
  /// `range` (default: ``displayRange(of:)``).
  public func histogram(population: GateID?, dimension: GateDimension, bins: Int = 256, range: AxisRange? = nil,
                        highlight: GateID? = nil) throws -> Histogram {
    let (pop, hi) = try plotMasks(population, highlight)
    let a = try axis(dimension, range, bins)
    guard let v = columns[dimension] else { throw ReviewError.dimensionNotCached(dimension) }
    let (counts, unbinned) = Binning.histogram(v, a, pop)
    let h = hi.map { Binning.histogram(v, a, $0) }
    return Histogram(axis: a, population: population, counts: counts, unbinned: unbinned, highlighted: highlight,
                     highlight: h?.0, highlightUnbinned: h?.1 ?? 0)
  }

  /// The masks of the binned population (`nil`: every event) and of the highlighted one within it.
  private func plotMasks(_ population: GateID?, _ highlight: GateID?) throws -> (EventMask, EventMask?) {
    let pop: EventMask
    if let population {
      guard let m = masks[population] else { throw ReviewError.unknownGate(population) }
      pop = m
    } else {
      pop = EventMask(count: eventCount, allSet: true)
    }
    guard let highlight else { return (pop, nil) }
    guard var h = masks[highlight] else { throw ReviewError.unknownGate(highlight) }
    h.formIntersection(pop)
    return (pop, h)
  }

  private func axis(_ d: GateDimension, _ range: AxisRange?, _ bins: Int) throws -> PlotAxis {
    guard (1...DensityGrid.maximumBins).contains(bins) else { throw ReviewError.invalidBins(bins) }
    let r = try range ?? displayRange(of: d)
    guard r.lower.isFinite, r.upper.isFinite, r.lower < r.upper, (r.upper - r.lower).isFinite else {
      throw ReviewError.invalidRange(lower: r.lower, upper: r.upper)
    }
    guard columns[d] != nil else { throw ReviewError.dimensionNotCached(d) }
    return PlotAxis(dimension: d, range: r, bins: bins)
  }
}

/// Binning of masked events, straight from the cached columns.
enum Binning {
  /// The bin of `v` (off-range values in the end bins), `nil` for NaN.
  @inline(__always) static func bin(_ v: Double, _ lower: Double, _ scale: Double, _ bins: Int) -> Int? {
    if v.isNaN { return nil }
    let t = (v - lower) * scale
    if !(t >= 0) { return 0 }
    if t >= Double(bins) { return bins - 1 }
    return Int(t)
  }

  /// Calls `body(e)` for every event `e` of `mask`.
  @inline(__always) static func forEachEvent(_ mask: EventMask, _ body: (Int) -> Void) {
    mask.words.withUnsafeBufferPointer { w in
      for (wi, w0) in w.enumerated() where w0 != 0 {
        var word = w0
        while word != 0 {
          body(wi << 6 | word.trailingZeroBitCount)
          word &= word &- 1
        }
      }
    }
  }

  static func grid(_ xv: DimensionValues, _ yv: DimensionValues, _ ax: PlotAxis, _ ay: PlotAxis,
                   _ mask: EventMask) -> ([UInt32], Int) {
    var counts = [UInt32](repeating: 0, count: ax.bins * ay.bins)
    var unbinned = 0
    let sx = Double(ax.bins) / (ax.range.upper - ax.range.lower), sy = Double(ay.bins) / (ay.range.upper - ay.range.lower)
    counts.withUnsafeMutableBufferPointer { c in
      forEachEvent(mask) { e in
        guard let ix = bin(xv[e], ax.range.lower, sx, ax.bins), let iy = bin(yv[e], ay.range.lower, sy, ay.bins) else {
          unbinned += 1
          return
        }
        c[iy * ax.bins + ix] &+= 1
      }
    }
    return (counts, unbinned)
  }

  static func histogram(_ v: DimensionValues, _ a: PlotAxis, _ mask: EventMask) -> ([UInt32], Int) {
    var counts = [UInt32](repeating: 0, count: a.bins)
    var unbinned = 0
    let s = Double(a.bins) / (a.range.upper - a.range.lower)
    counts.withUnsafeMutableBufferPointer { c in
      forEachEvent(mask) { e in
        guard let i = bin(v[e], a.range.lower, s, a.bins) else {
          unbinned += 1
          return
        }
        c[i] &+= 1
      }
    }
    return (counts, unbinned)
  }
}
