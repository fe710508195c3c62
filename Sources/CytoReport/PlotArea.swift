/// The rectangle data are drawn in, inside a chart's margins, and the axes around it.
struct PlotArea {
  var x0: Double
  var y0: Double
  var width: Double
  var height: Double

  /// Pixel x of a fraction along the x axis, clamped to the area.
  func px(_ f: Double) -> Double { x0 + min(1, max(0, f)) * width }
  /// Pixel y of a fraction along the y axis (0 at the bottom), clamped to the area.
  func py(_ f: Double) -> Double { y0 + height - min(1, max(0, f)) * height }

  var right: Double { x0 + width }
  var bottom: Double { y0 + height }

  /// Frame, ticks, tick labels and axis titles.
  func drawAxes(_ svg: inout SVGBuilder, x: AxisScale?, y: AxisScale?, xTitle: String?, yTitle: String?, grid: Bool = true) {
    svg.rect(x0, y0, width, height, fill: "none", stroke: "#444")
    if let x {
      for t in x.ticks() {
        let px = self.px(t.fraction)
        if t.isMajor && grid { svg.line(px, y0, px, bottom, stroke: "#e4e4e4", width: 0.7) }
        svg.line(px, bottom, px, bottom + (t.isMajor ? 5 : 3), stroke: "#444")
        if let l = t.label { svg.text(px, bottom + 16, l, anchor: .middle, size: 10) }
      }
    }
    if let y {
      for t in y.ticks() {
        let py = self.py(t.fraction)
        if t.isMajor && grid { svg.line(x0, py, right, py, stroke: "#e4e4e4", width: 0.7) }
        svg.line(x0 - (t.isMajor ? 5 : 3), py, x0, py, stroke: "#444")
        if let l = t.label { svg.text(x0 - 7, py + 3.5, l, anchor: .end, size: 10) }
      }
    }
    if let xTitle { svg.text(x0 + width / 2, bottom + 32, xTitle, anchor: .middle, size: 11) }
    if let yTitle { svg.text(x0 - 44, y0 + height / 2, yTitle, anchor: .middle, size: 11, rotate: -90) }
  }
}
