import Hummingbird

/// Authentication: the token of the printed URL, exchanged once for a session cookie.
///
/// - A `GET`/`HEAD` request whose query carries `token` equal to the server's token (compared in
///   constant time) gets `303 See Other` to the same path without the query, and
///   `Set-Cookie: cytoreset_session_PORT=…; Path=/; HttpOnly; SameSite=Strict`. The token then
///   leaves the address bar and the history.
/// - Every other request must carry that cookie (constant-time compare) or gets 401 with a
///   JSON error; a wrong token gets 401 too.
/// - When the server binds a loopback address, the request's `Host` must name loopback
///   (`127.0.0.1`, `localhost`, `[::1]`) or gets 403: a DNS-rebinding page never reaches the API
///   (it would also lack the cookie).
struct AccessMiddleware<Context: RequestContext>: RouterMiddleware {
  let configuration: ServeConfiguration

  func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
    if configuration.isLoopback, let host = HostName.hostname(ofAuthority: request.head.authority),
      !HostName.loopbackNames.contains(host.lowercased())
    {
      throw ServeError(.forbidden, "host_not_allowed", "this server only answers requests addressed to 127.0.0.1 or localhost")
    }
    // The port the browser addressed (the bound one, also with --port 0), else the configured one.
    let port = HostName.port(ofAuthority: request.head.authority) ?? configuration.port
    let cookieName = configuration.cookieName(port: port)
    if let token = request.uri.queryParameters.get("token") {
      guard request.method == .get || request.method == .head, configuration.token.matches(token) else {
        throw ServeError(.unauthorized, "unauthorized", "the access token is wrong; open the URL that cytoreset serve printed")
      }
      var headers = HTTPFields()
      headers[.location] = Self.safeRedirectTarget(request.uri.path)
      headers[.setCookie] = "\(cookieName)=\(configuration.session.hex); Path=/; HttpOnly; SameSite=Strict"
      return Response(status: .seeOther, headers: headers)
    }
    guard let cookie = request.cookies[cookieName], configuration.session.matches(cookie.value) else {
      throw ServeError(.unauthorized, "unauthorized",
                       "no valid session: open the URL that cytoreset serve printed (it carries the access token)")
    }
    return try await next(request, context)
  }

  /// The path to redirect to after the token exchange: the request's own path when it is a
  /// plain absolute path, else `/` — a path starting with `//` or holding a backslash would be
  /// read by browsers as another host (`//evil.example/`), an open redirect.
  static func safeRedirectTarget(_ path: String) -> String {
    guard path.hasPrefix("/"), !path.hasPrefix("//"), !path.contains("\\"),
      path.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7f })
    else { return "/" }
    return path
  }
}

/// Host names in `Host`/`:authority` values.
enum HostName {
  /// The names a loopback-bound server answers to.
  static let loopbackNames: Set<String> = ["127.0.0.1", "localhost", "[::1]"]

  /// The host of an authority (`127.0.0.1:8765` → `127.0.0.1`, `[::1]:8765` → `[::1]`), nil when absent.
  static func hostname(ofAuthority authority: String?) -> String? {
    guard let a = authority, !a.isEmpty else { return nil }
    if a.hasPrefix("[") {
      guard let end = a.firstIndex(of: "]") else { return a }
      return String(a[...end])
    }
    if let colon = a.lastIndex(of: ":") { return String(a[..<colon]) }
    return a
  }

  /// The port of an authority (`127.0.0.1:8765` → 8765), nil when absent or not a number.
  static func port(ofAuthority authority: String?) -> Int? {
    guard let a = authority, let colon = a.lastIndex(of: ":"), !a[colon...].contains("]") else { return nil }
    return Int(a[a.index(after: colon)...]).flatMap { (1...65535).contains($0) ? $0 : nil }
  }
}

/// Forgery protection for state-changing requests (`POST`, `PUT`, `PATCH`, `DELETE`): besides
/// the session cookie (which ``AccessMiddleware`` has checked, and which `SameSite=Strict`
/// already keeps off cross-site requests), the request must come from a page of this server:
/// its `Origin` equals `http://` + the request's `Host`, or, without `Origin`, its `Referer`
/// starts with that origin and `/`. Anything else (another site, `Origin: null`, neither
/// header) gets 403.
struct SameOriginMiddleware<Context: RequestContext>: RouterMiddleware {
  static var safeMethods: Set<HTTPRequest.Method> { [.get, .head, .options] }

  func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
    guard !Self.safeMethods.contains(request.method) else { return try await next(request, context) }
    guard Self.isSameOrigin(request) else {
      throw ServeError(.forbidden, "cross_origin",
                       "a state-changing request needs an Origin (or Referer) header of this server's own address")
    }
    return try await next(request, context)
  }

  static func isSameOrigin(_ request: Request) -> Bool {
    guard let authority = request.head.authority, !authority.isEmpty else { return false }
    let origin = "http://" + authority.lowercased()
    if let o = request.headers[.origin] { return o.lowercased() == origin }
    if let r = request.headers[.referer] { return r.lowercased().hasPrefix(origin + "/") }
    return false
  }
}

