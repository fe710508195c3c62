import CytoCore

extension WorkspaceSample {
  /// A sample for an FCS file the workspace does not hold, gated with `group`'s template: what
  /// FlowJo does when a file is dropped into a group.
  ///
  /// - Transforms: a template stores none (it belongs to no sample). Each parameter gets the
  ///   transform of the first member sample of the group that has one for it (FlowJo would use
  ///   the new sample's own default display; the members' are the lab's chosen ones). A
  ///   parameter no member has stays without a transform: rectangles still count, polygons on it
  ///   are refused by ``FlowJoCounter``.
  /// - Compensation: a template dimension compensated with the *acquisition-defined* matrix uses
  ///   the new file's own spillover (`fileSpillover`), under the same matrix id, prefix and
  ///   suffix; a named workspace matrix is used with its stored values, as FlowJo does.
  ///
  /// - Parameters:
  ///   - group: the group whose template is applied.
  ///   - workspace: the workspace (for the group's members and matrices).
  ///   - name: the sample's name (the FCS file name).
  ///   - fileSpillover: the FCS file's spillover, when it has one.
  ///   - eventCount: the file's event count (the sample's "saved" count is not FlowJo's: absent).
  /// - Throws: ``WorkspaceError`` (`.unresolvedCompensation`) when the template needs the
  ///   acquisition-defined matrix and the file has no spillover, or the template uses two matrices.
  public init(template group: WorkspaceGroup, of workspace: FlowJoWorkspace, name: String,
              fileSpillover: SpilloverMatrix?) throws(WorkspaceError) {
    let members = group.sampleIDs.compactMap { workspace.sample($0) }
    var transforms: [String: FlowJoTransform] = [:]
    var matrixIDs: Set<String> = []
    for node in group.template.flatMap(\.flattened) {
      guard case .gate(let g) = node.definition else { continue }
      for d in g.shape.dimensions {
        if transforms[d.parameter] == nil, let t = members.lazy.compactMap({ $0.transform(for: d.parameter) }).first {
          transforms[d.parameter] = t
        }
        if case .matrix(let id, _) = d.compensation { matrixIDs.insert(id) }
      }
    }
    guard matrixIDs.count <= 1 else {
      throw WorkspaceError(.unresolvedCompensation, "the template of group \"\(group.name)\" uses \(matrixIDs.count) matrices; one sample has one")
    }
    var compensation: WorkspaceMatrix? = nil
    if let id = matrixIDs.first {
      guard var m = workspace.matrices.first(where: { $0.id == id }) ?? members.compactMap(\.compensation).first(where: { $0.id == id }) else {
        throw WorkspaceError(.unresolvedCompensation, "the template of group \"\(group.name)\" names matrix \(id), which the workspace does not hold")
      }
      if m.origin == .acquisitionDefined {
        guard let fileSpillover else {
          throw WorkspaceError(.unresolvedCompensation,
                               "the template of group \"\(group.name)\" gates compensated parameters (\(m.prefix)…\(m.suffix)) with the acquisition-defined matrix, and \(name) has no spillover keyword")
        }
        m.spillover = fileSpillover
      }
      compensation = m
    }
    let resolved = group.template.map { $0.withTransforms(transforms) }
    self.init(id: SampleID("template:\(group.name)"), name: name, dataSetURI: name, keywords: [], transforms: transforms,
              compensation: compensation, derivedParameters: [], savedCount: .absent,
              populations: resolved.map { $0.withSavedCount(.absent) }, line: 0)
  }
}

extension PopulationNode {
  /// This subtree with each gate dimension's transform looked up in `transforms` by parameter.
  func withTransforms(_ transforms: [String: FlowJoTransform]) -> PopulationNode {
    var n = self
    if case .gate(var g) = definition {
      func fix(_ d: WorkspaceDimension) -> WorkspaceDimension {
        var d = d
        d.transform = d.transform ?? transforms[d.parameter]
        return d
      }
      switch g.shape {
      case .rectangle(let r): g.shape = .rectangle(r.map { WorkspaceRange(fix($0.dimension), min: $0.min, max: $0.max) })
      case .polygon(let x, let y, let v): g.shape = .polygon(x: fix(x), y: fix(y), vertices: v)
      case .ellipse(var e): e.x = fix(e.x); e.y = fix(e.y); g.shape = .ellipse(e)
      case .curlyQuadrant(var q): q.x = fix(q.x); q.y = fix(q.y); g.shape = .curlyQuadrant(q)
      case .antipodalEllipse(var e): e.x = fix(e.x); e.y = fix(e.y); g.shape = .antipodalEllipse(e)
      }
      n.definition = .gate(g)
    }
    n.children = children.map { $0.withTransforms(transforms) }
    return n
  }

  /// This subtree with every saved count replaced (a template's `-1` is no count of a new file).
  func withSavedCount(_ c: SavedCount) -> PopulationNode {
    var n = self
    n.savedCount = c
    n.children = children.map { $0.withSavedCount(c) }
    return n
  }
}
