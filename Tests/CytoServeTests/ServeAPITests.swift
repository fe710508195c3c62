import CytoServe
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

extension Serve {
  /// The read-only API and the page against a store built by the `cytoreset` binary.
  @Suite struct ServeAPITests {
    static func encoded(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? s }

    @Test func patientsEndpointListsWhatTheStoreHolds() async throws {
      let f = try ServeFixture.get()
      let config = f.configuration()
      let tsv = try ServeFixture.run(["patients", "--store", f.store])
      #expect(tsv.status == 0)
      let rows = tsv.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
      try await routerApp(config).test(.router) { client in
        try await client.execute(uri: "/api/patients", method: .get, headers: config.cookieHeader) { r throws in
          #expect(r.status == .ok)
          let doc = try r.json()
          #expect(doc["schema"] as? String == "cytoreset.serve.patients/1")
          #expect(doc["store"] as? String == "cohort.h5")
          let patients = try #require(doc["patients"] as? [[String: Any]])
          #expect(patients.map { $0["id"] as? String } == rows.map { String($0[0]) })
          for (p, row) in zip(patients, rows) {
            let visits = try #require(p["visits"] as? [[String: Any]])
            #expect(String(visits.count) == row[6])
            #expect(String(visits.reduce(0) { $0 + (($1["analyses"] as? [Int])?.count ?? 0) }) == row[9])
            #expect(visits.allSatisfy { $0["review"] as? String == "pending" })
          }
          let p01 = try #require(patients.first { $0["id"] as? String == "P01" })
          #expect(p01["diagnosis"] as? String == "SLE")
          let visits = try #require(p01["visits"] as? [[String: Any]])
          #expect(visits.map { $0["visit"] as? String } == ["day-007", "day+014"])
          #expect(visits.map { $0["analyses"] as? [Int] } == [[1], [1, 2]])
          #expect(visits.map { $0["currentAnalysis"] as? Int } == [1, 2])
        }
      }
    }

    @Test func visitEndpointReturnsTheStoredAnalysisAndWhetherTheFileIsThere() async throws {
      let f = try ServeFixture.get()
      let config = f.configuration()
      try await routerApp(config).test(.router) { client in
        try await client.execute(uri: "/api/patients/P01/visits/day-007", method: .get, headers: config.cookieHeader) { r throws in
          #expect(r.status == .ok)
          let v = try r.json()
          #expect(v["schema"] as? String == "cytoreset.serve.visit/1")
          #expect(v["day"] as? Double == -7 && v["analysis"] as? Int == 1)
          let file = try #require(v["file"] as? [String: Any])
          #expect(file["name"] as? String == "P01_day-007.fcs")
          #expect((file["sha256"] as? String)?.count == 64)
          let availability = try #require(file["availability"] as? [String: Any])
          #expect(availability["available"] as? Bool == true && availability["status"] as? String == "available")
          let pops = try #require(v["populations"] as? [[String: Any]])
          let b = try #require(pops.first { $0["id"] as? String == "BCells" })
          #expect((b["count"] as? Int ?? 0) > 0 && b["parent"] is String && b["path"] is String)
          let gating = try #require(v["gating"] as? [String: Any])
          #expect(!((gating["gates"] as? [Any]) ?? []).isEmpty && !((gating["scales"] as? [Any]) ?? []).isEmpty)
          #expect(!((v["cuts"] as? [[String: Any]]) ?? []).isEmpty)
          #expect(v["calls"] is [String: Any] && v["diagnostics"] is [Any])
        }
        // Day +14's file is not in --fcs-dir: the visit says so, and is still served.
        try await client.execute(uri: "/api/patients/P01/visits/\(Self.encoded("day+014"))", method: .get, headers: config.cookieHeader) { r throws in
          #expect(r.status == .ok)
          let v = try r.json()
          let availability = try #require((v["file"] as? [String: Any])?["availability"] as? [String: Any])
          #expect(availability["available"] as? Bool == false && availability["status"] as? String == "missing")
          #expect(v["analysis"] as? Int == 2)
          let cd19 = try #require((v["cuts"] as? [[String: Any]])?.first { $0["name"] as? String == "CD19" })
          #expect(cd19["value"] as? Double == 0.45 && cd19["method"] as? String == "override")
        }
        try await client.execute(uri: "/api/patients/P01/visits/day+014?version=1", method: .get, headers: config.cookieHeader) { r throws in
          #expect(r.status == .ok)
          let cd19 = try #require((try r.json()["cuts"] as? [[String: Any]])?.first { $0["name"] as? String == "CD19" })
          #expect(cd19["method"] as? String != "override")
        }
        try await client.execute(uri: "/api/patients/P01/visits/day+014/history", method: .get, headers: config.cookieHeader) { r throws in
          #expect(r.status == .ok)
          let h = try r.json()
          #expect(h["schema"] as? String == "cytoreset.serve.history/1")
          let versions = try #require(h["versions"] as? [[String: Any]])
          #expect(versions.map { $0["version"] as? Int } == [1, 2])
          #expect(versions.map { $0["current"] as? Bool } == [false, true])
          #expect(versions[1]["note"] as? String == "CD19 cut set by hand")
          #expect(versions[0]["gatingHash"] as? String != versions[1]["gatingHash"] as? String)
          #expect(versions.allSatisfy { ($0["analysisTime"] as? String)?.hasSuffix("Z") == true })
        }
      }
      // Without --fcs-dir every visit says so.
      let none: ServeConfiguration = {
        var none = config
        none.fcsDirectory = nil
        return none
      }()
      try await routerApp(none).test(.router) { client in
        try await client.execute(uri: "/api/patients/P01/visits/day-007", method: .get, headers: none.cookieHeader) { r throws in
          let availability = try #require((try r.json()["file"] as? [String: Any])?["availability"] as? [String: Any])
          #expect(availability["status"] as? String == "noDirectory")
        }
      }
    }

