import CytoClinical
import CytoStore
import CytoTestSupport
import Foundation
import Testing

extension HDF5 {
  /// The failures table (schema 1.2): failure records round trip, a failure is stored beside the
  /// visits of its commit, the same failure again is a no-op, a later stored visit resolves it,
  /// a failure of a stored visit is superseded, a 1.1 store is raised and reads no failures.
  @Suite struct FailureStoreTests {
    static func failure(_ patient: String, day: Double, file: String = "data/bad.fcs", message: String = "DATA: the file ends early",
                        sha: String? = String(repeating: "c", count: 64)) -> AnalysisFailure {
      AnalysisFailure(
        fcs: .init(path: file, sha256: sha, sizeBytes: sha == nil ? nil : 1234, dataSet: 0),
        visit: .init(patient: patient, infusion: 1, day: day, collectionDate: "2026-03-01", note: "n"),
        patientAttributes: PatientAttributes(diagnosis: "SLE"), error: .init(code: "fcs.truncated", message: message),
        softwareVersion: "0.1.0", failureTime: "2026-12-05T10:00:00.000Z")
    }

    @Test func recordRoundTripAndRefusals() throws {
      let f = Self.failure("P03", day: 28, sha: nil)
      let bytes = try f.encoded()
      let text = String(decoding: bytes, as: UTF8.self)
      #expect(text.contains("\"sha256\" : null") && text.contains("\"sizeBytes\" : null"), "unknown values are null: \(text)")
      var read = try AnalysisFailure.decode(bytes, file: "f.json", readerVersion: "0.1.0")
      #expect(read.digest != nil)
      read.digest = nil
      #expect(read == f)
      // The time does not change the key; the message does.
      var later = f
      later.failureTime = "2027-01-01T00:00:00.000Z"
      #expect(later.failureKey == f.failureKey && !f.failureKey.isEmpty)
      #expect(Self.failure("P03", day: 28, message: "other").failureKey != Self.failure("P03", day: 28).failureKey)

      func refusal(_ b: [UInt8]) -> AnalysisRecordError? {
        do { _ = try MergeRecord.decode(b, file: "f.json", readerVersion: "0.1.0"); return nil } catch { return error }
      }
      let edited = Array(text.replacingOccurrences(of: "the file ends early", with: "fine").utf8)
      #expect(refusal(edited)?.kind == "digestMismatch")
      #expect(refusal(Array(bytes.prefix(bytes.count / 2)))?.kind == "malformedJSON")
      #expect(refusal(try resealed(bytes, setting: ["schema"], to: .string("cytoreset.analysis-failure/2")))?.kind == "unsupportedSchema")
      #expect(refusal(try resealed(bytes, setting: ["fcs", "name"], to: .string("other.fcs")))?.kind == "inconsistent")
      #expect(refusal(try resealed(bytes, setting: ["error", "code"], to: .number("3")))?.kind == "invalidField")
      #expect(refusal(bytes) == nil)
    }

    @Test func failuresInTheStore() throws {
      let dir = ScratchDirectory()
      let store = dir.path("s.h5")
      let p = try SimulatedPatient("P01", seed: 11, days: [-7, 14, 120], in: dir)
      // Only a failure, into a missing store: the store is created with the failures table.
      let f14 = Self.failure("P01", day: 14)
      let first = try CohortStore.ingestEach([], failures: [f14], into: store)
      #expect(first.failures == [.recorded(patient: "P01", visit: "day+014")])
      var reader = try CohortStoreReader(path: store)
      #expect(reader.schemaVersion == "1.4")
      #expect(try reader.openFailures().map(\.visit) == ["day+014"])
      let row = try #require(try reader.failures().first)
      #expect(row.file == "data/bad.fcs" && row.fileName == "bad.fcs" && row.fileSizeBytes == 1234 && row.code == "fcs.truncated")
      #expect(row.collectionDate == "2026-03-01" && row.failureKey == f14.failureKey && row.resolvedAnalysis == nil)

      // The same failure again (another time): nothing changes, the file is not rewritten.
      let before = try Data(contentsOf: URL(fileURLWithPath: store))
      var again = f14
      again.failureTime = "2026-12-06T00:00:00.000Z"
      #expect(try CohortStore.ingestEach([], failures: [again], into: store).failures == [.unchanged(patient: "P01", visit: "day+014", status: .open)])
      #expect(try Data(contentsOf: URL(fileURLWithPath: store)) == before)

      // The visit stored later (another commit), with a failure of a stored visit in the same commit.
      let fBaseline = Self.failure("P01", day: -7, file: "copy/P01_day-007.fcs", sha: nil)
      let second = try CohortStore.ingestEach([p.submission(0), p.submission(1)], failures: [fBaseline], into: store)
      #expect(second.failures == [.superseded(patient: "P01", visit: "day-007", analysis: 1)])
      reader = try CohortStoreReader(path: store)
      let rows = try reader.failures()
      #expect(rows.map(\.status) == [.resolved, .superseded])
      #expect(rows[0].resolvedAnalysis == 1 && rows[0].resolvedTime != nil && rows[1].fileSHA256 == nil && rows[1].fileSizeBytes == nil)
      #expect(try reader.openFailures().isEmpty)
      // A resolved failure merged again stays resolved: no-op.
      let after = try Data(contentsOf: URL(fileURLWithPath: store))
      #expect(try CohortStore.ingestEach([p.submission(1)], failures: [f14], into: store).failures
        == [.unchanged(patient: "P01", visit: "day+014", status: .resolved)])
      #expect(try Data(contentsOf: URL(fileURLWithPath: store)) == after)
    }

    @Test func olderStoreIsRaisedAndReadsNoFailures() throws {
      let dir = ScratchDirectory()
      let store = dir.path("old.h5")
      let p = try SimulatedPatient("P01", seed: 11, days: [-7, 14], in: dir)
      _ = try CohortStore.ingest([p.submission(0)], into: store)
      try HDF5File.open(store, mode: .readWrite).setAttribute("schema_version", "1.1")
      #expect(try CohortStoreReader(path: store).failures().isEmpty)
      _ = try CohortStore.ingestEach([], failures: [Self.failure("P01", day: 14)], into: store)
      let reader = try CohortStoreReader(path: store)
      #expect(reader.schemaVersion == "1.4")
      #expect(try reader.openFailures(of: "P01").count == 1 && reader.openFailures(of: "P02").isEmpty)
    }
  }
}
