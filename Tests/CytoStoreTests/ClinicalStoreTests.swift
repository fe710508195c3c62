import CytoClinical
import CytoStore
import Foundation
import Testing

/// Clinical tables in the store (schema 1.3): atomic import, no-op re-import, versions,
/// refusals that leave the store byte-identical (docs/store-schema.md, "Clinical data").
@Suite(.serialized) struct ClinicalStoreTests {
  static let header = "patient,day,date,analyte,value,unit,lloq,method,source\n"

  static func importing(_ text: String, _ name: String = "labs.csv", into store: String, kind: ClinicalFileKind? = nil) throws(ClinicalImportError)
    -> ClinicalImportOutcome
  {
    try CohortStore.importClinical(Array(text.utf8), fileName: name, kind: kind, into: store, cytoresetVersion: "test")
  }

  /// A store holding one lab value and patient P01 with infusion date 2026-01-10.
  static func store(in dir: ScratchDirectory) throws -> String {
    let store = dir.path("s.h5")
    _ = try importing(header + "P01,-7,,IgG,9.1,g/L,,,\n", "seed.csv", into: store)
    let f = try HDF5File.open(store, mode: .readWrite)
    try f.group("patients/P01", createIfMissing: true).setAttribute("infusion_dates", ["2026-01-10"])
    return store
  }

  @Test func importsConvertsAndReadsBack() throws {
    let dir = ScratchDirectory()
    let store = try Self.store(in: dir)
    let o = try Self.importing(Self.header + "P01,,2026-01-24,IgG,420,mg/dL,,nephelometry,lab A\nP01,14,,CAR,<0.5,copies/µg DNA,0.5,ddPCR,\nP01,14,,Sodium,140,mmol/L,,,\n",
                               into: store)
    #expect(o.added == 3 && o.unchanged == 0 && o.newVersions == 0 && o.changedStore)
    #expect(o.warnings.map(\.code) == [.freeAnalyte])
    let reader = try CohortStoreReader(path: store)
    #expect(reader.schemaVersion == "1.4")
    let labs = try reader.labValues(of: "P01")
    #expect(labs.map(\.row.analyte.name) == ["IgG", "CAR transgene", "IgG", "Sodium"])
    let igg = labs[2].row
    #expect(igg.day == 14 && igg.date == "2026-01-24" && igg.measurement == LabMeasurement(number: 4.2, unit: "g/L") && igg.factor == 0.01)
    #expect(igg.method == "nephelometry" && igg.source == "lab A" && igg.analyte.loinc == "2465-3" && igg.valueAsGiven == "420")
    #expect(labs[1].row.measurement.lessThan == 0.5 && labs[1].row.measurement.value == nil && labs[1].row.lloq == 0.5)
    #expect(labs[3].row.measurement.unit == "mmol/L" && labs[3].row.factor == nil)
    let imports = try reader.clinicalImports()
    #expect(imports.map(\.fileName) == ["seed.csv", "labs.csv"] && imports[1].kind == .labs && imports[1].added == 3 && imports[1].warnings == 1)
    #expect(imports[1].fileSHA256.count == 64 && imports[1].cytoresetVersion == "test")
  }

  @Test func reimportingTheSameFileIsANoOp() throws {
    let dir = ScratchDirectory()
    let store = try Self.store(in: dir)
    let text = Self.header + "P01,14,,IgG,4.2,g/L,,,\n"
    _ = try Self.importing(text, into: store)
    let before = try Data(contentsOf: URL(fileURLWithPath: store))
    let mtime = try FileManager.default.attributesOfItem(atPath: store)[.modificationDate] as? Date
    Thread.sleep(forTimeInterval: 0.05)
    let again = try Self.importing(text, into: store)
    #expect(again.alreadyImported != nil && !again.changedStore)
    // Another file saying the same thing (420 mg/dL = 4.2 g/L): unchanged, not rewritten either.
    let same = try Self.importing(Self.header + "P01,14,,IgG,420,mg/dL,,,\n", "other.csv", into: store)
    #expect(same.alreadyImported == nil && same.unchanged == 1 && !same.changedStore)
    #expect(try Data(contentsOf: URL(fileURLWithPath: store)) == before)
    #expect(try FileManager.default.attributesOfItem(atPath: store)[.modificationDate] as? Date == mtime)
  }

