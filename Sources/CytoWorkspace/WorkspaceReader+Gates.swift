import CytoCore
import CytoGating

/// What a gate dimension is resolved against: the sample's transforms, matrices and derived
/// parameters.
struct GateContext {
  var transforms: [String: FlowJoTransform]
  var matrices: [WorkspaceMatrix]
  var derived: Set<String>
}

extension WorkspaceReader {
  // MARK: Tree

  /// The populations of one `Subpopulations` element (none when it is absent).
  func populations(_ list: E?, under parent: PopulationPath, _ ctx: GateContext) throws(WorkspaceError) -> [PopulationNode] {
    var nodes: [PopulationNode] = []
    for c in list?.children ?? [] {
      guard c.namespace == nil else { throw fail(.unknownNode, c, "unknown element in Subpopulations", node: parent) }
      switch c.name {
      case "Statistic": continue  // collected by the parent node
      case "Population", "AndNode", "OrNode", "NotNode": nodes.append(try population(c, under: parent, ctx))
      default: throw fail(.unknownNode, c, "unknown node \(c.name) in Subpopulations (not a population, Boolean node or statistic)", node: parent)
      }
    }
    return nodes
  }

  func population(_ e: E, under parent: PopulationPath, _ ctx: GateContext) throws(WorkspaceError) -> PopulationNode {
    let name = try string(e, "name", node: parent)
    let path = parent + [name]
    let definition: PopulationDefinition
    if e.name == "Population" {
      guard let gate = e.child(nil, "Gate") else { throw fail(.missingValue, e, "a Population needs a Gate", node: path) }
      definition = .gate(try self.gate(gate, path, ctx))
    } else {
      definition = .boolean(try boolean(e, path))
    }
    let subs = e.child(nil, "Subpopulations")
    let statistics = (subs?.children(nil, "Statistic") ?? []).map { $0.attribute("name") ?? $0.attribute("id") ?? "Statistic" }
    return PopulationNode(name: name, path: path, definition: definition, savedCount: try savedCount(e),
                          owningGroup: e.attribute("owningGroup"), statistics: statistics,
                          children: try populations(subs, under: path, ctx), line: e.line)
  }

  /// `AndNode`/`OrNode`/`NotNode`: `Dependents/Dependent@name`, each a path from the sample root.
  func boolean(_ e: E, _ path: PopulationPath) throws(WorkspaceError) -> BooleanCombination {
    var deps: [PopulationPath] = []
    for dep in e.child(nil, "Dependents")?.children(nil, "Dependent") ?? [] {
      let s = try string(dep, "name", node: path)
      deps.append(s.split(separator: "/", omittingEmptySubsequences: true).map(String.init))
    }
    switch e.name {
    case "NotNode":
      guard deps.count == 1 else { throw fail(.invalidValue, e, "a NotNode needs exactly one dependent, found \(deps.count)", node: path) }
      return .not(deps[0])
    case "AndNode", "OrNode":
      guard !deps.isEmpty else { throw fail(.invalidValue, e, "\(e.name) has no dependents", node: path) }
      return e.name == "AndNode" ? .and(deps) : .or(deps)
    default: throw fail(.unknownNode, e, "not a Boolean node", node: path)
    }
  }

