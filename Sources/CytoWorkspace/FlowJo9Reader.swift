import CytoCore

/// What a FlowJo 9 gate axis is resolved against: the sample's parameters, its matrix (or why
/// it has none) and its derived parameters. A group template has no parameters and no matrix.
struct FlowJo9Context {
  var parameters: [String: FlowJo9Parameter]
  var matrix: WorkspaceMatrix?
  /// Why compensated names cannot be resolved when ``matrix`` is `nil`.
  var noMatrixReason: String
  var derived: Set<String>
  var isTemplate: Bool
}

/// Builds a ``FlowJoWorkspace`` from a FlowJo 9 workspace (`Workspace@version="2.0"`, FlowJo 9
/// for Mac/PC `.xml`/`.wsp`). The element and attribute names follow CytoML's
/// `macFlowJoWorkspace.hpp` and LabKey's `FJ8Workspace.java` (docs/flowjo.md, "FlowJo 9
/// workspaces"). Each method throws a ``WorkspaceError`` naming the element and line.
struct FlowJo9Reader {
  typealias E = WSElement
  /// `Workspace@version` of FlowJo 9 (CytoML `workspace_type.hpp`: `2.0` is the Mac format;
  /// FlowJo 9.2 writes it, flowWorkspace `empty_workspace_9.2.xml`).
  static let version = "2.0"
  let r = WorkspaceReader()

  func fail(_ kind: WorkspaceError.Kind, _ e: E, _ message: String, node: PopulationPath? = nil) -> WorkspaceError {
    r.fail(kind, e, message, node: node)
  }

  // MARK: Workspace

  func workspace(_ root: E) throws(WorkspaceError) -> FlowJoWorkspace {
    let older = Self.olderThan9(versionList: root.attribute("versionList"), flowJoVersion: root.attribute("flowJoVersion"))
    var matrices: [WorkspaceMatrix] = []
    for m in root.child(nil, "CompensationMatrices")?.children ?? [] {
      guard m.namespace == nil, m.name == "CompensationMatrix" else { throw fail(.unknownNode, m, "unknown element in CompensationMatrices") }
      matrices.append(try matrix(m, index: matrices.count + 1))
    }
    var tables: [FlowJo9CalibrationTable] = []
    for t in root.child(nil, "CalibrationTables")?.children(nil, "Table") ?? [] { tables.append(try calibrationTable(t)) }
    var samples: [WorkspaceSample] = []
    for s in root.child(nil, "SampleList")?.children(nil, "Sample") ?? [] {
      let sample = try self.sample(s, matrices: matrices, tables: tables, olderThan9: older)
      if samples.contains(where: { $0.id == sample.id }) { throw fail(.duplicate, s, "sampleID \(sample.id) is used by two samples") }
      samples.append(sample)
    }
    var groups: [WorkspaceGroup] = []
    for gn in root.child(nil, "Groups")?.children(nil, "GroupNode") ?? [] {
      let name = try r.string(gn, "name")
      var ids: [SampleID] = []
      for ref in gn.child(nil, "Group")?.child(nil, "SampleRefs")?.children(nil, "SampleRef") ?? [] {
        ids.append(SampleID(try r.string(ref, "sampleID")))
      }
      let ctx = FlowJo9Context(parameters: [:], matrix: nil, noMatrixReason: "", derived: [], isTemplate: true)
      let template = try populations(gn, under: [], ctx)
      groups.append(WorkspaceGroup(name: name, sampleIDs: ids, template: template))
    }
    return FlowJoWorkspace(version: try r.string(root, "version"), flowJoVersion: root.attribute("flowJoVersion"),
                           matrices: matrices, groups: groups, samples: samples)
  }

  /// Whether the workspace was (also) saved by FlowJo older than 9: the smallest major version
  /// in `versionList` (`"; 9.2"`, CytoML `getVersionMin`), else `flowJoVersion`; unknown counts as
  /// older, so gates whose units depend on it are refused rather than guessed.
  static func olderThan9(versionList: String?, flowJoVersion: String?) -> Bool {
    func major(_ s: Substring) -> Int? {
      Int(s.replacingOccurrences(of: "Pre", with: "").split(separator: ".").first?.trimmingCharacters(in: .whitespaces) ?? "")
    }
    let listed = (versionList ?? "").split(separator: ";").compactMap(major)
    if let low = listed.min() { return low < 9 }
    if let v = flowJoVersion, let m = major(Substring(v)) { return m < 9 }
    return true
  }

  // MARK: Samples

