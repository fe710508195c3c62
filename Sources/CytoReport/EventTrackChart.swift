/// One item on an ``EventTrackChart`` lane: a bar from start to end (an adverse event, coloured
/// by grade) or a mark (a treatment: a diamond at the start, a thin line to the end).
public struct EventTrackItem: Sendable, Equatable {
  /// How the item is drawn.
  public enum Shape: Sendable, Equatable { case bar, mark }
  /// Start, in x units (days since infusion).
  public var start: Double
  /// End; `nil` when none was recorded (a bar is then drawn a few pixels wide with a dashed
  /// outline and "no end" after its label).
  public var end: Double?
  /// Bar or mark.
  public var shape: Shape
  /// Fill colour.
  public var color: String
  /// Short text written beside the item (`G1`, `8 mg/kg`); escaped.
  public var label: String
  /// Tooltip (day, grade, detail, source); escaped.
  public var title: String

  /// An item.
  public init(start: Double, end: Double?, shape: Shape, color: String, label: String, title: String) {
    self.start = start
    self.end = end
    self.shape = shape
    self.color = color
    self.label = label
    self.title = title
  }
}

/// One lane (row) of an ``EventTrackChart``.
public struct EventTrack: Sendable, Equatable {
  /// The lane's name, written left of the plot (escaped; keep it short, ≤ 12 characters).
  public var name: String
  /// The items.
  public var items: [EventTrackItem]

  /// A lane.
  public init(name: String, items: [EventTrackItem]) {
    self.name = name
    self.items = items
  }
}

/// Events against time: one lane per kind, bars for adverse events and marks for treatments,
/// on the same x axis and plot geometry as ``LineChart`` (so charts stacked above align).
public struct EventTrackChart: Sendable, Equatable {
  /// Title above the plot (escaped).
  public var title: String
  /// The x axis (days since infusion).
  public var x: AxisScale
  /// x axis title.
  public var xTitle: String
  /// The lanes, top to bottom.
  public var tracks: [EventTrack]
  /// Legend entries (label, colour), drawn as swatches right of the plot.
  public var legend: [(label: String, color: String)]
  /// Overall width in CSS pixels (the plot area is as wide as a ``LineChart``'s of this width).
  public var width: Double

  /// A chart.
  public init(title: String, x: AxisScale, xTitle: String, tracks: [EventTrack], legend: [(label: String, color: String)], width: Double = 640) {
    self.title = title
    self.x = x
    self.xTitle = xTitle
    self.tracks = tracks
    self.legend = legend
    self.width = width
  }

  /// Equal when every field is, the legend compared entry by entry (tuples are not Equatable).
  public static func == (a: EventTrackChart, b: EventTrackChart) -> Bool {
    a.title == b.title && a.x == b.x && a.xTitle == b.xTitle && a.tracks == b.tracks && a.width == b.width
      && a.legend.map(\.label) == b.legend.map(\.label) && a.legend.map(\.color) == b.legend.map(\.color)
  }

  static let laneHeight = 24.0

  /// Overall height: the lanes (or the legend, if taller), the title and the x axis.
  public var height: Double { 26 + max(Double(max(1, tracks.count)) * Self.laneHeight, Double(legend.count) * 16 + 8) + 44 }

  /// The chart as a fragment.
  public func fragment() -> SVGFragment {
    var svg = SVGBuilder()
    let area = PlotArea(x0: 64, y0: 26, width: width - 64 - 150, height: height - 26 - 44)
    svg.text(area.x0, 16, title, size: 13, weight: "bold")
    area.drawAxes(&svg, x: x, y: nil, xTitle: xTitle, yTitle: nil)
    for (i, t) in tracks.enumerated() {
      let top = area.y0 + Double(i) * Self.laneHeight, mid = top + Self.laneHeight / 2
      if i > 0 { svg.line(area.x0, top, area.right, top, stroke: "#eee", width: 0.7) }
      svg.text(area.x0 - 5, mid + 3.5, t.name, anchor: .end, size: 9.5)
      for item in t.items.sorted(by: { $0.start < $1.start }) {
        guard let f0 = x.fraction(item.start) else { continue }
        let p0 = area.px(f0), p1 = item.end.flatMap { x.fraction($0) }.map(area.px)
        var labelX: Double
        switch item.shape {
        case .bar:
          let w = max(4, (p1 ?? p0) - p0)
          let h = Self.laneHeight - 8
          if item.end == nil {
            svg.raw("<rect x=\"\(num(p0))\" y=\"\(num(mid - h / 2))\" width=\"\(num(w))\" height=\"\(num(h))\" fill=\"\(item.color)\" "
              + "stroke=\"#333\" stroke-dasharray=\"2 2\"><title>\(htmlEscaped(item.title))</title></rect>\n")
          } else {
            svg.rect(p0, mid - h / 2, w, h, fill: item.color, stroke: "#333", title: item.title)
          }
          labelX = p0 + w + 3
        case .mark:
          if let p1, p1 > p0 { svg.line(p0, mid, p1, mid, stroke: item.color, width: 2) }
          svg.path("M\(num(p0)),\(num(mid - 6)) L\(num(p0 + 5)),\(num(mid)) L\(num(p0)),\(num(mid + 6)) L\(num(p0 - 5)),\(num(mid)) Z",
                   stroke: "#333", width: 0.8, fill: item.color, title: item.title)
          labelX = max(p0 + 7, p1 ?? p0) + 2
        }
        let text = item.shape == .bar && item.end == nil ? item.label + " (no end)" : item.label
        if !text.isEmpty { svg.text(labelX, mid + 3.5, text, size: 9, fill: "#333") }
      }
    }
    var ly = area.y0 + 8
    let lx = area.right + 14
    for (label, color) in legend {
      svg.rect(lx + 2, ly - 5, 14, 10, fill: color, stroke: "#333")
      svg.text(lx + 24, ly + 3.5, label, size: 10)
      ly += 16
    }
    return SVGFragment(width: width, height: height, body: svg.out)
  }

  /// The chart as a standalone SVG document.
  public func svg() -> String { fragment().svg(title: title) }
}
