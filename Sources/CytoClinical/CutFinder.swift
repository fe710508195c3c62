import Foundation

/// The cut a sample was gated with, and how it was chosen — recorded with every result so a
/// reviewer can see it and override it (`cytoreset analyze --cut NAME=VALUE`).
public struct AppliedCut: Codable, Sendable, Equatable {
  public var name: String
  public var marker: String
  /// Display (transformed) units.
  public var value: Double
  public var method: Method
  /// Why a fallback was used, or what the valley search saw.
  public var note: String?

  public enum Method: String, Codable, Sendable {
    /// The panel's fixed value.
    case fixed
    /// The density valley found in this sample.
    case valley
    /// A valley cut whose search found no valley: the panel's value.
    case fallback
    /// Set by the user for this analysis.
    case override
  }
}

/// Finds the density valley between a negative and a positive peak.
///
/// Method: histogram of the values on [0, 1] display units in 256 bins, smoothed with a
/// Gaussian kernel (σ = 2 bins); the valley is the lowest smoothed density inside the search
/// window (the middle of a flat minimum). It is accepted when at least `minPeakEvents` events
/// lie on each side of it and each side's highest smoothed density is at least twice the
/// valley's. Otherwise there is no valley (for example no CD19⁺ peak in B-cell aplasia) and the
/// caller falls back to the panel's value with a note.
public enum CutFinder {
  public static let bins = 256

  public struct Valley: Equatable, Sendable {
    public var position: Double
    public var eventsBelow: Int
    public var eventsAbove: Int
  }

  public enum Outcome: Equatable, Sendable {
    case valley(Valley)
    case none(reason: String)
  }

  public static func valley(_ values: [Double], searchMin: Double, searchMax: Double, minPeakEvents: Int = 20) -> Outcome {
    let finite = values.filter(\.isFinite)
    guard finite.count >= 2 * minPeakEvents else {
      return .none(reason: "\(finite.count) events in the population, need at least \(2 * minPeakEvents)")
    }
    var hist = [Double](repeating: 0, count: bins)
    for v in finite {
      let b = Int((min(max(v, 0), 1) * Double(bins)).rounded(.down))
      hist[min(bins - 1, b)] += 1
    }
    // Gaussian smoothing, σ = 2 bins, kernel ±6 bins.
    let kernel = (-6...6).map { exp(-Double($0 * $0) / 8) }
    let ksum = kernel.reduce(0, +)
    var smooth = [Double](repeating: 0, count: bins)
    for i in 0..<bins {
      var s = 0.0
      for (k, w) in kernel.enumerated() {
        let j = i + k - 6
        if j >= 0 && j < bins { s += w * hist[j] }
      }
      smooth[i] = s / ksum
    }
    let lo = max(0, Int((searchMin * Double(bins)).rounded(.down))), hi = min(bins - 1, Int((searchMax * Double(bins)).rounded(.up)))
    guard lo < hi else { return .none(reason: "empty search window") }
    var minBin = lo
    for i in lo...hi where smooth[i] < smooth[minBin] { minBin = i }
    // The flat run of minimal density around minBin (within 1e-9 relative), its middle.
    let floor = smooth[minBin], tol = max(1e-12, floor * 1e-9)
    var a = minBin, b = minBin
    while a > lo && smooth[a - 1] <= floor + tol { a -= 1 }
    while b < hi && smooth[b + 1] <= floor + tol { b += 1 }
    let position = (Double(a) + Double(b) + 1) / 2 / Double(bins)
    let below = finite.reduce(0) { $0 + ($1 < position ? 1 : 0) }
    let above = finite.count - below
    guard below >= minPeakEvents, above >= minPeakEvents else {
      return .none(reason: "\(below) events below and \(above) above the lowest density at \(fmt(position)); each side needs \(minPeakEvents)")
    }
    let peakBelow = smooth[0..<a].max() ?? 0, peakAbove = smooth[(b + 1)...].max() ?? 0
    guard peakBelow >= 2 * floor, peakAbove >= 2 * floor else {
      return .none(reason: "no density valley in \(fmt(searchMin))…\(fmt(searchMax)) (lowest density \(fmt(floor)), peaks \(fmt(peakBelow)) and \(fmt(peakAbove)))")
    }
    return .valley(Valley(position: position, eventsBelow: below, eventsAbove: above))
  }

  private static func fmt(_ x: Double) -> String { String(format: "%.3f", x) }
}
