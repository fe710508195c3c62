/// A marker cut found in each file: the methods are tried in order on the events of
/// ``population`` until one finds evidence; a panel value (``fallback``) is used only when
/// none does, and then with a warning saying why.
public struct CutDefinition: Codable, Sendable, Equatable {
  public var name: String
  public var marker: String
  /// The population whose events the cut is found in.
  public var population: String
  public var methods: [CutMethod]
  /// A position in data units (compensated intensity) used when no method finds evidence,
  /// with a warning; without one the populations that need the cut are not reported.
  public var fallback: Double?

  public init(name: String, marker: String, population: String, methods: [CutMethod], fallback: Double? = nil) {
    self.name = name
    self.marker = marker
    self.population = population
    self.methods = methods
    self.fallback = fallback
  }
}

/// One way to find a cut.
public enum CutMethod: Codable, Sendable, Equatable {
  /// The density valley between the two largest persistent modes (bimodal data).
  case valley(ValleyMethod)
  /// The upper (or lower) edge of a population known to be negative (or positive) for the
  /// marker: its median ± k × its robust half-SD on that side. How analysts set a cut when the
  /// population of interest has no peak (CD19 from the T cells in B-cell aplasia).
  case reference(ReferenceMethod)
  /// The crossing point of a two-component Gaussian mixture, when the components are
  /// separated (Ashman's D ≥ ``MixtureMethod/minSeparation``) but overlap too much for a
  /// valley: a sharp dead-cell peak beside the broad live population.
  case mixture(MixtureMethod)
  /// The edge of the largest mode of the cut's own population: its peak ± k × the robust
  /// half-SD of its other (clean) side — for a population with one peak and a tail of
  /// positives (or negatives) too small to make a valley.
  case peakEdge(PeakEdgeMethod)

  enum CodingKeys: String, CodingKey { case method, minEvents, persistence, pick, maxLowestFraction, minFraction, population, k, side, mode, minSeparation, minWeight, gapDepth }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    switch try c.decode(String.self, forKey: .method) {
    case "valley":
      var v = ValleyMethod()
      v.minEvents = try c.decodeIfPresent(Int.self, forKey: .minEvents) ?? v.minEvents
      v.persistence = try c.decodeIfPresent(Double.self, forKey: .persistence) ?? v.persistence
      v.pick = try c.decodeIfPresent(ValleyMethod.Pick.self, forKey: .pick) ?? v.pick
      v.maxLowestFraction = try c.decodeIfPresent(Double.self, forKey: .maxLowestFraction)
      v.minFraction = try c.decodeIfPresent(Double.self, forKey: .minFraction)
      self = .valley(v)
    case "reference":
      var r = ReferenceMethod(population: try c.decode(String.self, forKey: .population))
      r.gapDepth = try c.decodeIfPresent(Double.self, forKey: .gapDepth)
      r.k = try c.decodeIfPresent(Double.self, forKey: .k) ?? r.k
      r.side = try c.decodeIfPresent(CutSide.self, forKey: .side) ?? r.side
      r.minEvents = try c.decodeIfPresent(Int.self, forKey: .minEvents) ?? r.minEvents
      self = .reference(r)
    case "mixture":
      var m = MixtureMethod()
      m.minSeparation = try c.decodeIfPresent(Double.self, forKey: .minSeparation) ?? m.minSeparation
      m.minWeight = try c.decodeIfPresent(Double.self, forKey: .minWeight) ?? m.minWeight
      m.minEvents = try c.decodeIfPresent(Int.self, forKey: .minEvents) ?? m.minEvents
      self = .mixture(m)
    case "peakEdge":
      var p = PeakEdgeMethod(side: try c.decode(CutSide.self, forKey: .side))
      p.k = try c.decodeIfPresent(Double.self, forKey: .k) ?? p.k
      p.minEvents = try c.decodeIfPresent(Int.self, forKey: .minEvents) ?? p.minEvents
      p.mode = try c.decodeIfPresent(PeakEdgeMethod.Mode.self, forKey: .mode) ?? p.mode
      p.gapDepth = try c.decodeIfPresent(Double.self, forKey: .gapDepth)
      self = .peakEdge(p)
    case let m:
      throw DecodingError.dataCorruptedError(forKey: .method, in: c, debugDescription: "unknown cut method '\(m)' (valley, reference, mixture, peakEdge)")
    }
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    switch self {
    case .valley(let v):
      try c.encode("valley", forKey: .method)
      try c.encode(v.minEvents, forKey: .minEvents)
      try c.encode(v.persistence, forKey: .persistence)
      try c.encode(v.pick, forKey: .pick)
      try c.encodeIfPresent(v.maxLowestFraction, forKey: .maxLowestFraction)
      try c.encodeIfPresent(v.minFraction, forKey: .minFraction)
    case .reference(let r):
      try c.encode("reference", forKey: .method)
      try c.encode(r.population, forKey: .population)
      try c.encode(r.k, forKey: .k)
      try c.encode(r.side, forKey: .side)
      try c.encode(r.minEvents, forKey: .minEvents)
      try c.encodeIfPresent(r.gapDepth, forKey: .gapDepth)
    case .mixture(let m):
      try c.encode("mixture", forKey: .method)
      try c.encode(m.minSeparation, forKey: .minSeparation)
      try c.encode(m.minWeight, forKey: .minWeight)
      try c.encode(m.minEvents, forKey: .minEvents)
    case .peakEdge(let p):
      try c.encode("peakEdge", forKey: .method)
      try c.encode(p.side, forKey: .side)
      try c.encode(p.k, forKey: .k)
      try c.encode(p.minEvents, forKey: .minEvents)
      try c.encode(p.mode, forKey: .mode)
      try c.encodeIfPresent(p.gapDepth, forKey: .gapDepth)
    }
  }

  /// The method's name in the JSON and in recorded evidence.
  public var name: String {
    switch self {
    case .valley: "valley"
    case .reference: "reference"
    case .mixture: "mixture"
    case .peakEdge: "peakEdge"
    }
  }
}

