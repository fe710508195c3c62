import CytoCore
import CytoTransforms

/// A spectrum (spillover) matrix defined in a strategy (Gating-ML `transforms:spectrumMatrix`).
public struct SpectrumMatrix: Hashable, Sendable {
  public var id: String
  /// Fluorochromes (rows) × detectors (columns); compensated values are named after the fluorochromes.
  public var matrix: SpilloverMatrix
  /// Whether `matrix` holds spillover coefficients or already the compensation matrix
  /// (`transforms:matrix-inverted-already`; values then laid out detectors × fluorochromes).
  public var form: SpilloverForm

  public init(id: String, matrix: SpilloverMatrix, form: SpilloverForm = .spillover) {
    self.id = id
    self.matrix = matrix
    self.form = form
  }

  public static func == (a: Self, b: Self) -> Bool { a.id == b.id && a.matrix == b.matrix && a.form == b.form }
  public func hash(into h: inout Hasher) { h.combine(id) }
}

/// A path naming a population by its chain of ancestors, for example `/Lymphocytes/Singlets/CD19+`.
public struct PopulationPath: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
  public var components: [String]
  public init(_ components: [String]) { self.components = components }

  /// Parses `/A/B/C` (a leading slash is optional).
  public init(parsing text: String) {
    components = text.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
  }

  public var description: String { "/" + components.joined(separator: "/") }
  public var last: String? { components.last }
  public var parent: PopulationPath? { components.isEmpty ? nil : PopulationPath(Array(components.dropLast())) }
  public static func < (a: Self, b: Self) -> Bool { a.description < b.description }
}

/// A gating strategy: transformations, spectrum matrices and gates, as in a Gating-ML 2.0 document.
///
/// Gates form a tree through their `parent` links (Boolean gates also depend on their
/// operands). Every population is addressed by a ``PopulationPath`` built from gate ids.
public struct GatingStrategy: Sendable, Equatable {
  public private(set) var transformations: [String: Transformation]
  public private(set) var spectrumMatrices: [String: SpectrumMatrix]
  /// Gates in definition order.
  public private(set) var gates: [Gate]
  /// The Gating-ML dialect the strategy was read in: ``GatingMLDialect/standard``, or a FlowJo
  /// export whose `Comp-` dimensions the engine resolves against each file (``resolved(for:)``).
  public private(set) var dialect: GatingMLDialect

  /// Creates and validates a strategy.
  /// - Throws: ``GatingStrategyError`` for duplicate ids, unknown references or cycles.
  public init(transformations: [Transformation] = [], spectrumMatrices: [SpectrumMatrix] = [], gates: [Gate],
              dialect: GatingMLDialect = .standard) throws {
    var t: [String: Transformation] = [:]
    for x in transformations {
      guard t[x.id] == nil else { throw GatingStrategyError.duplicateID(x.id) }
      t[x.id] = x
    }
    var m: [String: SpectrumMatrix] = [:]
    for x in spectrumMatrices {
      guard m[x.id] == nil else { throw GatingStrategyError.duplicateID(x.id) }
      m[x.id] = x
    }
    self.transformations = t
    self.spectrumMatrices = m
    self.gates = gates
    self.dialect = dialect
    try validate()
  }

  /// The gate with `id`, or the gate that defines quadrant population `id`.
  public func gate(_ id: GateID) -> Gate? { gateIndex[id].map { gates[$0] } }

  private var gateIndex: [GateID: Int] {
    var d: [GateID: Int] = [:]
    for (i, g) in gates.enumerated() { for p in g.populations { d[p] = i } }
    return d
  }

  /// Every population id in definition order (quadrants expanded).
  public var populations: [GateID] { gates.flatMap(\.populations) }

  /// The path of a population: its ancestors' ids then its own.
  public func path(of id: GateID) -> PopulationPath? {
    guard gate(id) != nil else { return nil }
    var comps: [String] = [id.rawValue]
    var cur = gate(id)?.parent
    var guardCount = 0
    while let p = cur, guardCount < gates.count + 1 {
      comps.insert(p.rawValue, at: 0)
      cur = gate(p)?.parent
      guardCount += 1
    }
    return PopulationPath(comps)
  }

  /// The population at `path` (a full path, or just the population's own id when unique).
  public func population(at path: PopulationPath) -> GateID? {
    guard let last = path.last else { return nil }
    let id = GateID(last)
    guard let p = self.path(of: id) else { return nil }
    if path.components.count == 1 || p == path { return id }
    return nil
  }

  /// The parent population of `id` (quadrants share their gate's parent).
  public func parent(of id: GateID) -> GateID? { gate(id)?.parent }

