import CytoCore
import CytoGating

extension FlowJo9Reader {
  /// FlowJo 9's geometric gate elements inside `PolygonGate` (CytoML, LabKey).
  static let shapeElements: Set<String> = ["Polygon", "PolyRect", "Ellipse", "Range"]

  // MARK: Tree

  /// The `Population` children of a `SampleNode`, `GroupNode` or `Population`, with Boolean
  /// dependents resolved to full paths and checked (when `parent` is the root).
  func populations(_ owner: E, under parent: PopulationPath, _ ctx: FlowJo9Context) throws(WorkspaceError) -> [PopulationNode] {
    var nodes: [PopulationNode] = []
    for c in owner.children(nil, "Population") { nodes.append(try population(c, under: parent, ctx)) }
    guard parent.isEmpty else { return nodes }
    let all = nodes.flatMap(\.flattened).map(\.path)
    var resolved: [PopulationNode] = []
    for n in nodes { resolved.append(try resolveDependents(n, all: all)) }
    try r.checkDependents(resolved)
    return resolved
  }

  func population(_ e: E, under parent: PopulationPath, _ ctx: FlowJo9Context) throws(WorkspaceError) -> PopulationNode {
    let name = try r.string(e, "name", node: parent)
    let path = parent + [name]
    let kids = e.children.filter { $0.namespace == nil }
    if let odd = kids.first(where: { $0.name.hasSuffix("Gate") && $0.name != "PolygonGate" && $0.name != "BooleanGate" }) {
      throw fail(.unknownGate, odd, "unknown gate element \(odd.name) (FlowJo 9 gates are PolygonGate or BooleanGate)", node: path)
    }
    let gates = kids.filter { $0.name == "PolygonGate" || $0.name == "BooleanGate" }
    guard gates.count == 1, let g = gates.first else {
      throw fail(.missingValue, e, "a Population needs exactly one PolygonGate or BooleanGate, found \(gates.count)", node: path)
    }
    let definition: PopulationDefinition = g.name == "BooleanGate"
      ? .boolean(try boolean(g, path)) : .gate(try geometric(g, path, ctx))
    let statistics = kids.filter { $0.name == "Statistic" }.map { $0.attribute("statistic") ?? $0.attribute("name") ?? "Statistic" }
    return PopulationNode(name: name, path: path, definition: definition, savedCount: try r.savedCount(e),
                          owningGroup: e.attribute("owningGroup"), statistics: statistics,
                          children: try populations(e, under: path, ctx), line: e.line)
  }

  // MARK: Boolean

  /// `BooleanGate@specification` (`G0 & G1`, `G0 | G1`, `!G0`) over `GatePaths/StringArray/String`
  /// (or `QuotedString`). The dependents are kept as written (partial paths) until the tree is
  /// complete. Only the forms the model has are read: all `&`, all `|`, or one negated operand.
  func boolean(_ e: E, _ path: PopulationPath) throws(WorkspaceError) -> BooleanCombination {
    let spec = try r.string(e, "specification", node: path)
    var paths: [PopulationPath] = []
    for s in e.child(nil, "GatePaths")?.child(nil, "StringArray")?.children ?? [] where s.name == "String" || s.name == "QuotedString" {
      var text = s.text.trimmingCharacters(in: .whitespacesAndNewlines)
      if s.name == "QuotedString", text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") {
        text = String(text.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
      }
      paths.append(text.split(separator: "/", omittingEmptySubsequences: true).map(String.init))
    }
    var operands: [(negated: Bool, index: Int)] = [], operators: [Character] = [], token = ""
    func flush() throws(WorkspaceError) {
      var t = token.filter { !$0.isWhitespace }
      token = ""
      let negated = t.hasPrefix("!")
      if negated { t.removeFirst() }
      guard t.hasPrefix("G"), let i = Int(t.dropFirst()), i >= 0, i < paths.count else {
        throw fail(.invalidValue, e, "specification \"\(spec)\": operand \"\(t)\" names none of the \(paths.count) gate paths", node: path)
      }
      operands.append((negated, i))
    }
    for ch in spec {
      if ch == "&" || ch == "|" { try flush(); operators.append(ch) } else { token.append(ch) }
    }
    try flush()
    let negated: Bool
    switch e.attribute("negated") {
    case nil, "", "0": negated = false
    case "1": negated = true
    case let v?: throw fail(.invalidValue, e, "negated=\"\(v)\" is neither 0 nor 1", node: path)
    }
    let deps = operands.map { paths[$0.index] }
    if operands.count == 1 {
      return operands[0].negated != negated ? .not(deps[0]) : .and(deps)
    }
    guard !negated, !operands.contains(where: \.negated), Set(operators).count == 1 else {
      throw fail(.unknownGate, e, "Boolean specification \"\(spec)\"\(negated ? " (negated)" : "") mixes operators or negations; only all-AND, all-OR or a single NOT are read", node: path)
    }
    return operators[0] == "&" ? .and(deps) : .or(deps)
  }

