import CytoCore
import CytoTransforms

/// Channel values under compensation references, for callers that read many channels of one
/// input (adaptive gating reads every marker): each detector's linear column is made once and
/// shared by every compensated channel computed from it, unlike repeated
/// ``GatingEngine/channelValues(_:compensation:input:strategy:)`` calls.
public struct ChannelValueReader {
  private var resolver: DimensionResolver

  /// A reader of `input`; `strategy` supplies the spectrum matrices of `.matrix` references.
  public init(input: GatingInput, strategy: GatingStrategy? = nil) throws {
    resolver = DimensionResolver(strategy: try strategy ?? GatingStrategy(gates: []), input: input)
  }

  /// Channel `name`'s values under `compensation` (channels the matrix does not cover pass
  /// through uncompensated).
  public mutating func values(_ name: ChannelName, compensation: CompensationReference) throws -> DimensionValues {
    try resolver.base(name, compensation, for: GateID("(statistics)"))
  }

  /// Channel `name`'s values under `compensation` as `Float`, read straight from the stored
  /// columns when every channel involved is stored unscaled: one output column allocated, no
  /// detector column copied (each compensated value is accumulated in `Double` over the
  /// detectors in matrix order, as ``values(_:compensation:)`` does, then rounded once).
  /// Otherwise the `Double` values rounded to `Float`.
  public mutating func floatValues(_ name: ChannelName, compensation: CompensationReference) throws -> [Float] {
    let gate = GateID("(statistics)")
    let input = resolver.input
    let n = input.events.eventCount
    func identity(_ c: ChannelIndex) -> Bool { input.scalings[c.rawValue].isIdentity }
    let plan = try resolver.compensationPlan(compensation, for: gate)
    let f = plan.flatMap { $0.0.fluorochromes.firstIndex(of: name) }
    if let (comp, resolution) = plan, let f, resolution.indices.allSatisfy(identity) {
      let nf = comp.fluorochromes.count
      // Zero coefficients too: 0 × NaN is NaN, as in the engine.
      let terms = resolution.indices.enumerated().map { d, c in (c.rawValue * n, comp.values[d * nf + f]) }
      return input.events.storage.withUnsafeBufferPointer { raw in
        [Float](unsafeUninitializedCapacity: n) { out, count in
          let block = 1024
          var acc = [Double](repeating: 0, count: block)
          acc.withUnsafeMutableBufferPointer { acc in
            var e0 = 0
            while e0 < n {
              let len = min(block, n - e0)
              for i in 0..<len { acc[i] = 0 }
              for (offset, k) in terms {
                let x = raw.baseAddress! + offset + e0
                for i in 0..<len { acc[i] += k * Double(x[i]) }
              }
              for i in 0..<len { out[e0 + i] = Float(acc[i]) }
              e0 += len
            }
          }
          count = n
        }
      }
    }
    let c = try resolver.channelIndex(name, for: gate)
    // Not compensated under this reference, and stored unscaled: the column itself.
    if f == nil && identity(c) { return Array(input.events.column(c)) }
    switch try values(name, compensation: compensation) {
    case .float(let v): return v
    case .double(let v): return v.map { Float($0) }
    }
  }
}
