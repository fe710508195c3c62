import CytoCore
import Foundation

/// A panel description: which markers it measures, how each is transformed, the gates drawn
/// in marker space, the data-driven or fixed cuts, and the clinical thresholds.
///
/// Stored as JSON (schema `cytoreset.panel/1`, documented in docs/panel.md). The built-in
/// ``PanelDefinition/reset`` panel is a package resource; a lab copies it
/// (`cytoreset panel export reset -o my.panel.json`), edits it and passes `--panel my.panel.json`.
/// Gates name markers, not channels: ``PanelResolver`` finds each marker's channel in a file
/// from `$PnS` (then `$PnN`), computes the cuts, and builds a Gating-ML ``GatingStrategy``.
public struct PanelDefinition: Codable, Sendable, Equatable {
  /// `cytoreset.panel/1`.
  public var schema: String
  /// Short name (`reset`).
  public var name: String
  public var title: String
  public var version: String
  /// Which spillover compensates fluorescence markers.
  public var compensation: CompensationSource
  public var transforms: [TransformDefinition]
  public var markers: [MarkerDefinition]
  public var cuts: [CutDefinition]
  public var gates: [GateDefinition]
  /// Which gates the clinical numbers are computed from.
  public var roles: PopulationRoles
  /// Populations reported, in order, with labels and the denominator of their fraction.
  public var report: [ReportedPopulation]
  public var thresholds: ClinicalThresholds

  public static let schemaName = "cytoreset.panel/1"

  /// Where fluorescence compensation comes from.
  public enum CompensationSource: String, Codable, Sendable {
    /// The file's `$SPILLOVER`/`SPILL`; a file without one is analysed uncompensated with a warning.
    case file
    /// No compensation (files compensated on the instrument).
    case none
  }

  /// The panel as a JSON document (sorted keys, pretty-printed).
  public func jsonData() throws -> Data {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return try e.encode(self)
  }

  /// Reads and validates a panel JSON document.
  /// - Throws: ``PanelError`` naming the file and what is wrong.
  public init(json data: Data, source: String) throws {
    do {
      self = try JSONDecoder().decode(PanelDefinition.self, from: data)
    } catch let e as DecodingError {
      throw PanelError.malformed(file: source, detail: Self.describe(e))
    }
    try validate(source: source)
  }

  /// Reads a panel JSON file.
  public init(contentsOf path: String) throws {
    guard let data = FileManager.default.contents(atPath: path) else { throw PanelError.unreadable(file: path) }
    try self.init(json: data, source: path)
  }

  /// The built-in immune-reset panel (package resource `reset.panel.json`).
  public static var reset: PanelDefinition {
    get throws { try PanelDefinition(json: Data(PackageResources.reset_panel_json), source: "built-in panel 'reset'") }
  }

  /// A built-in panel by name, or a panel file by path.
  public static func named(_ nameOrPath: String) throws -> PanelDefinition {
    if nameOrPath == "reset" { return try reset }
    return try PanelDefinition(contentsOf: nameOrPath)
  }

  private static func describe(_ e: DecodingError) -> String {
    func path(_ c: [CodingKey]) -> String { c.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined() }
    switch e {
    case .keyNotFound(let k, let ctx): return "missing key '\(k.stringValue)' at \(path(ctx.codingPath).isEmpty ? "top level" : path(ctx.codingPath))"
    case .typeMismatch(_, let ctx), .valueNotFound(_, let ctx): return "\(ctx.debugDescription) at \(path(ctx.codingPath))"
    case .dataCorrupted(let ctx): return "\(ctx.debugDescription)\(ctx.codingPath.isEmpty ? "" : " at " + path(ctx.codingPath))"
    @unknown default: return String(describing: e)
    }
  }

