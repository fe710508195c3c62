import CytoCore
import CytoGating
import Foundation

/// One axis of a cytometry plot: the channel (`$PnN`), its marker (`$PnS`) and the scale.
public struct PlotAxis: Sendable, Hashable {
  /// The channel name (`$PnN`).
  public var channel: String
  /// The marker or stain (`$PnS`), when the file names one.
  public var marker: String?
  /// How values are placed: linear, or through logicle/arcsinh (decade labels).
  public var scale: AxisScale

  /// An axis for `channel`.
  public init(channel: String, marker: String? = nil, scale: AxisScale) {
    self.channel = channel
    self.marker = marker
    self.scale = scale
  }

  /// "CD19 PE (PE-A)", or the channel alone.
  public var title: String {
    guard let m = marker, !m.isEmpty, m != channel else { return channel }
    return "\(m) (\(channel))"
  }
}

/// How a 2-D plot shows events: a pseudocolour density (log count, blue → red) or dots
/// (every occupied bin in one colour).
public enum GatePlotKind: String, Sendable, CaseIterable {
  case density, dot
}

/// A gate outline to draw on a plot, in data (linear, untransformed) units, with its label.
public struct GateOverlay: Sendable, Equatable {
  /// What to draw.
  public enum Shape: Sendable, Equatable {
    /// A closed outline (polygon, rectangle or ellipse), points in data units.
    case outline([Vertex])
    /// A range on the x axis (a one-dimensional rectangle gate): lines at its ends.
    case xRange(Double?, Double?)
    /// A range on the y axis.
    case yRange(Double?, Double?)
    /// Quadrant divider lines at these x and y data values.
    case dividers(x: [Double], y: [Double])
  }

  /// The shape.
  public var shape: Shape
  /// Label text, for example "BCells 12.3%" (escaped when drawn).
  public var label: String
  /// Where the label goes (data units); `nil` puts it at the outline's first point.
  public var labelAt: Vertex?
  /// Extra labels (quadrant percentages), each at a data-unit position: drawn in the corner of
  /// its side of the plot (left or right half) at that height.
  public var extraLabels: [(Vertex, String)]
  /// Which row a range's label takes when several ranges share a plot (set while drawing).
  var labelRow: Int = 0

  /// An overlay.
  public init(shape: Shape, label: String, labelAt: Vertex? = nil, extraLabels: [(Vertex, String)] = []) {
    self.shape = shape
    self.label = label
    self.labelAt = labelAt
    self.extraLabels = extraLabels
  }

  public static func == (a: Self, b: Self) -> Bool {
    a.shape == b.shape && a.label == b.label && a.labelAt == b.labelAt && a.extraLabels.count == b.extraLabels.count
      && zip(a.extraLabels, b.extraLabels).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
  }
}

/// A density, dot or histogram plot of one population on one or two channels, with gate
/// outlines and population percentages.
///
/// SVG output embeds the binned density as a PNG image (`data:` URL, drawn pixelated) under
/// vector axes, outlines and labels, so its size does not grow with the number of events.
/// A 1-D histogram (no ``y``) is a vector step outline. PNG output (``png()``) rasterises the
/// same plot without text (see docs/plots.md).
public struct GatePlot: Sendable, Equatable {
  /// Title (escaped).
  public var title: String
  /// The x axis.
  public var x: PlotAxis
  /// The y axis; `nil` for a 1-D histogram of x.
  public var y: PlotAxis?
  /// Density or dots (2-D plots).
  public var kind: GatePlotKind
  /// The binned events (over the axes' coordinate ranges).
  public var grid: DensityGrid
  /// Gate outlines and labels.
  public var overlays: [GateOverlay]
  /// Side of the square plot area in CSS pixels.
  public var size: Double

  /// A plot of `grid`.
  public init(title: String, x: PlotAxis, y: PlotAxis?, kind: GatePlotKind = .density, grid: DensityGrid, overlays: [GateOverlay] = [],
              size: Double = 300) {
    self.title = title
    self.x = x
    self.y = y
    self.kind = kind
    self.grid = grid
    self.overlays = overlays
    self.size = size
  }

  static let margin = (left: 62.0, top: 24.0, right: 12.0, bottom: 44.0)

