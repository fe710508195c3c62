import CytoClinical
import CytoCore
import CytoGating
import CytoReview
import CytoStore
import Foundation

extension ReviewService {
  /// Checks a reviewer's name or reason: required, at most
  /// ``CytoClinical/ReviewRecord/maximumTextLength`` characters, no control characters but tab
  /// and newline (in a reason).
  static func validText(_ text: String, _ what: String, lines: Bool) throws -> String {
    let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !t.isEmpty else { throw ServeError(.badRequest, "bad_parameter", "\(what) is required") }
    guard t.count <= ReviewRecord.maximumTextLength else {
      throw ServeError(.badRequest, "bad_parameter", "\(what) is longer than \(ReviewRecord.maximumTextLength) characters")
    }
    let allowed: Set<Unicode.Scalar> = lines ? ["\n", "\t"] : []
    guard !t.unicodeScalars.contains(where: { ($0.properties.generalCategory == .control || $0 == "\u{2028}" || $0 == "\u{2029}") && !allowed.contains($0) }) else {
      throw ServeError(.badRequest, "bad_parameter", "\(what) contains a control character")
    }
    return t
  }

  static func now() -> String {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return f.string(from: Date())
  }

  /// Writes the store, mapping a version saved in between to 409.
  func ingest(_ submissions: [VisitSubmission]) throws -> [IngestOutcome] {
    do { return try CohortStore.ingest(submissions, into: catalog.storePath) } catch {
      if case .conflict(_, _, let detail) = error { throw ServeError(.conflict, "conflict", detail) }
      throw ServeError(.internalServerError, "store_error", "\(error)")
    }
  }

  /// The analysis of `o`'s file with `gating`, `cuts` and `review`, and its submission.
  func submission(_ o: OpenedVersion, stored v: StoredVisit, gating: AppliedGating, cuts: [AppliedCut], review: ReviewRecord,
                  expectedLatest: Int) throws -> VisitSubmission {
    let panelJSON = try catalog.panelJSON(patient: o.patient, visit: o.visit, version: o.version)
    let panel: PanelDefinition
    do { panel = try PanelDefinition(json: Data(panelJSON.utf8), source: "the store's panel of \(o.visit) version \(o.version)") } catch {
      throw ServeError(.conflict, "not_reviewable", "\(error)")
    }
    let analyzer = VisitAnalyzer.reviewing(o.analysis, panel: panel)
    let a: VisitAnalysis
    do {
      a = try analyzer.analyze(o.dataSet, file: o.analysis.file, reviewing: o.analysis, gating: gating, cuts: cuts, review: review)
    } catch {
      throw ServeError(.conflict, "not_reviewable", "the reviewed gates cannot be applied: \(error)")
    }
    var s = VisitSubmission(
      analysis: a,
      provenance: VisitProvenance(
        fileName: v.fileName, fileSHA256: v.fileSHA256, gatingHash: VisitProvenance.gatingHash(a, panelJSON: panelJSON),
        cytoresetVersion: softwareVersion, analysisTime: review.time, analystNote: review.reason, collectionDate: v.collectionDate,
        panelJSON: panelJSON, statistics: analyzer.statistics.map(\.rawValue)),
      thresholds: panel.thresholds)
    s.expectedLatestAnalysis = expectedLatest
    return s
  }

