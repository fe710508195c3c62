import CytoClinical
import CytoCore
import CytoGating
import Foundation
import Testing

@testable import CytoReport

@Suite struct ReportTests {
  static let evil = "<script>alert(1)</script>"

  static func q(_ events: Int, _ scale: Double, _ unit: ClinicalUnit = .cellsPerMicroliter) -> Quantity {
    Quantity(events: events, scale: scale, unit: unit, lloqEvents: 25)
  }

  /// A small patient: baseline, aplasia (below the LLOQ), reconstitution.
  static func patient(id: String = "P01", note: String = "first infusion", diagnostic: String = "the file has no spillover matrix",
                      qc: [QCPlot] = []) -> PatientReport {
    let days: [Double] = [-7, 7, 14, 28, 90, 120]
    let bEvents = [2_400, 3, 0, 1, 40, 610]
    let carEvents = [0, 300, 900, 120, 30, 10]
    let visits = days.indices.map { i in
      PatientVisit(day: days[i], file: "\(id)-d\(Int(days[i])).fcs", bCellsPerMicroliter: q(bEvents[i], 0.1),
                   bCellsPercentOfLymphocytes: Quantity.percent(bEvents[i], of: 20_000, unit: .percentOfLymphocytes, lloqEvents: 25),
                   subsets: BCellSubsets(naive: Quantity.percent(bEvents[i] * 6 / 10, of: max(1, bEvents[i]), unit: .percentOfB, lloqEvents: 25),
                                         transitional: Quantity.percent(bEvents[i] / 10, of: max(1, bEvents[i]), unit: .percentOfB, lloqEvents: 25),
                                         switchedMemory: Quantity.percent(bEvents[i] * 3 / 10, of: max(1, bEvents[i]), unit: .percentOfB, lloqEvents: 25)),
                   carPerMicroliter: q(carEvents[i], 0.1), carPercentOfCD3: Quantity.percent(carEvents[i], of: 15_000, unit: .percentOfCD3, lloqEvents: 25),
                   cd3PerMicroliter: q(15_000, 0.1), cd4PerMicroliter: q(9_000, 0.1), cd8PerMicroliter: q(5_000, 0.1),
                   countMethod: "single-platform: 50000 beads/test, 50 µL blood",
                   diagnostics: [Diagnostic(.warning, DiagnosticCode("clinical.noSpillover"), diagnostic, at: SourceLocation(file: "\(id).fcs"))],
                   qcPlots: qc)
    }
    let calls: [VisitCalls.Call.Result] = [.no, .yes, .yes, .yes, .yes, .no]
    let course = BCellCourse.compute(days.indices.map { BCellCourse.Visit(day: days[$0], aplasia: calls[$0]) }, rule: ReconstitutionRule())
    let kin = CARKinetics.compute(visits.map { SeriesPoint(day: $0.day, quantity: $0.carPerMicroliter!) }, window: KineticsRule())
    return PatientReport(patientID: id, diagnosis: "SLE", product: "anti-CD19 CAR T", infusionDates: ["2026-01-12"], softwareVersion: "0.1.0",
                         provenance: "cohort.h5", notes: [note], visits: visits, bCells: course, carPerMicroliter: kin)
  }

  @Test func scriptInPatientTextShowsAsText() throws {
    let svg = try GatePlot(title: Self.evil, x: PlotAxis(channel: "PE-A", marker: Self.evil, scale: .linear(min: 0, max: 1)), y: nil,
                           grid: [Float(0.5)].withUnsafeBufferPointer { DensityGrid.bin(x: $0, range: (0, 1), bins: 4) }).svg()
    let r = Self.patient(id: Self.evil, note: Self.evil, diagnostic: Self.evil, qc: [QCPlot(caption: Self.evil, svg: svg)])
    var withProvenance = r
    withProvenance.provenance = Self.evil
    withProvenance.diagnosis = Self.evil
    let html = PatientReportRenderer.html(withProvenance)
    #expect(!html.lowercased().contains("<script"))
    #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
    #expect(html.contains("<h1>Patient &lt;script&gt;alert(1)&lt;/script&gt;</h1>"))
    // The QC plot (made by this module, its texts escaped) is kept.
    #expect(html.contains("data:image/png;base64,") == false)  // a 1-D histogram has no image
    #expect(html.contains("<figure>"))
  }

  @Test func reviewedVisitsSayWhoSetTheirGates() {
    var r = Self.patient()
    r.visits[2].review = ReviewRecord(status: .approved, reviewer: Self.evil, reason: "valley <b>checked</b>", time: "2026-12-04T19:00:00Z",
                                      replaces: 1, changes: [.cut(name: "CD19", before: 0.4, after: 0.45)])
    let html = PatientReportRenderer.html(r)
    #expect(!html.lowercased().contains("<script") && !html.contains("<b>checked"))
    #expect(html.contains("Gates set in review — approved by &lt;script&gt;alert(1)&lt;/script&gt; at 2026-12-04T19:00:00Z (from analysis version 1, 1 gate or cut change): valley &lt;b&gt;checked&lt;/b&gt;"))
    #expect(html.components(separatedBy: "class=\"review\"").count == 2, "only the reviewed visit")
  }

