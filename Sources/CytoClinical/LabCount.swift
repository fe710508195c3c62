import CytoCore

/// Where a visit's dual-platform count came from when it was not given with the analysis
/// (`--alc`) but taken from a lab absolute lymphocyte count (ALC) of the store's clinical data
/// (docs/clinical-data.md, "Dual-platform counts from lab ALC").
///
/// Recorded with the analysis (`labCount` in `cytoreset.analysis/2`, docs/cli-json.md), whose
/// ``VisitAnalysis/countMethod`` is then `.dualPlatform(lymphocytesPerMicroliter:)` of the same
/// value.
public struct LabCountSource: Codable, Sendable, Equatable {
  /// The lab ALC in cells/µL (canonical unit; 1 ×10⁹/L = 1000 cells/µL).
  public var lymphocytesPerMicroliter: Double
  /// The lab value's day, counted from the patient's first infusion (day 0).
  public var labDay: Double
  /// The lab value's calendar date (`YYYY-MM-DD`), when its row gave one.
  public var date: String?
  /// The visit's day counted from the first infusion (equal to the visit's day for infusion 1).
  public var visitDaySinceFirstInfusion: Double
  /// The lab row's source (a lab, a report) and method as imported; `""` when none.
  public var source: String, method: String
  /// The version of the lab row (a corrected value is a new version).
  public var version: Int
  /// The window in force when this lab value was matched: a lab day at most this many days
  /// from the visit (``ClinicalContextRules/alcWindowDays``). A later change of the window that
  /// still selects the same lab row keeps this record (no new analysis version).
  public var windowDays: Double

  /// Creates the record.
  public init(lymphocytesPerMicroliter: Double, labDay: Double, date: String? = nil, visitDaySinceFirstInfusion: Double, source: String,
              method: String, version: Int, windowDays: Double) {
    self.lymphocytesPerMicroliter = lymphocytesPerMicroliter
    self.labDay = labDay
    self.date = date
    self.visitDaySinceFirstInfusion = visitDaySinceFirstInfusion
    self.source = source
    self.method = method
    self.version = version
    self.windowDays = windowDays
  }

  /// One line for messages: `lab ALC 1400 cells/µL (day 14, source lab, version 1)`.
  public var summary: String {
    "lab ALC \(lymphocytesPerMicroliter.clinicalText) cells/µL (day \(labDay.clinicalText)\(source.isEmpty ? "" : ", source \(source)"), version \(version))"
  }
}

extension DiagnosticCode {
  /// A visit without a count method of its own got no dual-platform count from the store's lab
  /// ALC, and why (only a bound, disagreeing sources, an unknown infusion date, a role not reported).
  public static let clinicalLabCount = DiagnosticCode("clinical.labCount")
}

/// Why a lab ALC cannot be applied to an analysis.
public enum LabCountError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The analysis has a role (B cells, lymphocytes) whose population it does not report, so the
  /// per-µL values and the aplasia call cannot be recomputed from its counts.
  case roleNotReported(file: String, role: String, population: String)
  /// The ALC is not a positive finite number.
  case invalidALC(file: String, value: Double)

  public var description: String {
    switch self {
    case .roleNotReported(let f, let r, let p):
      "\(f): the analysis does not report its \(r) population '\(p)': a lab ALC cannot be applied to it"
    case .invalidALC(let f, let v): "\(f): lab ALC \(v) cells/µL is not a positive number"
    }
  }
}

extension VisitAnalysis {
  /// Whether this analysis' count may be set from the store's lab ALC: it has no count method,
  /// or its dual-platform count came from a lab ALC (``labCount``). An analysis counted with its
  /// own method (beads, or `--alc`) is never changed.
  public var acceptsLabCount: Bool { countMethod == nil || labCount != nil }

