import CytoCore
import CytoGating

/// How a gate dimension's values are compensated, resolved from its parameter name.
public enum DimensionCompensation: Sendable, Hashable {
  /// A plain channel name: raw (scaled) event values.
  case uncompensated
  /// `prefix + detector + suffix` of the sample's matrix (`Comp-PE-A`): compensate with that
  /// matrix (by ``WorkspaceMatrix/id``); for an acquisition-defined matrix this is the FCS
  /// file's own spillover (FlowJo's copy of it).
  case matrix(id: String, origin: MatrixOrigin)
  /// `FJComp-…`: a file FlowJo exported already compensated; the name is the FCS channel
  /// itself and no matrix applies (FlowKit #92).
  case precompensatedInFile
  /// A FlowJo 9 group template's compensated name (`<PE-A>`): each member sample compensates it
  /// with its own matrix (`Sample@compensationID`), which a template does not have. Templates
  /// are never counted.
  case sampleMatrix
}

/// One coordinate of a workspace gate.
///
/// FlowJo writes FCS channel names with `/` replaced by `_` (`530/30` → `530_30`); the stored
/// name is kept as written, and ``flowJoSpelling(of:)`` gives FlowJo's spelling of an FCS name
/// for matching against a data file.
public struct WorkspaceDimension: Sendable, Hashable {
  /// The parameter name as the workspace writes it (`Comp-PE-A`, `FSC-A`).
  public var parameter: String
  /// The FCS channel to read: the detector for compensated names, otherwise `parameter`.
  public var channel: ChannelName
  /// Which values the gate sees.
  public var compensation: DimensionCompensation
  /// The sample's transform for `parameter`, or `nil` when the sample has no entry for it
  /// (FlowJo then shows the channel on the cytometer's linear scale).
  public var transform: FlowJoTransform?

  /// Creates a dimension.
  public init(parameter: String, channel: ChannelName, compensation: DimensionCompensation, transform: FlowJoTransform?) {
    self.parameter = parameter
    self.channel = channel
    self.compensation = compensation
    self.transform = transform
  }

  /// FlowJo's spelling of an FCS channel name: `/` becomes `_` (FlowKit `use_flowjo_labels`).
  public static func flowJoSpelling(of fcsName: ChannelName) -> String {
    fcsName.rawValue.replacingOccurrences(of: "/", with: "_")
  }
}

/// One side of a FlowJo rectangle: `min ≤ x < max`, a missing bound is open (half-open
/// rectangles are how FlowJo saves quadrants; one side is a histogram range).
public struct WorkspaceRange: Sendable, Hashable {
  /// The dimension the range is on.
  public var dimension: WorkspaceDimension
  /// `gating:min`, data units (inclusive), or `nil` when open.
  public var min: Double?
  /// `gating:max`, data units (exclusive), or `nil` when open.
  public var max: Double?
  /// Creates a range.
  public init(_ dimension: WorkspaceDimension, min: Double?, max: Double?) {
    self.dimension = dimension
    self.min = min
    self.max = max
  }
}

/// FlowJo's ellipse: two foci and four edge points, **in display-grid units, as stored**.
///
/// This is not Gating-ML's mean + covariance. FlowJo stores the points after the dimensions'
/// transforms, on the 256 × 256 display grid (0…256 per axis over each transform's display
/// range), not in data units. They are kept as stored; docs/flowjo.md measured the rule
/// FlowJo counts with: a grid point `k` is in when `d(k, f₁) + d(k, f₂) ≤ |e₁ − e₂|` (the
/// first two edge points span the major axis). `distance` (`gating:distance`) is stored too;
/// its meaning is open (89.21 in the FlowKit ellipse, whose major axis is 79.16).
public struct FlowJoEllipse: Sendable, Hashable {
  /// The horizontal dimension (first `gating:dimension`).
  public var x: WorkspaceDimension
  /// The vertical dimension.
  public var y: WorkspaceDimension
  /// The two foci, grid units.
  public var foci: [Vertex]
  /// The four edge points, grid units.
  public var edge: [Vertex]
  /// `gating:distance`, when present.
  public var distance: Double?
  /// The grid size the points refer to (256).
  public static let gridSize = 256
}

