/// Makes one visit's clinical calls from its counts (rules in ``ClinicalThresholds``).
struct VisitCallMaker {
  let thresholds: ClinicalThresholds
  let roles: PopulationRoles
  let lloqEvents: Int
  let carBackground: Double?

  func calls(count: (String?) -> Int?, perMicroliterScale: Double?) -> VisitCalls {
    let b = count(roles.bCells) ?? 0
    let lymph = count(roles.lymphocytes) ?? 0
    let t = count(roles.tCells) ?? 0
    // No CAR gate (the tube has no CAR reagent): the CAR fraction is not measured, not 0.
    let carCount = count(roles.carT)
    // Without a naive B gate in this file (too few B cells to place the CD27/IgD cuts, or no
    // CD27/IgD in the tube) the naive fraction is unknown, not 0.
    let naiveCount = count(roles.naiveB)

    let aplasia = Self.aplasiaCall(bEvents: b, lymphocyteEvents: lymph, perMicroliterScale: perMicroliterScale, lloqEvents: lloqEvents,
                                   rule: thresholds.aplasia)

    let naivePct = b > 0 ? naiveCount.map { Quantity.percent($0, of: b, unit: .percentOfB, lloqEvents: lloqEvents) } : nil
    var predominantlyNaive: Bool? = nil
    if b >= lloqEvents, let q = naivePct {
      // Below the LLOQ the naive fraction is only bounded: naive < bound ≤ threshold means "not naive".
      if let v = q.value { predominantlyNaive = v >= thresholds.naive.minPercentOfB } else if let u = q.lessThan, u < thresholds.naive.minPercentOfB {
        predominantlyNaive = false
      }
    }

    let carPct = t > 0 ? carCount.map { Quantity.percent($0, of: t, unit: .percentOfCD3, lloqEvents: lloqEvents) } : nil
    let (detectable, background, source) = Self.carDetectability(carPct, lloqEvents: lloqEvents, background: carBackground,
                                                                 thresholds: thresholds)
    return VisitCalls(bCellAplasia: aplasia, naivePercentOfB: naivePct, predominantlyNaive: predominantlyNaive, carPercentOfT: carPct,
                      carTDetectable: detectable, carBackgroundPercentOfT: background, carBackgroundSource: source)
  }

  /// CAR T detectability from the CAR⁺ % of CD3 (its events are the CAR⁺ events) against the
  /// pre-infusion background, or the panel's threshold without one; the background used and
  /// where it came from. Nothing else of a visit's calls depends on the background.
  static func carDetectability(_ carPct: Quantity?, lloqEvents: Int, background carBackground: Double?,
                               thresholds: ClinicalThresholds) -> (VisitCalls.Call, background: Double, source: String) {
    let background = carBackground ?? thresholds.carT.backgroundPercentOfT
    let source = carBackground == nil ? "panel threshold carT.backgroundPercentOfT" : "pre-infusion visit"
    let detectable: VisitCalls.Call
    if let q = carPct {
      let car = q.events
      if car < lloqEvents {
        detectable = .init(result: .no, reason: "\(car) CAR+ events, below the LLOQ of \(lloqEvents)")
      } else if q.lower95 > background {
        detectable = .init(result: .yes, reason: "\(car) CAR+ events; lower 95% bound \(q.lower95.formatted(decimals: 3))% of CD3 > background \(background.compactText)%")
      } else {
        detectable = .init(result: .no, reason: "lower 95% bound \(q.lower95.formatted(decimals: 3))% of CD3 ≤ background \(background.compactText)%")
      }
    } else {
      detectable = .init(result: .indeterminate, reason: "no T cells or no CAR T gate in this analysis")
    }
    return (detectable, background, source)
  }

