import CytoCore
import Foundation

/// A panel: the markers an assay measures and how to find them in a file, how each population
/// is gated from the file's own events, which populations play which clinical role, what is
/// reported, and the clinical thresholds.
///
/// Stored as JSON (schema `cytoreset.panel/2`, documented in docs/panel.md). Gates name
/// markers, not channels, and hold no fixed coordinates: each population says *how* it is found
/// (a density valley, a negative reference, a 2-D cluster, a singlet band; ``GateRule``), and
/// ``AdaptiveGating`` finds it in each file, recording the evidence. A population declares the
/// markers it needs; in a file without them it is skipped (a pass-through, recorded) or not
/// reported (with the reason), never silently re-parented.
///
/// Built-in panels (``PanelLibrary``): `reset`, `bcell`, `tbnk`, `cart`, `massbcell`; `auto`
/// picks the one that best covers a file's markers.
public struct PanelDefinition: Codable, Sendable, Equatable {
  /// `cytoreset.panel/2`.
  public var schema: String
  /// Short name (`reset`).
  public var name: String
  public var title: String
  public var version: String
  /// The gating strategy in words, and where it comes from.
  public var description: String?
  /// Literature or protocols the strategy follows.
  public var sources: [String]?
  /// Which spillover compensates fluorescence markers.
  public var compensation: CompensationSource
  /// Display scales per instrument class (defaults when absent).
  public var scales: ScaleRules?
  public var markers: [MarkerDefinition]
  public var cuts: [CutDefinition]
  public var populations: [PopulationDefinition]
  /// Which populations the clinical numbers are computed from.
  public var roles: PopulationRoles
  /// Populations reported, in order, with labels and the denominator of their fraction.
  public var report: [ReportedPopulation]
  public var thresholds: ClinicalThresholds

  public static let schemaName = "cytoreset.panel/2"

  /// Where fluorescence compensation comes from.
  public enum CompensationSource: String, Codable, Sendable {
    /// The file's `$SPILLOVER`/`SPILL`; a file without one is analysed uncompensated with a warning.
    case file
    /// No compensation (files compensated or unmixed on the instrument).
    case none
  }

  /// The scale rules in force (the panel's, else the defaults).
  public var effectiveScales: ScaleRules { scales ?? ScaleRules() }

  /// The panel as a JSON document (sorted keys, pretty-printed).
  public func jsonData() throws -> Data {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return try e.encode(self)
  }

  /// Reads and validates a panel JSON document.
  /// - Throws: ``PanelError`` naming the file, the key (as a JSON path) and what is wrong.
  public init(json data: Data, source: String) throws {
    try self.init(json: data, source: source, keys: .checked)
  }

  /// Whether a document's keys are checked against what the decoder used.
  enum KeyCheck {
    /// Every key must be known (user panels).
    case checked
    /// The built-in panels, checked by the test suite instead of on every load (the check
    /// decodes and re-encodes the whole document).
    case builtIn
  }

  init(json data: Data, source: String, keys: KeyCheck) throws {
    // The schema first, so an old panel gets a useful message rather than a key error.
    if keys == .checked, let top = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let s = top["schema"] as? String,
       s != Self.schemaName {
      throw PanelError.unsupportedSchema(file: source, found: s, supported: Self.schemaName)
    }
    do {
      self = try JSONDecoder().decode(PanelDefinition.self, from: data)
    } catch let e as DecodingError {
      throw PanelError.malformed(file: source, detail: Self.describe(e))
    } catch {
      throw PanelError.malformed(file: source, detail: "\(error)")
    }
    if keys == .checked, let key = try UnknownKeys.first(in: data, decoded: self) {
      throw PanelError.malformed(file: source, detail: "unknown key '\(key)'")
    }
    try validate(source: source)
  }

  /// Reads a panel JSON file.
  public init(contentsOf path: String) throws {
    guard let data = FileManager.default.contents(atPath: path) else { throw PanelError.unreadable(file: path) }
    try self.init(json: data, source: path)
  }

  /// A built-in panel by name (``PanelLibrary/names``), or a panel file by path.
  public static func named(_ nameOrPath: String) throws -> PanelDefinition {
    if let p = try PanelLibrary.builtIn(nameOrPath) { return p }
    return try PanelDefinition(contentsOf: nameOrPath)
  }

  /// The built-in immune-reset panel.
  public static var reset: PanelDefinition {
    get throws { try PanelLibrary.builtIn("reset")! }
  }

  static func describe(_ e: DecodingError) -> String {
    func path(_ c: [CodingKey]) -> String {
      var s = ""
      for k in c {
        if let i = k.intValue { s += "[\(i)]" } else { s += s.isEmpty ? k.stringValue : ".\(k.stringValue)" }
      }
      return s.isEmpty ? "the top level" : s
    }
    switch e {
    case .keyNotFound(let k, let ctx): return "missing key '\(k.stringValue)' in \(path(ctx.codingPath))"
    case .typeMismatch(_, let ctx), .valueNotFound(_, let ctx): return "\(path(ctx.codingPath)): \(ctx.debugDescription)"
    case .dataCorrupted(let ctx): return ctx.codingPath.isEmpty ? ctx.debugDescription : "\(path(ctx.codingPath)): \(ctx.debugDescription)"
    @unknown default: return String(describing: e)
    }
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
    case .unsupportedSchema(let f, let found, let s):
      "\(f): panel schema '\(found)' is not supported (this version reads '\(s)'; export a built-in panel with `cytoreset panel export` and re-apply your edits)"
    case .invalid(let f, let d): "\(f): \(d)"
    }
  }
}

/// Which populations the clinical numbers come from. Every role is optional: a panel without
/// beads has no single-platform counts, one without CAR reagent no CAR T call.
public struct PopulationRoles: Codable, Sendable, Equatable {
  /// Counting beads (single-platform absolute counts).
  public var beads: String?
  /// Lymphocytes: the denominator of "% of lymphocytes" and of dual-platform counts.
  public var lymphocytes: String?
  /// CD45⁺ leukocytes.
  public var leukocytes: String?
  /// CD3⁺ T cells (denominator of CAR⁺ % of CD3).
  public var tCells: String?
  /// CD19⁺ B cells (aplasia, reconstitution).
  public var bCells: String?
  /// CAR⁺ T cells.
  public var carT: String?
  /// Naive B cells (naive fraction of returning B cells).
  public var naiveB: String?

  public init(beads: String? = nil, lymphocytes: String? = nil, leukocytes: String? = nil, tCells: String? = nil,
              bCells: String? = nil, carT: String? = nil, naiveB: String? = nil) {
    self.beads = beads
    self.lymphocytes = lymphocytes
    self.leukocytes = leukocytes
    self.tCells = tCells
    self.bCells = bCells
    self.carT = carT
    self.naiveB = naiveB
  }

  var all: [(String, String)] {
    [("beads", beads), ("lymphocytes", lymphocytes), ("leukocytes", leukocytes), ("tCells", tCells), ("bCells", bCells),
     ("carT", carT), ("naiveB", naiveB)].compactMap { r in r.1.map { (r.0, $0) } }
  }
}

/// A population in the report: its label and the population its "% of" column divides by.
public struct ReportedPopulation: Codable, Sendable, Equatable {
  public var population: String
  public var label: String
  /// The denominator of ``PopulationResult/percentOf`` (`nil`: the gate's parent).
  public var fractionOf: String?

  public init(population: String, label: String, fractionOf: String? = nil) {
    self.population = population
    self.label = label
    self.fractionOf = fractionOf
  }
}
