import CytoClinical
import CytoCore
import CytoGating
import CytoReview
import CytoSimulation
import CytoTestSupport
import Testing

/// A review session's recounts equal the engine's full evaluation of the edited strategy.
@Suite struct ReviewSessionTests {
  /// Opening a session gives the analysis' own counts (the recorded strategy, evaluated).
  @Test func openingGivesTheAnalysisCounts() throws {
    let v = try AnalysedVisit.simulated(events: 20_000, seed: 41)
    let s = try ReviewSession(analysis: v.analysis, input: v.input)
    try expectEqualsFullEvaluation(s, v.input, "opened")
    for p in v.analysis.populations {
      guard let c = s.count(GateID(p.id)) else { continue }
      #expect(c == p.count, "\(p.id)")
    }
    #expect(s.cuts.contains { $0.name == "CD19" && !$0.usages.isEmpty })
    #expect(s.strategy == s.recorded)
  }

  /// Moving the CD19 cut recomputes the B cells and what lies below them, nothing else, and
  /// the counts are the full evaluation's.
  @Test func cd19CutRecomputesOnlyItsSubtree() throws {
    let v = try AnalysedVisit.simulated(events: 20_000, seed: 42)
    var s = try ReviewSession(analysis: v.analysis, input: v.input)
    let cut = try #require(s.cuts.first { $0.name == "CD19" })
    let before = s.count("BCells")
    let r = try s.apply(.setCut(name: "CD19", value: cut.value + 0.25))
    #expect(r.recomputed.contains("BCells"))
    #expect(!r.recomputed.contains("TCells"))
    #expect(!r.recomputed.contains("Lymphocytes"))
    #expect(s.count("BCells")! < before!)
    #expect(r.populations.first { $0.id == "TCells" }?.recomputed == false)
    #expect(s.cuts.first { $0.name == "CD19" }?.value == cut.value + 0.25)
    try expectEqualsFullEvaluation(s, v.input, "CD19 cut")
  }

  /// Random plausible edits on simulated reset-panel files, each checked against the full evaluation.
  @Test(arguments: [(20_000, UInt64(7)), (50_000, UInt64(8))])
  func randomEditsOnSimulatedFilesEqualFullEvaluation(_ events: Int, _ seed: UInt64) throws {
    let v = try AnalysedVisit.simulated(events: events, seed: seed)
    var s = try ReviewSession(analysis: v.analysis, input: v.input)
    let applied = try applyRandomEdits(&s, v.input, seed: seed, count: 40, label: "simulated \(events)")
    #expect(applied >= 20)
  }

  /// Applies `count` random plausible edits, each refused plausibly or checked against the full
  /// evaluation of the edited strategy; returns how many were applied.
  func applyRandomEdits(_ s: inout ReviewSession, _ input: GatingInput, seed: UInt64, count: Int, label: String) throws -> Int {
    var edits = PlausibleEdits(rng: SplitMix64(seed: seed))
    var applied = 0
    for i in 0..<count {
      guard let e = edits.next(s) else { continue }
      do {
        try s.apply(e)
        applied += 1
      } catch let error as ReviewError {
        expectPlausibleRefusal(error, e)
        continue
      }
      try expectEqualsFullEvaluation(s, input, "\(label) edit \(i): \(e)")
    }
    return applied
  }

  /// Real files from other labs (`--panel auto`), random edits checked against the full evaluation.
  @Test(arguments: [
    "realdata/flowai_bcells/flowAI_Bcells2.fcs", "realdata/cytonorm_gates/Gates_PTLG021_Unstim_Control_1.fcs",
    "realdata/aurora_pbmc/PBMC_spectral_UNMIXED.fcs", "flowjo/flowsom_68983/68983.fcs",
  ])
  func randomEditsOnRealFilesEqualFullEvaluation(_ file: String) throws {
    guard let v = try AnalysedVisit.shared(file) else { return }
    var s = try ReviewSession(analysis: v.analysis, input: v.input)
    try expectEqualsFullEvaluation(s, v.input, "\(file) opened")
    let applied = try applyRandomEdits(&s, v.input, seed: 99, count: 12, label: file)
    #expect(applied >= 6, "\(file)")
  }

