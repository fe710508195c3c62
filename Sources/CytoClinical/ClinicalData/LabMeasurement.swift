/// A lab value with its unit, which may be only a bound: `<0.5` (below the assay's LLOQ) is
/// never stored as 0, and `>2000` (above the upper limit) never as 2000
/// (docs/clinical-data.md, "Bounds").
public struct LabMeasurement: Sendable, Equatable {
  /// Whether the number is the value or a bound.
  public enum Censoring: String, Sendable, Equatable, CaseIterable {
    /// A measured value.
    case none
    /// Below the bound (`<0.5`, or a number below the row's LLOQ).
    case below
    /// Above the bound (`>2000`).
    case above
  }

  /// The value, or the bound when ``censoring`` is not `.none`.
  public var number: Double
  /// Value or bound.
  public var censoring: Censoring
  /// The unit: a ``LabUnit`` raw value for vocabulary analytes, the unit as given for free ones.
  public var unit: String

  /// Creates a measurement.
  public init(number: Double, censoring: Censoring = .none, unit: String) {
    self.number = number
    self.censoring = censoring
    self.unit = unit
  }

  /// The value when measured, `nil` when only a bound.
  public var value: Double? { censoring == .none ? number : nil }
  /// The bound below which the value lies.
  public var lessThan: Double? { censoring == .below ? number : nil }
  /// The bound above which the value lies.
  public var greaterThan: Double? { censoring == .above ? number : nil }

  /// The text of a cell: `4.2`, `<0.5`, `>2000` (no unit).
  public var text: String {
    switch censoring {
    case .none: number.clinicalText
    case .below: "<" + number.clinicalText
    case .above: ">" + number.clinicalText
    }
  }
}

/// Reading numbers from lab exports.
public enum LabNumber {
  /// Why a cell is not a lab number.
  public enum Problem: Error, Equatable, Sendable {
    /// Not a plain decimal number (after an optional `<`/`>`).
    case unparseable
    /// A negative value or bound.
    case negative
  }

  /// A plain decimal number: digits with at most one `.`, an optional sign and exponent
  /// (`1e3`). Hexadecimal, `nan`, `inf`, a decimal comma and thousands separators are refused.
  public static func parse(_ text: String) -> Double? {
    let s = text.trimmingSpaces
    guard !s.isEmpty else { return nil }
    var sawDigit = false, sawDot = false, sawExponent = false, previous: Character? = nil
    for c in s {
      switch c {
      case "0"..."9": sawDigit = true
      case ".": if sawDot || sawExponent { return nil } else { sawDot = true }
      case "e", "E": if sawExponent || !sawDigit { return nil } else { sawExponent = true }
      case "+", "-": if !(previous == nil || previous == "e" || previous == "E") { return nil }
      default: return nil
      }
      previous = c
    }
    guard sawDigit, let d = Double(s), d.isFinite else { return nil }
    return d
  }

  /// The words lab exports write for a result below the assay's limit, compared lower-cased
  /// without spaces, `-`, `_` and `.`: not detected, ND, undetectable, <LLOQ, below LLOQ, BLQ,
  /// BQL, <LOD, negative, neg.
  public static let notDetectedWords: Set<String> = [
    "notdetected", "nd", "undetectable", "undetected", "<lloq", "belowlloq", "blq", "bql", "<lod", "belowlod", "negative", "neg",
  ]

  /// Whether a value cell says "below the assay's limit" in words (``notDetectedWords``).
  public static func meansNotDetected(_ text: String) -> Bool {
    let key = String(text.lowercased().unicodeScalars.filter { !" \t-_.".unicodeScalars.contains($0) }.map(Character.init))
    return notDetectedWords.contains(key)
  }

  /// A value cell: a number, or `<`/`>` and a number (spaces allowed: `< 0.5`).
  /// - Throws: ``Problem/unparseable``, ``Problem/negative`` (also `-0.1` and `<-1`).
  public static func parseValue(_ text: String) throws(Problem) -> (number: Double, censoring: LabMeasurement.Censoring) {
    var s = Substring(text.trimmingSpaces)
    var censoring = LabMeasurement.Censoring.none
    if s.first == "<" { censoring = .below; s = s.dropFirst() } else if s.first == ">" { censoring = .above; s = s.dropFirst() }
    guard let d = parse(String(s)) else { throw .unparseable }
    guard d >= 0, !(d == 0 && d.sign == .minus) else { throw .negative }
    return (d, censoring)
  }
}

extension String {
  /// The string without leading and trailing spaces, tabs and line breaks.
  var trimmingSpaces: String {
    let scalars = unicodeScalars
    guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
      let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
    else { return "" }
    return String(scalars[first...last])
  }
}

extension Double {
  /// Shortest text that reads back as the same double (`4.2`, `1000`, `0.001`).
  public var clinicalText: String {
    if self == rounded(), abs(self) < 1e15 { return String(Int64(self)) }
    return "\(self)"
  }
}