  /// Replaces a Boolean node's partial dependents (CytoML: `/pop` or `/a/b`, matched against the
  /// end of population paths) by full paths: the only match, else the one hanging off the
  /// Boolean node's nearest ancestor. No match or a tie is an error naming the node.
  func resolveDependents(_ n: PopulationNode, all: [PopulationPath]) throws(WorkspaceError) -> PopulationNode {
    var out = n
    if case .boolean(let b) = n.definition {
      var full: [PopulationPath] = []
      for d in b.dependents {
        let matches = all.filter { $0.count >= d.count && Array($0.suffix(d.count)) == d }
        func anchor(_ p: PopulationPath) -> Int? {
          let base = Array(p.dropLast(d.count))
          return n.path.starts(with: base) && base.count < n.path.count ? base.count : nil
        }
        let best = matches.compactMap(anchor).max()
        let chosen = matches.count == 1 ? matches : matches.filter { anchor($0) == best && best != nil }
        let text = d.joined(separator: "/")
        guard chosen.count == 1 else {
          let kind: WorkspaceError.Kind = matches.isEmpty ? .unresolvedDependent : .invalidValue
          throw WorkspaceError(kind, matches.isEmpty ? "gate path \"\(text)\" names no population of this tree"
                                 : "gate path \"\(text)\" matches \(matches.count) populations equally",
                               element: "BooleanGate", line: n.line, node: n.path)
        }
        full.append(chosen[0])
      }
      let resolved: BooleanCombination = switch b {
      case .and: .and(full)
      case .or: .or(full)
      case .not: .not(full[0])
      }
      out.definition = .boolean(resolved)
    }
    var kids: [PopulationNode] = []
    for c in n.children { kids.append(try resolveDependents(c, all: all)) }
    out.children = kids
    return out
  }

  // MARK: Geometric gates

