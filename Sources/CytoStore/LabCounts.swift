import CytoClinical
import CytoCore
import Foundation

extension ClinicalTables {
  static let rulesAttribute = "rules_json"

  /// The rules of `/clinical@rules_json`, the defaults when absent.
  /// - Throws: ``StoreError/damaged(file:object:detail:)`` when they do not decode or are out of range.
  static func readRules(_ root: HDF5Group) throws -> ClinicalContextRules {
    guard root.exists("/clinical") else { return ClinicalContextRules() }
    let g = try root.group("/clinical")
    guard g.hasAttribute(rulesAttribute) else { return ClinicalContextRules() }
    let text = try g.stringAttribute(rulesAttribute)
    do {
      let rules = try StoreJSON.decode(ClinicalContextRules.self, text)
      try rules.validate()
      return rules
    } catch {
      throw StoreError.damaged(file: root.filePath, object: "/clinical@\(rulesAttribute)", detail: "\(error)")
    }
  }
}

/// The store's lab ALCs and rules as a commit reads them, to give visits without a count method
/// of their own their dual-platform count (docs/clinical-data.md, "Dual-platform counts from lab
/// ALC").
struct LabCountContext {
  var rules: ClinicalContextRules
  /// The current, vocabulary ALC rows of each patient.
  var alcs: [String: [LabALCMatch.Candidate]]

  /// Reads the rules and the current ALC rows of the store (or its temporary copy).
  static func read(_ root: HDF5Group) throws -> LabCountContext {
    var alcs: [String: [LabALCMatch.Candidate]] = [:]
    for l in try ClinicalTables.readLabs(root) where l.isCurrent && l.row.analyte == .known(.alc) {
      alcs[l.row.patient, default: []].append(LabALCMatch.Candidate(row: l.row, version: l.version))
    }
    return LabCountContext(rules: try ClinicalTables.readRules(root), alcs: alcs)
  }

  /// The infusion dates stored for `patient` (empty when none).
  static func infusionDates(of patient: String, in root: HDF5Group) throws -> [String] {
    let path = "/patients/\(patient)"
    guard root.exists(path) else { return [] }
    let g = try root.group(path)
    return g.hasAttribute("infusion_dates") ? try g.stringArrayAttribute("infusion_dates") : []
  }

  /// What the store's labs say about `visit`'s count.
  func outcome(for visit: VisitInfo, infusionDates: [String]) -> LabALCMatch.Outcome {
    guard let patient = visit.patient, let candidates = alcs[patient], !candidates.isEmpty else { return .noneInWindow }
    guard let day = LabALCMatch.daySinceFirstInfusion(visit, infusionDates: infusionDates) else {
      return .unusable("infusion \(visit.infusion) has no stored date, so the visit's day since the first infusion is unknown: no lab ALC is matched")
    }
    return LabALCMatch.select(visitDay: day, candidates: candidates, windowDays: rules.alcWindowDays)
  }

  /// `analysis` with the count the labs give it (``CytoClinical/VisitAnalysis/applyingLabOutcome(_:thresholds:)``).
  func derive(_ analysis: VisitAnalysis, infusionDates: [String], thresholds: ClinicalThresholds) -> VisitAnalysis {
    guard analysis.acceptsLabCount else { return analysis }
    return analysis.applyingLabOutcome(outcome(for: analysis.visit, infusionDates: infusionDates), thresholds: thresholds)
  }
}

/// One visit whose count a clinical change re-derived.
public struct LabCountChange: Sendable, Equatable, CustomStringConvertible {
  /// Patient and visit group name.
  public var patient: String, visit: String
  /// The analysis version it was derived from, and the new version (`nil` when nothing was
  /// written: see ``note``).
  public var from: Int, to: Int?
  /// The lab ALC now used, `nil` when the count was removed (or none applies).
  public var labCount: LabCountSource?
  /// Why no count applies, or why it could not be re-derived.
  public var note: String?

  public var description: String {
    var s = "\(patient)/\(visit): "
    if let to {
      s += labCount.map { "dual-platform count from \($0.summary): analysis \(to) (from \(from))" }
        ?? "\(note == nil ? "lab count removed" : "no lab count"): analysis \(to) (from \(from))"
    } else {
      s += "count unchanged"
    }
    if let note { s += " — \(note)" }
    return s
  }
}

