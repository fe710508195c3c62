import CytoCore
import CytoTransforms
import Foundation

/// The events a strategy is applied to.
public struct GatingInput: Sendable {
  /// Channel names of the event columns (`$PnN`).
  public var channels: [ChannelName]
  /// Stored event values, column-major.
  public var events: EventMatrix<Float>
  /// Per channel, how stored values become the linear values gates see as "uncompensated"
  /// (log decoding, ÷ gain): the preparation Gating-ML 2.0 and its compliance results use.
  /// Applied in `Double` when a dimension is computed.
  public var scalings: [ValueScaling]
  /// The spillover matrix stored in the file, for `compensation-ref="FCS"`.
  public var fileSpillover: SpilloverMatrix?
  /// The keyword ``fileSpillover`` was read from (`$SPILLOVER`, `SPILL`, …), for messages.
  public var fileSpilloverKeyword: String?

  public init(channels: [ChannelName], events: EventMatrix<Float>, scalings: [ValueScaling]? = nil,
              fileSpillover: SpilloverMatrix? = nil, fileSpilloverKeyword: String? = nil) {
    precondition(channels.count == events.channelCount, "channel names do not match the event matrix")
    precondition(scalings == nil || scalings!.count == channels.count, "one scaling per channel")
    self.channels = channels
    self.events = events
    self.scalings = scalings ?? Array(repeating: .identity, count: channels.count)
    self.fileSpillover = fileSpillover
    self.fileSpilloverKeyword = fileSpilloverKeyword
  }

  /// The linear values of one channel: stored `Float` values when no scaling applies,
  /// otherwise scaled in `Double`.
  public func linearValues(_ c: ChannelIndex) -> DimensionValues {
    let rule = scalings[c.rawValue]
    let col = events.column(c)
    if rule.isIdentity { return .float(Array(col)) }
    return .double(col.map { rule.apply(Double($0)) })
  }
}

/// Event membership of every population of a strategy, for one sample.
public struct GatingResult: Sendable {
  public let eventCount: Int
  public let strategy: GatingStrategy
  /// Absolute membership (in the population and all its ancestors), per population id.
  public let masks: [GateID: EventMask]
  /// Decisions made while gating (for example `FCS` compensation on a file without spillover).
  public let diagnostics: [Diagnostic]

  /// Number of events in a population.
  public func count(_ id: GateID) -> Int? { masks[id]?.setCount }

  /// Events in the population's parent (all events for a root population).
  public func parentCount(_ id: GateID) -> Int? {
    if let p = strategy.parent(of: id) { return masks[p]?.setCount }
    return masks[id] == nil ? nil : eventCount
  }
}

/// Evaluates gating strategies on event data.
///
/// Each dimension a gate needs is computed once (compensation, ratio, scale transform, in
/// `Double` whenever anything is computed) and cached; stored `Float` channels that nothing
/// changes are read in place, never copied. All gates then run together over blocks of 4,096
/// events (so each column is streamed from memory once and the block stays in cache for every
/// gate that reads it), as SIMD kernels into bit masks, skipping 64-event words their parent
/// leaves empty; Boolean gates are word operations. Large inputs are split across all cores.
/// Logicle and Hyperlog dimensions are transformed in Float32 (about 10× cheaper than the
/// Float64 root finding); the few events whose Float32 value is within the kernel's error
/// bound of a cut or polygon edge are decided again on their Float64 value, so every mask is
/// the one the Float64 rule gives (docs/engine.md, *Float32 transforms*).
public enum GatingEngine {
  /// Whether Logicle/Hyperlog dimensions are transformed by the Float32 kernel, with every
  /// event within the kernel's error bound of a cut or polygon edge decided again in `Double`
  /// (the results are the same; `CYTORESET_EXACT_TRANSFORMS=1` turns it off, for comparisons).
  static let float32Transforms = ProcessInfo.processInfo.environment["CYTORESET_EXACT_TRANSFORMS"] == nil