  /// This analysis with the dual-platform count of `lab`: `countMethod` becomes
  /// `.dualPlatform(lymphocytesPerMicroliter: lab.lymphocytesPerMicroliter)`, every reported
  /// population's absolute count and the aplasia call (the only call using cells/µL) are
  /// computed from the analysis' event counts by the functions `--alc` uses, so the result
  /// equals the analysis made with `--alc` of the same value except for ``labCount``, which
  /// records `lab`. `thresholds` are the panel's (LLOQ, aplasia rule).
  ///
  /// - Throws: ``LabCountError`` when a role population is not reported or the ALC is not > 0.
  public func applyingLabALC(_ lab: LabCountSource, thresholds: ClinicalThresholds) throws(LabCountError) -> VisitAnalysis {
    let alc = lab.lymphocytesPerMicroliter
    guard alc.isFinite, alc > 0 else { throw .invalidALC(file: file, value: alc) }
    let lymph = try roleEvents(roles.lymphocytes, "lymphocytes")
    var a = try recounted(method: .dualPlatform(lymphocytesPerMicroliter: alc),
                          scale: PerMicroliter.dualPlatformScale(lymphocytesPerMicroliter: alc, lymphocyteEvents: lymph),
                          thresholds: thresholds)
    a.labCount = lab
    return a
  }

  /// This analysis without its lab-derived count: no count method, no absolute counts, the
  /// aplasia call from the percentage alone, as an analysis made without count options. For a
  /// visit whose lab ALC is gone from the window (a corrected lab day, a narrower window).
  /// An analysis without ``labCount`` is returned unchanged.
  /// - Throws: ``LabCountError/roleNotReported(file:role:population:)``.
  public func removingLabCount(thresholds: ClinicalThresholds) throws(LabCountError) -> VisitAnalysis {
    guard labCount != nil else { return self }
    var a = try recounted(method: nil, scale: nil, thresholds: thresholds)
    a.labCount = nil
    return a
  }

  /// This analysis with the count `outcome` gives it, for an analysis that
  /// ``acceptsLabCount`` (others are returned unchanged): ``applyingLabALC(_:thresholds:)`` for a
  /// match, ``removingLabCount(thresholds:)`` otherwise. An unusable ALC, or an analysis the ALC
  /// cannot be applied to (``LabCountError``), leaves no count and a note diagnostic
  /// `clinical.labCount` with the reason; an earlier such note is replaced. The one function
  /// both the visit commit and the re-derivation after a lab import use.
  public func applyingLabOutcome(_ outcome: LabALCMatch.Outcome, thresholds: ClinicalThresholds) -> VisitAnalysis {
    guard acceptsLabCount else { return self }
    var a = self
    a.diagnostics.removeAll { $0.code == .clinicalLabCount }
    var note: String? = nil
    do {
      switch outcome {
      case .matched(var source):
        // The same lab row as before under another window: the record keeps the window it was
        // matched in (still satisfied), so a window change alone makes no new version.
        if let old = labCount, old.windowDays != source.windowDays {
          var same = source
          same.windowDays = old.windowDays
          if same == old { source = old }
        }
        a = try a.applyingLabALC(source, thresholds: thresholds)
      case .noneInWindow: a = try a.removingLabCount(thresholds: thresholds)
      case .unusable(let reason):
        a = try a.removingLabCount(thresholds: thresholds)
        note = reason
      }
    } catch {
      note = error.description
    }
    if let note { a.diagnostics.append(Diagnostic(.note, .clinicalLabCount, note, at: SourceLocation(file: file))) }
    return a
  }

  /// The analysis with `method`: absolute counts = events × `scale` per population, and the
  /// aplasia call made again (``VisitCallMaker/aplasiaCall(bEvents:lymphocyteEvents:perMicroliterScale:lloqEvents:rule:)``).
  private func recounted(method: AbsoluteCountMethod?, scale: Double?, thresholds: ClinicalThresholds) throws(LabCountError) -> VisitAnalysis {
    let b = try roleEvents(roles.bCells, "B cells") ?? 0
    let lymph = try roleEvents(roles.lymphocytes, "lymphocytes") ?? 0
    let lloq = thresholds.lloq.events
    var a = self
    a.countMethod = method
    for k in a.populations.indices {
      a.populations[k].absolute = PerMicroliter.absolute(events: a.populations[k].count, method: method, scale: scale, lloqEvents: lloq)
    }
    a.calls.bCellAplasia = VisitCallMaker.aplasiaCall(bEvents: b, lymphocyteEvents: lymph, perMicroliterScale: scale, lloqEvents: lloq,
                                                      rule: thresholds.aplasia)
    return a
  }

