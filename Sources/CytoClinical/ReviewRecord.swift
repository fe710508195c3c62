import CytoCore
import CytoFCS
import CytoGating
import Foundation

/// A reviewer's version of a visit's analysis (`cytoreset serve`): who set the gates, when, why,
/// which stored version it was made from and what changed. Recorded in the analysis JSON
/// (``VisitAnalysis/review``) and as attributes of the stored analysis (docs/store-schema.md).
public struct ReviewRecord: Codable, Sendable, Equatable {
  /// Where a reviewed version stands.
  public enum Status: String, Codable, Sendable, CaseIterable {
    /// Saved by a reviewer, not approved: series and reports keep the version they used.
    case draft
    /// Made by applying another visit's reviewed change; waits for its own review.
    case proposed
    /// Approved by the reviewer: the version series and reports use (the latest approved one).
    case approved
  }

  public var status: Status
  /// The reviewer's name, as they typed it (required, at most ``maximumTextLength`` characters).
  public var reviewer: String
  /// Why the gates were changed or approved (required).
  public var reason: String
  /// When the review was saved (ISO 8601, UTC).
  public var time: String
  /// The stored analysis version this one was made from.
  public var replaces: Int
  /// The gates and cuts that differ from that version, in the strategy's order.
  public var changes: [ReviewChange]
  /// For a proposed version: the visit and version whose change was applied here.
  public var appliedFrom: AppliedFrom?

  /// The visit a proposed change came from.
  public struct AppliedFrom: Codable, Sendable, Equatable {
    /// The stored visit name (`day+014`).
    public var visit: String
    /// Its analysis version holding the change.
    public var version: Int
    public init(visit: String, version: Int) {
      self.visit = visit
      self.version = version
    }
  }

  /// The longest reviewer name or reason accepted (characters).
  public static let maximumTextLength = 2000

  public init(status: Status, reviewer: String, reason: String, time: String, replaces: Int, changes: [ReviewChange],
              appliedFrom: AppliedFrom? = nil) {
    self.status = status
    self.reviewer = reviewer
    self.reason = reason
    self.time = time
    self.replaces = replaces
    self.changes = changes
    self.appliedFrom = appliedFrom
  }
}

/// One difference between two gatings of the same visit, in display units.
public enum ReviewChange: Codable, Sendable, Equatable {
  /// A named cut moved (and with it every gate side and quadrant divider at its value).
  case cut(name: String, before: Double, after: Double)
  /// A gate's geometry changed (beyond what a moved cut explains).
  case gate(id: String, before: AppliedShape, after: AppliedShape)

  /// The differences from `old` to `new` (the same panel applied to the same file): every cut
  /// whose value differs, every gate whose shape differs once the moved cuts are applied to it.
  public static func between(old: AppliedGating, oldCuts: [AppliedCut], new: AppliedGating, newCuts: [AppliedCut]) -> [ReviewChange] {
    var out: [ReviewChange] = []
    for c in newCuts {
      guard let o = oldCuts.first(where: { $0.name == c.name }), o.value != c.value else { continue }
      out.append(.cut(name: c.name, before: o.value, after: c.value))
    }
    let moved = out.compactMap { c -> (String, Double, Double)? in
      guard case .cut(let name, let b, let a) = c, let m = newCuts.first(where: { $0.name == name })?.marker else { return nil }
      return (m, b, a)
    }
    for g in new.gates {
      guard let after = g.shape, let before = old.gates.first(where: { $0.id == g.id })?.shape else { continue }
      let byCuts = moved.reduce(before) { $0.movingCut(marker: $1.0, from: $1.1, to: $1.2) }
      if byCuts != after { out.append(.gate(id: g.id, before: before, after: after)) }
    }
    return out
  }
}

extension DiagnosticCode {
  /// The analysis' gates were set by a reviewer (`cytoreset serve`), not found in the file.
  public static let clinicalGatesReviewed = DiagnosticCode("clinical.gatesReviewed")
}

