import CytoCore
import CytoGating
import CytoTransforms

/// Turns a panel's marker-space gates into a Gating-ML ``GatingStrategy`` for one file: each
/// marker becomes its channel, each cut reference its value, each transform a Gating-ML transformation.
struct PanelStrategyBuilder {
  let panel: PanelDefinition
  let markers: [String: MarkerChannel]
  /// Compensation of fluorescence dimensions (`.fileSpillover`, or `.uncompensated` when the
  /// panel says none or the file has no spillover).
  let fluorescenceCompensation: CompensationReference

  /// Gates whose markers are all present; the rest (optional markers missing) are dropped and
  /// their children re-attached to the nearest kept ancestor.
  var droppedGates: [String] {
    panel.gates.filter { g in g.dimensions.contains { markers[$0.marker] == nil } }.map(\.id)
  }

  func transformations() throws -> [Transformation] {
    try panel.transforms.map { t in
      let kind: ScaleTransform
      switch t.kind {
      case .logicle: kind = .logicle(try LogicleParameters(t: t.T, w: t.W ?? 0.5, m: t.M, a: t.A ?? 0))
      case .fasinh: kind = .fasinh(try ArcsinhParameters(t: t.T, m: t.M, a: t.A ?? 0))
      case .flin: kind = .flin(try LinearParameters(t: t.T, a: t.A ?? 0))
      }
      return Transformation(id: t.id, kind: .scale(kind))
    }
  }

  /// The Gating-ML dimension of a panel dimension.
  func dimension(_ d: PanelDimension) -> GateDimension {
    let def = panel.markers.first { $0.marker == d.marker }
    let channel = markers[d.marker]!.channel
    let transform: String? = d.transform == "none" ? nil : (d.transform ?? def?.transform)
    let scatter = def?.isScatter ?? false
    let comp: CompensationReference = scatter || (d.uncompensated ?? false) ? .uncompensated : fluorescenceCompensation
    return .channel(channel, compensation: comp, transform: transform)
  }

  func strategy(cuts: [String: Double]) throws -> GatingStrategy {
    let dropped = Set(droppedGates)
    let parentOf = Dictionary(panel.gates.flatMap { g in g.populationIDs.map { ($0, g.parent) } }, uniquingKeysWith: { a, _ in a })
    func keptParent(_ p: String?) -> String? {
      var p = p
      while let q = p, dropped.contains(q) { p = parentOf[q] ?? nil }
      return p
    }
    func value(_ c: Coordinate) -> Double {
      switch c {
      case .value(let v): v
      case .cut(let n): cuts[n]!
      }
    }
    var gates: [Gate] = []
    for g in panel.gates where !dropped.contains(g.id) {
      let shape: GateShape
      switch g.kind {
      case .rectangle:
        shape = .rectangle(g.sides!.map { RectangleSide(dimension($0.dimension), min: $0.min.map(value), max: $0.max.map(value)) })
      case .polygon:
        shape = .polygon(x: dimension(g.x!), y: dimension(g.y!), vertices: g.vertices!.map { Vertex($0[0], $0[1]) })
      case .quadrant:
        // Divider ids are xs:ID in Gating-ML, unique in the whole document: prefix the gate id.
        func dividerID(_ id: String) -> String { "\(g.id)_\(id)" }
        let dividers = g.dividers!.map { QuadrantDivider(id: dividerID($0.id), dimension: dimension($0.dimension), values: [value($0.at)]) }
        let at = Dictionary(uniqueKeysWithValues: g.dividers!.map { ($0.id, value($0.at)) })
        shape = .quadrant(dividers: dividers, quadrants: g.quadrants!.map { q in
          var positions: [String: Double] = [:]
          for (divider, sign) in q.sides { positions[dividerID(divider)] = sign == .positive ? at[divider]! + 1 : at[divider]! - 1 }
          return Quadrant(id: GateID(q.id), positions: positions)
        })
      }
      gates.append(Gate(id: GateID(g.id), parent: keptParent(g.parent).map { GateID($0) }, shape: shape, name: g.label))
    }
    return try GatingStrategy(transformations: try transformations(), gates: gates)
  }
}
