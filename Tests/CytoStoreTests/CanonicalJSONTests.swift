import CytoStore
import Foundation
import Testing

/// The strict JSON reader and canonical encoding behind analysis record digests.
@Suite struct CanonicalJSONTests {
  static func parse(_ text: String) throws(CanonicalJSON.ParseError) -> CanonicalJSON { try CanonicalJSON.parse(Array(text.utf8)) }
  static func canonical(_ text: String) throws -> String { String(decoding: try parse(text).canonicalBytes(), as: UTF8.self) }

  /// Whitespace, member order and string escapes do not change the canonical encoding; values,
  /// names and number spellings do.
  @Test func canonicalEncoding() throws {
    let a = #"{ "b" : [1, 2.50, -0, 1e-05, true, null], "a": "é/\"\\\n\u0001", "é": {} }"#
    let b = "{\"\\u00e9\":{},\"a\":\"\\u00e9\\/\\\"\\\\\\n\\u0001\",\n\t\"b\":[ 1,2.50,-0,1e-05,true,null ]}"
    #expect(try Self.canonical(a) == #"{"a":"é/\"\\\n\u0001","b":[1,2.50,-0,1e-05,true,null],"é":{}}"#)
    #expect(try Self.canonical(a) == Self.canonical(b))
    #expect(try Self.canonical(#"{"x": 2.5}"#) != Self.canonical(#"{"x": 2.50}"#), "numbers are kept as written")
    #expect(try Self.canonical(#"{"x": 1}"#) != Self.canonical(#"{"x": 2}"#))
    #expect(try Self.canonical(#"{"x": "😀"}"#) == Self.canonical(#"{"x": "\ud83d\ude00"}"#))
    // Members sort by their UTF-8 bytes: "Z" < "a" < "é".
    #expect(try Self.canonical(#"{"é":1,"a":2,"Z":3}"#) == #"{"Z":3,"a":2,"é":1}"#)
    #expect(try Self.canonical("\"\u{8}\u{C}\u{D}\u{9}\"".replacingOccurrences(of: "\u{8}", with: "\\b")
      .replacingOccurrences(of: "\u{C}", with: "\\f").replacingOccurrences(of: "\u{D}", with: "\\r")
      .replacingOccurrences(of: "\u{9}", with: "\\t")) == #""\b\f\r\t""#)
  }

  /// Every malformed document is refused with where it went wrong.
  @Test(arguments: [
    (#"{"a": [1, 2"#, 11, "a", "end of the file in an array"),
    (#"{"a": 1, "a": 2}"#, 9, "", "duplicate member \"a\""),
    (#"{"a": 01}"#, 7, "", "',' or '}' was expected"),
    (#"{"a": 1.}"#, 8, "a", "after the decimal point"),
    (#"{"a": "x"#, 8, "a", "end of the file in a string"),
    (#"{"a": "\ud800"}"#, 13, "a", "surrogate"),
    (#"{"a": tru}"#, 9, "a", "invalid literal"),
    (#"{"a": 1} x"#, 9, "", "after the JSON document"),
    ("{\"a\": \"\u{1}\"}", 7, "a", "control character"),
    (#"{"a": {"b": [{"c": nul"#, 22, "a.b[0].c", "end of the file"),
  ] as [(String, Int, String, String)])
  func malformed(_ c: (text: String, offset: Int, path: String, reason: String)) {
    do {
      _ = try Self.parse(c.text)
      Issue.record("accepted \(c.text)")
    } catch {
      #expect(error.byteOffset == c.offset, "\(c.text): \(error)")
      #expect(error.path == c.path, "\(c.text): \(error)")
      #expect(error.reason.contains(c.reason), "\(c.text): \(error)")
      #expect(error.line == 1 && error.column == c.offset + 1)
    }
  }

  @Test func lineColumnAndLimits() throws {
    do {
      _ = try Self.parse("{\n  \"a\": [\n    1,\n    x\n  ]\n}")
      Issue.record("accepted")
    } catch {
      #expect(error.line == 4 && error.column == 5 && error.path == "a[1]", "\(error)")
    }
    #expect(throws: CanonicalJSON.ParseError.self) { try Self.parse(String(repeating: "[", count: 300) + String(repeating: "]", count: 300)) }
    #expect(try Self.parse(String(repeating: "[", count: 200) + String(repeating: "]", count: 200)) != .null)
    // Invalid UTF-8 inside a string.
    #expect(throws: CanonicalJSON.ParseError.self) { try CanonicalJSON.parse([0x22, 0xC3, 0x28, 0x22]) }
    #expect(throws: CanonicalJSON.ParseError.self) { try Self.parse("") }
  }
}
