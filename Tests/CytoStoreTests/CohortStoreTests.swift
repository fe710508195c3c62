import CytoClinical
import CytoCore
import CytoStore
import Foundation
import Testing

extension HDF5 {
  /// The cohort store: layout, series, kinetics, versions, refusals.
  @Suite struct CohortStoreTests {
    /// The simulated timeline of 3 patients: every series point equals the per-visit analysis,
    /// and the kinetics recomputed from the store equal `PatientSummary` on the same analyses and
    /// values computed by hand from the series.
    @Test func timelineOfThreePatients() throws {
      let dir = ScratchDirectory()
      let store = dir.path("cohort.h5")
      let patients = try [("P01", 11), ("P02", 12), ("P03", 13)].map { try SimulatedPatient($0.0, seed: UInt64($0.1), in: dir) }
      for p in patients {
        let outcomes = try CohortStore.ingest(p.submissions, into: store)
        #expect(outcomes.allSatisfy { if case .added(_, _, 1) = $0 { true } else { false } }, "\(outcomes)")
      }
      let reader = try CohortStoreReader(path: store)
      #expect(reader.schemaVersion == StoreSchema.version)
      #expect(try reader.patientIDs() == ["P01", "P02", "P03"])
      let thresholds = try PanelDefinition.reset.thresholds
      for p in patients {
        let visits = try reader.visits(of: p.patient)
        #expect(visits.map(\.day) == p.visits.map { $0.analysis.visit.day! })
        #expect(visits.map(\.fileSHA256) == p.visits.map(\.sha))
        let names = try reader.seriesNames(of: p.patient)
        for metric in SeriesMetric.all {
          let expected = p.visits.map { metric.extract($0.analysis) }
          guard expected.contains(where: { $0 != nil }) else {
            #expect(!names.contains(metric.name))
            continue
          }
          let s = try reader.series(of: p.patient, metric: metric.name)
          #expect(s.unit == metric.unit.rawValue)
          #expect(s.points.map(\.quantity) == expected, "\(p.patient) \(metric.name)")
          #expect(s.points.map(\.day) == p.visits.map { $0.analysis.visit.day! })
        }
        // The stored analysis record reads back exactly.
        for (v, sv) in zip(p.visits, visits) {
          #expect(try reader.analysis(patient: p.patient, visit: sv.name) == v.analysis)
        }
        // Kinetics: equal to the summary of the same analyses …
        let kinetics = try reader.kinetics(of: p.patient)
        let summary = try PatientSummary.summarize(p.visits.map(\.analysis), thresholds: thresholds)
        #expect(kinetics.count == 1 && summary.count == 1)
        #expect(kinetics[0].bCells == summary[0].bCells)
        #expect(kinetics[0].carPerMicroliter == summary[0].carPerMicroliter)
        #expect(kinetics[0].carPercentOfT == summary[0].carPercentOfT)
        #expect(kinetics[0].countMethod == summary[0].countMethod)
        // … and to values computed by hand from the stored series.
        let car = try reader.series(of: p.patient, metric: "car_pct_cd3").points.filter { $0.day >= 0 }
        let measurable = car.filter { $0.quantity?.value != nil }
        let cmax = measurable.map { $0.quantity!.value! }.max()
        #expect(kinetics[0].carPercentOfT?.cmax == cmax)
        #expect(kinetics[0].carPercentOfT?.tmax == measurable.first { $0.quantity!.value! == cmax }?.day)
        #expect(kinetics[0].carPercentOfT?.tlast == measurable.last?.day)
        // AUC days 0–28: visits at 7, 14, 28 and level 0 at day 0 (no visit there, none before).
        let level = { (d: Double) in car.first { $0.day == d }?.quantity?.value ?? 0 }
        let auc = (7 - 0) * (0 + level(7)) / 2 + (14 - 7) * (level(7) + level(14)) / 2 + (28 - 14) * (level(14) + level(28)) / 2
        #expect(abs((kinetics[0].carPercentOfT?.auc ?? .nan) - auc) <= 1e-9 * max(1, auc))
        // B-cell course by hand: onset = first post-infusion aplastic visit; reconstitution = first
        // non-aplastic visit after it confirmed by the next.
        let calls = try reader.seriesVisits(of: p.patient).filter { $0.day > 0 && $0.bCellAplasia != "indeterminate" }
        if let onset = calls.firstIndex(where: { $0.bCellAplasia == "yes" }) {
          #expect(kinetics[0].bCells.aplasiaOnsetDay == calls[onset].day)
          let after = calls[(onset + 1)...]
          if let r = after.firstIndex(where: { $0.bCellAplasia == "no" }), r + 1 < calls.count, calls[r + 1].bCellAplasia == "no" {
            #expect(kinetics[0].bCells.reconstitutionDay == calls[r].day)
            #expect(kinetics[0].bCells.aplasiaDurationDays == calls[r].day - calls[onset].day)
          }
        }
      }
      // At least one patient has a real course: aplasia and reconstitution.
      #expect(try patients.contains { try reader.kinetics(of: $0.patient)[0].bCells.reconstitutionDay != nil })
    }