  /// The pseudocolour of a bin: log(1 + count) ÷ log(1 + max) through blue, cyan, green,
  /// yellow and red; `nil` for an empty bin.
  public static func densityColor(_ count: UInt32, max: UInt32) -> RGBA? {
    guard count > 0 else { return nil }
    let t = max <= 1 ? 1 : log(1 + Double(count)) / log(1 + Double(max))
    let stops: [(Double, Double, Double)] = [(0, 0, 255), (0, 200, 255), (0, 200, 0), (255, 230, 0), (230, 0, 0)]
    let s = Swift.min(Swift.max(t, 0), 1) * Double(stops.count - 1)
    let i = Swift.min(Int(s), stops.count - 2)
    let f = s - Double(i)
    let a = stops[i], b = stops[i + 1]
    func mix(_ p: Double, _ q: Double) -> UInt8 { UInt8((p + (q - p) * f).rounded()) }
    return RGBA(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
  }

  /// The binned events as an image, one pixel per bin, top row = highest y bin.
  public func densityImage() -> RGBAImage {
    var img = RGBAImage(width: grid.xBins, height: grid.yBins, fill: RGBA(255, 255, 255, 0))
    let m = grid.maxCount
    for iy in 0..<grid.yBins {
      for ix in 0..<grid.xBins {
        let c = grid[ix, iy]
        guard c > 0 else { continue }
        let color = kind == .dot ? RGBA(40, 40, 40) : Self.densityColor(c, max: m)!
        img.set(ix, grid.yBins - 1 - iy, color)
      }
    }
    return img
  }

  /// The y scale used for drawing: the y axis, or counts for a histogram.
  var yScale: AxisScale {
    if let y { return y.scale }
    let m = Double(grid.maxCount)
    return .linear(min: 0, max: max(1, m * 1.08))
  }

  /// The plot as an SVG fragment.
  public func fragment() throws(PNGEncoder.Error) -> SVGFragment {
    let m = Self.margin
    let area = PlotArea(x0: m.left, y0: m.top, width: size, height: size)
    var svg = SVGBuilder()
    // Title and event count on one line, the title shortened from the left to fit.
    let count = " — \(groupedThousands(grid.selectedEvents)) events"
    let maxChars = Int((size + m.left - 4) / 6.6)
    var head = title + count
    if head.count > maxChars { head = "…" + String((title).suffix(max(8, maxChars - count.count - 1))) + count }
    svg.text(4, 15, head, size: 11, weight: "bold")
    area.drawAxes(&svg, x: x.scale, y: yScale, xTitle: x.title, yTitle: y?.title ?? "events", grid: false)
    if y != nil {
      let png = try densityImage().png()
      svg.raw("<image x=\"\(num(area.x0))\" y=\"\(num(area.y0))\" width=\"\(num(area.width))\" height=\"\(num(area.height))\" "
        + "preserveAspectRatio=\"none\" style=\"image-rendering:pixelated\" href=\"data:image/png;base64,\(base64(png))\"/>\n")
    } else {
      var d = "M\(num(area.x0)),\(num(area.bottom))"
      let ys = yScale
      for ix in 0..<grid.xBins {
        let x0 = area.x0 + area.width * Double(ix) / Double(grid.xBins), x1 = area.x0 + area.width * Double(ix + 1) / Double(grid.xBins)
        let py = area.py(ys.fraction(Double(grid[ix, 0])) ?? 0)
        d += " L\(num(x0)),\(num(py)) L\(num(x1)),\(num(py))"
      }
      d += " L\(num(area.right)),\(num(area.bottom)) Z"
      svg.path(d, stroke: "#1f4e9c", width: 1, fill: "#9cb8e6")
    }
    svg.rect(area.x0, area.y0, area.width, area.height, fill: "none", stroke: "#444")
    // One-dimensional ranges stack their labels (two ranges either side of one cut would
    // overlap), below the two rows quadrant labels may take at the top.
    var lowestTop = area.y0 - 2  // the lowest quadrant label in the top half (baseline)
    for o in overlays {
      guard case .dividers = o.shape else { continue }
      for (v, _) in o.extraLabels {
        guard let p = pixel(v, area), p.1 < area.y0 + area.height / 2 else { continue }
        lowestTop = max(lowestTop, min(max(p.1, area.y0 + 11), area.bottom - 4) + 12)  // + a line if moved
      }
    }
    var ranges = max(0, Int(((lowestTop + 13 - (area.y0 + 11)) / 13).rounded(.up)))
    for o in overlays {
      var shifted = o
      if case .xRange = o.shape, o.labelAt == nil {
        shifted.labelRow = ranges
        ranges += 1
      }
      draw(shifted, area, &svg)
    }
    return SVGFragment(width: m.left + size + m.right, height: m.top + size + m.bottom, body: svg.out)
  }

  /// The plot as a standalone SVG document.
  public func svg() throws(PNGEncoder.Error) -> String { try fragment().svg(title: title) }

  /// Pixel position of a data-unit point, clamped to the area.
  private func pixel(_ v: Vertex, _ area: PlotArea) -> (Double, Double)? {
    guard let fx = x.scale.fraction(v.x) else { return nil }
    if y == nil { return (area.px(fx), area.y0) }
    guard let fy = y!.scale.fraction(v.y) else { return nil }
    return (area.px(fx), area.py(fy))
  }

  private static let gateColor = "#c00000"

  private func draw(_ o: GateOverlay, _ area: PlotArea, _ svg: inout SVGBuilder) {
    var labelPoint: (Double, Double)? = o.labelAt.flatMap { pixel($0, area) }
    switch o.shape {
    case .outline(let pts):
      let px = pts.compactMap { pixel($0, area) }
      svg.polyline(px, stroke: Self.gateColor, width: 1.5, closed: true)
      if labelPoint == nil, let top = px.min(by: { $0.1 < $1.1 }) { labelPoint = (top.0, top.1 - 4) }
    case .xRange(let a, let b):
      var ends: [Double] = []
      for v in [a, b] {
        guard let v, let f = x.scale.fraction(v), f >= 0, f <= 1 else { continue }
        let px = area.px(f)
        ends.append(px)
        svg.line(px, area.y0, px, area.bottom, stroke: Self.gateColor, width: 1.5)
      }
      let lo = a.flatMap { x.scale.fraction($0) }.map { area.px($0) } ?? area.x0
      let hi = b.flatMap { x.scale.fraction($0) }.map { area.px($0) } ?? area.right
      svg.line(lo, area.y0 + 14, hi, area.y0 + 14, stroke: Self.gateColor, width: 1)
      if labelPoint == nil { labelPoint = ((lo + hi) / 2, area.y0 + 11 + 13 * Double(o.labelRow)) }
    case .yRange(let a, let b):
      guard let ys = y?.scale else { break }
      for v in [a, b] {
        guard let v, let f = ys.fraction(v), f >= 0, f <= 1 else { continue }
        svg.line(area.x0, area.py(f), area.right, area.py(f), stroke: Self.gateColor, width: 1.5)
      }
      let top = b.flatMap { ys.fraction($0) }.map { area.py($0) } ?? area.y0
      if labelPoint == nil { labelPoint = (area.x0 + area.width / 2, top + 12) }
    case .dividers(let xs, let ys):
      for v in xs {
        guard let f = x.scale.fraction(v), f >= 0, f <= 1 else { continue }
        svg.line(area.px(f), area.y0, area.px(f), area.bottom, stroke: Self.gateColor, width: 1.5)
      }
      if let yscale = y?.scale {
        for v in ys {
          guard let f = yscale.fraction(v), f >= 0, f <= 1 else { continue }
          svg.line(area.x0, area.py(f), area.right, area.py(f), stroke: Self.gateColor, width: 1.5)
        }
      }
    }
    if let p = labelPoint, !o.label.isEmpty {
      label(o.label, at: p, area, &svg)
    }
    // Quadrant labels sit in the corners, flush with the sides; when the left and right
    // labels of a row would not fit side by side, the right one moves a line inwards.
    let placed = o.extraLabels.compactMap { v, text in pixel(v, area).map { (p: $0, text: text) } }
    for item in placed {
      var p = item.p
      let left = p.0 < area.x0 + area.width / 2
      let width = Self.textWidth(item.text)
      if !left, let other = placed.first(where: { $0.p.0 < area.x0 + area.width / 2 && abs($0.p.1 - p.1) < 1 }),
         Self.textWidth(other.text) + width + 6 > area.width {
        p.1 += p.1 < area.y0 + area.height / 2 ? 12 : -12
      }
      let x = left ? area.x0 + 3 : area.right - 3
      let y = min(max(p.1, area.y0 + 11), area.bottom - 4)
      svg.text(x, y, item.text, anchor: left ? .start : .end, size: 10, fill: Self.gateColor, weight: "bold")
    }
  }

  /// About how wide a bold 10 px label is.
  static func textWidth(_ text: String) -> Double { Double(text.count) * 6.2 }

  /// A gate label centred at `p`, moved inside the plot area (about 6 px per character).
  private func label(_ text: String, at p: (Double, Double), _ area: PlotArea, _ svg: inout SVGBuilder) {
    let half = min(area.width / 2, Double(text.count) * 3.1 + 2)
    let lx = min(max(p.0, area.x0 + half), area.right - half), ly = min(max(p.1, area.y0 + 11), area.bottom - 4)
    svg.text(lx, ly, text, anchor: .middle, size: 10, fill: Self.gateColor, weight: "bold")
  }

  /// The plot rasterised (no text): the density (or histogram bars), frame, ticks and gate
  /// outlines, at `scale` pixels per CSS pixel.
  public func rasterImage(scale: Double = 2) -> RGBAImage {
    let m = Self.margin
    let w = Int(((m.left + size + m.right) * scale).rounded()), h = Int(((m.top + size + m.bottom) * scale).rounded())
    var img = RGBAImage(width: w, height: h)
    let area = PlotArea(x0: m.left * scale, y0: m.top * scale, width: size * scale, height: size * scale)
    let ax0 = Int(area.x0), ay0 = Int(area.y0), aw = Int(area.width), ah = Int(area.height)
    if y != nil {
      let dens = densityImage()
      for py in 0..<ah {
        let gy = min(dens.height - 1, py * dens.height / ah)
        for px in 0..<aw {
          let gx = min(dens.width - 1, px * dens.width / aw)
          let c = dens.pixel(gx, gy)
          if c.a > 0 { img.set(ax0 + px, ay0 + py, c) }
        }
      }
    } else {
      let ys = yScale
      for px in 0..<aw {
        let ix = min(grid.xBins - 1, px * grid.xBins / aw)
        let top = Int(area.py(ys.fraction(Double(grid[ix, 0])) ?? 0))
        for py in top..<(ay0 + ah) { img.set(ax0 + px, py, RGBA(156, 184, 230)) }
      }
    }
    let frame = RGBA(68, 68, 68)
    img.drawLine(ax0, ay0, ax0 + aw, ay0, frame)
    img.drawLine(ax0, ay0 + ah, ax0 + aw, ay0 + ah, frame)
    img.drawLine(ax0, ay0, ax0, ay0 + ah, frame)
    img.drawLine(ax0 + aw, ay0, ax0 + aw, ay0 + ah, frame)
    for t in x.scale.ticks() {
      let px = Int(area.px(t.fraction))
      img.drawLine(px, ay0 + ah, px, ay0 + ah + Int((t.isMajor ? 6 : 3) * scale), frame)
    }
    for t in yScale.ticks() {
      let py = Int(area.py(t.fraction))
      img.drawLine(ax0 - Int((t.isMajor ? 6 : 3) * scale), py, ax0, py, frame)
    }
    let red = RGBA(192, 0, 0)
    func line(_ a: (Double, Double), _ b: (Double, Double)) { img.drawLine(Int(a.0), Int(a.1), Int(b.0), Int(b.1), red) }
    for o in overlays {
      switch o.shape {
      case .outline(let pts):
        let px = pts.compactMap { pixel($0, area) }
        for i in px.indices { line(px[i], px[(i + 1) % px.count]) }
      case .xRange(let a, let b):
        for v in [a, b] { if let v, let f = x.scale.fraction(v), f >= 0, f <= 1 { line((area.px(f), area.y0), (area.px(f), area.bottom)) } }
      case .yRange(let a, let b):
        for v in [a, b] { if let v, let f = y?.scale.fraction(v), f >= 0, f <= 1 { line((area.x0, area.py(f)), (area.right, area.py(f))) } }
      case .dividers(let xs, let ys):
        for v in xs { if let f = x.scale.fraction(v), f >= 0, f <= 1 { line((area.px(f), area.y0), (area.px(f), area.bottom)) } }
        for v in ys { if let f = y?.scale.fraction(v), f >= 0, f <= 1 { line((area.x0, area.py(f)), (area.right, area.py(f))) } }
      }
    }
    return img
  }

  /// The rasterised plot as PNG bytes.
  public func png(scale: Double = 2) throws(PNGEncoder.Error) -> [UInt8] { try rasterImage(scale: scale).png() }
}

/// `1234567` → "1,234,567".
func groupedThousands(_ n: Int) -> String {
  var s = String(abs(n))
  var i = s.count - 3
  while i > 0 {
    s.insert(",", at: s.index(s.startIndex, offsetBy: i))
    i -= 3
  }
  return n < 0 ? "-" + s : s
}
