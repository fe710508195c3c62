/// A JSON document as parsed, numbers kept exactly as written: the basis of the integrity
/// digest of analysis records (``AnalysisRecord``).
///
/// The canonical encoding (``canonicalBytes()``) is the document with no whitespace, object
/// members sorted by the UTF-8 bytes of their names, strings re-escaped by one rule and numbers
/// as they were written. Two files that differ only in whitespace, member order or string
/// escapes (`\u00e9` for `é`, `\/` for `/`) have the same canonical encoding; a changed value,
/// key or number spelling changes it.
///
/// The parser is strict (RFC 8259): it refuses duplicate member names (a reader could take
/// either value), invalid UTF-8, lone surrogates, control characters in strings, and nesting
/// deeper than ``maximumDepth``. Its errors give the byte offset, line, column and the JSON path
/// being read.
public indirect enum CanonicalJSON: Sendable, Equatable {
  /// `null`.
  case null
  /// `true` or `false`.
  case bool(Bool)
  /// A number, as written in the document (validated against the JSON grammar).
  case number(String)
  /// A string, unescaped.
  case string(String)
  /// An array.
  case array([CanonicalJSON])
  /// An object (member names are unique: the parser refuses duplicates).
  case object([String: CanonicalJSON])

  /// The deepest nesting of arrays and objects the parser accepts.
  public static let maximumDepth = 256

  /// Why a document is not JSON, and where.
  public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 0-based byte offset of the offending byte (the file's length for an early end).
    public var byteOffset: Int
    /// 1-based line of ``byteOffset``.
    public var line: Int
    /// 1-based column (in bytes) of ``byteOffset``.
    public var column: Int
    /// The JSON path being read: `analysis.populations[3].count`; empty at the top level.
    public var path: String
    /// What was wrong.
    public var reason: String

    public var description: String {
      "\(reason) at byte \(byteOffset) (line \(line), column \(column))" + (path.isEmpty ? "" : " in \(path)")
    }
  }

  /// Parses one JSON document (surrounding whitespace allowed, nothing else after it).
  /// - Throws: ``ParseError``.
  public static func parse(_ bytes: [UInt8]) throws(ParseError) -> CanonicalJSON {
    var p = Parser(bytes: bytes)
    p.skipWhitespace()
    let v = try p.value(depth: 0)
    p.skipWhitespace()
    if p.i < bytes.count { throw p.fail("unexpected data after the JSON document") }
    return v
  }

  /// The member `name` of an object (nil for other values or a missing member).
  public subscript(name: String) -> CanonicalJSON? {
    if case .object(let o) = self { return o[name] }
    return nil
  }

  /// The string, when this is one.
  public var stringValue: String? {
    if case .string(let s) = self { return s }
    return nil
  }

  /// The canonical encoding (see the type's description).
  public func canonicalBytes() -> [UInt8] {
    var out: [UInt8] = []
    write(&out)
    return out
  }

  private func write(_ out: inout [UInt8]) {
    switch self {
    case .null: out += Array("null".utf8)
    case .bool(let b): out += Array((b ? "true" : "false").utf8)
    case .number(let n): out += Array(n.utf8)
    case .string(let s): Self.quote(s, into: &out)
    case .array(let a):
      out.append(UInt8(ascii: "["))
      for (k, v) in a.enumerated() {
        if k > 0 { out.append(UInt8(ascii: ",")) }
        v.write(&out)
      }
      out.append(UInt8(ascii: "]"))
    case .object(let o):
      out.append(UInt8(ascii: "{"))
      let names = o.keys.map { (name: $0, bytes: Array($0.utf8)) }.sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) }
      for (k, n) in names.enumerated() {
        if k > 0 { out.append(UInt8(ascii: ",")) }
        Self.quote(n.name, into: &out)
        out.append(UInt8(ascii: ":"))
        o[n.name]!.write(&out)
      }
      out.append(UInt8(ascii: "}"))
    }
  }

  /// `"` and `\` escaped, U+0000…U+001F as `\b \t \n \f \r` or `\u00xx` (lower-case hex),
  /// every other character as its UTF-8 bytes (the string rule of RFC 8785).
  static func quote(_ s: String, into out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    for b in s.utf8 {
      switch b {
      case UInt8(ascii: "\""): out += [0x5C, 0x22]
      case UInt8(ascii: "\\"): out += [0x5C, 0x5C]
      case 0x08: out += [0x5C, UInt8(ascii: "b")]
      case 0x09: out += [0x5C, UInt8(ascii: "t")]
      case 0x0A: out += [0x5C, UInt8(ascii: "n")]
      case 0x0C: out += [0x5C, UInt8(ascii: "f")]
      case 0x0D: out += [0x5C, UInt8(ascii: "r")]
      case 0..<0x20:
        let hex = Array("0123456789abcdef".utf8)
        out += [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(b >> 4)], hex[Int(b & 15)]]
      default: out.append(b)
      }
    }
    out.append(UInt8(ascii: "\""))
  }
}

