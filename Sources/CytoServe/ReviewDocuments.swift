import CytoClinical
import CytoCore
import CytoGating
import CytoReview
import CytoStore

/// A reviewer's gates and cuts relative to the stored version under review: the whole state of
/// the review page, sent with every recount, plot and save (docs/serve-api.md). The server
/// keeps no per-client state: the same changes always give the same counts.
public struct ReviewChanges: Codable, Sendable, Equatable {
  /// Cut name → value in the marker's display units.
  public var cuts: [String: Double]
  /// Gate id → its geometry (exactly one of vertices, sides, centre).
  public var gates: [String: Geometry]

  public init(cuts: [String: Double] = [:], gates: [String: Geometry] = [:]) {
    self.cuts = cuts
    self.gates = gates
  }

  enum CodingKeys: String, CodingKey { case cuts, gates }
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    cuts = try c.decodeIfPresent([String: Double].self, forKey: .cuts) ?? [:]
    gates = try c.decodeIfPresent([String: Geometry].self, forKey: .gates) ?? [:]
  }

  /// A gate's geometry in display units.
  public struct Geometry: Codable, Sendable, Equatable {
    /// A polygon's vertices, `[[x, y], …]`.
    public var vertices: [[Double]]?
    /// A rectangle's or range's sides, in the gate's dimension order (an absent end is open).
    public var sides: [Side]?
    /// A quadrant gate's centre `[x, y]`.
    public var centre: [Double]?

    public init(vertices: [[Double]]? = nil, sides: [Side]? = nil, centre: [Double]? = nil) {
      self.vertices = vertices
      self.sides = sides
      self.centre = centre
    }
  }

  /// One side of a rectangle: `min ≤ x < max`.
  public struct Side: Codable, Sendable, Equatable {
    public var min: Double?
    public var max: Double?
    public init(min: Double? = nil, max: Double? = nil) {
      self.min = min
      self.max = max
    }
  }

  /// The most gates or cuts one request may change (more than any panel has).
  public static let maximumEntries = 200

  /// The edits that turn the reviewed version into this state: cuts first (by name), then each
  /// gate's full geometry (by id), so a gate given here wins over a cut that moved it.
  /// - Throws: ``ServeError`` 400 for a malformed geometry (the session refuses the rest).
  public func edits() throws -> [GateEdit] {
    guard cuts.count <= Self.maximumEntries, gates.count <= Self.maximumEntries else {
      throw ServeError(.badRequest, "bad_parameter", "at most \(Self.maximumEntries) cuts and gates may change in one request")
    }
    var out: [GateEdit] = cuts.sorted { $0.key < $1.key }.map { .setCut(name: $0.key, value: $0.value) }
    for (id, g) in gates.sorted(by: { $0.key < $1.key }) {
      out += try Self.edits(GateID(id), g)
    }
    return out
  }

  static func edits(_ id: GateID, _ g: Geometry) throws -> [GateEdit] {
    let given = [g.vertices != nil, g.sides != nil, g.centre != nil].filter { $0 }.count
    guard given == 1 else {
      throw ServeError(.badRequest, "bad_parameter", "gate '\(id)': give exactly one of vertices, sides, centre")
    }
    if let v = g.vertices {
      guard GateEdit.vertexLimit.contains(v.count) else {
        throw ServeError(.badRequest, "bad_parameter",
                         "gate '\(id)': a polygon has \(GateEdit.vertexLimit.lowerBound)…\(GateEdit.vertexLimit.upperBound) vertices, not \(v.count)")
      }
      guard v.allSatisfy({ $0.count == 2 }) else { throw ServeError(.badRequest, "bad_parameter", "gate '\(id)': each vertex is [x, y]") }
      return [.replaceVertices(id, v.map { Vertex($0[0], $0[1]) })]
    }
    if let sides = g.sides {
      guard !sides.isEmpty, sides.count <= 64 else { throw ServeError(.badRequest, "bad_parameter", "gate '\(id)': 1…64 sides") }
      return sides.enumerated().map { .setRectangleSide(id, side: $0.offset, min: $0.element.min, max: $0.element.max) }
    }
    let c = g.centre!
    guard c.count == 2 else { throw ServeError(.badRequest, "bad_parameter", "gate '\(id)': the centre is [x, y]") }
    return [.moveQuadrantCentre(id, x: c[0], y: c[1])]
  }
}

/// One gated dimension of a visit, as the page plots it.
public struct DimensionDocument: Codable, Sendable, Equatable {
  /// The key gates and plot requests use (`d0`, `d1`, …; stable for a stored version).
  public var key: String
  /// The channel (`PE-A`) or derived dimension read.
  public var channel: String
  /// The marker on that channel, when the analysis resolved one (`CD19`).
  public var marker: String?
  /// The channel's label in the file (`$PnS`, `CD19 PE`), when it has one.
  public var label: String?
  /// The scale transformation's id in the strategy (`scale_CD19`); absent: linear values.
  public var scale: String?
  public var compensated: Bool
  /// The default plot range `[lower, upper]` in display units.
  public var range: [Double]
}

/// A gate as the page draws it: geometry in display units of its dimensions.
public struct GateDocument: Codable, Sendable, Equatable {
  public var id: String
  public var name: String?
  public var parent: String?
  public var populations: [String]
  /// `rectangle`, `polygon`, `quadrant`, `ellipsoid` or `boolean`.
  public var kind: String
  /// Dimension keys, in the gate's order.
  public var dimensions: [String]
  /// Whether the review page can move it (rectangles, polygons, one-cut quadrants).
  public var editable: Bool
  public var vertices: [[Double]]?
  public var sides: [ReviewChanges.Side]?
  public var centre: [Double]?
  /// Each quadrant's side of the x and y divider (`below`/`above`).
  public var quadrants: [QuadrantSide]?