  /// Aplasia from the B-cell and lymphocyte events (0 when the panel has no such role) and the
  /// per-µL scale of the count method (`nil` without absolute counts): B cells/µL = B events ×
  /// scale and B % of lymphocytes, judged by ``aplasiaCall(perMicroliter:percentOfLymphocytes:rule:)``.
  /// The only call that depends on the count method.
  static func aplasiaCall(bEvents b: Int, lymphocyteEvents lymph: Int, perMicroliterScale: Double?, lloqEvents: Int,
                          rule: AplasiaRule) -> VisitCalls.Call {
    let bPerMicroliter = perMicroliterScale.map { Quantity(events: b, scale: $0, unit: .cellsPerMicroliter, lloqEvents: lloqEvents) }
    let bPercent = lymph > 0 ? Quantity.percent(b, of: lymph, unit: .percentOfLymphocytes, lloqEvents: lloqEvents) : nil
    return aplasiaCall(perMicroliter: bPerMicroliter, percentOfLymphocytes: bPercent, rule: rule)
  }

  /// Aplasia from the B-cell concentration and/or % of lymphocytes against the rule.
  ///
  /// A value at or above the LLOQ is compared as measured. A value below the LLOQ is not a
  /// number to compare; it satisfies a threshold when its upper 95% Poisson bound does (so
  /// 0 of 2,000 lymphocytes, upper bound 3.7 events = 0.18%, is ≤ 1%) and is otherwise undecided.
  static func aplasiaCall(perMicroliter: Quantity?, percentOfLymphocytes: Quantity?, rule: AplasiaRule) -> VisitCalls.Call {
    enum Verdict { case below, above, undecided }
    var verdicts: [(String, Verdict)] = []
    func judge(_ q: Quantity?, _ threshold: Double?, _ what: String, _ unit: String) {
      guard let threshold else { return }
      guard let q else {
        verdicts.append(("\(what): not available", .undecided))
        return
      }
      if let v = q.value {
        verdicts.append(("\(what) \(v.formatted(decimals: 2)) \(unit) \(v <= threshold ? "≤" : ">") \(threshold.compactText)", v <= threshold ? .below : .above))
      } else if q.upper95 <= threshold {
        verdicts.append(("\(what) below LLOQ (\(q.events) events), upper 95% bound \(q.upper95.formatted(decimals: 2)) \(unit) ≤ \(threshold.compactText)", .below))
      } else {
        verdicts.append(("\(what) below LLOQ (\(q.events) events), upper 95% bound \(q.upper95.formatted(decimals: 2)) \(unit) > \(threshold.compactText): undecided", .undecided))
      }
    }
    judge(perMicroliter, rule.maxPerMicroliter, "CD19+", "cells/µL")
    judge(percentOfLymphocytes, rule.maxPercentOfLymphocytes, "CD19+", "% of lymphocytes")
    let reason = verdicts.map(\.0).joined(separator: "; ")
    let vs = verdicts.map(\.1)
    guard !vs.isEmpty else { return .init(result: .indeterminate, reason: "no aplasia threshold applies") }
    switch rule.combine {
    case .all:
      if vs.allSatisfy({ $0 == .below }) { return .init(result: .yes, reason: reason) }
      if vs.contains(.above) { return .init(result: .no, reason: reason) }
    case .any:
      if vs.contains(.below) { return .init(result: .yes, reason: reason) }
      if vs.allSatisfy({ $0 == .above }) { return .init(result: .no, reason: reason) }
    }
    return .init(result: .indeterminate, reason: reason)
  }
}

extension VisitAnalysis {
  /// This analysis with its CAR T detectability call made again against `background` (CAR⁺ %
  /// of CD3 before infusion: its value, or its upper 95% bound below the LLOQ; `nil` for the
  /// thresholds' default) under `thresholds`.
  ///
  /// Only that call and the background it records depend on the background, so a batch can
  /// analyse every visit independently and settle the pre-infusion backgrounds afterwards, in
  /// visit order: `analyze`, `ingest FILE…` and `ingest --analyses` (pre-computed analysis
  /// records) all make the call this way, so they agree.
  public func applyingCARBackground(_ background: Double?, thresholds: ClinicalThresholds) -> VisitAnalysis {
    var a = self
    let (call, used, source) = VisitCallMaker.carDetectability(
      a.calls.carPercentOfT, lloqEvents: thresholds.lloq.events, background: background, thresholds: thresholds)
    a.calls.carTDetectable = call
    a.calls.carBackgroundPercentOfT = used
    a.calls.carBackgroundSource = source
    return a
  }
}