/// The recursive-descent reader behind ``CanonicalJSON/parse(_:)``.
private struct Parser {
  let bytes: [UInt8]
  var i = 0
  var line = 1
  var lineStart = 0
  /// Member names and array indices from the top down to the value being read.
  var path: [String] = []

  init(bytes: [UInt8]) { self.bytes = bytes }

  func fail(_ reason: String, at offset: Int? = nil) -> CanonicalJSON.ParseError {
    let at = offset ?? i
    var text = ""
    for c in path { text += c.hasPrefix("[") || text.isEmpty ? c : "." + c }
    return CanonicalJSON.ParseError(byteOffset: at, line: line, column: at - lineStart + 1, path: text, reason: reason)
  }

  mutating func skipWhitespace() {
    while i < bytes.count {
      switch bytes[i] {
      case 0x20, 0x09, 0x0D: i += 1
      case 0x0A:
        i += 1
        line += 1
        lineStart = i
      default: return
      }
    }
  }

  mutating func expect(_ literal: String, _ value: CanonicalJSON) throws(CanonicalJSON.ParseError) -> CanonicalJSON {
    for b in literal.utf8 {
      guard i < bytes.count else { throw fail("unexpected end of the file in '\(literal)'") }
      guard bytes[i] == b else { throw fail("invalid literal (expected '\(literal)')") }
      i += 1
    }
    return value
  }

