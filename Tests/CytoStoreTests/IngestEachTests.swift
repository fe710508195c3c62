import CytoClinical
import CytoStore
import Foundation
import Testing

extension HDF5 {
  /// `CohortStore.ingestEach`: a refused submission is left out with its error, the others of
  /// the commit are stored; nothing is rewritten when nothing is added.
  @Suite struct IngestEachTests {
    @Test func refusalsStayWithTheirSubmission() throws {
      let dir = ScratchDirectory()
      let store = dir.path("s.h5")
      let p = try SimulatedPatient("P01", seed: 11, days: [-7, 14, 120], in: dir)
      let sle = PatientAttributes(diagnosis: "SLE")
      _ = try CohortStore.ingest([p.submission(0, patient: sle), p.submission(1)], into: store)

      var other = p.submission(1)
      other.provenance.fileSHA256 = String(repeating: "a", count: 64)
      other.provenance.fileName = "other.fcs"
      var noDay = p.submission(2)
      noDay.analysis.visit.day = nil
      let results = try CohortStore.ingestEach([other, p.submission(2), p.submission(0), noDay], into: store)
      #expect(results.count == 4)
      guard case .failure(.conflict(_, let object, let detail)) = results[0] else { Issue.record("\(results[0])"); return }
      #expect(object == "/patients/P01/visits/day+014" && detail.contains("other.fcs"))
      #expect(try results[1].get() == .added(patient: "P01", visit: "day+120", analysis: 1))
      #expect(try results[2].get() == .unchanged(patient: "P01", visit: "day-007", analysis: 1))
      guard case .failure(.invalidArgument) = results[3] else { Issue.record("\(results[3])"); return }
      let reader = try CohortStoreReader(path: store)
      #expect(try reader.visits(of: "P01").map(\.name) == ["day-007", "day+014", "day+120"])
      #expect(try reader.visits(of: "P01")[1].fileSHA256 == p.visits[1].sha)

      // Only refusals (another diagnosis; another file): the store is not rewritten.
      let before = try Data(contentsOf: URL(fileURLWithPath: store))
      let recut = p.submission(2, gating: "gating-B", patient: PatientAttributes(diagnosis: "SSc"))
      let refused = try CohortStore.ingestEach([recut, other], into: store)
      guard case .failure(.conflict(_, "/patients/P01@diagnosis", _)) = refused[0], case .failure(.conflict) = refused[1] else {
        Issue.record("\(refused)"); return
      }
      #expect(try Data(contentsOf: URL(fileURLWithPath: store)) == before)

      // Two files for one new visit in one call: the first is stored, the second refused.
      let fresh = dir.path("fresh.h5")
      let both = try CohortStore.ingestEach([p.submission(1), other], into: fresh)
      #expect(try both[0].get() == .added(patient: "P01", visit: "day+014", analysis: 1))
      guard case .failure(.conflict) = both[1] else { Issue.record("\(both[1])"); return }
      // Nothing accepted into a missing store: no store is created.
      let none = dir.path("none.h5")
      #expect(try CohortStore.ingestEach([noDay], into: none).count == 1)
      #expect(!FileManager.default.fileExists(atPath: none))
    }
  }
}