  /// The events of a role's population: `nil` without the role or when the population was not
  /// gated in this file (listed in ``unreported``), as the analysis counted it.
  private func roleEvents(_ id: String?, _ role: String) throws(LabCountError) -> Int? {
    guard let id else { return nil }
    if let p = population(id) { return p.count }
    if unreported?.contains(where: { $0.population == id }) == true { return nil }
    throw .roleNotReported(file: file, role: role, population: id)
  }
}

/// Picks the lab ALC that gives a flow visit its dual-platform count (docs/clinical-data.md,
/// "Dual-platform counts from lab ALC").
public enum LabALCMatch {
  /// A lab ALC the store holds: its row (canonical unit cells/µL, day since the first infusion)
  /// and its version.
  public struct Candidate: Sendable, Equatable {
    public var row: LabRow
    public var version: Int
    /// Creates a candidate.
    public init(row: LabRow, version: Int) {
      self.row = row
      self.version = version
    }
  }

  /// What the match found.
  public enum Outcome: Sendable, Equatable {
    /// This ALC gives the visit its count.
    case matched(LabCountSource)
    /// No ALC of the patient within the window: no count, nothing to report.
    case noneInWindow
    /// ALCs are there but none can be used (only a bound, sources disagree, the visit's day
    /// since the first infusion is unknown): no count, and the reason is recorded.
    case unusable(String)

    /// The matched source, if any.
    public var source: LabCountSource? { if case .matched(let s) = self { s } else { nil } }
  }

  /// The visit's day counted from the patient's first infusion: `day` for infusion 1; for a
  /// later infusion `day + (date of that infusion − date of the first)` in days, `nil` when the
  /// infusion dates (`YYYY-MM-DD`, first first) do not include both.
  public static func daySinceFirstInfusion(_ visit: VisitInfo, infusionDates: [String]) -> Double? {
    guard let day = visit.day, day.isFinite else { return nil }
    if visit.infusion == 1 { return day }
    guard visit.infusion > 1, infusionDates.count >= visit.infusion, let first = ClinicalDate.dayNumber(infusionDates[0]),
      let this = ClinicalDate.dayNumber(infusionDates[visit.infusion - 1])
    else { return nil }
    return day + Double(this - first)
  }

  /// The ALC for a visit on `visitDay` (days since the first infusion) among `candidates`
  /// (current versions of one patient's rows; other analytes are ignored):
  ///
  /// - only measured values count: a bound (`<200`, `>5000`) gives no count and is skipped;
  /// - a lab day at most `windowDays` from the visit (either side);
  /// - the nearest lab day wins; at equal distance the earlier lab day (the day before the
  ///   visit rather than the day after);
  /// - several measured ALCs on that day (several sources): their common value (the first
  ///   source by name is recorded); different values give no count (ambiguous), never a guess.
  public static func select(visitDay: Double, candidates: [Candidate], windowDays: Double) -> Outcome {
    let alcs = candidates.filter { $0.row.analyte == .known(.alc) }
    let inWindow = alcs.filter { abs($0.row.day - visitDay) <= windowDays }
    let measured = inWindow.filter { $0.row.measurement.value != nil }
    guard let best = measured.min(by: { (abs($0.row.day - visitDay), $0.row.day) < (abs($1.row.day - visitDay), $1.row.day) }) else {
      if !inWindow.isEmpty {
        return .unusable("the lab ALC within ±\(windowDays.clinicalText) days is only a bound (\(inWindow[0].row.measurement.text) cells/µL): no dual-platform count")
      }
      return .noneInWindow
    }
    let sameDay = measured.filter { $0.row.day == best.row.day }.sorted { ($0.row.source, $0.version) < ($1.row.source, $1.version) }
    let values = Set(sameDay.compactMap(\.row.measurement.value))
    guard values.count == 1, let chosen = sameDay.first, let value = chosen.row.measurement.value else {
      return .unusable("lab ALCs of day \(best.row.day.clinicalText) disagree (\(sameDay.map { "\($0.row.measurement.text) from '\($0.row.source)'" }.joined(separator: ", "))): no count")
    }
    return .matched(LabCountSource(lymphocytesPerMicroliter: value, labDay: chosen.row.day, date: chosen.row.date,
                                   visitDaySinceFirstInfusion: visitDay, source: chosen.row.source, method: chosen.row.method,
                                   version: chosen.version, windowDays: windowDays))
  }
}
