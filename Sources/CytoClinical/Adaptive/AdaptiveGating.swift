import CytoCore
import CytoFCS
import CytoGating
import Foundation

/// A population of the panel that an analysis does not report, and why.
public struct UnreportedPopulation: Codable, Sendable, Equatable {
  public var population: String
  public var reason: String
}

/// A gate set by the user for one analysis (`--gate ID=…`): new polygon vertices, or a new
/// range of a one-dimensional gate, in the display units the analysis recorded for that gate.
public enum GateOverride: Sendable, Equatable {
  case vertices([[Double]])
  case range(min: Double?, max: Double?)

  /// Parses `x1,y1 x2,y2 x3,y3 …` (at least 3 vertices) or `MIN:MAX` (either end may be empty).
  public init(parsing text: String) throws {
    let t = text.trimmingCharacters(in: .whitespaces)
    if t.contains(":") && !t.contains(",") {
      let parts = t.split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
      guard parts.count == 2 else { throw PanelError.invalid(file: "--gate", detail: "a range is MIN:MAX, got '\(text)'") }
      func num(_ s: String) throws -> Double? {
        if s.isEmpty { return nil }
        guard let v = Double(s), v.isFinite else { throw PanelError.invalid(file: "--gate", detail: "'\(s)' is not a number") }
        return v
      }
      let lo = try num(parts[0]), hi = try num(parts[1])
      guard lo != nil || hi != nil else { throw PanelError.invalid(file: "--gate", detail: "a range needs MIN and/or MAX") }
      if let lo, let hi, !(lo < hi) { throw PanelError.invalid(file: "--gate", detail: "range \(lo) : \(hi) is empty") }
      self = .range(min: lo, max: hi)
      return
    }
    var vs: [[Double]] = []
    for p in t.split(whereSeparator: { $0 == " " || $0 == ";" }) {
      let xy = p.split(separator: ",").compactMap { Double($0) }
      guard xy.count == 2, xy.allSatisfy(\.isFinite) else {
        throw PanelError.invalid(file: "--gate", detail: "vertex '\(p)' is not X,Y (vertices are 'x1,y1 x2,y2 x3,y3 …')")
      }
      vs.append(xy)
    }
    guard vs.count >= 3 else { throw PanelError.invalid(file: "--gate", detail: "a polygon needs at least 3 vertices, got \(vs.count)") }
    self = .vertices(vs)
  }
}

/// Applies a panel to one file: every population gated from the file's own events, in
/// dependency order, each cut and gate recorded with its evidence (``AppliedGating``).
struct AdaptiveGater {
  let panel: PanelDefinition
  let space: EventSpace
  let cutOverrides: [String: Double]
  let gateOverrides: [String: GateOverride]
  let file: String

  private(set) var masks: [String: EventMask] = [:]
  private(set) var cuts: [String: AppliedCut] = [:]
  private var cutFailures: [String: String] = [:]
  /// Population id → the population its events are gated from in the strategy (skipped
  /// populations map to their nearest applied ancestor; `nil` = all events).
  private(set) var strategyID: [String: String?] = [:]
  private(set) var gates: [AppliedGate] = []
  private(set) var unreported: [String: String] = [:]
  private(set) var diagnostics: [Diagnostic] = []
  private var done: Set<String> = []

  init(panel: PanelDefinition, space: EventSpace, cutOverrides: [String: Double], gateOverrides: [String: GateOverride], file: String) {
    self.panel = panel
    self.space = space
    self.cutOverrides = cutOverrides
    self.gateOverrides = gateOverrides
    self.file = file
  }

  var location: SourceLocation { SourceLocation(file: file) }

  /// Gates every population of the panel.
  mutating func run() throws {
    for p in panel.populations { try resolve(p) }
  }

  /// The cuts in the panel's order.
  var appliedCuts: [AppliedCut] { panel.cuts.compactMap { cuts[$0.name] } }

  private mutating func resolvePopulation(_ id: String) throws {
    if done.contains(id) { return }
    guard let entry = panel.populations.first(where: { $0.populationIDs.contains(id) }) else { return }
    try resolve(entry)
  }

  private mutating func omit(_ entry: PopulationDefinition, reason: String, status: AppliedGate.Status = .omitted) {
    for id in entry.populationIDs {
      unreported[id] = reason
      done.insert(id)
    }
    gates.append(AppliedGate(id: entry.id, populations: entry.populationIDs, parent: entry.parent, label: entry.label, status: status,
                             rule: nil, alternative: nil, shape: nil, evidence: nil, note: reason))
    // A warning when the report or a clinical role needs it; a note for internal populations.
    let needed = entry.populationIDs.contains { id in panel.report.contains { $0.population == id } || panel.roles.all.contains { $0.1 == id } }
    diagnostics.append(Diagnostic(needed ? .warning : .note, .clinicalPopulationNotReported, "\(entry.id): not reported: \(reason)",
                                  at: location))
  }

