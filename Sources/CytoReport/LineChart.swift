import CytoClinical

/// One point of a series: x, and either a measured value or a "< bound" (below the LLOQ),
/// with an optional 95% interval.
public struct ChartPoint: Sendable, Equatable {
  /// Position on the x axis (for example days since infusion).
  public var x: Double
  /// The measured value; `nil` when only a bound is known.
  public var value: Double?
  /// The bound the value lies below (below the LLOQ); drawn as an open ▽ at the bound.
  public var lessThan: Double?
  /// Lower end of the 95% interval.
  public var lower95: Double?
  /// Upper end of the 95% interval.
  public var upper95: Double?
  /// The bound the value lies above (above the assay's range); drawn as an open △ at the bound.
  public var greaterThan: Double?

  /// A point from explicit numbers.
  public init(x: Double, value: Double?, lessThan: Double? = nil, lower95: Double? = nil, upper95: Double? = nil, greaterThan: Double? = nil) {
    self.x = x
    self.value = value
    self.lessThan = lessThan
    self.lower95 = lower95
    self.upper95 = upper95
    self.greaterThan = greaterThan
  }

  /// A point from a clinical quantity: its value or bound and its 95% interval.
  public init(x: Double, quantity q: Quantity) {
    self.init(x: x, value: q.value, lessThan: q.lessThan, lower95: q.lower95, upper95: q.upper95)
  }
}

/// A named line-and-marker series.
public struct ChartSeries: Sendable, Equatable {
  /// Legend text.
  public var name: String
  /// Stroke and marker colour (CSS colour).
  public var color: String
  /// The points, drawn in x order.
  public var points: [ChartPoint]
  /// Whether to draw the 95% intervals as error bars.
  public var errorBars: Bool
  /// Whether lines join consecutive measured points; without, each point is a ring (an open
  /// circle drawn over another series' point: a reading flagged, for example).
  public var connected: Bool

  /// A series named `name`.
  public init(name: String, color: String, points: [ChartPoint], errorBars: Bool = true, connected: Bool = true) {
    self.name = name
    self.color = color
    self.points = points
    self.errorBars = errorBars
    self.connected = connected
  }
}

/// A shaded band across the plot: a y range (for example the aplasia threshold band, from the
/// bottom of the axis up to the threshold) or an x range (for example the aplasia period).
public struct ChartBand: Sendable, Equatable {
  /// Which axis the band's range is on.
  public enum Axis: Sendable, Equatable { case x, y }
  /// The axis of ``from``/``to``.
  public var axis: Axis
  /// Start of the range (data units); `nil` for the start of the axis.
  public var from: Double?
  /// End of the range (data units); `nil` for the end of the axis.
  public var to: Double?
  /// Legend and tooltip text.
  public var label: String
  /// Fill colour.
  public var color: String
  /// Fill opacity.
  public var opacity: Double

  /// A band over `from…to` on `axis`.
  public init(axis: Axis, from: Double?, to: Double?, label: String, color: String, opacity: Double = 0.18) {
    self.axis = axis
    self.from = from
    self.to = to
    self.label = label
    self.color = color
    self.opacity = opacity
  }
}

/// A vertical line at one x (for example the reconstitution day), labelled at the top.
public struct ChartMarker: Sendable, Equatable {
  /// The x value.
  public var x: Double
  /// The label written beside the line.
  public var label: String
  /// Line colour.
  public var color: String
  /// Whether the line is dashed.
  public var dashed: Bool

  /// A marker at `x`.
  public init(x: Double, label: String, color: String = "#333", dashed: Bool = true) {
    self.x = x
    self.label = label
    self.color = color
    self.dashed = dashed
  }
}

