import CZlib

/// An RGBA image with 8 bits per channel, row-major from the top-left pixel.
public struct RGBAImage: Sendable, Equatable {
  /// Width in pixels.
  public let width: Int
  /// Height in pixels.
  public let height: Int
  /// `width × height × 4` bytes: R, G, B, A per pixel, rows top to bottom.
  public var pixels: [UInt8]

  /// An image filled with one colour.
  public init(width: Int, height: Int, fill: RGBA = RGBA(255, 255, 255)) {
    precondition(width > 0 && height > 0, "an image needs at least one pixel")
    self.width = width
    self.height = height
    var p = [UInt8](repeating: 0, count: width * height * 4)
    for i in stride(from: 0, to: p.count, by: 4) {
      p[i] = fill.r; p[i + 1] = fill.g; p[i + 2] = fill.b; p[i + 3] = fill.a
    }
    pixels = p
  }

  /// Sets pixel (x, y) when it is inside the image (outside is ignored).
  @inline(__always) public mutating func set(_ x: Int, _ y: Int, _ c: RGBA) {
    guard x >= 0, y >= 0, x < width, y < height else { return }
    let i = (y * width + x) * 4
    pixels[i] = c.r; pixels[i + 1] = c.g; pixels[i + 2] = c.b; pixels[i + 3] = c.a
  }

  /// The pixel at (x, y).
  public func pixel(_ x: Int, _ y: Int) -> RGBA {
    let i = (y * width + x) * 4
    return RGBA(pixels[i], pixels[i + 1], pixels[i + 2], pixels[i + 3])
  }

  /// A straight one-pixel line from (x0, y0) to (x1, y1) (Bresenham).
  public mutating func drawLine(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, _ c: RGBA) {
    var x = x0, y = y0
    let dx = abs(x1 - x0), dy = -abs(y1 - y0)
    let sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
    var err = dx + dy
    var steps = 0
    while steps <= 100_000 {
      set(x, y, c)
      if x == x1 && y == y1 { break }
      let e2 = 2 * err
      if e2 >= dy { err += dy; x += sx }
      if e2 <= dx { err += dx; y += sy }
      steps += 1
    }
  }

  /// The image encoded as PNG (see ``PNGEncoder``).
  public func png() throws(PNGEncoder.Error) -> [UInt8] { try PNGEncoder.encode(self) }
}

/// An 8-bit RGBA colour.
public struct RGBA: Sendable, Hashable {
  /// Red.
  public var r: UInt8
  /// Green.
  public var g: UInt8
  /// Blue.
  public var b: UInt8
  /// Alpha (255 opaque).
  public var a: UInt8
  /// A colour; opaque by default.
  public init(_ r: UInt8, _ g: UInt8, _ b: UInt8, _ a: UInt8 = 255) {
    self.r = r
    self.g = g
    self.b = b
    self.a = a
  }

  /// A colour from CSS hex text `#rrggbb` (black when malformed).
  public init(hex: String) {
    var v: UInt32 = 0
    let digits = hex.hasPrefix("#") ? String(hex.dropFirst()) : hex
    if digits.count == 6, let n = UInt32(digits, radix: 16) { v = n }
    self.init(UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF))
  }

  /// `#rrggbb`.
  public var hex: String {
    let h = String((UInt32(r) << 16 | UInt32(g) << 8 | UInt32(b)), radix: 16)
    return "#" + String(repeating: "0", count: 6 - h.count) + h
  }
}

/// A minimal PNG writer: 8-bit RGBA (colour type 6), no interlace, filter type 0 on every
/// row, the scanlines compressed with zlib's `compress2` (level 9) and chunk CRCs from zlib's
/// `crc32`. The output depends only on the pixels and the zlib version.
public enum PNGEncoder {
  /// Why an image could not be encoded.
  public enum Error: Swift.Error, Equatable, CustomStringConvertible {
    /// zlib returned this status.
    case zlib(Int32)
    /// The image is too large for one PNG IDAT chunk.
    case tooLarge
    public var description: String {
      switch self {
      case .zlib(let s): "PNG: zlib compress2 failed with status \(s)"
      case .tooLarge: "PNG: image too large"
      }
    }
  }

