import CytoClinical
import CytoCore

/// One analysis version of a visit as stored (`/patients/<id>/visits/<visit>/analyses/<n>`):
/// what the history of a visit lists.
public struct StoredAnalysisVersion: Sendable, Equatable {
  /// The version number (1, 2, …).
  public var version: Int
  /// When it was analysed (ISO 8601 UTC, the `analysis_time` attribute).
  public var analysisTime: String
  /// The SHA-256 of the gating that produced it (`gating_hash`).
  public var gatingHash: String
  /// The analyst's note (`--note`; empty when none).
  public var analystNote: String
  /// The panel name and version.
  public var panel: String, panelVersion: String
  /// The cytoreset version that wrote it.
  public var cytoresetVersion: String
  /// Whether the series use this version (the visit's `current_analysis`).
  public var isCurrent: Bool
  /// For a reviewed version: its status, reviewer, reason, time and the version it replaces
  /// (the attributes `review_status`, `reviewer`, `review_reason`, `review_time`, `replaces`).
  public var review: StoredReview?
}

/// A reviewed analysis version's review, as stored.
public struct StoredReview: Sendable, Equatable {
  public var status: ReviewRecord.Status
  public var reviewer: String
  public var reason: String
  public var time: String
  public var replaces: Int
}

/// Where a visit's review stands, from its versions (what the review page lists).
public enum VisitReviewState: String, Sendable, Codable, CaseIterable {
  /// No reviewer has approved the version the series use, and no review is waiting.
  case pending
  /// A draft or proposed version newer than the one the series use waits for approval.
  case changed
  /// The version the series use was approved, and nothing newer waits.
  case approved

  /// The state of a visit with these versions.
  public static func of(_ versions: [StoredAnalysisVersion]) -> VisitReviewState {
    guard let current = versions.first(where: \.isCurrent) else { return .pending }
    let waiting = versions.contains { $0.version > current.version && ($0.review?.status == .draft || $0.review?.status == .proposed) }
    if waiting { return .changed }
    return current.review?.status == .approved ? .approved : .pending
  }
}

extension CohortStoreReader {
  /// Whether `name` can name a visit group: non-empty, no `/`, not `.` or `..`, no NUL (the
  /// same rule as patient ids; visit names written by ``StoreSchema/visitName(day:infusion:)``
  /// always pass).
  public static func isValidVisitName(_ name: String) -> Bool { StoreSchema.isValidPatientID(name) }

  /// The analysis versions stored for one visit, oldest first.
  ///
  /// - Throws: ``StoreError/hdf5(_:)`` with `objectNotFound` for an unknown patient or visit.
  public func analysisVersions(patient: String, visit: String) throws(StoreError) -> [StoredAnalysisVersion] {
    try requirePatient(patient)
    return try run {
      let base = "/patients/\(patient)/visits/\(visit)"
      guard Self.isValidVisitName(visit), file.exists(base) else {
        throw HDF5Error(.objectNotFound, filePath: path, objectPath: base, operation: "open visit",
                        message: "no visit '\(visit)' of patient '\(patient)' in the store")
      }
      let v = try file.group(base)
      let current = Int(try v.int64Attribute("current_analysis"))
      let numbers = try v.children(of: "analyses").compactMap { Int($0) }.sorted()
      return try numbers.map { n in
        let g = try v.group("analyses/\(n)")
        func s(_ name: String) throws -> String { g.hasAttribute(name) ? try g.stringAttribute(name) : "" }
        var review: StoredReview? = nil
        if g.hasAttribute("review_status") {
          let text = try s("review_status")
          guard let status = ReviewRecord.Status(rawValue: text) else {
            throw StoreError.damaged(file: path, object: g.path + "@review_status", detail: "unknown review status '\(text)'")
          }
          review = StoredReview(status: status, reviewer: try s("reviewer"), reason: try s("review_reason"), time: try s("review_time"),
                                replaces: g.hasAttribute("replaces") ? Int(try g.int64Attribute("replaces")) : 0)
        }
        return StoredAnalysisVersion(
          version: n, analysisTime: try s("analysis_time"), gatingHash: try s("gating_hash"), analystNote: try s("analyst_note"),
          panel: try s("panel"), panelVersion: try s("panel_version"), cytoresetVersion: try s("cytoreset_version"),
          isCurrent: n == current, review: review)
      }
    }
  }

  /// The panel definition JSON stored with a visit's analysis (`/panels/<panel_sha256>`), `nil`
  /// when the analysis recorded none (a FlowJo workspace's analyses store the workspace panel).
  public func panelJSON(patient: String, visit: String, version: Int) throws(StoreError) -> String? {
    try requirePatient(patient)
    return try run {
      let g = try file.group("/patients/\(patient)/visits/\(visit)/analyses/\(version)")
      guard g.hasAttribute("panel_sha256") else { return nil }
      let hash = try g.stringAttribute("panel_sha256")
      return try file.dataset("/panels/\(hash)").readStrings().first
    }
  }
}
