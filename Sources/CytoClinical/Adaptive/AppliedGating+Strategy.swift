import CytoCore
import CytoGating
import CytoTransforms

extension AppliedGating {
  /// The Gating-ML 2.0 strategy these gates are: one transformation per scale, one gate per
  /// applied (found or overridden) entry, dimensions on the markers' channels. Evaluating it
  /// on the same file gives the analysis' counts; `panel export --format gatingml` writes it.
  /// - Parameters:
  ///   - markers: where each marker was found in the file.
  ///   - compensation: the reference of compensated dimensions (`.fileSpillover`).
  public func strategy(markers: [String: MarkerChannel], compensation: CompensationReference) throws -> GatingStrategy {
    var transformations: [Transformation] = []
    var ids: [String: String] = [:]
    for s in scales {
      let id = Self.xmlID("scale_" + s.id)
      ids[s.id] = id
      transformations.append(Transformation(id: id, kind: .scale(try s.transform())))
    }
    func dimension(_ d: AppliedDimension) throws -> GateDimension {
      guard let m = markers[d.marker] else { throw PanelResolutionError.markers(file: "recorded gating", missing: [d.marker], ambiguous: [], channels: []) }
      return .channel(m.channel, compensation: d.compensated ? compensation : .uncompensated, transform: d.scale.map { ids[$0]! })
    }
    var out: [Gate] = []
    for g in gates where g.status == .found || g.status == .override {
      guard let shape = g.shape else { continue }
      let parent = g.parent.map { GateID($0) }
      switch shape {
      case .rectangle(let sides):
        out.append(Gate(id: GateID(g.id), parent: parent,
                        shape: .rectangle(try sides.map { RectangleSide(try dimension($0.dimension), min: $0.min, max: $0.max) }), name: g.label))
      case .polygon(let x, let y, let vertices):
        out.append(Gate(id: GateID(g.id), parent: parent,
                        shape: .polygon(x: try dimension(x), y: try dimension(y), vertices: vertices.map { Vertex($0[0], $0[1]) }), name: g.label))
      case .quadrant(let x, let xAt, let y, let yAt, let quadrants):
        // Divider ids are xs:ID in Gating-ML, unique in the document: prefixed with the gate id.
        let dx = Self.xmlID("\(g.id)_\(x.marker)"), dy = Self.xmlID("\(g.id)_\(y.marker)")
        let dividers = [QuadrantDivider(id: dx, dimension: try dimension(x), values: [xAt]),
                        QuadrantDivider(id: dy, dimension: try dimension(y), values: [yAt])]
        let qs = quadrants.map { q in
          Quadrant(id: GateID(q.id), positions: [dx: q.x == .above ? xAt + 1 : xAt - 1, dy: q.y == .above ? yAt + 1 : yAt - 1])
        }
        out.append(Gate(id: GateID(g.id), parent: parent, shape: .quadrant(dividers: dividers, quadrants: qs), name: g.label))
      }
    }
    return try GatingStrategy(transformations: transformations, gates: out)
  }

  /// An xs:ID (NCName) made from `s`: characters outside letters, digits, `.`, `-`, `_` become `_`.
  static func xmlID(_ s: String) -> String {
    var out = String(s.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" ? $0 : "_" })
    if let f = out.first, !(f.isLetter || f == "_") { out = "_" + out }
    return out
  }
}
