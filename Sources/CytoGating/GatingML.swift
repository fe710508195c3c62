import CytoCore
import CytoTransforms
import Foundation

/// Reads and writes Gating-ML 2.0 documents.
///
/// Supported: rectangle, polygon, ellipsoid, quadrant and Boolean gates with parent links;
/// `fcs-dimension` and `new-dimension` (ratio) dimensions with their compensation and
/// transformation references; the transformations `flin`, `flog`, `fasinh`, `logicle`,
/// `hyperlog`, `fratio` with `boundMin`/`boundMax`; `spectrumMatrix` (including non-square and
/// `matrix-inverted-already`). Anything else is an error naming the element and its line.
///
/// FlowJo's Gating-ML 2.0 export is recognised by FlowJo's unnamespaced gate attributes and
/// read as ``GatingMLDialect/flowJoExport(_:)``: `Comp-X` dimensions are resolved against each
/// file by the engine, `eventsInside="0"` selects the outside of a shape (``FlowJoGatingMLExport``).
public enum GatingML {
  static let gatingNS = "http://www.isac-net.org/std/Gating-ML/v2.0/gating"
  static let transformsNS = "http://www.isac-net.org/std/Gating-ML/v2.0/transformations"
  static let dataTypeNS = "http://www.isac-net.org/std/Gating-ML/v2.0/datatypes"

  /// Parses a Gating-ML 2.0 document. `file` is used in error messages.
  public static func read(_ data: Data, file: String? = nil) throws -> GatingStrategy {
    do {
      let root: XMLElement
      do { root = try XMLTreeBuilder.parse(data) } catch {
        throw GatingMLError(error.message, element: error.element, line: error.line, file: file)
      }
      return try Importer().strategy(root)
    } catch var e as GatingMLError {
      e.file = e.file ?? file
      throw e
    } catch let e as GatingStrategyError {
      throw GatingMLError(e.description, file: file)
    }
  }

  /// Parses the Gating-ML 2.0 file at `path`.
  public static func read(contentsOf path: String) throws -> GatingStrategy {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw GatingMLError("cannot read the file", file: path)
    }
    return try read(data, file: path)
  }
}

/// Builds a strategy from the XML tree.
struct Importer {
  typealias E = XMLElement
  let g = GatingML.gatingNS, t = GatingML.transformsNS, d = GatingML.dataTypeNS

  func fail(_ e: E, _ message: String) -> GatingMLError {
    GatingMLError(message, element: e.qualifiedName, line: e.line)
  }

  func number(_ e: E, _ attr: String, required: Bool = true) throws -> Double? {
    guard let s = e.attribute(attr) else {
      if required { throw fail(e, "missing attribute \(attr)") }
      return nil
    }
    guard let v = Double(s.trimmingCharacters(in: .whitespaces)), v.isFinite else {
      throw fail(e, "attribute \(attr)=\"\(s)\" is not a number")
    }
    return v
  }

  func strategy(_ root: E) throws -> GatingStrategy {
    guard root.namespace == g, root.name == "Gating-ML" else {
      throw fail(root, "not a Gating-ML 2.0 document (root element must be gating:Gating-ML in namespace \(g))")
    }
    var transformations: [Transformation] = []
    var matrices: [SpectrumMatrix] = []
    var gates: [Gate] = []
    var gateElements: [E] = []
    for c in root.children {
      switch (c.namespace, c.name) {
      case (d, "custom_info"): continue
      case (t, "transformation"): transformations.append(try transformation(c))
      case (t, "spectrumMatrix"): matrices.append(try spectrumMatrix(c))
      case (g, "RectangleGate"), (g, "PolygonGate"), (g, "EllipsoidGate"), (g, "QuadrantGate"), (g, "BooleanGate"):
        gates.append(try gate(c))
        gateElements.append(c)
      default:
        throw fail(c, "unknown or unsupported element")
      }
    }
    return try GatingStrategy(transformations: transformations, spectrumMatrices: matrices, gates: gates,
                              dialect: try dialect(gateElements, gates: gates))
  }

  // MARK: Transformations