  /// Every kind of invalid edit is refused with its typed error, and leaves the session as it was.
  @Test func invalidEditsAreRefusedAndChangeNothing() throws {
    let v = try AnalysedVisit.simulated(events: 5_000, seed: 43)
    var s = try ReviewSession(analysis: v.analysis, input: v.input)
    let polygon = try #require(s.strategy.gates.first { if case .polygon = $0.shape { true } else { false } })
    let rectangle = try #require(s.strategy.gates.first { if case .rectangle = $0.shape { true } else { false } })
    guard case .polygon(_, _, let vs) = polygon.shape, case .rectangle(let sides) = rectangle.shape else { return }
    let before = s.populations
    let cases: [(GateEdit, ReviewError)] = [
      (.moveVertex(polygon.id, index: 0, to: Vertex(.nan, 0.5)), .notFinite(polygon.id, what: "vertex 0 x")),
      (.moveVertex(polygon.id, index: 0, to: Vertex(0.5, .infinity)), .notFinite(polygon.id, what: "vertex 0 y")),
      (.translatePolygon(polygon.id, dx: -.infinity, dy: 0), .notFinite(polygon.id, what: "dx")),
      (.replaceVertices(polygon.id, [Vertex(0, 0), Vertex(1, 0), Vertex(-.infinity, 1)]), .notFinite(polygon.id, what: "vertex 2 x")),
      (.replaceVertices(polygon.id, [Vertex(0, 0), Vertex(1, 1)]), .vertexCount(polygon.id, count: 2)),
      (.replaceVertices(polygon.id, Array(repeating: Vertex(0, 0), count: 1001)), .vertexCount(polygon.id, count: 1001)),
      (.moveVertex(polygon.id, index: vs.count, to: Vertex(0, 0)), .vertexIndex(polygon.id, index: vs.count, count: vs.count)),
      (.moveVertex(polygon.id, index: -1, to: Vertex(0, 0)), .vertexIndex(polygon.id, index: -1, count: vs.count)),
      (.insertVertex(polygon.id, index: Int.max, Vertex(0, 0)), .vertexIndex(polygon.id, index: Int.max, count: vs.count)),
      (.moveVertex("NoSuchGate", index: 0, to: Vertex(0, 0)), .unknownGate("NoSuchGate")),
      (.setRectangleSide(polygon.id, side: 0, min: 0, max: 1), .wrongShape(polygon.id, expected: .rectangle, found: .polygon)),
      (.moveVertex(rectangle.id, index: 0, to: Vertex(0, 0)), .wrongShape(rectangle.id, expected: .polygon, found: .rectangle)),
      (.setRectangleSide(rectangle.id, side: 0, min: 2, max: 1), .emptyRange(rectangle.id, min: 2, max: 1)),
      (.setRectangleSide(rectangle.id, side: 0, min: nil, max: nil), .emptyRange(rectangle.id, min: nil, max: nil)),
      (.setRectangleSide(rectangle.id, side: 0, min: .nan, max: 1), .notFinite(rectangle.id, what: "the lower end of side 0")),
      (.setRectangleSide(rectangle.id, side: 7, min: 0, max: 1), .sideIndex(rectangle.id, index: 7, count: sides.count)),
      (.setCut(name: "NoSuchCut", value: 0.5), .unknownCut("NoSuchCut")),
      (.setCut(name: "CD19", value: .nan), .notFinite(nil, what: "cut 'CD19'")),
      (.moveQuadrantCentre("CD27IgD", x: .infinity, y: 0.5), .notFinite("CD27IgD", what: "the centre's x")),
    ]
    for (edit, expected) in cases {
      #expect(throws: expected, "\(edit)") { try s.apply(edit) }
    }
    #expect(s.populations == before)
    #expect(s.edits.isEmpty)
    #expect(s.strategy == s.recorded)
  }

