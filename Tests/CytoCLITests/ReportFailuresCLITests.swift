import CytoTestSupport
import Foundation
import Testing

/// `report --cohort` (only the overview) and the store's open failures in the reports.
@Suite(.serialized) struct ReportFailuresCLITests {
  static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    try ChildProcess.cytoreset(arguments, binary: CLIRunner.binary.path)
  }

  @Test func cohortOverviewAloneWithTheFailures() throws {
    let dir = try CLIRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
    let sim = try Self.run(["simulate", "--timeline", "--patient", "P03", "--seed", "62", "--days=-7,14", "--events", "3000", "-o", path("v")])
    #expect(sim.status == 0, "\(sim.stderr)")
    // A truncated file whose name and the reason it produces carry markup.
    let hostile = path("v/d28<img src=x onerror=alert(1)>.fcs")
    try Data(try Data(contentsOf: URL(fileURLWithPath: path("v/P03_day+014.fcs"))).prefix(4000)).write(to: URL(fileURLWithPath: hostile))
    let store = path("s.h5")
    let ingest = try Self.run(["ingest", path("v/P03_day-007.fcs"), path("v/P03_day+014.fcs"), hostile, "--store", store, "--patient", "P03",
                               "--day=-7", "--day=14", "--day=28", "--alc", "1500"])
    #expect(ingest.status == 1 && ingest.stdout.contains("1 failed analysis recorded"), "\(ingest.stdout)\(ingest.stderr)")

    let out = dir.appendingPathComponent("reports")
    try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    let cohort = try Self.run(["report", "--store", store, "--cohort", "-o", out.appendingPathComponent("cohort.html").path])
    #expect(cohort.status == 0, "\(cohort.stderr)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: out.path) == ["cohort.html"], "only the overview")
    let html = try String(contentsOfFile: out.appendingPathComponent("cohort.html").path, encoding: .utf8)
    #expect(html.contains("<a href=\"P03.html\">P03</a>"), "links to the patient report beside it")
    #expect(html.contains("<h2>Analyses that failed</h2>") && html.contains("d28&lt;img src=x onerror=alert(1)&gt;.fcs"))
    #expect(html.contains("fcs.truncated") && !html.contains("<img"))

    let patient = try Self.run(["report", "--store", store, "--patient", "P03", "-o", path("P03.html")])
    #expect(patient.status == 0, "\(patient.stderr)")
    let p = try String(contentsOfFile: path("P03.html"), encoding: .utf8)
    #expect(p.contains("<h2>Visits that failed analysis</h2>") && p.contains("fcs.truncated") && !p.contains("<img"))
  }

  /// A patient whose every file failed has no visits, only failures: its report still renders
  /// and lists them (the workflow writes one report per patient of its manifests); a patient
  /// the store knows nothing of is still an error.
  @Test func patientWithOnlyFailures() throws {
    let dir = try CLIRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
    try Data(repeating: 0x20, count: 100).write(to: URL(fileURLWithPath: path("broken.fcs")))
    let store = path("s.h5")
    let ingest = try Self.run(["ingest", path("broken.fcs"), "--store", store, "--patient", "Q9", "--day", "14"])
    #expect(ingest.status == 1 && ingest.stdout.contains("1 failed analysis recorded"), "\(ingest.stdout)\(ingest.stderr)")
    let r = try Self.run(["report", "--store", store, "--patient", "Q9", "-o", path("Q9.html")])
    #expect(r.status == 0, "\(r.stderr)")
    let html = try String(contentsOfFile: path("Q9.html"), encoding: .utf8)
    #expect(html.contains("<h2>Visits that failed analysis</h2>") && html.contains("broken.fcs") && html.contains("every file failed"))
    #expect(!html.contains("id=\"b-cells\""), "no empty charts when no visit was analysed")
    let unknown = try Self.run(["report", "--store", store, "--patient", "Q10", "-o", path("Q10.html")])
    #expect(unknown.status != 0 && unknown.stderr.contains("no patient 'Q10'"), "\(unknown.stderr)")
  }

  @Test(arguments: [
    ["report", "--store", "s.h5", "-o", "x.html"],
    ["report", "--store", "s.h5", "--patient", "P01", "--cohort", "-o", "x.html"],
    ["report", "--store", "s.h5", "--all", "--cohort", "-o", "x.html"],
    ["report", "--store", "s.h5", "--patient", "P01", "--all", "-o", "x.html"],
  ])
  func oneOfPatientCohortOrAll(_ arguments: [String]) throws {
    let r = try Self.run(arguments)
    #expect(r.status == 2 && r.stderr.contains("give one of --patient ID, --cohort or --all"), "\(r.stderr)")
  }
}
