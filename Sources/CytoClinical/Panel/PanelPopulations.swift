/// A population: where it sits in the hierarchy and how it is gated.
public struct PopulationDefinition: Codable, Sendable, Equatable {
  /// The population id (for a quadrant gate: the gate's id; its quadrants are the populations).
  public var id: String
  public var parent: String?
  /// Label for reports (`CD19⁺ B cells`).
  public var label: String?
  /// How the population is found: one rule, or alternatives tried in order — the first whose
  /// markers the file has is used (lymphocytes from CD45/SSC, else from FSC/SSC).
  public var gate: [GateRule]
  /// What happens in a file without the markers of every alternative (default `omit`).
  public var whenMissing: MissingMarkers?

  /// What a population does when its markers are missing.
  public enum MissingMarkers: String, Codable, Sendable {
    /// The gate is not applied: the population is its parent's events (a cleanup step such as
    /// singlets or live cells that this tube cannot do), recorded with a warning.
    case skip
    /// The population, and everything gated from it, is not reported, with the reason.
    case omit
  }

  enum CodingKeys: String, CodingKey { case id, parent, label, gate, whenMissing }

  public init(id: String, parent: String? = nil, label: String? = nil, gate: [GateRule], whenMissing: MissingMarkers? = nil) {
    self.id = id
    self.parent = parent
    self.label = label
    self.gate = gate
    self.whenMissing = whenMissing
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    id = try c.decode(String.self, forKey: .id)
    parent = try c.decodeIfPresent(String.self, forKey: .parent)
    label = try c.decodeIfPresent(String.self, forKey: .label)
    if let list = try? c.decode([GateRule].self, forKey: .gate) {
      gate = list
    } else {
      gate = [try c.decode(GateRule.self, forKey: .gate)]
    }
    whenMissing = try c.decodeIfPresent(MissingMarkers.self, forKey: .whenMissing)
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(id, forKey: .id)
    try c.encodeIfPresent(parent, forKey: .parent)
    try c.encodeIfPresent(label, forKey: .label)
    if gate.count == 1 { try c.encode(gate[0], forKey: .gate) } else { try c.encode(gate, forKey: .gate) }
    try c.encodeIfPresent(whenMissing, forKey: .whenMissing)
  }

  /// The populations this entry defines (the quadrants of a quadrant gate, else itself).
  public var populationIDs: [String] {
    var ids: [String] = []
    for g in gate {
      if case .quadrant(let q) = g { for p in q.quadrants where !ids.contains(p.id) { ids.append(p.id) } }
    }
    return ids.isEmpty ? [id] : ids
  }
}

/// How one population is found in a file's events.
public enum GateRule: Codable, Sendable, Equatable {
  /// Cells versus debris on forward/side scatter (``ScatterCellsRule``).
  case scatterCells(ScatterCellsRule)
  /// Single cells: a band around the area–height (or area–width) line (``SingletRule``).
  case singlets(SingletRule)
  /// Mass cytometry: nucleated single cells from the DNA intercalator and event length.
  case dnaCells(DNACellsRule)
  /// A combination of marker cuts (positive for some markers, negative for others).
  case threshold(ThresholdRule)
  /// A 2-D density cluster (lymphocytes on CD45 vs SSC or FSC vs SSC).
  case cluster(ClusterRule)
  /// Four populations from two cuts (CD27 vs IgD).
  case quadrant(QuadrantRule)
  /// Counting beads: bright in every listed marker's detector.
  case beads(BeadRule)