  /// The 8-byte PNG signature.
  public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

  /// Encodes `image` as a PNG file.
  public static func encode(_ image: RGBAImage) throws(Error) -> [UInt8] {
    let rowBytes = image.width * 4
    var raw = [UInt8](repeating: 0, count: (rowBytes + 1) * image.height)
    image.pixels.withUnsafeBufferPointer { src in
      raw.withUnsafeMutableBufferPointer { dst in
        for y in 0..<image.height {
          // Filter type 0 (None) byte, then the row.
          dst[y * (rowBytes + 1)] = 0
          let d = dst.baseAddress! + y * (rowBytes + 1) + 1
          d.update(from: src.baseAddress! + y * rowBytes, count: rowBytes)
        }
      }
    }
    guard raw.count < Int(UInt32.max / 2) else { throw .tooLarge }
    var bound = compressBound(uLong(raw.count))
    var compressed = [UInt8](repeating: 0, count: Int(bound))
    let status = compressed.withUnsafeMutableBufferPointer { c in
      raw.withUnsafeBufferPointer { r in compress2(c.baseAddress, &bound, r.baseAddress, uLong(r.count), 9) }
    }
    guard status == Z_OK else { throw .zlib(status) }
    compressed.removeSubrange(Int(bound)...)
    guard compressed.count < Int(Int32.max) else { throw .tooLarge }

    var out = signature
    var header: [UInt8] = []
    header.appendBigEndian(UInt32(image.width))
    header.appendBigEndian(UInt32(image.height))
    header += [8, 6, 0, 0, 0]  // bit depth 8, colour type RGBA, deflate, filter method 0, no interlace
    appendChunk(&out, "IHDR", header)
    appendChunk(&out, "IDAT", compressed)
    appendChunk(&out, "IEND", [])
    return out
  }

  static func appendChunk(_ out: inout [UInt8], _ type: String, _ data: [UInt8]) {
    out.appendBigEndian(UInt32(data.count))
    let typeBytes = Array(type.utf8)
    var crc = crc32(0, nil, 0)
    crc = typeBytes.withUnsafeBufferPointer { crc32(crc, $0.baseAddress, uInt($0.count)) }
    if !data.isEmpty { crc = data.withUnsafeBufferPointer { crc32(crc, $0.baseAddress, uInt($0.count)) } }
    out += typeBytes
    out += data
    out.appendBigEndian(UInt32(truncatingIfNeeded: crc))
  }
}

extension Array where Element == UInt8 {
  mutating func appendBigEndian(_ v: UInt32) {
    append(UInt8(v >> 24 & 0xFF)); append(UInt8(v >> 16 & 0xFF)); append(UInt8(v >> 8 & 0xFF)); append(UInt8(v & 0xFF))
  }
}

/// Base64 text of bytes (RFC 4648, with padding), for `data:` URLs.
func base64(_ bytes: [UInt8]) -> String {
  let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
  var out = [UInt8]()
  out.reserveCapacity((bytes.count + 2) / 3 * 4)
  var i = 0
  while i + 2 < bytes.count {
    let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
    out += [table[Int(v >> 18 & 63)], table[Int(v >> 12 & 63)], table[Int(v >> 6 & 63)], table[Int(v & 63)]]
    i += 3
  }
  let rest = bytes.count - i
  if rest == 1 {
    let v = UInt32(bytes[i]) << 16
    out += [table[Int(v >> 18 & 63)], table[Int(v >> 12 & 63)], UInt8(ascii: "="), UInt8(ascii: "=")]
  } else if rest == 2 {
    let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
    out += [table[Int(v >> 18 & 63)], table[Int(v >> 12 & 63)], table[Int(v >> 6 & 63)], UInt8(ascii: "=")]
  }
  return String(decoding: out, as: UTF8.self)
}