/// Which quadrant of a quad a population is, with FlowJo's numbering (`Q1: A- , B+` …).
public enum QuadrantPosition: Sendable, Hashable, CaseIterable {
  /// Q1: x below, y above the intersection.
  case upperLeft
  /// Q2: both above.
  case upperRight
  /// Q3: x above, y below.
  case lowerRight
  /// Q4: both below.
  case lowerLeft

  /// FlowJo's quadrant number, 1…4.
  public var flowJoNumber: Int {
    switch self {
    case .upperLeft: 1
    case .upperRight: 2
    case .lowerRight: 3
    case .lowerLeft: 4
    }
  }
}

/// One quadrant of FlowJo's "curly quad" (`gating:CurlyQuad`): the intersection point, in data
/// units, and which quadrant this population is.
///
/// Each dimension stores one bound: `gating:min` (this quadrant is above the intersection on
/// that axis) or `gating:max` (below), as CytoML reads it (`winFlowJoWorkspace.hpp`). How FlowJo
/// bends the dividers of a curly quad is not stored in the XML and has not been measured here,
/// so this records only what is stored; no workspace with a curly quad is in the test data.
public struct FlowJoCurlyQuadrant: Sendable, Hashable {
  /// The horizontal dimension.
  public var x: WorkspaceDimension
  /// The vertical dimension.
  public var y: WorkspaceDimension
  /// Where the dividers cross, data units.
  public var intersection: Vertex
  /// This population's quadrant.
  public var quadrant: QuadrantPosition
}

/// The geometry of a workspace gate.
public enum WorkspaceGateShape: Sendable, Hashable {
  /// `gating:RectangleGate`: one range per dimension, data units (1-D = histogram range).
  case rectangle([WorkspaceRange])
  /// `gating:PolygonGate`: vertices in data units; the edges are straight in display space.
  case polygon(x: WorkspaceDimension, y: WorkspaceDimension, vertices: [Vertex])
  /// `gating:EllipsoidGate` in FlowJo's foci + edge form (grid units).
  case ellipse(FlowJoEllipse)
  /// `gating:CurlyQuad`: one quadrant of a curly quad.
  case curlyQuadrant(FlowJoCurlyQuadrant)
  /// FlowJo 9's `Ellipse`: four antipodal points in data units.
  case antipodalEllipse(FlowJoAntipodalEllipse)

  /// The element name (`RectangleGate`, `PolygonGate`, `EllipsoidGate`, `CurlyQuad`); FlowJo 9's
  /// `PolyRect`/`Range`, `Polygon` and `Ellipse` map to the first three.
  public var gateType: String {
    switch self {
    case .rectangle: "RectangleGate"
    case .polygon: "PolygonGate"
    case .ellipse: "EllipsoidGate"
    case .curlyQuadrant: "CurlyQuad"
    case .antipodalEllipse: "EllipsoidGate"
    }
  }

  /// The dimensions, in XML order.
  public var dimensions: [WorkspaceDimension] {
    switch self {
    case .rectangle(let r): r.map(\.dimension)
    case .polygon(let x, let y, _): [x, y]
    case .ellipse(let e): [e.x, e.y]
    case .curlyQuadrant(let q): [q.x, q.y]
    case .antipodalEllipse(let e): [e.x, e.y]
    }
  }
}

/// Which events a gate selects (`eventsInside`).
public enum GateRegion: Sendable, Hashable {
  /// `eventsInside="1"` (or absent): the events inside the shape.
  case inside
  /// `eventsInside="0"`: the complement, events outside the shape (the parent still applies).
  case outside
}

/// A gate of a workspace population (`Population/Gate/gating:*`).
public struct WorkspaceGate: Sendable, Hashable {
  /// `Gate@gating:id`.
  public var id: String
  /// `Gate@gating:parent_id`, which duplicates the XML nesting (the nesting is trusted).
  public var parentID: String?
  /// The geometry.
  public var shape: WorkspaceGateShape
  /// Inside or (`eventsInside="0"`) outside the shape.
  public var region: GateRegion
  /// `gateResolution`: the display grid FlowJo evaluates polygons on (256 or 1024), when stored.
  public var resolution: Int?
  /// The 1-based line of the gate element.
  public var line: Int
}