  func transformation(_ e: E) throws -> Transformation {
    guard let id = e.attribute("id") else { throw fail(e, "missing attribute transforms:id") }
    let bMin = try number(e, "boundMin", required: false), bMax = try number(e, "boundMax", required: false)
    let bounds: TransformBounds?
    do { bounds = bMin == nil && bMax == nil ? nil : try TransformBounds(boundMin: bMin, boundMax: bMax) } catch {
      throw fail(e, "invalid bounds: \(error)")
    }
    let body = e.children.filter { !($0.namespace == d && $0.name == "custom_info") }
    guard body.count == 1, let f = body.first, f.namespace == t else {
      throw fail(e, "a transformation must contain exactly one transform element")
    }
    func p(_ name: String) throws -> Double { try number(f, name)! }
    do {
      switch f.name {
      case "flin": return Transformation(id: id, kind: .scale(.flin(try LinearParameters(t: p("T"), a: p("A")))), bounds: bounds)
      case "flog": return Transformation(id: id, kind: .scale(.flog(try LogarithmicParameters(t: p("T"), m: p("M")))), bounds: bounds)
      case "fasinh":
        return Transformation(id: id, kind: .scale(.fasinh(try ArcsinhParameters(t: p("T"), m: p("M"), a: p("A")))), bounds: bounds)
      case "logicle":
        return Transformation(id: id, kind: .scale(.logicle(try LogicleParameters(t: p("T"), w: p("W"), m: p("M"), a: p("A")))), bounds: bounds)
      case "hyperlog":
        return Transformation(id: id, kind: .scale(.hyperlog(try HyperlogParameters(t: p("T"), w: p("W"), m: p("M"), a: p("A")))), bounds: bounds)
      case "fratio":
        let dims = f.children(d, "fcs-dimension")
        guard dims.count == 2, let n = dims[0].attribute("name"), let m = dims[1].attribute("name") else {
          throw fail(f, "fratio needs exactly two data-type:fcs-dimension children with names")
        }
        return Transformation(id: id, kind: .ratio(try RatioTransform(a: p("A"), b: p("B"), c: p("C")),
                                                   numerator: ChannelName(n), denominator: ChannelName(m)), bounds: bounds)
      default:
        throw fail(f, "unknown transform \(f.qualifiedName)")
      }
    } catch let err as GatingMLError {
      throw err
    } catch {
      throw fail(f, "invalid parameters: \(error)")
    }
  }

  func spectrumMatrix(_ e: E) throws -> SpectrumMatrix {
    guard let id = e.attribute("id") else { throw fail(e, "missing attribute transforms:id") }
    let inverted = (e.attribute("matrix-inverted-already") ?? "false").lowercased() == "true"
    func names(_ tag: String) throws -> [ChannelName] {
      guard let c = e.child(t, tag) else { throw fail(e, "missing transforms:\(tag)") }
      return try c.children(d, "fcs-dimension").map { x in
        guard let n = x.attribute("name") else { throw fail(x, "missing data-type:name") }
        return ChannelName(n)
      }
    }
    let fluor = try names("fluorochromes"), det = try names("detectors")
    let rows = try e.children(t, "spectrum").map { s in
      try s.children(t, "coefficient").map { try number($0, "value")! }
    }
    // Spillover: one spectrum per fluorochrome, one coefficient per detector.
    // Inverted already: one row per detector, one coefficient per fluorochrome.
    let (r, c) = inverted ? (det.count, fluor.count) : (fluor.count, det.count)
    guard rows.count == r, rows.allSatisfy({ $0.count == c }) else {
      throw fail(e, "spectrumMatrix \(id) needs \(r) spectra of \(c) coefficients (\(fluor.count) fluorochromes, \(det.count) detectors\(inverted ? ", inverted already" : ""))")
    }
    // Names keep their roles; with `.inverse` the values are laid out detectors × fluorochromes.
    let matrix = SpilloverMatrix(fluorochromes: fluor, detectors: det, values: rows.flatMap { $0 })
    return SpectrumMatrix(id: id, matrix: matrix, form: inverted ? .inverse : .spillover)
  }

  // MARK: Gates

  func dimension(_ e: E) throws -> GateDimension {
    let comp = CompensationReference(gatingML: e.attribute("compensation-ref") ?? "uncompensated")
    let tr = e.attribute("transformation-ref")
    if let f = e.child(d, "fcs-dimension") {
      guard let n = f.attribute("name") else { throw fail(f, "missing data-type:name") }
      return GateDimension(.channel(ChannelName(n)), compensation: comp, transform: tr)
    }
    if let nd = e.child(d, "new-dimension") {
      guard let r = nd.attribute("transformation-ref") else { throw fail(nd, "missing data-type:transformation-ref") }
      return GateDimension(.ratio(r), compensation: comp, transform: tr)
    }
    throw fail(e, "a dimension needs a data-type:fcs-dimension or data-type:new-dimension")
  }

