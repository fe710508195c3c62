/// Why a workspace sample's populations could not be counted. Counting never guesses: what
/// the FlowJo rule (docs/flowjo.md) does not cover is refused with one of these.
public struct WorkspaceCountError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The kind of failure.
  public enum Kind: String, Sendable, Hashable, CaseIterable {
    /// No FCS file for the sample was found.
    case missingData
    /// A gate's channel is not in the data (neither as written nor in FlowJo's `/`→`_` spelling).
    case missingChannel
    /// A polygon or ellipse axis has no transform, or one the grid rule was not measured on
    /// (log, logicle, fasinh, hyperlog): its display grid is unknown.
    case unsupportedTransform
    /// A gate FlowJo's counting rule is not known for (`CurlyQuad`).
    case unsupportedGate
    /// Compensation failed (singular matrix, detectors not in the data).
    case compensation
    /// A Boolean node's dependent could not be evaluated.
    case unresolvedDependent
  }

  /// The kind of failure.
  public var kind: Kind
  /// What is wrong, in words.
  public var message: String
  /// The sample's name.
  public var sample: String?
  /// The population path, when one population is at fault.
  public var node: [String]?

  /// Creates an error.
  public init(_ kind: Kind, _ message: String, sample: String? = nil, node: [String]? = nil) {
    self.kind = kind
    self.message = message
    self.sample = sample
    self.node = node
  }

  /// `sample "S": population "A/B": message`.
  public var description: String {
    var parts: [String] = []
    if let sample { parts.append("sample \"\(sample)\"") }
    if let node { parts.append("population \"\(node.joined(separator: "/"))\"") }
    return (parts.isEmpty ? "" : parts.joined(separator: ": ") + ": ") + message
  }
}