extension CohortStore {
  /// Gives each submission without a count method of its own the dual-platform count of the
  /// store's matching lab ALC (``LabCountContext/derive(_:infusionDates:thresholds:)``), with
  /// the infusion dates the store and the submission hold.
  static func applyingLabCounts(_ submissions: [VisitSubmission], in root: HDF5Group) throws -> [VisitSubmission] {
    guard submissions.contains(where: { $0.analysis.acceptsLabCount }) else { return submissions }
    let context = try LabCountContext.read(root)
    return try submissions.map { s in
      guard s.analysis.acceptsLabCount, let p = s.analysis.visit.patient, StoreSchema.isValidPatientID(p) else { return s }
      let stored = try LabCountContext.infusionDates(of: p, in: root)
      let dates = s.patient.infusionDates.count > stored.count ? s.patient.infusionDates : stored
      var s = s
      s.analysis = context.derive(s.analysis, infusionDates: dates, thresholds: s.thresholds)
      return s
    }
  }

  /// Re-derives the lab counts of every visit of `patients` in the (temporary) file: a visit
  /// whose current analysis accepts a lab count (``CytoClinical/VisitAnalysis/acceptsLabCount``)
  /// and whose derived analysis differs gets it as a new analysis version (attributes
  /// `derived_from`, `derivation`, `derived_time`, `derived_by_version`), and the patient's
  /// series are rebuilt. Returns a change per visit re-derived or noted.
  static func rederiveLabCounts(patients: [String], in file: HDF5File, now: String, version: String) throws -> [LabCountChange] {
    let context = try LabCountContext.read(file)
    var changes: [LabCountChange] = []
    for patient in patients.sorted() where file.exists("/patients/\(patient)/series") {
      let thresholds = try StoreJSON.decode(ClinicalThresholds.self, try file.group("/patients/\(patient)/series").stringAttribute("thresholds_json"))
      let dates = try LabCountContext.infusionDates(of: patient, in: file)
      var changed = false
      for row in try SeriesWriter.currentAnalyses(patient: patient, in: file) {
        let old = try file.group("/patients/\(patient)/visits/\(row.visit)/analyses/\(row.analysis)")
        var panelJSON: String? = nil
        if old.hasAttribute("panel_sha256") { panelJSON = try file.dataset("/panels/\(try old.stringAttribute("panel_sha256"))").readStrings().first }
        // The thresholds of the panel that analysed the visit; a workspace panel document has
        // none, and then the series' (those its ingest gave). A panel JSON that does not decode
        // is a damaged store, not a reason to use other thresholds.
        var own: ClinicalThresholds? = nil
        if row.result.workspace == nil, let panelJSON {
          do { own = try PanelDefinition(json: Data(panelJSON.utf8), source: "/panels").thresholds } catch {
            throw StoreError.damaged(file: file.filePath, object: old.path + "@panel_sha256", detail: "the stored panel JSON does not decode: \(error)")
          }
        }
        let derived = context.derive(row.result, infusionDates: dates, thresholds: own ?? thresholds)
        let note = derived.diagnostics.first { $0.code == .clinicalLabCount }?.message
        guard derived != row.result else {
          if let note { changes.append(LabCountChange(patient: patient, visit: row.visit, from: row.analysis, to: nil, note: note)) }
          continue
        }
        let visit = try file.group("/patients/\(patient)/visits/\(row.visit)")
        let next = Int(try visit.int64Attribute("analyses")) + 1
        func text(_ name: String) throws -> String { old.hasAttribute(name) ? try old.stringAttribute(name) : "" }
        let provenance = VisitProvenance(
          fileName: row.fileName, fileSHA256: row.fileSHA256, gatingHash: try text("gating_hash"), cytoresetVersion: try text("cytoreset_version"),
          analysisTime: try text("analysis_time"), analystNote: try text("analyst_note"), panelJSON: panelJSON,
          statistics: old.hasAttribute("statistics") ? try old.stringArrayAttribute("statistics") : [])
        try writeVisit(VisitSubmission(analysis: derived, provenance: provenance, thresholds: own ?? thresholds), analysis: next, in: file)
        let g = try visit.group("analyses/\(next)")
        let change = LabCountChange(patient: patient, visit: row.visit, from: row.analysis, to: next, labCount: derived.labCount, note: note)
        try g.setAttribute("derived_from", row.analysis)
        try g.setAttribute("derivation", derived.labCount.map { "dual-platform count from \($0.summary)" }
          ?? note.map { "no lab count: \($0)" } ?? "lab-derived count removed")
        try g.setAttribute("derived_time", now)
        try g.setAttribute("derived_by_version", version)
        changes.append(change)
        changed = true
      }
      if changed { try SeriesWriter.rebuild(patient: patient, in: file, thresholds: thresholds) }
    }
    return changes
  }
}

