import CytoClinical
import CytoTransforms
import Foundation
import Testing

@testable import CytoReport

@Suite struct AxisTests {
  @Test func niceSteps() {
    #expect(AxisTicks.niceStep(span: 100, target: 5) == 20)
    #expect(AxisTicks.niceStep(span: 365, target: 6) == 50)
    #expect(AxisTicks.niceStep(span: 1, target: 4) == 0.2)
    #expect(AxisTicks.niceStep(span: 262_144, target: 5) == 50_000)
  }

  @Test func linearTicksAtMultiplesOfTheStep() {
    let t = AxisTicks.linear(min: -7, max: 100, target: 5)
    #expect(t.map(\.value) == [0, 20, 40, 60, 80, 100])
    #expect(t.map(\.label) == ["0", "20", "40", "60", "80", "100"])
    #expect(abs(t[0].fraction - 7.0 / 107) < 1e-12)
    #expect(AxisTicks.linear(min: 0, max: 1, target: 4).compactMap(\.label) == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
    #expect(AxisTicks.linear(min: 0, max: 262_144).compactMap(\.label) == ["0", "50K", "100K", "150K", "200K", "250K"])
    #expect(AxisTicks.linear(min: 1, max: 1).isEmpty)
  }

  @Test func logTicksAtDecadesWithMinors() {
    let t = AxisTicks.log10(min: 0.1, max: 1_000)
    #expect(t.compactMap(\.label) == ["0.1", "1", "10", "100", "1,000"])
    #expect(t.filter { $0.label == nil }.count == 8 * 4)
    #expect(t.first?.fraction == 0 && abs(t.last!.fraction - 1) < 1e-12)
    #expect(AxisTicks.log10(min: 1, max: 1e6).compactMap(\.label) == ["1", "10", "100", "1,000", "10,000", "10⁵", "10⁶"])
    #expect(AxisScale.log10(min: 1, max: 100).fraction(0) == nil)
  }

