import CytoCore

/// What the numbers of a ``SpilloverMatrix`` are.
///
/// Gating-ML 2.0 marks an already inverted matrix with
/// `transforms:matrix-inverted-already="true"` on `transforms:spectrumMatrix`.
public enum SpilloverForm: String, Sendable, Hashable, Codable, CaseIterable {
  /// Spillover coefficients, row-major fluorochromes × detectors: observed = true × S.
  /// Compensation inverts them (square) or solves least squares (more detectors).
  case spillover
  /// The compensation matrix itself, row-major **detectors × fluorochromes** (one row per
  /// detector, the order in which Gating-ML lists the `transforms:spectrum` elements of an
  /// inverted-already matrix): compensated = observed × M. Used as given.
  case inverse
}

/// The matrix that turns observed detector values into fluorochrome abundances:
/// compensated = observed × M, with M = `values` (detectors × fluorochromes, row-major).
///
/// Built from a spillover matrix S (fluorochromes × detectors, observed = true × S):
///
/// - square S: M = S⁻¹, by LU factorisation with partial pivoting;
/// - more detectors than fluorochromes (spectral unmixing): the ordinary least-squares
///   solution M = Sᵀ·(S·Sᵀ)⁻¹, which minimises ‖observed − compensated × S‖² per event;
/// - ``SpilloverForm/inverse``: M is taken as given.
///
/// Units: compensated values are in the detectors' data units.
///
/// Sources: flowCore `compensate` / `spillover` (observed = true × S, compensated =
/// observed × S⁻¹); FCS 3.1 `$SPILLOVER`; Gating-ML 2.0 `transforms:spectrumMatrix` (square,
/// non-square and `matrix-inverted-already`); flowUtils `compensate_spectral_ols` (the
/// least-squares solution). The compliance suite's MySpill/MyInvertedSpill and
/// MyNonSquareSpectrum/MyNonSquareSpectrumInvertedAlready pairs check both derivations.
public struct CompensationMatrix: Sendable, Hashable {
  /// How ``values`` were obtained.
  public enum Derivation: String, Sendable, Hashable, Codable {
    /// S⁻¹ of a square spillover matrix.
    case inverse
    /// Sᵀ(S·Sᵀ)⁻¹ of a spillover matrix with more detectors than fluorochromes.
    case leastSquares
    /// Given as the compensation matrix (``SpilloverForm/inverse``).
    case given
  }

  /// The input channels, in matrix order.
  public let detectors: [ChannelName]
  /// The output channels, in matrix order.
  public let fluorochromes: [ChannelName]
  /// Row-major detectors × fluorochromes: fluorochrome f = Σ_d observed[d] · values[d·F + f].
  public let values: [Double]
  /// How ``values`` were obtained.
  public let derivation: Derivation
  /// κ∞ = ‖A‖∞·‖A⁻¹‖∞ of the matrix that was inverted (S, or S·Sᵀ for least squares); `nil`
  /// when the matrix was given. Values above about 1e8 mean compensated values carry
  /// relative errors of κ·1e−16 or more from the coefficients' own rounding alone.
  public let conditionNumber: Double?

  /// Builds the compensation matrix for `spillover`.
  /// - Parameter form: whether `spillover.values` are spillover coefficients (default) or
  ///   already the compensation matrix (then row-major detectors × fluorochromes).
  /// - Throws: ``CompensationError/empty``, ``CompensationError/underdetermined(fluorochromes:detectors:)``
  ///   (more fluorochromes than detectors, `.spillover` form only),
  ///   ``CompensationError/nonFiniteCoefficient(fluorochrome:detector:value:)``,
  ///   ``CompensationError/duplicateChannel(_:)``, or
  ///   ``CompensationError/singular(fluorochrome:combinationOf:)`` naming the fluorochromes
  ///   whose spillover rows are linearly dependent.
  public init(_ spillover: SpilloverMatrix, form: SpilloverForm = .spillover) throws(CompensationError) {
    let fl = spillover.fluorochromes, de = spillover.detectors
    let nf = fl.count, nd = de.count
    guard nf > 0, nd > 0 else { throw .empty }
    for names in [fl, de] {
      var seen = Set<ChannelName>()
      for n in names where !seen.insert(n).inserted { throw .duplicateChannel(n) }
    }
    let s = spillover.values
    for (i, v) in s.enumerated() where !v.isFinite {
      switch form {
      case .spillover: throw .nonFiniteCoefficient(fluorochrome: fl[i / nd], detector: de[i % nd], value: v)
      case .inverse: throw .nonFiniteCoefficient(fluorochrome: fl[i % nf], detector: de[i / nf], value: v)
      }
    }
    detectors = de
    fluorochromes = fl
    switch form {
    case .inverse:
      values = s
      derivation = .given
      conditionNumber = nil
    case .spillover where nf > nd:
      throw .underdetermined(fluorochromes: nf, detectors: nd)
    case .spillover where nf == nd:
      // S⁻¹ = ((Sᵀ)⁻¹)ᵀ; factoring Sᵀ makes its columns the fluorochromes' rows, so a
      // failed pivot names a dependent fluorochrome.
      let lu = try Self.factor(transposed(s, rows: nf, cols: nd), n: nf, names: fl)
      values = transposed(lu.inverse(), rows: nf, cols: nf)
      derivation = .inverse
      conditionNumber = infinityNorm(s, rows: nf, cols: nd) * infinityNorm(values, rows: nd, cols: nf)
    case .spillover:
      // M = Sᵀ(S·Sᵀ)⁻¹; S·Sᵀ is singular exactly when S's rows are dependent.
      let st = transposed(s, rows: nf, cols: nd)
      let gram = multiplied(s, st, r: nf, k: nd, c: nf)
      let lu = try Self.factor(gram, n: nf, names: fl)
      let gramInverse = lu.inverse()
      values = multiplied(st, gramInverse, r: nd, k: nf, c: nf)
      derivation = .leastSquares
      conditionNumber = infinityNorm(gram, rows: nf, cols: nf) * infinityNorm(gramInverse, rows: nf, cols: nf)
    }
  }

  private static func factor(_ a: [Double], n: Int, names: [ChannelName]) throws(CompensationError) -> LUFactorization {
    do {
      return try LUFactorization(a, n: n)
    } catch {
      throw .singular(fluorochrome: names[error.column], combinationOf: error.combination.map { names[$0.column] })
    }
  }

  /// The coefficient of detector `d` in fluorochrome `f`.
  public subscript(detector d: Int, fluorochrome f: Int) -> Double { values[d * fluorochromes.count + f] }

  /// The compensated values of one event.
  /// - Parameter observed: one value per detector, in ``detectors`` order.
  /// - Returns: one value per fluorochrome, in ``fluorochromes`` order, summed over detectors
  ///   in order in Float64 (the column versions give bit-identical results).
  /// - Precondition: `observed.count == detectors.count`.
  public func compensate(_ observed: [Double]) -> [Double] {
    precondition(observed.count == detectors.count, "\(observed.count) values for \(detectors.count) detectors")
    let nf = fluorochromes.count
    return (0..<nf).map { f in
      var s = 0.0
      for d in 0..<detectors.count { s += values[d * nf + f] * observed[d] }
      return s
    }
  }
}
