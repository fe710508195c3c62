import CytoClinical
import CytoStore
import CytoTestSupport
import Foundation
import Testing

/// `cytoreset analyze --workspace W.wsp --roles …`: a lab's FlowJo workspace as the panel, on
/// FlowSOM's 68983 `gating.wsp` and its FCS file.
@Suite("analyze --workspace")
struct AnalyzeWorkspaceTests {
  static let roles = "lymphocytes=/Lymphocytes,tCells=T cells,bCells=NK1_1-/B cells"

  static func shared() -> (wsp: String, fcs: String)? {
    guard TestData.sharedAvailable, let ws = TestData.shared("flowjo/flowsom_68983/gating.wsp"),
          let fcs = TestData.shared("flowjo/flowsom_68983/68983.fcs") else {
      if TestData.isCI { Issue.record("../shared/testdata is required under CI") }
      return nil
    }
    return (ws.path, fcs.path)
  }

  static func analyses(_ stdout: String) throws -> [[String: Any]] {
    let obj = try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any])
    return try #require(obj["analyses"] as? [[String: Any]])
  }

  static func population(_ a: [String: Any], _ id: String) -> [String: Any]? {
    (a["populations"] as? [[String: Any]])?.first { $0["id"] as? String == id }
  }

  @Test func ownSampleGivesFlowJosCountsAndTheClinicalReading() throws {
    guard let (wsp, fcs) = Self.shared() else { return }
    let r = try CLIRunner.run(["analyze", fcs, "--workspace", wsp, "--roles", Self.roles, "--alc", "1500", "--format", "json"])
    #expect(r.status == 0, "\(r.stderr)")
    let a = try #require(try Self.analyses(r.stdout).first)
    // FlowJo's saved counts (gating.wsp), reproduced by the FlowJo geometry.
    let b = try #require(Self.population(a, "/Lymphocytes/Singlets/Singlets2/NK1_1-/B cells"))
    let lymph = try #require(Self.population(a, "/Lymphocytes"))
    #expect(b["count"] as? Int == 2459 && lymph["count"] as? Int == 19212)
    #expect((a["populations"] as? [Any])?.count == 15)
    // Dual platform: B/µL = 2459 / 19212 × 1500.
    let perUL = try #require(((b["absolute"] as? [String: Any])?["perMicroliter"] as? [String: Any])?["value"] as? Double)
    #expect(abs(perUL - 2459.0 / 19212.0 * 1500) < 1e-9)
    let calls = try #require(a["calls"] as? [String: Any])
    #expect((calls["bCellAplasia"] as? [String: Any])?["result"] as? String == "no")
    // Provenance: the workspace's SHA-256, the sample, each role's path.
    let ws = try #require(a["workspace"] as? [String: Any])
    let digest = SHA256.hash([UInt8](try Data(contentsOf: URL(fileURLWithPath: wsp)))).hex
    #expect(ws["sha256"] as? String == digest && a["panelVersion"] as? String == "sha256:" + digest)
    #expect(ws["gatesFrom"] as? String == "sample" && ws["sample"] as? String == "1 68983.fcs" && ws["geometry"] as? String == "flowjo")
    let roles = try #require(ws["roles"] as? [String: String])
    #expect(roles["bCells"] == "/Lymphocytes/Singlets/Singlets2/NK1_1-/B cells")
    #expect(roles["tCells"] == "/Lymphocytes/Singlets/Singlets2/NK1_1-/T cells")
    let aroles = try #require(a["roles"] as? [String: String])
    #expect(aroles["lymphocytes"] == "/Lymphocytes")
  }

  @Test func exactGeometryIsTheOption() throws {
    guard let (wsp, fcs) = Self.shared() else { return }
    let r = try CLIRunner.run(["analyze", fcs, "--workspace", wsp, "--roles", Self.roles, "--geometry", "exact", "--format", "json"])
    #expect(r.status == 0, "\(r.stderr)")
    let a = try #require(try Self.analyses(r.stdout).first)
    #expect(Self.population(a, "/Lymphocytes")?["count"] as? Int == 19225)   // exact polygon: +13 (docs/flowjo.md)
  }

  /// A copy of gating.wsp whose "All Samples" group carries the sample's gates as its template.
  static func workspaceWithTemplate(_ wsp: String) throws -> String {
    let text = try String(contentsOfFile: wsp, encoding: .utf8)
    let sampleNode = try #require(text.range(of: "<SampleNode "))
    let subStart = try #require(text.range(of: "<Subpopulations", range: sampleNode.upperBound..<text.endIndex))
    let subEnd = try #require(text.range(of: "</Subpopulations>\n      </SampleNode>")
                              ?? text.range(of: "</Subpopulations>", options: .backwards))
    let subtree = String(text[subStart.lowerBound..<subEnd.lowerBound]) + "</Subpopulations>\n"
    let group = try #require(text.range(of: "<GroupNode name=\"All Samples\""))
    let groupEnd = try #require(text.range(of: "</GroupNode>", range: group.upperBound..<text.endIndex))
    let out = text.replacingCharacters(in: groupEnd.lowerBound..<groupEnd.lowerBound, with: subtree)
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ws-template-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let path = dir.appendingPathComponent("template.wsp").path
    try out.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  @Test func aFileTheWorkspaceDoesNotHoldIsGatedWithTheGroupTemplate() throws {
    guard let (wsp, fcs) = Self.shared() else { return }
    let templated = try Self.workspaceWithTemplate(wsp)
    let dir = URL(fileURLWithPath: templated).deletingLastPathComponent()
    let visit = dir.appendingPathComponent("P01 day 28.fcs").path
    try FileManager.default.createSymbolicLink(atPath: visit, withDestinationPath: fcs)
    let own = try CLIRunner.run(["analyze", fcs, "--workspace", templated, "--roles", Self.roles, "--format", "json"])
    let none = try CLIRunner.run(["analyze", visit, "--workspace", templated, "--roles", Self.roles])
    #expect(none.status == 1 && none.stderr.contains("the workspace has no sample for P01 day 28.fcs"))
    #expect(none.stderr.contains("give --group"))
    let viaTemplate = try CLIRunner.run(["analyze", visit, "--workspace", templated, "--roles", Self.roles, "--group", "All Samples",
                                         "--format", "json"])
    #expect(own.status == 0 && viaTemplate.status == 0, "\(own.stderr)\(viaTemplate.stderr)")
    let a = try #require(try Self.analyses(own.stdout).first), t = try #require(try Self.analyses(viaTemplate.stdout).first)
    // Same file, same gates: the template (transforms from the member sample, compensation from
    // the file's own spillover) counts every population as the sample's own tree.
    let counts = { (x: [String: Any]) in (x["populations"] as? [[String: Any]])?.map { "\($0["id"]!)=\($0["count"]!)" } }
    #expect(counts(a) != nil && counts(a) == counts(t))
    let ws = try #require(t["workspace"] as? [String: Any])
    #expect(ws["gatesFrom"] as? String == "groupTemplate" && ws["sample"] as? String == "group All Samples")
    let notes = try #require(t["diagnostics"] as? [[String: Any]])
    #expect(notes.contains { $0["code"] as? String == "clinical.workspaceTemplate" })
    let unknown = try CLIRunner.run(["analyze", visit, "--workspace", templated, "--roles", Self.roles, "--group", "Nope"])
    #expect(unknown.status == 1 && unknown.stderr.contains("no group \"Nope\""))
  }

  @Test func rolesAreCheckedAgainstTheTree() throws {
    guard let (wsp, fcs) = Self.shared() else { return }
    let missing = try CLIRunner.run(["analyze", fcs, "--workspace", wsp, "--roles", "bCells=/B cells"])
    #expect(missing.status == 1 && missing.stderr.contains("role bCells: no population \"/B cells\""))
    #expect(missing.stderr.contains("/Lymphocytes/Singlets/Singlets2/NK1_1-/B cells"))
    // "cells" alone is no population name; "T cells" is one and unique.
    let loose = try CLIRunner.run(["analyze", fcs, "--workspace", wsp, "--roles", "tCells=cells"])
    #expect(loose.status == 1)
    let noRoles = try CLIRunner.run(["analyze", fcs, "--workspace", wsp])
    #expect(noRoles.status != 0 && noRoles.stderr.contains("--workspace needs --roles"))
    let withCut = try CLIRunner.run(["analyze", fcs, "--workspace", wsp, "--roles", Self.roles, "--cut", "CD19=0.4"])
    #expect(withCut.status != 0 && withCut.stderr.contains("--cut do(es) not apply with --workspace"))
  }

  @Test func roleMapAllowsCommasInPopulationNames() throws {
    let m = try WorkspaceRoleMap(parsing: "bCells=CD19+,CD20+,tCells=/Lymphocytes/CD3+,naiveB=IgD+,CD27-")
    #expect(m.entries.map(\.role) == [.bCells, .tCells, .naiveB])
    #expect(m.entries.map(\.population) == ["CD19+,CD20+", "/Lymphocytes/CD3+", "IgD+,CD27-"])
    #expect(throws: ClinicalError.self) { try WorkspaceRoleMap(parsing: "bcells=B") }
    #expect(throws: ClinicalError.self) { try WorkspaceRoleMap(parsing: "bCells=B,bCells=C") }
    #expect(throws: ClinicalError.self) { try WorkspaceRoleMap(parsing: "bCells=") }
  }

  /// `workspace export` then `analyze --workspace` on the same file: the workspace gates every
  /// population as analyze did, so counts, absolute counts and every call agree.
  @Test func exportedWorkspaceAsThePanelReproducesTheAnalysis() throws {
    let dir = try CLIRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let fcs = dir.appendingPathComponent("P01 d28.fcs").path, wsp = dir.appendingPathComponent("lab.wsp").path
    let sim = try CLIRunner.run(["simulate", "-o", fcs, "--events", "40000", "--seed", "11", "--car-percent", "6", "--cd19", "80"])
    #expect(sim.status == 0, "\(sim.stderr)")
    #expect(try CLIRunner.run(["workspace", "export", fcs, "-o", wsp]).status == 0)
    let own = try CLIRunner.run(["analyze", fcs, "--alc", "1200", "--format", "json"])
    #expect(own.status == 0, "\(own.stderr)")
    let a = try #require(try Self.analyses(own.stdout).first)
    let byID = Dictionary(uniqueKeysWithValues: ((a["populations"] as? [[String: Any]]) ?? []).map { ($0["id"] as! String, $0) })
    let roles = try #require(a["roles"] as? [String: String])
    let spec = roles.sorted { $0.key < $1.key }.compactMap { role, id in (byID[id]?["path"] as? String).map { "\(role)=\($0)" } }
    #expect(spec.count >= 4, "\(roles)")
    let viaWS = try CLIRunner.run(["analyze", fcs, "--workspace", wsp, "--roles", spec.joined(separator: ","), "--geometry", "exact",
                                   "--alc", "1200", "--format", "json"])
    #expect(viaWS.status == 0, "\(viaWS.stderr)")
    let w = try #require(try Self.analyses(viaWS.stdout).first)
    for (_, p) in byID {
      let path = try #require(p["path"] as? String)
      #expect(Self.population(w, path)?["count"] as? Int == p["count"] as? Int, "\(path)")
    }
    let c1 = try #require(a["calls"] as? [String: Any]), c2 = try #require(w["calls"] as? [String: Any])
    for key in ["bCellAplasia", "carTDetectable"] {
      #expect((c1[key] as? [String: Any])?["result"] as? String == (c2[key] as? [String: Any])?["result"] as? String, "\(key)")
    }
    for key in ["naivePercentOfB", "carPercentOfT"] {
      let v1 = (c1[key] as? [String: Any])?["value"] as? Double, v2 = (c2[key] as? [String: Any])?["value"] as? Double
      #expect(v1 != nil && v1 == v2, "\(key): \(String(describing: v1)) vs \(String(describing: v2))")
    }
  }

  /// `ingest --workspace` stores what `ingest` with the panel stores for the roles' series
  /// (B, T, CAR T, naive, lymphocytes: counts, %, cells/µL, LLOQ bounds), from a workspace
  /// `workspace export` wrote for the same files; an aplastic visit whose tree lacks the naive B
  /// gate is stored with the naive fraction unknown, as the panel does.
  @Test func ingestWithTheWorkspaceStoresThePanelsRoleSeries() throws {
    let dir = try CLIRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    func path(_ n: String) -> String { dir.appendingPathComponent(n).path }
    #expect(try CLIRunner.run(["simulate", "-o", path("d0.fcs"), "--events", "30000", "--seed", "3", "--car-percent", "0", "--cd19", "150"]).status == 0)
    #expect(try CLIRunner.run(["simulate", "-o", path("d28.fcs"), "--events", "30000", "--seed", "4", "--car-percent", "5", "--cd19", "2"]).status == 0)
    #expect(try CLIRunner.run(["workspace", "export", path("d0.fcs"), path("d28.fcs"), "-o", path("lab.wsp")]).status == 0)
    let a = try #require(try Self.analyses(try CLIRunner.run(["analyze", path("d0.fcs"), "--format", "json"]).stdout).first)
    let byID = Dictionary(uniqueKeysWithValues: ((a["populations"] as? [[String: Any]]) ?? []).map { ($0["id"] as! String, $0) })
    let roles = try #require(a["roles"] as? [String: String]).sorted { $0.key < $1.key }
      .compactMap { role, id in (byID[id]?["path"] as? String).map { "\(role)=\($0)" } }.joined(separator: ",")
    let common = [path("d0.fcs"), path("d28.fcs"), "--patient", "P1", "--day", "0", "--day", "28", "--alc", "1000"]
    let panel = try CLIRunner.run(["ingest"] + common + ["--store", path("panel.h5")])
    let ws = try CLIRunner.run(["ingest"] + common + ["--store", path("ws.h5"), "--workspace", path("lab.wsp"), "--roles", roles,
                                                       "--geometry", "exact"])
    #expect(panel.status == 0 && ws.status == 0, "\(panel.stderr)\(ws.stderr)")
    #expect(ws.stderr.contains("role naiveB: this sample's tree has no"))
    let p = try CLIRunner.run(["export-store", "--store", path("panel.h5")]).stdout.split(separator: "\n")
    let w = try CLIRunner.run(["export-store", "--store", path("ws.h5")]).stdout.split(separator: "\n")
    #expect(w.first == p.first)
    let metrics = Set(w.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false)[5] })
    for m in ["cd19_per_ul", "cd19_pct_lymphocytes", "car_pct_cd3", "car_per_ul", "naive_pct_b", "lymphocytes_per_ul"] {
      #expect(metrics.contains(Substring(m)), "\(m) not stored from the workspace")
    }
    // Every stored row equals the panel's row for the same visit and metric.
    for row in w.dropFirst() { #expect(p.contains(row), "\(row)") }
    // The report reads the store; it never draws a panel's gates for a workspace-gated visit.
    let report = try CLIRunner.run(["report", "--store", path("ws.h5"), "--patient", "P1", "--fcs-dir", dir.path, "-o", path("P1.html")])
    #expect(report.status == 0, "\(report.stderr)")
    #expect(report.stderr.contains("P1 day 28: no QC plots: gated by FlowJo workspace"))
    let html = try String(contentsOfFile: path("P1.html"), encoding: .utf8)
    #expect(html.contains("CD19⁺ B cells"))
  }

  /// The workspace and roles as a panel file (`--panel lab.json`, schema
  /// `cytoreset.workspace-panel/1`) give what the flags give; a `sha256` pins the workspace.
  @Test func workspacePanelFileEqualsTheFlags() throws {
    guard let (wsp, fcs) = Self.shared() else { return }
    let dir = try CLIRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let digest = SHA256.hash([UInt8](try Data(contentsOf: URL(fileURLWithPath: wsp)))).hex
    func panel(_ extra: String) throws -> String {
      let p = dir.appendingPathComponent("lab-\(UUID().uuidString).json").path
      try """
        {"schema": "cytoreset.workspace-panel/1", "workspace": "\(wsp)",
         "roles": {"bCells": "NK1_1-/B cells", "tCells": "T cells", "lymphocytes": "/Lymphocytes"}\(extra)}
        """.write(toFile: p, atomically: true, encoding: .utf8)
      return p
    }
    let flags = try CLIRunner.run(["analyze", fcs, "--workspace", wsp, "--roles", Self.roles, "--alc", "900", "--format", "json"])
    let file = try CLIRunner.run(["analyze", fcs, "--panel", try panel(", \"sha256\": \"\(digest)\""), "--alc", "900", "--format", "json"])
    #expect(flags.status == 0 && file.status == 0, "\(flags.stderr)\(file.stderr)")
    let a = try #require(try Self.analyses(flags.stdout).first), b = try #require(try Self.analyses(file.stdout).first)
    #expect(a["populations"] as? NSArray == b["populations"] as? NSArray && a["calls"] as? NSDictionary == b["calls"] as? NSDictionary)
    #expect(a["roles"] as? NSDictionary == b["roles"] as? NSDictionary)
    let changed = try CLIRunner.run(["analyze", fcs, "--panel", try panel(", \"sha256\": \"\(String(repeating: "0", count: 64))\"")])
    #expect(changed.status == 1 && changed.stderr.contains("the workspace changed"))
    let unknown = try CLIRunner.run(["analyze", fcs, "--panel", try panel(", \"cuts\": {}")])
    #expect(unknown.status != 0 && unknown.stderr.contains("unknown key \"cuts\""))
    let both = try CLIRunner.run(["analyze", fcs, "--panel", try panel(""), "--workspace", wsp, "--roles", Self.roles])
    #expect(both.status != 0 && both.stderr.contains("drop --workspace"))
  }
}
