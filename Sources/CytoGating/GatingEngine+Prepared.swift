import CytoCore

/// The values of every dimension a strategy's gates read, computed once for one sample, so that
/// edited versions of the strategy (the same dimensions, other geometry) can be evaluated again
/// without the FCS data: stored `Float` channels that nothing changes as they are stored, every
/// computed dimension (scaling, compensation, ratio, scale transform) in `Double` by the
/// engine's whole-column path.
///
/// These are exactly the values the engine decides on: its lazily computed dimensions are the
/// same `Double`s block by block, and its Float32 transforms decide every event near a cut or
/// edge again on them (docs/engine.md), so evaluating on prepared dimensions gives the masks
/// ``GatingEngine/evaluate(_:on:)`` gives. Memory: 4 bytes per event per stored dimension, 8 per
/// computed one.
public struct PreparedDimensions: Sendable {
  /// Events per column.
  public let eventCount: Int
  /// Every dimension of the strategy the dimensions were prepared for.
  public let columns: [GateDimension: DimensionValues]
  /// Decisions made while computing them (for example `FCS` compensation on a file without spillover).
  public let diagnostics: [Diagnostic]

  /// The values of dimension `d`, or `nil` when no gate of the prepared strategy reads it.
  public subscript(d: GateDimension) -> DimensionValues? { columns[d] }
}

extension GatingEngine {
  /// Computes every dimension the gates of `strategy` read, on `input` (see ``PreparedDimensions``).
  /// - Throws: ``GatingStrategyError`` when a channel, matrix or transformation is missing or
  ///   unusable, or the strategy is a FlowJo export (resolve it first: ``GatingStrategy/resolved(for:)``).
  public static func prepareDimensions(of strategy: GatingStrategy, on input: GatingInput) throws -> PreparedDimensions {
    guard strategy.dialect == .standard else {
      throw GatingStrategyError.invalidGate(GateID("(strategy)"), "a FlowJo export must be resolved against the data before its dimensions are prepared")
    }
    var resolver = DimensionResolver(strategy: strategy, input: input)
    var columns: [GateDimension: DimensionValues] = [:]
    for gate in try strategy.evaluationOrder() {
      for d in gate.shape.dimensions where columns[d] == nil {
        switch try resolver.source(d, for: gate.id) {
        case .stored(let c): columns[d] = .float(Array(input.events.column(ChannelIndex(c))))
        case .computed, .lazy: columns[d] = try resolver.values(d, for: gate.id)
        }
      }
    }
    return PreparedDimensions(eventCount: input.events.eventCount, columns: columns, diagnostics: resolver.diagnostics)
  }

  /// Evaluates the gates `gates` of `strategy` (each with every population it defines) on
  /// prepared dimensions; each other population those gates read (a parent, a Boolean operand)
  /// is taken from `given`. The masks are the ones ``evaluate(_:on:)`` gives for these
  /// populations when `given` holds that evaluation's masks.
  ///
  /// - Complexity: the kernels of the chosen gates only, over the words their parents keep.
  /// - Throws: ``GatingStrategyError`` when a gate reads a dimension `prepared` lacks, or a
  ///   population it reads is neither evaluated nor given.
  public static func evaluate(_ gates: Set<GateID>, of strategy: GatingStrategy, prepared: PreparedDimensions,
                              given: [GateID: EventMask]) throws -> [GateID: EventMask] {
    let n = prepared.eventCount
    let order = try strategy.evaluationOrder().filter { gates.contains($0.id) }
    var columnIndex: [GateDimension: Int] = [:]
    var columns: [DimensionValues] = []
    let plans = try makePlans(order) { d, gate in
      if let i = columnIndex[d] { return .computed(i) }
      guard let v = prepared.columns[d], v.count == n else {
        throw GatingStrategyError.invalidGate(gate, "a dimension this gate reads was not prepared")
      }
      columns.append(v)
      columnIndex[d] = columns.count - 1
      return .computed(columns.count - 1)
    }
    var popIndex: [GateID: Int] = [:]
    for g in order { for p in g.populations { popIndex[p] = popIndex.count } }
    // Populations read but not evaluated: copies of the given masks.
    let wordCount = (n + 63) >> 6
    var external: [GateID: UnsafeMutablePointer<UInt64>] = [:]
    defer { for p in external.values { p.deallocate() } }
    for g in order {
      var reads: [GateID] = g.parent.map { [$0] } ?? []
      if case .boolean(let e) = g.shape { reads += e.operands.map(\.gate) }
      for id in reads where popIndex[id] == nil && external[id] == nil {
        guard let m = given[id], m.count == n else { throw GatingStrategyError.unknownGate(id, referencedBy: g.id) }
        let p = UnsafeMutablePointer<UInt64>.allocate(capacity: max(wordCount, 1))
        m.words.withUnsafeBufferPointer { w in if let b = w.baseAddress { p.initialize(from: b, count: wordCount) } }
        external[id] = p
      }
    }
    let words = Kernels.withMaskWords(count: popIndex.count, wordCount: wordCount) { masks in
      Kernels.withRaw(columns) { ptrs, isFloat in
        func column(_ s: ColumnSource) -> Kernels.Column {
          switch s {
          case .computed(let i): Kernels.Column(ptrs[i], isFloat: isFloat[i])
          case .stored, .lazy: fatalError("prepared dimensions are computed columns")
          }
        }
        let steps = makeSteps(plans, column: column, mask: { popIndex[$0].map { masks[$0] } ?? external[$0]! }, lazyColumns: [])
        Kernels.run(steps, eventCount: n)
      }
    }
    var out: [GateID: EventMask] = [:]
    for (id, i) in popIndex { out[id] = EventMask(count: n, words: words[i]) }
    return out
  }
}
