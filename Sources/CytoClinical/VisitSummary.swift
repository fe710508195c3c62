import CytoCore
import CytoGating

/// The populations of one gated sample as the clinical summary needs them: counts, parents and
/// paths by population id, whatever gated them (the adaptive panel's ``GatingResult`` or a FlowJo
/// workspace's counts, where the id is the population's path).
public struct PopulationCounts: Sendable, Equatable {
  /// Events in the sample.
  public var eventCount: Int
  /// Events per population id.
  public var counts: [String: Int]
  /// The parent id of each population that has one (top-level populations have none).
  public var parents: [String: String]
  /// The path shown for each population (`/Lymphocytes/B cells`).
  public var paths: [String: String]

  /// Creates the table.
  public init(eventCount: Int, counts: [String: Int], parents: [String: String], paths: [String: String]) {
    self.eventCount = eventCount
    self.counts = counts
    self.parents = parents
    self.paths = paths
  }

  /// The populations of a gating result.
  public init(_ result: GatingResult) { self.init(GatingCounts(result)) }

  /// The populations of a strategy's counts.
  public init(_ gating: GatingCounts) {
    var counts: [String: Int] = [:], parents: [String: String] = [:], paths: [String: String] = [:]
    for (id, count) in gating.counts {
      counts[id.rawValue] = count
      if let p = gating.strategy.parent(of: id) { parents[id.rawValue] = p.rawValue }
      if let path = gating.strategy.path(of: id) { paths[id.rawValue] = path.description }
    }
    self.init(eventCount: gating.eventCount, counts: counts, parents: parents, paths: paths)
  }

  /// Events in population `id`, `nil` when there is no such population (or no id).
  public func count(_ id: String?) -> Int? { id.flatMap { counts[$0] } }

  /// Events in the parent of `id` (the whole sample for a top-level population).
  public func parentCount(_ id: String) -> Int? {
    if let p = parents[id] { return counts[p] }
    return counts[id] == nil ? nil : eventCount
  }
}

/// Turns population counts into a visit's clinical reading: per reported population its count,
/// percentages (of parent, of the report's denominator, of lymphocytes and leukocytes, each with
/// its 95% interval and LLOQ), the absolute count per µL with its method, and the calls
/// (aplasia, naive fraction, CAR T detectability). Formulas and sources: docs/clinical.md.
struct VisitSummary {
  var report: [ReportedPopulation]
  var roles: PopulationRoles
  var thresholds: ClinicalThresholds
  var countMethod: AbsoluteCountMethod?
  var carBackgroundPercentOfT: Double?

  /// The analysis of one sample; the caller fills in the panel, markers and cuts it used.
  /// - Throws: ``ClinicalError/noBeads(file:)`` when single-platform counting finds no beads.
  func analysis(_ pc: PopulationCounts, statistics statsByPopulation: [String: [String: [String: Double?]]],
                file: String, visit: VisitInfo, diagnostics: [Diagnostic]) throws -> VisitAnalysis {
    var diagnostics = diagnostics
    let roles = self.roles
    let lloq = thresholds.lloq.events
    let count = pc.count
    let beads = count(roles.beads)
    let lymph = count(roles.lymphocytes)
    let leuk = count(roles.leukocytes)
    // The scale from events to cells/µL.
    var perMicroliterScale: Double? = nil
    switch countMethod {
    case .singlePlatform(let b, let v)?:
      guard let beads, beads > 0 else { throw ClinicalError.noBeads(file: file) }
      perMicroliterScale = b / (Double(beads) * v)
      if beads < 1_000 {
        diagnostics.append(Diagnostic(.warning, .clinicalFewBeads,
                                      "only \(beads) bead events: bead counting adds \(String(format: "%.1f", 100 / Double(beads).squareRoot()))% CV to every absolute count",
                                      at: SourceLocation(file: file)))
      }
    case .dualPlatform(let alc)?:
      perMicroliterScale = PerMicroliter.dualPlatformScale(lymphocytesPerMicroliter: alc, lymphocyteEvents: lymph)
    case nil: break
    }
    func percent(_ n: Int, of d: Int?, _ unit: ClinicalUnit) -> Quantity? {
      guard let d, d > 0 else { return nil }
      return Quantity.percent(n, of: d, unit: unit, lloqEvents: lloq)
    }
    func unit(forDenominator d: String?) -> ClinicalUnit {
      guard let d else { return .percentOfParent }
      switch d {
      case roles.lymphocytes: return .percentOfLymphocytes
      case roles.leukocytes: return .percentOfLeukocytes
      case roles.tCells: return .percentOfCD3
      case roles.bCells: return .percentOfB
      default: return .percentOfParent
      }
    }
    var populations: [PopulationResult] = []
    for r in report {
      guard let n = count(r.population) else { continue }
      let parentID = pc.parents[r.population]
      let parentCount = pc.parentCount(r.population) ?? pc.eventCount
      var p = PopulationResult(id: r.population, path: pc.paths[r.population] ?? "/" + r.population, label: r.label,
                               parent: parentID, count: n, parentCount: parentCount)
      p.percentOfParent = percent(n, of: parentCount, .percentOfParent)
      p.fractionOf = r.fractionOf ?? parentID
      if let d = p.fractionOf { p.percentOf = percent(n, of: count(d), unit(forDenominator: d)) }
      p.percentOfLymphocytes = percent(n, of: lymph, .percentOfLymphocytes)
      p.percentOfLeukocytes = percent(n, of: leuk, .percentOfLeukocytes)
      p.absolute = PerMicroliter.absolute(events: n, method: countMethod, scale: perMicroliterScale, lloqEvents: lloq)
      if let st = statsByPopulation[r.population] { p.statistics = st }
      populations.append(p)
    }
    let calls = VisitCallMaker(thresholds: thresholds, roles: roles, lloqEvents: lloq, carBackground: carBackgroundPercentOfT)
      .calls(count: count, perMicroliterScale: perMicroliterScale)
    return VisitAnalysis(file: file, dataSet: 0, visit: visit, panel: "", panelVersion: "",
                         events: pc.eventCount, beadEvents: beads, countMethod: countMethod, roles: roles,
                         markers: [], cuts: [], populations: populations, calls: calls, diagnostics: diagnostics)
  }
}

/// The per-µL arithmetic both paths to a dual-platform count share: `--alc` at analysis time
/// (``VisitSummary``) and a lab ALC applied later (``VisitAnalysis/applyingLabALC(_:thresholds:)``),
/// so the two give the same numbers by construction.
enum PerMicroliter {
  /// Cells/µL per event of the dual-platform method (domain.md §4):
  ///
  ///     scale = ALC (cells/µL) ÷ lymphocyte events;  cells/µL = population events × scale
  ///
  /// `nil` without lymphocyte events (no per-µL value can be computed).
  static func dualPlatformScale(lymphocytesPerMicroliter alc: Double, lymphocyteEvents: Int?) -> Double? {
    guard let lymph = lymphocyteEvents, lymph > 0 else { return nil }
    return alc / Double(lymph)
  }

  /// The absolute count of a population of `events` events: `events × scale` cells/µL with its
  /// Poisson interval and LLOQ bound; `nil` without a method or a scale.
  static func absolute(events: Int, method: AbsoluteCountMethod?, scale: Double?, lloqEvents: Int) -> AbsoluteCount? {
    guard let method, let scale else { return nil }
    return AbsoluteCount(method: method, perMicroliter: Quantity(events: events, scale: scale, unit: .cellsPerMicroliter, lloqEvents: lloqEvents))
  }
}
