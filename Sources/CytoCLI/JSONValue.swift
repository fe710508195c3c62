/// A JSON value with ordered object keys, so machine output is stable and readable.
///
/// Foundation's `JSONEncoder` drops `nil` optionals and orders keys alphabetically at best;
/// the documented `--json` schemas need explicit `null`s and a fixed key order.
public enum JSONValue: Equatable, Sendable {
  case null
  case bool(Bool)
  case int(Int)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([(String, JSONValue)])

  public static func == (a: JSONValue, b: JSONValue) -> Bool { a.serialized() == b.serialized() }

  /// `value` as a string, or `null`.
  public static func optional(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
  /// `value` as a number, or `null`.
  public static func optional(_ value: Double?) -> JSONValue { value.map { .number($0) } ?? .null }
  /// `value` as an integer, or `null`.
  public static func optional(_ value: Int?) -> JSONValue { value.map { .int($0) } ?? .null }

  /// Serialized text; `pretty` indents with two spaces.
  public func serialized(pretty: Bool = true) -> String {
    var out = ""
    write(&out, indent: pretty ? 0 : nil)
    return out
  }

  private func write(_ out: inout String, indent: Int?) {
    switch self {
    case .null: out += "null"
    case .bool(let b): out += b ? "true" : "false"
    case .int(let i): out += String(i)
    case .number(let d): out += Self.number(d)
    case .string(let s): Self.quote(s, into: &out)
    case .array(let a):
      if a.isEmpty { out += "[]"; return }
      out += "["
      for (i, v) in a.enumerated() {
        if i > 0 { out += "," }
        newline(&out, indent.map { $0 + 1 })
        v.write(&out, indent: indent.map { $0 + 1 })
      }
      newline(&out, indent)
      out += "]"
    case .object(let o):
      if o.isEmpty { out += "{}"; return }
      out += "{"
      for (i, (k, v)) in o.enumerated() {
        if i > 0 { out += "," }
        newline(&out, indent.map { $0 + 1 })
        Self.quote(k, into: &out)
        out += indent == nil ? ":" : ": "
        v.write(&out, indent: indent.map { $0 + 1 })
      }
      newline(&out, indent)
      out += "}"
    }
  }

  private func newline(_ out: inout String, _ indent: Int?) {
    guard let indent else { return }
    out += "\n" + String(repeating: "  ", count: indent)
  }

  /// Shortest text that reads back as the same `Double`; non-finite values as strings.
  static func number(_ d: Double) -> String {
    if d.isNaN { return "\"NaN\"" }
    if d.isInfinite { return d > 0 ? "\"Infinity\"" : "\"-Infinity\"" }
    return d.compactText
  }

  static func quote(_ s: String, into out: inout String) {
    out += "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where u.value < 0x20:
        let h = String(u.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
      default: out.unicodeScalars.append(u)
      }
    }
    out += "\""
  }
}
