import CytoServe
import CytoTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The review server's suites. They read the store in this process, so they hold
/// ``HDF5TestGate`` against the HDF5 handle-hygiene test of CytoStoreTests; the fixture's
/// folder is removed when they end.
@Suite(.hdf5Exclusive, .removesServeFixture) struct Serve {}

/// Removes the shared fixture's folder after the suite it is attached to.
struct RemovesServeFixture: SuiteTrait, TestScoping {
  func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
    defer {
      if case .success(let f) = ServeFixture.shared { try? FileManager.default.removeItem(at: f.directory) }
      if case .success(let f) = ServeReviewFixture.shared { try? FileManager.default.removeItem(at: f.directory) }
    }
    try await function()
  }
}

extension Trait where Self == RemovesServeFixture {
  static var removesServeFixture: Self { Self() }
}
/// Holds ``HDF5TestGate`` while the suite it is attached to runs (once for the whole suite).
struct HDF5Exclusive: SuiteTrait, TestScoping {
  func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
    try await HDF5TestGate.withGate(function)
  }
}

extension Trait where Self == HDF5Exclusive {
  /// No other HDF5-using suite of the process runs at the same time.
  static var hdf5Exclusive: Self { Self() }
}

/// A store built by the `cytoreset` binary for the server tests: patient `P01` with visits
/// day −7 and day +14 (day +14 analysed twice, the second time with a note and a CD19 cut, so
/// it has two versions), and a patient with a hostile id whose FCS file carries a hostile
/// `$PnS` label and whose note is markup. `fcs` holds P01's day −7 file only (day +14's is
/// missing) and a file with the hostile patient's name but other bytes (a checksum mismatch).
struct ServeFixture: Sendable {
  static let hostileID = #"<img src=x onerror=alert(1)>"#
  static let hostileNote = #"<script>alert("note")</script>"#
  static let hostileLabel = #"CD19 <script>alert(1)</script>"#

  let directory: URL
  let store: String
  let fcsDir: String

  static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    try ChildProcess.cytoreset(arguments, binary: CLIRunner.binary.path)
  }

  /// Built once per test process.
  static let shared: Result<ServeFixture, FixtureError> = {
    do { return .success(try ServeFixture.build()) } catch let e as FixtureError { return .failure(e) } catch {
      return .failure(FixtureError(message: "\(error)"))
    }
  }()

  struct FixtureError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
  }

  static func get() throws -> ServeFixture {
    switch shared {
    case .success(let f): return f
    case .failure(let e): throw e
    }
  }

  static func check(_ r: (status: Int32, stdout: String, stderr: String), _ what: String) throws {
    guard r.status == 0 else { throw FixtureError(message: "\(what) failed (\(r.status)): \(r.stderr)") }
  }

  static func build() throws -> ServeFixture {
    let dir = try CLIRunner.temporaryDirectory()
    let store = dir.appendingPathComponent("cohort.h5").path
    let fcs = dir.appendingPathComponent("fcs")
    try FileManager.default.createDirectory(at: fcs, withIntermediateDirectories: true)
    try check(run(["simulate", "--timeline", "--patient", "P01", "--seed", "5", "--days=-7,14", "--events", "4000",
                   "-o", dir.appendingPathComponent("P01").path]), "simulate P01")
    let manifest = dir.appendingPathComponent("P01/P01.visits.csv").path
    try check(run(["ingest", "--manifest", manifest, "--store", store, "--diagnosis", "SLE"]), "ingest P01")
    let day14 = dir.appendingPathComponent("P01/P01_day+014.fcs").path
    try check(run(["ingest", day14, "--store", store, "--patient", "P01", "--day", "14", "--cut", "CD19=0.45", "--note", "CD19 cut set by hand"]),
              "re-ingest P01 day 14")
    // The hostile patient: a simulated file whose CD19 channel label is markup.
    let plain = dir.appendingPathComponent("plain.fcs").path
    try check(run(["simulate", "-o", plain, "--seed", "9", "--events", "4000"]), "simulate hostile")
    let info = try run(["info", plain, "--json"])
    try check(info, "info")
    let labelKeyword = try cd19LabelKeyword(info.stdout)
    let hostileFile = dir.appendingPathComponent("hostile.fcs").path
    try check(run(["anonymize", plain, "-o", hostileFile, "--set", "\(labelKeyword)=\(hostileLabel)"]), "anonymize")
    try check(run(["ingest", hostileFile, "--store", store, "--patient", hostileID, "--day", "28", "--note", hostileNote]),
              "ingest hostile")
    try FileManager.default.copyItem(atPath: dir.appendingPathComponent("P01/P01_day-007.fcs").path,
                                     toPath: fcs.appendingPathComponent("P01_day-007.fcs").path)
    try Data("not the recorded bytes".utf8).write(to: fcs.appendingPathComponent("hostile.fcs"))
    return ServeFixture(directory: dir, store: store, fcsDir: fcs.path)
  }

  /// The `$PnS` keyword of the channel labelled CD19 in `info --json` output.
  static func cd19LabelKeyword(_ json: String) throws -> String {
    let doc = try JSONSerialization.jsonObject(with: Data(json.utf8))
    func find(_ x: Any) -> Int? {
      if let d = x as? [String: Any] {
        if let label = d["label"] as? String, label.uppercased().contains("CD19"), let n = d["index"] as? Int ?? d["number"] as? Int { return n }
        for v in d.values { if let n = find(v) { return n } }
      } else if let a = x as? [Any] {
        for v in a { if let n = find(v) { return n } }
      }
      return nil
    }
    guard let n = find(doc) else { throw FixtureError(message: "no CD19 channel in info --json: \(json.prefix(2000))") }
    return "$P\(n)S"
  }

  func configuration(maxBodyBytes: Int = ServeConfiguration.defaultMaxBodyBytes) -> ServeConfiguration {
    ServeConfiguration(storePath: store, fcsDirectory: fcsDir, token: AccessSecret(bytes: Array(repeating: 0xab, count: 32)),
                       session: AccessSecret(bytes: Array(repeating: 0xcd, count: 32)), maxBodyBytes: maxBodyBytes)
  }
}

/// Helpers for requests and responses.
extension ServeConfiguration {
  /// The Cookie header of an authenticated browser.
  var cookieHeader: HTTPFields {
    var h = HTTPFields()
    h[.cookie] = "\(cookieName(port: port))=\(session.hex)"
    return h
  }
}

extension TestResponse {
  var text: String { String(buffer: body) }
  func json() throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
  }
}

/// The router application of `config` (and `extra` routes), for `.router` tests.
func routerApp(_ config: ServeConfiguration, extra: @escaping (Router<BasicRequestContext>) -> Void = { _ in }) -> some ApplicationProtocol {
  Application(router: ReviewServer(configuration: config).router(extraRoutes: extra), logger: ReviewServer.standardErrorLogger(level: .warning))
}
