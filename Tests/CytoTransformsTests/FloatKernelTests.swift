import CytoCore
import Foundation
import Testing

@testable import CytoTransforms

/// The Float32 Logicle/Hyperlog forward kernel (``FloatForwardTable``) and the fused
/// compensation + transform, against the Float64 transforms.
@Suite("Float32 table kernel")
struct FloatKernelTests {
  /// The documented bound (docs/transforms.md): at most 2 Float ulps from the Float64
  /// result rounded to Float, and a relative error of at most 2.5e−7 wherever the result is
  /// a normal Float.
  static let maxUlps = 2
  static let maxRelative = 2.5e-7

  /// Parameter sets from the common case to the edges of the domain: W = 0, W = M/2, A = −W
  /// (x₁ = 0), A = M − 2W, M = 15 and 30, tiny T, and FlowJo's default biex.
  static let transforms: [ScaleTransform] = {
    do {
      var list: [ScaleTransform] = []
      for (t, w, m, a) in [
        (262_144.0, 0.5, 4.5, 0.0), (1_000, 1, 4, 0), (262_144, 0, 4.5, 0), (262_144, 2.25, 4.5, 0),
        (262_144, 0.5, 4.5, -0.5), (262_144, 1, 4.5, 2.5), (262_144, 7.5, 15, 0), (262_144, 15, 30, 0),
        (1, 0.001, 0.01, 0), (262_144, 0.01, 4.5, 0),
      ] {
        list.append(.logicle(try LogicleParameters(t: t, w: w, m: m, a: a)))
        if w > 0 { list.append(.hyperlog(try HyperlogParameters(t: t, w: w, m: m, a: a))) }
      }
      list.append(.flowJoBiex(try FlowJoBiexParameters(widthBasis: -10, positiveDecades: 4.418540, negativeDecades: 0, maxValue: 262_144)))
      return list
    } catch {
      fatalError("\(error)")
    }
  }()

  static func kernel(_ t: ScaleTransform) -> BiexponentialKernel {
    switch t {
    case .logicle(let p): p.kernel
    case .hyperlog(let p): p.kernel
    case .flowJoBiex(let p): p.logicle.kernel
    default: fatalError("not a biexponential transform")
    }
  }

  /// The Float32 column and the Float64 reference of `xs`; the worst ulp distance and
  /// relative error, and the first value outside the bound.
  static func errors(_ t: ScaleTransform, _ xs: [Float]) -> (ulps: Int, relative: Double, offender: Float?) {
    let ys = t.forward(xs)
    let reference = t.forward(xs.map(Double.init))
    var worstUlps = 0, worstRelative = 0.0
    var offender: Float? = nil
    for k in xs.indices {
      let r = reference[k], y = ys[k]
      if r.isNaN || y.isNaN {
        if !(r.isNaN && y.isNaN) { offender = offender ?? xs[k] }
        continue
      }
      let u = ulps(y, Float(r))
      worstUlps = max(worstUlps, u)
      var relative = 0.0
      if abs(r) >= Double(Float.leastNormalMagnitude), r.isFinite {
        relative = abs(Double(y) - r) / abs(r)
        worstRelative = max(worstRelative, relative)
      }
      if u > maxUlps || relative > maxRelative { offender = offender ?? xs[k] }
    }
    return (worstUlps, worstRelative, offender)
  }

  /// Dense sweep: every Float from a stride through all finite bit patterns (both signs),
  /// consecutive Floats around the table's limits, the zero crossing of negative data and
  /// T, and random data-like values.
  @Test(arguments: Self.transforms)
  func denseSweepWithinDocumentedBound(_ t: ScaleTransform) {
    let table = Self.kernel(t).floatTable.get(Self.kernel(t))
    var xs = Self.strideThroughFiniteFloats()
    func around(_ x: Float, _ count: Int) {
      var lo = x, hi = x
      for _ in 0..<count {
        xs.append(lo)
        xs.append(hi)
        lo = lo.nextDown
        hi = hi.nextUp
      }
    }
    for limit in [table.lowerLimit, table.upperLimit, Float(t.inverse(1))] where limit.isFinite && limit > 0 {
      around(limit, 2_000)
      around(-limit, 2_000)
    }
    // The zero crossing of negative data, the edges of the exact window around it, and the
    // middle of the linear region.
    let x1 = Self.kernel(t).x1
    for y in [0, x1 / 64, -x1 / 64, x1 / 32, x1 / 2] where x1 > 0 { around(Float(t.inverse(y)), 2_000) }
    var rng = SeededGenerator(seed: 3)
    for _ in 0..<20_000 {
      let magnitude = Float(t.inverse(1) * pow(10, Double.random(in: -6...0.5, using: &rng)))
      xs.append(Bool.random(using: &rng) ? magnitude : -magnitude / 100)
    }
    let e = Self.errors(t, xs)
    print("\(t): Float32 kernel over \(xs.count) values: worst \(e.ulps) ulp, relative \(e.relative); \(1 << table.octaveBits) intervals/octave, midpoint error \(table.midpointError)")
    #expect(e.offender == nil, "\(t): \(e.offender.map { String(describing: $0) } ?? "") outside the bound")
    #expect(e.ulps <= Self.maxUlps && e.relative <= Self.maxRelative)
    #expect(table.midpointError <= FloatForwardTable.tolerance)
  }

