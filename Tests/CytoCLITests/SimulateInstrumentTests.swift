import CytoFCS
import CytoTestSupport
import Foundation
import Testing

/// `cytoreset simulate --instrument` end to end through the binary.
@Suite("cytoreset simulate --instrument")
struct SimulateInstrumentTests {
  func tempDir() throws -> URL {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("cytoreset-instrument-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
    return d
  }

  @Test func simulatesOnANamedInstrument() throws {
    let dir = try tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let fcs = dir.appendingPathComponent("tbnk.fcs").path
    let r = try CLIRunner.run(["simulate", "--instrument", "canto-tbnk", "-o", fcs, "--events", "5000", "--seed", "2"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("on canto-tbnk"))
    let ds = try FCSFile(contentsOf: fcs).dataSets[0]
    #expect(ds.parameters.compactMap(\.label) == ["CD3 FITC", "CD16+56 PE", "CD45 PerCP-Cy5.5", "CD4 PE-Cy7", "CD19 APC", "CD8 APC-Cy7"])
    #expect(ds.cytometer == "FACSCanto II")
    let truth = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("tbnk.truth.json"))) as? [String: Any])
    #expect(truth["instrument"] as? String == "canto-tbnk")
    #expect(truth["markers"] as? [String] == ["CD3", "CD16+56", "CD45", "CD4", "CD19", "CD8"])
    #expect(truth["events"] as? Int == ds.eventCount)
  }

  @Test func listsTheInstrumentsAsTSV() throws {
    let r = try CLIRunner.run(["simulate", "--list-instruments"])
    #expect(r.status == 0, "\(r.stderr)")
    let rows = r.stdout.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    #expect(rows.first == ["name", "description"])
    #expect(rows.count >= 23 && rows.allSatisfy { $0.count == 2 && !$0[1].isEmpty })
    #expect(rows[1][0] == "reference")
    for name in ["fortessa-bcell", "canto-tbnk", "navios-blineage", "aurora-spectral", "cytof-bcell", "cart-4colour"] {
      #expect(rows.contains { $0[0] == name }, "\(name)")
    }
    let help = try CLIRunner.run(["simulate", "--help"])
    #expect(help.stdout.contains("navios-blineage") && help.stdout.contains("--instrument canto-tbnk"))
  }

  @Test func unknownInstrumentIsAUsageErrorListingTheNames() throws {
    let r = try CLIRunner.run(["simulate", "--instrument", "facscalibur", "-o", "/tmp/never-written.fcs"])
    #expect(r.status == 2)
    #expect(r.stderr.contains("unknown instrument 'facscalibur'") && r.stderr.contains("reference") && r.stderr.contains("cytof-bcell"))
    #expect(!FileManager.default.fileExists(atPath: "/tmp/never-written.fcs"))
    #expect(try CLIRunner.run(["simulate", "--instrument", "canto-tbnk"]).status == 2, "no -o")
    #expect(try CLIRunner.run(["simulate", "--list-instruments", "-o", "x.fcs"]).status == 2)
  }

  /// A shown profile, saved and given back as a file, simulates the same bytes; a broken file is refused.
  @Test func profileJSONRoundTripsThroughTheCommandLine() throws {
    let dir = try tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let shown = try CLIRunner.run(["simulate", "--show-instrument", "navios-blineage"])
    #expect(shown.status == 0, "\(shown.stderr)")
    let json = dir.appendingPathComponent("navios.json")
    try Data(shown.stdout.utf8).write(to: json)
    let a = dir.appendingPathComponent("a.fcs").path, b = dir.appendingPathComponent("b.fcs").path
    #expect(try CLIRunner.run(["simulate", "--instrument", "navios-blineage", "-o", a, "--events", "3000"]).status == 0)
    #expect(try CLIRunner.run(["simulate", "--instrument", json.path, "-o", b, "--events", "3000"]).status == 0)
    // $FIL differs (a.fcs, b.fcs): compare the events and the truth.
    let ea = try FCSFile(contentsOf: a).dataSets[0].events(.raw, as: Float.self)
    let eb = try FCSFile(contentsOf: b).dataSets[0].events(.raw, as: Float.self)
    #expect(ea == eb)
    let broken = dir.appendingPathComponent("broken.json")
    try Data(shown.stdout.replacingOccurrences(of: "\"FL3-A\"", with: "\"FL6-A\"").utf8).write(to: broken)
    let r = try CLIRunner.run(["simulate", "--instrument", broken.path, "-o", dir.appendingPathComponent("c.fcs").path])
    #expect(r.status == 2 && r.stderr.contains("repeat"), "\(r.stderr)")
  }

  @Test func timelineOnAnInstrumentWithoutBeadsGivesTheLymphocyteCount() throws {
    let dir = try tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("P03").path
    let r = try CLIRunner.run(["simulate", "--timeline", "--patient", "P03", "--instrument", "reset-no-beads", "--days=-7,30",
                               "--events", "3000", "-o", out])
    #expect(r.status == 0, "\(r.stderr)")
    let lines = try String(contentsOfFile: out + "/P03.visits.csv", encoding: .utf8).split(separator: "\n")
    #expect(lines.first == "file,patient,day,infusion,beads_per_test,blood_ul,alc")
    #expect(lines.count == 3 && lines.dropFirst().allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false)[4].isEmpty })
    #expect(lines.dropFirst().allSatisfy { Double($0.split(separator: ",").last!)! > 500 })
  }
}
