/// How cells per µL of blood are computed. Every per-µL value carries the method that produced
/// it, and a series never mixes methods (domain.md §4).
public enum AbsoluteCountMethod: Codable, Sendable, Equatable {
  /// Single platform (bead count, BD TruCount IFU):
  ///
  ///     cells/µL = cell events ÷ bead events × beads per test ÷ µL of blood in the tube
  case singlePlatform(beadsPerTest: Double, bloodVolumeMicroliters: Double)
  /// Dual platform (guideline form, domain.md §4):
  ///
  ///     cells/µL = cell events ÷ lymphocyte events × absolute lymphocyte count (cells/µL,
  ///     from the haematology analyser)
  ///
  /// The analyser's lymphocyte count carries ≈12% analytic variability (Simson & Groner 1995),
  /// not included in the interval, which is the Poisson interval of the cell events.
  case dualPlatform(lymphocytesPerMicroliter: Double)

  /// `single-platform` or `dual-platform`.
  public var name: String {
    switch self {
    case .singlePlatform: "single-platform"
    case .dualPlatform: "dual-platform"
    }
  }

  /// Short description with its inputs (`single-platform: 50000 beads/test, 50 µL`).
  public var summary: String {
    switch self {
    case .singlePlatform(let b, let v): "single-platform: \(b.compactText) beads/test, \(v.compactText) µL blood"
    case .dualPlatform(let alc): "dual-platform: ALC \(alc.compactText) cells/µL"
    }
  }

  /// Checks the inputs are positive and finite.
  public func validate() throws {
    switch self {
    case .singlePlatform(let b, let v):
      guard b.isFinite, b > 0, v.isFinite, v > 0 else { throw ClinicalError.invalidCountInput("beads per test and blood volume must be > 0") }
    case .dualPlatform(let alc):
      guard alc.isFinite, alc > 0 else { throw ClinicalError.invalidCountInput("the absolute lymphocyte count must be > 0") }
    }
  }
}

/// A clinical computation that cannot be done as asked.
public enum ClinicalError: Error, Equatable, CustomStringConvertible {
  case invalidCountInput(String)
  case noBeads(file: String)
  case mixedMethods(series: String, methods: [String])
  case invalidVisits(String)
  /// `--roles` (workspace as panel): a malformed entry, or a population not found or ambiguous.
  case invalidRoles(String)
  /// The workspace holds no (or more than one) sample for a file and no group template applies.
  case workspaceSample(file: String, detail: String)
  /// A reviewed gating applied to a data set that is not the one the reviewed analysis counted.
  case reviewedDataSet(file: String, detail: String)

  public var description: String {
    switch self {
    case .invalidCountInput(let s): "absolute counts: \(s)"
    case .noBeads(let f): "\(f): no counting-bead events, so no single-platform absolute count (give --alc for dual platform, or omit the count options)"
    case .mixedMethods(let s, let m): "series \(s) mixes absolute-count methods (\(m.joined(separator: ", "))); analyse all visits with one method"
    case .invalidVisits(let s): "visits: \(s)"
    case .invalidRoles(let s): "--roles: \(s)"
    case .workspaceSample(let f, let d): "\(f): \(d)"
    case .reviewedDataSet(let f, let d): "\(f): \(d)"
    }
  }
}