  /// Checks references between markers, transforms, cuts, gates and roles.
  public func validate(source: String) throws {
    func fail(_ s: String) -> PanelError { .invalid(file: source, detail: s) }
    guard schema == Self.schemaName else {
      throw PanelError.unsupportedSchema(file: source, found: schema, supported: Self.schemaName)
    }
    let markerNames = Set(markers.map(\.marker))
    guard markerNames.count == markers.count else { throw fail("duplicate marker names") }
    let transformIDs = Set(transforms.map(\.id))
    guard transformIDs.count == transforms.count else { throw fail("duplicate transform ids") }
    for m in markers {
      if let t = m.transform, !transformIDs.contains(t) { throw fail("marker '\(m.marker)' uses unknown transform '\(t)'") }
      if m.aliases.isEmpty && m.channel == nil { throw fail("marker '\(m.marker)' has neither aliases nor a channel") }
    }
    let cutNames = Set(cuts.map(\.name))
    guard cutNames.count == cuts.count else { throw fail("duplicate cut names") }
    var populations: Set<String> = []
    for g in gates {
      for p in g.populationIDs {
        guard populations.insert(p).inserted else { throw fail("duplicate population id '\(p)'") }
      }
    }
    for g in gates {
      if let p = g.parent, !populations.contains(p) { throw fail("gate '\(g.id)' has unknown parent '\(p)'") }
      for d in g.dimensions where !markerNames.contains(d.marker) { throw fail("gate '\(g.id)' uses unknown marker '\(d.marker)'") }
      for c in g.cutReferences where !cutNames.contains(c) { throw fail("gate '\(g.id)' uses unknown cut '\(c)'") }
      for d in g.dimensions {
        if let t = d.transform, t != "none", !transformIDs.contains(t) { throw fail("gate '\(g.id)' uses unknown transform '\(t)'") }
      }
      try g.validateShape(source: source)
    }
    for c in cuts {
      guard markerNames.contains(c.marker) else { throw fail("cut '\(c.name)' uses unknown marker '\(c.marker)'") }
      if let p = c.population, !populations.contains(p) { throw fail("cut '\(c.name)' is computed on unknown population '\(p)'") }
      if c.mode == .valley {
        guard c.population != nil, let lo = c.searchMin, let hi = c.searchMax, lo < hi else {
          throw fail("valley cut '\(c.name)' needs a population and searchMin < searchMax")
        }
      }
    }
    for (role, id) in roles.all where !populations.contains(id) { throw fail("role '\(role)' names unknown population '\(id)'") }
    for r in report {
      guard populations.contains(r.population) else { throw fail("reported population '\(r.population)' is not a gate") }
      if let d = r.fractionOf, !populations.contains(d) { throw fail("reported population '\(r.population)' has unknown denominator '\(d)'") }
    }
    try thresholds.validate(source: source)
  }
}

/// A panel file that cannot be used.
public enum PanelError: Error, Equatable, CustomStringConvertible {
  case unreadable(file: String)
  case malformed(file: String, detail: String)
  case unsupportedSchema(file: String, found: String, supported: String)
  case invalid(file: String, detail: String)

  public var description: String {
    switch self {
    case .unreadable(let f): "\(f): cannot read the panel file"
    case .malformed(let f, let d): "\(f): not a valid panel JSON document: \(d)"
    case .unsupportedSchema(let f, let found, let s): "\(f): panel schema '\(found)' is not supported (this version reads '\(s)')"
    case .invalid(let f, let d): "\(f): \(d)"
    }
  }
}

/// A named scale transform (Gating-ML 2.0 parameters).
public struct TransformDefinition: Codable, Sendable, Equatable {
  public var id: String
  public var kind: Kind
  /// Top of scale (data units).
  public var T: Double
  /// Linearization width (decades; logicle only).
  public var W: Double?
  /// Decades.
  public var M: Double
  /// Additional negative decades.
  public var A: Double?

  public enum Kind: String, Codable, Sendable {
    case logicle, fasinh, flin
  }

  public init(id: String, kind: Kind, T: Double, W: Double? = nil, M: Double, A: Double? = nil) {
    self.id = id
    self.kind = kind
    self.T = T
    self.W = W
    self.M = M
    self.A = A
  }
}