  /// Every Boolean dependent must name a population of the same tree, and membership must be
  /// well defined: a population depends on its parent and, when Boolean, on its dependents; no
  /// chain of these may lead back to where it started.
  func checkDependents(_ roots: [PopulationNode]) throws(WorkspaceError) {
    let all = roots.flatMap(\.flattened)
    var byPath: [PopulationPath: PopulationNode] = [:]
    for n in all { byPath[n.path] = n }
    for n in all {
      guard case .boolean(let b) = n.definition else { continue }
      for dep in b.dependents where byPath[dep] == nil {
        throw WorkspaceError(.unresolvedDependent, "dependent \"\(dep.joined(separator: "/"))\" names no population of this tree",
                             element: n.definition.typeName, line: n.line, node: n.path)
      }
    }
    func inputs(_ p: PopulationPath) -> [PopulationPath] {
      var out: [PopulationPath] = p.count > 1 ? [Array(p.dropLast())] : []
      if case .boolean(let b)? = byPath[p]?.definition { out += b.dependents }
      return out
    }
    enum Mark { case visiting, done }
    var marks: [PopulationPath: Mark] = [:]
    func visit(_ p: PopulationPath, _ chain: [PopulationPath]) -> [PopulationPath]? {
      if marks[p] == .done { return nil }
      if marks[p] == .visiting { return chain + [p] }
      marks[p] = .visiting
      for q in inputs(p) { if let cycle = visit(q, chain + [p]) { return cycle } }
      marks[p] = .done
      return nil
    }
    for n in all {
      guard let cycle = visit(n.path, []) else { continue }
      let start = cycle.firstIndex(of: cycle.last!) ?? 0
      let loop = cycle[start...].map { $0.joined(separator: "/") }.joined(separator: " → ")
      let node = cycle[start...].compactMap { byPath[$0] }.first { if case .boolean = $0.definition { true } else { false } } ?? n
      throw WorkspaceError(.booleanCycle, "Boolean dependents form a cycle: \(loop)", element: node.definition.typeName, line: node.line, node: node.path)
    }
  }

  // MARK: Gates

  func gate(_ wrapper: E, _ path: PopulationPath, _ ctx: GateContext) throws(WorkspaceError) -> WorkspaceGate {
    let body = wrapper.children.filter { $0.namespace == g }
    guard body.count == 1, let e = body.first else {
      throw fail(.missingValue, wrapper, "a Gate must hold exactly one gating:* element, found \(body.count)", node: path)
    }
    let shape: WorkspaceGateShape
    switch e.name {
    case "RectangleGate":
      let dims = e.children(g, "dimension")
      guard !dims.isEmpty else { throw fail(.missingValue, e, "a RectangleGate needs a dimension", node: path) }
      var ranges: [WorkspaceRange] = []
      for dim in dims {
        let lo = try number(dim, "min", node: path), hi = try number(dim, "max", node: path)
        if let lo, let hi, lo > hi { throw fail(.invalidValue, dim, "min \(lo) > max \(hi)", node: path) }
        ranges.append(WorkspaceRange(try dimension(dim, path, ctx), min: lo, max: hi))
      }
      shape = .rectangle(ranges)
    case "PolygonGate":
      let (x, y) = try twoDimensions(e, path, ctx)
      let vertices = try points(e.children(g, "vertex"), path)
      guard vertices.count >= 3 else { throw fail(.invalidValue, e, "a polygon needs 3 vertices, found \(vertices.count)", node: path) }
      shape = .polygon(x: x, y: y, vertices: vertices)
    case "EllipsoidGate":
      let (x, y) = try twoDimensions(e, path, ctx)
      let foci = try points(e.child(g, "foci")?.children(g, "vertex") ?? [], path)
      let edge = try points(e.child(g, "edge")?.children(g, "vertex") ?? [], path)
      guard foci.count == 2, edge.count == 4 else {
        throw fail(.invalidValue, e, "a FlowJo ellipse needs 2 foci and 4 edge points, found \(foci.count) and \(edge.count)", node: path)
      }
      shape = .ellipse(FlowJoEllipse(x: x, y: y, foci: foci, edge: edge, distance: try number(e, "distance", node: path)))
    case "CurlyQuad":
      shape = .curlyQuadrant(try curlyQuadrant(e, path, ctx))
    case "QuadrantGate":
      throw fail(.unknownGate, e, "QuadrantGate is not supported in workspaces (FlowJo 10 saves quadrants as 4 rectangles)", node: path)
    default:
      throw fail(.unknownGate, e, "unknown gate element \(e.qualifiedName)", node: path)
    }
    let region: GateRegion
    switch e.attribute("eventsInside") {
    case nil, "1": region = .inside
    case "0": region = .outside
    case let v?: throw fail(.invalidValue, e, "eventsInside=\"\(v)\" is neither 0 nor 1", node: path)
    }
    let resolution = try e.attribute("gateResolution").map { (s: String) throws(WorkspaceError) -> Int in
      guard let n = Int(s), n > 0 else { throw fail(.invalidValue, e, "gateResolution=\"\(s)\" is not a positive integer", node: path) }
      return n
    }
    guard let id = wrapper.attribute("id") ?? e.attribute("id") else { throw fail(.missingValue, wrapper, "missing gating:id", node: path) }
    return WorkspaceGate(id: id, parentID: wrapper.attribute("parent_id"), shape: shape, region: region,
                         resolution: resolution, line: e.line)
  }

