/// Stacked bars: one bar per category (for example per visit), one segment per component
/// (for example B-cell subsets as % of B cells).
///
/// A `nil` segment (not measurable) is left out of its bar; a bar with a ``StackedBar/note``
/// shows it under the bar's label (for example "B < LLOQ" when the composition cannot be measured).
public struct StackedBarChart: Sendable, Equatable {
  /// Title above the plot (escaped).
  public var title: String
  /// Component names, in stacking order from the bottom; their colours come from ``colors``.
  public var components: [String]
  /// One colour per component.
  public var colors: [String]
  /// The bars, left to right.
  public var bars: [StackedBar]
  /// The value axis (linear; 0–100 for percentages).
  public var y: AxisScale
  /// Value axis title.
  public var yTitle: String
  /// Overall width in CSS pixels.
  public var width: Double
  /// Overall height in CSS pixels.
  public var height: Double

  /// A chart; colours default to ``ChartPalette``.
  public init(title: String, components: [String], colors: [String]? = nil, bars: [StackedBar], y: AxisScale = .linear(min: 0, max: 100),
              yTitle: String = "%", width: Double = 640, height: Double = 280) {
    self.title = title
    self.components = components
    self.colors = colors ?? components.indices.map(ChartPalette.color)
    self.bars = bars
    self.y = y
    self.yTitle = yTitle
    self.width = width
    self.height = height
  }

  /// The chart as a fragment.
  public func fragment() -> SVGFragment {
    var svg = SVGBuilder()
    let area = PlotArea(x0: 64, y0: 26, width: width - 64 - 170, height: height - 26 - 44)
    svg.text(area.x0, 16, title, size: 13, weight: "bold")
    area.drawAxes(&svg, x: nil, y: y, xTitle: nil, yTitle: yTitle)
    let n = max(1, bars.count)
    let slot = area.width / Double(n)
    let barWidth = min(36, slot * 0.7)
    for (i, bar) in bars.enumerated() {
      let cx = area.x0 + slot * (Double(i) + 0.5)
      var base = y.coordinateRange.lower
      for (k, v) in bar.segments.enumerated() where k < components.count {
        guard let v, v > 0 else { continue }
        let f0 = y.fraction(ofCoordinate: base), f1 = y.fraction(ofCoordinate: base + v)
        let y0 = area.py(f0), y1 = area.py(f1)
        svg.rect(cx - barWidth / 2, y1, barWidth, y0 - y1, fill: colors[k],
                 title: "\(bar.label): \(components[k]) \(num(v, 1))")
        base += v
      }
      if bar.segments.allSatisfy({ $0 == nil }) {
        svg.rect(cx - barWidth / 2, area.y0 + area.height * 0.5, barWidth, area.height * 0.5, fill: "none", stroke: "#bbb")
      }
      svg.text(cx, area.bottom + 15, bar.label, anchor: .middle, size: 10)
      // Notes go under the label: above the bar they would collide with a full (100 %) bar.
      if let note = bar.note { svg.text(cx, area.bottom + 28, note, anchor: .middle, size: 9, fill: "#555") }
    }
    var ly = area.y0 + 8
    let lx = area.right + 14
    for (k, c) in components.enumerated().reversed() {
      svg.rect(lx, ly - 5, 12, 10, fill: colors[k])
      svg.text(lx + 18, ly + 3.5, c, size: 10)
      ly += 16
    }
    return SVGFragment(width: width, height: height, body: svg.out)
  }

  /// The chart as a standalone SVG document.
  public func svg() -> String { fragment().svg(title: title) }
}

/// One bar of a ``StackedBarChart``.
public struct StackedBar: Sendable, Equatable {
  /// Category label under the bar (escaped).
  public var label: String
  /// One value per component; `nil` when not measurable.
  public var segments: [Double?]
  /// Text above the bar.
  public var note: String?

  /// A bar.
  public init(label: String, segments: [Double?], note: String? = nil) {
    self.label = label
    self.segments = segments
    self.note = note
  }
}

