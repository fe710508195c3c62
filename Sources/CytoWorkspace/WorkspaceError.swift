/// An error reading a FlowJo workspace: what went wrong, and where.
///
/// Every error names the file (when read from a path), the XML element and its line, and —
/// for errors inside a gating tree — the population path from the sample root, so a user can
/// find the node in FlowJo. Nothing in a workspace is skipped silently: what this reader does
/// not support is refused with one of these.
public struct WorkspaceError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The kind of failure.
  public enum Kind: String, Sendable, Hashable, CaseIterable {
    /// The file could not be read.
    case unreadable
    /// The XML is not well formed (for example truncated).
    case malformedXML
    /// The document has a DTD (`<!DOCTYPE`), which could declare external or expanding
    /// entities; workspaces never need one, so it is refused before parsing.
    case documentTypeDeclaration
    /// The file is not UTF-8 XML (FlowJo writes UTF-8).
    case unsupportedEncoding
    /// The root is not a FlowJo `Workspace` element.
    case notAWorkspace
    /// A `Workspace@version` other than FlowJo 10's (`20.0`, `1.8`) and FlowJo 9's (`2.0`).
    case unsupportedVersion
    /// A gate element this reader does not know (or does not support yet).
    case unknownGate
    /// An element in a population list (`Subpopulations`) that is neither a population, a
    /// Boolean node nor a statistic.
    case unknownNode
    /// A transform element this reader does not know.
    case unknownTransform
    /// A gate drawn on a derived parameter (`DerivedParameter`, a ratio or `new-dimension`).
    case derivedParameter
    /// A required element or attribute is missing.
    case missingValue
    /// An attribute value is not valid (not a number, out of range, wrong arity).
    case invalidValue
    /// A Boolean node's dependent names no population of the sample.
    case unresolvedDependent
    /// Boolean nodes that depend on themselves, directly, through their own subtree or through
    /// other Boolean nodes (membership could not be defined).
    case booleanCycle
    /// A dimension names a compensated parameter (`Comp-…`) but the sample has no matrix
    /// with that prefix and suffix for the channel.
    case unresolvedCompensation
    /// Two entries where the format allows one (a sample id, a channel's transform).
    case duplicate
    /// A FlowJo 9 gate axis that names none of the sample's parameters (neither a channel, a
    /// compensated channel nor a derived parameter), e.g. a statistic.
    case unknownParameter
  }

  /// The kind of failure.
  public var kind: Kind
  /// What is wrong, in words.
  public var message: String
  /// The workspace file, when read from a path.
  public var file: String?
  /// The qualified name of the XML element, e.g. `gating:PolygonGate`.
  public var element: String?
  /// The 1-based line of the element's start tag (or of the parse error).
  public var line: Int?
  /// The population path from the sample root, for errors inside a gating tree.
  public var node: [String]?

  /// Creates an error.
  public init(_ kind: Kind, _ message: String, file: String? = nil, element: String? = nil, line: Int? = nil,
              node: [String]? = nil) {
    self.kind = kind
    self.message = message
    self.file = file
    self.element = element
    self.line = line
    self.node = node
  }

  /// `file: line N: <element>: node "A/B": message`.
  public var description: String {
    var parts: [String] = []
    if let file { parts.append(file) }
    if let line { parts.append("line \(line)") }
    if let element { parts.append("<\(element)>") }
    if let node { parts.append("population \"\(node.joined(separator: "/"))\"") }
    return (parts.isEmpty ? "" : parts.joined(separator: ": ") + ": ") + message
  }
}
