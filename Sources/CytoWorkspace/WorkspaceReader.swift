import CytoCore

/// Builds a ``FlowJoWorkspace`` from the XML tree. Each method throws a ``WorkspaceError``
/// naming the element and line.
struct WorkspaceReader {
  typealias E = WSElement
  let g = WSNamespace.gating, t = WSNamespace.transforms, d = WSNamespace.dataType
  /// `Workspace@version` values of FlowJo 10 (CytoML `workspace_type.hpp`: `1.8`, `20.0`).
  static let flowJo10Versions: Set<String> = ["20.0", "1.8"]

  func fail(_ kind: WorkspaceError.Kind, _ e: E, _ message: String, node: PopulationPath? = nil) -> WorkspaceError {
    WorkspaceError(kind, message, element: e.qualifiedName, line: e.line, node: node)
  }

  func number(_ e: E, _ attr: String, node: PopulationPath? = nil) throws(WorkspaceError) -> Double? {
    guard let s = e.attribute(attr) else { return nil }
    guard let v = Double(s.trimmingCharacters(in: .whitespaces)), v.isFinite else {
      throw fail(.invalidValue, e, "attribute \(attr)=\"\(s)\" is not a finite number", node: node)
    }
    return v
  }

  func required(_ e: E, _ attr: String, node: PopulationPath? = nil) throws(WorkspaceError) -> Double {
    guard let v = try number(e, attr, node: node) else { throw fail(.missingValue, e, "missing attribute \(attr)", node: node) }
    return v
  }

  func string(_ e: E, _ attr: String, node: PopulationPath? = nil) throws(WorkspaceError) -> String {
    guard let v = e.attribute(attr) else { throw fail(.missingValue, e, "missing attribute \(attr)", node: node) }
    return v
  }

  func savedCount(_ e: E) throws(WorkspaceError) -> SavedCount {
    guard let s = e.attribute("count") else { return .absent }
    guard let n = Int(s), n >= -1 else { throw fail(.invalidValue, e, "count=\"\(s)\" is not a count") }
    return n == -1 ? .notComputed : .events(n)
  }

  // MARK: Workspace

  func workspace(_ root: E) throws(WorkspaceError) -> FlowJoWorkspace {
    guard root.namespace == nil, root.name == "Workspace" else {
      throw fail(.notAWorkspace, root, "not a FlowJo workspace (the root element must be Workspace)")
    }
    let version = try string(root, "version")
    if version == FlowJo9Reader.version { return try FlowJo9Reader().workspace(root) }
    guard Self.flowJo10Versions.contains(version) else {
      throw fail(.unsupportedVersion, root, "workspace version \(version) is neither FlowJo 10 (20.0, 1.8) nor FlowJo 9 (2.0)\(version == "3.0" ? "; FlowJo 9.7.2 and later (3.0) are not read" : "")")
    }
    var matrices: [WorkspaceMatrix] = []
    for m in root.child(nil, "Matrices")?.children ?? [] {
      guard m.is(t, "spilloverMatrix") else { throw fail(.unknownNode, m, "unknown element in Matrices") }
      matrices.append(try matrix(m))
    }
    var samples: [WorkspaceSample] = []
    for s in root.child(nil, "SampleList")?.children(nil, "Sample") ?? [] {
      let sample = try self.sample(s)
      if samples.contains(where: { $0.id == sample.id }) {
        throw fail(.duplicate, s, "sampleID \(sample.id) is used by two samples")
      }
      samples.append(sample)
    }
    var groups: [WorkspaceGroup] = []
    for gn in root.child(nil, "Groups")?.children(nil, "GroupNode") ?? [] {
      groups.append(try group(gn, matrices: matrices))
    }
    return FlowJoWorkspace(version: version, flowJoVersion: root.attribute("flowJoVersion"), matrices: matrices,
                           groups: groups, samples: samples)
  }

  func group(_ e: E, matrices: [WorkspaceMatrix]) throws(WorkspaceError) -> WorkspaceGroup {
    let name = try string(e, "name")
    var ids: [SampleID] = []
    for r in e.child(nil, "Group")?.child(nil, "SampleRefs")?.children(nil, "SampleRef") ?? [] {
      ids.append(SampleID(try string(r, "sampleID")))
    }
    // A template belongs to no sample: no transforms, and compensated names resolve against
    // the workspace's matrices.
    let context = GateContext(transforms: [:], matrices: matrices, derived: [])
    let template = try populations(e.child(nil, "Subpopulations"), under: [], context)
    try checkDependents(template)
    return WorkspaceGroup(name: name, sampleIDs: ids, template: template)
  }

  // MARK: Samples

