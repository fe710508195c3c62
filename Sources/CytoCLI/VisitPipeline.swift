import ArgumentParser
import CytoClinical
import CytoCore
import CytoFCS
import CytoGating
import CytoStore
import Foundation

/// One visit to analyse: an FCS file, whose visit it is, its count method, note and date.
struct VisitJob: Sendable {
  var path: String
  var patient: String
  var day: Double
  var infusion: Int
  var method: AbsoluteCountMethod?
  var note: String
  var collectionDate: String?
}

/// From an FCS file to what the store keeps of its visit (``CytoStore/VisitSubmission``): the
/// one code path of `ingest FILE…`/`--manifest` and `analyze … -o` (analysis records), so a
/// record merged with `ingest --analyses` is exactly what `ingest FILE` would have stored.
struct VisitPipeline: Sendable {
  /// How files are gated.
  enum Gating: Sendable {
    /// A panel (one, or chosen per file), with the command line's overrides and statistics.
    case panel(PanelChoice, cuts: [String: Double], gates: [String: GateOverride], statistics: [ChannelStatistic])
    /// A lab's FlowJo workspace.
    case workspace(WorkspaceIngest)
  }

  var gating: Gating
  /// The data set of each file (`--data-set`).
  var dataSet: Int
  /// Keep the compensated events and masks (`--keep-events`; not with a workspace).
  var keepEvents = false
  /// Patient attributes recorded with every visit.
  var patient: PatientAttributes
  /// `--qc DIR`: each file's gate sheet (panels only).
  var qcDirectory: String? = nil

  /// One visit's submission, analysed without a CAR background (the caller applies it, in
  /// storing order). Runs on a worker thread.
  /// - Parameter gated: called with the events gated so far and the file's events, when the
  ///   file is read in chunks.
  func submission(for job: VisitJob, gated: ((Int, Int) -> Void)? = nil) throws -> VisitSubmission {
    switch gating {
    case .panel(let choice, let cuts, let gates, let statistics):
      return try panelSubmission(job, choice: choice, cuts: cuts, gates: gates, statistics: statistics, gated: gated)
    case .workspace(let workspace):
      return try workspaceSubmission(job, workspace: workspace)
    }
  }

  private func panelSubmission(_ job: VisitJob, choice: PanelChoice, cuts: [String: Double], gates: [String: GateOverride],
                               statistics: [ChannelStatistic], gated: ((Int, Int) -> Void)?) throws -> VisitSubmission {
    let hashing = ConcurrentFileHash(path: job.path)
    let ds: FCSDataSet
    do { ds = try FCSFile(contentsOf: job.path).dataSet(dataSet) } catch { throw hashing.failure(or: error) }
    let (panel, note) = try choice.panel(for: ds, file: job.path)
    let panelJSON = String(decoding: try panel.jsonData(), as: UTF8.self)
    let analyzer = VisitAnalyzer(panel: panel, countMethod: job.method, cutOverrides: cuts, gateOverrides: gates, statistics: statistics)
    let visit = VisitInfo(patient: job.patient, day: job.day, infusion: job.infusion)
    var analysis: VisitAnalysis
    var events: VisitEvents? = nil
    if keepEvents || qcDirectory != nil {
      // One gating for both the analysis and the stored masks or gate sheet (the file held whole).
      let r = try analyzer.analyzeResolving(ds, file: job.path, visit: visit)
      analysis = r.analysis
      if let note { analysis.diagnostics.insert(note, at: 0) }
      if let qcDirectory { try QCOutput.write(analysis, resolved: r.resolved, to: qcDirectory) }
      if keepEvents { events = try Self.events(r.resolved, compensate: panel.compensation != .none) }
    } else {
      // Counts only: the file is read in chunks, in bounded memory.
      let n = ds.eventCount
      analysis = try analyzer.analyze(ds, file: job.path, visit: visit, progress: gated.map { g in { g($0, n) } })
      if let note { analysis.diagnostics.insert(note, at: 0) }
    }
    let provenance = VisitProvenance(
      fileName: (job.path as NSString).lastPathComponent, fileSHA256: try hashing.value(),
      gatingHash: VisitProvenance.gatingHash(analysis, panelJSON: panelJSON),
      cytoresetVersion: CytoResetVersion.current, analysisTime: Self.now(), analystNote: job.note, collectionDate: job.collectionDate,
      panelJSON: panelJSON, statistics: statistics.map(\.rawValue))
    return VisitSubmission(analysis: analysis, provenance: provenance, patient: patient, thresholds: panel.thresholds, events: events)
  }

  private func workspaceSubmission(_ job: VisitJob, workspace: WorkspaceIngest) throws -> VisitSubmission {
    let hashing = ConcurrentFileHash(path: job.path)
    let ds: FCSDataSet
    do { ds = try FCSFile(contentsOf: job.path).dataSet(dataSet) } catch { throw hashing.failure(or: error) }
    var analyzer = workspace.analyzer
    analyzer.countMethod = job.method
    let analysis = try analyzer.analyze(ds, file: job.path, visit: VisitInfo(patient: job.patient, day: job.day, infusion: job.infusion))
    let provenance = VisitProvenance(
      fileName: (job.path as NSString).lastPathComponent, fileSHA256: try hashing.value(),
      gatingHash: VisitProvenance.workspaceGatingHash(analysis, workspacePanelJSON: workspace.recordJSON),
      cytoresetVersion: CytoResetVersion.current, analysisTime: Self.now(), analystNote: job.note, collectionDate: job.collectionDate,
      panelJSON: workspace.recordJSON, statistics: [])
    return VisitSubmission(analysis: analysis, provenance: provenance, patient: patient, thresholds: analyzer.thresholds, events: nil)
  }

  /// Every fluorochrome of the matrix compensated (scatter and time as stored, linear), one
  /// channel at a time, and the masks of the analysis's gating. One reader for all channels:
  /// each channel is compensated once, straight from the stored columns (no detector column
  /// copied per channel), the `Double` sum rounded to `Float` once.
  static func events(_ resolved: VisitAnalyzer.ResolvedPanel, compensate panelCompensates: Bool) throws -> VisitEvents {
    let input = resolved.input
    let compensate = panelCompensates && input.fileSpillover != nil
    let reference: CompensationReference = compensate ? .fileSpillover : .uncompensated
    var reader = try ChannelValueReader(input: input)
    var storage: [Float] = []
    storage.reserveCapacity(input.events.eventCount * input.channels.count)
    for c in input.channels { storage += try reader.floatValues(c, compensation: reference) }
    let matrix = EventMatrix<Float>(eventCount: input.events.eventCount, channelCount: input.channels.count, columnMajor: storage)
    let masks = Dictionary(uniqueKeysWithValues: resolved.result.masks.map { ($0.key.rawValue, $0.value) })
    return VisitEvents(channels: input.channels.map(\.rawValue), matrix: matrix, compensated: compensate, masks: masks)
  }

  /// Now, ISO 8601 UTC with milliseconds (an analysis's `analysis_time`).
  static func now() -> String {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return f.string(from: Date())
  }
}
