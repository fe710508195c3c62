import CytoClinical
import CytoCore
import CytoStore

/// A visit's review status (``CytoStore/VisitReviewState``).
public typealias ReviewStatus = VisitReviewState

/// `GET /api/patients` (schema `cytoreset.serve.patients/1`).
public struct PatientsDocument: Codable, Sendable {
  public var schema = "cytoreset.serve.patients/1"
  /// The store file's name (not its folder).
  public var store: String
  public var patients: [Patient]

  public struct Patient: Codable, Sendable {
    public var id: String
    public var diagnosis: String?
    public var product: String?
    public var infusionDates: [String]
    public var age: Int?
    public var sex: String?
    public var visits: [Visit]
  }

  public struct Visit: Codable, Sendable {
    /// The visit key used in URLs (`day+014`).
    public var visit: String
    public var day: Double
    public var infusion: Int
    public var collectionDate: String?
    public var fileName: String
    /// The analysis version the series use, and every version stored.
    public var currentAnalysis: Int
    public var analyses: [Int]
    public var review: ReviewStatus
  }
}

/// `GET /api/patients/{id}/visits/{visit}` (schema `cytoreset.serve.visit/1`).
public struct VisitDocument: Codable, Sendable {
  public var schema = "cytoreset.serve.visit/1"
  public var patient: String
  public var visit: String
  public var day: Double
  public var infusion: Int
  /// The version shown (`?version=N`, default the current one), the current one, and all.
  public var analysis: Int
  public var currentAnalysis: Int
  public var analyses: [Int]
  /// Where the visit's review stands (all its versions).
  public var review: ReviewStatus
  /// The review that made the version shown, when a reviewer did.
  public var versionReview: ReviewRecord?
  public var file: File
  public var panel: String
  public var panelVersion: String
  public var events: Int
  public var countMethod: String?
  public var markers: [MarkerChannel]
  public var populations: [Population]
  /// The recorded gating: scales and every gate with its shape in display units and evidence.
  public var gating: AppliedGating?
  public var cuts: [AppliedCut]
  public var calls: VisitCalls
  public var diagnostics: [Diagnostic]

  public struct File: Codable, Sendable {
    public var name: String
    public var sha256: String
    /// Whether the file was found in `--fcs-dir` under this name with this SHA-256.
    public var availability: FCSLocator.Availability
  }

  public struct Population: Codable, Sendable {
    public var id: String
    public var path: String
    public var label: String
    public var parent: String?
    public var count: Int
    public var parentCount: Int
    /// % of parent; nil below the LLOQ (then ``percentOfParentLessThan`` holds the bound) or
    /// without a parent.
    public var percentOfParent: Double?
    public var percentOfParentLessThan: Double?

    init(_ p: PopulationResult) {
      id = p.id
      path = p.path
      label = p.label
      parent = p.parent
      count = p.count
      parentCount = p.parentCount
      percentOfParent = p.percentOfParent?.value
      percentOfParentLessThan = p.percentOfParent?.lessThan
    }
  }
}

/// `GET /api/patients/{id}/visits/{visit}/history` (schema `cytoreset.serve.history/1`).
public struct HistoryDocument: Codable, Sendable {
  public var schema = "cytoreset.serve.history/1"
  public var patient: String
  public var visit: String
  /// Where the visit's review stands.
  public var review: ReviewStatus
  public var versions: [Version]

  public struct Version: Codable, Sendable {
    public var version: Int
    public var analysisTime: String
    public var gatingHash: String
    public var note: String
    public var panel: String
    public var panelVersion: String
    public var cytoresetVersion: String
    /// Whether series and reports use this version.
    public var current: Bool
    /// For a reviewed version: status, reviewer, reason, time, the version it replaces and
    /// what changed; absent for a version whose gates were found in the file.
    public var review: ReviewRecord?
  }
}

/// `POST /api/ping`: a no-op that exercises the state-changing path (cookie, same origin, body
/// limit, JSON decoding) before the review endpoints exist.
public struct PingRequest: Codable, Sendable {
  public var message: String?
}

/// The answer to `POST /api/ping`: the message back.
public struct PingResponse: Codable, Sendable {
  public var ok = true
  public var message: String?
}
