import Foundation

/// The unit of a clinical number. Stored with every value; values in different units are never
/// converted into each other (domain.md §0.3).
public enum ClinicalUnit: String, Codable, Sendable, CaseIterable {
  case cellsPerMicroliter = "cells/µL"
  case percentOfParent = "% of parent"
  case percentOfLymphocytes = "% of lymphocytes"
  case percentOfLeukocytes = "% of CD45+"
  case percentOfCD3 = "% of CD3+"
  case percentOfB = "% of CD19+"
  case percent = "%"
  case days = "days"
  case cellsPerMicroliterDays = "cells/µL·days"
  case percentOfCD3Days = "% of CD3+·days"
  case events = "events"
}

/// A measured number with its unit, 95% interval and quantifiability.
///
/// Exactly one of ``value`` and ``lessThan`` is set: a population with fewer events than the
/// LLOQ has no value, only the bound the LLOQ corresponds to ("< 2.1 cells/µL"); it is never
/// reported as 0.
public struct Quantity: Codable, Sendable, Equatable {
  /// The value; `nil` when below the LLOQ.
  public var value: Double?
  /// The bound below which the value lies, when below the LLOQ.
  public var lessThan: Double?
  public var unit: ClinicalUnit
  /// Events the value is computed from.
  public var events: Int
  /// 95% interval (exact Poisson interval of ``events``, scaled like the value).
  public var lower95: Double
  public var upper95: Double

  public var isBelowLLOQ: Bool { value == nil }

  /// `events × scale`, or "< lloqEvents × scale" when `events < lloqEvents`.
  ///
  /// `maximum` caps the bound and the interval (100 for a percentage: 3 naive cells of 7 B
  /// cells are "< 100%", not "< 357%").
  public init(events: Int, scale: Double, unit: ClinicalUnit, lloqEvents: Int, maximum: Double? = nil) {
    let ci = PoissonInterval.interval(count: events)
    let cap = maximum ?? .infinity
    self.events = events
    self.unit = unit
    lower95 = min(cap, ci.lowerBound * scale)
    upper95 = min(cap, ci.upperBound * scale)
    if events >= lloqEvents {
      value = Double(events) * scale
      lessThan = nil
    } else {
      value = nil
      lessThan = min(cap, Double(lloqEvents) * scale)
    }
  }

  /// A percentage: `events ÷ denominator × 100`, bound and interval capped at 100%.
  public static func percent(_ events: Int, of denominator: Int, unit: ClinicalUnit, lloqEvents: Int) -> Quantity {
    Quantity(events: events, scale: 100 / Double(denominator), unit: unit, lloqEvents: lloqEvents, maximum: 100)
  }

  /// Text for tables: the value with `digits` significant decimals, or `< bound`.
  public func formatted(decimals: Int = 2) -> String {
    if let v = value { return v.formatted(decimals: decimals) }
    return "< " + (lessThan ?? .nan).formatted(decimals: decimals)
  }
}

extension Double {
  func formatted(decimals: Int) -> String {
    guard isFinite else { return isNaN ? "NaN" : (self > 0 ? "inf" : "-inf") }
    var s = String(format: "%.\(decimals)f", self)
    if s.hasPrefix("-") && Double(s) == 0 { s.removeFirst() }
    return s
  }
}