  enum CodingKeys: String, CodingKey { case kind }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    switch try c.decode(String.self, forKey: .kind) {
    case "scatterCells": self = .scatterCells(try ScatterCellsRule(from: decoder))
    case "singlets": self = .singlets(try SingletRule(from: decoder))
    case "dnaCells": self = .dnaCells(try DNACellsRule(from: decoder))
    case "threshold": self = .threshold(try ThresholdRule(from: decoder))
    case "cluster": self = .cluster(try ClusterRule(from: decoder))
    case "quadrant": self = .quadrant(try QuadrantRule(from: decoder))
    case "beads": self = .beads(try BeadRule(from: decoder))
    case let k:
      throw DecodingError.dataCorruptedError(
        forKey: .kind, in: c, debugDescription: "unknown gate kind '\(k)' (scatterCells, singlets, dnaCells, threshold, cluster, quadrant, beads)")
    }
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(kind, forKey: .kind)
    switch self {
    case .scatterCells(let r): try r.encode(to: encoder)
    case .singlets(let r): try r.encode(to: encoder)
    case .dnaCells(let r): try r.encode(to: encoder)
    case .threshold(let r): try r.encode(to: encoder)
    case .cluster(let r): try r.encode(to: encoder)
    case .quadrant(let r): try r.encode(to: encoder)
    case .beads(let r): try r.encode(to: encoder)
    }
  }

  /// The rule's name (`kind` in the JSON).
  public var kind: String {
    switch self {
    case .scatterCells: "scatterCells"
    case .singlets: "singlets"
    case .dnaCells: "dnaCells"
    case .threshold: "threshold"
    case .cluster: "cluster"
    case .quadrant: "quadrant"
    case .beads: "beads"
    }
  }

  /// Every marker the rule can read.
  public var markers: [String] {
    switch self {
    case .scatterCells(let r): [r.fsc, r.ssc]
    case .singlets(let r): r.pairs.flatMap { $0 }
    case .dnaCells(let r): r.dna + [r.length].compactMap { $0 }
    case .threshold(let r): r.terms.map(\.marker)
    case .cluster(let r): [r.x.marker, r.y.marker]
    case .quadrant(let r): [r.x.marker, r.y.marker]
    case .beads(let r): r.markers
    }
  }

  /// Every cut the rule uses.
  public var cuts: [String] {
    switch self {
    case .threshold(let r): r.terms.map(\.cut)
    case .quadrant(let r): [r.x.cut, r.y.cut]
    default: []
    }
  }
}

/// Cells versus debris: forward scatter at least the valley between the debris at the bottom
/// of the FSC range and the first cell population (when there is debris; otherwise the lower
/// edge of the cells), and neither scatter parameter at its off-scale maximum.
public struct ScatterCellsRule: Codable, Sendable, Equatable {
  public var fsc: String
  public var ssc: String
  /// Robust SDs below the lowest cell mode for the edge when there is no debris valley (4).
  public var k: Double?
  public init(fsc: String, ssc: String) {
    self.fsc = fsc
    self.ssc = ssc
  }
}

/// Single cells: a robust line (Theil–Sen) through area against height (or width) of the
/// parent's events, and the band of events within `k` robust SDs of it on the doublet side
/// (height below / width above the line) and `kOther` on the other. The first pair the file
/// has is used (FSC before SSC, height before width).
public struct SingletRule: Codable, Sendable, Equatable {
  /// `[area, height-or-width]` marker pairs in order of preference.
  public var pairs: [[String]]
  /// Robust SDs on the doublet side (4) and on the other side (6).
  public var k: Double?
  public var kOther: Double?
  public init(pairs: [[String]]) { self.pairs = pairs }
}

/// Mass cytometry cells: the main (singlet) mode of each DNA intercalator channel, bounded by
/// the valleys to debris below and doublets above (else ± k robust SDs), and event length
/// within k robust SDs of its median (cydar `dnaGate`, CATALYST practice).
public struct DNACellsRule: Codable, Sendable, Equatable {
  public var dna: [String]
  public var length: String?
  /// Robust SDs of the DNA and length bounds without a valley (4).
  public var k: Double?
  public init(dna: [String], length: String? = nil) {
    self.dna = dna
    self.length = length
  }
}

