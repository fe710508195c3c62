import CytoCore
import CytoWorkspace
import Foundation

/// How a count compares with FlowJo's saved one.
enum CountAgreement: String, CaseIterable {
  /// Equal to FlowJo's count.
  case exact
  /// `|count − flowjo| ≤ 1%` of FlowJo's count (FlowKit's measure on held-back workspaces).
  case within1Percent
  /// Further off.
  case worse
  /// FlowJo saved no usable count (`-1` or absent): nothing to compare.
  case notComputed

  init(_ p: PopulationCount) {
    guard let d = p.difference, case .events(let saved) = p.saved else {
      self = .notComputed
      return
    }
    self = d == 0 ? .exact : Double(abs(d)) <= 0.01 * Double(saved) ? .within1Percent : .worse
  }
}

/// One population's row: count, parent and FlowJo's count.
struct WorkspaceCountRow {
  var count: PopulationCount
  /// Events in the parent population (the whole sample for a top-level gate).
  var parentCount: Int
  var agreement: CountAgreement { CountAgreement(count) }
  /// `100 · count / parentCount`, `nil` when the parent is empty.
  var percentOfParent: Double? { parentCount > 0 ? 100 * Double(count.count) / Double(parentCount) : nil }

  static func rows(_ c: SampleCounts) -> [WorkspaceCountRow] {
    var byPath: [PopulationPath: Int] = [:]
    for p in c.populations { byPath[p.path] = p.count }
    return c.populations.map { p in
      WorkspaceCountRow(count: p, parentCount: p.path.count > 1 ? byPath[Array(p.path.dropLast())] ?? 0 : c.eventCount)
    }
  }
}

/// The table, TSV and JSON output of `cytoreset workspace apply`.
struct WorkspaceApplyReport {
  var workspace: String
  var flowJoVersion: String?
  var geometry: GeometryMode
  var samples: [WorkspaceSampleResult]
  /// The workspace's own diagnostics (duplicate names, `$TOT` ≠ FlowJo's count, …).
  var diagnostics: [Diagnostic]

  var mode: String { geometry == .flowJo ? "flowjo" : "exact" }

  /// The geometry one population was counted with: the run's, or `exact` where FlowJo's grid is
  /// not measured for its gate.
  func geometryName(_ p: PopulationCount) -> String { p.exactGeometryReason == nil ? mode : "exact" }

  /// Populations counted in exact geometry under `--geometry flowjo`.
  var exactFallbacks: Int { samples.reduce(0) { $0 + ($1.counts?.populations.filter { $0.exactGeometryReason != nil }.count ?? 0) } }

  /// Agreement tallies over every counted population.
  var tally: [CountAgreement: Int] {
    var t: [CountAgreement: Int] = [:]
    for s in samples { for r in s.counts.map(WorkspaceCountRow.rows) ?? [] { t[r.agreement, default: 0] += 1 } }
    return t
  }

  /// `agreement: 15 populations with a FlowJo count: 15 exact, 0 within 1%, 0 worse; 2 not computed`.
  var agreementLine: String {
    let t = tally
    let compared = (t[.exact] ?? 0) + (t[.within1Percent] ?? 0) + (t[.worse] ?? 0)
    let failed = samples.filter { $0.error != nil }.count
    return "agreement (geometry \(mode)): \(compared) populations with a FlowJo count: \(t[.exact] ?? 0) exact, "
      + "\(t[.within1Percent] ?? 0) within 1%, \(t[.worse] ?? 0) worse; \(t[.notComputed] ?? 0) not computed by FlowJo"
      + (failed > 0 ? "; \(failed) sample(s) not counted" : "")
      + (exactFallbacks > 0 ? "; \(exactFallbacks) population(s) in exact geometry (*: FlowJo's grid unmeasured for their gate)" : "") + "\n"
  }

  func render(_ format: WorkspaceApply.Format) -> String {
    switch format {
    case .json: json.serialized() + "\n"
    case .tsv: tsv
    case .table: table
    }
  }

  private static func saved(_ c: SavedCount) -> String { if case .events(let n) = c { "\(n)" } else { "" } }
  private static func diff(_ p: PopulationCount) -> String { p.difference.map { $0 > 0 ? "+\($0)" : "\($0)" } ?? "" }
  private static func percent(_ r: WorkspaceCountRow) -> String { r.percentOfParent.map { String(format: "%.2f", $0) } ?? "" }

