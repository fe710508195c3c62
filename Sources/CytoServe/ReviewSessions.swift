import CytoClinical
import CytoCore
import CytoFCS
import CytoGating
import CytoReview
import CytoStore
import Foundation

/// One stored version opened for review: its analysis, its data set and the review session,
/// plus the session of the last changes asked for (so a drag recomputes only the moved gate).
final class OpenedVersion: @unchecked Sendable {
  let patient: String, visit: String, version: Int
  let analysis: VisitAnalysis
  let dataSet: FCSDataSet
  let fileName: String
  let base: ReviewSession
  /// Dimension keys, in the order gates first read them.
  let dimensions: [GateDimension]
  /// Guarded by the owning ``ReviewSessions`` actor.
  var draft: ReviewSession
  var draftChanges = ReviewChanges()
  var lastUse: UInt64 = 0

  init(patient: String, visit: String, version: Int, analysis: VisitAnalysis, dataSet: FCSDataSet, fileName: String, base: ReviewSession) {
    self.patient = patient
    self.visit = visit
    self.version = version
    self.analysis = analysis
    self.dataSet = dataSet
    self.fileName = fileName
    self.base = base
    draft = base
    var dims: [GateDimension] = []
    for g in base.recorded.gates {
      for d in g.shape.dimensions where !dims.contains(d) { dims.append(d) }
    }
    dimensions = dims
  }

  func key(_ d: GateDimension) -> String? { dimensions.firstIndex(of: d).map { "d\($0)" } }
  func dimension(_ key: String) -> GateDimension? {
    guard key.hasPrefix("d"), let i = Int(key.dropFirst()), dimensions.indices.contains(i) else { return nil }
    return dimensions[i]
  }

  /// Events of the session plus its data set, the cache's measure of memory.
  var weight: Int { analysis.events * max(1, dataSet.parameters.count / 2 + dimensions.count) }
}

/// The review sessions the server holds, at most ``capacity`` events' worth (least recently
/// used first out). Opening reads the visit's FCS file (found by ``FCSLocator``, its bytes
/// hashed again and compared with the store's SHA-256) and caches its gated columns.
actor ReviewSessions {
  /// Total weight (events × columns/2) kept; the last opened version is always kept.
  let capacity: Int
  private var opened: [String: OpenedVersion] = [:]
  private var clock: UInt64 = 0

  init(capacity: Int) { self.capacity = capacity }

  /// The version, opened (from the cache, or now).
  func open(patient: String, visit: String, version: Int, load: @Sendable () throws -> OpenedVersion) throws -> OpenedVersion {
    let key = "\(patient)\u{0}\(visit)\u{0}\(version)"
    clock += 1
    if let o = opened[key] {
      o.lastUse = clock
      return o
    }
    let o = try load()
    o.lastUse = clock
    opened[key] = o
    var total = opened.values.reduce(0) { $0 + $1.weight }
    while total > capacity, opened.count > 1, let oldest = opened.min(by: { $0.value.lastUse < $1.value.lastUse }) {
      opened[oldest.key] = nil
      total -= oldest.value.weight
    }
    return o
  }

  /// The session with `changes` applied: from the cached draft when only gates differ from it
  /// (the moved gates and what lies below them are recomputed), else from the stored version.
  /// - Returns: the session and the populations this call recomputed.
  func session(_ o: OpenedVersion, changes: ReviewChanges) throws -> (ReviewSession, [GateID]) {
    if changes == o.draftChanges { return (o.draft, []) }
    var s: ReviewSession
    var edits: [GateEdit]
    let dropped = o.draftChanges.gates.keys.contains { changes.gates[$0] == nil }
    if changes.cuts == o.draftChanges.cuts && !dropped {
      s = o.draft
      edits = try changes.gates.sorted { $0.key < $1.key }.filter { o.draftChanges.gates[$0.key] != $0.value }
        .flatMap { try ReviewChanges.edits(GateID($0.key), $0.value) }
    } else {
      s = o.base
      edits = try changes.edits()
    }
    var recomputed: [GateID] = []
    do {
      for e in edits { recomputed += try s.apply(e).recomputed }
    } catch let e as ReviewError {
      throw ServeError(.badRequest, "bad_edit", e.description)
    }
    o.draft = s
    o.draftChanges = changes
    var seen: Set<GateID> = []
    return (s, recomputed.filter { seen.insert($0).inserted })
  }
}
