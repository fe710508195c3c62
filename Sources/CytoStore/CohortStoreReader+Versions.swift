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
        return StoredAnalysisVersion(
          version: n, analysisTime: try s("analysis_time"), gatingHash: try s("gating_hash"), analystNote: try s("analyst_note"),
          panel: try s("panel"), panelVersion: try s("panel_version"), cytoresetVersion: try s("cytoreset_version"),
          isCurrent: n == current)
      }
    }
  }
}
