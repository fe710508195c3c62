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
/// computed one, and 4 more per computed dimension a polygon reads (``rounded``).
public struct PreparedDimensions: Sendable {
  /// Events per column.
  public let eventCount: Int
  /// Every dimension of the strategy the dimensions were prepared for.
  public let columns: [GateDimension: DimensionValues]
  /// Each `Double` dimension a polygon gate reads, rounded to the nearest `Float`: polygons are
  /// decided on these first, and on the exact values only for the events the `Float` kernel's
  /// error bound cannot place (docs/engine.md, *Polygons on rounded columns*).
  public let rounded: [GateDimension: [Float]]
  /// Decisions made while computing them (for example `FCS` compensation on a file without spillover).
  public let diagnostics: [Diagnostic]
  /// Polygon parents' events sorted into bands of the polygon's y, built on first use.
  let bandIndexes = PolygonBandIndexCache()

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
    var rounded: [GateDimension: [Float]] = [:]
    for gate in try strategy.evaluationOrder() {
      for d in gate.shape.dimensions where columns[d] == nil {
        switch try resolver.source(d, for: gate.id) {
        case .stored(let c): columns[d] = .float(Array(input.events.column(ChannelIndex(c))))
        case .computed, .lazy: columns[d] = try resolver.values(d, for: gate.id)
        }
      }
      if case .polygon(let x, let y, _) = gate.shape {
        for d in [x, y] where rounded[d] == nil {
          if case .double(let v)? = columns[d] { rounded[d] = Kernels.roundedToFloat(v) }
        }
      }
    }
    return PreparedDimensions(eventCount: input.events.eventCount, columns: columns, rounded: rounded, diagnostics: resolver.diagnostics)
  }

  /// Evaluates the gates `gates` of `strategy` (each with every population it defines) on
  /// prepared dimensions; each other population those gates read (a parent, a Boolean operand)
  /// is taken from `given`. The masks are the ones ``evaluate(_:on:)`` gives for these
  /// populations when `given` holds that evaluation's masks.
  ///
  /// With `previous`, the strategy `given` holds the evaluation of (on the same prepared
  /// dimensions), a gate defined in `strategy` exactly as in `previous` (same parent, shape and
  /// region, the same transformations and matrices), other than a Boolean gate, is computed only
  /// in the 64-event words where its parent's mask differs from its mask in `given`, and keeps
  /// its words from `given` elsewhere: membership is decided event by event, so those words
  /// cannot have changed. A review drag that moves a gate thus recomputes the gates below it
  /// only where the moved gate's mask changed.
  ///
  /// - Complexity: the kernels of the chosen gates only, over the words their parents keep (and,
  ///   for gates unchanged since `previous`, over the words where their parents changed).
  /// - Throws: ``GatingStrategyError`` when a gate reads a dimension `prepared` lacks, or a
  ///   population it reads is neither evaluated nor given.
  public static func evaluate(_ gates: Set<GateID>, of strategy: GatingStrategy, prepared: PreparedDimensions,
                              given: [GateID: EventMask], previous: GatingStrategy? = nil) throws -> [GateID: EventMask] {
    let n = prepared.eventCount
    let order = try strategy.evaluationOrder().filter { gates.contains($0.id) }
    var columnIndex: [GateDimension: Int] = [:]
    var columns: [DimensionValues] = []
    var rounded: [[Float]?] = []
    let plans = try makePlans(order) { d, gate in
      if let i = columnIndex[d] { return .computed(i) }
      guard let v = prepared.columns[d], v.count == n else {
        throw GatingStrategyError.invalidGate(gate, "a dimension this gate reads was not prepared")
      }
      columns.append(v)
      rounded.append(prepared.rounded[d].flatMap { $0.count == n ? $0 : nil })
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
    let (reused, oldWords, oldIndex) = unchangedGates(order, of: strategy, since: previous, given: given, eventCount: n)
    let roundedColumns = rounded.compactMap { $0 }
    var words = Kernels.withMaskWords(count: popIndex.count, wordCount: wordCount) { masks in
      Kernels.withRaw(columns) { ptrs, isFloat in
        withPointers(roundedColumns) { roundedPointers in
          withPointers(oldWords) { old in
            var roundedPointer: [UnsafePointer<Float>?] = []
            var next = 0
            for r in rounded {
              roundedPointer.append(r == nil ? nil : roundedPointers[next])
              if r != nil { next += 1 }
            }
            func column(_ s: ColumnSource) -> Kernels.Column {
              switch s {
              case .computed(let i): Kernels.Column(ptrs[i], isFloat: isFloat[i], rounded: isFloat[i] ? nil : roundedPointer[i])
              case .stored, .lazy: fatalError("prepared dimensions are computed columns")
              }
            }
            // Polygons whose parent is not evaluated here (a drag moves the polygon, not its parent):
            // decided from the parent's band index before the block loop.
            var decided: [GateID: UnsafeMutablePointer<UInt64>] = [:]
            defer { for p in decided.values { p.deallocate() } }
            for case .polygon(let g, let sx, let sy, let vertices) in plans where g.parent.map({ popIndex[$0] == nil }) ?? true {
              guard case .polygon(let dx, let dy, _) = g.shape, let polygon = Kernels.roundedPolygon(vertices) else { continue }
              let (cx, cy) = (column(sx), column(sy))
              guard let fx = cx.floats, let fy = cy.floats else { continue }
              let parentWords = g.parent.map { given[$0]!.words }
              guard let index = prepared.bandIndexes.index(x: dx, y: dy, parentID: g.parent, parent: parentWords, build: {
                PolygonBandIndex.build(x: fx, y: fy, parent: parentWords, eventCount: n)
              }) else { continue }
              let out = UnsafeMutablePointer<UInt64>.allocate(capacity: Swift.max(wordCount, 1))
              out.initialize(repeating: 0, count: wordCount)
              index.inside(polygon, Kernels.edges(vertices), x: cx, y: cy, into: out, wordCount: wordCount)
              decided[g.id] = out
            }
            func previousMasks(_ g: Gate) -> PreviousMasks? {
              guard let (parent, own) = reused[g.id] else { return nil }
              return PreviousMasks(parent: old[oldIndex[parent]!],
                                   own: Dictionary(uniqueKeysWithValues: own.map { ($0, old[oldIndex[$0]!]) }))
            }
            let steps = makeSteps(plans, column: column, mask: { popIndex[$0].map { masks[$0] } ?? external[$0]! }, lazyColumns: [],
                                  previous: previousMasks, decided: { decided[$0].map { UnsafePointer($0) } })
            // Blocks of 512 words (32,768 events): after a drag most words are skipped, and each
            // step is entered once per block.
            Kernels.run(steps, eventCount: n, block: 512)
          }
        }
      }
    }
    var out: [GateID: EventMask] = [:]
    for (id, i) in popIndex {
      let w = words[i]
      words[i] = []  // the mask's array is then its only reference: no copy when it clears its tail
      out[id] = EventMask(count: n, words: w)
    }
    return out
  }

  /// The gates of `order` defined in `strategy` as in `previous` (same gate, same
  /// transformations and matrices; not Boolean; with a parent) whose parent's and own masks
  /// `given` holds: per gate its parent and populations, and those masks' words (indexed).
  private static func unchangedGates(_ order: [Gate], of strategy: GatingStrategy, since previous: GatingStrategy?,
                                     given: [GateID: EventMask], eventCount n: Int)
    -> ([GateID: (GateID, [GateID])], [[UInt64]], [GateID: Int]) {
    guard let previous, previous.transformations == strategy.transformations,
          previous.spectrumMatrices == strategy.spectrumMatrices, previous.dialect == strategy.dialect else { return ([:], [], [:]) }
    var before: [GateID: Gate] = [:]
    for g in previous.gates where before[g.id] == nil { before[g.id] = g }
    var reused: [GateID: (GateID, [GateID])] = [:]
    var words: [[UInt64]] = []
    var index: [GateID: Int] = [:]
    for g in order {
      guard let parent = g.parent, before[g.id] == g else { continue }
      if case .boolean = g.shape { continue }
      let needed = [parent] + g.populations
      guard needed.allSatisfy({ given[$0]?.count == n }) else { continue }
      for id in needed where index[id] == nil {
        index[id] = words.count
        words.append(given[id]!.words)
      }
      reused[g.id] = (parent, g.populations)
    }
    return (reused, words, index)
  }
}

/// Calls `body` with a pointer to each array's elements (valid during the call; a dangling but
/// never dereferenced pointer for an empty array).
func withPointers<T, R>(_ arrays: [[T]], _ body: ([UnsafePointer<T>]) -> R) -> R {
  var pointers: [UnsafePointer<T>] = []
  pointers.reserveCapacity(arrays.count)
  func level(_ i: Int) -> R {
    if i == arrays.count { return body(pointers) }
    return arrays[i].withUnsafeBufferPointer { b in
      pointers.append(b.baseAddress ?? UnsafePointer(bitPattern: 16)!)
      return level(i + 1)
    }
  }
  return level(0)
}
