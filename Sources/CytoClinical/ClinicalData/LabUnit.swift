/// The canonical units lab values are stored in, one per analyte (docs/clinical-data.md,
/// "Units"). Each has its UCUM code (https://ucum.org/docs/common-units) for export.
public enum LabUnit: String, Sendable, CaseIterable, Codable {
  /// Cells per microlitre (UCUM `/uL`); 1 cell/mm³ = 1 cell/µL.
  case cellsPerMicroliter = "cells/µL"
  /// Grams per litre (UCUM `g/L`).
  case gramsPerLiter = "g/L"
  /// Transgene copies per microgram of genomic DNA (UCUM `{copies}/ug`).
  case copiesPerMicrogramDNA = "copies/µg DNA"
  /// Milligrams per litre (UCUM `mg/L`).
  case milligramsPerLiter = "mg/L"
  /// Micrograms per litre (UCUM `ug/L`; = ng/mL).
  case microgramsPerLiter = "µg/L"
  /// Picograms per millilitre (UCUM `pg/mL`; = ng/L).
  case picogramsPerMilliliter = "pg/mL"
  /// International units per millilitre (UCUM `[IU]/mL`).
  case internationalUnitsPerMilliliter = "IU/mL"

  /// The UCUM code (case-sensitive; special units in brackets).
  public var ucum: String {
    switch self {
    case .cellsPerMicroliter: "/uL"
    case .gramsPerLiter: "g/L"
    case .copiesPerMicrogramDNA: "{copies}/ug"
    case .milligramsPerLiter: "mg/L"
    case .microgramsPerLiter: "ug/L"
    case .picogramsPerMilliliter: "pg/mL"
    case .internationalUnitsPerMilliliter: "[IU]/mL"
    }
  }
}

/// A unit a lab export may write, with the spellings that mean it.
///
/// Spellings are compared after ``LabUnitConversion/normalized(_:)``: `µ` (U+00B5), `μ`
/// (U+03BC) and `u` are the same, spaces are ignored, `³`/`⁹` are `3`/`9`, `×` is `x`, and
/// case is ignored — except that `G/L` written with a capital G alone is giga (10⁹) per litre,
/// the cell-count unit of French and Swiss labs, while every other case of `g/L` is grams per
/// litre.
public struct LabSourceUnit: Sendable, Equatable {
  /// The standard spelling (`mg/dL`), shown in messages and docs.
  public var symbol: String
  /// Other spellings of the same unit.
  public var variants: [String]

  /// Every unit the importer reads, in documentation order.
  public static let all: [LabSourceUnit] = [
    LabSourceUnit(symbol: "cells/µL", variants: ["/µL", "cells/mm³", "/mm³", "cells/mm3", "/mm3", "{cells}/uL", "cells/microliter"]),
    LabSourceUnit(symbol: "10^9/L", variants: ["10⁹/L", "x10^9/L", "×10⁹/L", "x10⁹/L", "10*9/L", "G/L", "x10E9/L", "10E9/L", "10^9 cells/L", "/nL", "Gpt/L"]),
    LabSourceUnit(symbol: "10^3/µL", variants: ["10³/µL", "x10^3/µL", "×10³/µL", "x10³/µL", "10*3/uL", "K/µL", "x10E3/uL", "10^3/mm³", "Tsd/µL"]),
    LabSourceUnit(symbol: "g/L", variants: []),
    LabSourceUnit(symbol: "g/dL", variants: []),
    LabSourceUnit(symbol: "mg/dL", variants: []),
    LabSourceUnit(symbol: "mg/L", variants: []),
    LabSourceUnit(symbol: "µg/L", variants: ["mcg/L"]),
    LabSourceUnit(symbol: "ng/mL", variants: []),
    LabSourceUnit(symbol: "pg/mL", variants: []),
    LabSourceUnit(symbol: "ng/L", variants: []),
    LabSourceUnit(symbol: "IU/mL", variants: ["[IU]/mL"]),
    LabSourceUnit(symbol: "kIU/L", variants: ["k[IU]/L"]),
    LabSourceUnit(symbol: "copies/µg DNA", variants: ["copies/µg", "copies/µg gDNA", "{copies}/ug", "copies/µg genomic DNA"]),
  ]

  /// The unit `text` spells, or `nil` when the importer does not know it.
  public static func named(_ text: String) -> LabSourceUnit? {
    let key = LabUnitConversion.normalized(text)
    guard !key.isEmpty else { return nil }
    return all.first { u in ([u.symbol] + u.variants).contains { LabUnitConversion.normalized($0) == key } }
  }
}

