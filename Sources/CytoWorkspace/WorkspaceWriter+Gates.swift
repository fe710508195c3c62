import CytoCore
import CytoGating
import CytoTransforms

/// One sample's strategy as FlowJo populations and the display transforms they need.
///
/// Transforms: FlowJo has one per parameter and sample. A polygon's edges are straight in
/// display space, so a polygon needs exactly its dimensions' transforms (untransformed
/// dimensions: `linear` over 0…`$PnR`); two polygons that need different ones on a parameter
/// are refused. Rectangles are exact on data values whatever the transform, so they only
/// suggest one for display. FlowKit looks a compensated dimension's transform up under the
/// uncompensated name, so both names get the same transform.
struct SampleGatePlan {
  let sample: WorkspaceExportSample
  let naming: ParameterNaming
  /// Per uncompensated parameter name: the transform polygons need, and which gate needs it.
  private var required: [String: (FlowJoTransform, String)] = [:]
  /// Per uncompensated parameter name: the first transform a rectangle or quadrant suggests.
  private var suggested: [String: FlowJoTransform] = [:]
  /// Uncompensated parameter names in first-use order, and which are used compensated.
  private var order: [String] = []
  private var compensated: Set<String> = []
  private var nextGateID = 1

  init(sample: WorkspaceExportSample, naming: ParameterNaming) {
    self.sample = sample
    self.naming = naming
  }

  // MARK: Tree

  /// The `Population`/`AndNode`/`OrNode`/`NotNode` elements under the sample node.
  mutating func populations() throws(WorkspaceExportError) -> [XMLOutputElement] {
    let strategy = sample.strategy
    var children: [GateID?: [GateID]] = [:]
    for id in strategy.populations { children[strategy.parent(of: id), default: []].append(id) }
    for id in strategy.populations {
      let name = id.rawValue
      if name.isEmpty || name.contains("/") {
        throw WorkspaceExportError(.invalidName, "population names cannot be empty nor contain / (FlowJo's path separator)", population: name)
      }
    }
    func build(_ parent: GateID?, parentGateID: String?) throws(WorkspaceExportError) -> [XMLOutputElement] {
      var out: [XMLOutputElement] = []
      for id in children[parent] ?? [] {
        var (element, gateID) = try node(id, parentGateID: parentGateID)
        let subs = try build(id, parentGateID: gateID ?? parentGateID)
        if !subs.isEmpty { element.children.append(XMLOutputElement("Subpopulations", [], subs)) }
        out.append(element)
      }
      return out
    }
    return try build(nil, parentGateID: nil)
  }

  /// One population's element and its `gating:id` (none for Boolean nodes).
  private mutating func node(_ id: GateID, parentGateID: String?) throws(WorkspaceExportError) -> (XMLOutputElement, String?) {
    let gate = sample.strategy.gate(id)!
    let count = sample.counts[id].map(String.init) ?? "-1"
    let common: [(String, String)] = [("name", id.rawValue), ("annotation", ""), ("owningGroup", ""), ("expanded", "1"),
                                      ("sortPriority", "10"), ("count", count)]
    if case .boolean(let expr) = gate.shape {
      return (try booleanNode(expr, common: common, population: id.rawValue), nil)
    }
    let gateID = "ID\(nextGateID)"
    nextGateID += 1
    let body = try gateElement(gate, population: id)
    var attrs = [("gating:id", gateID)]
    if let parentGateID { attrs.append(("gating:parent_id", parentGateID)) }
    return (XMLOutputElement("Population", common, [XMLOutputElement("Gate", attrs, [body])]), gateID)
  }

  /// `AndNode`/`OrNode`/`NotNode` with `Dependents/Dependent@name` = each operand's path
  /// from the sample root (FlowJo's form; within the node's parent, as Gating-ML's parent).
  private func booleanNode(_ expr: BooleanExpression, common: [(String, String)], population: String) throws(WorkspaceExportError) -> XMLOutputElement {
    if expr.operands.contains(where: \.complement) {
      throw WorkspaceExportError(.unsupportedGate, "a Boolean operand used as complement: FlowJo's And/Or nodes have no complement", population: population)
    }
    let name = switch expr {
    case .and: "AndNode"
    case .or: "OrNode"
    case .not: "NotNode"
    }
    let deps = expr.operands.map { op in
      XMLOutputElement("Dependent", [("name", sample.strategy.path(of: op.gate)?.components.joined(separator: "/") ?? op.gate.rawValue)])
    }
    return XMLOutputElement(name, common, [XMLOutputElement("Dependents", [], deps)])
  }

  // MARK: Gates

