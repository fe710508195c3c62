import CytoCore
import CytoGating

/// A parameter's display as a FlowJo 9 workspace (`Workspace@version="2.0"`) stores it on
/// `Sample/Parameter`, unconverted (docs/flowjo.md, "FlowJo 9 workspaces").
///
/// FlowJo 9 writes no per-parameter transform element: a parameter is shown on a log-like
/// (biexponential) scale when `log="1"`, whose parameters come from a `CalibrationTables/Table`
/// (CytoML `macFlowJoWorkspace.hpp`), otherwise on a linear scale. Gate vertices are stored in
/// data units either way (cytolib transforms them with the data; LabKey: "FlowJo computes the
/// polygon in transformed space"), so rectangles are exact on data values. What the display
/// grid of a FlowJo 9 polygon is has not been established; see ``FlowJoCounter``.
public struct FlowJo9Parameter: Sendable, Hashable {
  /// `Parameter@name`.
  public var name: String
  /// `log="1"`: shown on FlowJo 9's log/biexponential scale.
  public var isLog: Bool
  /// `Parameter@range` (e.g. 262144 or 4096), when present.
  public var range: Double?
  /// `Parameter@highValue`, when present.
  public var highValue: Double?
  /// `Parameter@lowValue`, when present.
  public var lowValue: Double?
  /// `Parameter@calibrationIndex` (1-based index of a generic calibration table), when present.
  public var calibrationIndex: Int?
  /// The calibration table that CytoML's matching rule selects for a `log="1"` parameter (by
  /// `<prefix> <name>` table name, else the generic table at `calibrationIndex`), if any.
  public var calibration: FlowJo9CalibrationTable?
  /// `false` when the sources disagree on the units of gates on this parameter: a linear
  /// parameter with `highValue="4096"` in a workspace saved by FlowJo older than 9 (cytolib
  /// multiplies such gates by 64 except on scatter channels, LabKey only on FSC-A/FSC-H/SSC-A).
  /// Counting refuses gates on it (``WorkspaceCountError/Kind/unsupportedTransform``).
  public var gateUnitsKnown: Bool

  /// Creates the stored description.
  public init(name: String, isLog: Bool, range: Double?, highValue: Double?, lowValue: Double?, calibrationIndex: Int?,
              calibration: FlowJo9CalibrationTable?, gateUnitsKnown: Bool) {
    self.name = name
    self.isLog = isLog
    self.range = range
    self.highValue = highValue
    self.lowValue = lowValue
    self.calibrationIndex = calibrationIndex
    self.calibration = calibration
    self.gateUnitsKnown = gateUnitsKnown
  }
}

/// One `CalibrationTables/Table` of a FlowJo 9 workspace: FlowJo's biexponential parameters
/// and the table's last point (CytoML reads `maxValue` and `channelRange` from it).
public struct FlowJo9CalibrationTable: Sendable, Hashable {
  /// `Table@name`: `"<matrix name> <PE-A>"` for a channel table, anything else is generic.
  public var name: String
  /// `biexponentialDecades`, when present.
  public var decades: Double?
  /// `biexponentialNegDecades`, when present.
  public var negativeDecades: Double?
  /// `biexponentialWidth`, when present.
  public var width: Double?
  /// The data value of the table's last point (`nil` for an empty table).
  public var maxValue: Double?
  /// The channel of the table's last point (4096 in CytoML's default).
  public var channelRange: Double?
  /// The 1-based line of the element.
  public var line: Int
}

/// FlowJo 9's ellipse (`PolygonGate/Ellipse`): four points on the ellipse, in data units.
///
/// cytolib reads them as the ellipse's antipodal points (the ends of two diameters) after
/// transforming them like the data: the rightmost and leftmost point span one diameter, the two
/// others the second. On linear axes the display map is affine, so the same four points define
/// the same ellipse in data units (two conjugate diameters); this is how ``FlowJoCounter`` tests
/// them in ``GeometryMode/exact``.
public struct FlowJoAntipodalEllipse: Sendable, Hashable {
  /// The horizontal dimension (`xAxisName`).
  public var x: WorkspaceDimension
  /// The vertical dimension (`yAxisName`).
  public var y: WorkspaceDimension
  /// The four points as stored, data units.
  public var points: [Vertex]

  /// Creates an ellipse.
  public init(x: WorkspaceDimension, y: WorkspaceDimension, points: [Vertex]) {
    self.x = x
    self.y = y
    self.points = points
  }

  /// Whether `(px, py)` (same coordinates as ``points``) is inside or on the ellipse: solving
  /// `p − c = a·u + b·v` for the two half-diameters `u`, `v` gives `a² + b² ≤ 1`. `nil` when the
  /// points are degenerate (the diameters are parallel).
  public static func contains(points: [Vertex], _ px: Double, _ py: Double) -> Bool? {
    guard let (c, u, v) = diameters(points) else { return nil }
    let det = u.x * v.y - u.y * v.x
    guard det != 0, det.isFinite else { return nil }
    let dx = px - c.x, dy = py - c.y
    let a = (dx * v.y - dy * v.x) / det, b = (u.x * dy - u.y * dx) / det
    return a * a + b * b <= 1
  }

  /// Centre and half-diameters: `u` from the leftmost to the rightmost point, `v` between the
  /// two others (cytolib's pairing).
  static func diameters(_ p: [Vertex]) -> (Vertex, Vertex, Vertex)? {
    guard p.count == 4 else { return nil }
    let order = p.indices.sorted { p[$0].x < p[$1].x }
    let l = p[order[0]], r = p[order[3]], q1 = p[order[1]], q2 = p[order[2]]
    let c = Vertex(p.map(\.x).reduce(0, +) / 4, p.map(\.y).reduce(0, +) / 4)
    return (c, Vertex((r.x - l.x) / 2, (r.y - l.y) / 2), Vertex((q2.x - q1.x) / 2, (q2.y - q1.y) / 2))
  }
}
