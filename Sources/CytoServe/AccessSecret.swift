/// A random secret of the review server: the access token printed in the URL, and the session
/// value the token is exchanged for.
///
/// 32 bytes from the system's cryptographic generator (`getrandom` on Linux,
/// `arc4random_buf` on Apple platforms, through `SystemRandomNumberGenerator`), written as
/// 64 lowercase hex digits.
public struct AccessSecret: Sendable, Equatable, CustomStringConvertible {
  /// The 64 hex digits.
  public let hex: String

  /// A new random secret.
  public static func random() -> AccessSecret {
    var rng = SystemRandomNumberGenerator()
    var bytes: [UInt8] = []
    bytes.reserveCapacity(32)
    for _ in 0..<4 {
      let word = rng.next() as UInt64
      for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
    }
    return AccessSecret(bytes: bytes)
  }

  /// The secret with these bytes.
  public init(bytes: [UInt8]) {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count * 2)
    for b in bytes {
      out.append(digits[Int(b >> 4)])
      out.append(digits[Int(b & 0x0f)])
    }
    hex = String(decoding: out, as: UTF8.self)
  }

  /// Whether `candidate` is this secret, compared in constant time (see ``constantTimeEquals(_:_:)``).
  public func matches(_ candidate: String) -> Bool { Self.constantTimeEquals(candidate, hex) }

  /// Never prints the secret itself (loggers, `print(configuration)`).
  public var description: String { "AccessSecret(<\(hex.utf8.count) hex digits>)" }

  /// Whether `a` and `b` have the same UTF-8 bytes, in time that depends only on their lengths,
  /// never on where they first differ.
  ///
  /// Every byte position up to the longer length is visited and the differences are OR-ed
  /// together; a length difference is folded in the same way instead of returning early. Only
  /// the lengths leak (the token's length is public: 64 hex digits).
  ///
  /// - Complexity: O(max(a.count, b.count)) in UTF-8 bytes, with no data-dependent branch.
  public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    let n = max(x.count, y.count)
    var diff: UInt8 = x.count == y.count ? 0 : 1
    for i in 0..<n {
      let p: UInt8 = i < x.count ? x[i] : 0
      let q: UInt8 = i < y.count ? y[i] : 0
      diff |= p ^ q
    }
    return diff == 0
  }
}