/// A line chart with markers, error bars, bounds below the LLOQ, bands and vertical markers.
///
/// A point below the LLOQ is drawn as an open downward triangle (▽) at its bound — never as
/// a zero — and breaks the line: lines join consecutive measured points only. Points and bars
/// beyond the axis range are clamped to its edge.
public struct LineChart: Sendable, Equatable {
  /// Title above the plot (escaped).
  public var title: String
  /// The x axis.
  public var x: AxisScale
  /// The y axis.
  public var y: AxisScale
  /// x axis title.
  public var xTitle: String
  /// y axis title.
  public var yTitle: String
  /// The series.
  public var series: [ChartSeries]
  /// Bands, drawn under the data.
  public var bands: [ChartBand]
  /// Vertical markers.
  public var markers: [ChartMarker]
  /// Overall width in CSS pixels.
  public var width: Double
  /// Overall height in CSS pixels.
  public var height: Double

  /// A chart; bands and markers are optional.
  public init(title: String, x: AxisScale, y: AxisScale, xTitle: String, yTitle: String, series: [ChartSeries],
              bands: [ChartBand] = [], markers: [ChartMarker] = [], width: Double = 640, height: Double = 300) {
    self.title = title
    self.x = x
    self.y = y
    self.xTitle = xTitle
    self.yTitle = yTitle
    self.series = series
    self.bands = bands
    self.markers = markers
    self.width = width
    self.height = height
  }

  /// The chart as a fragment.
  public func fragment() -> SVGFragment {
    var svg = SVGBuilder()
    let area = PlotArea(x0: 64, y0: 26, width: width - 64 - 150, height: height - 26 - 44)
    svg.text(area.x0, 16, title, size: 13, weight: "bold")
    // Bands under everything.
    for b in bands {
      let scale = b.axis == .x ? x : y
      // An open end, or a value without a position (≤ 0 on a log axis), is the axis end.
      let f0 = b.from.flatMap { scale.fraction($0) } ?? 0
      let f1 = b.to.flatMap { scale.fraction($0) } ?? (b.to == nil ? 1 : 0)
      let lo = max(0, min(f0, f1)), hi = min(1, max(f0, f1))
      guard hi > lo else { continue }
      if b.axis == .x {
        svg.rect(area.px(lo), area.y0, area.px(hi) - area.px(lo), area.height, fill: b.color, opacity: b.opacity, title: b.label)
      } else {
        svg.rect(area.x0, area.py(hi), area.width, area.py(lo) - area.py(hi), fill: b.color, opacity: b.opacity, title: b.label)
      }
    }
    area.drawAxes(&svg, x: x, y: y, xTitle: xTitle, yTitle: yTitle)
    // Labels that would overlap the one before go one row lower (markers close together).
    var rowEnds: [(lo: Double, hi: Double)] = []
    for m in markers.sorted(by: { $0.x < $1.x }) {
      guard let f = x.fraction(m.x), f >= 0, f <= 1 else { continue }
      let px = area.px(f)
      svg.line(px, area.y0, px, area.bottom, stroke: m.color, width: 1.2, dash: m.dashed ? "4 3" : nil)
      // The label beside the line, on the side with room.
      let w = Double(m.label.count) * 5.6, left = f > 0.6
      let span = left ? (px - 3 - w, px) : (px, px + 3 + w)
      let row = rowEnds.firstIndex { span.0 > $0.hi + 2 || span.1 < $0.lo - 2 } ?? rowEnds.count
      if row == rowEnds.count { rowEnds.append((span.0, span.1)) } else { rowEnds[row] = (min(rowEnds[row].lo, span.0), max(rowEnds[row].hi, span.1)) }
      let ty = area.y0 + 10 + 11 * Double(row)
      if left { svg.text(px - 3, ty, m.label, anchor: .end, size: 9.5, fill: m.color) } else {
        svg.text(px + 3, ty, m.label, size: 9.5, fill: m.color)
      }
    }
    for s in series { draw(s, in: area, &svg) }
    // Legend on the right.
    var ly = area.y0 + 8
    let lx = area.right + 14
    for s in series {
      if s.connected {
        svg.line(lx, ly, lx + 18, ly, stroke: s.color, width: 2)
        svg.circle(lx + 9, ly, 3, fill: s.color)
      } else {
        svg.circle(lx + 9, ly, 6, fill: "none", stroke: s.color)
      }
      svg.text(lx + 24, ly + 3.5, s.name, size: 10)
      ly += 16
    }
    if series.contains(where: { $0.points.contains { $0.value == nil && $0.lessThan != nil } }) {
      svg.path(triangle(lx + 9, ly), stroke: "#333", width: 1.3)
      svg.text(lx + 24, ly + 3.5, "< LLOQ (bound)", size: 10)
      ly += 16
    }
    if series.contains(where: { $0.points.contains { $0.value == nil && $0.greaterThan != nil } }) {
      svg.path(triangle(lx + 9, ly, up: true), stroke: "#333", width: 1.3)
      svg.text(lx + 24, ly + 3.5, "> upper limit (bound)", size: 10)
      ly += 16
    }
    for b in bands {
      svg.rect(lx + 2, ly - 5, 14, 10, fill: b.color, opacity: b.opacity)
      svg.text(lx + 24, ly + 3.5, b.label, size: 10)
      ly += 16
    }
    return SVGFragment(width: width, height: height, body: svg.out)
  }

