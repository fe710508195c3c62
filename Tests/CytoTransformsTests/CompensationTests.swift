import CytoCore
import CytoTransforms
import Foundation
import Testing

@Suite("Compensation")
struct CompensationTests {
  /// The compliance suite's gates3.xml `MySpill` and, with matrix-inverted-already, its
  /// inverse `MyInvertedSpill` (8–9 significant digits as written in the XML).
  static let mySpill = SpilloverMatrix(
    fluorochromes: ["Comp-PE", "Comp-PerCP-Cy5-5", "Comp-APC"], detectors: ["PE-A", "PerCP-Cy5-5-A", "APC-A"],
    values: [1, 0.02, 0.06, 0.11, 1, 0.07, 0.09, 0.01, 1])
  static let myInvertedSpill: [Double] = [
    1.00746856, -0.019558581, -0.05907901, -0.10454767, 1.002730136, -0.06391825, -0.08962669, -0.008267029, 1.00595629,
  ]
  /// gates3.xml `MyNonSquareSpectrum` (2 fluorochromes × 3 detectors) and its least-squares
  /// inverse `MyNonSquareSpectrumInvertedAlready` (3 rows of 2, one per detector).
  static let nonSquare = SpilloverMatrix(
    fluorochromes: ["Deconvoluted-P1", "Deconvoluted-P2"], detectors: ["PE-A", "PerCP-Cy5-5-A", "APC-A"],
    values: [0.78, 0.13, 0.22, 0.05, 0.57, 0.89])
  static let nonSquareInverted: [Double] = [1.30203507, -0.3146035, -0.04635483, 0.5219464, -0.04346012, 0.8069896]

  @Test func inverseTimesSpilloverIsIdentity() throws {
    var rng = SeededGenerator(seed: 42)
    for n in [1, 2, 3, 8, 12, 24] {
      let names = (0..<n).map { ChannelName("D\($0)") }
      var s = [Double](repeating: 0, count: n * n)
      for i in 0..<n { for j in 0..<n { s[i * n + j] = i == j ? 1 : Double.random(in: 0...0.3, using: &rng) } }
      let m = try CompensationMatrix(SpilloverMatrix(channels: names, values: s))
      #expect(m.derivation == .inverse)
      for i in 0..<n {
        for j in 0..<n {
          var sum = 0.0
          for k in 0..<n { sum += s[i * n + k] * m.values[k * n + j] }
          #expect(abs(sum - (i == j ? 1 : 0)) < 1e-13, "n=\(n) (S·M)[\(i),\(j)] = \(sum)")
        }
      }
      #expect((m.conditionNumber ?? .infinity) < 1e3)
    }
  }