    @Test func hostileIdsNotesAndKeywordsComeBackEscaped() async throws {
      let f = try ServeFixture.get()
      let config = f.configuration()
      let id = ServeFixture.hostileID
      try await routerApp(config).test(.router) { client in
        try await client.execute(uri: "/api/patients", method: .get, headers: config.cookieHeader) { r throws in
          #expect(!r.text.contains("<") && !r.text.contains(">") && r.text.contains("\\u003cimg"))
          let ids = try #require(try r.json()["patients"] as? [[String: Any]]).compactMap { $0["id"] as? String }
          #expect(ids.contains(id), "the id decodes to exactly the stored text")
        }
        let visit = "/api/patients/\(Self.encoded(id))/visits/\(Self.encoded("day+028"))"
        try await client.execute(uri: visit, method: .get, headers: config.cookieHeader) { r throws in
          #expect(r.status == .ok, "\(r.text)")
          #expect(!r.text.contains("<script") && !r.text.contains("<img"))
          let v = try r.json()
          #expect(v["patient"] as? String == id)
          let labels = (v["markers"] as? [[String: Any]] ?? []).compactMap { $0["label"] as? String }
          #expect(labels.contains(ServeFixture.hostileLabel), "the hostile $PnS label reaches the API (escaped): \(labels)")
          let availability = try #require((v["file"] as? [String: Any])?["availability"] as? [String: Any])
          #expect(availability["status"] as? String == "checksumMismatch")
        }
        try await client.execute(uri: visit + "/history", method: .get, headers: config.cookieHeader) { r throws in
          #expect(!r.text.contains("<script"))
          #expect((try r.json()["versions"] as? [[String: Any]])?.first?["note"] as? String == ServeFixture.hostileNote)
        }
        try await client.execute(uri: "/", method: .get, headers: config.cookieHeader) { r throws in
          #expect(r.status == .ok)
          #expect(!r.text.contains(id) && r.text.contains("&lt;img src=x onerror=alert(1)&gt;"))
          #expect(!r.text.contains("http://") && !r.text.contains("https://"), "nothing is loaded from another origin")
          #expect(r.text.contains("<section id=\"review\""), "the page has the review view")
        }
        try await client.execute(uri: "/app.js", method: .get, headers: config.cookieHeader) { r throws in
          #expect(r.headers[.contentType]?.hasPrefix("text/javascript") == true)
          #expect(!r.text.contains("innerHTML") && !r.text.contains("outerHTML") && !r.text.contains("insertAdjacentHTML"))
          #expect(!r.text.contains("http://") && !r.text.contains("https://"))
        }
      }
    }
  }
}