  /// Applies `strategy` to `input`.
  /// A FlowJo export is first resolved against the input (``GatingStrategy/resolved(for:)``);
  /// the result holds the resolved strategy and its notes.
  /// - Throws: ``GatingStrategyError`` when a channel, matrix or transformation is missing or unusable.
  public static func evaluate(_ strategy: GatingStrategy, on input: GatingInput) throws -> GatingResult {
    let (strategy, dialectNotes) = try strategy.resolved(for: input)
    var resolver = DimensionResolver(strategy: strategy, input: input)
    let n = input.events.eventCount
    let order = try strategy.evaluationOrder()
    // 1. Resolve every dimension (in evaluation order, so the first error is the same as gate by gate).
    let plans = try makePlans(order) { d, gate in try resolver.source(d, for: gate) }
    // 2. One mask per population, filled block by block.
    var popIndex: [GateID: Int] = [:]
    for g in order { for p in g.populations { popIndex[p] = popIndex.count } }
    let wordCount = (n + 63) >> 6
    let computed = resolver.computedColumns
    let words = Kernels.withMaskWords(count: popIndex.count, wordCount: wordCount) { masks in
      input.events.storage.withUnsafeBufferPointer { stored in
        Kernels.withRaw(computed) { ptrs, isFloat in
          func column(_ s: ColumnSource) -> Kernels.Column {
            switch s {
            case .stored(let c): Kernels.Column(UnsafeRawPointer(stored.baseAddress.map { $0 + c * n } ?? UnsafePointer(bitPattern: 16)!), isFloat: true)
            case .computed(let i): Kernels.Column(ptrs[i], isFloat: isFloat[i])
            case .lazy(let i): Kernels.Column(slot: i)
            }
          }
          // Slots an ellipsoid reads stay exact (its quadratic form has no cheap error box).
          var exactSlots: Set<Int> = []
          for case .ellipsoid(_, let dims, _, _, _) in plans { for case .lazy(let i) in dims { exactSlots.insert(i) } }
          let lazyColumns = resolver.lazySpecs.enumerated().map { i, spec in
            var column = Kernels.LazyColumn(
              detectors: spec.detectors.map { c in stored.baseAddress.map { $0 + c * n } ?? UnsafePointer(bitPattern: 16)! },
              scalings: spec.scalings, coefficients: spec.coefficients, transform: spec.transform)
            if Self.float32Transforms, !exactSlots.contains(i), let t = spec.transform, t.bounds == nil,
               case .scale(let s) = t.kind, let bound = s.float32ForwardErrorBound {
              column.approximate = Kernels.ApproximateForward(transform: s, bound: bound)
            }
            return column
          }
          let steps = makeSteps(plans, column: column, mask: { masks[popIndex[$0]!] }, lazyColumns: lazyColumns)
          Kernels.run(steps, eventCount: n, lazy: lazyColumns)
        }
      }
    }
    var out: [GateID: EventMask] = [:]
    for (id, i) in popIndex { out[id] = EventMask(count: n, words: words[i]) }
    return GatingResult(eventCount: n, strategy: strategy, masks: out, diagnostics: dialectNotes + resolver.diagnostics)
  }