  private mutating func gateElement(_ gate: Gate, population id: GateID) throws(WorkspaceExportError) -> XMLOutputElement {
    let pop = id.rawValue
    let style: [(String, String)] = [("eventsInside", "1"), ("annoOffsetX", "0"), ("annoOffsetY", "0"), ("tint", "#000000"),
                                     ("isTinted", "0"), ("lineWeight", "Normal"), ("userDefined", "1")]
    switch gate.shape {
    case .rectangle(let sides):
      return try rectangle(sides.map { ($0.dimension, $0.min, $0.max) }, style: style, population: pop)
    case .quadrant(let dividers, let quadrants):
      // FlowJo's quadrants: 4 sibling rectangles, each half-open on the dividers.
      guard let q = quadrants.first(where: { $0.id == id }) else { preconditionFailure("quadrant \(pop) not in its gate") }
      var sides: [(GateDimension, Double?, Double?)] = []
      for d in dividers {
        guard let p = q.positions[d.id] else { continue }
        let k = d.interval(of: p)
        sides.append((d.dimension, k > 0 ? d.values[k - 1] : nil, k < d.values.count ? d.values[k] : nil))
      }
      guard !sides.isEmpty else { throw WorkspaceExportError(.unsupportedGate, "a quadrant with no position on any divider", population: pop) }
      return try rectangle(sides, style: style, population: pop)
    case .polygon(let x, let y, let vertices):
      let (px, tx) = try dimension(x, population: pop, polygon: true)
      let (py, ty) = try dimension(y, population: pop, polygon: true)
      var vs: [XMLOutputElement] = []
      for v in vertices {
        let dx = try tx.map { (t) throws(WorkspaceExportError) in try dataValue(t, v.x, pop) } ?? v.x
        let dy = try ty.map { (t) throws(WorkspaceExportError) in try dataValue(t, v.y, pop) } ?? v.y
        vs.append(XMLOutputElement("gating:vertex", [], [dx, dy].map {
          XMLOutputElement("gating:coordinate", [("data-type:value", WorkspaceXMLOutput.number($0))])
        }))
      }
      let dims = [px, py].map { XMLOutputElement("gating:dimension", [], [XMLOutputElement("data-type:fcs-dimension", [("data-type:name", $0)])]) }
      return XMLOutputElement("gating:PolygonGate", style + [("quadId", "-1"), ("gateResolution", "256")], dims + vs)
    case .ellipsoid:
      throw WorkspaceExportError(.unsupportedGate, "Gating-ML ellipsoids are not written (FlowJo stores ellipses as foci and edge points on its display grid)", population: pop)
    case .boolean:
      preconditionFailure("Boolean gates are nodes")
    }
  }

  /// A rectangle in data units: each display bound moved to the first data value whose
  /// transformed value reaches it (``WorkspaceThreshold``).
  private mutating func rectangle(_ sides: [(GateDimension, Double?, Double?)], style: [(String, String)],
                                  population pop: String) throws(WorkspaceExportError) -> XMLOutputElement {
    var dims: [XMLOutputElement] = []
    for (d, lo, hi) in sides {
      let (name, t) = try dimension(d, population: pop, polygon: false)
      var attrs: [(String, String)] = []
      for (key, bound) in [("gating:min", lo), ("gating:max", hi)] {
        guard let bound else { continue }
        let v = try t.map { (t) throws(WorkspaceExportError) in try WorkspaceThreshold.dataBound(t, bound, population: pop) } ?? bound
        attrs.append((key, WorkspaceXMLOutput.number(v)))
      }
      dims.append(XMLOutputElement("gating:dimension", attrs, [XMLOutputElement("data-type:fcs-dimension", [("data-type:name", name)])]))
    }
    return XMLOutputElement("gating:RectangleGate", style + [("percentX", "0"), ("percentY", "0")], dims)
  }

  private func dataValue(_ t: ScaleTransform, _ v: Double, _ pop: String) throws(WorkspaceExportError) -> Double {
    let x = t.inverse(v)
    guard x.isFinite else { throw WorkspaceExportError(.unsupportedTransform, "vertex \(v) has no finite data value under \(t.kind)", population: pop) }
    return x
  }

  // MARK: Dimensions and transforms

