import CytoCore
import CytoGating

/// One population's count next to FlowJo's saved one.
public struct PopulationCount: Sendable, Hashable {
  /// The path from the sample root.
  public var path: PopulationPath
  /// `RectangleGate`, `PolygonGate`, `EllipsoidGate`, `AndNode`, `OrNode`, `NotNode`.
  public var typeName: String
  /// Events in the population (its gate within its parent).
  public var count: Int
  /// FlowJo's saved count (`-1` = never computed, which is not a reference).
  public var saved: SavedCount
  /// Under ``GeometryMode/flowJo``: why this population's polygon or ellipse was tested in exact
  /// display geometry (FlowJo's grid is not measured for it); `nil` when FlowJo's rule applied.
  public var exactGeometryReason: String? = nil

  /// `count − saved` when FlowJo saved a count ≥ 0, else `nil` (docs/flowjo.md: only counts
  /// ≥ 0 are a reference; a `0` can be real).
  public var difference: Int? {
    if case .events(let n) = saved, n >= 0 { return count - n }
    return nil
  }
}

/// Every population of one sample, counted.
public struct SampleCounts: Sendable {
  /// The sample.
  public var sample: WorkspaceSample
  /// The geometry the counts were made with.
  public var mode: GeometryMode
  /// Events in the data.
  public var eventCount: Int
  /// One entry per population, depth first (``WorkspaceSample/allPopulations`` order).
  public var populations: [PopulationCount]
  /// Per population path, its event mask (one `Bool` per event).
  public var masks: [PopulationPath: [Bool]]
}

/// Counts a workspace sample's populations on its FCS data the way FlowJo 10 does
/// (docs/flowjo.md, "The rule"; port of scripts/flowjo_counts.py):
///
/// - rectangles exactly on (compensated) event values, `min <= x < max`;
/// - polygons and ellipses on the display grid (``GeometryMode/flowJo``) or exactly in display
///   space (``GeometryMode/exact``), linear and biex axes only;
/// - `eventsInside="0"` complements the shape; the parent is applied after;
/// - Boolean nodes: And = intersection of the dependents, Or = union, Not = complement of the
///   dependent, each within the node's parent (docs/flowjo.md: not measured on FlowJo data);
/// - compensated dimensions (`Comp-…`) use the sample's matrix as the workspace embeds it (for
///   an acquisition-defined matrix, FlowJo's copy of the file's spillover; docs/flowjo.md found
///   the same counts with either).
///
///     let input = try GatingInput(fcs.dataSets[0])
///     let counts = try FlowJoCounter(sample: ws.samples[0]).count(input)
///
/// A polygon the rule does not cover (an axis other than linear or biex, no `gateResolution` as
/// in FlowJo 9) is tested in exact display geometry, and the population says so
/// (``PopulationCount/exactGeometryReason``). What neither covers (curly quads, ellipses on
/// unmeasured axes, FlowJo 9 log axes, missing channels) throws ``WorkspaceCountError``.
public struct FlowJoCounter: Sendable {
  /// The sample whose gating tree is applied.
  public var sample: WorkspaceSample
  /// How polygons and ellipses are evaluated.
  public var mode: GeometryMode

  /// A counter for `sample` under `mode`.
  public init(sample: WorkspaceSample, mode: GeometryMode = .flowJo) {
    self.sample = sample
    self.mode = mode
  }

  /// Counts every population of the sample on `input` (the sample's FCS data set).
  /// - Throws: ``WorkspaceCountError``.
  public func count(_ input: GatingInput) throws(WorkspaceCountError) -> SampleCounts {
    var evaluation = try FlowJoMaskEvaluation(sample: sample, mode: mode, input: input)
    var populations: [PopulationCount] = []
    for node in sample.allPopulations {
      let mask = try evaluation.mask(node.path)
      populations.append(PopulationCount(path: node.path, typeName: node.definition.typeName,
                                         count: mask.reduce(0) { $1 ? $0 + 1 : $0 }, saved: node.savedCount,
                                         exactGeometryReason: evaluation.exactFallbacks[node.path]))
    }
    return SampleCounts(sample: sample, mode: mode, eventCount: evaluation.eventCount, populations: populations,
                        masks: evaluation.masks)
  }
}