/// A swimmer plot: one horizontal lane per patient over days since infusion, with the aplasia
/// period as a bar (an arrow when it is ongoing), the reconstitution day as a diamond and the
/// CAR T peak as a marker with its value.
public struct SwimmerPlot: Sendable, Equatable {
  /// One patient's lane.
  public struct Lane: Sendable, Equatable {
    /// Patient id (escaped).
    public var label: String
    /// Last follow-up day (the thin lane line ends here).
    public var followUpDay: Double?
    /// First aplastic day.
    public var aplasiaOnsetDay: Double?
    /// Aplasia duration (days); with ``ongoing``, the duration so far.
    public var aplasiaDurationDays: Double?
    /// Whether aplasia is still ongoing at the last visit.
    public var ongoing: Bool
    /// Reconstitution day.
    public var reconstitutionDay: Double?
    /// CAR T peak: its day and label text (for example "Cmax 48.2 /µL").
    public var peakDay: Double?
    /// Text beside the peak marker.
    public var peakLabel: String?

    /// A lane.
    public init(label: String, followUpDay: Double? = nil, aplasiaOnsetDay: Double? = nil, aplasiaDurationDays: Double? = nil,
                ongoing: Bool = false, reconstitutionDay: Double? = nil, peakDay: Double? = nil, peakLabel: String? = nil) {
      self.label = label
      self.followUpDay = followUpDay
      self.aplasiaOnsetDay = aplasiaOnsetDay
      self.aplasiaDurationDays = aplasiaDurationDays
      self.ongoing = ongoing
      self.reconstitutionDay = reconstitutionDay
      self.peakDay = peakDay
      self.peakLabel = peakLabel
    }
  }

  /// Title above the plot (escaped).
  public var title: String
  /// The lanes, top to bottom.
  public var lanes: [Lane]
  /// The day axis.
  public var x: AxisScale
  /// Overall width in CSS pixels.
  public var width: Double

  /// A swimmer plot; the day axis defaults to 0 … the latest day rounded up to a nice step.
  public init(title: String, lanes: [Lane], x: AxisScale? = nil, width: Double = 760) {
    self.title = title
    self.lanes = lanes
    let last = lanes.flatMap { l in
      [l.followUpDay, l.reconstitutionDay, l.peakDay, l.aplasiaOnsetDay.map { $0 + (l.aplasiaDurationDays ?? 0) }].compactMap { $0 }
    }.max() ?? 30
    let step = AxisTicks.niceStep(span: max(last, 1), target: 6)
    self.x = x ?? .linear(min: 0, max: (max(last, 1) / step).rounded(.up) * step)
    self.width = width
  }

  /// Aplasia bar colour.
  static let aplasiaColor = "#D55E00"
  /// Reconstitution marker colour.
  static let reconstitutionColor = "#009E73"
  /// CAR T peak colour.
  static let peakColor = "#0072B2"