  func sample(_ e: E) throws(WorkspaceError) -> WorkspaceSample {
    guard let ds = e.child(nil, "DataSet") else { throw fail(.missingValue, e, "a Sample needs a DataSet") }
    let id = SampleID(try string(ds, "sampleID"))
    let uri = try string(ds, "uri")
    let comp = try e.child(t, "spilloverMatrix").map { (m) throws(WorkspaceError) in try matrix(m) }
    var transforms: [String: FlowJoTransform] = [:]
    for x in e.child(nil, "Transformations")?.children ?? [] {
      let (name, tr) = try transform(x)
      if transforms[name] != nil { throw fail(.duplicate, x, "a second transform for parameter \(name)") }
      transforms[name] = tr
    }
    var keywords: [WorkspaceKeyword] = []
    for k in e.child(nil, "Keywords")?.children(nil, "Keyword") ?? [] {
      keywords.append(WorkspaceKeyword(name: try string(k, "name"), value: k.attribute("value") ?? ""))
    }
    var derived: [DerivedParameterName] = []
    for p in e.child(nil, "DerivedParameters")?.children ?? [] {
      derived.append(DerivedParameterName(name: try string(p, "name"), line: p.line))
    }
    guard let node = e.child(nil, "SampleNode") else { throw fail(.missingValue, e, "a Sample needs a SampleNode") }
    if let nodeID = node.attribute("sampleID"), nodeID != id.rawValue {
      throw fail(.invalidValue, node, "SampleNode sampleID \(nodeID) differs from its DataSet's \(id)")
    }
    let context = GateContext(transforms: transforms, matrices: comp.map { [$0] } ?? [], derived: Set(derived.map(\.name)))
    let tree = try populations(node.child(nil, "Subpopulations"), under: [], context)
    try checkDependents(tree)
    return WorkspaceSample(id: id, name: try string(node, "name"), dataSetURI: uri, keywords: keywords, transforms: transforms,
                           compensation: comp, derivedParameters: derived, savedCount: try savedCount(node), populations: tree,
                           line: node.line)
  }

  // MARK: Matrices

  func matrix(_ e: E) throws(WorkspaceError) -> WorkspaceMatrix {
    let id = try string(e, "id")
    let name = e.attribute("name") ?? ""
    guard let params = e.child(d, "parameters") else { throw fail(.missingValue, e, "a spilloverMatrix needs data-type:parameters") }
    var detectors: [ChannelName] = []
    for p in params.children(d, "parameter") { detectors.append(ChannelName(try string(p, "name"))) }
    var rows: [ChannelName] = [], values: [Double] = []
    for r in e.children(t, "spillover") {
      rows.append(ChannelName(try string(r, "parameter")))
      var byDetector: [String: Double] = [:]
      for c in r.children(t, "coefficient") { byDetector[try string(c, "parameter")] = try required(c, "value") }
      for det in detectors {
        guard let v = byDetector[det.rawValue] else {
          throw fail(.missingValue, r, "no coefficient for detector \(det) in the row of \(rows.last!)")
        }
        values.append(v)
      }
    }
    let spectral = e.attribute("spectral") == "1"
    if rows.isEmpty || (!spectral && rows.count != detectors.count) {
      throw fail(.invalidValue, e, "\(rows.count) spillover rows for \(detectors.count) parameters")
    }
    return WorkspaceMatrix(id: id, origin: name == "Acquisition-defined" ? .acquisitionDefined : .workspace(name: name),
                           prefix: e.attribute("prefix") ?? "", suffix: e.attribute("suffix") ?? "", isSpectral: spectral,
                           spillover: SpilloverMatrix(fluorochromes: rows, detectors: detectors, values: values), line: e.line)
  }

  // MARK: Transforms

  /// One `Transformations` entry: the parameter it applies to and the transform.
  func transform(_ e: E) throws(WorkspaceError) -> (String, FlowJoTransform) {
    guard e.namespace == t else { throw fail(.unknownTransform, e, "unknown element in Transformations") }
    guard let p = e.child(d, "parameter") else { throw fail(.missingValue, e, "a transform needs a data-type:parameter") }
    let name = try string(p, "name")
    func r(_ a: String) throws(WorkspaceError) -> Double { try required(e, a) }
    let tr: FlowJoTransform
    switch e.name {
    case "linear": tr = .linear(minRange: try r("minRange"), maxRange: try r("maxRange"), gain: try number(e, "gain") ?? 1)
    case "log": tr = .log(offset: try r("offset"), decades: try r("decades"))
    case "biex":
      let length = try number(e, "length").map { (v: Double) throws(WorkspaceError) -> Int in
        guard let n = Int(exactly: v), n > 0 else { throw fail(.invalidValue, e, "length \(v) is not a positive integer") }
        return n
      }
      tr = .biex(FlowJoBiex(width: try r("width"), pos: try r("pos"), neg: try r("neg"), maxRange: try r("maxRange"), length: length))
    case "logicle": tr = .logicle(t: try r("T"), w: try r("W"), m: try r("M"), a: try r("A"))
    case "hyperlog": tr = .hyperlog(t: try r("T"), w: try r("W"), m: try r("M"), a: try r("A"))
    case "fasinh":
      tr = .fasinh(t: try r("T"), m: try r("M"), a: try r("A"), w: try r("W"), length: try number(e, "length"),
                   maxRange: try number(e, "maxRange"))
    default: throw fail(.unknownTransform, e, "unknown transform \(e.qualifiedName) for parameter \(name)")
    }
    return (name, tr)
  }
}