  /// Special and boundary values: exact where the result is exact (NaN, ±∞, the zero
  /// position), within the bound elsewhere.
  @Test(arguments: Self.transforms)
  func specialAndBoundaryValues(_ t: ScaleTransform) {
    let table = Self.kernel(t).floatTable.get(Self.kernel(t))
    let top = Float(t.inverse(1))
    let values: [Float] = [
      0, -0.0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude, -.leastNormalMagnitude, 1e-30, -1e-30,
      top, -top, top.nextUp, top.nextDown, table.lowerLimit, table.lowerLimit.nextDown, table.upperLimit, table.upperLimit.nextDown,
      -table.upperLimit, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .infinity, -.infinity, .nan,
    ]
    let ys = t.forward(values)
    for (x, y) in zip(values, ys) {
      let r = t.forward(Double(x))
      if x.isNaN { #expect(y.isNaN) } else if x.isInfinite { #expect(y == Float(r) && y.isInfinite) } else {
        #expect(ulps(y, Float(r)) <= Self.maxUlps, "\(t) x = \(x): \(y) vs \(Float(r))")
      }
    }
    // Data 0 (either sign) lands exactly on the rounded zero position.
    #expect(ys[0] == Float(Self.kernel(t).x1) && ys[1] == Float(Self.kernel(t).x1))
  }

  /// inverse(forward(x)) returns x to within what rounding y to Float allows: the data
  /// interval covered by 3 Float ulps of y around it, plus one ulp of x.
  @Test(arguments: Self.transforms)
  func roundTrips(_ t: ScaleTransform) {
    let top = Float(t.inverse(1))
    var xs: [Float] = [0, -0.0, 1e-30, -1e-30, .leastNormalMagnitude, top, -top, top.nextUp, top / 3, -top / 300, 1, -1]
    var rng = SeededGenerator(seed: 9)
    for _ in 0..<2_000 { xs.append(Float(Double(top) * pow(10, Double.random(in: -7...0.3, using: &rng))) * (Bool.random(using: &rng) ? 1 : -0.01)) }
    let ys = t.forward(xs)
    let back = t.inverse(ys)
    for k in xs.indices {
      let y = ys[k]
      let spread = 3 * y.ulp
      let lo = t.inverse(Double(y - spread)), hi = t.inverse(Double(y + spread))
      let allowed = max(abs(hi - Double(xs[k])), abs(Double(xs[k]) - lo)) + Double(xs[k].ulp)
      #expect(abs(Double(back[k]) - Double(xs[k])) <= allowed, "\(t): \(xs[k]) → \(y) → \(back[k])")
    }
    let specials = t.inverse(t.forward([Float.nan, .infinity, -.infinity]))
    #expect(specials[0].isNaN && specials[1] == .infinity && specials[2] == -.infinity)
  }

  /// Every value gives the same bits whatever its position and the column length (tails of
  /// 0…17 values, several cores for the long column).
  @Test func columnEqualsSingleValuesBitForBit() throws {
    let t = ScaleTransform.logicle(try LogicleParameters(t: 262_144, w: 0.5, m: 4.5, a: 0))
    var rng = SeededGenerator(seed: 21)
    let pool: [Float] = AllTransforms.awkwardValues(top: 262_144).map(Float.init)
      + (0..<200).map { _ in Float(262_144 * pow(10, Double.random(in: -6...0.5, using: &rng))) * (Bool.random(using: &rng) ? 1 : -0.001) }
    Self.expectColumnsEqualSingles(pool, rng: &rng, "\(t)") { t.forward($0) }
  }

  /// Every 20,011th finite Float bit pattern, with both signs: a sweep over every binade.
  static func strideThroughFiniteFloats() -> [Float] {
    var xs: [Float] = []
    var bits: UInt32 = 0
    while bits < 0x7F80_0000 {
      xs.append(Float(bitPattern: bits))
      xs.append(-Float(bitPattern: bits))
      bits &+= 20_011
    }
    return xs
  }

