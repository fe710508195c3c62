/// The four defining parameters (T, W, M, A) shared by the biexponential families,
/// ``LogicleParameters`` and ``HyperlogParameters``, and the identity, hashing and coding
/// that depend on them alone (derived evaluation tables are not part of the value).
public protocol BiexponentialParameterSet: Hashable, Codable {
  /// Top of scale `T`, in data units.
  var t: Double { get }
  /// Linear-region width `W`, in decades.
  var w: Double { get }
  /// Positive decades `M`.
  var m: Double { get }
  /// Additional negative decades `A`.
  var a: Double { get }
  /// Validates and stores the parameters.
  init(t: Double, w: Double, m: Double, a: Double) throws(TransformParameterError)
}

private enum BiexponentialCodingKeys: String, CodingKey { case t = "T", w = "W", m = "M", a = "A" }

extension BiexponentialParameterSet {
  /// Equal when the defining parameters (T, W, M, A) are equal.
  public static func == (l: Self, r: Self) -> Bool { l.t == r.t && l.w == r.w && l.m == r.m && l.a == r.a }

  /// Hashes the defining parameters (T, W, M, A).
  public func hash(into h: inout Hasher) {
    h.combine(t)
    h.combine(w)
    h.combine(m)
    h.combine(a)
  }

  /// Encodes `{"T": …, "W": …, "M": …, "A": …}`.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: BiexponentialCodingKeys.self)
    try c.encode(t, forKey: .t)
    try c.encode(w, forKey: .w)
    try c.encode(m, forKey: .m)
    try c.encode(a, forKey: .a)
  }

  /// Decodes `{"T": …, "W": …, "M": …, "A": …}` and validates it like ``init(t:w:m:a:)``.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: BiexponentialCodingKeys.self)
    try self.init(
      t: c.decode(Double.self, forKey: .t), w: c.decode(Double.self, forKey: .w),
      m: c.decode(Double.self, forKey: .m), a: c.decode(Double.self, forKey: .a))
  }
}