  /// By hand: FITC spills 20 % into PE, PE 10 % into FITC. A cell with FITC 1000 and PE 500
  /// is observed as (1000 + 0.1·500, 0.2·1000 + 500) = (1050, 700); S⁻¹ = [[1, −0.2],
  /// [−0.1, 1]]/0.98.
  @Test func twoChannelHandExample() throws {
    let s = SpilloverMatrix(channels: ["FITC-A", "PE-A"], values: [1, 0.2, 0.1, 1])
    let m = try CompensationMatrix(s)
    let expected = [1 / 0.98, -0.2 / 0.98, -0.1 / 0.98, 1 / 0.98]
    for (a, b) in zip(m.values, expected) { #expect(abs(a - b) < 1e-15) }
    let c = m.compensate([1050, 700])
    #expect(abs(c[0] - 1000) < 1e-12 && abs(c[1] - 500) < 1e-12)
    let data = EventMatrix<Float>(rows: [[7, 1050, 700], [8, 0, 0], [9, -20, 100]], channelCount: 3)
    let out = try m.compensated(data, detectorColumns: [ChannelIndex(1), ChannelIndex(2)])
    #expect(out.channelCount == 2 && out.eventCount == 3)
    #expect(out.row(0) == [1000, 500])
    #expect(out.row(1) == [0, 0])
    #expect(out.row(2) == [Float((-20 - 10) / 0.98), Float((4 + 100) / 0.98)])
  }

  @Test func matchesTheSuitesInvertedAlreadyMatrix() throws {
    let m = try CompensationMatrix(Self.mySpill)
    for (a, b) in zip(m.values, Self.myInvertedSpill) { #expect(abs(a - b) < 6e-9, "\(a) vs \(b)") }
    let given = try CompensationMatrix(
      SpilloverMatrix(fluorochromes: Self.mySpill.fluorochromes, detectors: Self.mySpill.detectors, values: Self.myInvertedSpill),
      form: .inverse)
    #expect(given.derivation == .given && given.values == Self.myInvertedSpill && given.conditionNumber == nil)
  }

  /// Least squares on the suite's 2 × 3 spectrum: the matrix equals the suite's pre-inverted
  /// one, and data generated from known abundances (observed = true × S, consistent) come
  /// back exactly.
  @Test func leastSquaresOnNonSquareSpectrum() throws {
    let m = try CompensationMatrix(Self.nonSquare)
    #expect(m.derivation == .leastSquares)
    #expect(m.detectors.count == 3 && m.fluorochromes.count == 2)
    for (a, b) in zip(m.values, Self.nonSquareInverted) { #expect(abs(a - b) < 6e-8, "\(a) vs \(b)") }
    let truth = [(300.0, 700.0), (-50, 12), (0, 1e5)]
    let rows = truth.map { t in (0..<3).map { d in t.0 * Self.nonSquare[row: 0, column: d] + t.1 * Self.nonSquare[row: 1, column: d] } }
    let data = EventMatrix<Double>(rows: rows, channelCount: 3)
    let out = try m.compensated(data, detectorColumns: [0, 1, 2].map { ChannelIndex($0) })
    for (e, t) in truth.enumerated() {
      #expect(abs(out[event: e, channel: ChannelIndex(0)] - t.0) < 1e-10 * max(1, abs(t.0)))
      #expect(abs(out[event: e, channel: ChannelIndex(1)] - t.1) < 1e-10 * max(1, abs(t.1)))
    }
    // Inconsistent data: the residual of the least-squares solution is orthogonal to S's rows.
    let observed = [100.0, 200, 50]
    let c = m.compensate(observed)
    let residual = (0..<3).map { d in observed[d] - c[0] * Self.nonSquare[row: 0, column: d] - c[1] * Self.nonSquare[row: 1, column: d] }
    for f in 0..<2 {
      let dot = (0..<3).reduce(0.0) { $0 + residual[$1] * Self.nonSquare[row: f, column: $1] }
      #expect(abs(dot) < 1e-11)
    }
  }

  @Test func singularMatrixNamesTheDependentChannels() {
    // Row of C = row of A + row of B.
    let s = SpilloverMatrix(channels: ["A", "B", "C"], values: [1, 0.5, 0.2, 0.5, 1, 0.3, 1.5, 1.5, 0.5])
    #expect(throws: CompensationError.singular(fluorochrome: "C", combinationOf: ["A", "B"])) { try CompensationMatrix(s) }
    let zeroRow = SpilloverMatrix(channels: ["A", "B"], values: [1, 0.1, 0, 0])
    #expect(throws: CompensationError.singular(fluorochrome: "B", combinationOf: [])) { try CompensationMatrix(zeroRow) }
    let spectral = SpilloverMatrix(fluorochromes: ["P1", "P2"], detectors: ["D1", "D2", "D3"], values: [0.2, 0.4, 0.6, 0.1, 0.2, 0.3])
    do {
      _ = try CompensationMatrix(spectral)
      Issue.record("expected singular")
    } catch {
      #expect(error == .singular(fluorochrome: "P2", combinationOf: ["P1"]))
      #expect(error.description.contains("channels involved: P2, P1"))
    }
  }

  @Test func otherConstructionErrors() {
    #expect(throws: CompensationError.empty) { try CompensationMatrix(SpilloverMatrix(channels: [], values: [])) }
    let wide = SpilloverMatrix(fluorochromes: ["A", "B", "C"], detectors: ["D1", "D2"], values: [1, 0, 0, 1, 1, 1])
    #expect(throws: CompensationError.underdetermined(fluorochromes: 3, detectors: 2)) { try CompensationMatrix(wide) }
    let inf = SpilloverMatrix(channels: ["A", "B"], values: [1, 0, -.infinity, 1])
    #expect(throws: CompensationError.nonFiniteCoefficient(fluorochrome: "B", detector: "A", value: -.infinity)) { try CompensationMatrix(inf) }
    let nan = SpilloverMatrix(fluorochromes: ["P"], detectors: ["D1", "D2"], values: [0.5, .nan])
    #expect { try CompensationMatrix(nan, form: .inverse) } throws: { error in
      guard case .nonFiniteCoefficient(let f, let d, let v) = error as? CompensationError else { return false }
      return f == "P" && d == "D2" && v.isNaN
    }
    let dup = SpilloverMatrix(channels: ["A", "A"], values: [1, 0, 0, 1])
    #expect(throws: CompensationError.duplicateChannel("A")) { try CompensationMatrix(dup) }
  }

  @Test func detectorColumnErrors() throws {
    let m = try CompensationMatrix(SpilloverMatrix(channels: ["A", "B"], values: [1, 0.1, 0.1, 1]))
    let data = EventMatrix<Float>(eventCount: 3, channelCount: 2)
    #expect(throws: CompensationError.detectorColumnCount(expected: 2, given: 1)) { try m.compensated(data, detectorColumns: [ChannelIndex(0)]) }
    #expect(throws: CompensationError.detectorColumnOutOfRange(ChannelIndex(2), channelCount: 2)) {
      try m.compensated(data, detectorColumns: [ChannelIndex(0), ChannelIndex(2)])
    }
  }

  /// The blocked SIMD, multi-core column kernel against the per-event scalar sum, bit for bit,
  /// for fluorochrome counts around the block of 4 and event counts around lanes and chunks.
  @Test(arguments: [1, 3, 4, 5, 12])
  func columnsEqualPerEventCompensation(_ n: Int) throws {
    var rng = SeededGenerator(seed: UInt64(n))
    let names = (0..<n).map { ChannelName("FL\($0)-A") }
    var s = [Double](repeating: 0, count: n * n)
    for i in 0..<n { for j in 0..<n { s[i * n + j] = i == j ? 1 : Double.random(in: 0...0.25, using: &rng) } }
    let m = try CompensationMatrix(SpilloverMatrix(channels: names, values: s))
    for events in [0, 1, 3, 4, 5, 511, 513, 20_001] {
      let channels = n + 2
      var rows: [[Double]] = []
      for _ in 0..<events { rows.append((0..<channels).map { _ in Double(Float(Double.random(in: -500...250_000, using: &rng))) }) }
      let columns = (0..<n).map { ChannelIndex(channels - 1 - $0) }  // reversed order, skipping 2 channels
      let doubles = EventMatrix<Double>(rows: rows, channelCount: channels)
      let floats = doubles.converted(to: Float.self)
      let outD = try m.compensated(doubles, detectorColumns: columns)
      let outF = try m.compensated(floats, detectorColumns: columns)
      for e in stride(from: 0, to: events, by: events > 1_000 ? 13 : 1) {
        let expected = m.compensate(columns.map { rows[e][$0.rawValue] })
        for f in 0..<n {
          #expect(same(outD[event: e, channel: ChannelIndex(f)], expected[f]))
          #expect(same(outF[event: e, channel: ChannelIndex(f)], Float(expected[f])))
        }
      }
    }
  }

  @Test func compensatesByChannelName() throws {
    let m = try CompensationMatrix(SpilloverMatrix(channels: ["Comp-FITC-A", "Comp-PE-A"], values: [1, 0.2, 0.1, 1]))
    let data = EventMatrix<Float>(rows: [[1, 1050, 700]], channelCount: 3)
    let out = try m.compensated(data, channelNames: ["FSC-A", "FITC-A", "PE-A"])
    #expect(out.row(0) == [1000, 500])
    #expect(throws: ChannelResolutionError.self) { try m.compensated(data, channelNames: ["FSC-A", "FITC-A", "APC-A"]) }
  }
}