  /// Resolves every gate's dimensions to column sources, in `order`.
  static func makePlans(_ order: [Gate], source: (GateDimension, GateID) throws -> ColumnSource) throws -> [GatePlan] {
    var plans: [GatePlan] = []
    for gate in order {
      switch gate.shape {
      case .rectangle(let sides):
        plans.append(.rectangle(gate, try sides.map { (try source($0.dimension, gate.id), $0.min ?? -.infinity, $0.max ?? .infinity) }))
      case .polygon(let x, let y, let vertices):
        plans.append(.polygon(gate, try source(x, gate.id), try source(y, gate.id), vertices))
      case .ellipsoid(let dims, let mean, let cov, let d2):
        guard let inv = Kernels.invert(cov) else {
          throw GatingStrategyError.invalidGate(gate.id, "the ellipsoid covariance matrix is singular")
        }
        plans.append(.ellipsoid(gate, try dims.map { try source($0, gate.id) }, mean, inv, d2))
      case .quadrant(let dividers, let quadrants):
        let cols = try dividers.map { try source($0.dimension, gate.id) }
        var perQuadrant: [(GateID, [(ColumnSource, Double, Double)])] = []
        for q in quadrants {
          var sides: [(ColumnSource, Double, Double)] = []
          for (d, c) in zip(dividers, cols) {
            guard let location = q.positions[d.id] else { continue }  // unconstrained along d
            let k = d.interval(of: location)
            sides.append((c, k == 0 ? -Double.infinity : d.values[k - 1], k == d.values.count ? Double.infinity : d.values[k]))
          }
          perQuadrant.append((q.id, sides))
        }
        plans.append(.quadrant(gate, perQuadrant))
      case .boolean(let expr):
        plans.append(.boolean(gate, expr))
      }
    }
    return plans
  }

  /// The kernel steps of `plans`: per gate, its mask starts as the parent's, the lazy
  /// dimensions it reads are computed, its shape's kernels AND their result in. A gate with
  /// `previous` masks (an unchanged definition, see ``PreviousMasks``) is computed only in the
  /// words where its parent changed and keeps its earlier words elsewhere. A polygon with
  /// `decided` words (its shape already decided for every event) ANDs those in.
  static func makeSteps(_ plans: [GatePlan], column: (ColumnSource) -> Kernels.Column,
                        mask: (GateID) -> UnsafeMutablePointer<UInt64>, lazyColumns: [Kernels.LazyColumn],
                        previous: (Gate) -> PreviousMasks? = { _ in nil },
                        decided: (GateID) -> UnsafePointer<UInt64>? = { _ in nil }) -> [Kernels.Step] {
    var steps: [Kernels.Step] = []
    /// dest = parent (where it changed, for a gate with previous masks), then the lazy
    /// dimensions the gate reads, for the events it can keep.
    func start(_ dest: UnsafeMutablePointer<UInt64>, _ gate: Gate, _ sources: [ColumnSource]) {
      if let p = gate.parent, let prev = previous(gate) {
        steps.append(.startChanged(dest, parent: mask(p), previous: prev.parent))
      } else {
        steps.append(.start(dest, parent: gate.parent.map(mask)))
      }
      var seen: Set<Int> = []
      for case .lazy(let i) in sources where seen.insert(i).inserted { steps.append(.lazy(i, lazyColumns[i], dest)) }
    }
    /// dest = parent ∖ dest, for a gate that selects the outside of its shape; then, for a gate
    /// with previous masks, its earlier words where the parent did not change.
    func region(_ dest: UnsafeMutablePointer<UInt64>, _ gate: Gate) {
      if gate.region == .outside { steps.append(.boolean(.not, [(dest, false)], parent: gate.parent.map(mask), dest)) }
      keep(dest, gate, gate.id)
    }
    func keep(_ dest: UnsafeMutablePointer<UInt64>, _ gate: Gate, _ population: GateID) {
      if let p = gate.parent, let prev = previous(gate), let old = prev.own[population] {
        steps.append(.keepUnchanged(dest, parent: mask(p), previous: prev.parent, old: old))
      }
    }
    for plan in plans {
      switch plan {
      case .rectangle(let gate, let sides):
        let dest = mask(gate.id)
        start(dest, gate, sides.map(\.0))
        for (c, lo, hi) in sides { steps.append(.range(column(c), lo: lo, hi: hi, dest)) }
        region(dest, gate)
      case .polygon(let gate, let x, let y, let vertices):
        let dest = mask(gate.id)
        start(dest, gate, [x, y])
        let (cx, cy) = (column(x), column(y))
        if let words = decided(gate.id) {
          steps.append(.andWords(words, dest))
        } else if !(cx.isFloat && cy.isFloat), cx.floats != nil, cy.floats != nil, let rounded = Kernels.roundedPolygon(vertices) {
          steps.append(.polygonRounded(cx, cy, Kernels.edges(vertices), rounded, dest))
        } else {
          steps.append(.polygon(cx, cy, Kernels.edges(vertices), Kernels.floatPolygon(vertices), dest))
        }
        region(dest, gate)
      case .ellipsoid(let gate, let dims, let mean, let inv, let d2):
        let dest = mask(gate.id)
        start(dest, gate, dims)
        steps.append(.ellipsoid(dims.map(column), mean: mean, inverse: inv, distanceSquare: d2, dest))
        region(dest, gate)
      case .quadrant(let gate, let quadrants):
        for (id, sides) in quadrants {
          let dest = mask(id)
          start(dest, gate, sides.map(\.0))
          for (c, lo, hi) in sides { steps.append(.range(column(c), lo: lo, hi: hi, dest)) }
          keep(dest, gate, id)
        }
      case .boolean(let gate, let expr):
        let ops = expr.operands.map { (mask($0.gate), $0.complement) }
        let kind: Kernels.BooleanKind
        switch expr {
        case .and: kind = .and
        case .or: kind = .or
        case .not: kind = .not
        }
        steps.append(.boolean(kind, ops, parent: gate.parent.map(mask), mask(gate.id)))
      }
    }
    return steps
  }

