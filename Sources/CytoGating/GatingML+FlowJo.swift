import CytoCore

/// The dialect a Gating-ML document is written in.
public enum GatingMLDialect: Hashable, Sendable {
  /// Gating-ML 2.0 as the standard defines it.
  case standard
  /// FlowJo's Gating-ML 2.0 export (docs/flowjo.md, "FlowJo's Gating-ML 2.0 export").
  case flowJoExport(FlowJoGatingMLExport)
}

/// What a FlowJo Gating-ML 2.0 export says beyond the standard, as read from the document.
///
/// **Detection.** A document is a FlowJo export when at least one of its gate elements carries
/// one of FlowJo's *unnamespaced* gate attributes (``attributeNames``: `eventsInside`,
/// `gateResolution`, `annoOffsetX`, `tint`, `quadId`, `percentX`, …). The standard defines no
/// such attributes, so a standard document is never read as this dialect.
///
/// **Meaning.** In such a document:
/// - a dimension named `Comp-X` with no `compensation-ref` is FlowJo's compensated parameter:
///   channel `X` compensated with the sample's matrix. The export carries neither the matrix nor
///   its name; for an acquisition-defined matrix that is the file's spillover keyword, so the
///   engine reads it as `X` with `compensation-ref="FCS"` when the file has a spillover matrix
///   covering `X` (``GatingStrategy/resolved(for:)``), and refuses otherwise, naming the gate,
///   the dimension and the file's channels. A file that has a channel literally named `Comp-X`
///   (an FCS file FlowJo wrote compensated) is read as stored;
/// - `eventsInside="0"` selects the events outside the shape (``ShapeRegion/outside``);
/// - every other FlowJo attribute (display settings, and `gateResolution`, FlowJo's display
///   grid) changes nothing: polygons are tested exactly in data space.
public struct FlowJoGatingMLExport: Hashable, Sendable {
  /// The prefix FlowJo gives compensated parameters.
  public static let compensatedPrefix = "Comp-"
  /// FlowJo's unnamespaced gate attributes, which mark the dialect.
  public static let attributeNames: Set<String> = [
    "eventsInside", "annoOffsetX", "annoOffsetY", "tint", "isTinted", "lineWeight", "userDefined", "quadId",
    "gateResolution", "percentX", "percentY",
  ]

  /// FlowJo attributes found on the document's gates other than `eventsInside`, sorted: read
  /// and ignored.
  public var ignoredAttributes: [String]
  /// Dimension names written `Comp-X` without `compensation-ref`, sorted.
  public var compensatedNames: [ChannelName]
  /// Gates with `eventsInside="0"`, in document order.
  public var outsideGates: [GateID]

  public init(ignoredAttributes: [String], compensatedNames: [ChannelName], outsideGates: [GateID]) {
    self.ignoredAttributes = ignoredAttributes
    self.compensatedNames = compensatedNames
    self.outsideGates = outsideGates
  }
}

extension GatingStrategy {
  /// The strategy as the engine evaluates it on `input` (``GatingEngine/evaluate(_:on:)`` calls
  /// this first), with notes saying what was decided.
  ///
  /// A standard strategy is returned unchanged, without notes. For a FlowJo export every
  /// `Comp-X` dimension without `compensation-ref` becomes channel `X` with
  /// ``CompensationReference/fileSpillover``, unless the file has a channel named `Comp-X`
  /// (then read as stored); the result is a standard strategy.
  /// - Throws: ``GatingStrategyError/unresolvedFlowJoDimension(_:gate:reason:available:)`` when
  ///   neither `Comp-X` nor `X` is a channel, the file has no spillover matrix, or its matrix
  ///   does not cover `X`. Nothing is guessed.
  public func resolved(for input: GatingInput) throws -> (strategy: GatingStrategy, diagnostics: [Diagnostic]) {
    try resolved(channels: input.channels, fileSpillover: input.fileSpillover, spilloverKeyword: input.fileSpilloverKeyword)
  }

