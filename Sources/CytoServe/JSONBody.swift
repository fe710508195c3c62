import Foundation
import Hummingbird

/// Reading a JSON request body with the server's limits.
enum JSONBody {
  /// Decodes the body of `request` as `T`.
  ///
  /// - `Content-Type` must be `application/json` (415 otherwise): browsers cannot send that
  ///   cross-site without a CORS preflight, which this server never answers.
  /// - A `Content-Length` over `limit`, or more bytes than `limit` arriving, is 413 before the
  ///   body is decoded.
  /// - Invalid JSON or JSON of the wrong shape is 400 naming where and why.
  static func decode<T: Decodable>(_ type: T.Type, from request: Request, limit: Int) async throws -> T {
    let mediaType = request.headers[.contentType]?.split(separator: ";").first.map {
      $0.trimmingCharacters(in: .whitespaces).lowercased()
    }
    guard mediaType == "application/json" else {
      throw ServeError(.unsupportedMediaType, "unsupported_media_type", "the body must be JSON (Content-Type: application/json)")
    }
    if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
      throw tooLarge(limit)
    }
    let buffer: ByteBuffer
    do { buffer = try await request.body.collect(upTo: limit) } catch let e as any HTTPResponseError where e.status == .contentTooLarge {
      throw tooLarge(limit)
    }
    do {
      return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
    } catch let e as DecodingError {
      throw ServeError(.badRequest, "bad_json", describe(e))
    } catch {
      throw ServeError(.badRequest, "bad_json", "the body is not valid JSON")
    }
  }

  static func tooLarge(_ limit: Int) -> ServeError {
    ServeError(.contentTooLarge, "body_too_large", "the request body is larger than the server accepts (\(limit) bytes)")
  }

  /// A DecodingError in words: where in the document (`$.message`) and what was wrong.
  static func describe(_ e: DecodingError) -> String {
    func path(_ keys: [any CodingKey]) -> String {
      "$" + keys.map { k in k.intValue.map { "[\($0)]" } ?? ".\(k.stringValue)" }.joined()
    }
    switch e {
    case .dataCorrupted(let c):
      return c.codingPath.isEmpty ? "the body is not valid JSON" : "invalid value at \(path(c.codingPath))"
    case .keyNotFound(let key, let c): return "missing key '\(key.stringValue)' at \(path(c.codingPath))"
    case .typeMismatch(let type, let c): return "wrong type at \(path(c.codingPath)): expected \(type)"
    case .valueNotFound(let type, let c): return "missing value at \(path(c.codingPath)): expected \(type)"
    @unknown default: return "the body does not have the expected shape"
    }
  }
}