  /// `transform` of columns of 0…17, 1,001 and 40,003 values drawn from `pool` gives every
  /// value the bits it gets alone.
  static func expectColumnsEqualSingles(_ pool: [Float], rng: inout SeededGenerator, _ name: String,
                                        _ transform: ([Float]) -> [Float]) {
    let single = Dictionary(pool.map { ($0.bitPattern, transform([$0])[0]) }, uniquingKeysWith: { a, _ in a })
    for n in Array(0...17) + [1_001, 40_003] {
      let xs = (0..<n).map { _ in pool[Int.random(in: 0..<pool.count, using: &rng)] }
      let ys = transform(xs)
      for k in xs.indices where !same(ys[k], single[xs[k].bitPattern]!) {
        Issue.record("\(name) n = \(n), position \(k), x = \(xs[k]): \(ys[k]) vs \(single[xs[k].bitPattern]!)")
        break
      }
    }
  }

  /// The fused compensation + transform equals compensation followed by the column
  /// transform, bit for bit, in Float and Double, for event counts around lanes, blocks
  /// and the multi-core split, with some fluorochromes left untransformed.
  @Test func fusedCompensationEqualsCompensationThenTransform() throws {
    let n = 5
    var rng = SeededGenerator(seed: 17)
    let names = (0..<n).map { ChannelName("FL\($0)-A") }
    var s = [Double](repeating: 0, count: n * n)
    for i in 0..<n { for j in 0..<n { s[i * n + j] = i == j ? 1 : Double.random(in: 0...0.3, using: &rng) } }
    let m = try CompensationMatrix(SpilloverMatrix(channels: names, values: s))
    let logicle = ScaleTransform.logicle(try LogicleParameters(t: 262_144, w: 0.5, m: 4.5, a: 0))
    let hyperlog = ScaleTransform.hyperlog(try HyperlogParameters(t: 262_144, w: 1, m: 4.5, a: 0))
    let transforms: [ScaleTransform?] = [logicle, nil, hyperlog, .flin(try LinearParameters(t: 1000, a: 10)), logicle]
    for events in Array(0...17) + [511, 513, 1_001, 40_003] {
      let channels = n + 1
      var rows: [[Double]] = []
      for _ in 0..<events { rows.append((0..<channels).map { _ in Double(Float(Double.random(in: -2_000...250_000, using: &rng))) }) }
      let columns = (0..<n).map { ChannelIndex(channels - 1 - $0) }
      let doubles = EventMatrix<Double>(rows: rows, channelCount: channels)
      let floats = doubles.converted(to: Float.self)
      func separate<S: EventScalar>(_ data: EventMatrix<S>) throws -> EventMatrix<S> {
        var out = try m.compensated(data, detectorColumns: columns)
        out.withUnsafeMutableStorage { buf in
          for (f, t) in transforms.enumerated() {
            guard let t else { continue }
            let col = UnsafeMutableBufferPointer(rebasing: buf[(f * events)..<((f + 1) * events)])
            if S.self == Float.self {
              let p = UnsafeMutableBufferPointer(start: UnsafeMutableRawPointer(col.baseAddress)?.assumingMemoryBound(to: Float.self), count: events)
              t.forward(UnsafeBufferPointer(p), into: p)
            } else {
              let p = UnsafeMutableBufferPointer(start: UnsafeMutableRawPointer(col.baseAddress)?.assumingMemoryBound(to: Double.self), count: events)
              t.forward(UnsafeBufferPointer(p), into: p)
            }
          }
        }
        return out
      }
      let fusedF = try m.compensated(floats, detectorColumns: columns, transforms: transforms)
      let fusedD = try m.compensated(doubles, detectorColumns: columns, transforms: transforms)
      let expectedF = try separate(floats), expectedD = try separate(doubles)
      #expect(fusedF.eventCount == events && fusedF.channelCount == n)
      #expect(zip(fusedF.storage, expectedF.storage).allSatisfy { same($0, $1) }, "Float, \(events) events")
      #expect(zip(fusedD.storage, expectedD.storage).allSatisfy { same($0, $1) }, "Double, \(events) events")
    }
  }

  @Test func fusedByChannelName() throws {
    let m = try CompensationMatrix(SpilloverMatrix(channels: ["Comp-FITC-A", "Comp-PE-A"], values: [1, 0.2, 0.1, 1]))
    let data = EventMatrix<Float>(rows: [[1, 1050, 700], [2, -30, 5]], channelCount: 3)
    let t = ScaleTransform.logicle(try LogicleParameters(t: 262_144, w: 0.5, m: 4.5, a: 0))
    let out = try m.compensated(data, channelNames: ["FSC-A", "FITC-A", "PE-A"], transform: t)
    let plain = try m.compensated(data, channelNames: ["FSC-A", "FITC-A", "PE-A"])
    #expect(out.storage == t.forward(plain.storage))
    #expect(throws: ChannelResolutionError.self) { try m.compensated(data, channelNames: ["FSC-A", "FITC-A"], transform: t) }
  }
}
