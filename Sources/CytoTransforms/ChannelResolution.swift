import CytoCore

/// How one requested channel name was found among the data's channel names.
public enum ChannelMatchRule: Sendable, Hashable, CustomStringConvertible {
  /// The names are identical.
  case exact
  /// The names differ only in a known compensation prefix: `requested` carried `removed`
  /// (or nothing, when `nil`) and the data name carries `added` (or nothing).
  case prefixChanged(removed: String?, added: String?)

  /// A one-line human-readable form.
  public var description: String {
    switch self {
    case .exact: "exact"
    case .prefixChanged(let r, let a):
      [r.map { "removed prefix \"\($0)\"" }, a.map { "added prefix \"\($0)\"" }].compactMap { $0 }.joined(separator: ", ")
    }
  }
}

/// One resolved name.
public struct ChannelMatch: Sendable, Hashable {
  /// The name that was looked for (for example a spillover matrix's detector).
  public var requested: ChannelName
  /// The data channel it resolved to.
  public var matched: ChannelName
  /// Its column.
  public var index: ChannelIndex
  /// Which rule matched (kept so callers can report prefix matches; nothing is silent).
  public var rule: ChannelMatchRule
}

/// The data columns of a list of channel names (for example a spillover matrix's detectors).
///
/// Each name is matched exactly first. Failing that, names are compared with one leading
/// known compensation prefix removed from either side — `Comp-` (FlowJo, BD), `FJComp-`
/// (FlowJo exports) and `Comp_` — so `Comp-FITC-A` finds `FITC-A`, `FITC-A` finds
/// `Comp-FITC-A`, and `FJComp-PE-A` finds `Comp-PE-A`. A prefix match is used only when it is
/// unique; every match records its ``ChannelMatchRule``.
///
///     let r = try ChannelResolution(resolving: ["Comp-FITC-A", "PE-A"], against: ["FSC-A", "FITC-A", "PE-A"])
///     r.indices    // [#2, #3]
public struct ChannelResolution: Sendable, Hashable {
  /// The prefixes tried, longest first so `FJComp-` is not read as `F` + `JComp-`.
  public static let knownPrefixes = ["FJComp-", "Comp-", "Comp_"]

  /// One match per requested name, in request order.
  public let matches: [ChannelMatch]

  /// The data column of each requested name, in request order.
  public var indices: [ChannelIndex] { matches.map(\.index) }

  /// Resolves `requested` against `available` (the data's `$PnN` names in column order).
  /// - Throws: ``ChannelResolutionError`` listing every name that matched nothing, every name
  ///   that matched several channels, and every channel claimed by two names, together with
  ///   the available names.
  public init(resolving requested: [ChannelName], against available: [ChannelName]) throws(ChannelResolutionError) {
    var byName: [String: [Int]] = [:]
    var byBase: [String: [Int]] = [:]
    for (i, name) in available.enumerated() {
      byName[name.rawValue, default: []].append(i)
      byBase[Self.split(name.rawValue).base, default: []].append(i)
    }
    var matches: [ChannelMatch] = []
    var unmatched: [ChannelName] = []
    var ambiguous: [ChannelResolutionError.Ambiguity] = []
    for name in requested {
      if let exact = byName[name.rawValue] {
        if exact.count == 1 {
          matches.append(ChannelMatch(requested: name, matched: name, index: ChannelIndex(exact[0]), rule: .exact))
        } else {
          ambiguous.append(.init(requested: name, candidates: exact.map { available[$0] }))
        }
        continue
      }
      let (prefix, base) = Self.split(name.rawValue)
      let candidates = byBase[base] ?? []
      switch candidates.count {
      case 0:
        unmatched.append(name)
      case 1:
        let found = available[candidates[0]]
        let added = Self.split(found.rawValue).prefix
        matches.append(
          ChannelMatch(
            requested: name, matched: found, index: ChannelIndex(candidates[0]),
            rule: .prefixChanged(removed: prefix, added: added)))
      default:
        ambiguous.append(.init(requested: name, candidates: candidates.map { available[$0] }))
      }
    }
    var claimed: [ChannelIndex: [ChannelName]] = [:]
    for m in matches { claimed[m.index, default: []].append(m.requested) }
    let duplicates = claimed.filter { $0.value.count > 1 }.sorted { $0.key < $1.key }
      .map { ChannelResolutionError.Duplicate(channel: available[$0.key.rawValue], requested: $0.value) }
    if !unmatched.isEmpty || !ambiguous.isEmpty || !duplicates.isEmpty {
      throw ChannelResolutionError(unmatched: unmatched, ambiguous: ambiguous, duplicates: duplicates, available: available)
    }
    self.matches = matches
  }

  /// Splits one leading known prefix off `name`.
  static func split(_ name: String) -> (prefix: String?, base: String) {
    for p in knownPrefixes where name.hasPrefix(p) && name.count > p.count {
      return (p, String(name.dropFirst(p.count)))
    }
    return (nil, name)
  }
}

/// Channel names that could not be resolved, all of them at once.
public struct ChannelResolutionError: Error, Sendable, Hashable, CustomStringConvertible {
  /// A name that matched more than one data channel.
  public struct Ambiguity: Sendable, Hashable {
    /// The name looked for.
    public var requested: ChannelName
    /// The data channels it matched.
    public var candidates: [ChannelName]
    /// Creates a record.
    public init(requested: ChannelName, candidates: [ChannelName]) {
      self.requested = requested
      self.candidates = candidates
    }
  }

  /// A data channel that two requested names resolved to.
  public struct Duplicate: Sendable, Hashable {
    /// The data channel.
    public var channel: ChannelName
    /// The names that resolved to it.
    public var requested: [ChannelName]
    /// Creates a record.
    public init(channel: ChannelName, requested: [ChannelName]) {
      self.channel = channel
      self.requested = requested
    }
  }

  /// Names that matched no data channel, even with a compensation prefix removed or added.
  public var unmatched: [ChannelName]
  /// Names that matched several channels.
  public var ambiguous: [Ambiguity]
  /// Channels claimed by more than one name.
  public var duplicates: [Duplicate]
  /// The data's channel names.
  public var available: [ChannelName]

  /// A one-line human-readable form.
  public var description: String {
    var parts: [String] = []
    if !unmatched.isEmpty {
      parts.append("not found: " + unmatched.map(\.rawValue).joined(separator: ", "))
    }
    for a in ambiguous {
      parts.append("\(a.requested) matches several channels: " + a.candidates.map(\.rawValue).joined(separator: ", "))
    }
    for d in duplicates {
      parts.append("\(d.channel) is matched by " + d.requested.map(\.rawValue).joined(separator: " and "))
    }
    return parts.joined(separator: "; ") + " (available: " + available.map(\.rawValue).joined(separator: ", ") + ")"
  }
}
