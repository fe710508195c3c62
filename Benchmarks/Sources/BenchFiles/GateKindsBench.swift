import CytoCore
import CytoGating
import Foundation

/// One-gate strategies, one per gate kind, on the pre-transformed benchmark files
/// (`bench-…-pre-f32.fcs`: marker columns hold compensated, logicle-transformed Float32 values,
/// so every dimension is a stored column read in place and the gate kernel alone is measured).
///
/// Thresholds, vertices and the ellipse are the gating benchmark's (``GatingBench``) where a
/// gate there reads the same markers, so the populations are of realistic size; no gate has a
/// parent, so every gate sees all events.
public enum GateKindsBench {
  public struct Case: Sendable {
    /// `rectangle`, `polygon`, … (benchmark names).
    public let name: String
    public let strategy: GatingStrategy
    /// How many columns the measured gates read per event (for the bytes metric).
    public let columns: Int
  }

  static func m(_ marker: SyntheticEvents.Marker) -> GateDimension { .channel(ChannelName(SyntheticEvents.channel(marker))) }

  /// CD3⁺ CD19⁻ (the gating benchmark's T-cell rectangle).
  static var tCells: Gate {
    Gate(id: "TCells", shape: .rectangle([RectangleSide(m(.cd3), min: 0.45131), RectangleSide(m(.cd19), max: 0.44871)]))
  }

  /// CD4⁺ (one-dimensional range).
  static var cd4Positive: Gate { Gate(id: "CD4pos", shape: .rectangle([RectangleSide(m(.cd4), min: 0.45011)])) }

  /// The cases, in the order they are reported.
  public static func cases() throws -> [Case] {
    let rectangle = try GatingStrategy(gates: [tCells])
    // The gating benchmark's B-cell polygon (5 vertices, 3 of the 5 edges general).
    let polygon = try GatingStrategy(gates: [
      Gate(id: "BCells", shape: .polygon(x: m(.cd19), y: m(.cd20), vertices: [
        Vertex(0.46113, 0.44093), Vertex(0.95131, 0.44093), Vertex(0.95131, 0.94871), Vertex(0.58117, 0.94871),
        Vertex(0.46113, 0.70019),
      ])),
    ])
    // An ellipse around the CD4⁺ CD8⁻ cloud (tilted: non-diagonal covariance), about 2 SD.
    let ellipsoid = try GatingStrategy(gates: [
      Gate(id: "CD4Ellipse", shape: .ellipsoid(dimensions: [m(.cd4), m(.cd8)], mean: [0.70013, 0.30017],
                                               covariance: [[0.0100, 0.0020], [0.0020, 0.0100]], distanceSquare: 4.0)),
    ])
    let quadrant = try GatingStrategy(gates: [
      Gate(id: "CD4CD8", shape: .quadrant(
        dividers: [QuadrantDivider(id: "CD4", dimension: m(.cd4), values: [0.45011]),
                   QuadrantDivider(id: "CD8", dimension: m(.cd8), values: [0.44989])],
        quadrants: [
          Quadrant(id: "CD4T", positions: ["CD4": 0.7, "CD8": 0.2]),
          Quadrant(id: "CD8T", positions: ["CD4": 0.2, "CD8": 0.7]),
          Quadrant(id: "DPT", positions: ["CD4": 0.7, "CD8": 0.7]),
          Quadrant(id: "DNT", positions: ["CD4": 0.2, "CD8": 0.2]),
        ])),
    ])
    func twoRectangles(plus gate: Gate?) throws -> GatingStrategy {
      try GatingStrategy(gates: [tCells, cd4Positive] + (gate.map { [$0] } ?? []))
    }
    return [
      Case(name: "rectangle", strategy: rectangle, columns: 2),
      Case(name: "polygon", strategy: polygon, columns: 2),
      Case(name: "ellipsoid", strategy: ellipsoid, columns: 2),
      Case(name: "quadrant", strategy: quadrant, columns: 2),
      // The two rectangles the Boolean gates combine, alone: subtract to see the Boolean's cost.
      Case(name: "2 rectangles", strategy: try twoRectangles(plus: nil), columns: 3),
      Case(name: "2 rectangles + and", strategy: try twoRectangles(plus:
        Gate(id: "CD4T", shape: .boolean(.and([BooleanOperand("TCells"), BooleanOperand("CD4pos")])))), columns: 3),
      Case(name: "2 rectangles + or", strategy: try twoRectangles(plus:
        Gate(id: "TorCD4", shape: .boolean(.or([BooleanOperand("TCells"), BooleanOperand("CD4pos")])))), columns: 3),
      Case(name: "2 rectangles + not", strategy: try twoRectangles(plus:
        Gate(id: "NotT", shape: .boolean(.not(BooleanOperand("TCells"))))), columns: 3),
    ]
  }
}
