import Hummingbird

/// The review page's routes besides `/`, `/app.js` and `/app.css`: its script modules and each
/// patient's report. Registered by ``ReviewServer/router(extraRoutes:)`` behind the same
/// middleware (cookie, host and same-origin checks, security headers) as every other route.
enum PageRoutes {
  static func add(to router: Router<BasicRequestContext>, catalog: StoreCatalog, softwareVersion: String) {
    for module in IndexPage.modules {
      let source = module.source
      router.get(RouterPath("/js/" + module.name)) { _, _ in ReviewServer.text(source, type: "text/javascript; charset=utf-8") }
    }
    // Browsers ask for it on every page; no content rather than a 404 in their consoles.
    router.get("/favicon.ico") { _, _ in Response(status: .noContent) }
    router.get("/patients/:patient/report") { _, context -> Response in
      guard let id = context.parameters.get("patient").flatMap(RouteParameter.decode) else { throw ServeError.notFound() }
      let html = try PatientReportPage.html(patient: id, catalog: catalog, softwareVersion: softwareVersion)
      return ReviewServer.text(html, type: "text/html; charset=utf-8", csp: PatientReportPage.contentSecurityPolicy(for: html))
    }
  }
}
