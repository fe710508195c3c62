/// The study-level rules by which lab values and events are read beside the flow results: the
/// window in which a lab absolute lymphocyte count (ALC) gives a visit its dual-platform count,
/// and the thresholds of the immunoglobulin flags (docs/clinical-data.md, "Rules").
///
/// One set per store (`/clinical@rules_json`, docs/store-schema.md); a store without it uses the
/// defaults below.
public struct ClinicalContextRules: Codable, Sendable, Equatable {
  /// A lab ALC at most this many days from a flow visit (either side) gives the visit its
  /// dual-platform count when the visit has no count method of its own (default 1: the same
  /// day or the day before or after; the nearest lab day wins). The ALC and the flow sample
  /// should come from one draw (dual-platform method, domain.md §4); ±1 day allows for a
  /// haematology result dated the next morning.
  public var alcWindowDays: Double = 1
  /// IgG below this many g/L is hypogammaglobulinaemia (default 4 g/L = 400 mg/dL: the level at
  /// which replacement is considered after CAR T, Hill et al., Blood Rev 2019; domain.md §9.2.
  /// A study using the usual definition, < 7 g/L, sets 7).
  public var hypogammaglobulinaemiaIgGBelow: Double = 4
  /// An IgG measured within this many days after an IVIG dose is flagged as confounded: it
  /// reflects donor IgG, not the patient's own (default 28 days, the 4 weeks of issue #16;
  /// infused IgG has a half-life of 17–21 days and is gone after ≈12 weeks, domain.md §9.2, so a
  /// study may set up to 84).
  public var ivigConfoundingDays: Double = 28

  /// Creates rules.
  public init(alcWindowDays: Double = 1, hypogammaglobulinaemiaIgGBelow: Double = 4, ivigConfoundingDays: Double = 28) {
    self.alcWindowDays = alcWindowDays
    self.hypogammaglobulinaemiaIgGBelow = hypogammaglobulinaemiaIgGBelow
    self.ivigConfoundingDays = ivigConfoundingDays
  }

  /// Why a set of rules cannot be used.
  public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
    /// The rule's JSON key and what is wrong with it.
    public var key: String, detail: String
    public var description: String { "clinical rules: \(key) \(detail)" }
  }

  /// Checks every rule is finite and in range: the ALC window 0–14 days, the IgG threshold
  /// > 0 and ≤ 30 g/L, the IVIG window 0–365 days.
  public func validate() throws(Invalid) {
    func check(_ v: Double, _ key: String, _ range: ClosedRange<Double>, open: Bool = false) throws(Invalid) {
      guard v.isFinite, range.contains(v), !(open && v == range.lowerBound) else {
        throw Invalid(key: key, detail: "must be \(open ? "> " : "≥ ")\(range.lowerBound.clinicalText) and ≤ \(range.upperBound.clinicalText) (got \(v))")
      }
    }
    try check(alcWindowDays, "alcWindowDays", 0...14)
    try check(hypogammaglobulinaemiaIgGBelow, "hypogammaglobulinaemiaIgGBelow", 0...30, open: true)
    try check(ivigConfoundingDays, "ivigConfoundingDays", 0...365)
  }
}
