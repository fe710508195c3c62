import CytoCore
import CytoGating
import CytoTransforms
import Foundation

/// Builds ``GatePlot``s from gated events: the values of the plotted channels (compensated
/// like the gates drawn on them), binned over the parent population, with the outlines of
/// the gates drawn in those channels and their % of parent.
public enum GatePlotter {
  /// Why a plot could not be made.
  public enum Error: Swift.Error, Equatable, CustomStringConvertible {
    /// The channel is not in the data.
    case unknownChannel(String)
    /// No population at this path.
    case unknownPopulation(String)
    public var description: String {
      switch self {
      case .unknownChannel(let c): "no channel '\(c)' in the file"
      case .unknownPopulation(let p): "no population '\(p)' in the gating strategy"
      }
    }
  }

  /// The gates drawn on a plot of `parent`'s events (all events when `nil`) on channel `x`
  /// (and `y`): the children of `parent` whose dimensions are all plotted channels.
  public static func gates(in strategy: GatingStrategy, parent: GateID?, x: ChannelName, y: ChannelName?) -> [Gate] {
    strategy.gates.filter { g in
      guard g.parent == parent else { return false }
      let dims = g.shape.dimensions
      guard !dims.isEmpty else { return false }
      return dims.allSatisfy { d in
        guard case .channel(let c) = d.source else { return false }
        return c == x || c == y
      }
    }
  }

  /// The default display scale of a channel: the scale transform of a gate dimension on it,
  /// else linear for scatter and time channels (`FSC*`, `SSC*`, `Time`) over the data, else
  /// logicle (T 262144, W 0.5, M 4.5, A 0) over [0, 1].
  public static func defaultScale(for channel: ChannelName, strategy: GatingStrategy?, gates: [Gate], values: DimensionValues) -> AxisScale {
    for g in gates {
      for d in g.shape.dimensions where d.source == .channel(channel) {
        if let id = d.transform, case .scale(let s)? = strategy?.transformations[id]?.kind { return .transformed(s, min: 0, max: 1) }
        if d.transform == nil { return dataRange(values) }
      }
    }
    let n = channel.rawValue.uppercased()
    if n.hasPrefix("FSC") || n.hasPrefix("SSC") || n.hasPrefix("FS ") || n.hasPrefix("SS ") || n == "TIME" { return dataRange(values) }
    return .transformed(standardLogicle, min: 0, max: 1)
  }

  /// Logicle T 262144, W 0.5, M 4.5, A 0 (the reset panel's display scale).
  public static var standardLogicle: ScaleTransform {
    // The parameters are valid constants.
    .logicle(try! LogicleParameters(t: 262_144, w: 0.5, m: 4.5, a: 0))
  }

  /// arcsinh T 262144, M 4.5, A 0, over [0, 1].
  public static var standardArcsinh: ScaleTransform {
    .fasinh(try! ArcsinhParameters(t: 262_144, m: 4.5, a: 0))
  }

  /// A linear scale from min(0, 0.1th percentile) (but not below −0.1 × the top) to 1.05 × the 99.9th percentile of the values
  /// (a sample of at most 100,000, taken at a fixed stride).
  public static func dataRange(_ v: DimensionValues) -> AxisScale {
    let n = v.count
    guard n > 0 else { return .linear(min: 0, max: 1) }
    let stride = max(1, n / 100_000)
    var sample: [Double] = []
    var i = 0
    while i < n {
      let d = v[i]
      if d.isFinite { sample.append(d) }
      i += stride
    }
    guard !sample.isEmpty else { return .linear(min: 0, max: 1) }
    sample.sort()
    let hi = sample[Int(Double(sample.count - 1) * 0.999)] * 1.05
    // Corrupt events far below zero (some instruments write −10⁶) must not squash the plot.
    let lo = max(min(0, sample[Int(Double(sample.count - 1) * 0.001)]), -0.1 * abs(hi))
    return .linear(min: lo, max: hi > lo ? hi : lo + 1)
  }

