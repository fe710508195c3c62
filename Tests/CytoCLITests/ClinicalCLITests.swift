import CytoTestSupport
import Foundation
import Testing

/// `cytoreset clinical import|list` end to end: summary line, refusal with every error line and
/// exit 1 leaving the store byte-identical, TSV with bounds.
@Suite struct ClinicalCLITests {
  @Test func importRefuseAndList() throws {
    let dir = try CLIRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let store = dir.appendingPathComponent("s.h5").path
    let labs = dir.appendingPathComponent("labs.csv").path
    try "patient,day,analyte,value,unit,source\nP01,14,IgG,420,mg/dL,lab\nP01,14,CAR,<0.5,copies/µg DNA,\nP01,14,Sodium,140,mmol/L,\n"
      .write(toFile: labs, atomically: true, encoding: .utf8)
    let ok = try CLIRunner.run(["clinical", "import", "--store", store, labs])
    #expect(ok.status == 0, "\(ok.stderr)")
    #expect(ok.stdout == "\(labs): labs: 3 values stored, 0 unchanged, 0 new versions, 1 warning (1 free analyte stored unconverted)\n")
    #expect(ok.stderr.contains("\(labs):4:3: analyte: warning: 'Sodium'"))
    let again = try CLIRunner.run(["clinical", "import", "--store", store, labs])
    #expect(again.status == 0 && again.stdout.contains("already imported on") && again.stdout.contains("nothing changed"))

    let before = try Data(contentsOf: URL(fileURLWithPath: store))
    let bad = dir.appendingPathComponent("bad.csv").path
    try "patient,day,analyte,value,unit\nP01,21,IgG,4,cells/µL\nP01,21,IgM,-1,g/L\n".write(toFile: bad, atomically: true, encoding: .utf8)
    let refused = try CLIRunner.run(["clinical", "import", "--store", store, bad])
    #expect(refused.status == 1)
    let lines = refused.stderr.split(separator: "\n").map(String.init)
    #expect(lines.count == 3)
    #expect(lines[0].hasPrefix("\(bad):2:5: unit: 'cells/µL'") && lines[0].hasSuffix("[clinical.wrong-unit]"))
    #expect(lines[1].hasPrefix("\(bad):3:4: value: negative value '-1'") && lines[1].hasSuffix("[clinical.negative-value]"))
    #expect(lines[2] == "cytoreset: \(bad): refused (2 errors); the store was not changed")
    #expect(try Data(contentsOf: URL(fileURLWithPath: store)) == before)

    let ambiguous = dir.appendingPathComponent("both.csv").path
    try "patient,day,analyte,kind\n".write(toFile: ambiguous, atomically: true, encoding: .utf8)
    let amb = try CLIRunner.run(["clinical", "import", "--store", store, ambiguous])
    #expect(amb.status == 1 && amb.stderr.contains("[clinical.ambiguous-kind]"))

    let list = try CLIRunner.run(["clinical", "list", "--store", store])
    #expect(list.status == 0)
    let rows = list.stdout.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    #expect(rows[0] == ["patient", "day", "date", "analyte", "loinc", "value", "less_than", "greater_than", "unit", "lloq", "method",
                        "source", "version", "superseded_by", "value_as_given", "unit_as_given"])
    #expect(rows[1] == ["P01", "14", "", "CAR transgene", "", "", "0.5", "", "copies/µg DNA", "", "", "", "1", "", "<0.5", "copies/µg DNA"])
    #expect(rows[2] == ["P01", "14", "", "IgG", "2465-3", "4.2", "", "", "g/L", "", "", "lab", "1", "", "420", "mg/dL"])
    let json = try CLIRunner.run(["clinical", "list", "--store", store, "--format", "json"])
    #expect(json.stdout.contains("\"schema\" : \"cytoreset.clinical-list/1\"") && json.stdout.contains("\"lessThan\" : 0.5"))
    let help = try CLIRunner.run(["clinical", "import", "--help"])
    #expect(help.status == 0 && help.stdout.contains("EXAMPLES"))
  }
}
