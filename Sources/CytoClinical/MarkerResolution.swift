import CytoCore
import CytoFCS

/// Where a marker was found in a file, and by which rule.
public struct MarkerChannel: Codable, Sendable, Equatable {
  public var marker: String
  public var channel: ChannelName
  /// `$PnS` of the channel, if any.
  public var label: String?
  public var rule: Rule

  public enum Rule: String, Codable, Sendable {
    /// The panel names the channel explicitly.
    case explicit
    /// An alias matched the channel's `$PnS`.
    case label
    /// An alias matched the channel's `$PnN` (the channel had no matching `$PnS`).
    case name
  }
}

/// Finds each panel marker's channel in a file.
///
/// Rules, in order: the marker's explicit `channel`; an alias matching `$PnS` token-wise
/// (case-insensitive; tokens split at spaces and `-_/()[]:,.`); an alias matching `$PnN`.
/// When several markers' aliases match one channel the longest alias wins (`CD19 CAR` beats
/// `CD19`); a marker matching several channels is ambiguous and an error.
public enum MarkerResolver {
  /// Resolves every marker of `panel` in `parameters`; missing optional markers are left out.
  /// - Throws: ``PanelResolutionError`` listing the missing or ambiguous markers and the file's channels.
  public static func resolve(_ markers: [MarkerDefinition], parameters: [FCSParameter], file: String) throws -> [String: MarkerChannel] {
    var result: [String: MarkerChannel] = [:]
    var missing: [String] = []
    var ambiguous: [String] = []
    // For each channel: the best (longest) alias match per source.
    func bestMarker(_ text: String?, scatter: Bool) -> (marker: String, length: Int)? {
      guard let text else { return nil }
      let tokens = Self.tokens(text)
      var best: (String, Int)? = nil
      for m in markers where m.isScatter == scatter {
        for a in m.aliases {
          let at = Self.tokens(a)
          guard !at.isEmpty, Self.contains(tokens, at, exact: scatter) else { continue }
          if best == nil || at.count > best!.1 { best = (m.marker, at.count) }
        }
      }
      return best
    }
    var byLabel: [String: [FCSParameter]] = [:], byName: [String: [FCSParameter]] = [:]
    for p in parameters {
      if let b = bestMarker(p.label, scatter: false) { byLabel[b.marker, default: []].append(p) }
      if let b = bestMarker(p.name.rawValue, scatter: false) { byName[b.marker, default: []].append(p) }
      if let b = bestMarker(p.name.rawValue, scatter: true) { byName[b.marker, default: []].append(p) }
    }
    for m in markers {
      if let explicit = m.channel {
        guard let p = parameters.first(where: { $0.name.rawValue == explicit }) else {
          missing.append("\(m.marker) (channel '\(explicit)' named by the panel)")
          continue
        }
        result[m.marker] = MarkerChannel(marker: m.marker, channel: p.name, label: p.label, rule: .explicit)
        continue
      }
      let candidates: [FCSParameter]
      let rule: MarkerChannel.Rule
      if !m.isScatter, let l = byLabel[m.marker], !l.isEmpty {
        candidates = l
        rule = .label
      } else {
        // $PnN fallback, skipping channels whose $PnS names another marker.
        candidates = (byName[m.marker] ?? []).filter { p in bestMarker(p.label, scatter: false).map { $0.marker == m.marker } ?? true }
        rule = .name
      }
      if candidates.count == 1 {
        result[m.marker] = MarkerChannel(marker: m.marker, channel: candidates[0].name, label: candidates[0].label, rule: rule)
      } else if candidates.isEmpty {
        if !m.isOptional { missing.append(m.marker) }
      } else {
        ambiguous.append("\(m.marker) → \(candidates.map(Self.describe).joined(separator: ", "))")
      }
    }
    if !missing.isEmpty || !ambiguous.isEmpty {
      throw PanelResolutionError.markers(file: file, missing: missing, ambiguous: ambiguous,
                                         channels: parameters.map(Self.describe))
    }
    return result
  }

  static func describe(_ p: FCSParameter) -> String {
    if let l = p.label { return "\(p.name) (\(l))" }
    return p.name.rawValue
  }

  /// Lower-cased alphanumeric tokens.
  static func tokens(_ s: String) -> [String] {
    s.lowercased().split(whereSeparator: { " -_/()[]:,.+\t".contains($0) }).map(String.init)
  }

  /// Whether `needle` occurs as a contiguous run in `hay` (or equals it, when `exact`).
  static func contains(_ hay: [String], _ needle: [String], exact: Bool) -> Bool {
    if exact { return hay == needle }
    guard needle.count <= hay.count else { return false }
    for i in 0...(hay.count - needle.count) where Array(hay[i..<(i + needle.count)]) == needle { return true }
    return false
  }
}

/// A panel that cannot be applied to a file.
public enum PanelResolutionError: Error, Equatable, CustomStringConvertible {
  case markers(file: String, missing: [String], ambiguous: [String], channels: [String])
  case noEvents(file: String)
  /// `--panel auto` found no built-in panel that can gate anything in the file.
  case noPanelFits(file: String, detail: String)

  public var description: String {
    switch self {
    case .markers(let f, let missing, let ambiguous, let channels):
      var parts: [String] = []
      if !missing.isEmpty { parts.append("no channel for marker(s) \(missing.joined(separator: ", "))") }
      if !ambiguous.isEmpty { parts.append("ambiguous marker(s) \(ambiguous.joined(separator: "; "))") }
      return "\(f): \(parts.joined(separator: "; ")). Channels in the file: \(channels.joined(separator: ", ")). "
        + "Add an alias or an explicit \"channel\" to the marker in a copy of the panel (cytoreset panel export)."
    case .noEvents(let f): return "\(f): the data set has no events"
    case .noPanelFits(let f, let d): return "\(f): \(d)"
    }
  }
}
