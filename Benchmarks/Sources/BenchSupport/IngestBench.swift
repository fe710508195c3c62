import BenchFiles
import CytoClinical
import CytoCore
import CytoFCS
import CytoGating
import CytoStore
import Foundation

/// The store side of `cytoreset ingest`: a reset-panel file analysed once, its
/// ``CytoStore/VisitSubmission`` built the way `Sources/CytoCLI/Ingest.swift` builds it, and
/// ``CytoStore/CohortStore/ingest(_:into:)`` into a fresh store.
///
/// The CLI's submission code is internal to `CytoCLI` (which the benchmarks do not link), so it
/// is repeated here: provenance with the file's SHA-256 and a gating hash computed the same way,
/// and with `keepEvents` every channel compensated with the file's spillover (as the CLI's
/// `--keep-events`: `GatingEngine.channelValues` per channel, rounded to Float32) plus the gate
/// masks of the analysis.
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
      var storage: [Float] = []
      storage.reserveCapacity(input.events.eventCount * input.channels.count)
      for c in input.channels {
        let values = try GatingEngine.channelValues(c, compensation: compensate ? .fileSpillover : .uncompensated, input: input,
                                                    strategy: resolved.strategy)
        storage += values.doubles.map { Float($0) }
      }
      let matrix = EventMatrix<Float>(eventCount: input.events.eventCount, channelCount: input.channels.count, columnMajor: storage)
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
