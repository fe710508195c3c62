extension ScaleTransform: Codable {
  private enum CodingKeys: String, CodingKey { case transform, parameters }

  /// Encodes `{"transform": "<kind>", "parameters": {…}}` with the parameter names of the
  /// defining document (for example `{"transform": "logicle", "parameters": {"T": 262144,
  /// "W": 0.5, "M": 4.5, "A": 0}}`).
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(kind, forKey: .transform)
    switch self {
    case .flin(let p): try c.encode(p, forKey: .parameters)
    case .flog(let p): try c.encode(p, forKey: .parameters)
    case .fasinh(let p): try c.encode(p, forKey: .parameters)
    case .logicle(let p): try c.encode(p, forKey: .parameters)
    case .hyperlog(let p): try c.encode(p, forKey: .parameters)
    case .gml15Asinh(let p): try c.encode(p, forKey: .parameters)
    case .flowJoBiex(let p): try c.encode(p, forKey: .parameters)
    }
  }

  /// Decodes the form written by ``encode(to:)``, validating the parameters.
  /// - Throws: `DecodingError.dataCorrupted` for a kind that is not a scale transform
  ///   (`fratio`, `bounds`), or the parameter struct's validation error.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let kind = try c.decode(TransformKind.self, forKey: .transform)
    switch kind {
    case .flin: self = .flin(try c.decode(LinearParameters.self, forKey: .parameters))
    case .flog: self = .flog(try c.decode(LogarithmicParameters.self, forKey: .parameters))
    case .fasinh: self = .fasinh(try c.decode(ArcsinhParameters.self, forKey: .parameters))
    case .logicle: self = .logicle(try c.decode(LogicleParameters.self, forKey: .parameters))
    case .hyperlog: self = .hyperlog(try c.decode(HyperlogParameters.self, forKey: .parameters))
    case .gml15Asinh: self = .gml15Asinh(try c.decode(ScaledArcsinhParameters.self, forKey: .parameters))
    case .flowJoBiex: self = .flowJoBiex(try c.decode(FlowJoBiexParameters.self, forKey: .parameters))
    case .fratio, .bounds:
      throw DecodingError.dataCorruptedError(
        forKey: .transform, in: c, debugDescription: "\(kind) is not a one-dimensional scale transform")
    }
  }
}
