@testable import CytoServe
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

extension Serve {
  /// Authentication, forgery protection, limits and paths of the review server, through
  /// HummingbirdTesting's router mode (every request goes through the real middleware and router).
  @Suite struct ServeSecurityTests {
    @Test func constantTimeComparison() {
      #expect(AccessSecret.constantTimeEquals("abc", "abc"))
      #expect(AccessSecret.constantTimeEquals("", ""))
      #expect(!AccessSecret.constantTimeEquals("abc", "abd"))
      #expect(!AccessSecret.constantTimeEquals("xbc", "abc"))
      #expect(!AccessSecret.constantTimeEquals("abc", "abcd"))
      #expect(!AccessSecret.constantTimeEquals("abcd", "abc"))
      #expect(!AccessSecret.constantTimeEquals("", "a"))
      // Same bytes after a common prefix of NULs must not compare equal to a shorter string.
      #expect(!AccessSecret.constantTimeEquals("a\u{0}", "a"))
      let s = AccessSecret.random()
      #expect(s.hex.count == 64 && s.hex.allSatisfy { "0123456789abcdef".contains($0) })
      #expect(s.matches(s.hex) && !s.matches(String(s.hex.dropLast()) + (s.hex.last == "0" ? "1" : "0")))
      #expect(AccessSecret.random() != AccessSecret.random())
      #expect(!"\(s)".contains(s.hex), "the description must not print the secret")
    }

