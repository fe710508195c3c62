import CytoClinical
import CytoCore
import CytoFCS
import CytoGating

/// One population's count after an edit.
public struct PopulationCount: Sendable, Equatable {
  public var id: GateID
  /// The gate's name for reports (its label), when it has one.
  public var name: String?
  /// The parent population (`nil`: all events).
  public var parent: GateID?
  public var count: Int
  /// Events in the parent (all events for a root population).
  public var parentCount: Int
  /// 100 · count / parentCount, `nil` when the parent is empty.
  public var percentOfParent: Double?
  /// Whether the last edit recomputed this population (it is in the edited gate's subtree or
  /// a Boolean gate depends on one that is).
  public var recomputed: Bool
}

/// What an edit changed: every population's count, the recomputed ones marked.
public struct Recount: Sendable, Equatable {
  /// The edit.
  public var edit: GateEdit
  /// The populations recomputed, in evaluation order.
  public var recomputed: [GateID]
  /// Every population, in the strategy's order.
  public var populations: [PopulationCount]
}

/// A visit's gating opened for review: the strategy its analysis applied, every gated
/// dimension's values computed once, and every population's mask, so that moving a gate
/// recomputes only the populations below it, from cached columns, without the FCS file.
///
/// Counts after any sequence of edits equal ``CytoGating/GatingEngine/evaluate(_:on:)`` of
/// the edited strategy (``strategy``) on the file: the cached columns are the values the engine
/// decides on (``CytoGating/PreparedDimensions``) and the same kernels run on them.
///
/// A value type: a copy is an independent session sharing the cached columns (copy on write).
/// Memory: 4 bytes per event per gated scatter dimension, 8 per transformed or compensated one,
/// and one bit per event per population (10⁶ events, reset panel: about 120 MB).
public struct ReviewSession: Sendable {
  /// The strategy the analysis applied (``CytoClinical/VisitAnalysis/recordedStrategy()``).
  public let recorded: GatingStrategy
  /// The strategy after every edit so far.
  public private(set) var strategy: GatingStrategy
  /// The analysis' cuts with the gates that use them and their current values.
  public private(set) var cuts: [ReviewCut]
  /// The edits applied so far, in order.
  public private(set) var edits: [GateEdit] = []
  /// Events in the data set.
  public let eventCount: Int
  /// Each gated dimension's values, as the engine decides on them.
  public let columns: PreparedDimensions
  /// Current membership of every population (absolute: in all its ancestors).
  public private(set) var masks: [GateID: EventMask]
  private var counts: [GateID: Int]

  /// Opens `analysis` for review on the data set it analysed.
  /// - Throws: ``ReviewError`` when the analysis records no gating or has another event
  ///   count; ``CytoGating/GatingStrategyError`` when a gated channel is missing.
  public init(analysis: VisitAnalysis, dataSet: FCSDataSet) throws {
    try self.init(analysis: analysis, input: try GatingInput(dataSet))
  }

  /// Opens `analysis` for review on its data (``CytoGating/GatingInput``, as the analysis read it).
  public init(analysis: VisitAnalysis, input: GatingInput) throws {
    guard let strategy = try analysis.recordedStrategy() else { throw ReviewError.noRecordedGating }
    guard analysis.events == input.events.eventCount else {
      throw ReviewError.eventCountMismatch(analysis: analysis.events, data: input.events.eventCount)
    }
    try self.init(strategy: strategy, input: input, cuts: Self.cutUsages(analysis, strategy))
  }

  /// Opens a strategy for review on `input` (cuts: named cuts and where they are used).
  public init(strategy: GatingStrategy, input: GatingInput, cuts: [ReviewCut] = []) throws {
    let columns = try GatingEngine.prepareDimensions(of: strategy, on: input)
    let masks = try GatingEngine.evaluate(Set(strategy.gates.map(\.id)), of: strategy, prepared: columns, given: [:])
    self.recorded = strategy
    self.strategy = strategy
    self.cuts = cuts
    self.eventCount = input.events.eventCount
    self.columns = columns
    self.masks = masks
    self.counts = masks.mapValues(\.setCount)
  }

