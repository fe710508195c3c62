/// A flag on a lab reading, with the rule that raised it and where the rule comes from
/// (docs/clinical-data.md, "Flags and summaries").
public struct ClinicalFlag: Sendable, Equatable {
  /// Which rule.
  public enum Kind: String, Sendable, Equatable, CaseIterable {
    /// IgG below ``ClinicalContextRules/hypogammaglobulinaemiaIgGBelow``.
    case hypogammaglobulinaemia
    /// IgG drawn within ``ClinicalContextRules/ivigConfoundingDays`` after an IVIG dose.
    case ivigConfounded = "IVIG-confounded"
  }

  /// The rule.
  public var kind: Kind
  /// The rule as applied, with its numbers (`IgG < 4 g/L`).
  public var rule: String
  /// Where the threshold comes from.
  public var source: String

  /// A flag.
  public init(kind: Kind, rule: String, source: String) {
    self.kind = kind
    self.rule = rule
    self.source = source
  }

  /// The source of the hypogammaglobulinaemia threshold (domain.md §9.2).
  public static let hypogammaglobulinaemiaSource =
    "Hill et al., Blood Rev 2019 (replacement considered at IgG ≤ 4 g/L after CAR T); domain.md §9.2; threshold set by the store's clinical rules"
  /// The source of the IVIG confounding window (domain.md §9.2).
  public static let ivigConfoundingSource =
    "issue #16 (4 weeks); infused IgG half-life 17–21 days (Immunodeficiency UK), domain.md §9.2; window set by the store's clinical rules"
}

/// An IVIG administration as the flags and the months on IVIG read it.
public struct IVIGDose: Sendable, Equatable {
  /// Days since the first infusion of the (first) day of administration.
  public var startDay: Double
  /// The last day of administration, when the dose was split over several days.
  public var endDay: Double?
  /// g/kg body weight.
  public var gramsPerKilogram: Double?
  /// Where the record came from, verbatim.
  public var source: String

  /// A dose.
  public init(startDay: Double, endDay: Double? = nil, gramsPerKilogram: Double? = nil, source: String = "") {
    self.startDay = startDay
    self.endDay = endDay
    self.gramsPerKilogram = gramsPerKilogram
    self.source = source
  }

  /// The last day IgG was infused: the end day, or the start day for a one-day dose.
  public var lastDay: Double { max(startDay, endDay ?? startDay) }

  /// `IVIG 0.4 g/kg` (or `IVIG` without a dose).
  public var label: String { "IVIG" + (gramsPerKilogram.map { " \($0.clinicalText) g/kg" } ?? "") }
}

/// A serum IgG reading with its flags.
public struct IgGReading: Sendable, Equatable {
  /// Days since the first infusion.
  public var day: Double
  /// The value or bound in g/L.
  public var measurement: LabMeasurement
  /// Where the value came from (lab), verbatim.
  public var source: String
  /// Below the hypogammaglobulinaemia threshold: `true`/`false`, or `nil` when a bound cannot
  /// tell (`<6` or `>2` against 4 g/L).
  public var belowThreshold: Bool?
  /// The most recent IVIG dose at most ``ClinicalContextRules/ivigConfoundingDays`` before the
  /// draw (a dose on the draw day included), or `nil`.
  public var confoundingDose: IVIGDose?
  /// The flags raised (hypogammaglobulinaemia when ``belowThreshold`` is `true`, IVIG-confounded
  /// when ``confoundingDose`` is set).
  public var flags: [ClinicalFlag]

  /// A reading.
  public init(day: Double, measurement: LabMeasurement, source: String = "", belowThreshold: Bool?, confoundingDose: IVIGDose?,
              flags: [ClinicalFlag]) {
    self.day = day
    self.measurement = measurement
    self.source = source
    self.belowThreshold = belowThreshold
    self.confoundingDose = confoundingDose
    self.flags = flags
  }

  /// Whether the measurement lies below `threshold`: a value below it; a bound `<x` with
  /// x ≤ threshold (the value is below x, so below the threshold); a bound `>x` with
  /// x ≥ threshold is not below; any other bound cannot tell (`nil`).
  public static func isBelow(_ m: LabMeasurement, threshold: Double) -> Bool? {
    switch m.censoring {
    case .none: m.number < threshold
    case .below: m.number <= threshold ? true : nil
    case .above: m.number >= threshold ? false : nil
    }
  }

  /// The most recent dose whose administration ended at most `windowDays` before `day` and
  /// began on or before `day` (a dose on the draw day counts: the order of draw and infusion
  /// within a day is not recorded, so the reading may already hold donor IgG). `nil` when none.
  public static func confoundingDose(day: Double, doses: [IVIGDose], windowDays: Double) -> IVIGDose? {
    doses.filter { $0.startDay <= day && day - $0.lastDay <= windowDays }.max { $0.lastDay < $1.lastDay }
  }
}

/// The months a patient was on IVIG replacement.
public enum IVIGExposure {
  /// Days of replacement one dose stands for: 4 weeks, the longest usual interval (0.4–0.6 g/kg
  /// every 3–4 weeks; the original labelling's 0.2 g/kg monthly; domain.md §9.2).
  public static let daysCoveredPerDose: Double = 28
  /// Days per month: 365.25 ÷ 12.
  public static let daysPerMonth: Double = 30.4375

  /// Months on IVIG: the union of the intervals [first day, last day + 28) of every dose, in
  /// days, ÷ 30.4375 days per month. Overlapping intervals (doses closer than 4 weeks) count
  /// once; a gap longer than 4 weeks between doses is off IVIG. The last dose counts its full
  /// 4 weeks even when follow-up ends sooner. `nil` without doses.
  public static func months(_ doses: [IVIGDose]) -> Double? {
    guard !doses.isEmpty else { return nil }
    let intervals = doses.map { ($0.startDay, $0.lastDay + daysCoveredPerDose) }.sorted { $0.0 < $1.0 }
    var total = 0.0
    var (lo, hi) = intervals[0]
    for (a, b) in intervals.dropFirst() {
      if a <= hi {
        hi = max(hi, b)
      } else {
        total += hi - lo
        (lo, hi) = (a, b)
      }
    }
    total += hi - lo
    return total / daysPerMonth
  }
}