  @Test func logicleDecadesArePlacedByTheTransform() throws {
    let s = ScaleTransform.logicle(try LogicleParameters(t: 262_144, w: 0.5, m: 4.5, a: 0))
    let axis = AxisScale.transformed(s, min: 0, max: 1)
    let ticks = axis.ticks()
    let labelled = ticks.filter(\.isMajor)
    #expect(labelled.map { $0.label! } == ["−10²", "0", "10²", "10³", "10⁴", "10⁵"])
    for t in labelled { #expect(abs(t.fraction - s.forward(t.value)) < 1e-12, "\(t.label!)") }
    // Every tick is inside the axis and ticks never crowd closer than 1 % unless labelled.
    #expect(ticks.allSatisfy { $0.fraction >= 0 && $0.fraction <= 1 })
    for (a, b) in zip(ticks, ticks.dropFirst()) where b.label == nil { #expect(b.fraction - a.fraction >= 0.01 - 1e-12) }
    // The axis maps data to coordinates and back.
    #expect(abs(axis.value(atCoordinate: try #require(axis.coordinate(1_000))) - 1_000) < 1e-6)
  }

  @Test func numberTextIsFixed() {
    #expect(num(1.005) == "1" || num(1.005) == "1.01")
    #expect(num(-0.001) == "0")
    #expect(num(12.5) == "12.5")
    #expect(num(3) == "3")
    #expect(num(.nan) == "0")
  }
}

@Suite struct ChartTests {
  /// A fixed series: a baseline, aplasia below the LLOQ, reconstitution.
  static var bCellChart: LineChart {
    let p = [
      ChartPoint(x: -7, value: 240, lower95: 215, upper95: 267),
      ChartPoint(x: 7, value: nil, lessThan: 2.1, lower95: 0, upper95: 0.31),
      ChartPoint(x: 28, value: nil, lessThan: 2.1, lower95: 0, upper95: 0.31),
      ChartPoint(x: 90, value: 3.5, lower95: 2.4, upper95: 4.9),
      ChartPoint(x: 120, value: 61, lower95: 55, upper95: 68),
    ]
    return LineChart(title: "CD19⁺ B cells per µL", x: .linear(min: -20, max: 140), y: .log10(min: 0.1, max: 1_000), xTitle: "days since infusion",
                     yTitle: "cells/µL", series: [ChartSeries(name: "CD19⁺ B cells", color: "#0072B2", points: p)],
                     bands: [ChartBand(axis: .y, from: nil, to: 100, label: "aplasia ≤ 100 /µL", color: "#D55E00", opacity: 0.1),
                             ChartBand(axis: .x, from: 7, to: 90, label: "aplasia period", color: "#999999", opacity: 0.22)],
                     markers: [ChartMarker(x: 90, label: "reconstitution d90", color: "#009E73")])
  }

  @Test func lineChartMatchesGolden() throws {
    let svg = Self.bCellChart.svg()
    #expect(svg == (try Golden.expected("line-chart-bcells.svg", actual: svg)), "rerun with CYTORESET_REGENERATE=1 if the drawing changed on purpose")
  }

  @Test func stackedBarsMatchGolden() throws {
    let c = StackedBarChart(title: "B-cell subsets", components: BCellSubsets.names, bars: [
      StackedBar(label: "d-7", segments: [62, 5, 12, 15, 5, 1]),
      StackedBar(label: "d28", segments: [nil, nil, nil, nil, nil, nil], note: "B < LLOQ"),
      StackedBar(label: "d120", segments: [88, 9, 1.5, 1, 0.5, nil], note: "some < LLOQ"),
    ])
    let svg = c.svg()
    #expect(svg == (try Golden.expected("stacked-bars-subsets.svg", actual: svg)))
  }

  @Test func swimmerMatchesGolden() throws {
    let s = SwimmerPlot(title: "Cohort", lanes: [
      .init(label: "P01", followUpDay: 365, aplasiaOnsetDay: 7, aplasiaDurationDays: 83, reconstitutionDay: 90, peakDay: 10, peakLabel: "48.2 /µL"),
      .init(label: "P02", followUpDay: 180, aplasiaOnsetDay: 7, aplasiaDurationDays: 173, ongoing: true, peakDay: 14, peakLabel: "12.0 /µL"),
    ])
    let svg = s.svg()
    #expect(svg == (try Golden.expected("swimmer.svg", actual: svg)))
  }

  @Test func belowLLOQIsAnOpenTriangleAtTheBoundNeverAZero() throws {
    let svg = Self.bCellChart.svg()
    // Two bounds drawn as open (white-filled) paths with their tooltip, no circle for them.
    let bounds = svg.components(separatedBy: "fill=\"#fff\"").count - 1
    #expect(bounds == 2)
    #expect(svg.contains("day 7: &lt; 2.1 (below LLOQ)"))
    #expect(!svg.contains("day 7: 0"))
    // The bound sits at log10(2.1) on the axis: plot area from y 26, height 230, log 0.1…1000.
    let f = (log10(2.1) + 1) / 4
    let y = 26 + 230 - f * 230
    #expect(svg.contains(",\(num(y + 4.5)) Z"), "apex of the triangle below the bound at y \(num(y))")
    // Lines join only measured neighbours: one segment (d90–d120), not through the bounds.
    #expect(svg.components(separatedBy: "<polyline").count - 1 == 1)
  }

  @Test func smallMultiplesPlaceFragmentsInAGrid() {
    let a = SVGFragment(width: 100, height: 50, body: "<rect/>\n")
    let g = SmallMultiples(cells: [(a, "one"), (a, "two"), (a, nil)], columns: 2).fragment()
    #expect(g.width == 200 && g.height == 132)
    #expect(g.body.contains("translate(100,0)") && g.body.contains("translate(0,66)"))
  }
}