  func sample(_ e: E, matrices: [WorkspaceMatrix], tables: [FlowJo9CalibrationTable], olderThan9: Bool) throws(WorkspaceError) -> WorkspaceSample {
    let id = SampleID(try r.string(e, "sampleID"))
    var keywords: [WorkspaceKeyword] = []
    for k in e.child(nil, "Keywords")?.children(nil, "Keyword") ?? [] {
      keywords.append(WorkspaceKeyword(name: try r.string(k, "name"), value: k.attribute("value") ?? ""))
    }
    let (comp, reason) = try compensation(e, matrices: matrices, keywords: keywords)
    var parameters: [String: FlowJo9Parameter] = [:], transforms: [String: FlowJoTransform] = [:]
    for p in e.children(nil, "Parameter") {
      let par = try parameter(p, matrix: comp, tables: tables, olderThan9: olderThan9)
      if parameters[par.name] != nil { throw fail(.duplicate, p, "a second Parameter named \(par.name)") }
      parameters[par.name] = par
      transforms[par.name] = .flowJo9(par)
      if let comp, comp.spillover.detectors.contains(ChannelName(par.name)) {
        transforms[comp.compensatedName(of: ChannelName(par.name))] = .flowJo9(par)
      }
    }
    var derived: [DerivedParameterName] = []
    for p in e.child(nil, "DerivedParameters")?.children ?? [] {
      derived.append(DerivedParameterName(name: try r.string(p, "name"), line: p.line))
    }
    guard let node = e.child(nil, "SampleNode") else { throw fail(.missingValue, e, "a Sample needs a SampleNode") }
    if let nodeID = node.attribute("sampleID"), nodeID != id.rawValue {
      throw fail(.invalidValue, node, "SampleNode sampleID \(nodeID) differs from its Sample's \(id)")
    }
    let ctx = FlowJo9Context(parameters: parameters, matrix: comp, noMatrixReason: reason, derived: Set(derived.map(\.name)), isTemplate: false)
    let tree = try populations(node, under: [], ctx)
    return WorkspaceSample(id: id, name: try r.string(node, "name"), dataSetURI: "", keywords: keywords, transforms: transforms,
                           compensation: comp, derivedParameters: derived, savedCount: try r.savedCount(node), populations: tree,
                           line: node.line)
  }

  /// `Sample@compensationID` (CytoML): `-1` acquisition-defined (names `<PE-A>`), `-2` none,
  /// absent or empty none, `n ≥ 1` the n-th `CompensationMatrices/CompensationMatrix`. Returns
  /// the matrix, or why there is none.
  func compensation(_ e: E, matrices: [WorkspaceMatrix], keywords: [WorkspaceKeyword]) throws(WorkspaceError) -> (WorkspaceMatrix?, String) {
    switch e.attribute("compensationID") ?? "" {
    case "": return (nil, "the sample has no compensation (no compensationID)")
    case "-2": return (nil, "the sample's compensation is None (compensationID -2)")
    case "-1":
      let spill = keywords.first { ["$SPILLOVER", "SPILL", "$SPILL", "SPILLOVER"].contains($0.name) }
      guard let spill else {
        return (nil, "the sample is compensated acquisition-defined (compensationID -1), but the workspace keeps no copy of its $SPILLOVER/SPILL keyword")
      }
      guard let m = Self.spillover(spill.value) else {
        throw fail(.invalidValue, e, "keyword \(spill.name) of the acquisition-defined matrix cannot be read as n,names…,values…")
      }
      return (WorkspaceMatrix(id: "acquisition-defined", origin: .acquisitionDefined, prefix: "<", suffix: ">", isSpectral: false,
                              spillover: m, line: e.line), "")
    case let s:
      guard let n = Int(s), n >= 1 else { throw fail(.invalidValue, e, "compensationID=\"\(s)\" is not -2, -1 or a matrix number") }
      guard n <= matrices.count else { throw fail(.invalidValue, e, "compensationID \(n) names no CompensationMatrix (the workspace has \(matrices.count))") }
      return (matrices[n - 1], "")
    }
  }

  /// An FCS spillover keyword value `n,name₁…nameₙ,v₁₁…vₙₙ` (rows are the spilling channels).
  static func spillover(_ value: String) -> SpilloverMatrix? {
    let f = value.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    guard let n = f.first.flatMap({ Int($0) }), n > 0, f.count == 1 + n + n * n else { return nil }
    let names = f[1...n].map { ChannelName(String($0)) }
    var values: [Double] = []
    for v in f[(n + 1)...] {
      guard let d = Double(v), d.isFinite else { return nil }
      values.append(d)
    }
    return SpilloverMatrix(channels: names, values: values)
  }

  // MARK: Matrices, parameters, calibration tables

