import CytoCore
@testable import CytoGating
import CytoTestSupport
import CytoTransforms
import Foundation
import Testing

/// `GatingEngine.evaluate` (all gates fused block by block, stored columns read in place, Float
/// polygons) equals a gate-by-gate evaluation with the scalar reference.
@Suite("Gating engine vs scalar reference")
struct EngineBlockTests {
  static func strategy() throws -> GatingStrategy {
    func c(_ i: Int) -> GateDimension { .channel(ChannelName("c\(i)")) }
    return try GatingStrategy(transformations: [], gates: [
      Gate(id: "Cells", shape: .polygon(x: c(0), y: c(1), vertices: [Vertex(10.5, 20.25), Vertex(500.1, 30), Vertex(450, 480.3), Vertex(5, 300)])),
      Gate(id: "Rect", parent: "Cells", shape: .rectangle([RectangleSide(c(2), min: 0.1, max: 400)])),
      Gate(id: "Quad", parent: "Rect", shape: .quadrant(
        dividers: [QuadrantDivider(id: "d1", dimension: c(3), values: [100]), QuadrantDivider(id: "d2", dimension: c(4), values: [50, 300.3])],
        quadrants: [Quadrant(id: "Q1", positions: ["d1": 0, "d2": 200]), Quadrant(id: "Q2", positions: ["d1": 150])])),
      Gate(id: "Ell", parent: "Cells", shape: .ellipsoid(dimensions: [c(0), c(2)], mean: [200, 200], covariance: [[9000, 3000], [3000, 6000]], distanceSquare: 1)),
      Gate(id: "AndNot", shape: .boolean(.and([BooleanOperand("Rect"), BooleanOperand("Q1", complement: true)]))),
      Gate(id: "Or", parent: "Cells", shape: .boolean(.or([BooleanOperand("Q2"), BooleanOperand("Ell")]))),
      Gate(id: "Not", shape: .boolean(.not(BooleanOperand("Ell")))),
      Gate(id: "Child", parent: "Q2", shape: .polygon(x: c(3), y: c(4), vertices: [Vertex(0, 0), Vertex(600, 0), Vertex(0, 600)])),
    ])
  }

