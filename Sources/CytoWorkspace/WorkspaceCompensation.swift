import CytoCore

/// Where a workspace spillover matrix comes from.
public enum MatrixOrigin: Sendable, Hashable {
  /// `name="Acquisition-defined"`: FlowJo's copy of the FCS file's `$SPILLOVER`/`SPILL`.
  /// FlowJo embeds the values (rounded to 10 decimals in 68983), so the embedded ones are kept.
  case acquisitionDefined
  /// A matrix made or imported in FlowJo, named; it overrides the file's spillover.
  case workspace(name: String)
}

/// A `transforms:spilloverMatrix` of a workspace (in `Matrices/` or on a `Sample`).
///
/// Gate dimensions name compensated channels `prefix + detector + suffix` (`Comp-PE-A`);
/// ``compensatedName(of:)`` and ``detector(forCompensatedName:)`` convert.
public struct WorkspaceMatrix: Sendable, Equatable {
  /// `transforms:id` (a UUID in FlowJo 10).
  public var id: String
  /// Acquisition-defined or a named workspace matrix.
  public var origin: MatrixOrigin
  /// Prefix of compensated parameter names (`Comp-`).
  public var prefix: String
  /// Suffix of compensated parameter names (usually empty).
  public var suffix: String
  /// `spectral="1"`: an unmixing matrix, possibly not square.
  public var isSpectral: Bool
  /// The coefficients: rows (`transforms:spillover@parameter`) are fluorochromes, columns
  /// (`transforms:coefficient@parameter`) detectors, in `data-type:parameters` order.
  public var spillover: SpilloverMatrix
  /// The 1-based line of the element.
  public var line: Int

  /// The parameter name FlowJo gives `detector` once compensated with this matrix.
  public func compensatedName(of detector: ChannelName) -> String { prefix + detector.rawValue + suffix }

  /// The detector a compensated parameter name refers to, when it carries this matrix's prefix
  /// and suffix and the stripped name is one of the matrix's detectors.
  public func detector(forCompensatedName name: String) -> ChannelName? {
    guard !(prefix.isEmpty && suffix.isEmpty), name.hasPrefix(prefix), name.hasSuffix(suffix),
          name.count >= prefix.count + suffix.count else { return nil }
    let stripped = ChannelName(String(name.dropFirst(prefix.count).dropLast(suffix.count)))
    return spillover.detectors.contains(stripped) ? stripped : nil
  }
}
