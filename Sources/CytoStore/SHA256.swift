import Crypto

/// SHA-256 (FIPS 180-4) of FCS files, analysis records, workspaces and clinical imports: the
/// store records these digests. Backed by swift-crypto (BoringSSL, which uses the CPU's SHA
/// extensions where it has them); this type keeps the project's small API and the hex form.
///
/// Streaming: feed bytes with ``update(_:)`` in any pieces, then ``finalize()``.
///
/// ```swift
/// var h = SHA256()
/// h.update(Array("abc".utf8))
/// h.finalize().hex  // ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
/// ```
public struct SHA256: Sendable {
  private var hasher = Crypto.SHA256()

  /// A digest: 32 bytes.
  public struct Digest: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The 32 bytes of the digest.
    public let bytes: [UInt8]
    /// Lower-case hexadecimal, as `sha256sum` prints it.
    public var hex: String {
      let digits = Array("0123456789abcdef".utf8)
      var out: [UInt8] = []
      out.reserveCapacity(64)
      for b in bytes {
        out.append(digits[Int(b >> 4)])
        out.append(digits[Int(b & 15)])
      }
      return String(decoding: out, as: UTF8.self)
    }
    public var description: String { hex }
  }

  /// A fresh hash.
  public init() {}

  /// The digest of `bytes`.
  public static func hash<C: Collection>(_ bytes: C) -> Digest where C.Element == UInt8 {
    var h = SHA256()
    if bytes.withContiguousStorageIfAvailable({ h.update($0) }) == nil { h.update(Array(bytes)) }
    return h.finalize()
  }

  /// The digest of the UTF-8 bytes of `text`.
  public static func hash(text: String) -> Digest { hash(Array(text.utf8)) }

  /// Adds `bytes` to the message.
  public mutating func update(_ bytes: [UInt8]) {
    bytes.withUnsafeBufferPointer { update($0) }
  }

  /// Adds the bytes in `bytes` to the message.
  public mutating func update(_ bytes: UnsafeBufferPointer<UInt8>) {
    hasher.update(bufferPointer: UnsafeRawBufferPointer(bytes))
  }

  /// The digest of everything added. The hash should not be updated afterwards.
  public mutating func finalize() -> Digest {
    Digest(bytes: Array(hasher.finalize()))
  }
}