  /// A `CurlyQuad`: per dimension one bound, `min` (above) or `max` (below); both give the
  /// intersection.
  func curlyQuadrant(_ e: E, _ path: PopulationPath, _ ctx: GateContext) throws(WorkspaceError) -> FlowJoCurlyQuadrant {
    let (x, y) = try twoDimensions(e, path, ctx)
    var point: [Double] = [], above: [Bool] = []
    for dim in e.children(g, "dimension") {
      let lo = try number(dim, "min", node: path), hi = try number(dim, "max", node: path)
      switch (lo, hi) {
      case (let v?, nil): point.append(v); above.append(true)
      case (nil, let v?): point.append(v); above.append(false)
      default: throw fail(.invalidValue, dim, "a CurlyQuad dimension needs exactly one of min and max", node: path)
      }
    }
    let quadrant: QuadrantPosition = switch (above[0], above[1]) {
    case (false, true): .upperLeft
    case (true, true): .upperRight
    case (true, false): .lowerRight
    case (false, false): .lowerLeft
    }
    return FlowJoCurlyQuadrant(x: x, y: y, intersection: Vertex(point[0], point[1]), quadrant: quadrant)
  }

  func twoDimensions(_ e: E, _ path: PopulationPath, _ ctx: GateContext) throws(WorkspaceError) -> (WorkspaceDimension, WorkspaceDimension) {
    let dims = e.children(g, "dimension")
    guard dims.count == 2 else { throw fail(.invalidValue, e, "\(e.name) needs 2 dimensions, found \(dims.count)", node: path) }
    return (try dimension(dims[0], path, ctx), try dimension(dims[1], path, ctx))
  }

  /// `gating:vertex/gating:coordinate@data-type:value` × 2.
  func points(_ vertices: [E], _ path: PopulationPath) throws(WorkspaceError) -> [Vertex] {
    var out: [Vertex] = []
    for v in vertices {
      let c = v.children(g, "coordinate")
      guard c.count == 2 else { throw fail(.invalidValue, v, "a vertex needs 2 coordinates, found \(c.count)", node: path) }
      out.append(Vertex(try required(c[0], "value", node: path), try required(c[1], "value", node: path)))
    }
    return out
  }

  /// Resolves a `gating:dimension`: its parameter name, compensation and transform.
  func dimension(_ e: E, _ path: PopulationPath, _ ctx: GateContext) throws(WorkspaceError) -> WorkspaceDimension {
    if let nd = e.child(d, "new-dimension") {
      throw fail(.derivedParameter, nd, "gates on derived (new-dimension) parameters are not supported", node: path)
    }
    guard let fd = e.child(d, "fcs-dimension") else { throw fail(.missingValue, e, "a dimension needs a data-type:fcs-dimension", node: path) }
    let name = try string(fd, "name", node: path)
    if ctx.derived.contains(name) {
      throw fail(.derivedParameter, fd, "the gate is on derived parameter \(name); derived parameters are not supported", node: path)
    }
    let compensation: DimensionCompensation, channel: ChannelName
    if let m = ctx.matrices.first(where: { $0.detector(forCompensatedName: name) != nil }), let det = m.detector(forCompensatedName: name) {
      compensation = .matrix(id: m.id, origin: m.origin)
      channel = det
    } else if name.hasPrefix("FJComp-") {
      compensation = .precompensatedInFile
      channel = ChannelName(name)
    } else if name.hasPrefix("Comp-") || name.hasPrefix("Comp_") {
      throw fail(.unresolvedCompensation, fd, "parameter \(name) is compensated, but no matrix of this sample has that prefix and channel", node: path)
    } else {
      compensation = .uncompensated
      channel = ChannelName(name)
    }
    return WorkspaceDimension(parameter: name, channel: channel, compensation: compensation, transform: ctx.transforms[name])
  }
}