  /// Which alternative the file's markers allow, and what is missing from each.
  func usable(_ rule: GateRule) -> String? {
    func missing(_ ms: [String]) -> [String] { ms.filter { !space.has($0) } }
    switch rule {
    case .scatterCells(let r): return missing([r.fsc, r.ssc]).first.map { "no \($0)" }
    case .singlets(let r):
      return r.pairs.contains { missing($0).isEmpty } ? nil : "none of \(r.pairs.map { $0.joined(separator: "/") }.joined(separator: ", "))"
    case .dnaCells(let r): return r.dna.contains(where: space.has) ? nil : "no DNA channel (\(r.dna.joined(separator: ", ")))"
    case .threshold(let r):
      let required = r.terms.filter { $0.ifPresent != true }.map(\.marker)
      if let m = missing(required).first { return "no \(m)" }
      return r.terms.contains { space.has($0.marker) } ? nil : "none of \(r.terms.map(\.marker).joined(separator: ", "))"
    case .cluster(let r): return missing([r.x.marker, r.y.marker]).first.map { "no \($0)" }
    case .quadrant(let r): return missing([r.x.marker, r.y.marker]).first.map { "no \($0)" }
    case .beads(let r):
      let present = r.markers.filter(space.has)
      return present.count >= min(2, r.markers.count) ? nil : "fewer than two of \(r.markers.joined(separator: ", "))"
    }
  }

  private mutating func resolve(_ entry: PopulationDefinition) throws {
    if entry.populationIDs.allSatisfy(done.contains) { return }
    var parentMask = EventMask(count: space.eventCount, allSet: true)
    var parentStrategyID: String? = nil
    if let p = entry.parent {
      try resolvePopulation(p)
      if let why = unreported[p], masks[p] == nil {
        omit(entry, reason: "its parent \(p) is not reported (\(why))")
        return
      }
      parentMask = masks[p]!
      parentStrategyID = strategyID[p] ?? nil
    }
    // The first alternative the file's markers allow.
    var chosen: (Int, GateRule)? = nil
    var why: [String] = []
    for (i, g) in entry.gate.enumerated() {
      if let m = usable(g) { why.append(m) } else { chosen = (i, g); break }
    }
    guard let (alternative, chosenRule) = chosen else {
      fail(entry, reason: "the file lacks its markers (\(why.joined(separator: "; ")))", parentMask: parentMask,
           parentStrategyID: parentStrategyID)
      return
    }
    var rule = chosenRule
    var dropped: [String] = []
    // Its cuts. A term used only when present whose cut has no evidence is left out (noted);
    // a required cut without evidence means the gate cannot be drawn.
    switch rule {
    case .threshold(var r):
      var kept: [ThresholdRule.Term] = []
      for t in r.terms where space.has(t.marker) {
        try resolveCut(t.cut)
        if cuts[t.cut] != nil {
          kept.append(t)
        } else if t.ifPresent == true {
          dropped.append("\(t.marker) not used: cut \(t.cut) has no evidence (\(cutFailures[t.cut] ?? ""))")
        } else {
          fail(entry, reason: "cut \(t.cut) has no evidence in this file (\(cutFailures[t.cut] ?? "not found"))", parentMask: parentMask,
               parentStrategyID: parentStrategyID)
          return
        }
      }
      guard !kept.isEmpty else {
        fail(entry, reason: "none of its cuts has evidence in this file (\(dropped.joined(separator: "; ")))", parentMask: parentMask,
             parentStrategyID: parentStrategyID)
        return
      }
      r.terms = kept
      rule = .threshold(r)
    case .quadrant(let r):
      for c in [r.x.cut, r.y.cut] {
        try resolveCut(c)
        if cuts[c] == nil {
          fail(entry, reason: "cut \(c) has no evidence in this file (\(cutFailures[c] ?? "not found"))", parentMask: parentMask,
               parentStrategyID: parentStrategyID)
          return
        }
      }
    default: break
    }
    let finder = GateFinder(space: space, parent: parentMask, parentName: entry.parent ?? "all events", cuts: cuts)
    var status = AppliedGate.Status.found
    var found: GateFinder.Found
    do { found = try finder.find(rule) } catch let e as GateFinder.NotFound {
      fail(entry, reason: "\(rule.kind) gate not found: \(e.reason)", parentMask: parentMask, parentStrategyID: parentStrategyID)
      return
    }
    if !dropped.isEmpty { found.note += "; " + dropped.joined(separator: "; ") }
    if let o = gateOverrides[entry.id] {
      found = try Self.override(found, with: o, id: entry.id)
      status = .override
    }
    let populationMasks = try found.shape.masks(in: space, parent: parentMask, populations: entry.populationIDs)
    for id in entry.populationIDs {
      masks[id] = populationMasks[id]
      strategyID[id] = id
      done.insert(id)
    }
    var evidence = found.evidence
    evidence["parentEvents"] = Double(parentMask.setCount)
    if entry.populationIDs.count == 1 { evidence["events"] = Double(populationMasks[entry.id]?.setCount ?? 0) }
    gates.append(AppliedGate(id: entry.id, populations: entry.populationIDs, parent: parentStrategyID, label: entry.label, status: status,
                             rule: rule.kind, alternative: entry.gate.count > 1 ? alternative : nil, shape: found.shape, evidence: evidence,
                             note: status == .override ? "set by the user (--gate); found: \(found.note)" : found.note))
    if alternative > 0 {
      diagnostics.append(Diagnostic(.note, .clinicalGateAlternative,
                                    "\(entry.id): gated by alternative \(alternative + 1) (\(rule.kind)): \(why.joined(separator: "; "))", at: location))
    }
  }

