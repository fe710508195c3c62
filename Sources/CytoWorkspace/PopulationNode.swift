/// FlowJo's saved event count of a node (`count`), which can be stale.
public enum SavedCount: Sendable, Hashable {
  /// A count FlowJo computed (possibly stale, possibly 0).
  case events(Int)
  /// `count="-1"`: never computed (group templates, unopened samples).
  case notComputed
  /// No `count` attribute.
  case absent
}

/// A Boolean population (`AndNode`, `OrNode`, `NotNode`): FlowJo's Boolean gates are nodes,
/// not gate elements. Each dependent is a population path from the sample root.
public enum BooleanCombination: Sendable, Hashable {
  /// `AndNode`: events in every dependent.
  case and([PopulationPath])
  /// `OrNode`: events in any dependent.
  case or([PopulationPath])
  /// A `NotNode` has exactly one dependent.
  case not(PopulationPath)

  /// The operands, in order.
  public var dependents: [PopulationPath] {
    switch self {
    case .and(let d), .or(let d): d
    case .not(let d): [d]
    }
  }
}

/// A population's path from the sample root: names, in order. Names repeat across branches
/// (`IFNa+` under several parents) and contain spaces, `|`, `+`, `,` and `:`, so the whole
/// path is the key.
public typealias PopulationPath = [String]

/// What defines a population.
public enum PopulationDefinition: Sendable, Hashable {
  /// A `Population` with its gate.
  case gate(WorkspaceGate)
  /// A Boolean node over other populations.
  case boolean(BooleanCombination)

  /// `RectangleGate`, `PolygonGate`, `EllipsoidGate`, `AndNode`, `OrNode` or `NotNode`.
  public var typeName: String {
    switch self {
    case .gate(let g): g.shape.gateType
    case .boolean(.and): "AndNode"
    case .boolean(.or): "OrNode"
    case .boolean(.not): "NotNode"
    }
  }
}

/// One population of a sample's (or group's) gating tree.
public struct PopulationNode: Sendable, Hashable {
  /// `@name`.
  public var name: String
  /// The path from the sample root, ending with `name`.
  public var path: PopulationPath
  /// Its gate, or the Boolean combination it is.
  public var definition: PopulationDefinition
  /// FlowJo's saved count.
  public var savedCount: SavedCount
  /// `@owningGroup`: the group the gate is shared from; `""` marks a gate customised for one
  /// sample; `nil` when absent.
  public var owningGroup: String?
  /// Names of the `Statistic` nodes FlowJo keeps under this population (not populations; kept
  /// so nothing in the tree is dropped unseen).
  public var statistics: [String]
  /// The populations under this one (`Subpopulations`), in XML order.
  public var children: [PopulationNode]
  /// The 1-based line of the node's element.
  public var line: Int

  /// This node and all its descendants, depth first (parents before children).
  public var flattened: [PopulationNode] { [self] + children.flatMap(\.flattened) }
}