  @Test func aCorrectedValueIsANewVersion() throws {
    let dir = ScratchDirectory()
    let store = try Self.store(in: dir)
    _ = try Self.importing(Self.header + "P01,14,,IgG,4.2,g/L,,,\n", into: store)
    let o = try Self.importing(Self.header + "P01,14,,IgG,4.8,g/L,,,\n", "corrected.csv", into: store)
    #expect(o.newVersions == 1 && o.added == 0)
    let reader = try CohortStoreReader(path: store)
    let current = try reader.labValues(of: "P01").filter { $0.row.day == 14 }
    #expect(current.count == 1 && current[0].version == 2 && current[0].row.measurement.value == 4.8 && current[0].isCurrent)
    let all = try reader.labValues(of: "P01", includingSuperseded: true).filter { $0.row.day == 14 }
    #expect(all.map(\.version) == [1, 2] && all[0].supersededBy == 2 && all[0].row.measurement.value == 4.2)
    #expect(all[0].importSHA256 != all[1].importSHA256)
  }

  /// One refusal per kind of bad line: the message names file, line and column, and the store
  /// file is byte-identical afterwards.
  @Test(arguments: [
    ("P01,14,,IgG,4.2,mmol/L,,,\n", "labs.csv:3:6: unit: unknown unit 'mmol/L'", "clinical.unknown-unit"),
    ("P01,14,,IgG,4.2,cells/µL,,,\n", "labs.csv:3:6: unit: 'cells/µL' (cells/µL) is not a unit of IgG", "clinical.wrong-unit"),
    ("P01,,2026-02-30,IgG,4.2,g/L,,,\n", "labs.csv:3:3: date: '2026-02-30' is not a date", "clinical.unparseable-date"),
    ("P02,,2026-01-24,IgG,4.2,g/L,,,\n", "labs.csv:3:3: date: a date without a day needs patient P02's first infusion date", "clinical.no-infusion-date"),
    ("P01,14,,IgG,-4.2,g/L,,,\n", "labs.csv:3:5: value: negative value '-4.2'", "clinical.negative-value"),
    ("P01,14,,IgG,4.4,g/L,,,\n", "labs.csv:3:5: value: patient P01, day 14, IgG is 4.4 g/L here but 4.2 g/L on line 2", "clinical.conflicting-duplicate"),
    ("P01,15,2026-01-24,IgG,4.2,g/L,,,\n", "labs.csv:3:2: day: day 15, but 2026-01-24 is day 14", "clinical.day-date-mismatch"),
  ])
  func refusals(_ bad: String, _ message: String, _ code: String) throws {
    let dir = ScratchDirectory()
    let store = try Self.store(in: dir)
    let before = try Data(contentsOf: URL(fileURLWithPath: store))
    // Line 2 is good, line 3 bad: the good line is not stored either.
    #expect {
      _ = try Self.importing(Self.header + "P01,14,,IgG,4.2,g/L,,,\n" + bad, into: store)
    } throws: { error in
      guard case .refused(let f) = error as? ClinicalImportError, f.issues.count == 1 else { return false }
      return f.issues[0].description.hasPrefix(message) && f.issues[0].description.hasSuffix("[\(code)]")
    }
    #expect(try Data(contentsOf: URL(fileURLWithPath: store)) == before)
    #expect(try CohortStoreReader(path: store).labValues().count == 1)
  }

  @Test func gradeFiveIsRefusedAndTheStoreUntouched() throws {
    let dir = ScratchDirectory()
    let store = try Self.store(in: dir)
    let before = try Data(contentsOf: URL(fileURLWithPath: store))
    #expect {
      _ = try Self.importing("patient,start,end,kind,grade,detail\nP01,2,4,CRS,2,fever\nP01,3,,ICANS,5,\n", "events.csv", into: store)
    } throws: { error in
      guard case .refused(let f) = error as? ClinicalImportError else { return false }
      return f.issues.map(\.description).first?.hasPrefix("events.csv:3:5: grade: grade '5' is not an ASTCT grade") == true
    }
    #expect(try Data(contentsOf: URL(fileURLWithPath: store)) == before)
  }

  @Test func hostileTextRoundTrips() throws {
    let dir = ScratchDirectory()
    let store = try Self.store(in: dir)
    let detail = "<script>alert(\"x\")</script>, line 1\nline 2 \u{1F}\t&amp; ''"
    let source = "\"quoted\" <b>lab</b>"
    func quote(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
    let text = "patient,start,end,kind,grade,dose,dose_unit,value,detail,source\n"
      + "P01,2026-01-12,2026-01-14,CRS,2,,,,\(quote(detail)),\(quote(source))\n"
      + "P01,30,,IVIG,,0.4,g/kg,,,\nP01,90,,disease-activity,,,,4,SLEDAI-2K,\n"
    let o = try Self.importing(text, "events.csv", into: store)
    #expect(o.kind == .events && o.added == 3)
    let events = try CohortStoreReader(path: store).clinicalEvents(of: "P01")
    #expect(events.map(\.row.kind) == [.crs, .ivig, .diseaseActivity])
    let crs = events[0].row
    #expect(crs.detail == detail && crs.source == source && crs.startDay == 2 && crs.endDay == 4 && crs.grade == 2 && crs.startDate == "2026-01-12")
    #expect(events[1].row.dose == 0.4 && events[1].row.doseUnit == "g/kg" && events[2].row.value == 4)
    // Labs with hostile method/source text too.
    _ = try Self.importing(Self.header + "P01,14,,IgG,4.2,g/L,,\(quote(detail)),\(quote(source))\n", into: store)
    let igg = try #require(try CohortStoreReader(path: store).labValues(of: "P01").first { $0.row.day == 14 })
    #expect(igg.row.method == detail && igg.row.source == source)
  }

  @Test func anOlderStoreIsRaisedTo13() throws {
    let dir = ScratchDirectory()
    let store = try Self.store(in: dir)
    try HDF5File.open(store, mode: .readWrite).setAttribute("schema_version", "1.2")
    #expect(try CohortStoreReader(path: store).schemaVersion == "1.2")
    _ = try Self.importing(Self.header + "P01,28,,ALC,1.1,10^9/L,,,\n", into: store)
    let reader = try CohortStoreReader(path: store)
    #expect(reader.schemaVersion == "1.4")
    #expect(try reader.labValues(of: "P01").last?.row.measurement.value == 1100)
  }

  @Test func aNewerMajorStoreIsRefusedUntouched() throws {
    let dir = ScratchDirectory()
    let store = try Self.store(in: dir)
    try HDF5File.open(store, mode: .readWrite).setAttribute("schema_version", "2.0")
    let before = try Data(contentsOf: URL(fileURLWithPath: store))
    #expect {
      _ = try Self.importing(Self.header + "P01,14,,IgG,4.2,g/L,,,\n", into: store)
    } throws: { error in
      if case .store(.newerSchema) = error as? ClinicalImportError { true } else { false }
    }
    #expect(try Data(contentsOf: URL(fileURLWithPath: store)) == before)
  }

  @Test func concurrentImportsBothLand() async throws {
    let dir = ScratchDirectory()
    let store = try Self.store(in: dir)
    try await withThrowingTaskGroup(of: ClinicalImportOutcome.self) { group in
      for k in 0..<4 {
        group.addTask { try Self.importing(Self.header + "P0\(k),\(k),,CRP,\(k + 1),mg/L,,,\n", "c\(k).csv", into: store) }
      }
      for try await o in group { #expect(o.added == 1) }
    }
    let reader = try CohortStoreReader(path: store)
    #expect(try reader.labValues().filter { $0.row.analyte == .known(.crp) }.count == 4)
    #expect(try reader.clinicalImports().count == 5)
  }
}