  /// Gates ordered so every gate comes after its parent and its Boolean operands.
  public func evaluationOrder() throws -> [Gate] {
    var done: Set<Int> = []
    var visiting: Set<Int> = []
    var out: [Gate] = []
    let index = gateIndex
    func visit(_ i: Int) throws {
      if done.contains(i) { return }
      guard !visiting.contains(i) else { throw GatingStrategyError.cycle(gates[i].id) }
      visiting.insert(i)
      let g = gates[i]
      var deps: [GateID] = []
      if let p = g.parent { deps.append(p) }
      if case .boolean(let expr) = g.shape { deps += expr.operands.map(\.gate) }
      for d in deps {
        guard let j = index[d] else { throw GatingStrategyError.unknownGate(d, referencedBy: g.id) }
        try visit(j)
      }
      visiting.remove(i)
      done.insert(i)
      out.append(g)
    }
    for i in gates.indices { try visit(i) }
    return out
  }

  func validate() throws {
    var seen: Set<GateID> = []
    for g in gates {
      for p in g.populations {
        guard !seen.contains(p) else { throw GatingStrategyError.duplicateID(p.rawValue) }
        seen.insert(p)
      }
    }
    for g in gates {
      for d in g.shape.dimensions { try validate(d, in: g.id) }
      switch g.shape {
      case .polygon(_, _, let v) where v.count < 3: throw GatingStrategyError.invalidGate(g.id, "a polygon needs at least 3 vertices")
      case .ellipsoid(let d, let mean, let cov, let d2):
        guard mean.count == d.count, cov.count == d.count, cov.allSatisfy({ $0.count == d.count }), d2 >= 0 else {
          throw GatingStrategyError.invalidGate(g.id, "ellipsoid mean/covariance sizes do not match its \(d.count) dimensions")
        }
      case .quadrant(let dividers, let quadrants):
        let ids = Set(dividers.map(\.id))
        // A quadrant that names only some dividers is unconstrained along the others.
        for q in quadrants where !Set(q.positions.keys).isSubset(of: ids) || q.positions.isEmpty {
          throw GatingStrategyError.invalidGate(q.id, "quadrant positions must refer to the gate's dividers (\(ids.sorted().joined(separator: ", ")))")
        }
      case .boolean(let e):
        if case .not(_) = e {} else if e.operands.count < 2 {
          throw GatingStrategyError.invalidGate(g.id, "and/or need at least two operands")
        }
      case .rectangle(let sides) where sides.isEmpty: throw GatingStrategyError.invalidGate(g.id, "a rectangle needs a dimension")
      default: break
      }
      switch (g.region, g.shape) {
      case (.outside, .quadrant), (.outside, .boolean):
        throw GatingStrategyError.invalidGate(g.id, "only rectangle, polygon and ellipsoid gates can select the outside of their shape")
      default: break
      }
    }
    _ = try evaluationOrder()
  }

  func validate(_ d: GateDimension, in gate: GateID) throws {
    if case .matrix(let m) = d.compensation, spectrumMatrices[m] == nil {
      throw GatingStrategyError.unknownReference(m, kind: "spectrum matrix", referencedBy: gate)
    }
    if let t = d.transform {
      guard let tr = transformations[t] else { throw GatingStrategyError.unknownReference(t, kind: "transformation", referencedBy: gate) }
      if tr.isRatio { throw GatingStrategyError.invalidGate(gate, "transformation \(t) is a ratio; use it as a new dimension") }
    }
    if case .ratio(let r) = d.source {
      guard let tr = transformations[r] else { throw GatingStrategyError.unknownReference(r, kind: "transformation", referencedBy: gate) }
      if !tr.isRatio { throw GatingStrategyError.invalidGate(gate, "new-dimension \(r) is not a ratio transformation") }
    }
  }
}

/// Why a strategy is not valid.
public enum GatingStrategyError: Error, Equatable, Sendable, CustomStringConvertible {
  case duplicateID(String)
  case unknownGate(GateID, referencedBy: GateID)
  case unknownReference(String, kind: String, referencedBy: GateID)
  case cycle(GateID)
  case invalidGate(GateID, String)
  case missingChannel(ChannelName, needed: String, available: [ChannelName])
  case singularMatrix(String)
  /// A FlowJo export's `Comp-` dimension that the data cannot resolve: the gate, the dimension
  /// as written, why, and the file's channels.
  case unresolvedFlowJoDimension(ChannelName, gate: GateID, reason: String, available: [ChannelName])

  public var description: String {
    switch self {
    case .duplicateID(let id): "id \(id) is defined more than once"
    case .unknownGate(let g, let by): "gate \(by) refers to gate \(g), which is not defined"
    case .unknownReference(let r, let k, let by): "gate \(by) refers to \(k) \(r), which is not defined"
    case .cycle(let g): "gate \(g) depends on itself through parents or Boolean operands"
    case .invalidGate(let g, let why): "gate \(g): \(why)"
    case .missingChannel(let c, let needed, let avail):
      "channel \(c) (needed by \(needed)) is not in the data; channels: " + avail.map(\.rawValue).joined(separator: ", ")
    case .singularMatrix(let what): what
    case .unresolvedFlowJoDimension(let d, let g, let why, let avail):
      "gate \(g): dimension \(d) (FlowJo Gating-ML export: a compensated channel) cannot be resolved: \(why); channels: "
        + avail.map(\.rawValue).joined(separator: ", ")
    }
  }
}