/// A marker and how to find its channel in a file.
public struct MarkerDefinition: Codable, Sendable, Equatable {
  /// The marker's name in the panel (`CD19`, `CAR`, `FSC-A`).
  public var marker: String
  /// Names that identify the marker in `$PnS` (token-wise, case-insensitive: `CD19` matches
  /// `CD19 BV421`, `CD19-PE`, `BV421 CD19`, not `CD190`); the longest matching alias wins
  /// when several markers match one channel. For scatter, names matched against `$PnN`.
  public var aliases: [String]
  /// An explicit `$PnN` to use, overriding alias matching (a lab's fixed mapping).
  public var channel: String?
  /// The default transform of the marker's gate dimensions (`nil`: linear scale).
  public var transform: String?
  /// Whether the marker is a scatter parameter (never compensated, matched on `$PnN`).
  public var scatter: Bool?
  /// A marker the analysis can do without (gates using it are dropped with a warning).
  public var optional: Bool?

  public var isScatter: Bool { scatter ?? false }
  public var isOptional: Bool { optional ?? false }

  public init(marker: String, aliases: [String], channel: String? = nil, transform: String? = nil, scatter: Bool? = nil,
              optional: Bool? = nil) {
    self.marker = marker
    self.aliases = aliases
    self.channel = channel
    self.transform = transform
    self.scatter = scatter
    self.optional = optional
  }
}

/// A marker-positive cut: a fixed position, or the density valley between the negative and
/// positive peaks of the marker within a population, computed per sample.
public struct CutDefinition: Codable, Sendable, Equatable {
  public var name: String
  public var marker: String
  public var mode: Mode
  /// The cut in transformed (display) units: the value used in `fixed` mode, and the fallback
  /// of `valley` mode when the sample has no valley.
  public var value: Double
  /// Population whose events the valley is searched in.
  public var population: String?
  /// The window (display units) the valley must lie in.
  public var searchMin: Double?
  public var searchMax: Double?
  /// The fewest events each side of the valley needs for a valley to count (default 20).
  public var minPeakEvents: Int?

  public enum Mode: String, Codable, Sendable {
    case fixed, valley
  }

  public init(name: String, marker: String, mode: Mode, value: Double, population: String? = nil, searchMin: Double? = nil,
              searchMax: Double? = nil, minPeakEvents: Int? = nil) {
    self.name = name
    self.marker = marker
    self.mode = mode
    self.value = value
    self.population = population
    self.searchMin = searchMin
    self.searchMax = searchMax
    self.minPeakEvents = minPeakEvents
  }
}

/// One gate dimension: a marker, whether it is compensated, and its transform.
public struct PanelDimension: Codable, Sendable, Equatable {
  public var marker: String
  /// Override the marker's default transform; `"none"` for a linear scale.
  public var transform: String?
  /// Read uncompensated values (default: compensated for fluorescence markers).
  public var uncompensated: Bool?

  public init(marker: String, transform: String? = nil, uncompensated: Bool? = nil) {
    self.marker = marker
    self.transform = transform
    self.uncompensated = uncompensated
  }
}

/// A gate coordinate: a number (display units of its dimension), or the value of a named cut.
public enum Coordinate: Codable, Sendable, Equatable {
  case value(Double)
  case cut(String)

  public init(from decoder: Decoder) throws {
    let c = try decoder.singleValueContainer()
    if let v = try? c.decode(Double.self) {
      self = .value(v)
      return
    }
    struct Ref: Codable { var cut: String }
    self = .cut(try c.decode(Ref.self).cut)
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.singleValueContainer()
    switch self {
    case .value(let v): try c.encode(v)
    case .cut(let name): try c.encode(["cut": name])
    }
  }

  var cutName: String? { if case .cut(let n) = self { n } else { nil } }
}

/// A gate in marker space.
public struct GateDefinition: Codable, Sendable, Equatable {
  public var id: String
  public var parent: String?
  /// Label for reports (`CD19⁺ B cells`).
  public var label: String?
  public var kind: Kind
  /// Rectangle sides (`kind == rectangle`).
  public var sides: [Side]?
  /// Polygon axes and vertices (`kind == polygon`).
  public var x: PanelDimension?
  public var y: PanelDimension?
  public var vertices: [[Double]]?
  /// Quadrant dividers and populations (`kind == quadrant`).
  public var dividers: [Divider]?
  public var quadrants: [QuadrantPopulation]?

