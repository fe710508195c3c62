import CytoClinical
import CytoCore
import CytoFCS
import CytoGating
import CytoTestSupport
import CytoWorkspace
import Foundation
import Testing

/// FlowJoCounter against FlowJo's saved counts in ../shared/testdata/flowjo (docs/flowjo.md,
/// "Evidence"): the rule reproduces all 25 counts ≥ 0; exact geometry differs where documented.
@Suite("FlowJo counting rule")
struct FlowJoCounterTests {
  struct Expected: Decodable {
    struct Population: Decodable {
      var path: [String]
      var flowkit_count: Int?
    }
    struct Sample: Decodable {
      var sample: String
      var populations: [Population]
    }
    var workspace: String
    var fcs: String?
    var samples: [Sample]
  }

  /// Exact − FlowJo for every population with a saved count ≥ 0 (docs/flowjo.md, "Evidence");
  /// populations not listed are 0.
  static let exactDifferences: [String: Int] = [
    "flowsom_68983/gating.wsp|Lymphocytes": 13,
    "flowsom_68983/gating.wsp|Lymphocytes/Singlets": 13,
    "flowsom_68983/gating.wsp|Lymphocytes/Singlets/Singlets2": 12,
    "flowsom_68983/gating.wsp|Lymphocytes/Singlets/Singlets2/NK1_1-": 12,
    "flowsom_68983/gating.wsp|Lymphocytes/Singlets/Singlets2/NK1_1-/B cells": 1,
    "flowsom_68983/gating.wsp|Lymphocytes/Singlets/Singlets2/NK1_1-/T cells": 2,
    "flowsom_68983/gating.wsp|Lymphocytes/Singlets/Singlets2/NK1_1-/T cells/ab T cells": 3,
    "flowsom_68983/gating.wsp|Lymphocytes/Singlets/Singlets2/NK1_1-/T cells/ab T cells/CD4 T cells": 2,
    "flowsom_68983/gating.wsp|Lymphocytes/Singlets/Singlets2/NK1_1-/T cells/ab T cells/DN T cells": 1,
    "flowkit_simple_line/simple_poly_and_rect_v2_poly50.wsp|poly1": 50,
  ]

  /// Every shared workspace whose FCS file is present: (workspace path, sample, GatingInput).
  static func cases() throws -> [(workspace: String, sample: WorkspaceSample, input: GatingInput)]? {
    guard TestData.sharedAvailable, let dir = TestData.shared("flowjo/expected") else {
      if TestData.isCI { Issue.record("../shared/testdata is required under CI") }
      return nil
    }
    var out: [(String, WorkspaceSample, GatingInput)] = []
    let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted()
    for name in names {
      let e = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: dir.appendingPathComponent(name)))
      guard let fcs = e.fcs, let fcsURL = TestData.shared("flowjo/\(fcs)"),
            let wsURL = TestData.shared("flowjo/\(e.workspace)") else {
        print("SKIP: \(name): workspace or FCS file not in ../shared")
        continue
      }
      let ws = try FlowJoWorkspace(contentsOf: wsURL.path)
      let input = try GatingInput(FCSFile(contentsOf: fcsURL.path).dataSets[0])
      out.append((e.workspace, ws.samples[0], input))
    }
    return out
  }

  @Test func flowJoRuleReproducesEverySavedCount() throws {
    guard let cases = try Self.cases() else { return }
    var compared = 0, differing = 0
    for c in cases {
      let counts = try FlowJoCounter(sample: c.sample, mode: .flowJo).count(c.input)
      for p in counts.populations {
        guard let d = p.difference else { continue }
        compared += 1
        #expect(d == 0, "\(c.workspace) \(p.path): \(p.count) vs FlowJo \(p.saved)")
        if d != 0 { differing += 1 }
      }
    }
    print("FlowJo rule: \(compared) populations with a saved count compared, \(differing) differ")
    #expect(compared == 25)
  }

  @Test func exactGeometryDiffersWhereDocumented() throws {
    guard let cases = try Self.cases() else { return }
    var compared = 0
    for c in cases {
      let counts = try FlowJoCounter(sample: c.sample, mode: .exact).count(c.input)
      for p in counts.populations {
        guard let d = p.difference else { continue }
        compared += 1
        let key = "\(c.workspace)|\(p.path.joined(separator: "/"))"
        #expect(d == Self.exactDifferences[key, default: 0], "\(key): exact \(p.count) vs FlowJo \(p.saved)")
      }
    }
    #expect(compared == 25)
  }

  /// `--geometry exact` is FlowKit's reading: equal to FlowKit 1.3.2's count (recorded in
  /// `expected/*.json`) for every population of every shared workspace, never-computed ones too.
  @Test func exactGeometryEqualsFlowKit() throws {
    guard TestData.sharedAvailable, let dir = TestData.shared("flowjo/expected"), let cases = try Self.cases() else { return }
    var compared = 0
    for c in cases {
      let name = c.workspace.replacingOccurrences(of: "/", with: "__") + ".json"
      let e = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: dir.appendingPathComponent(name)))
      let flowKit = Dictionary(uniqueKeysWithValues: e.samples[0].populations.compactMap { p in p.flowkit_count.map { (p.path, $0) } })
      let counts = try FlowJoCounter(sample: c.sample, mode: .exact).count(c.input)
      for p in counts.populations {
        guard let fk = flowKit[p.path] else { continue }
        compared += 1
        #expect(p.count == fk, "\(c.workspace) \(p.path): exact \(p.count) vs FlowKit \(fk)")
      }
    }
    #expect(compared == 27)
  }

  /// simple_poly_and_rect.wsp has counts −1 (never computed): no reference, but still counted.
  @Test func neverComputedCountsHaveNoDifference() throws {
    guard let cases = try Self.cases() else { return }
    for c in cases where c.workspace.hasSuffix("simple_poly_and_rect.wsp") {
      let counts = try FlowJoCounter(sample: c.sample).count(c.input)
      #expect(counts.populations.allSatisfy { $0.difference == nil })
      #expect(counts.populations.map(\.count) == [0, 0])
    }
  }
}