/// What ``CohortStore/setClinicalRules(_:in:cytoresetVersion:)`` did.
public struct ClinicalRulesOutcome: Sendable, Equatable {
  /// The rules before and after.
  public var before: ClinicalContextRules, after: ClinicalContextRules
  /// Visits whose lab-derived count the new ALC window re-derived.
  public var labCounts: [LabCountChange]
  /// Whether the store file was rewritten (not when the rules are the stored ones).
  public var changedStore: Bool
}

extension CohortStore {
  /// Sets the store's clinical rules (`/clinical@rules_json`) in one atomic commit (lock, copy,
  /// write, `fsync`, rename). When the ALC window changes, every patient's lab-derived counts
  /// are re-derived in the same commit (``rederiveLabCounts(patients:in:now:version:)``). Rules
  /// equal to the stored ones (or to the defaults, when none are stored) change nothing.
  ///
  /// - Throws: ``StoreError/invalidArgument(_:)`` for rules out of range or a missing store
  ///   (nothing is written), the store's read and write errors.
  public static func setClinicalRules(_ rules: ClinicalContextRules, in path: String, cytoresetVersion: String) throws(StoreError)
    -> ClinicalRulesOutcome
  {
    do { try rules.validate() } catch { throw .invalidArgument(error.description) }
    let lock = try StoreLock(storePath: path)
    defer { withExtendedLifetime(lock) {} }
    _ = StoreFiles.removeStaleTemporaries(path)
    guard FileManager.default.fileExists(atPath: path) else { throw .invalidArgument("\(path): no such store") }
    let before: ClinicalContextRules
    do {
      let store = try HDF5File.open(path, mode: .readOnly)
      try validateSchema(store)
      before = try ClinicalTables.readRules(store)
    } catch let e as HDF5Error { throw .hdf5(e) } catch let e as StoreError { throw e } catch {
      throw .io(file: path, operation: "read", message: "\(error)")
    }
    var outcome = ClinicalRulesOutcome(before: before, after: rules, labCounts: [], changedStore: false)
    guard rules != before else { return outcome }
    let temporary = StoreFiles.temporaryPath(path)
    do {
      try StoreFiles.copy(path, to: temporary)
      outcome.labCounts = try writeRules(rules, changingWindow: rules.alcWindowDays != before.alcWindowDays, to: temporary, storePath: path,
                                         version: cytoresetVersion)
      try StoreFiles.fsyncFile(temporary)
      try StoreFiles.rename(temporary, over: path)
      try? StoreFiles.fsyncFile(StoreFiles.directory(of: path), directory: true)
      outcome.changedStore = true
      return outcome
    } catch {
      unlink(temporary)
      throw error
    }
  }

  /// Writes the rules into the (temporary) copy at `temporary` and, when the window changed,
  /// re-derives every patient's lab counts.
  private static func writeRules(_ rules: ClinicalContextRules, changingWindow: Bool, to temporary: String, storePath path: String,
                                 version cytoresetVersion: String) throws(StoreError) -> [LabCountChange] {
    do {
      var changes: [LabCountChange] = []
      let now = StoreClock.now()
      let file = try openForCommit(temporary, creating: false, now: now)
      let clinical = try file.group("/clinical", createIfMissing: true)
      try clinical.setAttribute(ClinicalTables.rulesAttribute, try StoreJSON.encode(rules))
      if changingWindow {
        changes = try rederiveLabCounts(patients: try file.children(of: "/patients"), in: file, now: now, version: cytoresetVersion)
      }
      try file.setAttribute("modified", now)
      try file.setAttribute("cytoreset_version", cytoresetVersion)
      try file.flush()
      return changes
    } catch {
      // Errors name the temporary copy; name the store, which is what the user gave.
      throw StoreError.fromCommit(error, temporary: temporary, store: path)
    }
  }
}
