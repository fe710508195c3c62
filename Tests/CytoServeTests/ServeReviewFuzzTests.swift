import CytoServe
import CytoSimulation
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Random JSON for the review endpoints: plausible keys with values of every JSON type, deep
/// nesting, huge and negative numbers, hostile strings; and valid bodies with one field broken.
struct JSONFuzzer {
  var rng: SplitMix64

  static let keys = ["version", "latestVersion", "changes", "cuts", "gates", "vertices", "sides", "centre", "min", "max", "plots", "x", "y",
                     "bins", "highlight", "population", "reviewer", "reason", "decision", "visits", "CD19", "Lymphocytes", "BCells",
                     "CD27IgD", "xRange", "yRange", "d0", "d1"]
  static let strings = ["", "save", "approve", "d0", "d1", "d99", "BCells", "Lymphocytes", "CD27IgD", "CD19", "day+028", "day-007", "..",
                        "../../etc/passwd", "<script>alert(1)</script>", "\u{0}", String(repeating: "x", count: 3000), "NaN", "Infinity", "1e400"]

  mutating func number() -> Any {
    switch Int.random(in: 0..<8, using: &rng) {
    case 0: return Int.random(in: -3...3, using: &rng)
    case 1: return Int.max
    case 2: return Int.min
    case 3: return 1e308
    case 4: return -1e-308
    case 5: return Double.random(in: -2...2, using: &rng)
    case 6: return Int.random(in: 0...5000, using: &rng)
    default: return 0.5
    }
  }

  mutating func value(depth: Int) -> Any {
    let k = Int.random(in: 0..<(depth > 4 ? 4 : 7), using: &rng)
    switch k {
    case 0: return number()
    case 1: return Self.strings.randomElement(using: &rng)!
    case 2: return Bool.random(using: &rng)
    case 3: return NSNull()
    case 4: return (0..<Int.random(in: 0...4, using: &rng)).map { _ in value(depth: depth + 1) }
    case 5: return [number(), number()]
    default: return object(depth: depth + 1)
    }
  }

  mutating func object(depth: Int) -> [String: Any] {
    var o: [String: Any] = [:]
    for _ in 0..<Int.random(in: 0...5, using: &rng) { o[Self.keys.randomElement(using: &rng)!] = value(depth: depth) }
    return o
  }

  /// A valid body of `endpoint` with one field replaced by a random value.
  mutating func broken(_ valid: [String: Any]) -> [String: Any] {
    var b = valid
    let key = (Array(valid.keys) + Self.keys).randomElement(using: &rng)!
    b[key] = Bool.random(using: &rng) ? value(depth: 2) : nil
    return b
  }
}

extension Serve {
  @Suite struct ServeReviewFuzzTests {
    /// Every answer to a random or broken body is 200/201 or a JSON error (400, 404, 409), never
    /// a 500, a hang or a crash; afterwards the server still recounts correctly.
    @Test func randomBodiesGetClearAnswers() async throws {
      let config = try ServeReviewFixture.configuration()
      try await routerApp(config).test(.router) { c in
        let api = ReviewClient(client: c, config: config)
        let base = "/api/patients/P02/visits/day-007"
        let (_, doc) = try await api.get(base + "/review")
        let before = populationCounts(doc)
        let valid: [(String, [String: Any])] = [
          ("recount", ["version": 1, "changes": ["cuts": ["CD19": 0.5]]]),
          ("plots", ["version": 1, "plots": [["x": "d0", "y": "d1", "bins": 32, "highlight": "BCells"]]]),
          ("reviews", ["version": 1, "latestVersion": 1, "changes": [:], "reviewer": "F", "reason": "fuzz", "decision": "save"]),
          ("apply", ["version": 1, "reviewer": "F", "reason": "fuzz"]),
        ]
        var fuzz = JSONFuzzer(rng: SplitMix64(seed: 0xC0FFEE))
        var statuses: [UInt: Int] = [:]
        for i in 0..<400 {
          let (endpoint, good) = valid[i % valid.count]
          let body: [String: Any] = i % 3 == 0 ? fuzz.object(depth: 0) : fuzz.broken(good)
          let (status, json, text) = try await api.post(base + "/" + endpoint, body)
          statuses[UInt(status.code), default: 0] += 1
          #expect([200, 201, 400, 404, 409].contains(status.code), "\(endpoint) \(body) → \(status): \(text.prefix(300))")
          if status.code >= 400 {
            #expect(json["error"] is String && json["message"] is String, "\(text.prefix(300))")
          }
          #expect(!text.contains("<script"), "escaped")
        }
        #expect(statuses[400, default: 0] > 100, "\(statuses)")
        // Still serving, and a state is still counted from the stored version.
        let (s, r, _) = try await api.post(base + "/recount", ["version": 1, "changes": [:]])
        #expect(s == .ok && populationCounts(r) == before)
      }
    }
  }
}