  /// The compensation a plotted channel is shown with: that of a drawn gate's dimension on
  /// it, else the file's spillover when it covers the channel, else none.
  public static func compensation(for channel: ChannelName, gates: [Gate], input: GatingInput) -> CompensationReference {
    for g in gates {
      for d in g.shape.dimensions where d.source == .channel(channel) { return d.compensation }
    }
    if input.fileSpillover?.detectors.contains(channel) == true { return .fileSpillover }
    return .uncompensated
  }

  /// A plot of the events of `parent` (all events when `nil`) on `x` (and `y`).
  ///
  /// - Parameters:
  ///   - result: the gating result whose strategy supplies the gates and counts; `nil` plots
  ///     all events without gates.
  ///   - xScale/yScale: display scales; `nil` for ``defaultScale(for:strategy:gates:values:)``.
  ///   - markers: `$PnS` by channel, for axis titles.
  ///   - bins: bins per axis (256 for density; 512 suits dot plots).
  public static func plot(input: GatingInput, result: GatingResult?, parent: GateID?, x: ChannelName, y: ChannelName?,
                          xScale: AxisScale? = nil, yScale: AxisScale? = nil, kind: GatePlotKind = .density, markers: [ChannelName: String] = [:],
                          bins: Int = 256, title: String? = nil, size: Double = 300) throws -> GatePlot {
    guard input.channels.contains(x) else { throw Error.unknownChannel(x.rawValue) }
    if let y, !input.channels.contains(y) { throw Error.unknownChannel(y.rawValue) }
    let strategy = result?.strategy
    let drawn = strategy.map { gates(in: $0, parent: parent, x: x, y: y) } ?? []
    let mask = parent.flatMap { result?.masks[$0] }
    if let parent, mask == nil { throw Error.unknownPopulation(parent.rawValue) }
    let xv = try GatingEngine.channelValues(x, compensation: compensation(for: x, gates: drawn, input: input), input: input, strategy: strategy)
    let xs = xScale ?? defaultScale(for: x, strategy: strategy, gates: drawn, values: xv)
    let xc = coordinates(xv, xs)
    let grid: DensityGrid
    var yAxis: PlotAxis? = nil
    if let y {
      let yv = try GatingEngine.channelValues(y, compensation: compensation(for: y, gates: drawn, input: input), input: input, strategy: strategy)
      let ys = yScale ?? defaultScale(for: y, strategy: strategy, gates: drawn, values: yv)
      let yc = coordinates(yv, ys)
      let (xl, xu) = xs.coordinateRange, (yl, yu) = ys.coordinateRange
      grid = xc.withUnsafeBufferPointer { xb in
        yc.withUnsafeBufferPointer { yb in
          DensityGrid.bin(x: xb, y: yb, xRange: (Float(xl), Float(xu)), yRange: (Float(yl), Float(yu)), xBins: bins, yBins: bins, mask: mask)
        }
      }
      yAxis = PlotAxis(channel: y.rawValue, marker: markers[y], scale: ys)
    } else {
      let (xl, xu) = xs.coordinateRange
      grid = xc.withUnsafeBufferPointer { DensityGrid.bin(x: $0, range: (Float(xl), Float(xu)), bins: bins, mask: mask) }
    }
    let xAxis = PlotAxis(channel: x.rawValue, marker: markers[x], scale: xs)
    var overlays: [GateOverlay] = []
    if let result, let strategy {
      for g in drawn { overlays += overlay(g, strategy: strategy, result: result, x: x, y: y, xScale: xs, yScale: yAxis?.scale) }
    }
    let name = parent.map { strategy?.path(of: $0)?.description ?? $0.rawValue } ?? "all events"
    return GatePlot(title: title ?? name, x: xAxis, y: yAxis, kind: kind, grid: grid, overlays: overlays, size: size)
  }

  /// Values in axis coordinates, as `Float` (non-finite where the scale has no coordinate).
  static func coordinates(_ v: DimensionValues, _ scale: AxisScale) -> [Float] {
    switch scale {
    case .linear:
      if case .float(let f) = v { return f }
      return v.doubles.map { Float($0) }
    case .log10:
      return v.doubles.map { $0 > 0 ? Float(Foundation.log10($0)) : .nan }
    case .transformed(let t, _, _):
      var f: [Float]
      if case .float(let a) = v { f = a } else { f = v.doubles.map { Float($0) } }
      let input = f
      f.withUnsafeMutableBufferPointer { out in input.withUnsafeBufferPointer { t.forward($0, into: out) } }
      return f
    }
  }

