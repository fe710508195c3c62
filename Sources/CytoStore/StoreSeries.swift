import CytoClinical
import CytoCore
import Foundation

/// Rebuilds `/patients/<id>/series` from the current analysis of every stored visit.
enum SeriesWriter {
  /// One visit's current analysis, as the series are built from.
  struct Row {
    var visit: String
    var infusion: Int
    var day: Double
    var analysis: Int
    var fileName: String
    var fileSHA256: String
    var result: VisitAnalysis
  }

  /// The current analyses of a patient's visits, sorted by infusion then day.
  static func currentAnalyses(patient: String, in root: HDF5Group) throws -> [Row] {
    let visitsPath = "/patients/\(patient)/visits"
    guard root.exists(visitsPath) else { return [] }
    var rows: [Row] = []
    for name in try root.children(of: visitsPath) {
      let v = try root.group("\(visitsPath)/\(name)")
      let n = Int(try v.int64Attribute("current_analysis"))
      let g = try v.group("analyses/\(n)")
      let json = try g.stringAttribute("analysis_json")
      let analysis: VisitAnalysis
      do { analysis = try StoreJSON.decode(VisitAnalysis.self, json) } catch {
        throw StoreError.damaged(file: root.filePath, object: g.path + "@analysis_json", detail: "the analysis record does not decode: \(error)")
      }
      rows.append(Row(visit: name, infusion: Int(try v.int64Attribute("infusion")), day: try v.doubleAttribute("day"), analysis: n,
                      fileName: try v.stringAttribute("file_name"), fileSHA256: try v.stringAttribute("file_sha256"), result: analysis))
    }
    return rows.sorted { ($0.infusion, $0.day) < ($1.infusion, $1.day) }
  }

  static let seriesOptions = HDF5DatasetOptions(chunkSize: 64, resizable: true)

  /// Writes every series table (rewritten in place when it exists, so the file does not grow).
  static func rebuild(patient: String, in root: HDF5Group, thresholds: ClinicalThresholds) throws {
    let rows = try currentAnalyses(patient: patient, in: root)
    let series = try root.group("/patients/\(patient)/series", createIfMissing: true)
    try series.setAttribute("thresholds_json", try StoreJSON.encode(thresholds))
    try series.setAttribute("visits_count", rows.count)
    func put(_ name: String, _ columns: [HDF5Column]) throws -> HDF5Dataset {
      if series.exists(name) {
        let d = try series.dataset(name)
        do {
          try d.replaceRows(columns)
          return d
        } catch where error.kind == .typeMismatch {
          // A table of an earlier schema (1.3 `visits` has no lab-ALC columns): written anew.
          try series.remove(name)
        }
      }
      return try series.createTable(name, columns: columns, options: seriesOptions)
    }
    // Metric tables are all numbers: rewriting them in place leaves no garbage in the global
    // heap (variable-length strings would); the strings live once in `visits`, row for row.
    let index: [HDF5Column] = [
      HDF5Column("infusion", .int64(rows.map { Int64($0.infusion) })),
      HDF5Column("day", .double(rows.map(\.day))), HDF5Column("analysis", .int64(rows.map { Int64($0.analysis) })),
    ]
    let visits = try put("visits", [HDF5Column("visit", .string(rows.map(\.visit)))] + index + [
      HDF5Column("file_name", .string(rows.map(\.fileName))), HDF5Column("file_sha256", .string(rows.map(\.fileSHA256))),
      HDF5Column("count_method", .string(rows.map { $0.result.countMethod?.name ?? "none" })),
      HDF5Column("b_cell_aplasia", .string(rows.map { $0.result.calls.bCellAplasia.result.rawValue })),
      HDF5Column("predominantly_naive", .string(rows.map { $0.result.calls.predominantlyNaive.map { $0 ? "yes" : "no" } ?? "unknown" })),
      HDF5Column("car_t_detectable", .string(rows.map { $0.result.calls.carTDetectable.result.rawValue })),
      // The lab ALC a dual-platform count came from (docs/clinical-data.md); NaN, "" and -1 when none.
      HDF5Column("lab_alc_per_ul", .double(rows.map { $0.result.labCount?.lymphocytesPerMicroliter ?? .nan })),
      HDF5Column("lab_alc_day", .double(rows.map { $0.result.labCount?.labDay ?? .nan })),
      HDF5Column("lab_alc_source", .string(rows.map { $0.result.labCount?.source ?? "" })),
      HDF5Column("lab_alc_version", .int64(rows.map { Int64($0.result.labCount?.version ?? -1) })),
    ])
    try visits.setAttribute("description", "the visits the series run over, sorted by infusion then day, with their calls and the lab ALC of a lab-derived count")
    for metric in SeriesMetric.all {
      let qs = rows.map { metric.extract($0.result) }
      guard qs.contains(where: { $0 != nil }) || series.exists(metric.name) else { continue }
      let d = try put(metric.name, index + [
        HDF5Column("value", .double(qs.map { $0?.value ?? .nan })),
        HDF5Column("less_than", .double(qs.map { $0?.lessThan ?? .nan })),
        HDF5Column("below_lloq", .bool(qs.map { $0?.isBelowLLOQ ?? false })),
        HDF5Column("lower95", .double(qs.map { $0?.lower95 ?? .nan })),
        HDF5Column("upper95", .double(qs.map { $0?.upper95 ?? .nan })),
        HDF5Column("events", .int64(qs.map { Int64($0?.events ?? -1) })),
      ])
      try d.setAttribute("unit", metric.unit.rawValue)
      try d.setAttribute("description", metric.description)
      try d.setAttribute("absolute", metric.isAbsolute ? 1 : 0)
    }
  }
}
