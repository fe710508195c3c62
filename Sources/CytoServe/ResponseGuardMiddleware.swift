import HTTPTypes
import Hummingbird
import Logging

/// The outermost middleware: turns every error into a JSON error body, adds the security
/// headers every response carries, and logs one line per request (method, path without the
/// query — the query may hold the access token — and status) to the application's logger.
///
/// Headers: `X-Content-Type-Options: nosniff` (a JSON body is never read as HTML),
/// `Cache-Control: no-store` (patient data stays out of caches), `X-Frame-Options: DENY` and
/// `frame-ancestors 'none'` (no clickjacking), `Referrer-Policy: same-origin`.
struct ResponseGuardMiddleware<Context: RequestContext>: RouterMiddleware {
  func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
    var response: Response
    do {
      response = try await next(request, context)
    } catch let e as ServeError {
      response = JSONResponse.make(status: e.status, ServeError.Body(error: e.code, message: e.message))
    } catch let e as any HTTPResponseError {
      response = JSONResponse.make(status: e.status, ServeError.Body(error: Self.code(for: e.status), message: Self.message(for: e.status)))
    } catch {
      context.logger.error("internal error: \(error)")
      response = JSONResponse.make(status: .internalServerError, ServeError.Body(error: "internal", message: "\(error)"))
    }
    response.headers[.xContentTypeOptions] = "nosniff"
    response.headers[.cacheControl] = "no-store"
    response.headers[SecurityHeader.frameOptions] = "DENY"
    response.headers[SecurityHeader.referrerPolicy] = "same-origin"
    if response.headers[.contentSecurityPolicy] == nil {
      response.headers[.contentSecurityPolicy] = "default-src 'none'; frame-ancestors 'none'"
    }
    context.logger.info("\(request.method) \(request.uri.path) \(response.status.code)")
    return response
  }

  static func code(for status: HTTPResponse.Status) -> String {
    switch status.code {
    case 400: "bad_request"
    case 401: "unauthorized"
    case 403: "forbidden"
    case 404: "not_found"
    case 405: "method_not_allowed"
    case 413: "body_too_large"
    case 415: "unsupported_media_type"
    default: status.code >= 500 ? "internal" : "error"
    }
  }

  static func message(for status: HTTPResponse.Status) -> String {
    switch status.code {
    case 404: "no such resource"
    case 413: "the request body is larger than the server accepts"
    default: status.reasonPhrase
    }
  }
}

/// Header names HTTPTypes does not predefine.
enum SecurityHeader {
  static let frameOptions = HTTPField.Name("X-Frame-Options")!
  static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
