import Foundation
import Hummingbird
import Logging

/// The review server of `cytoreset serve` (issue #14, first slice): the embedded page and the
/// read-only JSON API over a cohort store, behind token/cookie authentication and same-origin
/// checks (docs/serve-api.md).
public struct ReviewServer: Sendable {
  public let configuration: ServeConfiguration
  let catalog: StoreCatalog
  let service: ReviewService

  public init(configuration: ServeConfiguration) {
    self.configuration = configuration
    catalog = StoreCatalog(storePath: configuration.storePath, locator: FCSLocator(directory: configuration.fcsDirectory))
    service = ReviewService(catalog: catalog, sessions: ReviewSessions(capacity: configuration.sessionCapacity),
                            softwareVersion: configuration.softwareVersion)
  }

  /// The router with every route and middleware; tests drive it with HummingbirdTesting.
  ///
  /// - Parameter extraRoutes: routes added behind the same middleware (tests only).
  public func router(extraRoutes: (Router<BasicRequestContext>) -> Void = { _ in }) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: ResponseGuardMiddleware())
    router.add(middleware: AccessMiddleware(configuration: configuration))
    router.add(middleware: SameOriginMiddleware())
    let catalog = self.catalog
    let limit = configuration.maxBodyBytes

    router.get("/") { _, _ -> Response in
      Self.text(IndexPage.html(try catalog.patients()), type: "text/html; charset=utf-8", csp: IndexPage.contentSecurityPolicy)
    }
    router.get("/app.js") { _, _ in Self.text(IndexPage.javascript, type: "text/javascript; charset=utf-8") }
    router.get("/app.css") { _, _ in Self.text(IndexPage.css, type: "text/css; charset=utf-8") }
    PageRoutes.add(to: router, catalog: catalog, softwareVersion: configuration.softwareVersion)

    router.get("/api/patients") { _, _ in JSONResponse.make(try catalog.patients()) }
    router.get("/api/patients/:patient/visits/:visit") { request, context -> Response in
      let (p, v) = try Self.visitParameters(context)
      return JSONResponse.make(try catalog.visit(patient: p, visit: v, version: try Self.version(request)))
    }
    router.get("/api/patients/:patient/visits/:visit/history") { _, context -> Response in
      let (p, v) = try Self.visitParameters(context)
      return JSONResponse.make(try catalog.history(patient: p, visit: v))
    }
    let service = self.service
    router.get("/api/patients/:patient/visits/:visit/review") { request, context -> Response in
      let (p, v) = try Self.visitParameters(context)
      return JSONResponse.make(try await service.review(patient: p, visit: v, version: try Self.version(request)))
    }
    router.post("/api/patients/:patient/visits/:visit/recount") { request, context -> Response in
      let (p, v) = try Self.visitParameters(context)
      let body = try await JSONBody.decode(RecountRequest.self, from: request, limit: limit)
      return JSONResponse.make(try await service.recount(patient: p, visit: v, body))
    }
    router.post("/api/patients/:patient/visits/:visit/plots") { request, context -> Response in
      let (p, v) = try Self.visitParameters(context)
      let body = try await JSONBody.decode(PlotsRequest.self, from: request, limit: limit)
      return JSONResponse.make(try await service.plots(patient: p, visit: v, body))
    }
    router.post("/api/patients/:patient/visits/:visit/reviews") { request, context -> Response in
      let (p, v) = try Self.visitParameters(context)
      let body = try await JSONBody.decode(SaveRequest.self, from: request, limit: limit)
      return JSONResponse.make(status: .created, try await service.save(patient: p, visit: v, body))
    }
    router.post("/api/patients/:patient/visits/:visit/apply") { request, context -> Response in
      let (p, v) = try Self.visitParameters(context)
      let body = try await JSONBody.decode(ApplyRequest.self, from: request, limit: limit)
      return JSONResponse.make(try await service.apply(patient: p, visit: v, body))
    }
    router.post("/api/ping") { request, _ -> Response in
      let ping = try await JSONBody.decode(PingRequest.self, from: request, limit: limit)
      return JSONResponse.make(PingResponse(message: ping.message))
    }
    extraRoutes(router)
    return router
  }

  /// The `?version=N` query parameter (400 when not an integer).
  static func version(_ request: Request) throws -> Int? {
    guard let text = request.uri.queryParameters.get("version") else { return nil }
    guard let n = Int(text) else { throw ServeError(.badRequest, "bad_parameter", "version must be an integer") }
    return n
  }

  /// Decodes and validates the `:patient` and `:visit` segments (404 when refused).
  static func visitParameters(_ context: BasicRequestContext) throws -> (String, String) {
    guard let p = context.parameters.get("patient").flatMap(RouteParameter.decode),
      let v = context.parameters.get("visit").flatMap(RouteParameter.decode)
    else { throw ServeError.notFound() }
    return (p, v)
  }

  static func text(_ s: String, type: String, csp: String? = nil) -> Response {
    var headers = HTTPFields()
    headers[.contentType] = type
    if let csp { headers[.contentSecurityPolicy] = csp }
    return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: s)))
  }

  /// A logger writing to standard error (standard output carries only the URL).
  public static func standardErrorLogger(level: Logger.Level = .info) -> Logger {
    var logger = Logger(label: "cytoreset.serve") { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = level
    return logger
  }

  /// The application: binds ``ServeConfiguration/host`` and ``ServeConfiguration/port``.
  ///
  /// - Parameter onReady: called once bound, with the URL to open (the real port when 0 was asked).
  public func application(logger: Logger = standardErrorLogger(), onReady: @escaping @Sendable (String) -> Void = { _ in })
    -> some ApplicationProtocol
  {
    let configuration = self.configuration
    return Application(
      router: router(),
      configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
      onServerRunning: { channel in onReady(configuration.url(port: channel.localAddress?.port ?? configuration.port)) },
      logger: logger)
  }

  /// Runs until SIGINT or SIGTERM, then shuts down gracefully (in-flight requests finish).
  public func run(logger: Logger = standardErrorLogger(), onReady: @escaping @Sendable (String) -> Void) async throws {
    try await application(logger: logger, onReady: onReady).runService()
  }
}
