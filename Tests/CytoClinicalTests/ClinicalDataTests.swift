import CytoClinical
import Testing

/// The analyte vocabulary, unit conversions, bounds and the CSV readers (docs/clinical-data.md).
@Suite struct ClinicalDataTests {
  /// One conversion: analyte, value and unit as written, the canonical value and unit.
  struct Case: Sendable, CustomStringConvertible {
    var analyte: String, value: String, unit: String, expected: Double, canonical: String
    var description: String { "\(analyte) \(value) \(unit)" }
  }

  static let conversions: [Case] = [
    Case(analyte: "IgG", value: "420", unit: "mg/dL", expected: 4.2, canonical: "g/L"),
    Case(analyte: "IgG", value: "400", unit: "mg/dl", expected: 4, canonical: "g/L"),
    Case(analyte: "IgA", value: "0.9", unit: "g/dL", expected: 9, canonical: "g/L"),
    Case(analyte: "IgM", value: "500", unit: "mg/L", expected: 0.5, canonical: "g/L"),
    Case(analyte: "C3", value: "90", unit: "mg/dL", expected: 0.9, canonical: "g/L"),
    Case(analyte: "C4", value: "0.1", unit: "g/L", expected: 0.1, canonical: "g/L"),
    Case(analyte: "ALC", value: "1.2", unit: "10^9/L", expected: 1200, canonical: "cells/µL"),
    Case(analyte: "ALC", value: "1.2", unit: "10⁹/L", expected: 1200, canonical: "cells/µL"),
    Case(analyte: "ALC", value: "1.2", unit: "x10^9/L", expected: 1200, canonical: "cells/µL"),
    Case(analyte: "lymphocytes", value: "0.8", unit: "G/L", expected: 800, canonical: "cells/µL"),
    Case(analyte: "WBC", value: "5.5", unit: "10^3/µL", expected: 5500, canonical: "cells/µL"),
    Case(analyte: "WBC", value: "5.5", unit: "10³/uL", expected: 5500, canonical: "cells/µL"),
    Case(analyte: "WBC", value: "5.5", unit: "10^3/μL", expected: 5500, canonical: "cells/µL"),
    Case(analyte: "ALC", value: "850", unit: "cells/mm³", expected: 850, canonical: "cells/µL"),
    Case(analyte: "ALC", value: "850", unit: "/µL", expected: 850, canonical: "cells/µL"),
    Case(analyte: "ALC", value: "850", unit: "cells/uL", expected: 850, canonical: "cells/µL"),
    Case(analyte: "CRP", value: "1.5", unit: "mg/dL", expected: 15, canonical: "mg/L"),
    Case(analyte: "CRP", value: "12", unit: "mg/L", expected: 12, canonical: "mg/L"),
    Case(analyte: "ferritin", value: "350", unit: "ng/mL", expected: 350, canonical: "µg/L"),
    Case(analyte: "Ferritin", value: "350", unit: "ug/L", expected: 350, canonical: "µg/L"),
    Case(analyte: "IL-6", value: "42", unit: "ng/L", expected: 42, canonical: "pg/mL"),
    Case(analyte: "interleukin 6", value: "42", unit: "pg/mL", expected: 42, canonical: "pg/mL"),
    Case(analyte: "anti-dsDNA", value: "80", unit: "[IU]/mL", expected: 80, canonical: "IU/mL"),
    Case(analyte: "dsDNA", value: "80", unit: "kIU/L", expected: 80, canonical: "IU/mL"),
    Case(analyte: "CAR transgene", value: "5000", unit: "copies/µg DNA", expected: 5000, canonical: "copies/µg DNA"),
    Case(analyte: "CAR", value: "5000", unit: "copies/ug gDNA", expected: 5000, canonical: "copies/µg DNA"),
    // German and analyser spellings: /nL = 10⁹/L, Gpt/L = 10⁹/L, Tsd/µL = 10³/µL.
    Case(analyte: "Lymphocytes", value: "1.2", unit: "/nL", expected: 1200, canonical: "cells/µL"),
    Case(analyte: "leucocytes", value: "5.5", unit: "Gpt/L", expected: 5500, canonical: "cells/µL"),
    Case(analyte: "LYMPH#", value: "1.1", unit: "Tsd/µl", expected: 1100, canonical: "cells/µL"),
    Case(analyte: "CD19 CAR transgene", value: "1500", unit: "copies/ug DNA", expected: 1500, canonical: "copies/µg DNA"),
    Case(analyte: "CAR-T copies", value: "1500", unit: "copies/µg", expected: 1500, canonical: "copies/µg DNA"),
  ]