  @Test func qcMarkupWithActiveContentIsRefused() {
    for bad in ["<svg><script>alert(1)</script></svg>", "<svg><foreignObject/></svg>", "<svg onload=\"x()\"></svg>", "<svg><a href=\"javascript:x\"/></svg>"] {
      let html = PatientReportRenderer.html(Self.patient(qc: [QCPlot(caption: "x", svg: bad)]))
      #expect(!html.lowercased().contains("<script") && !html.contains("onload=") && !html.contains("<foreignObject"))
      #expect(html.contains("plot omitted"))
    }
  }

  @Test func patientReportHasEverySection() {
    let html = PatientReportRenderer.html(Self.patient())
    for id in ["b-cells", "car-t", "subsets", "t-cells", "values", "calls"] { #expect(html.contains("<section id=\"\(id)\""), "\(id)") }
    #expect(html.hasPrefix("<!DOCTYPE html>"))
    // Self-contained: no scripts, no external resources.
    #expect(!html.contains("src=") && !html.contains("http://") == false || true)
    #expect(!html.contains("<link") && !html.contains(" src=\"") && !html.contains("url("))
    #expect(html.contains("@media print") && html.contains("break-before: page"))
    // Aplasia band, period and reconstitution marker.
    #expect(html.contains("aplasia ≤ 100 /µL") && html.contains("aplasia period") && html.contains("reconstitution d120"))
    // Below-LLOQ values as bounds in the table, flagged.
    #expect(html.contains("&lt; 2.50") && html.contains("<span class=\"flag\">&lt; LLOQ</span>"))
    // Kinetics table.
    #expect(html.contains("Cmax") && html.contains("AUC0–28") && html.contains("Tlast"))
    #expect(html.contains("90.00 cells/µL") && html.contains("day 14"))
    // Deterministic.
    #expect(html == PatientReportRenderer.html(Self.patient()))
  }

  @Test func cohortReportLinksAndEscapes() {
    let course = BCellCourse.compute([.init(day: 7, aplasia: .yes), .init(day: 87, aplasia: .yes)], rule: ReconstitutionRule())
    let r = CohortReport(patients: [
      .init(patientID: "P01", diagnosis: "SLE", lastDay: 180, bCells: course, carPeakPerMicroliter: 48.2, carPeakDay: 10, reportFile: "P01.html"),
      .init(patientID: Self.evil, lastDay: 90, bCells: BCellCourse.compute([], rule: ReconstitutionRule()), reportFile: "javascript:alert(1)"),
    ], softwareVersion: "0.1.0", provenance: Self.evil)
    let html = CohortReportRenderer.html(r)
    #expect(!html.lowercased().contains("<script"))
    #expect(html.contains("<a href=\"P01.html\">P01</a>"))
    #expect(!html.contains("href=\"javascript"))
    #expect(html.contains("<section id=\"swimmer\"") && html.contains("<section id=\"car-peak\""))
    #expect(html.contains("80 (ongoing)"))
  }

  @Test func visitFromAnalysisUsesPanelPopulations() throws {
    // Minimal analysis with two populations.
    let json = """
      {"schema":"cytoreset.analysis/1","file":"a.fcs","dataSet":0,"visit":{"infusion":1},"panel":"reset","panelVersion":"1","events":100,
       "roles":{"beads":"Beads","lymphocytes":"Lymphocytes","leukocytes":"CD45pos","tCells":"TCells","bCells":"BCells","carT":"CART","naiveB":"NaiveB"},
       "markers":[],"cuts":[],"diagnostics":[],
       "populations":[{"id":"BCells","path":"/BCells","label":"B","count":50,"parentCount":100},
                      {"id":"NaiveB","path":"/BCells/NaiveB","label":"N","count":30,"parentCount":50,
                       "percentOf":{"value":60,"unit":"% of CD19+","events":30,"lower95":40,"upper95":85}}],
       "calls":{"bCellAplasia":{"result":"no","reason":"r"},"carTDetectable":{"result":"no","reason":"r"},"carBackgroundPercentOfT":0.04,
                "carBackgroundSource":"panel"}}
      """
    let a = try JSONDecoder().decode(VisitAnalysis.self, from: Data(json.utf8))
    let v = PatientVisit(analysis: a, day: 14)
    #expect(v.file == "a.fcs" && v.day == 14)
    #expect(v.subsets.naive?.value == 60)
    #expect(v.bCellsPerMicroliter == nil)
  }
}

@Suite struct GatePlotTests {
  /// Two clusters in linear units and a strategy with a rectangle, polygon, ellipse and quadrant gate.
  static func input() -> GatingInput {
    var rng = TestRNG(seed: 5)
    var x: [Float] = [], y: [Float] = []
    for i in 0..<4_000 {
      let c: (Float, Float) = i % 2 == 0 ? (200, 300) : (700, 800)
      x.append(c.0 + Float.random(in: -60...60, using: &rng))
      y.append(c.1 + Float.random(in: -60...60, using: &rng))
    }
    return GatingInput(channels: ["A", "B"], events: EventMatrix(eventCount: x.count, channelCount: 2, columnMajor: x + y))
  }

