import CytoClinical
import CytoCore
import Foundation

extension CohortStore {
  /// Writes the visit group (when new) and analysis `n` below it.
  static func writeVisit(_ s: VisitSubmission, analysis n: Int, in file: HDF5File) throws {
    let a = s.analysis
    let p = s.provenance
    let visitPath = "/patients/\(a.visit.patient!)/visits/\(visitName(s))"
    let visit: HDF5Group
    if file.exists(visitPath) {
      visit = try file.group(visitPath)
      if let date = p.collectionDate, !date.isEmpty, !visit.hasAttribute("collection_date") {
        try visit.setAttribute("collection_date", date)
      }
    } else {
      visit = try file.createGroup(visitPath)
      try visit.setAttribute("day", a.visit.day!)
      try visit.setAttribute("infusion", a.visit.infusion)
      try visit.setAttribute("file_name", p.fileName)
      try visit.setAttribute("file_sha256", p.fileSHA256)
      try visit.setAttribute("events", a.events)
      try visit.setAttribute("data_set", a.dataSet)
      if let date = p.collectionDate, !date.isEmpty { try visit.setAttribute("collection_date", date) }
    }
    let g = try visit.createGroup("analyses/\(n)")
    try g.setAttribute("analysis", n)
    try g.setAttribute("analysis_key", s.analysisKey)
    try g.setAttribute("panel", a.panel)
    try g.setAttribute("panel_version", a.panelVersion)
    try g.setAttribute("gating_hash", p.gatingHash)
    try g.setAttribute("cytoreset_version", p.cytoresetVersion)
    try g.setAttribute("analysis_time", p.analysisTime)
    try g.setAttribute("analyst_note", p.analystNote)
    try g.setAttribute("statistics", p.statistics)
    try g.setAttribute("count_method", a.countMethod?.name ?? "none")
    try g.setAttribute("count_method_summary", a.countMethod?.summary ?? "no absolute counts")
    switch a.countMethod {
    case .singlePlatform(let b, let v)?:
      try g.setAttribute("beads_per_test", b)
      try g.setAttribute("blood_ul", v)
    case .dualPlatform(let alc)?:
      try g.setAttribute("alc_per_ul", alc)
    case nil: break
    }
    try g.setAttribute("events", a.events)
    if let b = a.beadEvents { try g.setAttribute("bead_events", b) }
    try g.setAttribute("b_cell_aplasia", a.calls.bCellAplasia.result.rawValue)
    try g.setAttribute("b_cell_aplasia_reason", a.calls.bCellAplasia.reason)
    try g.setAttribute("predominantly_naive", a.calls.predominantlyNaive.map { $0 ? "yes" : "no" } ?? "unknown")
    try g.setAttribute("car_t_detectable", a.calls.carTDetectable.result.rawValue)
    try g.setAttribute("car_t_detectable_reason", a.calls.carTDetectable.reason)
    try g.setAttribute("car_background_pct_cd3", a.calls.carBackgroundPercentOfT)
    try g.setAttribute("car_background_source", a.calls.carBackgroundSource)
    try g.setAttribute("analysis_json", try StoreJSON.encode(a))
    if let r = a.review {
      try g.setAttribute("review_status", r.status.rawValue)
      try g.setAttribute("reviewer", r.reviewer)
      try g.setAttribute("review_reason", r.reason)
      try g.setAttribute("review_time", r.time)
      try g.setAttribute("replaces", r.replaces)
    }
    if let panel = p.panelJSON {
      // Stored once per distinct panel: /panels/<SHA-256 of the JSON>, referenced by hash.
      let hash = SHA256.hash(text: panel).hex
      if !file.exists("/panels/\(hash)") {
        let d = try file.createDataset("/panels/\(hash)", strings: [panel])
        try d.setAttribute("panel", a.panel)
        try d.setAttribute("panel_version", a.panelVersion)
      }
      try g.setAttribute("panel_sha256", hash)
    }
    try g.createTable("populations", columns: PopulationTable.columns(a))
    try g.createTable("cuts", columns: [
      HDF5Column("name", .string(a.cuts.map(\.name))), HDF5Column("marker", .string(a.cuts.map(\.marker))),
      HDF5Column("value", .double(a.cuts.map(\.value))), HDF5Column("method", .string(a.cuts.map(\.method.rawValue))),
      HDF5Column("note", .string(a.cuts.map { $0.note ?? "" })),
    ])
    try g.createTable("diagnostics", columns: [
      HDF5Column("severity", .string(a.diagnostics.map(\.severity.rawValue))),
      HDF5Column("code", .string(a.diagnostics.map(\.code.rawValue))),
      HDF5Column("message", .string(a.diagnostics.map(\.message))),
    ])
    if let e = s.events {
      if !visit.exists("events") {
        let m = try visit.createFloatMatrix("events", e.matrix)
        try m.setAttribute("channels", e.channels)
        try m.setAttribute("compensated", e.compensated ? "file spillover" : "no")
      }
      let masks = try g.createGroup("masks")
      try masks.setAttribute("bit_order", "little")
      try masks.setAttribute("events", e.matrix.eventCount)
      for (id, mask) in e.masks.sorted(by: { $0.key < $1.key }) {
        try masks.createDataset(id, values: packBits(mask), options: HDF5DatasetOptions(compression: .deflate(level: 1)))
      }
    }
    // The version series and reports use: an approved review; a draft or proposed one never;
    // a new automated analysis unless a reviewer approved an earlier version.
    switch a.review?.status {
    case .approved?: try visit.setAttribute("current_analysis", n)
    case .draft?, .proposed?: break
    case nil:
      if try !hasApprovedVersion(visit, below: n) { try visit.setAttribute("current_analysis", n) }
    }
    try visit.setAttribute("analyses", n)
  }

  /// Whether an analysis version of `visit` numbered below `n` is an approved review.
  static func hasApprovedVersion(_ visit: HDF5Group, below n: Int) throws -> Bool {
    for name in try visit.children(of: "analyses") {
      guard let k = Int(name), k < n else { continue }
      let g = try visit.group("analyses/\(name)")
      if g.hasAttribute("review_status"), try g.stringAttribute("review_status") == ReviewRecord.Status.approved.rawValue { return true }
    }
    return false
  }

  /// A mask as bytes, 8 events each, least significant bit first (numpy
  /// `unpackbits(bitorder="little")`).
  static func packBits(_ mask: EventMask) -> [UInt8] {
    let n = (mask.count + 7) / 8
    var out = [UInt8](repeating: 0, count: n)
    for (w, word) in mask.words.enumerated() {
      for b in 0..<8 where w * 8 + b < n { out[w * 8 + b] = UInt8(truncatingIfNeeded: word >> UInt64(8 * b)) }
    }
    return out
  }
}