  /// `POST …/reviews`: the page's state saved (draft) or approved as a new version.
  func save(patient: String, visit: String, _ r: SaveRequest) async throws -> SavedDocument {
    let reviewer = try Self.validText(r.reviewer, "the reviewer's name", lines: false)
    let reason = try Self.validText(r.reason, "the reason", lines: true)
    let o = try await opened(patient: patient, visit: visit, version: r.version)
    let (s, _) = try await sessions.session(o, changes: r.changes)
    let (gating, cuts) = try s.reviewedGating(of: o.analysis)
    let changes = ReviewChange.between(old: o.analysis.gating!, oldCuts: o.analysis.cuts, new: gating, newCuts: cuts)
    let record = ReviewRecord(status: r.decision == .approve ? .approved : .draft, reviewer: reviewer, reason: reason, time: Self.now(),
                              replaces: o.version, changes: changes)
    let (v, _) = try catalog.visitVersions(patient: patient, visit: visit)
    let sub = try submission(o, stored: v, gating: gating, cuts: cuts, review: record, expectedLatest: r.latestVersion)
    // What is stored is what the reviewer saw: every gated population's count equals the session's.
    for p in sub.analysis.populations {
      if let c = s.count(GateID(p.id)), c != p.count {
        throw ServeError(.internalServerError, "internal",
                         "population \(p.id): the reviewed analysis counts \(p.count), the review page \(c); nothing was saved")
      }
    }
    let outcomes = try ingest([sub])
    guard case .added(_, _, let n) = outcomes.first else {
      throw ServeError(.internalServerError, "internal", "the review was not stored: \(outcomes)")
    }
    let (after, versions) = try catalog.visitVersions(patient: patient, visit: visit)
    return SavedDocument(patient: patient, visit: visit, version: n, currentAnalysis: after.currentAnalysis, review: record,
                         state: VisitReviewState.of(versions))
  }

  /// `POST …/apply`: a reviewed version's changes carried to later visits as proposed versions,
  /// all written in one ingest.
  func apply(patient: String, visit: String, _ r: ApplyRequest) async throws -> AppliedDocument {
    let reviewer = try Self.validText(r.reviewer, "the reviewer's name", lines: false)
    let reason = try Self.validText(r.reason, "the reason", lines: true)
    let (source, _, a) = try catalog.storedAnalysis(patient: patient, visit: visit, version: r.version)
    guard let review = a.review, !review.changes.isEmpty, let sourceGating = a.gating else {
      throw ServeError(.conflict, "nothing_to_apply", "version \(r.version) of \(visit) is not a review that changed gates or cuts")
    }
    let all = try catalog.visits(of: patient)
    let later = all.filter { ($0.infusion, $0.day) > (source.infusion, source.day) }
    var targets = later
    if let names = r.visits {
      guard names.count <= 1000 else { throw ServeError(.badRequest, "bad_parameter", "too many visits") }
      targets = []
      for name in names {
        guard let t = later.first(where: { $0.name == name }) else {
          throw ServeError(.badRequest, "bad_parameter", "'\(name)' is not a later visit of this patient")
        }
        if !targets.contains(where: { $0.name == name }) { targets.append(t) }
      }
    }
    let time = Self.now()
    var results: [AppliedDocument.Result] = []
    var submissions: [(Int, VisitSubmission)] = []
    for t in targets {
      let newest = t.analyses.max() ?? t.currentAnalysis
      do {
        let o = try await opened(patient: patient, visit: t.name, version: newest)
        guard let targetGating = o.analysis.gating else { throw ServeError(.conflict, "not_reviewable", "no recorded gating") }
        let moved = try ReviewTransfer.apply(review.changes, from: sourceGating, to: targetGating, cuts: o.analysis.cuts)
        if moved.applied.isEmpty {
          results.append(.init(visit: t.name, status: "skipped", version: nil, applied: [], notApplied: moved.skipped,
                               message: "none of the changes applies to this visit"))
          continue
        }
        let changes = ReviewChange.between(old: targetGating, oldCuts: o.analysis.cuts, new: moved.gating, newCuts: moved.cuts)
        let record = ReviewRecord(status: .proposed, reviewer: reviewer, reason: reason, time: time, replaces: newest, changes: changes,
                                  appliedFrom: .init(visit: visit, version: r.version))
        let sub = try submission(o, stored: t, gating: moved.gating, cuts: moved.cuts, review: record, expectedLatest: newest)
        submissions.append((results.count, sub))
        results.append(.init(visit: t.name, status: "proposed", version: nil, applied: moved.applied, notApplied: moved.skipped, message: nil))
      } catch let e as ServeError where e.status == .conflict {
        results.append(.init(visit: t.name, status: "failed", version: nil, applied: nil, notApplied: nil, message: e.message))
      }
    }
    if !submissions.isEmpty {
      let outcomes = try ingest(submissions.map(\.1))
      for ((k, _), outcome) in zip(submissions, outcomes) {
        if case .added(_, _, let n) = outcome { results[k].version = n }
      }
    }
    return AppliedDocument(patient: patient, from: visit, results: results)
  }
}