  func resolved(channels: [ChannelName], fileSpillover: SpilloverMatrix?,
                spilloverKeyword: String?) throws -> (strategy: GatingStrategy, diagnostics: [Diagnostic]) {
    guard case .flowJoExport(let export) = dialect else { return (self, []) }
    let matrixName = spilloverKeyword ?? "spillover matrix"
    let compNames = Set(export.compensatedNames)
    var readAsCompensated: [ChannelName] = [], readAsStored: [ChannelName] = []
    func resolve(_ d: GateDimension, _ gate: GateID) throws -> GateDimension {
      guard case .channel(let name) = d.source, d.compensation == .uncompensated, compNames.contains(name) else { return d }
      if channels.contains(name) {
        if !readAsStored.contains(name) { readAsStored.append(name) }
        return d
      }
      let x = ChannelName(String(name.rawValue.dropFirst(FlowJoGatingMLExport.compensatedPrefix.count)))
      func refuse(_ why: String) -> GatingStrategyError {
        .unresolvedFlowJoDimension(name, gate: gate, reason: why, available: channels)
      }
      guard channels.contains(x) else { throw refuse("neither \(name) nor \(x) is a channel of the file") }
      guard let spill = fileSpillover else {
        throw refuse("\(name) is \(x) compensated with the sample's matrix, but the file has no spillover matrix "
          + "($SPILLOVER, SPILL, $SPILL, SPILLOVER, $COMP or $DFC) and the export does not carry FlowJo's")
      }
      guard spill.fluorochromes.contains(x) else {
        throw refuse("\(name) is \(x) compensated with the sample's matrix, but the file's \(matrixName) does not cover \(x) "
          + "(it covers " + spill.fluorochromes.map(\.rawValue).joined(separator: ", ") + ")")
      }
      if !readAsCompensated.contains(name) { readAsCompensated.append(name) }
      return GateDimension(.channel(x), compensation: .fileSpillover, transform: d.transform)
    }
    var gates = self.gates
    for i in gates.indices { gates[i].shape = try gates[i].shape.mappingDimensions { try resolve($0, gates[i].id) } }
    var notes: [Diagnostic] = []
    func note(_ code: String, _ message: String) { notes.append(Diagnostic(.note, .init(code), "FlowJo Gating-ML export: " + message)) }
    if !readAsCompensated.isEmpty {
      let prefix = FlowJoGatingMLExport.compensatedPrefix
      note("gating.flowjo.compensatedDimensions", readAsCompensated.map(\.rawValue).joined(separator: ", ") + " read as "
        + readAsCompensated.map { String($0.rawValue.dropFirst(prefix.count)) }.joined(separator: ", ")
        + " compensated with the file's \(matrixName)")
    }
    if !readAsStored.isEmpty {
      note("gating.flowjo.storedCompensated", readAsStored.map(\.rawValue).joined(separator: ", ")
        + " read as stored: the file has channels of those names (compensated by FlowJo when it wrote the file)")
    }
    if !export.outsideGates.isEmpty {
      note("gating.flowjo.eventsOutside", "gate(s) " + export.outsideGates.map(\.rawValue).joined(separator: ", ")
        + " select the events outside their shape (eventsInside=\"0\")")
    }
    if !export.ignoredAttributes.isEmpty {
      note("gating.flowjo.ignoredAttributes", "FlowJo's gate attributes " + export.ignoredAttributes.joined(separator: ", ")
        + " ignored; gates are tested exactly in data space"
        + (export.ignoredAttributes.contains("gateResolution") ? ", not on FlowJo's display grid (gateResolution)" : ""))
    }
    let out = try GatingStrategy(transformations: Array(transformations.values), spectrumMatrices: Array(spectrumMatrices.values),
                                 gates: gates)
    return (out, notes)
  }
}

extension GateShape {
  /// The shape with every dimension replaced by `transform(dimension)`.
  func mappingDimensions(_ transform: (GateDimension) throws -> GateDimension) rethrows -> GateShape {
    switch self {
    case .rectangle(let sides):
      return .rectangle(try sides.map { RectangleSide(try transform($0.dimension), min: $0.min, max: $0.max) })
    case .polygon(let x, let y, let v):
      return .polygon(x: try transform(x), y: try transform(y), vertices: v)
    case .ellipsoid(let d, let mean, let cov, let d2):
      return .ellipsoid(dimensions: try d.map(transform), mean: mean, covariance: cov, distanceSquare: d2)
    case .quadrant(let dividers, let q):
      return .quadrant(dividers: try dividers.map { QuadrantDivider(id: $0.id, dimension: try transform($0.dimension), values: $0.values) },
                       quadrants: q)
    case .boolean:
      return self
    }
  }
}

extension Importer {
  /// Which side of its shape gate element `e` selects: FlowJo's unnamespaced `eventsInside`
  /// ("1" or absent: inside, "0": outside).
  func region(_ e: E) throws -> ShapeRegion {
    guard let v = e.qualifiedAttributes["eventsInside"] else { return .inside }
    switch v.trimmingCharacters(in: .whitespaces) {
    case "1": return .inside
    case "0":
      guard ["RectangleGate", "PolygonGate", "EllipsoidGate"].contains(e.name) else {
        throw fail(e, "eventsInside=\"0\" (FlowJo: the events outside the shape) is only read on rectangle, polygon and ellipsoid gates")
      }
      return .outside
    default: throw fail(e, "eventsInside=\"\(v)\" must be 0 or 1")
    }
  }

  /// The document's dialect, from its gate elements (see ``FlowJoGatingMLExport``).
  /// - Throws: ``GatingMLError`` when one `Comp-` name appears both with and without
  ///   `compensation-ref` in a FlowJo export (the two meanings cannot be told apart).
  func dialect(_ gateElements: [E], gates: [Gate]) throws -> GatingMLDialect {
    var found: Set<String> = []
    for e in gateElements {
      for key in e.qualifiedAttributes.keys where FlowJoGatingMLExport.attributeNames.contains(key) { found.insert(key) }
    }
    guard !found.isEmpty else { return .standard }
    var implicit: Set<ChannelName> = [], explicit: [ChannelName: E] = [:]
    for e in gateElements {
      for dim in e.children where dim.namespace == g && (dim.name == "dimension" || dim.name == "divider") {
        guard let name = dim.child(d, "fcs-dimension")?.attribute("name"), name.hasPrefix(FlowJoGatingMLExport.compensatedPrefix),
              name.count > FlowJoGatingMLExport.compensatedPrefix.count else { continue }
        if dim.attribute("compensation-ref") == nil { implicit.insert(ChannelName(name)) } else { explicit[ChannelName(name)] = dim }
      }
    }
    if let (name, dim) = explicit.first(where: { implicit.contains($0.key) }) {
      throw fail(dim, "\(name) appears with and without compensation-ref in a FlowJo Gating-ML export: ambiguous")
    }
    return .flowJoExport(FlowJoGatingMLExport(
      ignoredAttributes: found.subtracting(["eventsInside"]).sorted(),
      compensatedNames: implicit.sorted { $0.rawValue < $1.rawValue },
      outsideGates: gates.filter { $0.region == .outside }.map(\.id)))
  }
}
