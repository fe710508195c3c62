import CytoGating

/// One change to a visit's gating, as a reviewer makes it on a plot: every coordinate in the
/// display units the analysis records for the gate's dimensions (the units of its Gating-ML
/// strategy: the marker's logicle or arcsinh scale, linear values for scatter), as
/// `--gate`/`--cut` take them (``CytoClinical/GateOverride``).
public enum GateEdit: Sendable, Equatable {
  /// Replaces a polygon's vertices.
  case replaceVertices(GateID, [Vertex])
  /// Moves one vertex of a polygon.
  case moveVertex(GateID, index: Int, to: Vertex)
  /// Inserts a vertex before `index` (`index == count` appends it).
  case insertVertex(GateID, index: Int, Vertex)
  /// Removes one vertex of a polygon (at least ``vertexLimit``'s lower bound remain).
  case removeVertex(GateID, index: Int)
  /// Moves a whole polygon by (dx, dy).
  case translatePolygon(GateID, dx: Double, dy: Double)
  /// Sets the ends of one side (dimension `side`, in the gate's order) of a rectangle or
  /// range gate: `min ≤ x < max`, `nil` an open end (not both).
  case setRectangleSide(GateID, side: Int, min: Double?, max: Double?)
  /// Moves the centre of a quadrant gate (its x divider's and y divider's single cut).
  case moveQuadrantCentre(GateID, x: Double, y: Double)
  /// Sets a named cut of the analysis (``CytoClinical/AppliedCut``): every gate side and
  /// quadrant divider that uses it moves with it.
  case setCut(name: String, value: Double)

  /// Vertex counts a polygon may have after an edit: enough for any hand-drawn gate, small
  /// enough that one edit cannot make a drag slow.
  public static let vertexLimit = 3...1000

  /// The gate the edit names (`nil` for a cut, which may move several gates).
  public var gate: GateID? {
    switch self {
    case .replaceVertices(let g, _), .moveVertex(let g, _, _), .insertVertex(let g, _, _), .removeVertex(let g, _),
         .translatePolygon(let g, _, _), .setRectangleSide(let g, _, _, _), .moveQuadrantCentre(let g, _, _):
      g
    case .setCut: nil
    }
  }
}

/// Where a cut is used in the strategy.
public enum CutUsage: Sendable, Equatable, Hashable {
  /// Side `side` of rectangle gate `gate`: its lower (`isMin`) or upper end.
  case rectangleSide(GateID, side: Int, isMin: Bool)
  /// Divider `divider` of quadrant gate `gate` (a single cut).
  case divider(GateID, divider: Int)

  /// The gate using the cut.
  public var gate: GateID {
    switch self {
    case .rectangleSide(let g, _, _), .divider(let g, _): g
    }
  }
}

/// A named cut of the analysis and the gates that use it.
public struct ReviewCut: Sendable, Equatable {
  /// The cut's name in the panel (`CD19`).
  public var name: String
  /// The marker it cuts.
  public var marker: String
  /// Its current value, in the marker's display units.
  public var value: Double
  /// The gate sides and dividers at this value on the marker's dimension.
  public var usages: [CutUsage]
}