    @Test func requestsWithoutTokenOrCookieGet401() async throws {
      let config = try ServeFixture.get().configuration()
      try await routerApp(config).test(.router) { client in
        for uri in ["/", "/app.js", "/api/patients", "/api/patients/P01/visits/day-007", "/nothing"] {
          try await client.execute(uri: uri, method: .get) { r throws in
            #expect(r.status == .unauthorized, "\(uri)")
            #expect(r.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(try r.json()["error"] as? String == "unauthorized")
          }
        }
        try await client.execute(uri: "/?token=" + String(repeating: "0", count: 64), method: .get) { r throws in
          #expect(r.status == .unauthorized)
          #expect(r.headers[.setCookie] == nil)
        }
        var wrongCookie = HTTPFields()
        wrongCookie[.cookie] = "\(config.cookieName(port: config.port))=\(config.token.hex)"
        try await client.execute(uri: "/api/patients", method: .get, headers: wrongCookie) { r throws in #expect(r.status == .unauthorized) }
        var token = HTTPFields()
        token[.origin] = "http://localhost"
        try await client.execute(uri: "/api/ping?token=\(config.token.hex)", method: .post, headers: token) { r throws in
          #expect(r.status == .unauthorized, "the token authenticates only the GET that exchanges it")
        }
      }
    }

    @Test func tokenIsExchangedForAStrictHttpOnlyCookie() async throws {
      let config = try ServeFixture.get().configuration()
      try await routerApp(config).test(.router) { client in
        let cookie = try await client.execute(uri: "/?token=\(config.token.hex)", method: .get) { r -> String in
          #expect(r.status == .seeOther)
          #expect(r.headers[.location] == "/")
          let setCookie = try #require(r.headers[.setCookie])
          #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && setCookie.contains("Path=/"))
          #expect(!setCookie.contains(config.token.hex), "the cookie is a session value, not the token")
          return String(try #require(setCookie.split(separator: ";").first))
        }
        var h = HTTPFields()
        h[.cookie] = cookie
        try await client.execute(uri: "/api/patients", method: .get, headers: h) { r throws in
          #expect(r.status == .ok)
          #expect(r.headers[.xContentTypeOptions] == "nosniff")
          #expect(r.headers[.cacheControl] == "no-store")
        }
        try await client.execute(uri: "/", method: .get, headers: h) { r throws in
          #expect(r.status == .ok)
          #expect(r.headers[.contentType]?.hasPrefix("text/html") == true)
          #expect(r.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
        }
        // The token on another page redirects to that page; a path that a browser would read as
        // another host redirects to / (no open redirect).
        try await client.execute(uri: "/api/patients?token=\(config.token.hex)", method: .get) { r throws in
          #expect(r.headers[.location] == "/api/patients")
        }
        try await client.execute(uri: "//evil.example/?token=\(config.token.hex)", method: .get) { r throws in
          #expect(r.status == .seeOther && r.headers[.location] == "/")
        }
      }
    }

    @Test func stateChangingRequestsNeedTheCookieAndTheSameOrigin() async throws {
      let config = try ServeFixture.get().configuration()
      let body = ByteBuffer(string: #"{"message":"hi"}"#)
      @Sendable func headers(origin: String? = nil, referer: String? = nil, cookie: Bool = true) -> HTTPFields {
        var h = cookie ? config.cookieHeader : HTTPFields()
        h[.contentType] = "application/json"
        if let origin { h[.origin] = origin }
        if let referer { h[.referer] = referer }
        return h
      }
      try await routerApp(config).test(.router) { client in
        let forbidden: [HTTPFields] = [
          headers(), headers(origin: "http://evil.example"), headers(origin: "null"), headers(origin: "http://localhost.evil.example"),
          headers(origin: "https://localhost"), headers(referer: "http://evil.example/"), headers(referer: "http://localhost.evil.example/x"),
        ]
        for h in forbidden {
          try await client.execute(uri: "/api/ping", method: .post, headers: h, body: body) { r throws in
            #expect(r.status == .forbidden, "\(h)")
            #expect(try r.json()["error"] as? String == "cross_origin")
          }
        }
        try await client.execute(uri: "/api/ping", method: .post, headers: headers(origin: "http://localhost", cookie: false), body: body) { r throws in
          #expect(r.status == .unauthorized)
        }
        for h in [headers(origin: "http://localhost"), headers(referer: "http://localhost/")] {
          try await client.execute(uri: "/api/ping", method: .post, headers: h, body: body) { r throws in
            #expect(r.status == .ok)
            #expect(try r.json()["message"] as? String == "hi")
          }
        }
        for method in [HTTPRequest.Method.put, .delete] {
          try await client.execute(uri: "/api/patients", method: method, headers: headers()) { r throws in #expect(r.status == .forbidden) }
        }
      }
    }

    @Test func bodiesOverTheLimitGet413AndMalformedJSONGets400() async throws {
      let config = try ServeFixture.get().configuration()
      let h: HTTPFields = {
        var h = config.cookieHeader
        h[.origin] = "http://localhost"
        h[.contentType] = "application/json"
        return h
      }()
      try await routerApp(config).test(.router) { client in
        let big = #"{"message":""# + String(repeating: "x", count: ServeConfiguration.defaultMaxBodyBytes) + #""}"#
        try await client.execute(uri: "/api/ping", method: .post, headers: h, body: ByteBuffer(string: big)) { r throws in
          #expect(r.status == .contentTooLarge)
          #expect(try r.json()["error"] as? String == "body_too_large")
        }
        let cases: [(String, String)] = [
          (#"{"message": "#, "not valid JSON"), ("", "not valid JSON"), ("[1,2", "not valid JSON"),
          (#"{"message": 5}"#, "$.message"), (#"{"message": ["a"]}"#, "$.message"), ("\u{0}\u{1}", "not valid JSON"),
        ]
        for (text, expected) in cases {
          try await client.execute(uri: "/api/ping", method: .post, headers: h, body: ByteBuffer(string: text)) { r throws in
            #expect(r.status == .badRequest, "\(text)")
            let j = try r.json()
            #expect(j["error"] as? String == "bad_json")
            #expect((j["message"] as? String)?.contains(expected) == true, "\(j)")
          }
        }
        let form: HTTPFields = {
          var form = h
          form[.contentType] = "text/plain"
          return form
        }()
        try await client.execute(uri: "/api/ping", method: .post, headers: form, body: ByteBuffer(string: "{}")) { r throws in
          #expect(r.status == .unsupportedMediaType)
        }
        try await client.execute(uri: "/api/ping", method: .post, headers: h, body: ByteBuffer(string: "{}")) { r throws in #expect(r.status == .ok) }
      }
      // A small limit applies to bodies without Content-Length too (streamed bytes are counted).
      let small = try ServeFixture.get().configuration(maxBodyBytes: 16)
      try await routerApp(small).test(.router) { client in
        try await client.execute(uri: "/api/ping", method: .post, headers: h, body: ByteBuffer(string: #"{"message":"0123456789abcdef"}"#)) { r throws in
          #expect(r.status == .contentTooLarge)
        }
      }
    }

    @Test(arguments: [
      "/../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/etc/passwd", "//etc/passwd", "/app.js/../../Package.swift",
      "/api/patients/..%2f..%2fetc/visits/x", "/api/patients/%2e%2e/visits/day-007", "/api/patients/P01/visits/%2e%2e",
      "/api/patients/P01/visits/..%2Fday-007", "/api/patients/P01%2fvisits/visits/day-007", "/api/patients/P01%00/visits/day-007",
      "/api/patients/P01/visits/day-007%00", "/api/patients/%2fetc%2fpasswd/visits/x", "/api/patients/P01/visits/%252e%252e",
      "/api/patients/P01/visits/day-007/history/..", "/api/patients/P01/visits/%zz", "/api/patients/P99/visits/day-007",
      "/api/patients/P01/visits/day+999", "/api/patients/P01/visits/day-007?version=99", "/api/patients/P01/visits/day-007/../day+014",
      "/static/../../cohort.h5", "/api/patients/.", "/index.html",
    ])
    func traversalAndUnknownPathsGet404(_ uri: String) async throws {
      let config = try ServeFixture.get().configuration()
      try await routerApp(config).test(.router) { client in
        try await client.execute(uri: uri, method: .get, headers: config.cookieHeader) { r throws in
          #expect(r.status == .notFound, "\(uri): \(r.status) \(r.text)")
          #expect(try r.json()["error"] as? String == "not_found")
        }
      }
    }

    @Test func hostNames() {
      #expect(HostName.hostname(ofAuthority: "127.0.0.1:8765") == "127.0.0.1")
      #expect(HostName.hostname(ofAuthority: "[::1]:8765") == "[::1]")
      #expect(HostName.hostname(ofAuthority: "localhost") == "localhost")
      #expect(HostName.port(ofAuthority: "127.0.0.1:8765") == 8765 && HostName.port(ofAuthority: "[::1]:9") == 9)
      #expect(HostName.port(ofAuthority: "[::1]") == nil && HostName.port(ofAuthority: "localhost") == nil)
      #expect(HostName.hostname(ofAuthority: "evil.example:8765") == "evil.example")
      #expect(ServeConfiguration(storePath: "s").isLoopback && !ServeConfiguration(storePath: "s", host: "0.0.0.0").isLoopback)
      #expect(ServeConfiguration(storePath: "s", host: "::1", port: 1).url(port: 1).hasPrefix("http://[::1]:1/?token="))
    }
  }
}
