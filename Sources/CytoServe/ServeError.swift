import Foundation
import Hummingbird

/// An error the review server answers with: an HTTP status and a JSON body
/// `{"error": code, "message": text}` (docs/serve-api.md).
public struct ServeError: Error, Sendable, HTTPResponseError {
  /// The HTTP status.
  public var status: HTTPResponse.Status
  /// A stable machine-readable code (`unauthorized`, `not_found`, `bad_json`, …).
  public var code: String
  /// What went wrong, in words, for a person.
  public var message: String

  public init(_ status: HTTPResponse.Status, _ code: String, _ message: String) {
    self.status = status
    self.code = code
    self.message = message
  }

  /// 404: the path names no route, or a patient, visit or version the store does not hold.
  public static func notFound(_ message: String = "no such resource") -> ServeError { ServeError(.notFound, "not_found", message) }

  /// The JSON body.
  struct Body: Encodable {
    var error: String
    var message: String
  }

  public func response(from request: Request, context: some RequestContext) throws -> Response {
    JSONResponse.make(status: status, Body(error: code, message: message))
  }
}

/// JSON responses: `JSONEncoder` output with `<`, `>` and `&` written as `\u003c`, `\u003e`,
/// `\u0026`, so no byte sequence of a response can close a `<script>` or start markup even if
/// a browser or a careless client sniffs it as HTML (they only occur inside strings, where the
/// escapes mean the same characters). Non-finite numbers are the strings `"NaN"`, `"Infinity"`,
/// `"-Infinity"`, as in the CLI's JSON.
public enum JSONResponse {
  /// The encoded bytes of `value`, escaped as above.
  public static func encode(_ value: some Encodable) throws -> [UInt8] {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
    let data = try e.encode(value)
    var out: [UInt8] = []
    out.reserveCapacity(data.count + 16)
    for b in data {
      switch b {
      case UInt8(ascii: "<"): out += Array("\\u003c".utf8)
      case UInt8(ascii: ">"): out += Array("\\u003e".utf8)
      case UInt8(ascii: "&"): out += Array("\\u0026".utf8)
      default: out.append(b)
      }
    }
    return out
  }

  /// A response with `value` as its JSON body (a 500 with a fixed body if encoding fails).
  public static func make(status: HTTPResponse.Status = .ok, _ value: some Encodable) -> Response {
    let bytes: [UInt8]
    var s = status
    do { bytes = try encode(value) } catch {
      bytes = Array(#"{"error":"internal","message":"the response could not be encoded as JSON"}"#.utf8)
      s = .internalServerError
    }
    var headers = HTTPFields()
    headers[.contentType] = "application/json; charset=utf-8"
    return Response(status: s, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
  }
}