extension GateEdit {
  /// The strategy after this edit, the gates whose geometry changed and the cuts with their new values.
  /// - Throws: ``ReviewError`` for an unknown gate or cut, a gate of another kind, a number
  ///   that is not finite, a vertex count outside ``vertexLimit``, an index out of range or an
  ///   empty range. Nothing is changed when it throws.
  func applied(to strategy: GatingStrategy, cuts: [ReviewCut]) throws -> (GatingStrategy, Set<GateID>, [ReviewCut]) {
    var gates = strategy.gates
    var cuts = cuts
    var changed: Set<GateID> = []
    func index(_ id: GateID) throws -> Int {
      // A gate by its id, or a quadrant gate by one of its quadrants.
      if let i = gates.firstIndex(where: { $0.id == id }) { return i }
      guard let g = strategy.gate(id), let i = gates.firstIndex(where: { $0.id == g.id }) else { throw ReviewError.unknownGate(id) }
      return i
    }
    func finite(_ v: Double, _ g: GateID?, _ what: String) throws {
      guard v.isFinite else { throw ReviewError.notFinite(g, what: what) }
    }
    func polygon(_ id: GateID) throws -> (Int, GateDimension, GateDimension, [Vertex]) {
      let i = try index(id)
      guard case .polygon(let x, let y, let v) = gates[i].shape else {
        throw ReviewError.wrongShape(id, expected: .polygon, found: GateKind(gates[i].shape))
      }
      return (i, x, y, v)
    }
    func setPolygon(_ i: Int, _ x: GateDimension, _ y: GateDimension, _ v: [Vertex]) throws {
      let id = gates[i].id
      guard Self.vertexLimit.contains(v.count) else { throw ReviewError.vertexCount(id, count: v.count) }
      for (k, p) in v.enumerated() {
        try finite(p.x, id, "vertex \(k) x")
        try finite(p.y, id, "vertex \(k) y")
      }
      gates[i].shape = .polygon(x: x, y: y, vertices: v)
      changed.insert(id)
    }
    func setSide(_ i: Int, _ side: Int, min: Double?, max: Double?) throws {
      let id = gates[i].id
      guard case .rectangle(var sides) = gates[i].shape else {
        throw ReviewError.wrongShape(id, expected: .rectangle, found: GateKind(gates[i].shape))
      }
      guard sides.indices.contains(side) else { throw ReviewError.sideIndex(id, index: side, count: sides.count) }
      if let min { try finite(min, id, "the lower end of side \(side)") }
      if let max { try finite(max, id, "the upper end of side \(side)") }
      guard min != nil || max != nil else { throw ReviewError.emptyRange(id, min: min, max: max) }
      if let min, let max, !(min < max) { throw ReviewError.emptyRange(id, min: min, max: max) }
      sides[side].min = min
      sides[side].max = max
      gates[i].shape = .rectangle(sides)
      changed.insert(id)
    }
    func setDivider(_ i: Int, _ k: Int, _ value: Double) throws {
      let id = gates[i].id
      guard case .quadrant(var dividers, var quadrants) = gates[i].shape else {
        throw ReviewError.wrongShape(id, expected: .quadrant, found: GateKind(gates[i].shape))
      }
      guard dividers.indices.contains(k), dividers[k].values.count == 1 else { throw ReviewError.notAQuadrantCentre(id) }
      let old = dividers[k]
      dividers[k].values = [value]
      // Each quadrant keeps its side of the moved cut: a location inside it, cut ± 1 as the
      // analysis records them (the cut itself or the next value below when ± 1 rounds away).
      for q in quadrants.indices {
        guard let p = quadrants[q].positions[old.id] else { continue }
        let below = value - 1 < value ? value - 1 : value.nextDown
        quadrants[q].positions[old.id] = old.interval(of: p) == 0 ? below : value + 1
      }
      gates[i].shape = .quadrant(dividers: dividers, quadrants: quadrants)
      changed.insert(id)
    }

    switch self {
    case .replaceVertices(let id, let v):
      let (i, x, y, _) = try polygon(id)
      try setPolygon(i, x, y, v)
    case .moveVertex(let id, let k, let p):
      var (i, x, y, v) = try polygon(id)
      guard v.indices.contains(k) else { throw ReviewError.vertexIndex(id, index: k, count: v.count) }
      v[k] = p
      try setPolygon(i, x, y, v)
    case .insertVertex(let id, let k, let p):
      var (i, x, y, v) = try polygon(id)
      guard k >= 0, k <= v.count else { throw ReviewError.vertexIndex(id, index: k, count: v.count) }
      v.insert(p, at: k)
      try setPolygon(i, x, y, v)
    case .removeVertex(let id, let k):
      var (i, x, y, v) = try polygon(id)
      guard v.indices.contains(k) else { throw ReviewError.vertexIndex(id, index: k, count: v.count) }
      v.remove(at: k)
      try setPolygon(i, x, y, v)
    case .translatePolygon(let id, let dx, let dy):
      let (i, x, y, v) = try polygon(id)
      try finite(dx, id, "dx")
      try finite(dy, id, "dy")
      try setPolygon(i, x, y, v.map { Vertex($0.x + dx, $0.y + dy) })
    case .setRectangleSide(let id, let side, let lo, let hi):
      try setSide(try index(id), side, min: lo, max: hi)
    case .moveQuadrantCentre(let id, let x, let y):
      let i = try index(id)
      try finite(x, id, "the centre's x")
      try finite(y, id, "the centre's y")
      guard case .quadrant(let d, _) = gates[i].shape else {
        throw ReviewError.wrongShape(id, expected: .quadrant, found: GateKind(gates[i].shape))
      }
      guard d.count == 2 else { throw ReviewError.notAQuadrantCentre(id) }
      try setDivider(i, 0, x)
      try setDivider(i, 1, y)
    case .setCut(let name, let value):
      guard let c = cuts.firstIndex(where: { $0.name == name }), !cuts[c].usages.isEmpty else { throw ReviewError.unknownCut(name) }
      try finite(value, nil, "cut '\(name)'")
      for u in cuts[c].usages {
        switch u {
        case .rectangleSide(let id, let side, let isMin):
          let i = try index(id)
          guard case .rectangle(let sides) = gates[i].shape, sides.indices.contains(side) else { throw ReviewError.unknownCut(name) }
          let s = sides[side]
          try setSide(i, side, min: isMin ? value : s.min, max: isMin ? s.max : value)
        case .divider(let id, let k):
          try setDivider(try index(id), k, value)
        }
      }
      cuts[c].value = value
    }
    let edited: GatingStrategy
    do {
      edited = try GatingStrategy(transformations: Array(strategy.transformations.values),
                                  spectrumMatrices: Array(strategy.spectrumMatrices.values), gates: gates, dialect: strategy.dialect)
    } catch {
      throw ReviewError.invalidStrategy("\(error)")
    }
    return (edited, changed, cuts)
  }
}
