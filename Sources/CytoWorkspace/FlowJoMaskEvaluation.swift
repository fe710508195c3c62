import CytoCore
import CytoGating

/// The population masks of one sample, computed on demand and memoised by path, so Boolean
/// nodes can refer to populations anywhere in the tree (docs/flowjo.md; see ``FlowJoCounter``).
struct FlowJoMaskEvaluation {
  let sample: WorkspaceSample
  let mode: GeometryMode
  let eventCount: Int
  private(set) var masks: [PopulationPath: [Bool]] = [:]
  /// Under ``GeometryMode/flowJo``: the populations whose polygon or FlowJo 9 ellipse was tested
  /// in exact display geometry because FlowJo's grid for it is not measured, with the reason.
  private(set) var exactFallbacks: [PopulationPath: String] = [:]
  private var nodes: [PopulationPath: PopulationNode] = [:]
  private var reader: ChannelValueReader
  private var channels: Set<ChannelName>
  private var columns: [String: [Double]] = [:]
  private var inProgress: Set<PopulationPath> = []

  init(sample: WorkspaceSample, mode: GeometryMode, input: GatingInput) throws(WorkspaceCountError) {
    self.sample = sample
    self.mode = mode
    eventCount = input.events.eventCount
    for node in sample.allPopulations { nodes[node.path] = node }
    // FlowJo writes FCS names with `/` as `_` (WorkspaceDimension.flowJoSpelling): read the data
    // under FlowJo's spelling when that keeps the names distinct.
    var renamed = input
    let spelled = input.channels.map { ChannelName(WorkspaceDimension.flowJoSpelling(of: $0)) }
    if Set(spelled).count == spelled.count { renamed.channels = spelled }
    channels = Set(renamed.channels)
    let matrices = sample.compensation.map { [SpectrumMatrix(id: $0.id, matrix: $0.spillover)] } ?? []
    do {
      reader = try ChannelValueReader(input: renamed, strategy: GatingStrategy(spectrumMatrices: matrices, gates: []))
    } catch {
      throw WorkspaceCountError(.compensation, "cannot use the sample's matrix: \(error)", sample: sample.name)
    }
  }

  /// The mask of the population at `path` (its gate or Boolean combination within its parent);
  /// the empty path is every event.
  mutating func mask(_ path: PopulationPath) throws(WorkspaceCountError) -> [Bool] {
    if path.isEmpty { return [Bool](repeating: true, count: eventCount) }
    if let m = masks[path] { return m }
    guard let node = nodes[path] else {
      throw WorkspaceCountError(.unresolvedDependent, "no population at this path", sample: sample.name, node: path)
    }
    guard inProgress.insert(path).inserted else {
      throw WorkspaceCountError(.unresolvedDependent, "Boolean dependents form a cycle", sample: sample.name, node: path)
    }
    defer { inProgress.remove(path) }
    let parent = try mask(Array(path.dropLast()))
    var own: [Bool]
    switch node.definition {
    case .gate(let gate):
      own = try gateMask(gate, node: path)
    case .boolean(.and(let deps)):
      own = [Bool](repeating: true, count: eventCount)
      for d in deps { let m = try mask(d); for i in 0..<eventCount { own[i] = own[i] && m[i] } }
    case .boolean(.or(let deps)):
      own = [Bool](repeating: false, count: eventCount)
      for d in deps { let m = try mask(d); for i in 0..<eventCount { own[i] = own[i] || m[i] } }
    case .boolean(.not(let dep)):
      own = try mask(dep).map { !$0 }
    }
    for i in 0..<eventCount { own[i] = own[i] && parent[i] }
    masks[path] = own
    return own
  }

  /// The gate's own mask (before the parent), with `eventsInside="0"` applied.
  private mutating func gateMask(_ gate: WorkspaceGate, node: PopulationPath) throws(WorkspaceCountError) -> [Bool] {
    var m: [Bool]
    for d in gate.shape.dimensions {
      if case .flowJo9(let p)? = d.transform, !p.gateUnitsKnown {
        throw WorkspaceCountError(.unsupportedTransform,
                                  "\(d.parameter): FlowJo older than 9 saved this gate on a 4096-channel linear parameter; the sources disagree on its units (docs/flowjo.md, \"FlowJo 9 workspaces\")",
                                  sample: sample.name, node: node)
      }
    }
    switch gate.shape {
    case .rectangle(let ranges):
      var cols: [[Double]] = []
      for r in ranges { cols.append(try column(r.dimension, node: node)) }
      m = FlowJoGateGeometry.rectangle(cols, bounds: ranges.map { ($0.min, $0.max) }, count: eventCount)
    case .polygon(let x, let y, let vertices):
      let (sx, sy, gm) = try polygonScales(x, y, resolution: gate.resolution, node: node)
      let cx = try column(x, node: node), cy = try column(y, node: node)
      let r = gate.resolution ?? FlowJoEllipse.gridSize
      func map(_ s: FlowJoDisplayScale, _ v: [Double]) -> [Double] {
        switch gm {
        case .flowJo: v.map { s.gridIndex($0, resolution: r) }
        case .exact: v.map { s.display($0) }
        }
      }
      m = FlowJoGateGeometry.evenOdd(px: map(sx, cx), py: map(sy, cy),
                                     vx: map(sx, vertices.map(\.x)), vy: map(sy, vertices.map(\.y)))
    case .ellipse(let e):
      let sx = try scale(e.x, node: node), sy = try scale(e.y, node: node)
      let cx = try column(e.x, node: node), cy = try column(e.y, node: node)
      let r = FlowJoEllipse.gridSize
      guard e.foci.count == 2, e.edge.count >= 2 else {
        throw WorkspaceCountError(.unsupportedGate, "ellipse needs 2 foci and 2 edge points", sample: sample.name, node: node)
      }
      m = FlowJoGateGeometry.ellipse(px: cx.map { sx.coordinate($0, resolution: r, mode: mode) },
                                     py: cy.map { sy.coordinate($0, resolution: r, mode: mode) }, foci: e.foci, edge: e.edge)
    case .antipodalEllipse(let e):
      if mode == .flowJo {
        exactFallbacks[node] = "FlowJo 9 stores no gateResolution on ellipses: its grid is unknown, tested in exact display geometry"
      }
      let sx = try scale(e.x, node: node), sy = try scale(e.y, node: node)
      let cx = try column(e.x, node: node), cy = try column(e.y, node: node)
      let pts = e.points.map { Vertex(sx.display($0.x), sy.display($0.y)) }
      guard FlowJoAntipodalEllipse.contains(points: pts, pts[0].x, pts[0].y) != nil else {
        throw WorkspaceCountError(.unsupportedGate, "FlowJo 9 ellipse: its four points span no ellipse", sample: sample.name, node: node)
      }
      m = zip(cx, cy).map { FlowJoAntipodalEllipse.contains(points: pts, sx.display($0), sy.display($1)) ?? false }
    case .curlyQuadrant:
      throw WorkspaceCountError(.unsupportedGate, "CurlyQuad: how FlowJo bends the dividers is not stored nor measured",
                                sample: sample.name, node: node)
    }
    if gate.region == .outside { m = m.map { !$0 } }
    return m
  }