  static func labs(_ body: String, infusion: String? = nil) throws(ClinicalImportFailure) -> LabImport {
    try LabCSVReader.read("patient,day,date,analyte,value,unit,lloq,method,source\n" + body, file: "labs.csv", firstInfusionDate: { _ in infusion })
  }

  @Test(arguments: conversions) func convertsToTheCanonicalUnit(_ c: Case) throws {
    let row = try #require(try Self.labs("P01,14,,\(c.analyte),\(c.value),\(c.unit),,,\n").rows.first)
    #expect(row.measurement.value == c.expected, "\(c)")
    #expect(row.measurement.unit == c.canonical)
    #expect(row.unitAsGiven == c.unit && row.valueAsGiven == c.value)
  }

  @Test func everyConversionIsUsedAndExact() {
    #expect(LabUnitConversion.all.count == 16)
    let expectedFactors: [String: Double] = [
      "mg/dL→g/L": 0.01, "g/dL→g/L": 10, "mg/L→g/L": 0.001, "10^9/L→cells/µL": 1000, "10^3/µL→cells/µL": 1000, "mg/dL→mg/L": 10,
    ]
    for c in LabUnitConversion.all {
      #expect(LabSourceUnit.named(c.from) != nil, "\(c.from)")
      if let f = expectedFactors["\(c.from)→\(c.to.rawValue)"] { #expect(c.factor == f) }
    }
    #expect(LabSourceUnit.named("g/L")?.symbol == "g/L" && LabSourceUnit.named("G/L")?.symbol == "10^9/L")
  }

  @Test func vocabularyAndLOINC() {
    #expect(ClinicalAnalyte.matching("igg") == .igG && ClinicalAnalyte.matching("Immunoglobulin-G") == .igG)
    #expect(ClinicalAnalyte.matching("2465-3") == .igG && ClinicalAnalyte.matching("731-0") == .alc)
    #expect(ClinicalAnalyte.matching("sodium") == nil)
    #expect(ClinicalAnalyte.carTransgene.loinc == nil)
    #expect(ClinicalAnalyte.allCases.map(\.loinc) == ["731-0", "6690-2", "2465-3", "2458-8", "2472-9", nil, "1988-5", "2276-4", "26881-3", "33799-8", "4485-9", "4498-2"])
    // No two analytes share a synonym.
    let keys = ClinicalAnalyte.allCases.flatMap { a in a.synonyms.map(ClinicalAnalyte.normalizedName) }
    #expect(Set(keys).count == keys.count)
  }

  @Test func boundsAreNeverZero() throws {
    let rows = try Self.labs("P01,14,,CAR,<0.5,copies/µg DNA,,,\nP01,14,,IgG,< 50,mg/dL,,,\nP01,14,,CRP,>200,mg/L,,,\nP01,21,,IgG,2,g/L,3,,\n").rows
    #expect(rows[0].measurement == LabMeasurement(number: 0.5, censoring: .below, unit: "copies/µg DNA"))
    #expect(rows[0].measurement.value == nil && rows[0].measurement.lessThan == 0.5)
    #expect(rows[1].measurement.lessThan == 0.5 && rows[1].measurement.unit == "g/L")
    #expect(rows[2].measurement.greaterThan == 200)
    // A number below the row's LLOQ is stored as the bound, with a warning.
    #expect(rows[3].measurement == LabMeasurement(number: 3, censoring: .below, unit: "g/L"))
    #expect(try Self.labs("P01,21,,IgG,2,g/L,3,,\n").warnings.map(\.code) == [.belowLLOQ])
  }

  @Test func valuesThatAreNotNumbers() {
    for bad in ["0x10", "nan", "inf", "1,5", "", "<", "4.2.1", "1e", "--1"] {
      #expect((try? LabNumber.parseValue(bad)) == nil, "\(bad)")
    }
    #expect(throws: LabNumber.Problem.negative) { try LabNumber.parseValue("-0.1") }
    #expect(throws: LabNumber.Problem.negative) { try LabNumber.parseValue("<-1") }
    #expect((try? LabNumber.parseValue("1e3"))?.number == 1000)
  }

  /// `not detected`, `<LLOQ`, `BLQ`, `neg` become the bound at the row's LLOQ (in the canonical
  /// unit), with a warning; without an LLOQ they are refused, never stored as 0.
  @Test func wordsForBelowTheLimitNeedTheLLOQ() throws {
    let l = try Self.labs("P01,28,,CAR transgene,not detected,copies/µg DNA,50,ddPCR,\nP01,28,,IgA,<LLOQ,mg/dL,7,,\nP01,28,,CRP,BLQ,mg/L,0.5,,\n")
    #expect(l.rows.map(\.measurement) == [LabMeasurement(number: 50, censoring: .below, unit: "copies/µg DNA"),
                                         LabMeasurement(number: 0.07, censoring: .below, unit: "g/L"),
                                         LabMeasurement(number: 0.5, censoring: .below, unit: "mg/L")])
    #expect(l.warnings.count == 3 && l.warnings.allSatisfy { $0.description.contains("[clinical.below-lloq]") })
    for word in ["ND", "Not Detected", "undetectable", "neg", "below LLOQ", "<LOD"] {
      #expect(LabNumber.meansNotDetected(word), "\(word)")
      do {
        _ = try Self.labs("P01,28,,CRP,\(word),mg/L,,,\n")
        Issue.record("accepted '\(word)' without an LLOQ")
      } catch {
        #expect(error.issues.map(\.description) == ["labs.csv:2:5: value: '\(word)' says below the assay's limit, but the row gives no LLOQ: put it in the lloq column (stored as the bound <LLOQ, never as 0) [clinical.unparseable-value]"])
      }
    }
    #expect(!LabNumber.meansNotDetected("0") && !LabNumber.meansNotDetected("detected") && !LabNumber.meansNotDetected("pos"))
  }

  @Test func freeAnalyteIsKeptWithAWarning() throws {
    let l = try Self.labs("P01,14,,Sodium,140,mmol/L,,,\n")
    #expect(l.rows[0].analyte == .free("Sodium") && l.rows[0].measurement.unit == "mmol/L" && l.rows[0].factor == nil)
    #expect(l.warnings.count == 1 && l.warnings[0].description.hasPrefix("labs.csv:2:4: analyte: warning: 'Sodium'"))
  }

  @Test func datesBecomeDaysSinceTheFirstInfusion() throws {
    let rows = try Self.labs("P01,,2026-01-24,IgG,4,g/L,,,\nP01,-7,2026-01-03,IgG,6,g/L,,,\n", infusion: "2026-01-10").rows
    #expect(rows.map(\.day) == [14, -7] && rows[0].date == "2026-01-24")
    #expect(ClinicalDate.dayNumber("2024-02-29") != nil && ClinicalDate.dayNumber("2026-02-29") == nil && ClinicalDate.dayNumber("2026-1-01") == nil)
    #expect(ClinicalDate.day(of: "2027-01-10", since: "2026-01-10") == 365)
    // Date-times as lab systems export them: the calendar date as written, the time dropped.
    let timed = try Self.labs("P01,,2026-01-24T08:30,IgG,4,g/L,,,\nP01,,2026-01-25 23:59:59.5+01:00,IgA,1,g/L,,,\nP01,,2026-01-26T00:00:00Z,IgM,1,g/L,,,\n",
                              infusion: "2026-01-10").rows
    #expect(timed.map(\.day) == [14, 15, 16] && timed.map(\.date) == ["2026-01-24", "2026-01-25", "2026-01-26"])
    for bad in ["2026-01-24T24:00", "2026-01-24T8:30", "2026-01-24 08:30 PM", "2026-01-24T08:30+1", "24/01/2026", "2026-01-24x"] {
      #expect(ClinicalDate.datePart(bad) == nil, "\(bad)")
    }
  }

  @Test func csvQuotingIsRFC4180() throws {
    let text = "a,b\r\n\"x, \"\"y\"\"\",\"line1\nline2\"\n\n\"<b>&amp;</b>\",plain\n"
    let r = try ClinicalCSV.parse(text)
    #expect(r.map(\.line) == [1, 2, 5])
    #expect(r[1].fields == ["x, \"y\"", "line1\nline2"] && r[2].fields == ["<b>&amp;</b>", "plain"])
    #expect(throws: ClinicalCSV.SyntaxError(line: 2, column: 2, message: "a quote inside an unquoted field (RFC 4180: quote the whole field and double inner quotes)")) {
      try ClinicalCSV.parse("a,b\nx,y\"z\n")
    }
    #expect(throws: ClinicalCSV.SyntaxError.self) { try ClinicalCSV.parse("a\n\"open\n") }
  }

  @Test func eventsAreChecked() throws {
    let ok = try EventCSVReader.read("patient,start,end,kind,grade,dose,value,detail\nP01,1,3,CRS,2,,,fever\nP01,30,,IVIG,,0.4,,\nP01,90,,disease activity,,,4,SLEDAI-2K\n",
                                     file: "e.csv", firstInfusionDate: { _ in nil })
    #expect(ok.rows.map(\.kind) == [.crs, .ivig, .diseaseActivity] && ok.rows[0].grade == 2 && ok.rows[0].endDay == 3)
    #expect(ok.rows[1].dose == 0.4 && ok.rows[1].doseUnit == "g/kg" && ok.rows[2].value == 4)
    func errors(_ row: String) -> [String] {
      do {
        _ = try EventCSVReader.read("patient,start,end,kind,grade,dose,value,detail\n" + row, file: "e.csv", firstInfusionDate: { _ in nil })
        return []
      } catch { return error.issues.map(\.description) }
    }
    #expect(errors("P01,1,,ICANS,5,,,\n").first?.hasPrefix("e.csv:2:5: grade: grade '5' is not an ASTCT grade") == true)
    #expect(errors("P01,1,,CRS,0,,,\n").first?.contains("[clinical.invalid-grade]") == true)
    #expect(errors("P01,1,,CRS,,,,\n").first == "e.csv:2:5: grade: CRS needs its ASTCT grade (1–4) [clinical.invalid-grade]")
    #expect(errors("P01,1,,IVIG,,,,\n").first?.hasPrefix("e.csv:2:6: dose: IVIG needs its dose in g/kg") == true)
    #expect(errors("P01,5,2,infection,,,,\n").first?.hasPrefix("e.csv:2:3: end: ends on day 2") == true)
    #expect(errors("P01,5,,disease-activity,,,106,SLEDAI-2K\n").first?.hasPrefix("e.csv:2:7: value: SLEDAI-2K is a whole number") == true)
    #expect(errors("P01,5,,party,,,,\n").first?.hasPrefix("e.csv:2:4: kind: unknown event kind 'party'") == true)
    #expect(errors("P01,2026-01-20,,infection,,,,\n").first?.contains("[clinical.no-infusion-date]") == true)
  }

  /// Grades as exports write them, and a score named as the kind.
  @Test func gradeSpellingsAndScoreAsKind() throws {
    #expect(["2", "Grade 2", "grade2", "G2", " g 2 "].map(EventCSVReader.astctGrade) == [2, 2, 2, 2, 2])
    #expect(["0", "5", "Grade 5", "2.5", "II", "grade", "", "12"].map(EventCSVReader.astctGrade).allSatisfy { $0 == nil })
    let e = try EventCSVReader.read("patient,start,kind,grade,value,detail\nP01,1,CRS,Grade 1,,\nP01,90,SLEDAI-2K,,4,\n",
                                    file: "e.csv", firstInfusionDate: { _ in nil })
    #expect(e.rows[0].grade == 1)
    #expect(e.rows[1].kind == .diseaseActivity && e.rows[1].detail == "SLEDAI-2K" && e.rows[1].value == 4)
  }

  @Test func kindFromTheHeader() {
    #expect(ClinicalFileKind.infer(fromCSV: "patient,day,analyte,value,unit\n") == .labs)
    #expect(ClinicalFileKind.infer(fromCSV: "patient,start,kind\n") == .events)
    #expect(ClinicalFileKind.infer(fromCSV: "patient,analyte,kind\n") == nil)
    #expect(throws: ClinicalImportFailure.self) { try ClinicalFileContent.read("patient,day\n", file: "x.csv", kind: nil, firstInfusionDate: { _ in nil }) }
  }

  /// A semicolon- or tab-separated export (a spreadsheet in a decimal-comma locale) is refused
  /// as such, whether or not the kind is given, instead of column by column.
  @Test(arguments: [("patient;day;analyte;value;unit\nP01;14;IgG;4,2;g/L\n", "semicolon"), ("patient\tday\tanalyte\tvalue\tunit\n", "tab")])
  func otherSeparatorsAreNamed(_ text: String, _ separator: String) {
    for kind in [nil, ClinicalFileKind.labs, .events] {
      do {
        _ = try ClinicalFileContent.read(text, file: "x.csv", kind: kind, firstInfusionDate: { _ in nil })
        Issue.record("accepted a \(separator)-separated file")
      } catch {
        #expect(error.issues.count == 1)
        #expect(error.issues[0].description.hasPrefix("x.csv:1:1: the header is one field holding \(separator)s: the file looks \(separator)-separated"))
      }
    }
  }
}
