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
  /// `scatter` for light scatter and other instrument parameters (event length): matched on
  /// `$PnN`, never compensated, shown on a linear scale. Absent: a stained marker.
  public var kind: Kind?

  /// What kind of parameter a marker is.
  public enum Kind: String, Codable, Sendable {
    /// A stained marker: compensated with the file's spillover, displayed on the instrument
    /// class's scale (logicle, or arcsinh for spectral and mass cytometry).
    case marker
    /// Light scatter or an instrument parameter (`FSC-A`, `Event_length`).
    case scatter
  }

  /// Resolution may leave this marker without a channel (set while resolving; not in the JSON:
  /// in a panel every marker is optional and each population declares what it needs).
  var optional: Bool?

  enum CodingKeys: String, CodingKey { case marker, aliases, channel, kind }

  public var isScatter: Bool { kind == .scatter }
  public var isOptional: Bool { optional ?? false }

  public init(marker: String, aliases: [String], channel: String? = nil, scatter: Bool? = nil, optional: Bool? = nil) {
    self.marker = marker
    self.aliases = aliases
    self.channel = channel
    self.kind = scatter == true ? .scatter : nil
    self.optional = optional
  }
}

/// How markers are displayed (and gated) per instrument class. Every file's scale is made from
/// these rules and the file's own data, and recorded with the analysis.
public struct ScaleRules: Codable, Sendable, Equatable {
  /// Conventional fluorescence: logicle with W from the negative spread.
  public var conventional: ScaleRule
  /// Spectral (unmixed) fluorescence.
  public var spectral: ScaleRule
  /// Mass cytometry.
  public var mass: ScaleRule

  public init(conventional: ScaleRule = .logicle(LogicleRule()), spectral: ScaleRule = .arcsinh(cofactor: 1000),
              mass: ScaleRule = .arcsinh(cofactor: 5)) {
    self.conventional = conventional
    self.spectral = spectral
    self.mass = mass
  }
}

/// A display-scale rule.
public enum ScaleRule: Codable, Sendable, Equatable {
  /// Logicle (Parks, Roederer & Moore 2006) with top T = the channel's range, M decades, and
  /// the linear width W estimated from the file's negative values.
  case logicle(LogicleRule)
  /// arcsinh(x / cofactor) (Bendall et al. 2011: 5 for mass cytometry).
  case arcsinh(cofactor: Double)

  enum CodingKeys: String, CodingKey { case kind, M, A, negativeQuantile, cofactor }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    switch try c.decode(String.self, forKey: .kind) {
    case "logicle":
      var r = LogicleRule()
      r.M = try c.decodeIfPresent(Double.self, forKey: .M) ?? r.M
      r.A = try c.decodeIfPresent(Double.self, forKey: .A) ?? r.A
      r.negativeQuantile = try c.decodeIfPresent(Double.self, forKey: .negativeQuantile) ?? r.negativeQuantile
      self = .logicle(r)
    case "arcsinh":
      self = .arcsinh(cofactor: try c.decode(Double.self, forKey: .cofactor))
    case let k:
      throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "unknown scale kind '\(k)' (logicle, arcsinh)")
    }
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    switch self {
    case .logicle(let r):
      try c.encode("logicle", forKey: .kind)
      try c.encode(r.M, forKey: .M)
      try c.encode(r.A, forKey: .A)
      try c.encode(r.negativeQuantile, forKey: .negativeQuantile)
    case .arcsinh(let cofactor):
      try c.encode("arcsinh", forKey: .kind)
      try c.encode(cofactor, forKey: .cofactor)
    }
  }
}

/// Logicle parameters other than T and W: W is estimated per file and channel as
/// W = (M − log10(T / |r|)) / 2, r the `negativeQuantile` quantile of the channel's negative
/// values (flowCore `estimateLogicle`, from Parks et al. 2006), clamped to [0, M/2 − 0.05].
public struct LogicleRule: Codable, Sendable, Equatable {
  public var M: Double = 4.5
  public var A: Double = 0
  public var negativeQuantile: Double = 0.05
  public init() {}
}