extension VisitAnalyzer {
  /// The analysis of `dataSet` with a reviewed gating: `gating`'s gates and `cuts` exactly as
  /// given (nothing is found again), counted by the engine on every event, summarised with this
  /// analyzer's panel, count method and statistics like any analysis.
  ///
  /// The analyzer should be built as `original` was: its panel, count method, statistics and
  /// CAR background (``reviewing(_:panel:)`` does). What the original recorded about the file
  /// (markers, missing markers, unreported populations, diagnostics) is kept; a
  /// ``DiagnosticCode/clinicalGatesReviewed`` note says who changed what.
  /// - Throws: ``ClinicalError`` when `dataSet` has another event count than `original`;
  ///   gating errors when a recorded dimension is not in the file.
  public func analyze(_ dataSet: FCSDataSet, file: String, reviewing original: VisitAnalysis, gating: AppliedGating,
                      cuts: [AppliedCut], review: ReviewRecord) throws -> VisitAnalysis {
    guard dataSet.eventCount == original.events else {
      throw ClinicalError.reviewedDataSet(
        file: file, detail: "\(dataSet.eventCount) events, but the analysis under review counted \(original.events): not the same data set")
    }
    var markers: [String: MarkerChannel] = [:]
    for m in original.markers { markers[m.marker] = m }
    let strategy = try gating.strategy(markers: markers, compensation: .fileSpillover)
    // Counts only (chunk by chunk, bounded memory) unless statistics need the values.
    let counts: PopulationCounts
    var stats: [String: [String: [String: Double?]]] = [:]
    if statistics.isEmpty {
      counts = PopulationCounts(try GatingEngine.count(strategy, chunks: ChunkedGatingInput(dataSet)))
    } else {
      let input = try GatingInput(dataSet)
      let result = try GatingEngine.evaluate(strategy, on: input)
      counts = PopulationCounts(result)
      stats = try reportedStatistics(result, input: input, markers: markers)
    }
    var diagnostics = original.diagnostics.filter { $0.code != .clinicalGatesReviewed }
    let what = review.changes.isEmpty ? "no gate changed" : "\(review.changes.count) change\(review.changes.count == 1 ? "" : "s")"
    diagnostics.append(Diagnostic(.note, .clinicalGatesReviewed,
                                  "gates set in review by \(review.reviewer) (\(review.status.rawValue), \(what), from version \(review.replaces)): \(review.reason)",
                                  at: SourceLocation(file: file)))
    let found = FoundGates(markers: markers, cuts: cuts, gating: gating, strategy: strategy, diagnostics: diagnostics, unreported: [:])
    var a = try summarize(counts, found: found, gatingDiagnostics: [], statistics: stats, dataSet: dataSet, file: file,
                          visit: original.visit)
    a.gating = gating
    a.missingMarkers = original.missingMarkers
    a.unreported = original.unreported
    a.calls.carBackgroundSource = original.calls.carBackgroundSource
    // A count the original took from a lab ALC stays lab-derived (not the reviewer's own
    // method), so the store keeps following the lab value (docs/clinical-data.md).
    a.labCount = original.labCount
    a.review = review
    return a
  }

  /// An analyzer that summarises as `original` was summarised: `panel` (the one stored with
  /// it), its count method, the statistics its populations carry and its CAR background.
  public static func reviewing(_ original: VisitAnalysis, panel: PanelDefinition) -> VisitAnalyzer {
    var names: Set<String> = []
    for p in original.populations { for s in (p.statistics ?? [:]).values { names.formUnion(s.keys) } }
    let statistics = ChannelStatistic.allCases.filter { names.contains($0.rawValue) }
    return VisitAnalyzer(panel: panel, countMethod: original.countMethod, statistics: statistics,
                         carBackgroundPercentOfT: original.calls.carBackgroundPercentOfT)
  }
}

extension AppliedShape {
  /// Whether `other` is the same kind of gate on the same markers (scales may differ).
  public func sameFrame(as other: AppliedShape) -> Bool {
    switch (self, other) {
    case (.rectangle(let a), .rectangle(let b)): a.map(\.dimension.marker) == b.map(\.dimension.marker)
    case (.polygon(let x, let y, _), .polygon(let x2, let y2, _)): x.marker == x2.marker && y.marker == y2.marker
    case (.quadrant(let x, _, let y, _, let q), .quadrant(let x2, _, let y2, _, let q2)): x.marker == x2.marker && y.marker == y2.marker && q == q2
    default: false
    }
  }

  /// This shape with every rectangle end and quadrant divider on `marker` at exactly `from`
  /// moved to `to` (how the analysis writes a cut's value into the gates that use it).
  public func movingCut(marker: String, from: Double, to: Double) -> AppliedShape {
    switch self {
    case .rectangle(var sides):
      for k in sides.indices where sides[k].dimension.marker == marker {
        if sides[k].min == from { sides[k].min = to }
        if sides[k].max == from { sides[k].max = to }
      }
      return .rectangle(sides: sides)
    case .quadrant(let x, var xAt, let y, var yAt, let qs):
      if x.marker == marker, xAt == from { xAt = to }
      if y.marker == marker, yAt == from { yAt = to }
      return .quadrant(x: x, xAt: xAt, y: y, yAt: yAt, quadrants: qs)
    case .polygon: return self
    }
  }
}
