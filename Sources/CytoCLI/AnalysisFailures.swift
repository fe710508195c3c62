import ArgumentParser
import CytoClinical
import CytoFCS
import CytoGating
import CytoStore
import CytoWorkspace
import Foundation

/// What `analyze -o` does with a file that cannot be analysed (`--on-failure`).
enum OnFailure: String, ExpressibleByArgument, CaseIterable {
  /// No record, the error on stderr, exit code 1 (a workflow's job fails).
  case exit
  /// A failure record (``CytoStore/AnalysisFailure``) at the record's path, the error on
  /// stderr, exit code 0: the failure is data for the merge.
  case record
}

/// The typed code of a per-file analysis error: the `[code]` its stderr line ends with and the
/// `error.code` of a failure record (docs/cli-json.md, "Failure codes").
enum FailureCode {
  /// `fcs.<kind>` for FCS errors, `panel.*`, `clinical.*`, `workspace.*`, `gating.*`,
  /// `record.*` by the error's type; `analysis.failed` for anything else.
  static func of(_ error: Error) -> String {
    switch error {
    case let e as FCSError: return "fcs.\(e.kind.rawValue)"
    case let e as AnalysisRecordError: return "record.\(e.kind)"
    case let e as PanelResolutionError:
      switch e {
      case .markers: return "panel.markers"
      case .noEvents: return "panel.noEvents"
      case .noPanelFits: return "panel.noPanelFits"
      }
    case let e as PanelError:
      switch e {
      case .unreadable: return "panel.unreadable"
      case .malformed: return "panel.malformed"
      case .unsupportedSchema: return "panel.unsupportedSchema"
      case .invalid: return "panel.invalid"
      }
    case let e as ClinicalError:
      switch e {
      case .invalidCountInput: return "clinical.invalidCountInput"
      case .noBeads: return "clinical.noBeads"
      case .mixedMethods: return "clinical.mixedMethods"
      case .invalidVisits: return "clinical.invalidVisits"
      case .invalidRoles: return "clinical.invalidRoles"
      case .workspaceSample: return "clinical.workspaceSample"
      case .reviewedDataSet: return "clinical.reviewedDataSet"
      }
    case is WorkspaceError: return "workspace.unreadable"
    case is WorkspaceCountError: return "workspace.count"
    case is GatingStrategyError, is GatingMLError: return "gating.strategy"
    case is StoreError: return "store.io"
    default: return "analysis.failed"
    }
  }

  /// The stderr line of a file that failed (without `cytoreset: `): the file, the message and
  /// the code in brackets (added when the error's own text has none).
  static func line(_ error: Error, file: String) -> String {
    let text = describe(error, file: file)
    let tag = " [\(of(error))]"
    return text.hasSuffix(tag) ? text : text + tag
  }

  /// The code and the message of the stderr line without the file in front and the code behind.
  static func reason(_ error: Error, file: String) -> AnalysisFailure.Reason {
    let code = of(error)
    var text = describe(error, file: file)
    if text.hasPrefix(file + ": ") { text.removeFirst(file.count + 2) }
    if text.hasSuffix(" [\(code)]") { text.removeLast(code.count + 3) }
    return AnalysisFailure.Reason(code: code, message: text)
  }
}

extension VisitPipeline {
  /// The failure of `job`: the FCS path as given, the file's SHA-256 and size when its bytes can
  /// be read, the visit, the patient attributes, and the error's code and message. The one
  /// construction `analyze --on-failure record` and `ingest FILE…` share, so a failure record
  /// merged by `ingest --analyses` stores the row `ingest` stores for the same file.
  func failure(for job: VisitJob, error: Error) -> AnalysisFailure {
    let sha = try? SHA256.hash(fileAt: job.path).hex
    let size = sha == nil ? nil : try? Analyze.fileSize(job.path)
    return AnalysisFailure(
      fcs: .init(path: job.path, sha256: sha, sizeBytes: size, dataSet: dataSet),
      visit: .init(patient: job.patient, infusion: job.infusion, day: job.day, collectionDate: job.collectionDate, note: job.note),
      patientAttributes: patient, error: FailureCode.reason(error, file: job.path), softwareVersion: CytoResetVersion.current,
      failureTime: Self.now())
  }

  /// SHA-256 of the FCS file; a file that cannot be opened or read is an FCS error
  /// (`[fcs.unreadable]`), as reading it would be.
  static func fileSHA256(_ path: String) throws -> String {
    do { return try SHA256.hash(fileAt: path).hex } catch {
      if case .io(_, _, let message) = error {
        throw FCSError(.unreadable, "cannot open: \(message)", file: path, segment: .file)
      }
      throw error
    }
  }
}

/// The SHA-256 of an FCS file, computed on its own thread while the caller reads and analyses
/// the file (issue #17: the hash no longer adds its time to the analysis'). ``value()`` waits
/// for it. Errors keep their order: a caller whose reading fails asks ``failure(or:)`` first, so
/// a file that cannot be opened is reported by the hash, as when the hash ran first.
final class ConcurrentFileHash: @unchecked Sendable {
  private let done = DispatchSemaphore(value: 0)
  private var outcome: Result<String, Error>? = nil

  /// Starts hashing `path`.
  init(path: String) {
    Thread.detachNewThread { [self] in
      outcome = Result { try VisitPipeline.fileSHA256(path) }
      done.signal()
    }
  }

  /// The digest in hexadecimal, once computed.
  /// - Throws: what ``VisitPipeline/fileSHA256(_:)`` throws.
  func value() throws -> String {
    done.wait()
    done.signal()
    return try outcome!.get()
  }

  /// The hash's error when it failed, otherwise `error`: for a caller whose reading of the
  /// file failed.
  func failure(or error: Error) -> Error {
    do { _ = try value() } catch let hashError { return hashError }
    return error
  }
}