  /// The percentage text of a population: "12.3%" of its parent.
  static func percentText(_ id: GateID, _ result: GatingResult) -> String {
    guard let n = result.count(id), let p = result.parentCount(id), p > 0 else { return "" }
    return String(format: "%.1f%%", 100 * Double(n) / Double(p))
  }

  /// The data-unit value of a gate coordinate on dimension `d`.
  static func dataValue(_ c: Double, _ d: GateDimension, _ strategy: GatingStrategy) -> Double {
    if let id = d.transform, case .scale(let s)? = strategy.transformations[id]?.kind { return s.inverse(c) }
    return c
  }

  /// The outline(s) of gate `g` for a plot of `x` (and `y`), in data units. Straight edges in
  /// the gate's own (transformed) coordinates are followed with 24 points each, so they stay
  /// right on a plot with another scale.
  public static func overlay(_ g: Gate, strategy: GatingStrategy, result: GatingResult, x: ChannelName, y: ChannelName?,
                             xScale: AxisScale, yScale: AxisScale?) -> [GateOverlay] {
    let label = "\(g.name ?? g.id.rawValue) \(percentText(g.id, result))"
    func isX(_ d: GateDimension) -> Bool { d.source == .channel(x) }
    // Ends of the axes in data units, for open rectangle sides.
    let xEnds = (xScale.value(atCoordinate: xScale.coordinateRange.lower), xScale.value(atCoordinate: xScale.coordinateRange.upper))
    let yEnds = yScale.map { ($0.value(atCoordinate: $0.coordinateRange.lower), $0.value(atCoordinate: $0.coordinateRange.upper)) }
    /// A closed path through gate-coordinate corners, densified, mapped to data units.
    func outline(_ corners: [(Double, Double)], _ dx: GateDimension, _ dy: GateDimension, swap: Bool) -> [Vertex] {
      var out: [Vertex] = []
      for i in corners.indices {
        let a = corners[i], b = corners[(i + 1) % corners.count]
        for k in 0..<24 {
          let t = Double(k) / 24
          let gx = a.0 + (b.0 - a.0) * t, gy = a.1 + (b.1 - a.1) * t
          let vx = dataValue(gx, dx, strategy), vy = dataValue(gy, dy, strategy)
          out.append(swap ? Vertex(vy, vx) : Vertex(vx, vy))
        }
      }
      return out
    }
    switch g.shape {
    case .rectangle(let sides):
      if sides.count == 1 {
        let s = sides[0]
        let lo = s.min.map { dataValue($0, s.dimension, strategy) }, hi = s.max.map { dataValue($0, s.dimension, strategy) }
        return [GateOverlay(shape: isX(s.dimension) ? .xRange(lo, hi) : .yRange(lo, hi), label: label)]
      }
      guard sides.count == 2, y != nil, let yEnds else { return [] }
      let (sx, sy) = isX(sides[0].dimension) ? (sides[0], sides[1]) : (sides[1], sides[0])
      // Open sides extend to the axis ends (converted into the gate's coordinates).
      func gateCoord(_ v: Double, _ d: GateDimension) -> Double {
        if let id = d.transform, case .scale(let s)? = strategy.transformations[id]?.kind { return s.forward(v) }
        return v
      }
      let x0 = sx.min ?? gateCoord(xEnds.0, sx.dimension), x1 = sx.max ?? gateCoord(xEnds.1, sx.dimension)
      let y0 = sy.min ?? gateCoord(yEnds.0, sy.dimension), y1 = sy.max ?? gateCoord(yEnds.1, sy.dimension)
      return [GateOverlay(shape: .outline(outline([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], sx.dimension, sy.dimension, swap: false)),
                          label: label)]
    case .polygon(let dx, let dy, let vertices):
      guard y != nil else { return [] }
      let swap = !isX(dx)
      return [GateOverlay(shape: .outline(outline(vertices.map { ($0.x, $0.y) }, dx, dy, swap: swap)), label: label)]
    case .ellipsoid(let dims, let mean, let cov, let d2):
      guard dims.count == 2, y != nil, cov.count == 2, cov[0].count == 2, cov[1].count == 2 else { return [] }
      // Boundary μ + d·L·(cos θ, sin θ) with C = L Lᵀ (Cholesky).
      let l11 = cov[0][0].squareRoot(), l21 = cov[1][0] / l11, l22 = (cov[1][1] - l21 * l21).squareRoot()
      let d = d2.squareRoot()
      guard l11.isFinite, l22.isFinite else { return [] }
      let swap = !isX(dims[0])
      var pts: [Vertex] = []
      for k in 0..<96 {
        let th = 2 * Double.pi * Double(k) / 96
        let u = cos(th), v = sin(th)
        let gx = mean[0] + d * l11 * u, gy = mean[1] + d * (l21 * u + l22 * v)
        let vx = dataValue(gx, dims[0], strategy), vy = dataValue(gy, dims[1], strategy)
        pts.append(swap ? Vertex(vy, vx) : Vertex(vx, vy))
      }
      return [GateOverlay(shape: .outline(pts), label: label)]
    case .quadrant(let dividers, let quadrants):
      var xs: [Double] = [], ys: [Double] = []
      var xDivider: String? = nil, yDivider: String? = nil
      for dv in dividers {
        let vals = dv.values.map { dataValue($0, dv.dimension, strategy) }
        if isX(dv.dimension) { xs += vals; xDivider = dv.id } else { ys += vals; yDivider = dv.id }
      }
      var labels: [(Vertex, String)] = []
      for q in quadrants {
        guard let xd = xDivider, let px = q.positions[xd] else { continue }
        let dimX = dividers.first { $0.id == xd }!.dimension
        let vx = dataValue(px, dimX, strategy)
        var vy = yEnds?.1 ?? 0
        if let yd = yDivider, let py = q.positions[yd] { vy = dataValue(py, dividers.first { $0.id == yd }!.dimension, strategy) }
        // Labels near the outer corners of each quadrant.
        let fx = xScale.fraction(vx) ?? 0.5, fy = yScale?.fraction(vy) ?? 0.5
        let lx = xScale.value(atCoordinate: xScale.coordinateRange.lower
          + (fx < (xs.first.flatMap { xScale.fraction($0) } ?? 0.5) ? 0.12 : 0.88) * (xScale.coordinateRange.upper - xScale.coordinateRange.lower))
        var ly = vy
        if let ysc = yScale {
          let split = ys.first.flatMap { ysc.fraction($0) } ?? 0.5
          ly = ysc.value(atCoordinate: ysc.coordinateRange.lower + (fy < split ? 0.06 : 0.94) * (ysc.coordinateRange.upper - ysc.coordinateRange.lower))
        }
        labels.append((Vertex(lx, ly), "\(q.id.rawValue) \(percentText(q.id, result))"))
      }
      return [GateOverlay(shape: .dividers(x: xs, y: ys), label: "", extraLabels: labels)]
    case .boolean:
      return []
    }
  }

  /// Quality-control plots of a gating result: for each parent population and each pair
  /// (or single channel) of plotted dimensions, one plot of the parent's events with every
  /// gate drawn in those channels, in strategy order.
  public static func qcPlots(input: GatingInput, result: GatingResult, markers: [ChannelName: String] = [:], size: Double = 220,
                             bins: Int = 128) throws -> [GatePlot] {
    var seen: Set<String> = []
    var plots: [GatePlot] = []
    for g in result.strategy.gates {
      let chans = g.shape.dimensions.compactMap { d -> ChannelName? in
        if case .channel(let c) = d.source { return c } else { return nil }
      }
      guard !chans.isEmpty, chans.count == g.shape.dimensions.count, chans.count <= 2 else { continue }
      let key = "\(g.parent?.rawValue ?? "")|\(chans.map(\.rawValue).joined(separator: "|"))"
      guard seen.insert(key).inserted else { continue }
      let title = (g.parent.flatMap { result.strategy.path(of: $0)?.description } ?? "all events")
      plots.append(try plot(input: input, result: result, parent: g.parent, x: chans[0], y: chans.count > 1 ? chans[1] : nil,
                            markers: markers, bins: bins, title: title, size: size))
    }
    return plots
  }
}