  /// A polygon's axis scales and the geometry to test it in. Under ``GeometryMode/flowJo`` a
  /// polygon whose grid is not measured (an axis other than linear or biex, no `gateResolution`,
  /// as in FlowJo 9) is tested in exact display geometry and recorded in ``exactFallbacks``
  /// with the reason; exact geometry is what FlowKit does everywhere, and differs from FlowJo by
  /// events within a grid cell of an edge (docs/flowjo.md). An axis exact geometry cannot map
  /// either (a FlowJo 9 log axis, invalid parameters) is an error.
  private mutating func polygonScales(_ x: WorkspaceDimension, _ y: WorkspaceDimension, resolution: Int?,
                                      node: PopulationPath) throws(WorkspaceCountError) -> (FlowJoDisplayScale, FlowJoDisplayScale, GeometryMode) {
    if mode == .flowJo, resolution != nil, let sx = FlowJoDisplayScale(x.transform), let sy = FlowJoDisplayScale(y.transform) {
      return (sx, sy, .flowJo)
    }
    let sx = try scale(x, node: node, polygon: true, exact: true), sy = try scale(y, node: node, polygon: true, exact: true)
    if mode == .flowJo {
      let unmeasured = [x, y].filter { FlowJoDisplayScale($0.transform) == nil }
        .map { "\($0.parameter) (\($0.transform.map { "transform \($0.elementName)" } ?? "no transform"))" }
      exactFallbacks[node] = resolution == nil
        ? "no gateResolution (FlowJo 9 stores none): FlowJo's grid is unknown, tested in exact display geometry"
        : "FlowJo's grid is measured only on linear and biex axes, not on \(unmeasured.joined(separator: ", ")): tested in exact display geometry"
    }
    return (sx, sy, .exact)
  }

  /// The display scale of a polygon or ellipse axis, or an error when the rule does not cover it.
  /// Under exact geometry polygons are also tested on logicle and fasinh axes (no grid needed).
  private func scale(_ d: WorkspaceDimension, node: PopulationPath, polygon: Bool = false,
                     exact: Bool = false) throws(WorkspaceCountError) -> FlowJoDisplayScale {
    let exactPolygon = polygon && (mode == .exact || exact)
    guard let s = exactPolygon ? FlowJoDisplayScale(exactPolygonAxis: d.transform) : FlowJoDisplayScale(d.transform) else {
      let what = d.transform.map { "transform \($0.elementName)" } ?? "no transform"
      let scope = exactPolygon
        ? "exact geometry covers polygon axes that are linear, biex, logicle, fasinh, hyperlog, log or without a transform (valid parameters)"
        : "FlowJo's ellipse grid is measured only on linear and biex axes, and FlowJo 9 log axes are not read (docs/flowjo.md)"
      throw WorkspaceCountError(.unsupportedTransform, "\(d.parameter) has \(what); \(scope)", sample: sample.name, node: node)
    }
    return s
  }

  /// The dimension's (compensated) event values in `Double`, cached by parameter name.
  private mutating func column(_ d: WorkspaceDimension, node: PopulationPath) throws(WorkspaceCountError) -> [Double] {
    if let c = columns[d.parameter] { return c }
    guard channels.contains(d.channel) else {
      throw WorkspaceCountError(.missingChannel, "channel \(d.channel) (for \(d.parameter)) is not in the data",
                                sample: sample.name, node: node)
    }
    let ref: CompensationReference
    switch d.compensation {
    case .uncompensated, .precompensatedInFile: ref = .uncompensated
    case .matrix(let id, _): ref = .matrix(id)
    case .sampleMatrix:
      throw WorkspaceCountError(.compensation, "\(d.parameter) is compensated with a sample's own matrix (a FlowJo 9 template)", sample: sample.name, node: node)
    }
    let values: DimensionValues
    do { values = try reader.values(d.channel, compensation: ref) } catch {
      throw WorkspaceCountError(.compensation, "cannot compute \(d.parameter): \(error)", sample: sample.name, node: node)
    }
    let c: [Double]
    switch values {
    case .float(let v): c = v.map(Double.init)
    case .double(let v): c = v
    }
    columns[d.parameter] = c
    return c
  }
}
