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
    /// Nothing names the marker; the channel's mass tag does by convention (an unlabelled
    /// `Pt195Di` is cisplatin viability, `Ir191Di`/`Ir193Di` the DNA intercalator).
    case isotope
  }
}

/// Finds each panel marker's channel in a file.
///
/// Channel texts and aliases are compared after ``MarkerName`` normalisation (see there for
/// the rules: case-insensitive tokens; mass tags, fluorochromes and `$PnN` area/height/width
/// letters ignored; viability dyes are one word; `CD16+56`/`CD16/56`/`CD56+16` one combined
/// marker; `HLA-DR` = `HLADR`; `CD8a` reads as `CD8` when nothing better matches).
///
/// Rules, in order:
/// 1. The marker's explicit `channel` (`$PnN`).
/// 2. Scatter markers: an alias equal to `$PnN` (token-wise, separators ignored), on a channel
///    whose `$PnS` names no other marker.
/// 3. An alias found in `$PnS`.
/// 4. An alias found in `$PnN`, on a channel whose `$PnS` names no other marker. A `$PnN` that
///    only reads as a marker by a mass-tag convention (an unlabelled `Pt195Di`) is used only
///    when the channel's `$PnS` names nothing at all.
///
/// Each channel text goes to the one marker whose alias it matches best: the longest alias in
/// tokens (`CD19 CAR` is the CAR reagent, not CD19), then the better quality (an exact match
/// before a chain-letter variant), then the longest in characters. Within a rule a marker takes
/// the channels it matches with the best quality; two such channels are ambiguous, an error
/// naming both.
public enum MarkerResolver {
  /// Resolves every marker of `panel` in `parameters`; missing optional markers are left out.
  /// - Throws: ``PanelResolutionError`` listing the missing or ambiguous markers and the file's channels.
  public static func resolve(_ markers: [MarkerDefinition], parameters: [FCSParameter], file: String) throws -> [String: MarkerChannel] {
    var result: [String: MarkerChannel] = [:]
    var missing: [String] = []
    var ambiguous: [String] = []
    let aliases = markers.map { m in m.aliases.map { MarkerName($0, field: .alias) } }

    /// The marker (index) whose alias matches `text` best.
    func bestMarker(_ text: MarkerName?, scatter: Bool) -> (marker: Int, match: MarkerName.Match)? {
      guard let text else { return nil }
      var best: (Int, MarkerName.Match)? = nil
      for (i, m) in markers.enumerated() where m.isScatter == scatter {
        for a in aliases[i] {
          let found: MarkerName.Match?
          if scatter {
            let whole = MarkerName.Match(tokens: a.literal.count, quality: .exact, characters: a.literal.joined().count)
            found = text.equalsLiterally(a) ? whole : nil
          } else {
            found = text.match(a)
          }
          if let found, best == nil || found > best!.1 { best = (i, found) }
        }
      }
      return best
    }

    struct Candidate {
      var parameter: FCSParameter
      var quality: MarkerName.Quality
    }
    var byLabel: [Int: [Candidate]] = [:], byName: [Int: [Candidate]] = [:], byScatter: [Int: [Candidate]] = [:]
    for p in parameters {
      let label = p.label.map { MarkerName($0, field: .label) }
      let name = MarkerName(p.name.rawValue, field: .name)
      let labelMarker = bestMarker(label, scatter: false)
      if let b = labelMarker { byLabel[b.marker, default: []].append(Candidate(parameter: p, quality: b.match.quality)) }
      // $PnN only when $PnS names no other marker; a mass-tag convention only when $PnS names nothing.
      if let b = bestMarker(name, scatter: false), labelMarker == nil,
         b.match.quality != .isotopeConvention || !(label?.isInformative ?? false) {
        byName[b.marker, default: []].append(Candidate(parameter: p, quality: b.match.quality))
      }
      if let b = bestMarker(name, scatter: true), labelMarker == nil || labelMarker?.marker == b.marker {
        byScatter[b.marker, default: []].append(Candidate(parameter: p, quality: b.match.quality))
      }
    }
    for (i, m) in markers.enumerated() {
      if let explicit = m.channel {
        guard let p = parameters.first(where: { $0.name.rawValue == explicit }) else {
          missing.append("\(m.marker) (channel '\(explicit)' named by the panel)")
          continue
        }
        result[m.marker] = MarkerChannel(marker: m.marker, channel: p.name, label: p.label, rule: .explicit)
        continue
      }
      let found: [Candidate]
      let rule: MarkerChannel.Rule
      if m.isScatter {
        found = byScatter[i] ?? []
        rule = .name
      } else if let l = byLabel[i], !l.isEmpty {
        found = l
        rule = .label
      } else {
        found = byName[i] ?? []
        rule = .name
      }
      // The best quality wins; equals are ambiguous.
      let top = found.map(\.quality).max()
      let candidates = found.filter { $0.quality == top }
      if candidates.count == 1 {
        let p = candidates[0].parameter
        result[m.marker] = MarkerChannel(marker: m.marker, channel: p.name, label: p.label,
                                         rule: candidates[0].quality == .isotopeConvention ? .isotope : rule)
      } else if candidates.isEmpty {
        if !m.isOptional { missing.append(m.marker) }
      } else {
        ambiguous.append("\(m.marker) → \(candidates.map { Self.describe($0.parameter) }.joined(separator: ", "))")
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