/// Parameters of a mixture cut.
public struct MixtureMethod: Codable, Sendable, Equatable {
  /// Ashman's D the two components must reach (2: a clean split).
  public var minSeparation = 2.0
  /// The smaller component's least weight.
  public var minWeight = 0.03
  public var minEvents = 100
  public init() {}
}

/// Above or below a cut (`above`: value ≥ cut).
public enum CutSide: String, Codable, Sendable {
  case above, below
}

/// Parameters of a valley search (see ``CytoAutoGating/Density1D``).
public struct ValleyMethod: Codable, Sendable, Equatable {
  /// Events each of the two modes must hold (openCyto/flowDensity use 20).
  public var minEvents = 20
  /// A mode's persistence (1 − valley/peak) must be at least this: 0.3 = the valley is at most
  /// 70% as dense as the lower peak.
  public var persistence = 0.3
  /// Which two modes: `largest` (the two holding most events), `aboveLowest` (the lowest
  /// mode and the next above it: negatives below dim positives) or `belowHighest` (the highest
  /// mode and the next below it: a bright minority such as dead cells above the rest).
  public var pick = Pick.largest
  /// With `aboveLowest` (`belowHighest`): the lowest (highest) mode is taken for the outer
  /// population only when it holds less than this fraction of the events (else it is the main
  /// population and there is no valley).
  public var maxLowestFraction: Double?
  /// The smaller of the two modes must hold at least this fraction of the events; a smaller
  /// positive population (B cells near aplasia) is left to the next method, the negative
  /// reference, as analysts do.
  public var minFraction: Double?

  public enum Pick: String, Codable, Sendable {
    case largest, aboveLowest, belowHighest
  }
  public init() {}
}

/// Parameters of a negative-reference cut.
public struct ReferenceMethod: Codable, Sendable, Equatable {
  /// The reference population (for CD19: the T cells).
  public var population: String
  /// Robust SDs beyond the reference's median (4: about 3 in 100,000 negatives above).
  public var k = 4.0
  /// `above`: the reference is negative and the cut lies above it.
  public var side = CutSide.above
  /// The fewest reference events the rule accepts.
  public var minEvents = 50
  /// A cut above the negatives moves up into the gap before a brighter population, when one
  /// stands apart: to the emptiest point between the edge and the next persistent mode above
  /// it, if the density there is at most `gapDepth` × that mode's peak (absent: the edge is
  /// the cut). A dim tail of the negatives (CD19-dim NK cells) then stays out of a small
  /// bright population (the last B cells after CAR T), while with no such population the cut
  /// is the negative edge itself.
  public var gapDepth: Double?
  public init(population: String) { self.population = population }
}

/// Parameters of a peak-edge cut.
public struct PeakEdgeMethod: Codable, Sendable, Equatable {
  /// `above`: the peak is negative and the cut lies above it.
  public var side: CutSide
  public var k = 4.0
  public var minEvents = 50
  /// Which mode: `main` (most events; its spread is measured on the side away from the cut,
  /// mirrored), `lowest` or `highest` (an outer mode; spread measured on its outer side).
  public var mode = Mode.main
  /// A cut above the negatives moves up into the gap before a brighter population, when one
  /// stands apart: to the emptiest point between the edge and the next persistent mode above
  /// it, if the density there is at most `gapDepth` × that mode's peak (absent: the edge is
  /// the cut). A dim tail of the negatives (CD19-dim NK cells) then stays out of a small
  /// bright population (the last B cells after CAR T), while with no such population the cut
  /// is the negative edge itself.
  public var gapDepth: Double?

  public enum Mode: String, Codable, Sendable {
    case main, lowest, highest
  }
  public init(side: CutSide) { self.side = side }
}
