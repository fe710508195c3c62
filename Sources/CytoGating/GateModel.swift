import CytoCore

/// The identifier of a gate or of a population a gate defines (Gating-ML `gating:id`).
public struct GateID: RawRepresentable, Hashable, Sendable, Codable, Comparable, ExpressibleByStringLiteral,
  CustomStringConvertible
{
  public let rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public init(_ rawValue: String) { self.rawValue = rawValue }
  public init(stringLiteral value: String) { self.rawValue = value }
  public var description: String { rawValue }
  public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// Which values a gate dimension reads before any scale transform (Gating-ML `compensation-ref`).
public enum CompensationReference: Hashable, Sendable, Codable, CustomStringConvertible {
  /// Channel values as read (scaled FCS values), not compensated (`uncompensated`).
  case uncompensated
  /// Compensated with the spillover matrix stored in the FCS file (`FCS`).
  case fileSpillover
  /// Compensated with a spectrum matrix defined in the strategy, by its id.
  case matrix(String)

  /// Parses a Gating-ML `compensation-ref` value.
  public init(gatingML value: String) {
    switch value {
    case "uncompensated": self = .uncompensated
    case "FCS": self = .fileSpillover
    default: self = .matrix(value)
    }
  }

  /// The Gating-ML `compensation-ref` value.
  public var gatingML: String {
    switch self {
    case .uncompensated: "uncompensated"
    case .fileSpillover: "FCS"
    case .matrix(let id): id
    }
  }

  public var description: String { gatingML }
}

/// What a dimension measures: one channel, or a ratio transformation of two channels.
public enum DimensionSource: Hashable, Sendable, Codable {
  /// A channel (`data-type:fcs-dimension`); with a spectrum matrix this may name a fluorochrome.
  case channel(ChannelName)
  /// A derived dimension (`data-type:new-dimension`) defined by a ratio transformation id.
  case ratio(String)
}

/// One coordinate a gate is drawn in: source, compensation and optional scale transformation.
public struct GateDimension: Hashable, Sendable, Codable {
  public var source: DimensionSource
  public var compensation: CompensationReference
  /// The id of a scale transformation applied after compensation (`transformation-ref`).
  public var transform: String?

  public init(_ source: DimensionSource, compensation: CompensationReference = .uncompensated, transform: String? = nil) {
    self.source = source
    self.compensation = compensation
    self.transform = transform
  }

  /// A channel dimension.
  public static func channel(_ name: ChannelName, compensation: CompensationReference = .uncompensated,
                             transform: String? = nil) -> GateDimension {
    GateDimension(.channel(name), compensation: compensation, transform: transform)
  }
}

/// A rectangle (range) gate's extent in one dimension: `min ≤ x < max`; a missing end is open.
public struct RectangleSide: Hashable, Sendable, Codable {
  public var dimension: GateDimension
  public var min: Double?
  public var max: Double?
  public init(_ dimension: GateDimension, min: Double? = nil, max: Double? = nil) {
    self.dimension = dimension
    self.min = min
    self.max = max
  }
}

/// A 2-D point.
public struct Vertex: Hashable, Sendable, Codable {
  public var x: Double
  public var y: Double
  public init(_ x: Double, _ y: Double) {
    self.x = x
    self.y = y
  }
}

/// A quadrant gate's divider: cut values along one dimension.
public struct QuadrantDivider: Hashable, Sendable, Codable {
  public var id: String
  public var dimension: GateDimension
  /// Cut values, ascending. Interval `k` is `[values[k-1], values[k])` with open ends.
  public var values: [Double]
  public init(id: String, dimension: GateDimension, values: [Double]) {
    self.id = id
    self.dimension = dimension
    self.values = values.sorted()
  }

  /// The interval index (0…values.count) that `x` falls in: the number of cuts ≤ x.
  public func interval(of x: Double) -> Int {
    var k = 0
    while k < values.count, x >= values[k] { k += 1 }
    return k
  }
}

/// One quadrant (population) of a quadrant gate: for each divider, a location inside the
/// interval the quadrant covers (Gating-ML `gating:position`).
public struct Quadrant: Hashable, Sendable, Codable {
  public var id: GateID
  /// Divider id → a representative location (any value inside the quadrant's interval).
  /// A divider without a position leaves the quadrant unconstrained along it.
  public var positions: [String: Double]
  public init(id: GateID, positions: [String: Double]) {
    self.id = id
    self.positions = positions
  }
}

/// An operand of a Boolean gate.
public struct BooleanOperand: Hashable, Sendable, Codable {
  public var gate: GateID
  /// Use the events *not* in the referenced gate (`use-as-complement`).
  public var complement: Bool
  public init(_ gate: GateID, complement: Bool = false) {
    self.gate = gate
    self.complement = complement
  }
}

/// A Boolean combination of other gates.
public enum BooleanExpression: Hashable, Sendable, Codable {
  case and([BooleanOperand])
  case or([BooleanOperand])
  case not(BooleanOperand)

  /// The operands, in order.
  public var operands: [BooleanOperand] {
    switch self {
    case .and(let o), .or(let o): o
    case .not(let o): [o]
    }
  }
}

/// The geometry of a gate.
public enum GateShape: Hashable, Sendable, Codable {
  /// Range in one or more dimensions: `min ≤ x < max` in each (Gating-ML 2.0 §5.3.1).
  case rectangle([RectangleSide])
  /// A polygon in two dimensions; events on an edge or vertex are inside (Gating-ML 2.0 §5.3.2).
  case polygon(x: GateDimension, y: GateDimension, vertices: [Vertex])
  /// An ellipsoid in any number of dimensions: (x − μ)ᵀ C⁻¹ (x − μ) ≤ d² (Gating-ML 2.0 §5.3.3).
  case ellipsoid(dimensions: [GateDimension], mean: [Double], covariance: [[Double]], distanceSquare: Double)
  /// Quadrants defined by dividers; each quadrant is its own population (Gating-ML 2.0 §5.3.4).
  case quadrant(dividers: [QuadrantDivider], quadrants: [Quadrant])
  /// A Boolean combination of other gates (Gating-ML 2.0 §5.3.5).
  case boolean(BooleanExpression)

  /// Every dimension the shape reads.
  public var dimensions: [GateDimension] {
    switch self {
    case .rectangle(let sides): sides.map(\.dimension)
    case .polygon(let x, let y, _): [x, y]
    case .ellipsoid(let d, _, _, _): d
    case .quadrant(let dividers, _): dividers.map(\.dimension)
    case .boolean: []
    }
  }
}

/// Which side of its shape a gate selects.
///
/// Standard Gating-ML 2.0 gates always select the inside; FlowJo's Gating-ML export writes
/// `eventsInside="0"` on a gate that selects the events outside its shape (docs/flowjo.md).
public enum ShapeRegion: String, Hashable, Sendable, Codable {
  /// The events inside the shape (Gating-ML 2.0; FlowJo `eventsInside="1"`).
  case inside
  /// The events outside the shape, within the parent (FlowJo `eventsInside="0"`); only for
  /// rectangle, polygon and ellipsoid gates.
  case outside
}

/// A gate: an id, an optional parent, and a shape.
///
/// Membership is absolute: an event is in a gate when it satisfies the shape *and* is in the
/// parent gate (recursively), as in Gating-ML 2.0 and its compliance results. A gate whose
/// ``region`` is ``ShapeRegion/outside`` selects the parent's events that do *not* satisfy the shape.
public struct Gate: Hashable, Sendable, Codable {
  public var id: GateID
  public var parent: GateID?
  public var shape: GateShape
  /// A human-readable name for reports (Gating-ML custom info), defaults to the id.
  public var name: String?
  /// The side of the shape the gate selects (``ShapeRegion/inside`` unless a FlowJo export says otherwise).
  public var region: ShapeRegion

  public init(id: GateID, parent: GateID? = nil, shape: GateShape, name: String? = nil, region: ShapeRegion = .inside) {
    self.id = id
    self.parent = parent
    self.shape = shape
    self.name = name
    self.region = region
  }

  /// The populations this gate defines: itself, or one per quadrant.
  public var populations: [GateID] {
    if case .quadrant(_, let q) = shape { return q.map(\.id) }
    return [id]
  }
}
