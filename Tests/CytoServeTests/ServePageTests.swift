import CytoServe
import CytoStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

extension Serve {
  /// The review page (HTML, stylesheet, script modules) and the patient report route: types,
  /// Content-Security-Policies, no markup injection sinks, no external URLs, the DOM hooks the
  /// browser tests use, escaping of hostile ids.
  @Suite struct ServePageTests {
    static func encoded(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? s }

    /// Every module the page loads: `/app.js` and each `/js/NAME.js` it imports, transitively.
    static func modules(_ client: any TestClientProtocol, _ config: ServeConfiguration) async throws -> [String: String] {
      var found: [String: String] = [:]
      var queue = ["/app.js"]
      while let path = queue.popLast() {
        guard found[path] == nil else { continue }
        let text = try await client.execute(uri: path, method: .get, headers: config.cookieHeader) { r -> String in
          #expect(r.status == .ok, "\(path)")
          #expect(r.headers[.contentType] == "text/javascript; charset=utf-8", "\(path)")
          return r.text
        }
        found[path] = text
        for line in text.split(separator: "\n") where line.hasPrefix("import ") {
          guard let from = line.range(of: "from \""), let end = line[from.upperBound...].firstIndex(of: "\"") else { continue }
          queue.append(String(line[from.upperBound..<end]))
        }
      }
      return found
    }