    /// Below-LLOQ values are NaN in `value`, with their bound in `less_than` and `below_lloq`
    /// set: never 0.
    @Test func belowLLOQIsNeverZero() throws {
      let dir = ScratchDirectory()
      let store = dir.path("s.h5")
      let p = try SimulatedPatient("P01", seed: 11, days: [-7, 14], in: dir)
      _ = try CohortStore.ingest(p.submissions, into: store)
      let q = try #require(p.visits[1].analysis.population("BCells")?.absolute?.perMicroliter)
      #expect(q.isBelowLLOQ, "the day-14 simulated visit should be aplastic")
      let file = try HDF5File.open(store)
      let t = try file.dataset("/patients/P01/series/cd19_per_ul").readTable()
      #expect(t["value"]?.doubles?[1].isNaN == true)
      #expect(t["less_than"]?.doubles?[1] == q.lessThan)
      #expect(t["below_lloq"]?.bools == [false, true])
      #expect(t["value"]?.doubles?[0] == p.visits[0].analysis.population("BCells")?.absolute?.perMicroliter.value)
      let pop = try file.dataset("/patients/P01/visits/day+014/analyses/1/populations").readTable()
      let row = try #require(pop["id"]?.strings?.firstIndex(of: "BCells"))
      #expect(pop["per_ul"]?.doubles?[row].isNaN == true)
      #expect(pop["per_ul_less_than"]?.doubles?[row] == q.lessThan)
      #expect(pop["below_lloq"]?.bools?[row] == true)
      #expect(pop["per_ul_method"]?.strings?[row] == "single-platform")
    }

    /// The same file and gating twice changes nothing, not even the file; another gating adds
    /// analysis 2 beside 1 and the series follow it; another file for a stored day is refused.
    @Test func versionsAndNoOps() throws {
      let dir = ScratchDirectory()
      let store = dir.path("s.h5")
      let p = try SimulatedPatient("P01", seed: 11, days: [-7, 14, 120], in: dir)
      _ = try CohortStore.ingest(p.submissions, into: store)
      let before = try Data(contentsOf: URL(fileURLWithPath: store))
      let again = try CohortStore.ingest([p.submission(1)], into: store)
      #expect(again == [.unchanged(patient: "P01", visit: "day+014", analysis: 1)])
      #expect(try Data(contentsOf: URL(fileURLWithPath: store)) == before)

      let recut = try SimulatedPatient("P01", seed: 11, days: [-7, 14, 120], in: dir, cuts: ["CD19": 0.2])
      let added = try CohortStore.ingest([recut.submission(2, gating: "gating-B")], into: store)
      #expect(added == [.added(patient: "P01", visit: "day+120", analysis: 2)])
      let reader = try CohortStoreReader(path: store)
      let v = try #require(try reader.visits(of: "P01").first { $0.name == "day+120" })
      #expect(v.analyses == [1, 2] && v.currentAnalysis == 2)
      #expect(try reader.analysis(patient: "P01", visit: "day+120", version: 1) == p.visits[2].analysis)
      #expect(try reader.analysis(patient: "P01", visit: "day+120") == recut.visits[2].analysis)
      let s = try reader.series(of: "P01", metric: "cd19_per_ul")
      #expect(s.points[2].analysis == 2)
      #expect(s.points[2].quantity == recut.visits[2].analysis.population("BCells")?.absolute?.perMicroliter)
      // Gating A again: already stored as analysis 1 — a no-op.
      #expect(try CohortStore.ingest([p.submission(2)], into: store) == [.unchanged(patient: "P01", visit: "day+120", analysis: 1)])

      // Another file for day 14: refused, store untouched.
      let bytes = try Data(contentsOf: URL(fileURLWithPath: store))
      var other = p.submission(1)
      other.provenance.fileSHA256 = String(repeating: "0", count: 64)
      other.provenance.fileName = "other.fcs"
      do {
        _ = try CohortStore.ingest([other], into: store)
        Issue.record("a second file for a stored visit was accepted")
      } catch {
        guard case .conflict(_, let object, let detail) = error else { Issue.record("\(error)"); return }
        #expect(object == "/patients/P01/visits/day+014")
        #expect(detail.contains("other.fcs"))
      }
      #expect(try Data(contentsOf: URL(fileURLWithPath: store)) == bytes)
      // Contradicting patient attributes: refused too.
      _ = try CohortStore.ingest([recut.submission(0, gating: "gating-B", patient: PatientAttributes(diagnosis: "SLE"))], into: store)
      do {
        _ = try CohortStore.ingest([recut.submission(1, gating: "gating-B", patient: PatientAttributes(diagnosis: "SSc"))], into: store)
        Issue.record("a contradicting diagnosis was accepted")
      } catch {
        guard case .conflict(_, let object, _) = error else { Issue.record("\(error)"); return }
        #expect(object == "/patients/P01@diagnosis")
      }
      #expect(try CohortStoreReader(path: store).patientAttributes("P01").diagnosis == "SLE")
    }