  /// `PolygonGate`: the `Polygon`, `PolyRect`, `Ellipse` or `Range` child (its other children,
  /// which CytoML skips, hold no geometry), `xAxisName`/`yAxisName`, `negated`, and vertices
  /// `Polygon/Vertex@x@y` in data units.
  func geometric(_ pg: E, _ path: PopulationPath, _ ctx: FlowJo9Context) throws(WorkspaceError) -> WorkspaceGate {
    let shapes = pg.children.filter { $0.namespace == nil && Self.shapeElements.contains($0.name) }
    guard shapes.count == 1, let g = shapes.first else {
      if shapes.isEmpty, let last = pg.children.last {
        throw fail(.unknownGate, last, "unknown gate element \(last.qualifiedName) (FlowJo 9 gates are Polygon, PolyRect, Ellipse or Range)", node: path)
      }
      throw fail(shapes.isEmpty ? .missingValue : .invalidValue, pg, "a PolygonGate needs one Polygon, PolyRect, Ellipse or Range, found \(shapes.count)", node: path)
    }
    var vertices: [Vertex] = []
    for v in g.child(nil, "Polygon")?.children(nil, "Vertex") ?? [] {
      vertices.append(Vertex(try r.required(v, "x", node: path), try r.required(v, "y", node: path)))
    }
    let x = try dimension(try r.string(g, "xAxisName", node: path), g, path, ctx)
    func yAxis() throws(WorkspaceError) -> WorkspaceDimension {
      guard let name = g.attribute("yAxisName"), !name.isEmpty else { throw fail(.missingValue, g, "\(g.name) needs a yAxisName", node: path) }
      return try dimension(name, g, path, ctx)
    }
    func count(_ ok: Bool, _ what: String) throws(WorkspaceError) {
      if !ok { throw fail(.invalidValue, g, "\(g.name) needs \(what), found \(vertices.count) vertices", node: path) }
    }
    let shape: WorkspaceGateShape
    switch g.name {
    case "Polygon":
      try count(vertices.count >= 3, "at least 3 vertices")
      shape = .polygon(x: x, y: try yAxis(), vertices: vertices)
    case "PolyRect":
      try count(vertices.count >= 2, "its corners")
      let xs = vertices.map(\.x), ys = vertices.map(\.y)
      let (x0, x1, y0, y1) = (xs.min()!, xs.max()!, ys.min()!, ys.max()!)
      guard vertices.allSatisfy({ ($0.x == x0 || $0.x == x1) && ($0.y == y0 || $0.y == y1) }) else {
        throw fail(.invalidValue, g, "PolyRect vertices are not the corners of an axis-aligned rectangle", node: path)
      }
      shape = .rectangle([WorkspaceRange(x, min: x0, max: x1), WorkspaceRange(try yAxis(), min: y0, max: y1)])
    case "Range":
      try count(vertices.count == 2, "2 vertices")
      let (a, b) = (vertices[0], vertices[1])
      let (lo, hi) = a.x != b.x ? (min(a.x, b.x), max(a.x, b.x)) : (min(a.y, b.y), max(a.y, b.y))
      shape = .rectangle([WorkspaceRange(x, min: lo, max: hi)])
    default:  // Ellipse
      try count(vertices.count == 4, "4 antipodal points")
      shape = .antipodalEllipse(FlowJoAntipodalEllipse(x: x, y: try yAxis(), points: vertices))
    }
    let region: GateRegion
    switch g.attribute("negated") {
    case nil, "", "0": region = .inside
    case "1": region = .outside
    case let v?: throw fail(.invalidValue, g, "negated=\"\(v)\" is neither 0 nor 1", node: path)
    }
    return WorkspaceGate(id: path.joined(separator: "/"), parentID: nil, shape: shape, region: region, resolution: nil, line: g.line)
  }

  /// Resolves an axis name: derived parameters are refused; `prefix + detector + suffix` of the
  /// sample's matrix (`<PE-A>`, `Comp-PE-A`) is that detector compensated; other `<…>`/`Comp-`
  /// names are refused; a plain name must be one of the sample's `Parameter`s.
  func dimension(_ name: String, _ e: E, _ path: PopulationPath, _ ctx: FlowJo9Context) throws(WorkspaceError) -> WorkspaceDimension {
    if ctx.derived.contains(name) {
      throw fail(.derivedParameter, e, "the gate is on derived parameter \(name); derived parameters are not supported", node: path)
    }
    let looksCompensated = (name.hasPrefix("<") && name.hasSuffix(">")) || name.hasPrefix("Comp-")
    if let m = ctx.matrix, let det = m.detector(forCompensatedName: name) {
      return WorkspaceDimension(parameter: name, channel: det, compensation: .matrix(id: m.id, origin: m.origin),
                                transform: ctx.parameters[det.rawValue].map { .flowJo9($0) })
    }
    if looksCompensated {
      if ctx.isTemplate, name.count > 2 {
        let det = name.hasPrefix("<") ? String(name.dropFirst().dropLast()) : String(name.dropFirst(5))
        return WorkspaceDimension(parameter: name, channel: ChannelName(det), compensation: .sampleMatrix, transform: nil)
      }
      let why = ctx.matrix == nil ? ctx.noMatrixReason : "the sample's matrix has no detector for it (prefix \"\(ctx.matrix!.prefix)\")"
      throw fail(.unresolvedCompensation, e, "parameter \(name) is compensated, but \(why)", node: path)
    }
    if !ctx.isTemplate, ctx.parameters[name] == nil {
      throw fail(.unknownParameter, e, "axis \(name) is none of the sample's parameters (\(ctx.parameters.keys.sorted().joined(separator: ", ")))", node: path)
    }
    return WorkspaceDimension(parameter: name, channel: ChannelName(name), compensation: .uncompensated,
                              transform: ctx.parameters[name].map { .flowJo9($0) })
  }
}