  /// An earlier evaluation's masks for a gate whose definition (and every definition it reads)
  /// is unchanged: its parent's and its populations'. Gate membership is decided event by event,
  /// so in every 64-event word where the parent's mask equals `parent` the gate's words equal
  /// its earlier ones.
  struct PreviousMasks {
    var parent: UnsafePointer<UInt64>
    var own: [GateID: UnsafePointer<UInt64>]
  }

  /// A gate with its dimensions resolved.
  enum GatePlan {
    case rectangle(Gate, [(ColumnSource, Double, Double)])
    case polygon(Gate, ColumnSource, ColumnSource, [Vertex])
    case ellipsoid(Gate, [ColumnSource], [Double], [Double], Double)
    case quadrant(Gate, [(GateID, [(ColumnSource, Double, Double)])])
    case boolean(Gate, BooleanExpression)
  }
}

/// Where a gate dimension's values live: a stored `Float` channel read in place, or a computed column.
enum ColumnSource: Hashable {
  /// Channel index into `GatingInput.events`.
  case stored(Int)
  /// Index into `DimensionResolver.computedColumns`.
  case computed(Int)
  /// Index into `DimensionResolver.lazySpecs`: computed block by block, only for the events the
  /// gate's parent keeps.
  case lazy(Int)
}

/// How to compute a channel dimension's value for one event: the linear detector values
/// (stored `Float`s, scaled in `Double` where a scaling applies), compensated with one column of
/// a compensation matrix (summed over detectors in matrix order from 0, exactly as
/// `CompensationKernel`), then a scale transform — the same arithmetic as the whole-column path.
struct LazySpec {
  /// Stored channel indices of the detectors (one, without compensation).
  var detectors: [Int]
  /// Per detector, the scaling when it is not the identity.
  var scalings: [ValueScaling?]
  /// Compensation coefficients per detector, or `nil` for the channel's linear value itself.
  var coefficients: [Double]?
  /// The scale transformation applied last, if any.
  var transform: Transformation?
}

