import CytoAutoGating
import Foundation

/// Makes a marker's display scale from its linear values in one file: log-like arcsinh for
/// scatter; for stained markers the panel's rule for the instrument class — arcsinh with a
/// cofactor (spectral, mass), or logicle with W from the file's negatives (Parks, Roederer &
/// Moore 2006: W from the 5th percentile of the negative values).
struct ScaleMaker: Sendable {
  let instrument: InstrumentClassification
  let rules: ScaleRules

  /// The top of scale: the channel's range, or the 99.9th percentile of the values when more
  /// than 0.1% of them exceed it (unmixed spectral data do).
  static func top(range r: Double, values: [Float]) -> Double {
    // The 99.9th percentile exceeds the range only when more than 0.1% of the values do:
    // counting them is one pass, sorting is not needed otherwise.
    var above = 0
    values.withUnsafeBufferPointer { for v in $0 where Double(v) > r { above += 1 } }
    guard Double(above) > 0.001 * Double(values.count) else { return max(r, 1) }
    let sample = RobustSample(values, limit: 100_000)
    return max(r, sample.quantile(0.999) ?? r, 1)
  }

  /// The scale `id` of `marker`; `scatterLike` for scatter and log-axis scales.
  func make(marker: String, id: String, scatterLike: Bool, range: Double, linear lin: [Float]) throws -> AppliedScale {
    let T = Self.top(range: range, values: lin)
    if scatterLike {
      return AppliedScale(id: id, marker: marker, kind: .fasinh, T: T, W: nil, M: 4.5, A: 0,
                          method: "log-like scatter scale: arcsinh with T = top of scale \(T.compactText), M = 4.5")
    }
    let rule: ScaleRule
    switch instrument.kind {
    case .conventional: rule = rules.conventional
    case .spectral: rule = rules.spectral
    case .mass: rule = rules.mass
    }
    switch rule {
    case .arcsinh(let cofactor):
      let m = asinh(T / cofactor) / M_LN10
      return AppliedScale(id: id, marker: marker, kind: .fasinh, T: T, W: nil, M: m, A: 0,
                          method: "arcsinh(x / \(cofactor.compactText)) (\(instrument.kind.rawValue)), T = \(T.compactText)")
    case .logicle(let r):
      let negatives = RobustSample(lin.filter { $0 < 0 }, limit: 100_000)
      var w = 0.0
      var how = "no negative values: W = 0"
      if let q = negatives.quantile(r.negativeQuantile), q < 0 {
        w = (r.M - log10(T / abs(q))) / 2
        how = "W from the \(Int((r.negativeQuantile * 100).rounded()))th percentile of \(negatives.count) negative values, r = \(q.formatted(significant: 4))"
      }
      let clamped = min(max(w, 0), r.M / 2 - 0.05)
      if clamped != w { how += " (W \(w.formatted(significant: 3)) clamped to \(clamped.formatted(significant: 3)))" }
      return AppliedScale(id: id, marker: marker, kind: .logicle, T: T, W: clamped, M: r.M, A: r.A,
                          method: "logicle, \(how), T = \(T.compactText), M = \(r.M.compactText)")
    }
  }
}
