/// A summary of one ASTCT-graded adverse event (CRS or ICANS) over a patient's course.
///
/// - Maximum grade: the highest ASTCT grade of any episode (Lee et al., Biol Blood Marrow
///   Transplant 2019;25:625; domain.md §9.1).
/// - Time to onset: the start day of the first episode, in days since the first infusion.
/// - Duration: end day − start day of the first episode, in days; `nil` when that episode has
///   no end (ongoing, or a single-day record without an end).
public struct AdverseEventSummary: Sendable, Equatable {
  /// CRS or ICANS.
  public var kind: ClinicalEventKind
  /// The episodes, by start day.
  public var episodes: [EventRow]
  /// The highest grade of any episode (1–4), `nil` when no episode has one.
  public var maxGrade: Int?
  /// Days since infusion to the first episode's start.
  public var onsetDay: Double
  /// The first episode's end − start in days; `nil` without an end.
  public var durationDays: Double?

  /// The summary of the `kind` events among `events`, or `nil` when there are none.
  public static func of(_ kind: ClinicalEventKind, in events: [EventRow]) -> AdverseEventSummary? {
    let eps = events.filter { $0.kind == kind }.sorted { ($0.startDay, $0.endDay ?? .infinity) < ($1.startDay, $1.endDay ?? .infinity) }
    guard let first = eps.first else { return nil }
    return AdverseEventSummary(kind: kind, episodes: eps, maxGrade: eps.compactMap(\.grade).max(), onsetDay: first.startDay,
                               durationDays: first.endDay.map { $0 - first.startDay })
  }
}

/// A lab reading for a chart: day, value or bound, source.
public struct LabPoint: Sendable, Equatable {
  /// Days since the first infusion.
  public var day: Double
  /// The value or bound, in the analyte's canonical unit.
  public var measurement: LabMeasurement
  /// Where it came from, verbatim.
  public var source: String

  /// A point.
  public init(day: Double, measurement: LabMeasurement, source: String = "") {
    self.day = day
    self.measurement = measurement
    self.source = source
  }
}

/// One patient's clinical context on the timeline (issue #16): IgG with its flags, IVIG doses
/// and months on IVIG, CRS and ICANS summaries, CAR transgene copies, and the other events as
/// marks. Values in, values out (no store access): ``compute(labs:events:rules:)``.
public struct ClinicalCourse: Sendable, Equatable {
  /// The rules the flags used.
  public var rules: ClinicalContextRules
  /// Serum IgG readings (g/L) by day, flagged.
  public var igG: [IgGReading]
  /// IVIG doses by day.
  public var ivigDoses: [IVIGDose]
  /// Months on IVIG (``IVIGExposure/months(_:)``), `nil` without doses.
  public var monthsOnIVIG: Double?
  /// CAR transgene copies per µg genomic DNA by day (bounds kept).
  public var carTransgene: [LabPoint]
  /// Absolute lymphocyte counts, cells/µL, by day.
  public var alc: [LabPoint]
  /// CRS, when any.
  public var crs: AdverseEventSummary?
  /// ICANS, when any.
  public var icans: AdverseEventSummary?
  /// Tocilizumab, corticosteroids, infections, re-treatments and disease-activity scores, by day.
  public var otherEvents: [EventRow]

  /// Whether there is nothing to show.
  public var isEmpty: Bool {
    igG.isEmpty && ivigDoses.isEmpty && carTransgene.isEmpty && alc.isEmpty && crs == nil && icans == nil && otherEvents.isEmpty
  }

  /// Every day the course mentions (readings, event starts and ends), for a shared day axis.
  public var days: [Double] {
    igG.map(\.day) + carTransgene.map(\.day) + alc.map(\.day) + ivigDoses.flatMap { [$0.startDay, $0.lastDay] }
      + ([crs, icans].compactMap { $0 }.flatMap(\.episodes) + otherEvents).flatMap { [$0.startDay] + ($0.endDay.map { [$0] } ?? []) }
  }

  /// The IgG readings with a flag of `kind`.
  public func flagged(_ kind: ClinicalFlag.Kind) -> [IgGReading] { igG.filter { $0.flags.contains { $0.kind == kind } } }

  /// The course of one patient from its current lab rows and events (any order; other patients'
  /// rows must be filtered out before) under `rules`.
  public static func compute(labs: [LabRow], events: [EventRow], rules: ClinicalContextRules = ClinicalContextRules()) -> ClinicalCourse {
    let doses = events.filter { $0.kind == .ivig }.sorted { $0.startDay < $1.startDay }
      .map { IVIGDose(startDay: $0.startDay, endDay: $0.endDay, gramsPerKilogram: $0.dose, source: $0.source) }
    let threshold = rules.hypogammaglobulinaemiaIgGBelow, window = rules.ivigConfoundingDays
    func points(_ a: ClinicalAnalyte) -> [LabRow] {
      labs.filter { $0.analyte == .known(a) }.sorted { ($0.day, $0.source) < ($1.day, $1.source) }
    }
    let igG = points(.igG).map { row -> IgGReading in
      let below = IgGReading.isBelow(row.measurement, threshold: threshold)
      let dose = IgGReading.confoundingDose(day: row.day, doses: doses, windowDays: window)
      var flags: [ClinicalFlag] = []
      if below == true {
        flags.append(ClinicalFlag(kind: .hypogammaglobulinaemia, rule: "IgG < \(threshold.clinicalText) g/L",
                                  source: ClinicalFlag.hypogammaglobulinaemiaSource))
      }
      if let dose {
        flags.append(ClinicalFlag(kind: .ivigConfounded,
                                  rule: "drawn \((row.day - dose.lastDay).clinicalText) d after \(dose.label) on day \(dose.lastDay.clinicalText) "
                                    + "(window \(window.clinicalText) d)",
                                  source: ClinicalFlag.ivigConfoundingSource))
      }
      return IgGReading(day: row.day, measurement: row.measurement, source: row.source, belowThreshold: below, confoundingDose: dose, flags: flags)
    }
    let lab = { (a: ClinicalAnalyte) in points(a).map { LabPoint(day: $0.day, measurement: $0.measurement, source: $0.source) } }
    let others: Set<ClinicalEventKind> = [.tocilizumab, .corticosteroids, .infection, .retreatment, .diseaseActivity]
    return ClinicalCourse(
      rules: rules, igG: igG, ivigDoses: doses, monthsOnIVIG: IVIGExposure.months(doses), carTransgene: lab(.carTransgene), alc: lab(.alc),
      crs: .of(.crs, in: events), icans: .of(.icans, in: events),
      otherEvents: events.filter { others.contains($0.kind) }.sorted { ($0.startDay, $0.kind.rawValue) < ($1.startDay, $1.kind.rawValue) })
  }
}
