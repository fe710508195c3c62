import CytoClinical
import CytoServe
import CytoStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

extension Serve {
  /// Opening a visit for review, recounting, plotting, saving, approving and carrying a change
  /// to later visits, against a simulated patient stored by the `cytoreset` binary.
  @Suite struct ServeReviewTests {
    static let day14 = "/api/patients/P02/visits/day%2B014"
    /// Before infusion: B cells to count.
    static let dayMinus7 = "/api/patients/P02/visits/day-007"

    @Test func reviewOpensTheStoredGatesWithTheStoredCounts() async throws {
      // Its own FCS folder: it moves a file away, which raced the apply test's read of it.
      let config = try ServeReviewFixture.configuration(ownFiles: true)
      let stored = try config.reader().analysis(patient: "P02", visit: "day+014")
      try await routerApp(config).test(.router) { c in
        let api = ReviewClient(client: c, config: config)
        let (status, doc) = try await api.get(Self.day14 + "/review")
        #expect(status == .ok, "\(doc)")
        #expect(doc["schema"] as? String == "cytoreset.serve.review/1")
        #expect(doc["version"] as? Int == 1 && doc["latestVersion"] as? Int == 1 && doc["review"] as? String == "pending")
        #expect(doc["laterVisits"] as? [String] == ["day+028", "day+056"])
        let counts = populationCounts(doc)
        var compared = 0
        for p in stored.populations {
          guard let c = counts[p.id] else { continue }
          #expect(c == p.count, "\(p.id)")
          compared += 1
        }
        #expect(compared >= 5)
        let gates = try #require(doc["gates"] as? [[String: Any]])
        let dims = try #require(doc["dimensions"] as? [[String: Any]])
        #expect(gates.contains { $0["kind"] as? String == "polygon" && ($0["vertices"] as? [[Double]])?.count ?? 0 >= 3 })
        for g in gates {
          for k in g["dimensions"] as? [String] ?? [] { #expect(dims.contains { $0["key"] as? String == k }, "\(k)") }
        }
        let cuts = try #require(doc["cuts"] as? [[String: Any]])
        #expect(cuts.contains { $0["name"] as? String == "CD19" && !(($0["gates"] as? [String]) ?? []).isEmpty })
        // A visit whose file is gone cannot be opened, with the reason.
        try FileManager.default.moveItem(atPath: config.fcsDirectory! + "/P02_day+056.fcs", toPath: config.fcsDirectory! + "/moved.fcs")
        defer { try? FileManager.default.moveItem(atPath: config.fcsDirectory! + "/moved.fcs", toPath: config.fcsDirectory! + "/P02_day+056.fcs") }
        let (gone, why) = try await api.get("/api/patients/P02/visits/day%2B056/review")
        #expect(gone == .conflict && why["error"] as? String == "file_unavailable", "\(why)")
        let (none, _) = try await api.get(Self.day14 + "/review?version=9")
        #expect(none == .notFound)
        let (huge, _) = try await api.get(Self.day14 + "/review?version=\(Int.max)")
        #expect(huge == .notFound, "Int.max names no version")
      }
    }

    @Test func recountsFollowEveryChangeAndPlotsBinThePopulations() async throws {
      let config = try ServeReviewFixture.configuration()
      try await routerApp(config).test(.router) { c in
        let api = ReviewClient(client: c, config: config)
        let (_, doc) = try await api.get(Self.dayMinus7 + "/review")
        let before = populationCounts(doc)
        let cd19 = try #require((doc["cuts"] as? [[String: Any]])?.first { $0["name"] as? String == "CD19" }?["value"] as? Double)
        // Raising the CD19 cut can only lose B cells; the cut's gates are recomputed.
        let (s1, r1, t1) = try await api.post(Self.dayMinus7 + "/recount", ["version": 1, "changes": ["cuts": ["CD19": cd19 + 0.3]]])
        #expect(s1 == .ok, "\(t1)")
        let after = populationCounts(r1)
        #expect(after["BCells"]! < before["BCells"]!)
        #expect((r1["recomputed"] as? [String])?.contains("BCells") == true)
        #expect(after["Lymphocytes"] == before["Lymphocytes"], "a cut below the lymphocytes leaves them alone")
        let moved = try #require((r1["cuts"] as? [[String: Any]])?.first { $0["name"] as? String == "CD19" }?["value"] as? Double)
        #expect(abs(moved - (cd19 + 0.3)) < 1e-12)
        // Moving a polygon vertex inward, step by step (each from the cached draft), ends where
        // one request from the stored version ends.
        let gates = try #require(doc["gates"] as? [[String: Any]])
        let poly = try #require(gates.first { $0["kind"] as? String == "polygon" && $0["id"] as? String == "Lymphocytes" } ?? gates.first { $0["kind"] as? String == "polygon" })
        let id = try #require(poly["id"] as? String)
        var vertices = try #require(poly["vertices"] as? [[Double]])
        let cx = vertices.map { $0[0] }.reduce(0, +) / Double(vertices.count), cy = vertices.map { $0[1] }.reduce(0, +) / Double(vertices.count)
        var last: [String: Any] = [:]
        for step in 1...3 {
          vertices[0] = [vertices[0][0] + (cx - vertices[0][0]) * 0.2 * Double(step) / 3, vertices[0][1] + (cy - vertices[0][1]) * 0.2 * Double(step) / 3]
          let (s, r, t) = try await api.post(Self.dayMinus7 + "/recount",
                                             ["version": 1, "changes": ["cuts": ["CD19": cd19 + 0.3], "gates": [id: ["vertices": vertices]]]])
          #expect(s == .ok, "\(t)")
          #expect((r["recomputed"] as? [String])?.contains(id) == true)
          last = r
        }
        let final = vertices, incremental = populationCounts(last)
        try await routerApp(config).test(.router) { fresh in
          let (s, r, _) = try await ReviewClient(client: fresh, config: config).post(
            Self.dayMinus7 + "/recount", ["version": 1, "changes": ["gates": [id: ["vertices": final]], "cuts": ["CD19": cd19 + 0.3]]])
          #expect(s == .ok)
          #expect(populationCounts(r) == incremental)
        }
        // Plots: the polygon's parent on its axes, the polygon's population highlighted.
        let dims = try #require(poly["dimensions"] as? [String])
        let parent = poly["parent"] as? String
        var plot: [String: Any] = ["x": dims[0], "y": dims[1], "bins": 64, "highlight": id]
        if let parent { plot["population"] = parent }
        let (sp, pd, tp) = try await api.post(Self.dayMinus7 + "/plots", ["version": 1, "plots": [plot, ["x": dims[0], "population": id]]])
        #expect(sp == .ok, "\(tp)")
        let plots = try #require(pd["plots"] as? [[String: Any]])
        let grid = try #require(plots.first?["counts"] as? [Int])
        let highlight = try #require(plots.first?["highlightCounts"] as? [Int])
        #expect(grid.count == 64 * 64)
        let parentCount = parent.map { before[$0]! } ?? (doc["events"] as! Int)
        #expect(grid.reduce(0, +) + (plots[0]["unbinned"] as! Int) == parentCount)
        #expect(highlight.reduce(0, +) == before[id]!, "the stored version's population, since no change was sent")
        #expect(zip(grid, highlight).allSatisfy { $0 >= $1 })
        #expect((plots[1]["counts"] as? [Int])?.reduce(0, +) == before[id]!)
        // Refusals: 400 with the reason, nothing cached from them.
        for (body, code) in [
          (["version": 1, "changes": ["gates": [id: ["vertices": [[0, 0], [1, 1]]]]]] as [String: Any], "bad_parameter"),
          (["version": 1, "changes": ["gates": [id: ["vertices": Array(repeating: [0.5, 0.5], count: 1001)]]]], "bad_parameter"),
          (["version": 1, "changes": ["gates": ["NoSuchGate": ["centre": [0.5, 0.5]]]]], "bad_edit"),
          (["version": 1, "changes": ["cuts": ["NoSuchCut": 0.5]]], "bad_edit"),
          (["version": 1, "changes": ["gates": [id: ["vertices": vertices, "centre": [0.5, 0.5]]]]], "bad_parameter"),
          (["version": 1, "changes": ["gates": [id: ["sides": [["min": 0.5]]]]]], "bad_edit"),
          (["version": "1", "changes": [:]], "bad_json"),
        ] {
          let (s, r, t) = try await api.post(Self.dayMinus7 + "/recount", body)
          #expect(s == .badRequest && r["error"] as? String == code, "\(t)")
        }
        let (sb, rb, _) = try await api.post(Self.dayMinus7 + "/plots", ["version": 1, "plots": [["x": "d99"]]])
        #expect(sb == .badRequest && rb["error"] as? String == "bad_parameter")
        let (sc, _, _) = try await api.post(Self.dayMinus7 + "/plots", ["version": 1, "plots": [["x": dims[0], "bins": 5000]]])
        #expect(sc == .badRequest)
      }
    }

    @Test func savingApprovingAndTheHistory() async throws {
      let config = try ServeReviewFixture.configuration()
      try await routerApp(config).test(.router) { c in
        let api = ReviewClient(client: c, config: config)
        let (_, doc) = try await api.get(Self.day14 + "/review")
        let cd19 = try #require((doc["cuts"] as? [[String: Any]])?.first { $0["name"] as? String == "CD19" }?["value"] as? Double)
        let changes: [String: Any] = ["cuts": ["CD19": cd19 + 0.05]]
        let (_, recount, _) = try await api.post(Self.day14 + "/recount", ["version": 1, "changes": changes])
        let hostile = #"<script>alert("r")</script>"#
        func save(_ decision: String, version: Int, latest: Int, reviewer: String = "A. Analyst", reason: String = "CD19 valley")
          async throws -> (HTTPResponse.Status, [String: Any], String) {
          try await api.post(Self.day14 + "/reviews", ["version": version, "latestVersion": latest, "changes": changes, "reviewer": reviewer,
                                                       "reason": reason, "decision": decision])
        }
        // A name and a reason are required.
        for (who, why) in [("", "x"), ("x", "  "), ("a\u{0}b", "x"), (String(repeating: "x", count: 2001), "x")] {
          let (s, r, _) = try await save("save", version: 1, latest: 1, reviewer: who, reason: why)
          #expect(s == .badRequest && r["error"] as? String == "bad_parameter")
        }
        let (s1, d1, t1) = try await save("save", version: 1, latest: 1, reviewer: hostile)
        #expect(s1 == .created, "\(t1)")
        #expect(d1["version"] as? Int == 2 && d1["currentAnalysis"] as? Int == 1 && d1["state"] as? String == "changed")
        #expect(!t1.contains("<script"))
        // The draft holds what the page showed; the series still use version 1.
        let r = try config.reader()
        let draft = try r.analysis(patient: "P02", visit: "day+014", version: 2)
        for (id, n) in populationCounts(recount) { if let p = draft.population(id) { #expect(p.count == n, "\(id)") } }
        #expect(draft.review?.status == .draft && draft.review?.reviewer == hostile && draft.review?.replaces == 1)
        #expect(draft.review?.changes == [.cut(name: "CD19", before: cd19, after: cd19 + 0.05)])
        #expect(draft.cuts.first { $0.name == "CD19" }?.method == .override)
        #expect(try r.series(of: "P02", metric: "cd19_pct_lymphocytes").points.allSatisfy { $0.analysis == 1 })
        // Someone saved meanwhile: a review made on version 1 is refused, nothing written.
        let (s2, d2, _) = try await save("approve", version: 1, latest: 1)
        #expect(s2 == .conflict && d2["error"] as? String == "conflict")
        #expect(try config.reader().visits(of: "P02").first { $0.name == "day+014" }?.analyses == [1, 2])
        // Approving: the series and reports use it.
        let (s3, d3, t3) = try await save("approve", version: 2, latest: 2, reason: "approved after checking the CD19 valley")
        #expect(s3 == .created, "\(t3)")
        #expect(d3["version"] as? Int == 3 && d3["currentAnalysis"] as? Int == 3 && d3["state"] as? String == "approved")
        let r2 = try config.reader()
        #expect(try r2.series(of: "P02", metric: "cd19_pct_lymphocytes").points.first { $0.visit == "day+014" }?.analysis == 3)
        let (_, history) = try await api.get(Self.day14 + "/history")
        let versions = try #require(history["versions"] as? [[String: Any]])
        #expect(versions.map { ($0["review"] as? [String: Any])?["status"] as? String } == [nil, "draft", "approved"])
        #expect(versions.map { $0["current"] as? Bool } == [false, false, true])
        #expect(history["review"] as? String == "approved")
        let changed = try #require((versions[1]["review"] as? [String: Any])?["changes"] as? [[String: Any]])
        #expect(changed.count == 1 && (changed[0]["cut"] as? [String: Any])?["name"] as? String == "CD19")
        let (_, patients) = try await api.get("/api/patients")
        let visits = try #require((patients["patients"] as? [[String: Any]])?.first { $0["id"] as? String == "P02" }?["visits"] as? [[String: Any]])
        #expect(visits.map { $0["review"] as? String } == ["pending", "approved", "pending", "pending"])
        // A later automated analysis of the file is stored, but the approved version stays in use.
        let file = config.fcsDirectory! + "/P02_day+014.fcs"
        try ServeFixture.check(ServeFixture.run(["ingest", file, "--store", config.storePath, "--patient", "P02", "--day", "14",
                                                 "--cut", "CD19=\(cd19 - 0.02)"]), "re-ingest")
        let v = try #require(try config.reader().visits(of: "P02").first { $0.name == "day+014" })
        #expect(v.analyses == [1, 2, 3, 4] && v.currentAnalysis == 3)
      }
    }

    @Test func applyingAReviewedChangeToLaterVisitsProposesVersions() async throws {
      let config = try ServeReviewFixture.configuration()
      try await routerApp(config).test(.router) { c in
        let api = ReviewClient(client: c, config: config)
        let (_, doc) = try await api.get(Self.day14 + "/review")
        let cd19 = try #require((doc["cuts"] as? [[String: Any]])?.first { $0["name"] as? String == "CD19" }?["value"] as? Double)
        // Nothing to apply from an automated version.
        let (s0, d0, _) = try await api.post(Self.day14 + "/apply", ["version": 1, "reviewer": "A", "reason": "r"])
        #expect(s0 == .conflict && d0["error"] as? String == "nothing_to_apply")
        let (s1, _, t1) = try await api.post(Self.day14 + "/reviews", [
          "version": 1, "latestVersion": 1, "changes": ["cuts": ["CD19": cd19 + 0.04]], "reviewer": "A. Analyst", "reason": "valley",
          "decision": "approve",
        ])
        #expect(s1 == .created, "\(t1)")
        let (s2, d2, _) = try await api.post(Self.day14 + "/apply", ["version": 2, "visits": ["day-007"], "reviewer": "A", "reason": "r"])
        #expect(s2 == .badRequest && d2["error"] as? String == "bad_parameter", "an earlier visit is not a target")
        let (s3, d3, t3) = try await api.post(Self.day14 + "/apply", ["version": 2, "reviewer": "A. Analyst", "reason": "same valley later"])
        #expect(s3 == .ok, "\(t3)")
        let results = try #require(d3["results"] as? [[String: Any]])
        #expect(results.map { $0["visit"] as? String } == ["day+028", "day+056"])
        #expect(results.allSatisfy { $0["status"] as? String == "proposed" && $0["version"] as? Int == 2 }, "\(results)")
        let r = try config.reader()
        let source = try r.analysis(patient: "P02", visit: "day+014", version: 2)
        for name in ["day+028", "day+056"] {
          let v = try #require(try r.visits(of: "P02").first { $0.name == name })
          #expect(v.currentAnalysis == 1, "a proposal waits for its own approval")
          let old = try r.analysis(patient: "P02", visit: name, version: 1), new = try r.analysis(patient: "P02", visit: name, version: 2)
          #expect(new.review?.status == .proposed && new.review?.appliedFrom == .init(visit: "day+014", version: 2))
          // The cut is carried in data units: the same fluorescence through each file's own scale.
          let sourceScale = try #require(source.gating?.scales.first { $0.id == "CD19" }).transform()
          let targetScale = try #require(new.gating?.scales.first { $0.id == "CD19" }).transform()
          let carried = try #require(new.cuts.first { $0.name == "CD19" }?.value)
          #expect(abs(targetScale.inverse(carried) - sourceScale.inverse(cd19 + 0.04)) <= 1e-6 * max(1, abs(sourceScale.inverse(cd19 + 0.04))))
          #expect(old.cuts.first { $0.name == "CD19" }?.value != carried)
        }
        let (_, patients) = try await api.get("/api/patients")
        let visits = try #require((patients["patients"] as? [[String: Any]])?.first { $0["id"] as? String == "P02" }?["visits"] as? [[String: Any]])
        #expect(visits.map { $0["review"] as? String } == ["pending", "approved", "changed", "changed"])
      }
    }

    @Test func hostileIdsLabelsAndReviewTextsComeBackEscaped() async throws {
      let config = try ServeReviewFixture.configuration()
      let id = ServeFixture.hostileID.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
      let base = "/api/patients/\(id)/visits/day%2B028"
      try await routerApp(config).test(.router) { c in
        let api = ReviewClient(client: c, config: config)
        let raw = try await c.execute(uri: base + "/review", method: .get, headers: config.cookieHeader) { r in String(buffer: r.body) }
        #expect(!raw.contains("<script") && !raw.contains("<img") && raw.contains("\\u003cscript"), "\(raw.prefix(400))")
        let (_, doc) = try await api.get(base + "/review")
        #expect(doc["patient"] as? String == ServeFixture.hostileID)
        let labels = (doc["dimensions"] as? [[String: Any]] ?? []).compactMap { $0["label"] as? String }
        #expect(labels.contains(ServeFixture.hostileLabel), "\(labels)")
        let (s, _, t) = try await api.post(base + "/reviews", ["version": 1, "latestVersion": 1, "changes": [:], "reviewer": ServeFixture.hostileID,
                                                              "reason": ServeFixture.hostileNote, "decision": "approve"])
        #expect(s == .created && !t.contains("<"), "\(t)")
        let history = try await c.execute(uri: base + "/history", method: .get, headers: config.cookieHeader) { r in String(buffer: r.body) }
        #expect(!history.contains("<script") && !history.contains("<img"))
        let (_, h) = try await api.get(base + "/history")
        let review = try #require((h["versions"] as? [[String: Any]])?.last?["review"] as? [String: Any])
        #expect(review["reviewer"] as? String == ServeFixture.hostileID && review["reason"] as? String == ServeFixture.hostileNote)
      }
    }
  }
}