  /// Every population's count and % of parent, in the strategy's order.
  public var populations: [PopulationCount] { populations(recomputed: []) }

  /// The count of population `id`.
  public func count(_ id: GateID) -> Int? { counts[id] }

  /// The strategy after `edit`, without applying it (for a preview or an export).
  public func strategy(after edit: GateEdit) throws -> GatingStrategy {
    try edit.applied(to: strategy, cuts: cuts).0
  }

  /// Applies `edit` and recounts: only the edited gates, their descendants and the Boolean
  /// gates that depend on them are evaluated again, from the cached columns and the masks of
  /// the populations above them.
  /// - Returns: every population's count, the recomputed ones marked.
  /// - Throws: ``ReviewError`` for an edit that is not valid; the session is then unchanged.
  @discardableResult
  public mutating func apply(_ edit: GateEdit) throws -> Recount {
    let (edited, changed, newCuts) = try edit.applied(to: strategy, cuts: cuts)
    let affected = try Self.affected(by: changed, in: edited)
    let fresh: [GateID: EventMask]
    do {
      fresh = try GatingEngine.evaluate(affected, of: edited, prepared: columns, given: masks, previous: strategy)
    } catch {
      throw ReviewError.invalidStrategy("\(error)")
    }
    strategy = edited
    cuts = newCuts
    edits.append(edit)
    var recomputed: [GateID] = []
    for g in try edited.evaluationOrder() where affected.contains(g.id) {
      for p in g.populations {
        guard let m = fresh[p] else { continue }
        masks[p] = m
        counts[p] = m.setCount
        recomputed.append(p)
      }
    }
    return Recount(edit: edit, recomputed: recomputed, populations: populations(recomputed: Set(recomputed)))
  }

  /// The gates to evaluate again when `changed` changed: them, every gate below them, and
  /// every Boolean gate reading one of those (transitively).
  static func affected(by changed: Set<GateID>, in strategy: GatingStrategy) throws -> Set<GateID> {
    var gates: Set<GateID> = []
    var populations: Set<GateID> = []
    for g in try strategy.evaluationOrder() {
      var hit = changed.contains(g.id) || g.parent.map(populations.contains) == true
      if !hit, case .boolean(let e) = g.shape { hit = e.operands.contains { populations.contains($0.gate) } }
      if hit {
        gates.insert(g.id)
        populations.formUnion(g.populations)
      }
    }
    return gates
  }

  func populations(recomputed: Set<GateID>) -> [PopulationCount] {
    strategy.gates.flatMap { g in
      g.populations.map { p in
        let c = counts[p] ?? 0
        let parent = g.parent.flatMap { counts[$0] } ?? eventCount
        return PopulationCount(id: p, name: g.name, parent: g.parent, count: c, parentCount: parent,
                               percentOfParent: parent > 0 ? 100 * Double(c) / Double(parent) : nil,
                               recomputed: recomputed.contains(p))
      }
    }
  }

  /// The named cuts of `analysis` and where `strategy` uses them: every rectangle end and
  /// single-cut quadrant divider on the cut marker's channel at exactly the cut's value (the
  /// analysis writes each cut's value into the gates that use it).
  static func cutUsages(_ analysis: VisitAnalysis, _ strategy: GatingStrategy) -> [ReviewCut] {
    analysis.cuts.compactMap { cut in
      guard let channel = analysis.markers.first(where: { $0.marker == cut.marker })?.channel else { return nil }
      var usages: [CutUsage] = []
      for g in strategy.gates {
        switch g.shape {
        case .rectangle(let sides):
          for (k, s) in sides.enumerated() where s.dimension.source == .channel(channel) {
            if s.min == cut.value { usages.append(.rectangleSide(g.id, side: k, isMin: true)) }
            if s.max == cut.value { usages.append(.rectangleSide(g.id, side: k, isMin: false)) }
          }
        case .quadrant(let dividers, _):
          for (k, d) in dividers.enumerated() where d.dimension.source == .channel(channel) && d.values == [cut.value] {
            usages.append(.divider(g.id, divider: k))
          }
        default: break
        }
      }
      return ReviewCut(name: cut.name, marker: cut.marker, value: cut.value, usages: usages)
    }
  }
}