/// One conversion from a source unit to a canonical unit: `canonical = given × multiplier ÷
/// divisor`, both integer powers of ten, so the division is the last, correctly rounded step
/// (420 mg/dL ÷ 100 is exactly the double nearest 4.2 g/L).
public struct LabUnitConversion: Sendable, Equatable {
  /// The source unit's standard spelling (``LabSourceUnit/symbol``).
  public var from: String
  /// The canonical unit.
  public var to: LabUnit
  /// Multiplier and divisor of the factor.
  public var multiplier: Double, divisor: Double
  /// Why the factor holds (docs/domain.md 9.3 or the SI prefixes).
  public var reason: String

  /// The factor `multiplier ÷ divisor` (for display and storage).
  public var factor: Double { multiplier / divisor }

  /// `value` in the canonical unit.
  public func apply(_ value: Double) -> Double { value * multiplier / divisor }

  /// Every conversion the importer makes (docs/clinical-data.md lists them with the same
  /// factors). A (unit, analyte) pair not here is refused as the wrong unit for the analyte.
  public static let all: [LabUnitConversion] = [
    LabUnitConversion(from: "cells/µL", to: .cellsPerMicroliter, multiplier: 1, divisor: 1, reason: "identity; 1 mm³ = 1 µL"),
    LabUnitConversion(from: "10^9/L", to: .cellsPerMicroliter, multiplier: 1000, divisor: 1,
                      reason: "1 L = 10⁶ µL, so 10⁹/L = 10³/µL (domain.md 9.3)"),
    LabUnitConversion(from: "10^3/µL", to: .cellsPerMicroliter, multiplier: 1000, divisor: 1, reason: "10³ cells per µL"),
    LabUnitConversion(from: "g/L", to: .gramsPerLiter, multiplier: 1, divisor: 1, reason: "identity"),
    LabUnitConversion(from: "mg/dL", to: .gramsPerLiter, multiplier: 1, divisor: 100,
                      reason: "1 g/L = 100 mg/dL (domain.md 9.3: IgG 400 mg/dL = 4 g/L)"),
    LabUnitConversion(from: "g/dL", to: .gramsPerLiter, multiplier: 10, divisor: 1, reason: "1 dL = 0.1 L"),
    LabUnitConversion(from: "mg/L", to: .gramsPerLiter, multiplier: 1, divisor: 1000, reason: "1 g = 1000 mg"),
    LabUnitConversion(from: "mg/L", to: .milligramsPerLiter, multiplier: 1, divisor: 1, reason: "identity"),
    LabUnitConversion(from: "mg/dL", to: .milligramsPerLiter, multiplier: 10, divisor: 1, reason: "1 dL = 0.1 L (CRP 1 mg/dL = 10 mg/L)"),
    LabUnitConversion(from: "µg/L", to: .microgramsPerLiter, multiplier: 1, divisor: 1, reason: "identity"),
    LabUnitConversion(from: "ng/mL", to: .microgramsPerLiter, multiplier: 1, divisor: 1, reason: "1 ng/mL = 1 µg/L (domain.md 9.3)"),
    LabUnitConversion(from: "pg/mL", to: .picogramsPerMilliliter, multiplier: 1, divisor: 1, reason: "identity"),
    LabUnitConversion(from: "ng/L", to: .picogramsPerMilliliter, multiplier: 1, divisor: 1, reason: "1 ng/L = 1000 pg / 1000 mL"),
    LabUnitConversion(from: "IU/mL", to: .internationalUnitsPerMilliliter, multiplier: 1, divisor: 1, reason: "identity"),
    LabUnitConversion(from: "kIU/L", to: .internationalUnitsPerMilliliter, multiplier: 1, divisor: 1,
                      reason: "1 kIU/L = 1000 IU / 1000 mL"),
    LabUnitConversion(from: "copies/µg DNA", to: .copiesPerMicrogramDNA, multiplier: 1, divisor: 1, reason: "identity"),
  ]

  /// The conversion of `unit` to `target`, or `nil` when there is none.
  public static func from(_ unit: LabSourceUnit, to target: LabUnit) -> LabUnitConversion? {
    all.first { $0.from == unit.symbol && $0.to == target }
  }

  /// A unit's spelling for comparison: `µ`/`μ` → `u`, `³` → `3`, `⁹` → `9`, `×` → `x`, no
  /// spaces, lower case — except exactly `G/L` (capital G), kept apart as giga per litre.
  public static func normalized(_ text: String) -> String {
    var s = ""
    for c in text.unicodeScalars where !c.properties.isWhitespace {
      switch c {
      case "\u{00B5}", "\u{03BC}": s.unicodeScalars.append("u")
      case "\u{00B3}": s.unicodeScalars.append("3")
      case "\u{2079}": s.unicodeScalars.append("9")
      case "\u{00D7}": s.unicodeScalars.append("x")
      default: s.unicodeScalars.append(c)
      }
    }
    return s == "G/L" ? "giga/L" : s.lowercased()
  }
}