  /// Compensated + logicle dimensions are computed block by block, only for the events each
  /// gate's parent keeps: they must equal the whole-column `Double` values gate for gate.
  @Test(arguments: [0, 1, 7, 64, 65, 4097, 300_001])
  func computedDimensionsMatchWholeColumns(n: Int) throws {
    var rng = SeededGenerator(seed: UInt64(n) &+ 17)
    let names = ["FSC", "SSC", "A", "B", "C"].map { ChannelName($0) }
    let cols: [[Float]] = (0..<5).map { c in
      (0..<n).map { _ in
        if rng.next() % 97 == 0 { return .nan }
        return c < 2 ? Float(Double.random(in: 0...1000, using: &rng)) : Float(Double.random(in: -300...20_000, using: &rng))
      }
    }
    let spill = SpilloverMatrix(channels: Array(names[2...]), values: [1, 0.2, 0.05, 0.1, 1, 0.3, 0.02, 0.15, 1])
    let input = GatingInput(channels: names, events: EventMatrix(eventCount: n, channelCount: 5, columnMajor: cols.flatMap { $0 }),
                            scalings: [.identity, .identity, .identity, .divide(by: 1.7), .identity], fileSpillover: spill)
    let logicle = Transformation(id: "L", kind: .scale(.logicle(try LogicleParameters(t: 262_144, w: 0.5, m: 4.5, a: 0))))
    func m(_ c: String) -> GateDimension { .channel(ChannelName(c), compensation: .fileSpillover, transform: "L") }
    let root = [Vertex(100.5, 50.25), Vertex(900, 100), Vertex(800, 900), Vertex(50, 700)]
    let poly = [Vertex(0.3, 0.2), Vertex(0.9, 0.25), Vertex(0.8, 0.9), Vertex(0.35, 0.6)]
    let strategy = try GatingStrategy(transformations: [logicle], gates: [
      Gate(id: "Root", shape: .polygon(x: .channel("FSC"), y: .channel("SSC"), vertices: root)),
      Gate(id: "APos", parent: "Root", shape: .rectangle([RectangleSide(m("A"), min: 0.45)])),
      Gate(id: "Poly", parent: "APos", shape: .polygon(x: m("B"), y: m("C"), vertices: poly)),
      Gate(id: "Quad", parent: "Poly", shape: .quadrant(dividers: [QuadrantDivider(id: "q", dimension: m("A"), values: [0.7])],
        quadrants: [Quadrant(id: "Lo", positions: ["q": 0.5]), Quadrant(id: "Hi", positions: ["q": 0.9])])),
      Gate(id: "BAll", shape: .rectangle([RectangleSide(m("B"), max: 0.5)])),
    ])
    let result = try GatingEngine.evaluate(strategy, on: input)
    func t(_ c: String) throws -> [Double] {
      logicle.applyScale(try GatingEngine.channelValues(ChannelName(c), compensation: .fileSpillover, input: input, strategy: strategy))
    }
    let (a, b, c) = (try t("A"), try t("B"), try t("C"))
    let rootIn = (0..<n).map { ReferenceGating.inPolygon(Double(cols[0][$0]), Double(cols[1][$0]), root) }
    let aPos = (0..<n).map { rootIn[$0] && ReferenceGating.inRange(a[$0], min: 0.45, max: nil) }
    let polyIn = (0..<n).map { aPos[$0] && ReferenceGating.inPolygon(b[$0], c[$0], poly) }
    let want: [GateID: [Bool]] = [
      "Root": rootIn, "APos": aPos, "Poly": polyIn,
      "Lo": (0..<n).map { polyIn[$0] && ReferenceGating.inRange(a[$0], min: nil, max: 0.7) },
      "Hi": (0..<n).map { polyIn[$0] && ReferenceGating.inRange(a[$0], min: 0.7, max: nil) },
      "BAll": (0..<n).map { ReferenceGating.inRange(b[$0], min: nil, max: 0.5) },
    ]
    for (id, bits) in want { #expect(result.masks[id] == EventMask(bits), "n=\(n) \(id)") }
    #expect(n < 1000 || want.values.allSatisfy { $0.contains(true) })
  }

  @Test(arguments: [0, 1, 63, 64, 65, 4097, 300_001])
  func engineMatchesReference(n: Int) throws {
    var rng = SeededGenerator(seed: UInt64(n) &+ 5)
    let cols: [[Float]] = (0..<5).map { _ in
      (0..<n).map { _ in rng.next() % 50 == 0 ? (rng.next() % 2 == 0 ? .nan : 100) : Float(Double.random(in: -20...620, using: &rng)) }
    }
    let input = GatingInput(channels: (0..<5).map { ChannelName("c\($0)") },
                            events: EventMatrix(eventCount: n, channelCount: 5, columnMajor: cols.flatMap { $0 }))
    let result = try GatingEngine.evaluate(try Self.strategy(), on: input)
    func v(_ c: Int, _ e: Int) -> Double { Double(cols[c][e]) }
    let inv = try #require(Kernels.invert([[9000, 3000], [3000, 6000]]))
    var want: [GateID: [Bool]] = [:]
    let cells = (0..<n).map { ReferenceGating.inPolygon(v(0, $0), v(1, $0), [Vertex(10.5, 20.25), Vertex(500.1, 30), Vertex(450, 480.3), Vertex(5, 300)]) }
    let rect = (0..<n).map { cells[$0] && ReferenceGating.inRange(v(2, $0), min: 0.1, max: 400) }
    let q1 = (0..<n).map { rect[$0] && ReferenceGating.inRange(v(3, $0), min: nil, max: 100) && ReferenceGating.inRange(v(4, $0), min: 50, max: 300.3) }
    let q2 = (0..<n).map { rect[$0] && ReferenceGating.inRange(v(3, $0), min: 100, max: nil) }
    let ell = (0..<n).map { cells[$0] && ReferenceGating.inEllipsoid([v(0, $0), v(2, $0)], mean: [200, 200], inverse: inv, distanceSquare: 1) }
    want["Cells"] = cells
    want["Rect"] = rect
    want["Q1"] = q1
    want["Q2"] = q2
    want["Ell"] = ell
    want["AndNot"] = (0..<n).map { rect[$0] && !q1[$0] }
    want["Or"] = (0..<n).map { cells[$0] && (q2[$0] || ell[$0]) }
    want["Not"] = ell.map { !$0 }
    want["Child"] = (0..<n).map { q2[$0] && ReferenceGating.inPolygon(v(3, $0), v(4, $0), [Vertex(0, 0), Vertex(600, 0), Vertex(0, 600)]) }
    #expect(Set(result.masks.keys) == Set(want.keys))
    for (id, bits) in want {
      #expect(result.masks[id] == EventMask(bits), "n=\(n) \(id)")
    }
  }

  /// Logicle/Hyperlog dimensions are transformed in Float32 with Float64 re-decisions near cuts:
  /// events placed within a few ulps of every rectangle cut, quadrant divider and polygon edge
  /// (in display space, compensated or not) get the Float64 rule's answer. The data are checked
  /// to contain events whose Float32 display value is on the other side of a cut than the Float64
  /// one, so a missing re-decision would fail this test (checked for every kind by setting the
  /// bound to 0: the masks then differ).
  @Test(arguments: ["logicle", "hyperlog", "fasinh", "fasinhA1", "flog"])
  func float32TransformsDecideNearCutsExactly(kind: String) throws {
    let scale: ScaleTransform =
      switch kind {
      case "logicle": .logicle(try LogicleParameters(t: 262_144, w: 0.5, m: 4.5, a: 0))
      case "hyperlog": .hyperlog(try HyperlogParameters(t: 262_144, w: 0.5, m: 4.5, a: 0))
      case "fasinh": .fasinh(try ArcsinhParameters(t: 262_144, m: 4.5, a: 0))
      case "fasinhA1": .fasinh(try ArcsinhParameters(t: 262_144, m: 4.5, a: 1))
      default: .flog(try LogarithmicParameters(t: 262_144, m: 4.5))
      }
    #expect(scale.float32ForwardErrorBound != nil)
    let tr = Transformation(id: "L", kind: .scale(scale))
    let names = ["FSC", "A", "B", "C"].map { ChannelName($0) }
    let spill = SpilloverMatrix(channels: Array(names[1...]), values: [1, 0.02, 0.01, 0.03, 1, 0.02, 0.01, 0.05, 1])
    let cuts = (a: (0.45031, 0.80017), b: 0.50013)
    let poly = [Vertex(0.31, 0.22), Vertex(0.93, 0.27), Vertex(0.81, 0.91), Vertex(0.36, 0.63)]
    let n = 40_000
    var rng = SeededGenerator(seed: 77)
    /// A data value whose display value is within a few ulps of `y`.
    func near(_ y: Double) -> Double {
      var f = Float(scale.inverse(y))
      for _ in 0..<(rng.next() % 4) { f = rng.next() % 2 == 0 ? f.nextUp : f.nextDown }
      return Double(f)
    }
    var fluor: [[Double]] = []  // per event: A, B, C in data space, display values near the cuts
    for e in 0..<n {
      var (a, b, c) = (Double.random(in: 0...1, using: &rng), Double.random(in: 0...1, using: &rng), Double.random(in: 0...1, using: &rng))
      switch e % 4 {
      case 0: a = [cuts.a.0, cuts.a.1][Int(rng.next() % 2)]
      case 1: b = cuts.b
      case 2:  // on a polygon edge
        let k = Int(rng.next() % 4), t = Double.random(in: 0...1, using: &rng)
        let (p, q) = (poly[k], poly[(k + 1) % 4])
        (b, c) = (p.x + t * (q.x - p.x), p.y + t * (q.y - p.y))
      default: break
      }
      fluor.append([near(a), near(b), near(c)])
    }
    for comp in [CompensationReference.uncompensated, .fileSpillover] {
      // Detector values: the fluorescence itself, or mixed by the spillover (so compensation
      // brings it back to within rounding of the near-cut values).
      var cols: [[Float]] = [(0..<n).map { Float($0 % 1000) }, [], [], []]
      for f in fluor {
        for j in 0..<3 {
          let d = comp == .uncompensated ? f[j] : (0..<3).reduce(0.0) { $0 + f[$1] * spill.values[$1 * 3 + j] }
          cols[j + 1].append(Float(d))
        }
      }
      let input = GatingInput(channels: names, events: EventMatrix(eventCount: n, channelCount: 4, columnMajor: cols.flatMap { $0 }),
                              fileSpillover: spill)
      func m(_ c: String) -> GateDimension { .channel(ChannelName(c), compensation: comp, transform: "L") }
      let strategy = try GatingStrategy(transformations: [tr], gates: [
        Gate(id: "All", shape: .rectangle([RectangleSide(.channel("FSC"), min: -1)])),
        Gate(id: "ARange", parent: "All", shape: .rectangle([RectangleSide(m("A"), min: cuts.a.0, max: cuts.a.1)])),
        Gate(id: "Quad", parent: "All", shape: .quadrant(dividers: [QuadrantDivider(id: "q", dimension: m("B"), values: [cuts.b])],
          quadrants: [Quadrant(id: "BLo", positions: ["q": 0.2]), Quadrant(id: "BHi", positions: ["q": 0.9])])),
        Gate(id: "Poly", parent: "All", shape: .polygon(x: m("B"), y: m("C"), vertices: poly)),
      ])
      let result = try GatingEngine.evaluate(strategy, on: input)
      func exact(_ c: String) throws -> [Double] {
        tr.applyScale(try GatingEngine.channelValues(ChannelName(c), compensation: comp, input: input, strategy: strategy))
      }
      func float32(_ c: String) throws -> [Double] {
        let v = try GatingEngine.channelValues(ChannelName(c), compensation: comp, input: input, strategy: strategy).doubles
        return scale.forwardFloat32Kernel(v.map { Float($0) }).map { Double($0) }
      }
      let (a, b, c) = (try exact("A"), try exact("B"), try exact("C"))
      let want: [GateID: [Bool]] = [
        "ARange": a.map { ReferenceGating.inRange($0, min: cuts.a.0, max: cuts.a.1) },
        "BLo": b.map { ReferenceGating.inRange($0, min: nil, max: cuts.b) },
        "BHi": b.map { ReferenceGating.inRange($0, min: cuts.b, max: nil) },
        "Poly": (0..<n).map { ReferenceGating.inPolygon(b[$0], c[$0], poly) },
      ]
      for (id, bits) in want { #expect(result.masks[id] == EventMask(bits), "\(kind) \(comp) \(id)") }
      // The Float32 values alone would put some events on the wrong side.
      let (a32, b32, c32) = (try float32("A"), try float32("B"), try float32("C"))
      let flips = (0..<n).filter {
        ReferenceGating.inRange(a32[$0], min: cuts.a.0, max: cuts.a.1) != want["ARange"]![$0]
          || ReferenceGating.inRange(b32[$0], min: cuts.b, max: nil) != want["BHi"]![$0]
          || ReferenceGating.inPolygon(b32[$0], c32[$0], poly) != want["Poly"]![$0]
      }
      #expect(flips.count > 20, "\(kind) \(comp): only \(flips.count) Float32 flips; the test data do not exercise the re-decision")
    }
  }

  /// Inputs outside Float's normal range (Double values that round to a Float subnormal or to
  /// 0, and values ≥ 10³⁰) are transformed exactly: for `flog` the Float-rounded input could
  /// be far outside the error bound (3·10⁻⁴⁵ rounds to 2.8·10⁻⁴⁵, 5·10⁻⁴⁶ to 0 ↦ −∞). Cuts in
  /// the tiny and huge ranges get the Float64 rule's answer.
  @Test(arguments: ["flog", "fasinh"])
  func float32TransformsExactOutsideFloatNormalRange(kind: String) throws {
    let scale: ScaleTransform = kind == "flog"
      ? .flog(try LogarithmicParameters(t: 262_144, m: 4.5)) : .fasinh(try ArcsinhParameters(t: 1e-30, m: 60, a: 0))
    let tr = Transformation(id: "L", kind: .scale(scale))
    let n = 40_000
    var rng = SeededGenerator(seed: 31)
    // Tiny: raw/10¹², 10⁻⁴⁷…10⁻³⁶ log-uniform; huge: raw/10⁻⁵, 10²⁵…10⁴³.
    let tiny = (0..<n).map { _ in Float(pow(10, Double.random(in: -35...(-24), using: &rng))) }
    let huge = (0..<n).map { _ in Float(pow(10, Double.random(in: 20...38, using: &rng))) * (rng.next() % 5 == 0 ? -1 : 1) }
    let input = GatingInput(channels: ["T", "H"], events: EventMatrix(eventCount: n, channelCount: 2, columnMajor: tiny + huge),
                            scalings: [.divide(by: 1e12), .divide(by: 1e-5)])
    func dim(_ c: String) -> GateDimension { .channel(ChannelName(c), transform: "L") }
    let (lo, hi) = (scale.forward(1e-44), scale.forward(1e-40))
    let (hugeCut, poly) = (scale.forward(3e30), [Vertex(lo, scale.forward(1e29)), Vertex(hi, scale.forward(1e29)), Vertex(hi, scale.forward(4e41))])
    let strategy = try GatingStrategy(transformations: [tr], gates: [
      Gate(id: "Tiny", shape: .rectangle([RectangleSide(dim("T"), min: lo, max: hi)])),
      Gate(id: "Huge", shape: .rectangle([RectangleSide(dim("H"), min: hugeCut)])),
      Gate(id: "Poly", shape: .polygon(x: dim("T"), y: dim("H"), vertices: poly)),
    ])
    let result = try GatingEngine.evaluate(strategy, on: input)
    let t = tr.applyScale(try GatingEngine.channelValues("T", compensation: .uncompensated, input: input, strategy: strategy))
    let h = tr.applyScale(try GatingEngine.channelValues("H", compensation: .uncompensated, input: input, strategy: strategy))
    let want: [GateID: [Bool]] = [
      "Tiny": t.map { ReferenceGating.inRange($0, min: lo, max: hi) },
      "Huge": h.map { ReferenceGating.inRange($0, min: hugeCut, max: nil) },
      "Poly": (0..<n).map { ReferenceGating.inPolygon(t[$0], h[$0], poly) },
    ]
    for (id, bits) in want { #expect(result.masks[id] == EventMask(bits), "\(kind) \(id)") }
    #expect(want.values.allSatisfy { $0.contains(true) && $0.contains(false) })
    if kind == "flog" {  // the data do put Float-rounded tiny inputs across the cuts
      let raw = try GatingEngine.channelValues("T", compensation: .uncompensated, input: input, strategy: strategy).doubles
      let t32 = scale.forwardFloat32Kernel(raw.map { Float($0) }).map { Double($0) }
      #expect((0..<n).filter { ReferenceGating.inRange(t32[$0], min: lo, max: hi) != want["Tiny"]![$0] }.count > 20)
    }
  }

  /// Gating chunk by chunk (files larger than memory) gives the masks of gating the whole matrix,
  /// for chunk sizes that do and do not divide the event count, with computed dimensions.
  @Test(arguments: [0, 1, 4095, 4096, 4097, 70_001])
  func chunkedEqualsWhole(n: Int) throws {
    var rng = SeededGenerator(seed: UInt64(n) &+ 99)
    let names = ["FSC", "SSC", "A", "B", "C"].map { ChannelName($0) }
    let cols: [Float] = (0..<(5 * n)).map { i in i < 2 * n ? Float(Double.random(in: 0...1000, using: &rng)) : Float(Double.random(in: -300...20_000, using: &rng)) }
    let spill = SpilloverMatrix(channels: Array(names[2...]), values: [1, 0.2, 0.05, 0.1, 1, 0.3, 0.02, 0.15, 1])
    let matrix = EventMatrix(eventCount: n, channelCount: 5, columnMajor: cols)
    let scalings: [ValueScaling] = [.identity, .identity, .identity, .divide(by: 1.7), .identity]
    let input = GatingInput(channels: names, events: matrix, scalings: scalings, fileSpillover: spill)
    let logicle = Transformation(id: "L", kind: .scale(.logicle(try LogicleParameters(t: 262_144, w: 0.5, m: 4.5, a: 0))))
    func m(_ c: String) -> GateDimension { .channel(ChannelName(c), compensation: .fileSpillover, transform: "L") }
    let strategy = try GatingStrategy(transformations: [logicle], gates: [
      Gate(id: "Root", shape: .polygon(x: .channel("FSC"), y: .channel("SSC"), vertices: [Vertex(100.5, 50.25), Vertex(900, 100), Vertex(800, 900), Vertex(50, 700)])),
      Gate(id: "APos", parent: "Root", shape: .rectangle([RectangleSide(m("A"), min: 0.45)])),
      Gate(id: "Poly", parent: "APos", shape: .polygon(x: m("B"), y: m("C"), vertices: [Vertex(0.3, 0.2), Vertex(0.9, 0.25), Vertex(0.8, 0.9), Vertex(0.35, 0.6)])),
      Gate(id: "Ell", parent: "Root", shape: .ellipsoid(dimensions: [.channel("FSC"), m("C")], mean: [500, 0.5], covariance: [[40000, 10], [10, 0.04]], distanceSquare: 2)),
      Gate(id: "Not", shape: .boolean(.not(BooleanOperand("Poly")))),
    ])
    let whole = try GatingEngine.evaluate(strategy, on: input)
    let read = SendableMatrix(matrix)
    for chunkBytes in [1, 4096 * 5 * 4, 3 * 4096 * 5 * 4] {
      var seen: [Int] = []
      let chunked = try GatingEngine.evaluate(strategy, chunks: ChunkedGatingInput(
        channels: names, eventCount: n, scalings: scalings, fileSpillover: spill, chunkBytes: chunkBytes) { r in
          EventMatrix(eventCount: r.count, channelCount: 5, columnMajor: (0..<5).flatMap { c in read.m.storage[(c * n + r.lowerBound)..<(c * n + r.upperBound)] })
        }, progress: { seen.append($0) })
      #expect(chunked.masks == whole.masks, "n=\(n) chunkBytes=\(chunkBytes)")
      #expect(seen.last == n && seen == seen.sorted())
      // Counting chunk by chunk (no masks kept) gives every population's mask count.
      var counted: [Int] = []
      let counts = try GatingEngine.count(strategy, chunks: ChunkedGatingInput(
        channels: names, eventCount: n, scalings: scalings, fileSpillover: spill, chunkBytes: chunkBytes) { r in
          EventMatrix(eventCount: r.count, channelCount: 5, columnMajor: (0..<5).flatMap { c in read.m.storage[(c * n + r.lowerBound)..<(c * n + r.upperBound)] })
        }, progress: { counted.append($0) })
      #expect(counts == GatingCounts(whole), "n=\(n) chunkBytes=\(chunkBytes)")
      #expect(Set(counts.counts.keys) == Set(whole.masks.keys) && (n == 0 || counts.counts.values.contains { $0 > 0 }))
      #expect(counted == seen)
    }
  }
}

extension EngineBlockTests {
  /// `channelValues` under a compensation reference compensates every fluorochrome of the
  /// matrix, also those no gate of the strategy reads compensated (statistics, kept events).
  @Test func channelValuesCompensateChannelsNoGateReads() throws {
    let names = ["A", "B", "C"].map { ChannelName($0) }
    let spill = SpilloverMatrix(channels: names, values: [1, 0.2, 0.05, 0.1, 1, 0.3, 0.02, 0.15, 1])
    let cols: [Float] = [100, 2000, 30, 400, 5, 60, 7000, 80, 900]
    let input = GatingInput(channels: names, events: EventMatrix(eventCount: 3, channelCount: 3, columnMajor: cols), fileSpillover: spill)
    let strategy = try GatingStrategy(gates: [Gate(id: "G", shape: .rectangle([RectangleSide(.channel("A", compensation: .fileSpillover), min: 0)]))])
    for name in names {
      let all = try GatingEngine.channelValues(name, compensation: .fileSpillover, input: input)
      let withStrategy = try GatingEngine.channelValues(name, compensation: .fileSpillover, input: input, strategy: strategy)
      #expect(withStrategy.doubles == all.doubles, "\(name)")
      #expect(all.doubles != (0..<3).map { Double(cols[names.firstIndex(of: name)! * 3 + $0]) }, "\(name) is compensated")
    }
  }
}

struct SendableMatrix: Sendable { let m: EventMatrix<Float>; init(_ m: EventMatrix<Float>) { self.m = m } }

extension EngineBlockTests {
  /// The Float path adaptive gating reads (straight from the stored columns) gives the Double
  /// path's values rounded once, compensated or not, and for scaled (log-amplified) channels.
  @Test func floatChannelValuesEqualTheDoubleValuesRounded() throws {
    let names = ["A", "B", "C", "FSC"].map { ChannelName($0) }
    let spill = SpilloverMatrix(channels: Array(names[0..<3]), values: [1, 0.2, 0.05, 0.1, 1, 0.3, 0.02, 0.15, 1])
    var rng = SeededGenerator(seed: 9)
    let n = 5_000
    let cols = (0..<(4 * n)).map { i in i % 997 == 0 ? Float.nan : Float.random(in: -500...50_000, using: &rng) }
    for scalings in [nil, [ValueScaling.identity, .divide(by: 2), .identity, .logarithmic(decades: 4, range: 1024, offset: 1)]] {
      let input = GatingInput(channels: names, events: EventMatrix(eventCount: n, channelCount: 4, columnMajor: cols), scalings: scalings,
                              fileSpillover: spill)
      var reader = try ChannelValueReader(input: input)
      for name in names {
        for comp in [CompensationReference.fileSpillover, .uncompensated] {
          let d = try GatingEngine.channelValues(name, compensation: comp, input: input).doubles.map { Float($0) }
          let f = try reader.floatValues(name, compensation: comp)
          #expect(f.count == n)
          let bad = zip(f, d).enumerated().first { !($0.1.0 == $0.1.1 || ($0.1.0.isNaN && $0.1.1.isNaN)) }
          #expect(bad == nil, "\(name) \(comp) \(scalings == nil): first difference \(String(describing: bad))")
        }
      }
    }
  }
}
