import ArgumentParser
import CytoServe
import Dispatch
import Foundation

/// `cytoreset serve`: the gate-review server over a cohort store (issue #14).
struct ServeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Review a cohort's gates in the browser: move gates with live counts, approve with an audit trail.",
    discussion: reflow("""
      Binds 127.0.0.1 by default and prints one URL with a random access token
      (http://127.0.0.1:8765/?token=…): open it; the token is exchanged for a session cookie
      (HttpOnly, SameSite=Strict) and every other request without that cookie gets 401.
      State-changing requests also need a same-origin Origin or Referer header. Logs go to
      standard error; SIGINT (Ctrl-C) or SIGTERM stop the server gracefully.

      The page lists patients and visits with their review status (pending, changed,
      approved). A visit's review opens its FCS file from --fcs-dir (found by the name and
      SHA-256 the store records) and draws every gate on a density plot; moving a polygon
      vertex, a rectangle edge, a quadrant centre or a cut recounts every population below it.
      Saving (a draft) or approving needs a reviewer name and a reason and writes a new
      analysis version into the store (reviewer, time, reason, the version it replaces, what
      changed); series and reports use the latest approved version. A reviewed change can be
      applied to later visits as proposed versions, each approved on its own. The JSON API
      (for scripts too) is documented in docs/serve-api.md.

      EXAMPLES
        cytoreset serve --store demo/cohort.h5
        cytoreset serve --store cohort.h5 --fcs-dir fcs/ --port 9000
        curl -b 'cytoreset_session_8765=…' http://127.0.0.1:8765/api/patients
        curl -b 'cytoreset_session_8765=…' http://127.0.0.1:8765/api/patients/P01/visits/day%2B014/history
      """))

  @Option(help: "The HDF5 store.")
  var store: String

  @Option(help: "Folder with the visits' FCS files (found by recorded name and SHA-256).")
  var fcsDir: String?

  @Option(help: "TCP port (0: any free port).")
  var port: Int = 8765

  @Option(help: "Address to bind. Anything but loopback exposes patient data to the network, without TLS.")
  var host: String = "127.0.0.1"

  func validate() throws {
    guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535, got \(port)") }
    if let fcsDir {
      var isDir: ObjCBool = false
      guard FileManager.default.fileExists(atPath: fcsDir, isDirectory: &isDir), isDir.boolValue else {
        throw ValidationError("--fcs-dir '\(fcsDir)' is not a folder")
      }
    }
  }

  func run() throws {
    _ = try openStore(store)
    let config = ServeConfiguration(storePath: store, fcsDirectory: fcsDir, host: host, port: port, softwareVersion: CytoResetVersion.current)
    if !config.isLoopback {
      printError("cytoreset: warning: serving on \(host): anyone who can reach this address and has the token sees patient data; there is no TLS")
    }
    let server = ReviewServer(configuration: config)
    do {
      try runBlocking {
        try await server.run { url in FileHandle.standardOutput.write(Data((url + "\n").utf8)) }
      }
    } catch {
      printError("cytoreset: serve: \(error)")
      throw ExitCode(1)
    }
  }
}

/// Runs `body` on the concurrency pool and blocks the calling (main) thread until it ends;
/// the command tree is synchronous and only `serve` is async.
private func runBlocking(_ body: @escaping @Sendable () async throws -> Void) throws {
  final class Outcome: @unchecked Sendable { var error: (any Error)? }
  let outcome = Outcome()
  let done = DispatchSemaphore(value: 0)
  Task {
    do { try await body() } catch { outcome.error = error }
    done.signal()
  }
  done.wait()
  if let error = outcome.error { throw error }
}