  public struct QuadrantSide: Codable, Sendable, Equatable {
    public var id: String
    public var x: String
    public var y: String
  }
}

/// A named cut and the gates that use it.
public struct CutDocument: Codable, Sendable, Equatable {
  public var name: String
  public var marker: String
  public var value: Double
  /// The gates whose sides or dividers are at this cut.
  public var gates: [String]
}

/// One population's count.
public struct CountDocument: Codable, Sendable, Equatable {
  public var id: String
  public var name: String?
  public var parent: String?
  public var count: Int
  public var parentCount: Int
  public var percentOfParent: Double?
  /// Recomputed by this request's change (recount responses only).
  public var recomputed: Bool?
}

/// `GET …/review` (schema `cytoreset.serve.review/1`): a stored version opened for review.
public struct ReviewDocument: Codable, Sendable {
  public var schema = "cytoreset.serve.review/1"
  public var patient: String
  public var visit: String
  /// The version under review and the visit's newest version (send it back as
  /// `latestVersion` when saving; a newer one by then is a 409).
  public var version: Int
  public var latestVersion: Int
  public var currentAnalysis: Int
  public var review: VisitReviewState
  /// The review that made this version, when a reviewer did.
  public var versionReview: ReviewRecord?
  public var events: Int
  public var dimensions: [DimensionDocument]
  public var gates: [GateDocument]
  public var cuts: [CutDocument]
  public var populations: [CountDocument]
  /// Later visits of the patient (targets of "apply to later visits").
  public var laterVisits: [String]
}

/// `POST …/recount` body.
public struct RecountRequest: Codable, Sendable {
  public var version: Int
  public var changes: ReviewChanges
}

/// `POST …/recount` answer (schema `cytoreset.serve.recount/1`).
public struct RecountDocument: Codable, Sendable {
  public var schema = "cytoreset.serve.recount/1"
  public var version: Int
  /// Every gate and cut after the changes (a moved cut moves the gates that use it).
  public var gates: [GateDocument]
  public var cuts: [CutDocument]
  /// Every population, the ones this request recomputed marked.
  public var populations: [CountDocument]
  public var recomputed: [String]
  /// Server time for the recount.
  public var elapsedMilliseconds: Double
}

/// `POST …/plots` body: up to ``maximumPlots`` grids.
public struct PlotsRequest: Codable, Sendable {
  public var version: Int
  public var changes: ReviewChanges?
  public var plots: [Plot]

  public static let maximumPlots = 64
  /// The most bins one request may ask for over all its plots (4 × 1024²: 16 MB of counts),
  /// so a request cannot make the server build hundreds of megabytes of JSON.
  public static let maximumTotalBins = 4 << 20

  public struct Plot: Codable, Sendable {
    /// The population binned (absent: all events).
    public var population: String?
    /// Dimension keys; without `y` a histogram.
    public var x: String
    public var y: String?
    /// Bins per axis (default 128 for a density, 256 for a histogram; at most 1024).
    public var bins: Int?
    /// A population whose events are also binned (back-gating).
    public var highlight: String?
    /// Plot ranges (default: the dimension's range).
    public var xRange: [Double]?
    public var yRange: [Double]?
  }
}

/// `POST …/plots` answer (schema `cytoreset.serve.plots/1`).
public struct PlotsDocument: Codable, Sendable {
  public var schema = "cytoreset.serve.plots/1"
  public var plots: [Plot]

  public struct Plot: Codable, Sendable {
    public var population: String?
    public var x: String
    public var y: String?
    public var xBins: Int
    public var yBins: Int?
    public var xRange: [Double]
    public var yRange: [Double]?
    /// Events per bin, row-major from the bottom (`counts[iy * xBins + ix]`).
    public var counts: [UInt32]
    /// Events with a NaN coordinate (in no bin).
    public var unbinned: Int
    public var highlight: String?
    public var highlightCounts: [UInt32]?
  }
}

/// `POST …/reviews` body: save or approve the page's state as a new version.
public struct SaveRequest: Codable, Sendable {
  public var version: Int
  public var latestVersion: Int
  public var changes: ReviewChanges
  public var reviewer: String
  public var reason: String
  public var decision: Decision

  public enum Decision: String, Codable, Sendable {
    /// A draft: stored, not used by series and reports.
    case save
    /// Approved: the version series and reports use.
    case approve
  }
}

/// `POST …/reviews` answer (schema `cytoreset.serve.saved/1`).
public struct SavedDocument: Codable, Sendable {
  public var schema = "cytoreset.serve.saved/1"
  public var patient: String
  public var visit: String
  public var version: Int
  public var currentAnalysis: Int
  public var review: ReviewRecord
  public var state: VisitReviewState
}

/// `POST …/apply` body: carry a reviewed version's changes to later visits.
public struct ApplyRequest: Codable, Sendable {
  /// The reviewed version of this visit whose changes are carried.
  public var version: Int
  /// Target visits (absent: every later visit of the patient).
  public var visits: [String]?
  public var reviewer: String
  public var reason: String
}

/// `POST …/apply` answer (schema `cytoreset.serve.applied/1`).
public struct AppliedDocument: Codable, Sendable {
  public var schema = "cytoreset.serve.applied/1"
  public var patient: String
  public var from: String
  public var results: [Result]

  public struct Result: Codable, Sendable {
    public var visit: String
    /// `proposed` (a new version waits for review), `skipped` (nothing applied) or `failed`.
    public var status: String
    public var version: Int?
    public var applied: [ReviewChange]?
    public var notApplied: [String]?
    public var message: String?
  }
}