  /// Hostile random edits (any gate id, NaN/±∞/huge/tiny numbers, any index): never a crash;
  /// after each accepted edit every population is within its parent, and (every 25th) the
  /// counts are the full evaluation's.
  @Test func randomHostileEditsNeverCrash() throws {
    let v = try AnalysedVisit.simulated(events: 5_000, seed: 44)
    var s = try ReviewSession(analysis: v.analysis, input: v.input)
    var rng = SplitMix64(seed: 2024)
    let specials: [Double] = [.nan, .infinity, -.infinity, 0, -0.0, 1e308, -1e308, 1e-310, .greatestFiniteMagnitude,
                              .leastNonzeroMagnitude, 0.5, 1, -1, 262_144]
    func number() -> Double {
      Bool.random(using: &rng) ? specials.randomElement(using: &rng)! : Double.random(in: -2...2, using: &rng)
    }
    func index() -> Int { [-1, 0, 1, 2, 3, 5, 999, 1000, Int.max, Int.min].randomElement(using: &rng)! }
    let ids = s.strategy.populations + ["", "nope", "../x", "CD19"]
    let cutNames = s.cuts.map(\.name) + ["", "x"]
    var accepted = 0
    for i in 0..<600 {
      let g = ids.randomElement(using: &rng)!
      let vertices = (0..<[0, 1, 2, 3, 4, 8, 1001].randomElement(using: &rng)!).map { _ in Vertex(number(), number()) }
      let edit: GateEdit
      switch Int.random(in: 0..<8, using: &rng) {
      case 0: edit = .replaceVertices(g, vertices)
      case 1: edit = .moveVertex(g, index: index(), to: Vertex(number(), number()))
      case 2: edit = .insertVertex(g, index: index(), Vertex(number(), number()))
      case 3: edit = .removeVertex(g, index: index())
      case 4: edit = .translatePolygon(g, dx: number(), dy: number())
      case 5: edit = .setRectangleSide(g, side: index(), min: Bool.random(using: &rng) ? nil : number(),
                                       max: Bool.random(using: &rng) ? nil : number())
      case 6: edit = .moveQuadrantCentre(g, x: number(), y: number())
      default: edit = .setCut(name: cutNames.randomElement(using: &rng)!, value: number())
      }
      do { try s.apply(edit) } catch is ReviewError { continue }
      accepted += 1
      for p in s.populations { #expect(p.count <= p.parentCount, "\(p.id) after \(edit)") }
      if accepted % 25 == 0 { try expectEqualsFullEvaluation(s, v.input, "hostile edit \(i): \(edit)") }
    }
    #expect(accepted >= 50)
    try expectEqualsFullEvaluation(s, v.input, "after the hostile edits")
  }
}

/// Each kind of edit, once, on a simulated file: the geometry changes as asked and the counts
/// are the full evaluation's.
@Suite struct ReviewEditKindTests {
  @Test func everyEditKindEqualsFullEvaluation() throws {
    let v = try AnalysedVisit.simulated(events: 20_000, seed: 45)
    var s = try ReviewSession(analysis: v.analysis, input: v.input)
    guard case .polygon(_, _, let lymph)? = s.strategy.gate("Lymphocytes")?.shape,
          case .quadrant(let d, _)? = s.strategy.gates.first(where: { $0.id == "CD27IgD" })?.shape else {
      Issue.record("the reset panel's lymphocyte polygon and CD27/IgD quadrant")
      return
    }
    let edits: [GateEdit] = [
      .moveVertex("Lymphocytes", index: 0, to: Vertex(lymph[0].x - 0.02, lymph[0].y)),
      .insertVertex("Lymphocytes", index: 1, Vertex(lymph[0].x - 0.03, lymph[0].y + 0.01)),
      .removeVertex("Lymphocytes", index: 2),
      .translatePolygon("Lymphocytes", dx: 0.01, dy: -0.01),
      .replaceVertices("Lymphocytes", lymph),
      .setRectangleSide("CD45pos", side: 0, min: 0.45, max: nil),
      .moveQuadrantCentre("CD27IgD", x: d[0].values[0] + 0.05, y: d[1].values[0] - 0.03),
      .moveQuadrantCentre("NaiveB", x: d[0].values[0], y: d[1].values[0]),
      .setCut(name: "CD3", value: 0.5),
    ]
    for e in edits {
      let r = try s.apply(e)
      #expect(!r.recomputed.isEmpty, "\(e)")
      try expectEqualsFullEvaluation(s, v.input, "\(e)")
    }
    #expect(s.strategy.gate("Lymphocytes")?.shape == s.recorded.gate("Lymphocytes")?.shape)
    #expect(s.strategy.gates.first { $0.id == "CD27IgD" }?.shape == s.recorded.gates.first { $0.id == "CD27IgD" }?.shape)
    // CD3 is used by T cells (above) and non-T (below): both moved.
    #expect(s.cuts.first { $0.name == "CD3" }?.usages.count ?? 0 >= 2)
    #expect(s.edits.count == edits.count)
  }
}