/// Computes (and caches) the values of gate dimensions.
struct DimensionResolver {
  let strategy: GatingStrategy
  let input: GatingInput
  var cache: [GateDimension: DimensionValues] = [:]
  /// Column of each dimension the engine reads, and the computed columns they point into.
  var sources: [GateDimension: ColumnSource] = [:]
  var computedColumns: [DimensionValues] = []
  var lazySpecs: [LazySpec] = []
  /// Linear (scaled) values per channel index, computed once.
  var linearCache: [Int: DimensionValues] = [:]
  /// Compensated channels per compensation reference, by output (fluorochrome) name.
  var compensated: [CompensationReference: [ChannelName: [Double]]] = [:]
  /// Compensation matrices and their detector channels, per reference.
  var plans: [CompensationReference: (CompensationMatrix, ChannelResolution)] = [:]
  var diagnostics: [Diagnostic] = []
  var notedMissingSpillover = false

  init(strategy: GatingStrategy, input: GatingInput) {
    self.strategy = strategy
    self.input = input
  }

  func channelIndex(_ name: ChannelName, for gate: GateID) throws -> ChannelIndex {
    guard let i = input.channels.firstIndex(of: name) else {
      throw GatingStrategyError.missingChannel(name, needed: "gate \(gate)", available: input.channels)
    }
    return ChannelIndex(i)
  }

  /// The value of channel `name` under `compensation`, before any transform.
  mutating func base(_ name: ChannelName, _ compensation: CompensationReference, for gate: GateID) throws -> DimensionValues {
    switch compensation {
    case .uncompensated:
      return linear(try channelIndex(name, for: gate))
    case .fileSpillover, .matrix:
      if let v = try compensatedChannel(name, compensation, for: gate) { return .double(v) }
      // Channels the matrix does not cover (scatter, time) pass through uncompensated.
      return linear(try channelIndex(name, for: gate))
    }
  }

  /// A channel's linear values (cached): the stored `Float`s, or `Double` when scaled.
  mutating func linear(_ c: ChannelIndex) -> DimensionValues {
    if let v = linearCache[c.rawValue] { return v }
    let v = input.linearValues(c)
    linearCache[c.rawValue] = v
    return v
  }

  /// Where dimension `d` is read from: the stored column itself when nothing changes its
  /// values (identity scaling, no transform, not compensated or a channel the matrix does not
  /// cover), otherwise a computed column (computed once).
  mutating func source(_ d: GateDimension, for gate: GateID) throws -> ColumnSource {
    if let s = sources[d] { return s }
    let s: ColumnSource
    let transform = d.transform.flatMap { strategy.transformations[$0] }
    if case .channel(let name) = d.source, transform == nil, let c = try storedChannel(name, d.compensation, for: gate) {
      s = .stored(c.rawValue)
    } else if case .channel(let name) = d.source {
      var spec: LazySpec
      if let plan = try compensationPlan(d.compensation, for: gate), let f = plan.0.fluorochromes.firstIndex(of: name) {
        let (comp, resolution) = plan
        let nf = comp.fluorochromes.count
        spec = LazySpec(detectors: resolution.indices.map(\.rawValue), scalings: [], coefficients:
                          resolution.indices.indices.map { comp.values[$0 * nf + f] }, transform: transform)
      } else {
        spec = LazySpec(detectors: [try channelIndex(name, for: gate).rawValue], scalings: [], coefficients: nil, transform: transform)
      }
      spec.scalings = spec.detectors.map { input.scalings[$0].isIdentity ? nil : input.scalings[$0] }
      lazySpecs.append(spec)
      s = .lazy(lazySpecs.count - 1)
    } else {
      computedColumns.append(try values(d, for: gate))
      s = .computed(computedColumns.count - 1)
    }
    sources[d] = s
    return s
  }

  /// The stored channel whose values a channel under `compensation` is, unchanged; `nil` when
  /// scaling or compensation computes new values.
  mutating func storedChannel(_ name: ChannelName, _ compensation: CompensationReference, for gate: GateID) throws -> ChannelIndex? {
    switch compensation {
    case .uncompensated: break
    case .fileSpillover, .matrix:
      if let (comp, _) = try compensationPlan(compensation, for: gate), comp.fluorochromes.contains(name) { return nil }
    }
    let c = try channelIndex(name, for: gate)
    return input.scalings[c.rawValue].isIdentity ? c : nil
  }

