/// The short name of a channel as the instrument wrote it (`$PnN`), for example `FSC-A` or `B1-A`.
///
/// Channel names are compared exactly (case-sensitive), as the FCS standard requires for `$PnN`.
public struct ChannelName: RawRepresentable, Hashable, Sendable, Codable, Comparable,
  ExpressibleByStringLiteral, CustomStringConvertible
{
  /// The name as stored in the file.
  public let rawValue: String
  /// Creates a channel name from its stored text.
  public init(rawValue: String) { self.rawValue = rawValue }
  /// Creates a channel name from its stored text.
  public init(_ rawValue: String) { self.rawValue = rawValue }
  /// Creates a channel name from a string literal.
  public init(stringLiteral value: String) { self.rawValue = value }
  public var description: String { rawValue }
  public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// The 0-based position of a channel (parameter) within an event.
///
/// FCS numbers parameters from 1 (`$P1N`); use ``fcsParameterNumber`` for that form.
public struct ChannelIndex: RawRepresentable, Hashable, Sendable, Codable, Comparable,
  CustomStringConvertible
{
  /// The 0-based index.
  public let rawValue: Int
  /// Creates an index from a 0-based position.
  public init(rawValue: Int) { self.rawValue = rawValue }
  /// Creates an index from a 0-based position.
  public init(_ rawValue: Int) { self.rawValue = rawValue }
  /// Creates an index from a 1-based FCS parameter number (`n` in `$PnN`).
  public init(fcsParameterNumber n: Int) { self.rawValue = n - 1 }
  /// The 1-based FCS parameter number (`n` in `$PnN`).
  public var fcsParameterNumber: Int { rawValue + 1 }
  public var description: String { "#\(rawValue + 1)" }
  public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}
