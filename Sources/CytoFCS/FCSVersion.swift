/// The FCS standard version named in the first six bytes of a data set's HEADER.
public enum FCSVersion: String, Sendable, Codable, CaseIterable, Comparable {
  case fcs1_0 = "FCS1.0"
  case fcs2_0 = "FCS2.0"
  case fcs3_0 = "FCS3.0"
  case fcs3_1 = "FCS3.1"
  case fcs3_2 = "FCS3.2"

  private var rank: Int { Self.allCases.firstIndex(of: self)! }
  public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
}