  mutating func values(_ d: GateDimension, for gate: GateID) throws -> DimensionValues {
    if let v = cache[d] { return v }
    var v: DimensionValues
    switch d.source {
    case .channel(let name):
      v = try base(name, d.compensation, for: gate)
    case .ratio(let id):
      let t = strategy.transformations[id]!
      guard let (num, den) = t.ratioChannels else { fatalError("validated: \(id) is a ratio") }
      let x = try base(num, d.compensation, for: gate), y = try base(den, d.compensation, for: gate)
      v = .double(t.applyRatio(x, y))
    }
    if let tid = d.transform, let t = strategy.transformations[tid] {
      v = .double(t.applyScale(v))
    }
    cache[d] = v
    return v
  }
}

extension DimensionResolver {
  /// The compensation matrix of a reference and its detectors' channels (computed once); `nil`
  /// when uncompensated, or for `FCS` on a file without spillover (noted once).
  mutating func compensationPlan(_ ref: CompensationReference, for gate: GateID) throws -> (CompensationMatrix, ChannelResolution)? {
    if let p = plans[ref] { return p }
    let spill: SpilloverMatrix
    let form: SpilloverForm
    switch ref {
    case .uncompensated: return nil
    case .fileSpillover:
      guard let s = input.fileSpillover else {
        if !notedMissingSpillover {
          notedMissingSpillover = true
          diagnostics.append(Diagnostic(.note, .init("gating.compensation.noFileSpillover"),
            "compensation-ref FCS used, but the file has no spillover matrix: those dimensions are uncompensated"))
        }
        return nil
      }
      spill = s
      form = .spillover
    case .matrix(let id):
      let m = strategy.spectrumMatrices[id]!  // validated
      spill = m.matrix
      form = m.form
    }
    let comp: CompensationMatrix
    do { comp = try CompensationMatrix(spill, form: form) } catch {
      throw GatingStrategyError.singularMatrix("compensation \(ref): \(error)")
    }
    let resolution: ChannelResolution
    do { resolution = try ChannelResolution(resolving: comp.detectors, against: input.channels) } catch {
      throw GatingStrategyError.invalidGate(gate, "compensation \(ref): \(error)")
    }
    plans[ref] = (comp, resolution)
    return (comp, resolution)
  }

  /// Fluorochrome `name` compensated under `ref` (computed once, only this output: each is
  /// its own sum over the detectors in matrix order). Detector values are the linear (scaled)
  /// channel values in `Double`; the matrix comes from the file (`FCS`) or the strategy. A file
  /// without spillover leaves `FCS` dimensions uncompensated, with a note (the Gating-ML
  /// compliance suite expects exactly that). `nil` when uncompensated under `ref`
  /// (no matrix, or a channel the matrix does not cover).
  mutating func compensatedChannel(_ name: ChannelName, _ ref: CompensationReference, for gate: GateID) throws -> [Double]? {
    if let c = compensated[ref]?[name] { return c }
    guard let (comp, resolution) = try compensationPlan(ref, for: gate), let f = comp.fluorochromes.firstIndex(of: name) else {
      return nil
    }
    let column = CompensationKernel.run(comp, detectors: resolution.indices.map { linear($0) }, fluorochromes: [f],
                                        count: input.events.eventCount)[0]
    compensated[ref, default: [:]][name] = column
    return column
  }
}

extension GatingEngine {
  /// One channel's values under a compensation reference (for statistics and export); only
  /// this channel is computed. `strategy` supplies the spectrum matrices of `.matrix` references.
  public static func channelValues(_ name: ChannelName, compensation: CompensationReference, input: GatingInput,
                                   strategy: GatingStrategy? = nil) throws -> DimensionValues {
    var r = DimensionResolver(strategy: try strategy ?? GatingStrategy(gates: []), input: input)
    return try r.base(name, compensation, for: GateID("(statistics)"))
  }
}