/// Events on the given side of every term's cut: `CD19 above CD19` and `CD3 below CD3`.
public struct ThresholdRule: Codable, Sendable, Equatable {
  public var terms: [Term]

  /// One marker's condition. An `ifPresent` term is used when the file has the marker and left
  /// out (with a note) when it has not; the others are required.
  public struct Term: Codable, Sendable, Equatable {
    public var marker: String
    public var side: CutSide
    public var cut: String
    public var ifPresent: Bool?
    public init(marker: String, side: CutSide, cut: String, ifPresent: Bool? = nil) {
      self.marker = marker
      self.side = side
      self.cut = cut
      self.ifPresent = ifPresent
    }
  }
  public init(terms: [Term]) { self.terms = terms }
}

/// A 2-D density cluster of the parent's events: the persistent cluster whose peak lies
/// furthest in the direction `toward` (in each axis' robust range scaled to 0…1; `[0, -1]` =
/// lowest y, `[0.5, -1]` = low y and high x), with at least `minFraction` of the events; the
/// gate is the convex hull of its basin's bins denser than `level` × its peak (default 0.01).
public struct ClusterRule: Codable, Sendable, Equatable {
  public var x: Axis
  public var y: Axis
  public var toward: [Double]
  /// The region's density level as a fraction of the peak (0.01: a 2-D normal cluster's 3σ contour).
  public var level: Double?
  /// Cluster persistence (0.3).
  public var persistence: Double?
  /// The fewest of the parent's events a candidate cluster holds (0.03).
  public var minFraction: Double?
  /// The largest share of the gate's events that may come from other clusters' basins before
  /// the contour level is raised (0.02); 1 keeps the level (a gate meant to take in the
  /// neighbours too, as "not granulocytes" takes in the monocytes).
  public var maxForeign: Double?

  /// An axis: a marker and its scale (`log` for scatter on a log-like scale).
  public struct Axis: Codable, Sendable, Equatable {
    public var marker: String
    public var scale: AxisScaleKind?
    public init(marker: String, scale: AxisScaleKind? = nil) {
      self.marker = marker
      self.scale = scale
    }
  }
  public init(x: Axis, y: Axis, toward: [Double]) {
    self.x = x
    self.y = y
    self.toward = toward
  }
}

/// The scale a scatter axis is gated on.
public enum AxisScaleKind: String, Codable, Sendable {
  /// As stored (scatter) or the marker's display scale.
  case natural
  /// A log-like scale (arcsinh with T = the channel's range, M = 4.5): side scatter spans
  /// decades between lymphocytes and granulocytes.
  case log
}

/// Four populations from a cut on each axis.
public struct QuadrantRule: Codable, Sendable, Equatable {
  public var x: Divider
  public var y: Divider
  public var quadrants: [Quadrant]

  public struct Divider: Codable, Sendable, Equatable {
    public var marker: String
    public var cut: String
    public init(marker: String, cut: String) {
      self.marker = marker
      self.cut = cut
    }
  }
  public struct Quadrant: Codable, Sendable, Equatable {
    public var id: String
    public var label: String?
    public var x: CutSide
    public var y: CutSide
    public init(id: String, label: String? = nil, x: CutSide, y: CutSide) {
      self.id = id
      self.label = label
      self.x = x
      self.y = y
    }
  }
  public init(x: Divider, y: Divider, quadrants: [Quadrant]) {
    self.x = x
    self.y = y
    self.quadrants = quadrants
  }
}

/// Counting beads: brighter than any cell in every detector. In the detectors of the first two
/// listed markers the file has (in order of preference, where beads shine brightest), the
/// brightest density mode of the uncompensated values must lie above `minFractionOfRange` ×
/// the channel's `$PnR`; the gate starts at the valley below it.
public struct BeadRule: Codable, Sendable, Equatable {
  public var markers: [String]
  /// 0.1 when absent.
  public var minFractionOfRange: Double?
  public init(markers: [String]) { self.markers = markers }
}