  /// `CompensationMatrix@name@prefix@suffix`, rows `Channel@name` (the spilling fluorochrome),
  /// columns `ChannelValue@name@value` (the detector), as CytoML and LabKey read them.
  func matrix(_ e: E, index: Int) throws(WorkspaceError) -> WorkspaceMatrix {
    let prefix = e.attribute("prefix") ?? "", suffix = e.attribute("suffix") ?? ""
    if prefix.isEmpty && suffix.isEmpty {
      throw fail(.invalidValue, e, "a CompensationMatrix without prefix and suffix: compensated names cannot be told from raw ones")
    }
    var rows: [ChannelName] = [], detectors: [ChannelName] = [], values: [Double] = []
    for c in e.children(nil, "Channel") {
      rows.append(ChannelName(try r.string(c, "name")))
      var byDetector: [String: Double] = [:], order: [ChannelName] = []
      for v in c.children(nil, "ChannelValue") {
        let name = try r.string(v, "name")
        byDetector[name] = try r.required(v, "value")
        order.append(ChannelName(name))
      }
      if rows.count == 1 { detectors = order }
      guard !order.isEmpty else { throw fail(.invalidValue, c, "the row of \(rows.last!) has no ChannelValue") }
      for det in detectors {
        guard let v = byDetector[det.rawValue], order.count == detectors.count else {
          throw fail(.invalidValue, c, "the row of \(rows.last!) does not have one value per detector \(detectors.map(\.rawValue))")
        }
        values.append(v)
      }
    }
    guard !rows.isEmpty, rows.count == detectors.count, values.count == rows.count * detectors.count else {
      throw fail(.invalidValue, e, "\(rows.count) Channel rows for \(detectors.count) detectors")
    }
    return WorkspaceMatrix(id: "\(index)", origin: .workspace(name: e.attribute("name") ?? ""), prefix: prefix, suffix: suffix,
                           isSpectral: false, spillover: SpilloverMatrix(fluorochromes: rows, detectors: detectors, values: values),
                           line: e.line)
  }

  func parameter(_ p: E, matrix: WorkspaceMatrix?, tables: [FlowJo9CalibrationTable], olderThan9: Bool) throws(WorkspaceError) -> FlowJo9Parameter {
    let name = try r.string(p, "name")
    let isLog: Bool
    switch p.attribute("log") {
    case nil, "0": isLog = false
    case "1": isLog = true
    case let v?: throw fail(.invalidValue, p, "log=\"\(v)\" is neither 0 nor 1")
    }
    let index = try r.number(p, "calibrationIndex").map { (v: Double) throws(WorkspaceError) -> Int in
      guard let n = Int(exactly: v), n >= 0 else { throw fail(.invalidValue, p, "calibrationIndex \(v) is not an index") }
      return n
    }
    var table: FlowJo9CalibrationTable?
    if isLog {
      let channel = (matrix?.prefix ?? "<") + name + (matrix?.suffix ?? ">")
      table = tables.first { t in
        guard let lt = t.name.firstIndex(of: "<") else { return false }
        let group = t.name[..<lt].trimmingCharacters(in: .whitespaces)
        return String(t.name[lt...]) == channel && (matrix.map { group == WorkspaceDescriptionsOrigin.name($0.origin) } ?? false)
      }
      if table == nil, let i = index, i >= 1, i <= tables.count, !tables[i - 1].name.contains("<") { table = tables[i - 1] }
    }
    let high = try r.number(p, "highValue")
    return FlowJo9Parameter(name: name, isLog: isLog, range: try r.number(p, "range"), highValue: high,
                            lowValue: try r.number(p, "lowValue"), calibrationIndex: index, calibration: table,
                            gateUnitsKnown: !(olderThan9 && !isLog && high == 4096))
  }

  /// `CalibrationTables/Table`: attributes and the comma-separated `channel,value` pairs.
  func calibrationTable(_ t: E) throws(WorkspaceError) -> FlowJo9CalibrationTable {
    let fields = t.text.split(whereSeparator: { $0 == "," || $0.isWhitespace })
    var numbers: [Double] = []
    for f in fields {
      guard let v = Double(f), v.isFinite else { throw fail(.invalidValue, t, "calibration table value \"\(f)\" is not a number") }
      numbers.append(v)
    }
    guard numbers.count % 2 == 0 else { throw fail(.invalidValue, t, "a calibration table needs channel,value pairs, found \(numbers.count) numbers") }
    return FlowJo9CalibrationTable(name: try r.string(t, "name"), decades: try r.number(t, "biexponentialDecades"),
                                   negativeDecades: try r.number(t, "biexponentialNegDecades"), width: try r.number(t, "biexponentialWidth"),
                                   maxValue: numbers.count >= 2 ? numbers[numbers.count - 1] : nil,
                                   channelRange: numbers.count >= 2 ? numbers[numbers.count - 2] : nil, line: t.line)
  }
}

/// A matrix origin's name as FlowJo 9 calibration tables spell it.
enum WorkspaceDescriptionsOrigin {
  static func name(_ o: MatrixOrigin) -> String {
    switch o {
    case .acquisitionDefined: "Acquisition-defined"
    case .workspace(let name): name
    }
  }
}