  var tsv: String {
    var s = "sample\tsample_id\tpath\tgate_type\tcount\tparent_count\tpercent_of_parent\tflowjo_count\tdifference\tagreement\tgeometry\n"
    for r in samples {
      for row in r.counts.map(WorkspaceCountRow.rows) ?? [] {
        let p = row.count
        s += [r.sample.name, r.sample.id.rawValue, p.path.joined(separator: "/"), p.typeName, "\(p.count)", "\(row.parentCount)",
              Self.percent(row), Self.saved(p.saved), Self.diff(p), row.agreement.rawValue, geometryName(p)].joined(separator: "\t") + "\n"
      }
    }
    return s
  }

  var table: String {
    var s = ""
    for r in samples {
      s += "sample \(r.sample.id) \"\(r.sample.name)\": "
      guard let c = r.counts else {
        s += "not counted: \(r.error.map { "\($0)" } ?? "")\n"
        continue
      }
      s += "\(c.eventCount) events, \(r.file ?? "")\n"
      let rows = WorkspaceCountRow.rows(c)
      let compared = rows.filter { $0.count.difference != nil }
      s += "geometry \(mode): \(compared.count) populations with a FlowJo count, \(compared.filter { $0.count.difference != 0 }.count) differ\n"
      let cells = rows.map { row in
        [row.count.path.joined(separator: "/") + (row.count.exactGeometryReason == nil ? "" : " *"), "\(row.count.count)", Self.percent(row),
         Self.saved(row.count.saved), Self.diff(row.count)]
      }
      let header = ["population", "count", "% parent", "FlowJo", "difference"]
      let widths = (0..<header.count).map { i in ([header] + cells).map { $0[i].count }.max() ?? 0 }
      for row in [header] + cells {
        s += "  " + row.enumerated().map { i, c in
          i == 0 ? c.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            : String(repeating: " ", count: widths[i] - c.count) + c
        }.joined(separator: "  ") + "\n"
      }
      for row in rows { if let why = row.count.exactGeometryReason { s += "  * \(row.count.path.joined(separator: "/")): \(why)\n" } }
      for d in r.diagnostics { s += "  \(d)\n" }
    }
    for d in diagnostics { s += "\(d)\n" }
    return s + agreementLine
  }

  var json: JSONValue {
    let t = tally
    return .object([
      ("schema", .string("cytoreset.workspace-counts/1")), ("workspace", .string(workspace)),
      ("flowjoVersion", .optional(flowJoVersion)), ("geometry", .string(mode)),
      ("samples", .array(samples.map { r in
        .object([
          ("sample", .string(r.sample.name)), ("sampleID", .string(r.sample.id.rawValue)), ("file", .optional(r.file)),
          ("events", .optional(r.counts?.eventCount)), ("error", .optional(r.error.map { "\($0)" })),
          ("diagnostics", .array(r.diagnostics.map(\.json))),
          ("populations", .array((r.counts.map(WorkspaceCountRow.rows) ?? []).map { row in
            let p = row.count
            return .object([
              ("path", .string("/" + p.path.joined(separator: "/"))), ("pathList", .array(p.path.map { .string($0) })),
              ("gateType", .string(p.typeName)), ("count", .int(p.count)), ("parentCount", .int(row.parentCount)),
              ("percentOfParent", .optional(row.percentOfParent)), ("flowjoCount", WorkspaceInfoJSON.count(p.saved)),
              ("difference", .optional(p.difference)), ("agreement", .string(row.agreement.rawValue)),
              ("geometry", .string(geometryName(p))), ("exactGeometryReason", .optional(p.exactGeometryReason)),
            ])
          })),
        ])
      })),
      ("agreement", .object([
        ("compared", .int((t[.exact] ?? 0) + (t[.within1Percent] ?? 0) + (t[.worse] ?? 0))), ("exact", .int(t[.exact] ?? 0)),
        ("within1Percent", .int(t[.within1Percent] ?? 0)), ("worse", .int(t[.worse] ?? 0)),
        ("notComputed", .int(t[.notComputed] ?? 0)), ("exactGeometry", .int(exactFallbacks)),
      ])),
      ("diagnostics", .array(diagnostics.map(\.json))),
    ])
  }
}
