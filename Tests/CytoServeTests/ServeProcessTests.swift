import CytoTestSupport
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

extension Serve {
  /// `cytoreset serve` as a process: one URL on standard output, logs on standard error, a real
  /// socket on loopback, graceful exit on SIGTERM.
  @Suite struct ServeProcessTests {
    /// Sends one raw HTTP/1.1 request to 127.0.0.1:`port` and returns the whole response text.
    static func request(port: Int, _ text: String) throws -> String {
      let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
      guard fd >= 0 else { throw POSIXError(.EIO) }
      defer { close(fd) }
      var addr = sockaddr_in()
      addr.sin_family = sa_family_t(AF_INET)
      addr.sin_port = in_port_t(UInt16(port).bigEndian)
      addr.sin_addr.s_addr = inet_addr("127.0.0.1")
      let ok = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
      }
      guard ok == 0 else { throw POSIXError(.ECONNREFUSED) }
      let bytes = Array(text.utf8)
      _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
      var out: [UInt8] = []
      var buffer = [UInt8](repeating: 0, count: 65536)
      while true {
        let n = recv(fd, &buffer, buffer.count, 0)
        if n <= 0 { break }
        out += buffer[0..<n]
      }
      return String(decoding: out, as: UTF8.self)
    }

    @Test func servePrintsOneURLAndStopsGracefullyOnSIGTERM() throws {
      let f = try ServeFixture.get()
      let p = Process()
      p.executableURL = CLIRunner.binary
      p.arguments = ["serve", "--store", f.store, "--fcs-dir", f.fcsDir, "--port", "0"]
      let out = Pipe(), err = Pipe()
      p.standardOutput = out
      p.standardError = err
      try p.run()
      defer { if p.isRunning { p.terminate() } }
      // The first line of standard output is the URL.
      var line: [UInt8] = []
      let deadline = Date().addingTimeInterval(60)
      while !line.contains(UInt8(ascii: "\n")) && Date() < deadline {
        let d = out.fileHandleForReading.availableData
        if d.isEmpty { break }
        line += d
      }
      let url = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
      let match = try #require(url.wholeMatch(of: /http:\/\/127\.0\.0\.1:(\d+)\/\?token=([0-9a-f]{64})/), "\(url)")
      let port = try #require(Int(match.1))
      let token = String(match.2)

      let unauthenticated = try Self.request(port: port, "GET /api/patients HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n")
      #expect(unauthenticated.hasPrefix("HTTP/1.1 401"), "\(unauthenticated)")
      let exchange = try Self.request(port: port, "GET /?token=\(token) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n")
      #expect(exchange.hasPrefix("HTTP/1.1 303"), "\(exchange)")
      let setCookie = try #require(exchange.split(separator: "\r\n").first { $0.lowercased().hasPrefix("set-cookie:") })
      let cookie = setCookie.dropFirst("set-cookie:".count).split(separator: ";")[0].trimmingCharacters(in: .whitespaces)
      #expect(cookie.hasPrefix("cytoreset_session_\(port)="), "the cookie is named after the bound port: \(cookie)")
      let patients = try Self.request(port: port, "GET /api/patients HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nCookie: \(cookie)\r\nConnection: close\r\n\r\n")
      #expect(patients.hasPrefix("HTTP/1.1 200") && patients.contains("\"P01\""), "\(patients.prefix(400))")
      let rebinding = try Self.request(port: port, "GET /api/patients HTTP/1.1\r\nHost: evil.example:\(port)\r\nCookie: \(cookie)\r\nConnection: close\r\n\r\n")
      #expect(rebinding.hasPrefix("HTTP/1.1 403"), "a Host other than loopback is refused (DNS rebinding)")

      kill(p.processIdentifier, SIGTERM)
      p.waitUntilExit()
      #expect(p.terminationStatus == 0)
      let rest = out.fileHandleForReading.readDataToEndOfFile()
      #expect(rest.isEmpty, "standard output holds the URL only: \(String(decoding: rest, as: UTF8.self))")
      let log = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      #expect(log.contains("GET /api/patients 200"), "requests are logged to standard error: \(log)")
      #expect(!log.contains(token), "the token is never logged")
    }

    @Test func usageErrorsAndAnUnreadableStore() throws {
      let f = try ServeFixture.get()
      #expect(try ServeFixture.run(["serve", "--store", f.store, "--port", "70000"]).status == 2)
      #expect(try ServeFixture.run(["serve", "--store", f.store, "--fcs-dir", f.store]).status == 2, "--fcs-dir must be a folder")
      let missing = try ServeFixture.run(["serve", "--store", f.directory.appendingPathComponent("none.h5").path, "--port", "0"])
      #expect(missing.status == 1 && missing.stdout.isEmpty && missing.stderr.contains("none.h5"))
    }
  }
}
