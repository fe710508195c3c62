import CytoClinical
import CytoStore
import Foundation
import Testing

/// Lab-ALC counts in the store: a store of schema 1.3 (series/visits without the lab columns)
/// gains them when its series are rebuilt; a visit of a second infusion is matched through the
/// patient's infusion dates, and without them gets no count and a note saying why.
@Suite(.serialized) struct LabCountStoreTests {
  @Test func olderSeriesGainTheLabColumnsAndLaterInfusionsUseTheDates() throws {
    let dir = ScratchDirectory()
    let store = dir.path("s.h5")
    let p = try SimulatedPatient("P1", seed: 41, days: [14, 21], in: dir, countMethod: nil)
    var second = p.submission(1)
    second.analysis.visit = VisitInfo(patient: "P1", day: 7, infusion: 2)
    _ = try CohortStore.ingest([p.submission(0), second], into: store)
    // Make it a 1.3 store: the series/visits table of that schema.
    do {
      let f = try HDF5File.open(store, mode: .readWrite)
      try f.setAttribute("schema_version", "1.3")
      let old = try f.dataset("/patients/P1/series/visits").readTable()
      try f.remove("/patients/P1/series/visits")
      let keep = ["visit", "infusion", "day", "analysis", "file_name", "file_sha256", "count_method", "b_cell_aplasia", "predominantly_naive",
                  "car_t_detectable"]
      try f.group("/patients/P1/series").createTable("visits", columns: keep.map { HDF5Column($0, old[$0]!) },
                                                     options: HDF5DatasetOptions(chunkSize: 64, resizable: true))
    }
    #expect(try CohortStoreReader(path: store).seriesVisits(of: "P1").allSatisfy { $0.labALC == nil })
    // Lab days count from the first infusion: the infusion-2 visit (day 7) is lab day 7 + 56 = 63
    // once the dates are known; without them it has no day since the first infusion.
    let labs = "patient,day,analyte,value,unit,source\nP1,14,ALC,1.4,10^9/L,hem\nP1,63,ALC,900,cells/µL,hem\n"
    let o = try CohortStore.importClinical(Array(labs.utf8), fileName: "labs.csv", kind: nil, into: store, cytoresetVersion: "test")
    #expect(o.labCounts.map(\.visit) == ["day+014", "inf2_day+007"])
    #expect(o.labCounts[0].labCount?.lymphocytesPerMicroliter == 1400 && o.labCounts[0].to == 2)
    #expect(o.labCounts[1].labCount == nil && o.labCounts[1].note?.contains("infusion 2 has no stored date") == true)
    do {
      let reader = try CohortStoreReader(path: store)
      #expect(reader.schemaVersion == "1.4")
      let rows = try reader.seriesVisits(of: "P1")
      #expect(rows.map(\.labALC) == [CohortStoreReader.VisitCallsRow.LabALC(perMicroliter: 1400, day: 14, source: "hem", version: 1), nil])
      #expect(rows.map(\.countMethod) == ["dual-platform", "none"])
      let noted = try reader.analysis(patient: "P1", visit: "inf2_day+007")
      #expect(noted.diagnostics.contains { $0.code == .clinicalLabCount } && noted.countMethod == nil)
    }

    // With the infusion dates stored, a change of the window re-derives it and it is matched.
    try HDF5File.open(store, mode: .readWrite).group("/patients/P1").setAttribute("infusion_dates", ["2026-01-05", "2026-03-02"])
    let rules = try CohortStore.setClinicalRules(ClinicalContextRules(alcWindowDays: 2), in: store, cytoresetVersion: "test")
    #expect(rules.changedStore && rules.labCounts.contains { $0.visit == "inf2_day+007" && $0.labCount?.labDay == 63 })
    let reader = try CohortStoreReader(path: store)
    let rows = try reader.seriesVisits(of: "P1")
    #expect(rows.map { $0.labALC?.perMicroliter } == [1400, 900])
    let matched = try reader.analysis(patient: "P1", visit: "inf2_day+007")
    #expect(!matched.diagnostics.contains { $0.code == .clinicalLabCount } && matched.labCount?.visitDaySinceFirstInfusion == 63)
    #expect(try reader.clinicalRules().alcWindowDays == 2)
    let versions = try reader.analysisVersions(patient: "P1", visit: "inf2_day+007")
    #expect(versions.map(\.version) == [1, 2, 3] && versions.last?.isCurrent == true)
    // Refused rules change nothing.
    let before = try Data(contentsOf: URL(fileURLWithPath: store))
    #expect(throws: StoreError.self) { try CohortStore.setClinicalRules(ClinicalContextRules(alcWindowDays: 30), in: store, cytoresetVersion: "test") }
    #expect(try Data(contentsOf: URL(fileURLWithPath: store)) == before)
  }

  /// A stored panel JSON that does not decode stops the re-derivation a lab import starts: a
  /// damaged-store error naming the store and the analysis (never the temporary copy the
  /// commit writes), and the store byte-identical.
  @Test func aDamagedPanelStopsTheImportNamingTheStore() throws {
    let dir = ScratchDirectory()
    let store = dir.path("s.h5")
    let p = try SimulatedPatient("P1", seed: 43, days: [14], in: dir, countMethod: nil)
    var submission = p.submission(0)
    submission.provenance.panelJSON = String(decoding: try PanelDefinition.named("reset").jsonData(), as: UTF8.self)
    _ = try CohortStore.ingest([submission], into: store)
    do {
      let f = try HDF5File.open(store, mode: .readWrite)
      let hash = try f.group("/patients/P1/visits/day+014/analyses/1").stringAttribute("panel_sha256")
      try f.remove("/panels/\(hash)")
      _ = try f.createDataset("/panels/\(hash)", strings: ["{ not a panel"])
    }
    let before = try Data(contentsOf: URL(fileURLWithPath: store))
    let labs = "patient,day,analyte,value,unit\nP1,14,ALC,1400,cells/µL\n"
    do {
      _ = try CohortStore.importClinical(Array(labs.utf8), fileName: "labs.csv", kind: nil, into: store, cytoresetVersion: "test")
      Issue.record("imported over a damaged panel")
    } catch {
      guard case .store(.damaged(let file, let object, let detail)) = error else {
        Issue.record("unexpected error \(error)")
        return
      }
      #expect(file == store && object.hasSuffix("/analyses/1@panel_sha256") && detail.contains("does not decode"))
    }
    #expect(try Data(contentsOf: URL(fileURLWithPath: store)) == before)
  }
}