  /// The plot as a fragment.
  public func fragment() -> SVGFragment {
    var svg = SVGBuilder()
    let lane = 34.0
    let height = 26 + Double(max(1, lanes.count)) * lane + 70
    let area = PlotArea(x0: 110, y0: 26, width: width - 110 - 30, height: Double(max(1, lanes.count)) * lane)
    svg.text(area.x0, 16, title, size: 13, weight: "bold")
    area.drawAxes(&svg, x: x, y: nil, xTitle: "days since infusion", yTitle: nil)
    for (i, l) in lanes.enumerated() {
      let cy = area.y0 + lane * (Double(i) + 0.5)
      svg.text(area.x0 - 8, cy + 4, l.label, anchor: .end, size: 10.5)
      if let fu = l.followUpDay, let f = x.fraction(fu), let f0 = x.fraction(0) {
        svg.line(area.px(f0), cy, area.px(f), cy, stroke: "#999", width: 1)
      }
      if let onset = l.aplasiaOnsetDay, let fa = x.fraction(onset) {
        let end = onset + (l.aplasiaDurationDays ?? 0)
        let fb = x.fraction(end) ?? fa
        let x0 = area.px(fa), x1 = max(area.px(fb), x0 + 2)
        svg.rect(x0, cy - 7, x1 - x0, 14, fill: Self.aplasiaColor, opacity: 0.75,
                 title: "\(l.label): aplasia from day \(num(onset, 1)), \(num(l.aplasiaDurationDays ?? 0, 1)) days\(l.ongoing ? ", ongoing" : "")")
        if l.ongoing {
          svg.path("M\(num(x1)),\(num(cy - 9)) L\(num(x1 + 9)),\(num(cy)) L\(num(x1)),\(num(cy + 9)) Z", stroke: Self.aplasiaColor, width: 1,
                   fill: Self.aplasiaColor)
        }
      }
      if let r = l.reconstitutionDay, let f = x.fraction(r) {
        let px = area.px(f)
        svg.path("M\(num(px)),\(num(cy - 7)) L\(num(px + 7)),\(num(cy)) L\(num(px)),\(num(cy + 7)) L\(num(px - 7)),\(num(cy)) Z",
                 stroke: "#fff", width: 1, fill: Self.reconstitutionColor, title: "\(l.label): reconstitution day \(num(r, 1))")
      }
      if let p = l.peakDay, let f = x.fraction(p) {
        let px = area.px(f)
        svg.path("M\(num(px)),\(num(cy - 16)) L\(num(px + 4)),\(num(cy - 9)) L\(num(px - 4)),\(num(cy - 9)) Z", stroke: Self.peakColor,
                 width: 1, fill: Self.peakColor, title: "\(l.label): CAR T peak day \(num(p, 1))")
        if let t = l.peakLabel { svg.text(px + 6, cy - 9, t, size: 9, fill: Self.peakColor) }
      }
    }
    // Legend under the axis title.
    let ly = area.bottom + 52
    svg.rect(area.x0, ly - 6, 18, 10, fill: Self.aplasiaColor, opacity: 0.75)
    svg.text(area.x0 + 24, ly + 3, "B-cell aplasia (▶ ongoing)", size: 10)
    svg.path("M\(num(area.x0 + 200)),\(num(ly - 6)) L\(num(area.x0 + 206)),\(num(ly)) L\(num(area.x0 + 200)),\(num(ly + 6)) L\(num(area.x0 + 194)),\(num(ly)) Z",
             stroke: "#fff", width: 1, fill: Self.reconstitutionColor)
    svg.text(area.x0 + 212, ly + 3, "reconstitution", size: 10)
    svg.path("M\(num(area.x0 + 320)),\(num(ly - 6)) L\(num(area.x0 + 324)),\(num(ly + 1)) L\(num(area.x0 + 316)),\(num(ly + 1)) Z",
             stroke: Self.peakColor, width: 1, fill: Self.peakColor)
    svg.text(area.x0 + 330, ly + 3, "CAR T peak (Cmax)", size: 10)
    return SVGFragment(width: width, height: height, body: svg.out)
  }

  /// The plot as a standalone SVG document.
  public func svg() -> String { fragment().svg(title: title) }
}

/// Small multiples: fragments laid out in a grid of `columns`, each cell as large as the
/// largest fragment, with an optional caption under each (escaped).
public struct SmallMultiples: Sendable, Equatable {
  /// The cells: a fragment and its caption.
  public var cells: [(fragment: SVGFragment, caption: String?)]
  /// Cells per row.
  public var columns: Int

  /// A grid of `cells`.
  public init(cells: [(fragment: SVGFragment, caption: String?)], columns: Int) {
    self.cells = cells
    self.columns = max(1, columns)
  }

  public static func == (a: Self, b: Self) -> Bool {
    a.columns == b.columns && a.cells.count == b.cells.count
      && zip(a.cells, b.cells).allSatisfy { $0.fragment == $1.fragment && $0.caption == $1.caption }
  }

  /// The grid as one fragment.
  public func fragment() -> SVGFragment {
    let cw = cells.map(\.fragment.width).max() ?? 0
    let captioned = cells.contains { $0.caption != nil }
    let ch = (cells.map(\.fragment.height).max() ?? 0) + (captioned ? 16 : 0)
    var svg = SVGBuilder()
    for (i, c) in cells.enumerated() {
      let x = Double(i % columns) * cw, y = Double(i / columns) * ch
      svg.raw("<g transform=\"translate(\(num(x)),\(num(y)))\">\n")
      svg.raw(c.fragment.body)
      if let cap = c.caption { svg.text(c.fragment.width / 2, ch - 4, cap, anchor: .middle, size: 10) }
      svg.raw("</g>\n")
    }
    let rows = (cells.count + columns - 1) / columns
    return SVGFragment(width: cw * Double(min(columns, max(1, cells.count))), height: ch * Double(rows), body: svg.out)
  }

  /// The grid as a standalone SVG document.
  public func svg(title: String? = nil) -> String { fragment().svg(title: title) }
}