  /// The parameter name of `d` and its scale transform, recording the display transform the
  /// parameter needs (polygons) or suggests (rectangles).
  private mutating func dimension(_ d: GateDimension, population pop: String, polygon: Bool) throws(WorkspaceExportError) -> (String, ScaleTransform?) {
    let (name, base, channel) = try naming.parameter(d, population: pop)
    var scale: ScaleTransform? = nil
    let display: FlowJoTransform
    if let id = d.transform {
      guard let tr = sample.strategy.transformations[id], case .scale(let s) = tr.kind else {
        throw WorkspaceExportError(.unsupportedGate, "transformation \(id) is not a scale transform", population: pop)
      }
      guard tr.bounds == nil else {
        throw WorkspaceExportError(.unsupportedTransform, "transformation \(id) is bounded; FlowJo transforms have no bounds", population: pop)
      }
      scale = s
      display = try Self.flowJo(s, id: id, population: pop)
    } else {
      guard let range = sample.channelRanges[channel] else {
        throw WorkspaceExportError(.invalidName, "channel \(channel) is not in the file", population: pop)
      }
      display = .linear(minRange: 0, maxRange: range, gain: 1)
    }
    if !order.contains(base) { order.append(base) }
    if name != base { compensated.insert(base) }
    if polygon {
      if let (other, by) = required[base], other != display {
        throw WorkspaceExportError(.conflictingTransforms,
                                   "polygons need two display transforms on \(base) (\(by): \(Self.describe(other)); \(pop): \(Self.describe(display))); FlowJo has one per parameter",
                                   population: pop)
      }
      required[base] = required[base] ?? (display, pop)
    } else if suggested[base] == nil {
      suggested[base] = display
    }
    return (name, scale)
  }

  /// FlowJo's element for a Gating-ML scale transform.
  static func flowJo(_ s: ScaleTransform, id: String, population: String) throws(WorkspaceExportError) -> FlowJoTransform {
    switch s {
    case .logicle(let p): return .logicle(t: p.t, w: p.w, m: p.m, a: p.a)
    case .fasinh(let p): return .fasinh(t: p.t, m: p.m, a: p.a, w: 0, length: 256, maxRange: p.t)
    case .flin(let p): return .linear(minRange: -p.a, maxRange: p.t, gain: 1)
    default:
      throw WorkspaceExportError(.unsupportedTransform, "transformation \(id) is \(s.kind), which a FlowJo 10 workspace cannot state exactly", population: population)
    }
  }

  static func describe(_ t: FlowJoTransform) -> String {
    switch t {
    case .linear(let lo, let hi, _): "linear \(lo)…\(hi)"
    case .logicle(let T, let W, let M, let A): "logicle T \(T) W \(W) M \(M) A \(A)"
    case .fasinh(let T, let M, let A, _, _, _): "fasinh T \(T) M \(M) A \(A)"
    default: t.elementName
    }
  }

  /// One `transforms:*` element per gated parameter, and the same under its compensated name.
  func transformElements() -> [XMLOutputElement] {
    var out: [XMLOutputElement] = []
    for base in order {
      guard let t = required[base]?.0 ?? suggested[base] else { continue }
      out.append(Self.element(t, parameter: base))
      if compensated.contains(base) { out.append(Self.element(t, parameter: WorkspaceWriter.compensationPrefix + base)) }
    }
    return out
  }

  static func element(_ t: FlowJoTransform, parameter: String) -> XMLOutputElement {
    let n = WorkspaceXMLOutput.number
    let attrs: [(String, String)]
    switch t {
    case .linear(let lo, let hi, let gain):
      attrs = [("transforms:minRange", n(lo)), ("transforms:maxRange", n(hi)), ("gain", n(gain))]
    case .logicle(let T, let W, let M, let A):
      attrs = [("transforms:length", "256"), ("transforms:T", n(T)), ("transforms:W", n(W)), ("transforms:M", n(M)), ("transforms:A", n(A))]
    case .fasinh(let T, let M, let A, let W, let length, let maxRange):
      attrs = [("transforms:length", n(length ?? 256)), ("transforms:maxRange", n(maxRange ?? T)), ("transforms:T", n(T)),
               ("transforms:A", n(A)), ("transforms:M", n(M)), ("transforms:W", n(W))]
    case .log(let offset, let decades):
      attrs = [("transforms:offset", n(offset)), ("transforms:decades", n(decades))]
    case .biex(let b):
      attrs = [("transforms:length", String(b.length ?? 256)), ("transforms:maxRange", n(b.maxRange)), ("transforms:neg", n(b.neg)),
               ("transforms:width", n(b.width)), ("transforms:pos", n(b.pos))]
    case .hyperlog(let T, let W, let M, let A):
      attrs = [("transforms:T", n(T)), ("transforms:W", n(W)), ("transforms:M", n(M)), ("transforms:A", n(A))]
    case .flowJo9:
      // The writer's transforms come from analyze's scales (linear, logicle, fasinh), never from a read workspace.
      preconditionFailure("a FlowJo 9 parameter has no FlowJo 10 transform element")
    }
    return XMLOutputElement("transforms:" + t.elementName, attrs,
                            [XMLOutputElement("data-type:parameter", [("data-type:name", parameter)])])
  }
}
