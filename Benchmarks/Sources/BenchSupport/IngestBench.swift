import BenchFiles
import CytoClinical
import CytoCore
import CytoFCS
import CytoGating
import CytoStore
import CytoTransforms
import Foundation

/// The store side of `cytoreset ingest`: a reset-panel file analysed once, its
/// ``CytoStore/VisitSubmission`` built the way `Sources/CytoCLI/Ingest.swift` builds it, and
/// ``CytoStore/CohortStore/ingest(_:into:)`` into a fresh store.
///
/// The CLI's submission code is internal to `CytoCLI` (which the benchmarks do not link), so it
/// is repeated here: provenance with the file's SHA-256 and a gating hash computed the same way,
/// and with `keepEvents` the events with every fluorescence channel compensated with the file's
/// spillover plus the gate masks of the analysis (the CLI's `--keep-events`; see
/// ``compensatedEvents(_:)`` for how the matrix is computed faster with the same values).
public enum IngestBench {
  /// A submission for `file`, analysed now (not part of any measurement).
  public static func submission(_ file: ResetPanelFile, keepEvents: Bool) throws -> VisitSubmission {
    let panel = try PanelDefinition.reset
    let panelJSON = String(decoding: try panel.jsonData(), as: UTF8.self)
    let ds = try file.dataSet()
    let analyzer = try file.analyzer
    let analysis = try ResetPanelFile.analyze(ds, analyzer: analyzer, file: file.path)
    var events: VisitEvents? = nil
    if keepEvents {
      let resolved = try analyzer.resolvedStrategy(ds, file: file.path)
      let input = try GatingInput(ds)
      let compensate = panel.compensation != .none && input.fileSpillover != nil
      let matrix = try compensate ? compensatedEvents(input) : input.events
      let masks = Dictionary(uniqueKeysWithValues: resolved.result.masks.map { ($0.key.rawValue, $0.value) })
      events = VisitEvents(channels: input.channels.map(\.rawValue), matrix: matrix, compensated: compensate, masks: masks)
    }
    let provenance = VisitProvenance(
      fileName: file.fileName, fileSHA256: try SHA256.hash(fileAt: file.path).hex,
      gatingHash: gatingHash(analysis, panelJSON: panelJSON), cytoresetVersion: "benchmark",
      analysisTime: "2026-01-01T00:00:00.000Z", analystNote: "", collectionDate: nil, panelJSON: panelJSON, statistics: [])
    return VisitSubmission(analysis: analysis, provenance: provenance, patient: PatientAttributes(),
                           thresholds: panel.thresholds, events: events)
  }

  /// The events as the CLI's `--keep-events` stores them: every channel's linear value
  /// (`ValueScaling` applied: here × `$TIMESTEP` on Time), the fluorescence channels
  /// compensated with the file's spillover, rounded to Float32.
  ///
  /// The CLI builds this matrix with `GatingEngine.channelValues` per channel (in Float64),
  /// each call compensating every fluorochrome the strategy reads over the whole file again
  /// (6.3 s for the 15 channels of 10⁶ events on the benchmark machine). `CompensationMatrix.compensated` accumulates the same Float64 sums in the same
  /// detector order and rounds once, so it gives the same Float32 values in one pass; it is used
  /// when the detectors need no scaling (as in the simulated files), otherwise the CLI's way is.
  /// On files of up to 10⁵ events the result is checked against the CLI's way (an error if any
  /// value differs).
  static func compensatedEvents(_ input: GatingInput) throws -> EventMatrix<Float> {
    guard let spill = input.fileSpillover else { return try channelByChannel(input) }
    let comp = try CompensationMatrix(spill)
    let detectors = try ChannelResolution(resolving: comp.detectors, against: input.channels).indices
    guard detectors.allSatisfy({ input.scalings[$0.rawValue].isIdentity }) else { return try channelByChannel(input) }
    let compensated = try comp.compensated(input.events, detectorColumns: detectors)
    let fluorochromes = try ChannelResolution(resolving: comp.fluorochromes, against: input.channels).indices
    let n = input.events.eventCount
    var out = input.events
    out.withUnsafeMutableStorage { dst in
      for c in 0..<input.channels.count where !input.scalings[c].isIdentity && !fluorochromes.contains(ChannelIndex(c)) {
        for (e, v) in input.linearValues(ChannelIndex(c)).doubles.enumerated() { dst[c * n + e] = Float(v) }
      }
      compensated.storage.withUnsafeBufferPointer { src in
        for (f, c) in fluorochromes.enumerated() {
          _ = UnsafeMutableBufferPointer(rebasing: dst[(c.rawValue * n)..<((c.rawValue + 1) * n)])
            .update(fromContentsOf: src[(f * n)..<((f + 1) * n)])
        }
      }
    }
    if n <= 100_000, try channelByChannel(input) != out {
      throw BenchError("compensated events differ from GatingEngine.channelValues")
    }
    return out
  }

  /// The CLI's way: `GatingEngine.channelValues` of every channel under the file's spillover.
  static func channelByChannel(_ input: GatingInput) throws -> EventMatrix<Float> {
    var storage: [Float] = []
    storage.reserveCapacity(input.events.eventCount * input.channels.count)
    for c in input.channels {
      let values = try GatingEngine.channelValues(c, compensation: input.fileSpillover == nil ? .uncompensated : .fileSpillover,
                                                  input: input)
      storage += values.doubles.map { Float($0) }
    }
    return EventMatrix(eventCount: input.events.eventCount, channelCount: input.channels.count, columnMajor: storage)
  }

  /// The CLI's gating hash (`Ingest.gatingHash`): panel JSON, resolved markers and applied cuts.
  static func gatingHash(_ a: VisitAnalysis, panelJSON: String) -> String {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys]
    let markers = (try? e.encode(a.markers)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    let cuts = a.cuts.map { "\($0.name)=\($0.value.compactText) \($0.marker) \($0.method.rawValue)" }.joined(separator: "\n")
    return SHA256.hash(text: panelJSON + "\n--markers--\n" + markers + "\n--cuts--\n" + cuts).hex
  }

  /// A fresh directory for one iteration's store (under `$TMPDIR`, default /tmp).
  public static func freshDirectory() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cytoreset-ingest-bench-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
  }

  /// Ingests `submission` into a new store `store.h5` in `directory`; fails unless it was added.
  @inline(never)
  public static func ingest(_ submission: VisitSubmission, into directory: URL) throws {
    let outcomes = try CohortStore.ingest([submission], into: directory.appendingPathComponent("store.h5").path)
    guard outcomes.count == 1, case .added = outcomes[0] else {
      throw BenchError("ingest into a fresh store did not add the visit: \(outcomes)")
    }
  }

  /// The store file's size in bytes after ``ingest(_:into:)``.
  public static func storeBytes(_ directory: URL) -> Int {
    (try? FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("store.h5").path)[.size] as? Int) ?? 0
  }
}
