/// One value of a patient's series: the day since infusion and the measured quantity.
public struct SeriesPoint: Codable, Sendable, Equatable {
  public var day: Double
  public var quantity: Quantity
  public init(day: Double, quantity: Quantity) {
    self.day = day
    self.quantity = quantity
  }
}

/// Cellular kinetics of CAR T cells after one infusion (tisagenlecleucel pharmacology terms,
/// domain.md §3).
///
/// - Cmax: the highest measurable level after infusion (day ≥ 0); Tmax: its day (the first if tied).
/// - AUC over [start, end] days by the linear trapezoidal rule over the visits in the window.
///   Levels below the LLOQ count as 0. When no visit falls on `start`, the level there is
///   interpolated between the visits around it, or taken as 0 when `start` ≤ 0 and no earlier
///   visit exists (no CAR T cells circulate before infusion); when no visit falls on `end`, the
///   level is interpolated between the visits around it, and the area stops at the last visit
///   when none follows (``aucTruncatedAtDay`` says so).
/// - Tlast: the last day with a measurable level (≥ LLOQ).
public struct CARKinetics: Codable, Sendable, Equatable {
  public var unit: ClinicalUnit
  public var cmax: Double?
  public var tmax: Double?
  public var auc: Double?
  public var aucUnit: ClinicalUnit
  public var aucStartDay: Double
  public var aucEndDay: Double
  /// Set when the series ends before `aucEndDay`: the AUC covers only up to this day.
  public var aucTruncatedAtDay: Double?
  public var tlast: Double?
  /// Post-infusion visits the kinetics were computed from.
  public var visits: Int

  /// Kinetics of `series` (any order; visits before day 0 are ignored).
  public static func compute(_ series: [SeriesPoint], window: KineticsRule) -> CARKinetics {
    let unit = series.first?.quantity.unit ?? .cellsPerMicroliter
    let aucUnit: ClinicalUnit = unit == .percentOfCD3 ? .percentOfCD3Days : .cellsPerMicroliterDays
    let post = series.filter { $0.day >= 0 }.sorted { $0.day < $1.day }
    var k = CARKinetics(unit: unit, aucUnit: aucUnit, aucStartDay: window.aucStartDay, aucEndDay: window.aucEndDay, visits: post.count)
    for p in post {
      if let v = p.quantity.value, k.cmax == nil || v > k.cmax! {
        k.cmax = v
        k.tmax = p.day
      }
      if p.quantity.value != nil { k.tlast = p.day }
    }
    (k.auc, k.aucTruncatedAtDay) = Self.auc(post.map { ($0.day, $0.quantity.value ?? 0) }, from: window.aucStartDay, to: window.aucEndDay)
    return k
  }

  /// Linear trapezoidal area of `points` (sorted by day) over [a, b]; `nil` without points in reach.
  static func auc(_ points: [(Double, Double)], from a: Double, to b: Double) -> (Double?, Double?) {
    func level(at x: Double) -> Double? {
      if let exact = points.first(where: { $0.0 == x }) { return exact.1 }
      guard let i = points.firstIndex(where: { $0.0 > x }) else { return nil }
      guard i > 0 else { return nil }
      let (x0, y0) = points[i - 1], (x1, y1) = points[i]
      return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    }
    var knots: [(Double, Double)] = []
    if let y = level(at: a) {
      knots.append((a, y))
    } else if a <= 0, points.first.map({ $0.0 > a }) ?? false {
      knots.append((a, 0))
    }
    knots += points.filter { $0.0 > a && $0.0 < b }
    var truncated: Double? = nil
    if let y = level(at: b) {
      knots.append((b, y))
    } else if let last = knots.last, last.0 < b {
      truncated = last.0
    }
    guard knots.count >= 2 else { return (knots.count == 1 ? 0 : nil, truncated) }
    var area = 0.0
    for i in 1..<knots.count { area += (knots[i].0 - knots[i - 1].0) * (knots[i].1 + knots[i - 1].1) / 2 }
    return (area, truncated)
  }
}

/// The B-cell course after one infusion: aplasia, reconstitution and what returns.
///
/// - Aplasia onset: the first visit after infusion (day > 0) called aplastic.
/// - Reconstitution: the first later visit called not aplastic; with
///   ``ReconstitutionRule/confirmOnNextVisit`` the next visit must not be aplastic either (a
///   visit that is aplastic again discards it; without a next visit it stays unconfirmed).
///   Indeterminate visits are skipped.
/// - Aplasia duration: reconstitution day − onset day; while aplasia lasts, the duration so far
///   (last aplastic day − onset day) with ``ongoing`` set.
public struct BCellCourse: Codable, Sendable, Equatable {
  public var aplasiaOnsetDay: Double?
  public var reconstitutionDay: Double?
  /// `false` when the reconstitution visit has no next visit yet to confirm it (rule on).
  public var reconstitutionConfirmed: Bool?
  public var aplasiaDurationDays: Double?
  public var ongoing: Bool
  /// Naive B cells as % of B cells at the reconstitution visit.
  public var naivePercentAtReconstitution: Quantity?
  public var predominantlyNaiveAtReconstitution: Bool?

  /// One visit's inputs: its day and its calls.
  public struct Visit: Sendable {
    public var day: Double
    public var aplasia: VisitCalls.Call.Result
    public var naivePercentOfB: Quantity?
    public var predominantlyNaive: Bool?
    public init(day: Double, aplasia: VisitCalls.Call.Result, naivePercentOfB: Quantity? = nil, predominantlyNaive: Bool? = nil) {
      self.day = day
      self.aplasia = aplasia
      self.naivePercentOfB = naivePercentOfB
      self.predominantlyNaive = predominantlyNaive
    }
  }

  public static func compute(_ visits: [Visit], rule: ReconstitutionRule) -> BCellCourse {
    let post = visits.filter { $0.day > 0 && $0.aplasia != .indeterminate }.sorted { $0.day < $1.day }
    var c = BCellCourse(ongoing: false)
    guard let onset = post.firstIndex(where: { $0.aplasia == .yes }) else { return c }
    c.aplasiaOnsetDay = post[onset].day
    var lastAplastic = post[onset].day
    var i = onset + 1
    while i < post.count {
      let v = post[i]
      if v.aplasia == .yes {
        lastAplastic = v.day
        i += 1
        continue
      }
      // Not aplastic: reconstitution, if confirmed (or confirmation not required).
      if rule.confirmOnNextVisit {
        if i + 1 < post.count {
          if post[i + 1].aplasia == .yes {
            lastAplastic = post[i + 1].day
            i += 2
            continue
          }
          c.reconstitutionConfirmed = true
        } else {
          c.reconstitutionConfirmed = false
        }
      }
      c.reconstitutionDay = v.day
      c.aplasiaDurationDays = v.day - post[onset].day
      c.naivePercentAtReconstitution = v.naivePercentOfB
      c.predominantlyNaiveAtReconstitution = v.predominantlyNaive
      return c
    }
    c.ongoing = true
    c.aplasiaDurationDays = lastAplastic - post[onset].day
    return c
  }
}