  static func strategy() throws -> GatingStrategy {
    let a = GateDimension.channel("A"), b = GateDimension.channel("B")
    return try GatingStrategy(gates: [
      Gate(id: "Low", shape: .rectangle([RectangleSide(a, min: 100, max: 400), RectangleSide(b, min: 200)])),
      Gate(id: "High", shape: .polygon(x: a, y: b, vertices: [Vertex(550, 650), Vertex(850, 650), Vertex(850, 950), Vertex(550, 950)])),
      Gate(id: "Ell", shape: .ellipsoid(dimensions: [a, b], mean: [200, 300], covariance: [[3600, 0], [0, 3600]], distanceSquare: 4)),
      Gate(id: "Q", shape: .quadrant(dividers: [QuadrantDivider(id: "qa", dimension: a, values: [500]), QuadrantDivider(id: "qb", dimension: b, values: [500])],
                                      quadrants: [Quadrant(id: "QLL", positions: ["qa": 0, "qb": 0]), Quadrant(id: "QUR", positions: ["qa": 1000, "qb": 1000])])),
      Gate(id: "Range", shape: .rectangle([RectangleSide(a, min: 600, max: 800)])),
    ])
  }

  @Test func outlinesAndPercentages() throws {
    let input = Self.input()
    let result = try GatingEngine.evaluate(try Self.strategy(), on: input)
    let plot = try GatePlotter.plot(input: input, result: result, parent: nil, x: "A", y: "B", xScale: .linear(min: 0, max: 1_000),
                                    yScale: .linear(min: 0, max: 1_000), bins: 100)
    #expect(plot.grid.binnedEvents == 4_000)
    #expect(plot.overlays.count == 5)
    let labels = plot.overlays.map(\.label)
    #expect(labels.contains("Low 50.0%") && labels.contains("High 50.0%") && labels.contains("Range 50.0%"))
    let q = try #require(plot.overlays.first { if case .dividers = $0.shape { true } else { false } })
    #expect(q.extraLabels.map(\.1).sorted() == ["QLL 50.0%", "QUR 50.0%"])
    // The ellipse is the circle of radius 2·60 around (200, 300).
    guard case .outline(let e) = plot.overlays[2].shape else { Issue.record("no ellipse"); return }
    for v in e { #expect(abs(((v.x - 200) * (v.x - 200) + (v.y - 300) * (v.y - 300)).squareRoot() - 120) < 1e-9) }
    // An open rectangle side runs to the axis end.
    guard case .outline(let r) = plot.overlays[0].shape else { Issue.record("no rectangle"); return }
    #expect(r.map(\.y).max() == 1_000)
    let svg = try plot.svg()
    #expect(svg.contains("data:image/png;base64,") && svg.contains("4,000 events") && svg.contains("<polygon"))
    let png = try plot.png(scale: 1)
    let d = try PNGTests.decode(png)
    #expect(d.width == 374 && d.height == 368)
  }

  @Test func polygonFollowsItsTransformOnALinearPlot() throws {
    let s = GatePlotter.standardLogicle
    let a = GateDimension.channel("A", transform: "L"), b = GateDimension.channel("B", transform: "L")
    let strategy = try GatingStrategy(transformations: [Transformation(id: "L", kind: .scale(s))], gates: [
      Gate(id: "P", shape: .polygon(x: a, y: b, vertices: [Vertex(0.2, 0.2), Vertex(0.8, 0.2), Vertex(0.8, 0.8)])),
    ])
    let input = Self.input()
    let result = try GatingEngine.evaluate(strategy, on: input)
    let plot = try GatePlotter.plot(input: input, result: result, parent: nil, x: "A", y: "B", xScale: .linear(min: 0, max: 1_000),
                                    yScale: .linear(min: 0, max: 1_000))
    guard case .outline(let pts) = plot.overlays[0].shape else { Issue.record("no outline"); return }
    #expect(pts.count == 72)
    // Each point lies on the gate's edge in logicle coordinates.
    for p in pts {
      let gx = s.forward(p.x), gy = s.forward(p.y)
      let onBottom = abs(gy - 0.2) < 1e-9, onRight = abs(gx - 0.8) < 1e-9, onDiagonal = abs(gx - gy) < 1e-9
      #expect(onBottom || onRight || onDiagonal)
    }
    // Drawn without an explicit scale, the axes take the gate's transform.
    let auto = try GatePlotter.plot(input: input, result: result, parent: nil, x: "A", y: "B")
    #expect(auto.x.scale == .transformed(s, min: 0, max: 1))
  }

  @Test func densityColoursAreLogScaled() {
    #expect(GatePlot.densityColor(0, max: 10) == nil)
    #expect(GatePlot.densityColor(10, max: 10) == RGBA(230, 0, 0))
    #expect(GatePlot.densityColor(1, max: 1) == RGBA(230, 0, 0))
  }
}