    /// Damaged, truncated, foreign and newer stores are refused with an error naming the file;
    /// an ingest into them changes nothing.
    @Test func refusals() throws {
      let dir = ScratchDirectory()
      let store = dir.path("s.h5")
      let p = try SimulatedPatient("P01", seed: 11, days: [-7, 14], in: dir)
      _ = try CohortStore.ingest([p.submission(0)], into: store)
      let bytes = try Data(contentsOf: URL(fileURLWithPath: store))

      func expectRefusal(_ path: String, _ check: (StoreError) -> Bool) throws {
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        do {
          _ = try CohortStoreReader(path: path)
          Issue.record("reader opened \(path)")
        } catch { #expect(check(error), "\(error)"); #expect(error.description.contains(path)) }
        do {
          _ = try CohortStore.ingest([p.submission(1)], into: path)
          Issue.record("ingest wrote into \(path)")
        } catch { #expect(check(error), "\(error)") }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == original)
      }
      let truncated = dir.path("truncated.h5")
      try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))
      try expectRefusal(truncated) { if case .hdf5(let e) = $0 { e.kind == .truncated } else { false } }
      let garbage = dir.path("garbage.h5")
      try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: URL(fileURLWithPath: garbage))
      try expectRefusal(garbage) { if case .hdf5(let e) = $0 { e.kind == .notHDF5 } else { false } }
      let damaged = dir.path("damaged.h5")
      var d = bytes
      for i in 0..<64 { d[i + 8] = 0xFF }  // the superblock after the signature
      try d.write(to: URL(fileURLWithPath: damaged))
      try expectRefusal(damaged) { if case .hdf5(let e) = $0 { [.corrupt, .truncated, .libraryFailure].contains(e.kind) } else { false } }
      let foreign = dir.path("foreign.h5")
      try HDF5File.create(foreign).createDataset("x", values: [1.0, 2.0])
      try expectRefusal(foreign) { if case .notAStore = $0 { true } else { false } }
      let newer = dir.path("newer.h5")
      try bytes.write(to: URL(fileURLWithPath: newer))
      try HDF5File.open(newer, mode: .readWrite).setAttribute("schema_version", "2.0")
      try expectRefusal(newer) { if case .newerSchema(_, "2.0", _) = $0 { true } else { false } }
      // A newer minor version is still read.
      try HDF5File.open(newer, mode: .readWrite).setAttribute("schema_version", "1.7")
      #expect(try CohortStoreReader(path: newer).patientIDs() == ["P01"])
    }

    /// Kept events and gate masks read back exactly.
    @Test func keptEventsAndMasks() throws {
      let dir = ScratchDirectory()
      let store = dir.path("s.h5")
      let p = try SimulatedPatient("P01", seed: 11, days: [14], in: dir)
      let matrix = EventMatrix<Float>(eventCount: 1_000, channelCount: 3, columnMajor: (0..<3_000).map { Float($0) * 0.5 })
      let mask = EventMask((0..<1_000).map { $0 % 3 == 0 || $0 == 999 })
      let events = VisitEvents(channels: ["FSC-A", "PE-A", "APC-A"], matrix: matrix, compensated: true, masks: ["BCells": mask])
      _ = try CohortStore.ingest([p.submission(0, events: events)], into: store)
      let file = try HDF5File.open(store)
      let m = try file.dataset("/patients/P01/visits/day+014/events")
      #expect(try m.readEventMatrix() == matrix)
      #expect(try m.stringArrayAttribute("channels") == ["FSC-A", "PE-A", "APC-A"])
      #expect(try m.compression() == .deflate(level: 1))
      let packed = try file.dataset("/patients/P01/visits/day+014/analyses/1/masks/BCells").read(UInt8.self)
      let unpacked = (0..<1_000).map { (packed[$0 / 8] >> UInt8($0 % 8)) & 1 == 1 }
      #expect(unpacked == (0..<1_000).map { mask[$0] })
      #expect(try CohortStoreReader(path: store).visits(of: "P01")[0].hasEvents)
    }

    /// Two threads ingesting into one store at once: both visits are there.
    @Test func concurrentIngestsInProcess() async throws {
      let dir = ScratchDirectory()
      let store = dir.path("s.h5")
      let p = try SimulatedPatient("P01", seed: 11, days: [-7, 7, 14, 28, 60, 90], in: dir)
      let subs = p.submissions
      try await withThrowingTaskGroup(of: Void.self) { group in
        for s in subs { group.addTask { _ = try CohortStore.ingest([s], into: store) } }
        try await group.waitForAll()
      }
      #expect(try CohortStoreReader(path: store).visits(of: "P01").map(\.day) == [-7, 7, 14, 28, 60, 90])
      let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.url.path).filter { $0.hasSuffix(".tmp") }
      #expect(leftovers.isEmpty)
    }
  }
}
