import CytoServe
import CytoStore
import CytoTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// A simulated patient `P02` with visits day −7, +14, +28 and +56 (20,000 events each), every
/// file in `fcs/`, built once; each review test works on its own copy of the store.
struct ServeReviewFixture: Sendable {
  let directory: URL
  let store: String
  let fcsDir: String

  static let shared: Result<ServeReviewFixture, ServeFixture.FixtureError> = {
    do {
      let dir = try CLIRunner.temporaryDirectory()
      let store = dir.appendingPathComponent("cohort.h5").path
      try ServeFixture.check(ServeFixture.run(["simulate", "--timeline", "--patient", "P02", "--seed", "21", "--days=-7,14,28,56",
                                               "--events", "20000", "-o", dir.appendingPathComponent("fcs").path]), "simulate P02")
      try ServeFixture.check(ServeFixture.run(["ingest", "--manifest", dir.appendingPathComponent("fcs/P02.visits.csv").path,
                                               "--store", store]), "ingest P02")
      // A hostile patient id whose file (in fcs/, reviewable) labels CD19 with markup.
      let plain = dir.appendingPathComponent("plain.fcs").path
      try ServeFixture.check(ServeFixture.run(["simulate", "-o", plain, "--seed", "9", "--events", "4000"]), "simulate hostile")
      let info = try ServeFixture.run(["info", plain, "--json"])
      let keyword = try ServeFixture.cd19LabelKeyword(info.stdout)
      let hostile = dir.appendingPathComponent("fcs/hostile.fcs").path
      try ServeFixture.check(ServeFixture.run(["anonymize", plain, "-o", hostile, "--set", "\(keyword)=\(ServeFixture.hostileLabel)"]), "anonymize")
      try ServeFixture.check(ServeFixture.run(["ingest", hostile, "--store", store, "--patient", ServeFixture.hostileID, "--day", "28"]),
                             "ingest hostile")
      return .success(ServeReviewFixture(directory: dir, store: store, fcsDir: dir.appendingPathComponent("fcs").path))
    } catch let e as ServeFixture.FixtureError { return .failure(e) } catch {
      return .failure(ServeFixture.FixtureError(message: "\(error)"))
    }
  }()

  /// A configuration on a fresh copy of the store. `ownFiles`: the FCS folder is this test's own
  /// (hard links to the fixture's files), for a test that moves or removes files — the tests of
  /// a suite run in parallel and must not change the folder the others read.
  static func configuration(ownFiles: Bool = false) throws -> ServeConfiguration {
    let f: ServeReviewFixture
    switch shared {
    case .success(let x): f = x
    case .failure(let e): throw e
    }
    let id = UUID().uuidString
    let copy = f.directory.appendingPathComponent("store-\(id).h5").path
    try FileManager.default.copyItem(atPath: f.store, toPath: copy)
    var fcsDir = f.fcsDir
    if ownFiles {
      fcsDir = f.directory.appendingPathComponent("fcs-\(id)").path
      try FileManager.default.createDirectory(atPath: fcsDir, withIntermediateDirectories: false)
      for name in try FileManager.default.contentsOfDirectory(atPath: f.fcsDir) {
        try FileManager.default.linkItem(atPath: f.fcsDir + "/" + name, toPath: fcsDir + "/" + name)
      }
    }
    return ServeConfiguration(storePath: copy, fcsDirectory: fcsDir, token: AccessSecret(bytes: Array(repeating: 0xab, count: 32)),
                              session: AccessSecret(bytes: Array(repeating: 0xcd, count: 32)), softwareVersion: "test")
  }
}

/// Requests of the review tests.
struct ReviewClient {
  let client: any TestClientProtocol
  let config: ServeConfiguration

  func get(_ uri: String) async throws -> (HTTPResponse.Status, [String: Any]) {
    try await client.execute(uri: uri, method: .get, headers: config.cookieHeader) { r in
      (r.status, (try? JSONSerialization.jsonObject(with: Data(String(buffer: r.body).utf8)) as? [String: Any]) ?? [:])
    }
  }

  func post(_ uri: String, _ body: Any) async throws -> (HTTPResponse.Status, [String: Any], String) {
    var h = config.cookieHeader
    h[.contentType] = "application/json"
    h[.origin] = "http://localhost"
    let data = try JSONSerialization.data(withJSONObject: body)
    return try await client.execute(uri: uri, method: .post, headers: h, body: ByteBuffer(bytes: Array(data))) { r in
      let text = String(buffer: r.body)
      return (r.status, (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:], text)
    }
  }

}

/// Population id → count of a document's `populations`.
func populationCounts(_ doc: [String: Any]) -> [String: Int] {
  var out: [String: Int] = [:]
  for p in doc["populations"] as? [[String: Any]] ?? [] {
    if let id = p["id"] as? String, let c = p["count"] as? Int { out[id] = c }
  }
  return out
}

extension ServeConfiguration {
  func reader() throws -> CohortStoreReader { try CohortStoreReader(path: storePath) }
}