  /// A gate that cannot be drawn in this file: skipped (its population is its parent's events,
  /// with a warning) when the panel allows it, else not reported with the reason.
  private mutating func fail(_ entry: PopulationDefinition, reason: String, parentMask: EventMask, parentStrategyID: String?) {
    guard entry.whenMissing == .skip, entry.parent == nil || masks[entry.parent!] != nil else {
      omit(entry, reason: reason)
      return
    }
    for id in entry.populationIDs {
      masks[id] = parentMask
      strategyID[id] = parentStrategyID
      unreported[id] = "not gated in this file (\(reason)): the population is its parent's events"
      done.insert(id)
    }
    gates.append(AppliedGate(id: entry.id, populations: entry.populationIDs, parent: entry.parent, label: entry.label, status: .skipped,
                             rule: nil, alternative: nil, shape: nil, evidence: nil, note: "not gated: \(reason)"))
    diagnostics.append(Diagnostic(.warning, .clinicalGateDropped,
                                  "\(entry.id): not gated (\(reason)); its children are gated from \(entry.parent ?? "all events")", at: location))
  }

  static func override(_ f: GateFinder.Found, with o: GateOverride, id: String) throws -> GateFinder.Found {
    var f = f
    switch (f.shape, o) {
    case (.polygon(let x, let y, _), .vertices(let v)):
      f.shape = .polygon(x: x, y: y, vertices: v)
    case (.rectangle(let sides), .range(let lo, let hi)) where sides.count == 1:
      f.shape = .rectangle(sides: [AppliedShape.Side(dimension: sides[0].dimension, min: lo, max: hi)])
    default:
      throw PanelError.invalid(file: "--gate", detail: "gate '\(id)' is a \(f.shape.kindName) in this file: set polygons with vertices 'x1,y1 x2,y2 …', one-dimensional gates with MIN:MAX, and cuts with --cut")
    }
    return f
  }

  private mutating func resolveCut(_ name: String) throws {
    if cuts[name] != nil || cutFailures[name] != nil { return }
    guard let c = panel.cuts.first(where: { $0.name == name }) else { return }
    if let v = cutOverrides[name] {
      cuts[name] = AppliedCut(name: name, marker: c.marker, value: v, method: .override, note: "set by the user (--cut)")
      return
    }
    try resolvePopulation(c.population)
    for case .reference(let r) in c.methods { try resolvePopulation(r.population) }
    switch try CutFinder(space: space, masks: masks).find(c) {
    case .cut(let a):
      cuts[name] = a
      if a.method == .fallback {
        diagnostics.append(Diagnostic(.warning, .clinicalCutFallback, "cut '\(name)': \(a.note ?? "")", at: location))
      }
    case .none(let why):
      cutFailures[name] = why
    }
  }
}

extension AppliedShape {
  var kindName: String {
    switch self {
    case .rectangle(let s): s.count == 1 ? "range" : "rectangle"
    case .polygon: "polygon"
    case .quadrant: "quadrant"
    }
  }
}