  /// The chart as a standalone SVG document.
  public func svg() -> String { fragment().svg(title: title) }

  private func triangle(_ cx: Double, _ cy: Double, up: Bool = false) -> String {
    // Open downward-pointing triangle, apex at the bottom (the value lies below the bound);
    // upward, apex at the top, for a value above the bound.
    up ? "M\(num(cx - 4.5)),\(num(cy + 3.5)) L\(num(cx + 4.5)),\(num(cy + 3.5)) L\(num(cx)),\(num(cy - 4.5)) Z"
      : "M\(num(cx - 4.5)),\(num(cy - 3.5)) L\(num(cx + 4.5)),\(num(cy - 3.5)) L\(num(cx)),\(num(cy + 4.5)) Z"
  }

  private func draw(_ s: ChartSeries, in area: PlotArea, _ svg: inout SVGBuilder) {
    let pts = s.points.sorted { $0.x < $1.x }
    // Error bars first.
    if s.errorBars {
      for p in pts where p.value != nil {
        guard let fx = x.fraction(p.x), let lo = p.lower95, let hi = p.upper95 else { continue }
        let px = area.px(fx)
        let fy0 = y.fraction(lo) ?? 0, fy1 = y.fraction(hi) ?? 0
        let y0 = area.py(fy0), y1 = area.py(fy1)
        svg.line(px, y0, px, y1, stroke: s.color, width: 1)
        svg.line(px - 3, y1, px + 3, y1, stroke: s.color, width: 1)
        if fy0 > 0 { svg.line(px - 3, y0, px + 3, y0, stroke: s.color, width: 1) }
      }
    }
    // Lines through consecutive measured points.
    var run: [(Double, Double)] = []
    func flush() {
      if run.count > 1 && s.connected { svg.polyline(run, stroke: s.color, width: 1.8) }
      run = []
    }
    for p in pts {
      if let v = p.value, let fx = x.fraction(p.x), let fy = y.fraction(v) {
        run.append((area.px(fx), area.py(fy)))
      } else {
        flush()
      }
    }
    flush()
    for p in pts {
      guard let fx = x.fraction(p.x) else { continue }
      let px = area.px(fx)
      if let v = p.value {
        let fy = y.fraction(v) ?? 0
        if s.connected {
          svg.circle(px, area.py(fy), 3.5, fill: s.color, title: "\(s.name), day \(num(p.x, 1)): \(num(v, 3))")
        } else {
          svg.circle(px, area.py(fy), 6.5, fill: "none", stroke: s.color, title: "\(s.name), day \(num(p.x, 1)): \(num(v, 3))")
        }
      } else if let b = p.greaterThan {
        let fy = y.fraction(b) ?? 1
        svg.path(triangle(px, area.py(fy), up: true), stroke: s.color, width: 1.5, fill: "#fff",
                 title: "\(s.name), day \(num(p.x, 1)): > \(num(b, 3)) (above the upper limit)")
      } else if let b = p.lessThan {
        let fy = y.fraction(b) ?? 0
        svg.path(triangle(px, area.py(fy)), stroke: s.color, width: 1.5, fill: "#fff",
                 title: "\(s.name), day \(num(p.x, 1)): < \(num(b, 3)) (below LLOQ)")
      }
    }
  }
}