  public enum Kind: String, Codable, Sendable {
    case rectangle, polygon, quadrant
  }

  /// `min ≤ x < max` along one dimension; a missing end is open.
  public struct Side: Codable, Sendable, Equatable {
    public var dimension: PanelDimension
    public var min: Coordinate?
    public var max: Coordinate?
    public init(_ dimension: PanelDimension, min: Coordinate? = nil, max: Coordinate? = nil) {
      self.dimension = dimension
      self.min = min
      self.max = max
    }
  }

  public struct Divider: Codable, Sendable, Equatable {
    public var id: String
    public var dimension: PanelDimension
    public var at: Coordinate
  }

  /// A quadrant: which side of each divider (`negative` below the cut, `positive` at or above).
  public struct QuadrantPopulation: Codable, Sendable, Equatable {
    public var id: String
    public var label: String?
    public var sides: [String: Sign]
  }

  public enum Sign: String, Codable, Sendable {
    case negative, positive
  }

  /// The populations this gate defines.
  public var populationIDs: [String] { kind == .quadrant ? (quadrants ?? []).map(\.id) : [id] }

  /// Every dimension the gate reads.
  public var dimensions: [PanelDimension] {
    switch kind {
    case .rectangle: (sides ?? []).map(\.dimension)
    case .polygon: [x, y].compactMap { $0 }
    case .quadrant: (dividers ?? []).map(\.dimension)
    }
  }

  var cutReferences: [String] {
    switch kind {
    case .rectangle: (sides ?? []).flatMap { [$0.min?.cutName, $0.max?.cutName].compactMap { $0 } }
    case .polygon: []
    case .quadrant: (dividers ?? []).compactMap(\.at.cutName)
    }
  }

  func validateShape(source: String) throws {
    func fail(_ s: String) -> PanelError { .invalid(file: source, detail: "gate '\(id)': \(s)") }
    switch kind {
    case .rectangle:
      guard let s = sides, !s.isEmpty else { throw fail("a rectangle needs at least one side") }
      for side in s where side.min == nil && side.max == nil { throw fail("side '\(side.dimension.marker)' has neither min nor max") }
    case .polygon:
      guard x != nil, y != nil else { throw fail("a polygon needs x and y") }
      guard let v = vertices, v.count >= 3, v.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isFinite) }) else {
        throw fail("a polygon needs at least 3 finite [x, y] vertices")
      }
    case .quadrant:
      guard let d = dividers, !d.isEmpty, let q = quadrants, !q.isEmpty else { throw fail("a quadrant gate needs dividers and quadrants") }
      let ids = Set(d.map(\.id))
      for p in q {
        for k in p.sides.keys where !ids.contains(k) { throw fail("quadrant '\(p.id)' names unknown divider '\(k)'") }
      }
    }
  }
}

/// Which populations the clinical numbers come from.
public struct PopulationRoles: Codable, Sendable, Equatable {
  /// Counting beads (single-platform absolute counts).
  public var beads: String
  /// Lymphocytes: the denominator of "% of lymphocytes" and of dual-platform counts.
  public var lymphocytes: String
  /// CD45⁺ leukocytes.
  public var leukocytes: String
  /// CD3⁺ T cells (denominator of CAR⁺ % of CD3).
  public var tCells: String
  /// CD19⁺ B cells (aplasia, reconstitution).
  public var bCells: String
  /// CAR⁺ T cells.
  public var carT: String
  /// Naive B cells (naive fraction of returning B cells).
  public var naiveB: String

  var all: [(String, String)] {
    [("beads", beads), ("lymphocytes", lymphocytes), ("leukocytes", leukocytes), ("tCells", tCells), ("bCells", bCells),
     ("carT", carT), ("naiveB", naiveB)]
  }
}

/// A population in the report: its label and the population its "% of" column divides by.
public struct ReportedPopulation: Codable, Sendable, Equatable {
  public var population: String
  public var label: String
  /// The denominator of ``percentOf`` (`nil`: the gate's parent).
  public var fractionOf: String?
}