  func coordinates(_ e: E) throws -> [Double] {
    try e.children(g, "coordinate").map { try number($0, "value")! }
  }

  func gate(_ e: E) throws -> Gate {
    guard let idText = e.attribute("id") else { throw fail(e, "missing attribute gating:id") }
    let id = GateID(idText)
    let parent = e.attribute("parent_id").map { GateID($0) }
    let shape: GateShape
    switch e.name {
    case "RectangleGate":
      let sides = try e.children(g, "dimension").map { x in
        RectangleSide(try dimension(x), min: try number(x, "min", required: false), max: try number(x, "max", required: false))
      }
      for (x, s) in zip(e.children(g, "dimension"), sides) where s.min == nil && s.max == nil {
        throw fail(x, "a rectangle dimension needs gating:min or gating:max")
      }
      shape = .rectangle(sides)
    case "PolygonGate":
      let dims = try e.children(g, "dimension").map(dimension)
      guard dims.count == 2 else { throw fail(e, "a polygon gate needs exactly two dimensions") }
      let vs = try e.children(g, "vertex").map { v -> Vertex in
        let c = try coordinates(v)
        guard c.count == 2 else { throw fail(v, "a vertex needs two coordinates") }
        return Vertex(c[0], c[1])
      }
      guard vs.count >= 3 else { throw fail(e, "a polygon needs at least three vertices") }
      shape = .polygon(x: dims[0], y: dims[1], vertices: vs)
    case "EllipsoidGate":
      let dims = try e.children(g, "dimension").map(dimension)
      guard let meanE = e.child(g, "mean"), let covE = e.child(g, "covarianceMatrix"), let dsE = e.child(g, "distanceSquare") else {
        throw fail(e, "an ellipsoid needs gating:mean, gating:covarianceMatrix and gating:distanceSquare")
      }
      let cov = try covE.children(g, "row").map { r in try r.children(g, "entry").map { try number($0, "value")! } }
      shape = .ellipsoid(dimensions: dims, mean: try coordinates(meanE), covariance: cov, distanceSquare: try number(dsE, "value")!)
    case "QuadrantGate":
      let dividers = try e.children(g, "divider").map { x -> QuadrantDivider in
        guard let did = x.attribute("id") else { throw fail(x, "missing gating:id") }
        let vals = try x.children(g, "value").map { v -> Double in
          guard let n = Double(v.text.trimmingCharacters(in: .whitespacesAndNewlines)) else { throw fail(v, "not a number: \(v.text)") }
          return n
        }
        guard !vals.isEmpty else { throw fail(x, "a divider needs at least one gating:value") }
        return QuadrantDivider(id: did, dimension: try dimension(x), values: vals)
      }
      let quadrants = try e.children(g, "Quadrant").map { q -> Quadrant in
        guard let qid = q.attribute("id") else { throw fail(q, "missing gating:id") }
        var pos: [String: Double] = [:]
        for p in q.children(g, "position") {
          guard let ref = p.attribute("divider_ref") else { throw fail(p, "missing gating:divider_ref") }
          pos[ref] = try number(p, "location")!
        }
        return Quadrant(id: GateID(qid), positions: pos)
      }
      shape = .quadrant(dividers: dividers, quadrants: quadrants)
    case "BooleanGate":
      let ops = e.children.filter { $0.namespace == g && ["and", "or", "not"].contains($0.name) }
      guard ops.count == 1, let op = ops.first else { throw fail(e, "a Boolean gate needs one gating:and, gating:or or gating:not") }
      let refs = try op.children(g, "gateReference").map { r -> BooleanOperand in
        guard let ref = r.attribute("ref") else { throw fail(r, "missing gating:ref") }
        return BooleanOperand(GateID(ref), complement: (r.attribute("use-as-complement") ?? "false").lowercased() == "true")
      }
      switch op.name {
      case "and": shape = .boolean(.and(refs))
      case "or": shape = .boolean(.or(refs))
      default:
        guard refs.count == 1 else { throw fail(op, "gating:not takes exactly one gateReference") }
        shape = .boolean(.not(refs[0]))
      }
    default:
      throw fail(e, "unknown gate type")
    }
    return Gate(id: id, parent: parent, shape: shape, region: try region(e))
  }
}
