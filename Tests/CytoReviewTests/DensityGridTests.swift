import CytoCore
import CytoGating
import CytoReview
import Testing

/// Density grids and histograms bin exactly the population's events.
@Suite struct DensityGridTests {
  /// For every gate's plot (its parent on its own dimensions), the grid holds every event of
  /// the parent (NaN coordinates aside) and the highlight every event of the gate; the same for
  /// 1-D histograms; back-gating a leaf on the root plot counts the leaf.
  @Test func gridSumsEqualPopulationCounts() throws {
    let v = try AnalysedVisit.simulated(events: 20_000, seed: 51)
    var s = try ReviewSession(analysis: v.analysis, input: v.input)
    try s.apply(.setCut(name: "CD19", value: try #require(s.cuts.first { $0.name == "CD19" }).value - 0.05))
    for g in s.strategy.gates {
      let dims = g.shape.dimensions
      guard let x = dims.first else { continue }
      for p in g.populations {
        if dims.count >= 2 {
          let grid = try s.densityGrid(population: g.parent, x: x, y: dims[1], highlight: p)
          #expect(grid.counts.count == 128 * 128)
          let parentCount = g.parent.flatMap { s.count($0) } ?? s.eventCount
          #expect(grid.counts.reduce(0) { $0 + Int($1) } + grid.unbinned == parentCount, "\(p) parent grid")
          #expect((grid.highlight ?? []).reduce(0) { $0 + Int($1) } + grid.highlightUnbinned == s.count(p), "\(p) highlight")
        }
        let h = try s.histogram(population: p, dimension: x, bins: 64)
        #expect(h.counts.reduce(0) { $0 + Int($1) } + h.unbinned == s.count(p), "\(p) histogram")
      }
    }
    // Back-gating: B cells on the first gate's plot (all events).
    let first = try #require(s.strategy.gates.first { $0.parent == nil && $0.shape.dimensions.count >= 2 })
    let d = first.shape.dimensions
    let back = try s.densityGrid(population: nil, x: d[0], y: d[1], bins: 64, highlight: "BCells")
    #expect((back.highlight ?? []).reduce(0) { $0 + Int($1) } + back.highlightUnbinned == s.count("BCells"))
    #expect(back.counts.reduce(0) { $0 + Int($1) } + back.unbinned == s.eventCount)
  }

  /// Bins hold the events in their intervals; off-range values go to the end bins.
  @Test func binsMatchAScalarCount() throws {
    let v = try AnalysedVisit.simulated(events: 5_000, seed: 52)
    let s = try ReviewSession(analysis: v.analysis, input: v.input)
    let g = try #require(s.strategy.gates.first { $0.id == "Lymphocytes" })
    let x = g.shape.dimensions[0]
    let h = try s.histogram(population: "Lymphocytes", dimension: x, bins: 10, range: AxisRange(0.2, 0.8))
    let values = try #require(s.columns[x])
    var expected = [UInt32](repeating: 0, count: 10)
    for e in s.masks["Lymphocytes"]!.indices {
      let t = (values[e] - 0.2) * (10 / 0.6)
      expected[t < 0 ? 0 : t >= 10 ? 9 : Int(t)] += 1
    }
    #expect(h.counts == expected)
  }

  /// Bad plot requests are typed errors.
  @Test func invalidPlotRequestsAreRefused() throws {
    let v = try AnalysedVisit.simulated(events: 5_000, seed: 53)
    let s = try ReviewSession(analysis: v.analysis, input: v.input)
    let x = try #require(s.strategy.gates.first { $0.id == "Lymphocytes" }).shape.dimensions[0]
    let other = GateDimension.channel("Time")
    #expect(throws: ReviewError.invalidBins(0)) { try s.histogram(population: nil, dimension: x, bins: 0) }
    #expect(throws: ReviewError.invalidBins(5000)) { try s.densityGrid(population: nil, x: x, y: x, bins: 5000) }
    #expect(throws: ReviewError.invalidRange(lower: 1, upper: 1)) {
      try s.histogram(population: nil, dimension: x, range: AxisRange(1, 1))
    }
    #expect(throws: ReviewError.self) { try s.histogram(population: nil, dimension: x, range: AxisRange(.nan, 1)) }
    #expect(throws: ReviewError.self) { try s.histogram(population: nil, dimension: x, range: AxisRange(-1e308, 1e308)) }
    #expect(throws: ReviewError.unknownGate("nope")) { try s.histogram(population: "nope", dimension: x) }
    #expect(throws: ReviewError.dimensionNotCached(other)) { try s.histogram(population: nil, dimension: other) }
  }
}
