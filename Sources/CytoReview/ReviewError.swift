import CytoGating

/// The kind of a gate's shape, for messages and for edits that need one kind.
public enum GateKind: String, Sendable, Equatable, CustomStringConvertible {
  case rectangle, polygon, ellipsoid, quadrant, boolean

  /// The kind of `shape`.
  public init(_ shape: GateShape) {
    switch shape {
    case .rectangle: self = .rectangle
    case .polygon: self = .polygon
    case .ellipsoid: self = .ellipsoid
    case .quadrant: self = .quadrant
    case .boolean: self = .boolean
    }
  }

  public var description: String { rawValue }
}

/// Why a review session could not be opened, an edit was refused or a plot could not be binned.
/// An edit that throws leaves the session unchanged.
public enum ReviewError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The analysis records no gating (stored before schema 2, or gated with a FlowJo workspace).
  case noRecordedGating
  /// The analysis and the data have different event counts (another file or data set).
  case eventCountMismatch(analysis: Int, data: Int)
  /// No gate (or population) with this id in the strategy.
  case unknownGate(GateID)
  /// No cut with this name in the analysis, or no gate uses it.
  case unknownCut(String)
  /// The edit needs another kind of gate.
  case wrongShape(GateID, expected: GateKind, found: GateKind)
  /// A coordinate that is NaN or infinite; `what` names it.
  case notFinite(GateID?, what: String)
  /// A polygon would have a vertex count outside ``GateEdit/vertexLimit``.
  case vertexCount(GateID, count: Int)
  /// A vertex index outside the polygon (for an insertion: outside 0…count).
  case vertexIndex(GateID, index: Int, count: Int)
  /// A rectangle side index outside the gate's dimensions.
  case sideIndex(GateID, index: Int, count: Int)
  /// A range that holds nothing (`min ≥ max`), or has neither end.
  case emptyRange(GateID, min: Double?, max: Double?)
  /// A quadrant gate whose dividers are not one cut each (the centre is not defined).
  case notAQuadrantCentre(GateID)
  /// The edited strategy is not valid (the engine's reason).
  case invalidStrategy(String)
  /// A plot axis on a dimension no gate of the strategy reads (only those are cached).
  case dimensionNotCached(GateDimension)
  /// A bin count outside 1…``DensityGrid/maximumBins``.
  case invalidBins(Int)
  /// A plot range that is not finite or not increasing.
  case invalidRange(lower: Double, upper: Double)

  public var description: String {
    switch self {
    case .noRecordedGating: "the analysis records no gating to review (stored before schema 2, or gated with a FlowJo workspace)"
    case .eventCountMismatch(let a, let d): "the analysis counted \(a) events but the data have \(d): not the analysed file or data set"
    case .unknownGate(let g): "no gate or population '\(g)' in this visit's gating"
    case .unknownCut(let c): "no cut '\(c)' used by this visit's gates"
    case .wrongShape(let g, let e, let f): "gate '\(g)' is a \(f), not a \(e)"
    case .notFinite(let g, let what): "\(what)\(g.map { " of gate '\($0)'" } ?? "") must be a finite number"
    case .vertexCount(let g, let n):
      "gate '\(g)': a polygon needs \(GateEdit.vertexLimit.lowerBound)…\(GateEdit.vertexLimit.upperBound) vertices, not \(n)"
    case .vertexIndex(let g, let i, let n): "gate '\(g)': no vertex \(i) (the polygon has \(n))"
    case .sideIndex(let g, let i, let n): "gate '\(g)': no side \(i) (the gate has \(n) dimensions)"
    case .emptyRange(let g, let lo, let hi):
      "gate '\(g)': the range \(lo.map { "\($0)" } ?? "open") … \(hi.map { "\($0)" } ?? "open") holds nothing"
    case .notAQuadrantCentre(let g): "gate '\(g)': its dividers are not one cut each, so it has no centre to move"
    case .invalidStrategy(let why): "the edited gating is not valid: \(why)"
    case .dimensionNotCached(let d): "no gate reads dimension \(d.source) (only gated dimensions are cached for plots)"
    case .invalidBins(let b): "bins must be 1…\(DensityGrid.maximumBins), not \(b)"
    case .invalidRange(let lo, let hi): "a plot range must be finite and increasing, not \(lo) … \(hi)"
    }
  }
}
