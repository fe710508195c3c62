import CytoClinical
import CytoServe
import CytoStore
import CytoTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

extension Serve {
  /// The review round trip on real files of other labs (../shared/testdata/realdata): the page
  /// opens the stored gates with the stored counts, a moved cut recounts, and the approved
  /// version stores exactly the counts the page showed.
  @Suite struct ServeReviewRealFileTests {
    @Test(arguments: ["realdata/flowai_bcells/flowAI_Bcells1.fcs", "realdata/aurora_pbmc/PBMC_spectral_UNMIXED.fcs",
                      "realdata/cytonorm_gates/Gates_PTLG021_Unstim_Control_1.fcs"])
    func reviewRoundTripOnARealFile(_ relative: String) async throws {
      guard TestData.sharedAvailable, let url = TestData.shared(relative) else {
        if TestData.isCI { Issue.record("../shared/testdata is required under CI") }
        return
      }
      let dir = try CLIRunner.temporaryDirectory()
      defer { try? FileManager.default.removeItem(at: dir) }
      let store = dir.appendingPathComponent("real.h5").path
      try ServeFixture.check(ServeFixture.run(["ingest", url.path, "--store", store, "--patient", "R1", "--day", "30", "--panel", "auto"]),
                             "ingest \(relative)")
      // --fcs-dir is the shared folder itself: the file is found under its recorded name, read only.
      let config = ServeConfiguration(storePath: store, fcsDirectory: url.deletingLastPathComponent().path,
                                      token: AccessSecret(bytes: Array(repeating: 1, count: 32)),
                                      session: AccessSecret(bytes: Array(repeating: 2, count: 32)), softwareVersion: "test")
      let stored = try CohortStoreReader(path: store).analysis(patient: "R1", visit: "day+030")
      try await routerApp(config).test(.router) { c in
        let api = ReviewClient(client: c, config: config)
        let base = "/api/patients/R1/visits/day%2B030"
        let (status, doc) = try await api.get(base + "/review")
        try #require(status == .ok, "\(relative): \(doc)")
        let counts = populationCounts(doc)
        for p in stored.populations { if let n = counts[p.id] { #expect(n == p.count, "\(relative) \(p.id)") } }
        #expect(counts.count >= 3, "\(relative): gates opened")
        // The first cut that gates something, moved up by 0.05 display units.
        let cuts = (doc["cuts"] as? [[String: Any]] ?? []).filter { !(($0["gates"] as? [String]) ?? []).isEmpty }
        let cut = try #require(cuts.first, "\(relative): a cut to move")
        let name = cut["name"] as! String, value = cut["value"] as! Double
        let changes: [String: Any] = ["cuts": [name: value + 0.05]]
        let (rs, recount, rt) = try await api.post(base + "/recount", ["version": 1, "changes": changes])
        #expect(rs == .ok, "\(rt)")
        let recounted = populationCounts(recount)
        let (ss, saved, st) = try await api.post(base + "/reviews", ["version": 1, "latestVersion": 1, "changes": changes,
                                                                    "reviewer": "R. Eviewer", "reason": "cut \(name) checked", "decision": "approve"])
        #expect(ss == .created, "\(st)")
        #expect(saved["version"] as? Int == 2 && saved["currentAnalysis"] as? Int == 2)
        let approved = try CohortStoreReader(path: store).analysis(patient: "R1", visit: "day+030")
        #expect(approved.review?.status == .approved)
        #expect(approved.cuts.first { $0.name == name }?.value == value + 0.05)
        var compared = 0
        for p in approved.populations {
          guard let n = recounted[p.id] else { continue }
          #expect(n == p.count, "\(relative) \(p.id): stored \(p.count), the page showed \(n)")
          compared += 1
        }
        #expect(compared >= 3)
        // Re-opened, the approved version shows the moved cut and the same counts.
        let (_, again) = try await api.get(base + "/review")
        #expect(again["version"] as? Int == 2 && populationCounts(again) == recounted)
      }
    }
  }
}