    @Test func pageAndAssetsAreServedWithTheirTypesAndAStrictPolicy() async throws {
      let config = try ServeFixture.get().configuration()
      try await routerApp(config).test(.router) { client in
        let page = try await client.execute(uri: "/", method: .get, headers: config.cookieHeader) { r -> String in
          #expect(r.status == .ok)
          #expect(r.headers[.contentType] == "text/html; charset=utf-8")
          let csp = try #require(r.headers[.contentSecurityPolicy])
          for rule in ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"] {
            #expect(csp.contains(rule), "\(rule)")
          }
          #expect(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval") && !csp.contains("data:"))
          return r.text
        }
        #expect(page.contains(#"<script type="module" src="/app.js"></script>"#))
        #expect(page.contains(#"<link rel="stylesheet" href="/app.css">"#))
        // No inline script or style, no event-handler attributes, nothing from elsewhere.
        #expect(page.components(separatedBy: "<script").count == 2, "one script element, the module")
        #expect(!page.contains("<style") && !page.contains(" style=") && !page.contains("javascript:"))
        #expect(page.range(of: #"<[^>]*\son[a-z]+="#, options: .regularExpression) == nil, "no event-handler attribute in a tag")
        #expect(!page.contains("http://") && !page.contains("https://"))
        // The hooks of the browser tests.
        for id in ["error", "review", "counts", "reviewer", "reason", "save-draft", "approve", "apply-later", "save-result", "apply-result",
                   "history", "plots"] {
          #expect(page.contains("id=\"\(id)\""), "#\(id)")
        }
        try await client.execute(uri: "/app.css", method: .get, headers: config.cookieHeader) { r throws in
          #expect(r.status == .ok && r.headers[.contentType] == "text/css; charset=utf-8")
          #expect(!r.text.contains("http://") && !r.text.contains("https://") && !r.text.contains("@import") && !r.text.contains("url("))
        }
        let modules = try await Self.modules(client, config)
        #expect(Set(modules.keys).isSuperset(of: ["/app.js", "/js/review.js", "/js/overlay.js", "/js/plot.js", "/js/forms.js", "/js/cohort.js"]))
        for (path, js) in modules {
          for sink in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "setTimeout(\"",
                       ".style.", "\"style\"", "http://", "https://"] {
            #expect(!js.contains(sink), "\(path) contains \(sink)")
          }
          #expect(js.contains("\"use strict\";"), "\(path)")
          #expect(js.split(separator: "\n").count <= 400, "\(path) stays under 400 lines")
        }
        // The hooks the scripts set.
        let all = modules.values.joined(separator: "\n")
        for hook in ["\"data-patient\"", "\"data-visit\"", "review-status", "review-link", "patient-link", "\"data-state\"", "\"data-handle\"",
                     "gate-shape", "\"data-population\"", "\"data-highlight\"", "\"data-version\"", "\"centre\"", "\"cut\"", "\"overlay\""] {
          #expect(all.contains(hook), "\(hook)")
        }
      }
    }

    @Test func assetsAndReportsNeedTheSessionCookie() async throws {
      let config = try ServeFixture.get().configuration()
      try await routerApp(config).test(.router) { client in
        for uri in ["/app.css", "/js/review.js", "/patients/P01/report", "/favicon.ico"] {
          try await client.execute(uri: uri, method: .get) { r throws in #expect(r.status == .unauthorized, "\(uri)") }
        }
        try await client.execute(uri: "/js/nothing.js", method: .get, headers: config.cookieHeader) { r throws in #expect(r.status == .notFound) }
        try await client.execute(uri: "/favicon.ico", method: .get, headers: config.cookieHeader) { r throws in #expect(r.status == .noContent) }
      }
    }

    @Test func patientReportIsTheCLIReportWithoutScriptsUnderItsOwnPolicy() async throws {
      let f = try ServeFixture.get()
      let version = try ServeFixture.run(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
      let config: ServeConfiguration = {
        var c = f.configuration()
        c.softwareVersion = version
        return c
      }()
      let cliFile = f.directory.appendingPathComponent("P01-cli.html").path
      try ServeFixture.check(ServeFixture.run(["report", "--store", f.store, "--patient", "P01", "-o", cliFile]), "report")
      let cli = try String(contentsOfFile: cliFile, encoding: .utf8)
      try await routerApp(config).test(.router) { client in
        try await client.execute(uri: "/patients/P01/report", method: .get, headers: config.cookieHeader) { r throws in
          #expect(r.status == .ok)
          #expect(r.headers[.contentType] == "text/html; charset=utf-8")
          let csp = try #require(r.headers[.contentSecurityPolicy])
          #expect(csp.hasPrefix("default-src 'none'; style-src 'sha256-"))
          #expect(!csp.contains("script-src") && !csp.contains("unsafe") && csp.contains("frame-ancestors 'none'") && csp.contains("form-action 'none'"))
          // The hash is the one of the page's <style> element.
          let html = r.text
          let style = try #require(html.range(of: "<style>").flatMap { open in
            html.range(of: "</style>", range: open.upperBound..<html.endIndex).map { String(html[open.upperBound..<$0.lowerBound]) }
          })
          let hash = Data(SHA256.hash(Array(style.utf8)).bytes).base64EncodedString()
          #expect(csp.contains("'sha256-\(hash)'"))
          #expect(!html.lowercased().contains("<script") && html.contains("<svg") && html.contains("Patient P01"))
          #expect(html.contains(#"<a class="back-link" href="/#/patients/P01">"#))
          // The same assembly as `cytoreset report`: equal but for the link back and the provenance.
          func normalised(_ s: String) -> [Substring] {
            s.split(separator: "\n").filter { !$0.contains("back-link") && !$0.contains("Source") && !$0.hasPrefix("<footer>") }
          }
          #expect(normalised(html) == normalised(cli))
        }
      }
    }

    @Test func reportsOfHostileAndUnknownPatients() async throws {
      let config = try ServeFixture.get().configuration()
      let id = ServeFixture.hostileID
      try await routerApp(config).test(.router) { client in
        try await client.execute(uri: "/patients/\(Self.encoded(id))/report", method: .get, headers: config.cookieHeader) { r throws in
          #expect(r.status == .ok, "\(r.text)")
          #expect(!r.text.contains(id) && !r.text.contains("<img") && r.text.contains("&lt;img src=x onerror=alert(1)&gt;"))
          #expect(r.text.contains("href=\"/#/patients/%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E\""), "the link back is percent-encoded")
          #expect(!r.text.contains("<script"))
        }
        for uri in ["/patients/NOPE/report", "/patients/%2e%2e/report", "/patients/P01%2F..%2F/report", "/patients/P01/report/x",
                    "/patients//report", "/patients/%00/report"] {
          try await client.execute(uri: uri, method: .get, headers: config.cookieHeader) { r throws in
            #expect(r.status == .notFound, "\(uri)")
            #expect(r.headers[.contentType]?.hasPrefix("application/json") == true)
          }
        }
      }
    }
  }
}