  mutating func value(depth: Int) throws(CanonicalJSON.ParseError) -> CanonicalJSON {
    guard i < bytes.count else { throw fail("unexpected end of the file (a value was expected)") }
    switch bytes[i] {
    case UInt8(ascii: "{"): return try object(depth: depth + 1)
    case UInt8(ascii: "["): return try array(depth: depth + 1)
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "t"): return try expect("true", .bool(true))
    case UInt8(ascii: "f"): return try expect("false", .bool(false))
    case UInt8(ascii: "n"): return try expect("null", .null)
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
    default: throw fail("unexpected character '\(Unicode.Scalar(bytes[i]).escaped(asASCII: true))' (a value was expected)")
    }
  }

  mutating func object(depth: Int) throws(CanonicalJSON.ParseError) -> CanonicalJSON {
    if depth > CanonicalJSON.maximumDepth { throw fail("nested deeper than \(CanonicalJSON.maximumDepth) levels") }
    i += 1
    var members: [String: CanonicalJSON] = [:]
    skipWhitespace()
    if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
      i += 1
      return .object(members)
    }
    while true {
      skipWhitespace()
      guard i < bytes.count else { throw fail("unexpected end of the file in an object") }
      guard bytes[i] == UInt8(ascii: "\"") else { throw fail("a member name in quotes was expected") }
      let nameOffset = i
      let name = try string()
      if members[name] != nil { throw fail("duplicate member \"\(name)\"", at: nameOffset) }
      skipWhitespace()
      guard i < bytes.count else { throw fail("unexpected end of the file after member \"\(name)\"") }
      guard bytes[i] == UInt8(ascii: ":") else { throw fail("':' was expected after member \"\(name)\"") }
      i += 1
      skipWhitespace()
      path.append(name)
      members[name] = try value(depth: depth)
      path.removeLast()
      skipWhitespace()
      guard i < bytes.count else { throw fail("unexpected end of the file in an object") }
      if bytes[i] == UInt8(ascii: ",") {
        i += 1
        continue
      }
      guard bytes[i] == UInt8(ascii: "}") else { throw fail("',' or '}' was expected") }
      i += 1
      return .object(members)
    }
  }

  mutating func array(depth: Int) throws(CanonicalJSON.ParseError) -> CanonicalJSON {
    if depth > CanonicalJSON.maximumDepth { throw fail("nested deeper than \(CanonicalJSON.maximumDepth) levels") }
    i += 1
    var items: [CanonicalJSON] = []
    skipWhitespace()
    if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
      i += 1
      return .array(items)
    }
    while true {
      skipWhitespace()
      path.append("[\(items.count)]")
      items.append(try value(depth: depth))
      path.removeLast()
      skipWhitespace()
      guard i < bytes.count else { throw fail("unexpected end of the file in an array") }
      if bytes[i] == UInt8(ascii: ",") {
        i += 1
        continue
      }
      guard bytes[i] == UInt8(ascii: "]") else { throw fail("',' or ']' was expected") }
      i += 1
      return .array(items)
    }
  }

  mutating func number() throws(CanonicalJSON.ParseError) -> String {
    let start = i
    func digits(_ p: inout Parser) -> Int {
      let s = p.i
      while p.i < p.bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(p.bytes[p.i]) { p.i += 1 }
      return p.i - s
    }
    if bytes[i] == UInt8(ascii: "-") { i += 1 }
    guard i < bytes.count else { throw fail("unexpected end of the file in a number") }
    if bytes[i] == UInt8(ascii: "0") {
      i += 1
    } else if digits(&self) == 0 {
      throw fail("a digit was expected in a number")
    }
    if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
      i += 1
      if digits(&self) == 0 { throw fail("a digit was expected after the decimal point") }
    }
    if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
      i += 1
      if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
      if digits(&self) == 0 { throw fail("a digit was expected in the exponent") }
    }
    return String(decoding: bytes[start..<i], as: UTF8.self)
  }

  mutating func hex4() throws(CanonicalJSON.ParseError) -> UInt32 {
    var v: UInt32 = 0
    for _ in 0..<4 {
      guard i < bytes.count else { throw fail("unexpected end of the file in a \\u escape") }
      let b = bytes[i]
      let d: UInt8
      switch b {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): d = b - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): d = b - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): d = b - UInt8(ascii: "A") + 10
      default: throw fail("a hexadecimal digit was expected in a \\u escape")
      }
      v = v << 4 | UInt32(d)
      i += 1
    }
    return v
  }

  mutating func string() throws(CanonicalJSON.ParseError) -> String {
    let start = i
    i += 1
    var out: [UInt8] = []
    while true {
      guard i < bytes.count else { throw fail("unexpected end of the file in a string", at: bytes.count) }
      let b = bytes[i]
      switch b {
      case UInt8(ascii: "\""):
        i += 1
        guard let s = String(validating: out, as: UTF8.self) else { throw fail("the string is not valid UTF-8", at: start) }
        return s
      case UInt8(ascii: "\\"):
        i += 1
        guard i < bytes.count else { throw fail("unexpected end of the file in an escape") }
        let e = bytes[i]
        i += 1
        switch e {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
          var code = try hex4()
          if (0xD800..<0xDC00).contains(code) {
            guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
              throw fail("a high surrogate without its low surrogate")
            }
            i += 2
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw fail("a high surrogate without its low surrogate") }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
          } else if (0xDC00..<0xE000).contains(code) {
            throw fail("a low surrogate without its high surrogate")
          }
          guard let scalar = Unicode.Scalar(code) else { throw fail("invalid \\u escape") }
          out += Array(String(Character(scalar)).utf8)
        default: throw fail("invalid escape '\\\(Unicode.Scalar(e).escaped(asASCII: true))'", at: i - 1)
        }
      case 0..<0x20:
        let hex = String(b, radix: 16, uppercase: true)
        throw fail("a control character (U+00\(hex.count < 2 ? "0" : "")\(hex)) must be escaped in a string")
      default:
        out.append(b)
        i += 1
      }
    }
  }
}
