import CytoClinical
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// What a clinical import did (``CohortStore/importClinical(_:fileName:kind:into:cytoresetVersion:)``).
public struct ClinicalImportOutcome: Sendable, Equatable {
  /// Labs or events.
  public var kind: ClinicalFileKind
  /// The file's name and SHA-256.
  public var fileName: String, fileSHA256: String
  /// Rows stored under a new key.
  public var added: Int
  /// Rows whose key holds the same content already (nothing written for them).
  public var unchanged: Int
  /// Corrected rows stored as a new version, the old one kept as superseded.
  public var newVersions: Int
  /// Rows of the file left out as identical duplicates of an earlier row.
  public var identicalDuplicates: Int
  /// Warnings: free analytes, values below their LLOQ stored as bounds.
  public var warnings: [ClinicalIssue]
  /// Visits whose dual-platform count from lab ALC was re-derived by this import (a new
  /// analysis version each), or noted as unusable (docs/clinical-data.md).
  public var labCounts: [LabCountChange] = []
  /// When the same file (same SHA-256) was imported before: that import's time. Nothing was
  /// read from the file's rows, and the store was not rewritten.
  public var alreadyImported: String?

  /// Whether the store file was rewritten.
  public var changedStore: Bool { alreadyImported == nil && (added > 0 || newVersions > 0) }
}

/// Why a clinical import stored nothing.
public enum ClinicalImportError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The file was refused: every error, each naming file, line and column.
  case refused(ClinicalImportFailure)
  /// The store could not be read or written.
  case store(StoreError)

  public var description: String {
    switch self {
    case .refused(let f): f.description
    case .store(let e): e.description
    }
  }
}

extension CohortStore {
  /// Imports one clinical CSV file (labs or events) into the store at `path` (created when
  /// missing) in one atomic commit: the whole file or nothing (docs/store-schema.md,
  /// "Clinical data").
  ///
  /// Under the store's lock: a file whose SHA-256 is already in `/clinical/imports` changes
  /// nothing; otherwise the file is read with the patients' first infusion dates from the store
  /// (``ClinicalFileContent/read(_:file:kind:firstInfusionDate:)``), each row is compared with
  /// the current version of its key — same content: unchanged; new key: added as version 1;
  /// other content: a new version, the old one marked `superseded_by` — and, when anything
  /// was added, the store is copied, written, `fsync`ed and renamed over, with a row in
  /// `/clinical/imports` (file name, SHA-256, time, cytoreset version, counts). When no row is
  /// added or changed the store file is not rewritten.
  ///
  /// - Parameters:
  ///   - bytes: the file's bytes (UTF-8 text).
  ///   - fileName: the path as given, for messages; its last component is stored.
  ///   - kind: labs or events, or nil to take the kind the header names.
  /// - Throws: ``ClinicalImportError/refused(_:)`` with every error of the file,
  ///   ``ClinicalImportError/store(_:)``; nothing is written then.
  public static func importClinical(_ bytes: [UInt8], fileName: String, kind: ClinicalFileKind?, into path: String,
                                    cytoresetVersion: String) throws(ClinicalImportError) -> ClinicalImportOutcome
  {
    let sha = SHA256.hash(bytes).hex
    let name = (fileName as NSString).lastPathComponent
    guard let text = String(validating: bytes, as: UTF8.self) else {
      throw .refused(ClinicalImportFailure([ClinicalIssue(.error, .csvSyntax, file: fileName, message: "the file is not UTF-8 text")]))
    }
    let lock: StoreLock
    do { lock = try StoreLock(storePath: path) } catch { throw .store(error) }
    defer { withExtendedLifetime(lock) {} }
    _ = StoreFiles.removeStaleTemporaries(path)
    let exists = FileManager.default.fileExists(atPath: path)
    var infusion: [String: String] = [:]
    var labs: [StoredLabValue] = [], events: [StoredClinicalEvent] = []
    if exists {
      do {
        let store = try HDF5File.open(path, mode: .readOnly)
        try validateSchema(store)
        if let before = try ClinicalTables.readImports(store).first(where: { $0.fileSHA256 == sha }) {
          return ClinicalImportOutcome(kind: before.kind, fileName: name, fileSHA256: sha, added: 0, unchanged: 0, newVersions: 0,
                                       identicalDuplicates: 0, warnings: [], alreadyImported: before.importTime)
        }
        if store.exists("/patients") {
          for p in try store.children(of: "/patients") {
            let g = try store.group("/patients/\(p)")
            if g.hasAttribute("infusion_dates"), let first = try g.stringArrayAttribute("infusion_dates").first { infusion[p] = first }
          }
        }
        labs = try ClinicalTables.readLabs(store)
        events = try ClinicalTables.readEvents(store)
      } catch let e as HDF5Error { throw .store(.hdf5(e)) } catch let e as StoreError { throw .store(e) } catch {
        throw .store(.io(file: path, operation: "read", message: "\(error)"))
      }
    }
    let content: ClinicalFileContent
    do { content = try ClinicalFileContent.read(text, file: fileName, kind: kind, firstInfusionDate: { infusion[$0] }) } catch {
      throw .refused(error)
    }
    var outcome = ClinicalImportOutcome(kind: content.kind, fileName: name, fileSHA256: sha, added: 0, unchanged: 0, newVersions: 0,
                                        identicalDuplicates: 0, warnings: [], alreadyImported: nil)
    switch content {
    case .labs(let l):
      outcome.identicalDuplicates = l.identicalDuplicates
      outcome.warnings = l.warnings
      merge(l.rows, into: &labs, key: \.row.key, same: { $0.row.sameContent(as: $1) }, sha: sha, &outcome) {
        StoredLabValue(row: $0, version: $1, supersededBy: nil, importSHA256: $2)
      } supersede: { $0.supersededBy = $1 }
    case .events(let e):
      outcome.identicalDuplicates = e.identicalDuplicates
      merge(e.rows, into: &events, key: \.row.key, same: { $0.row.sameContent(as: $1) }, sha: sha, &outcome) {
        StoredClinicalEvent(row: $0, version: $1, supersededBy: nil, importSHA256: $2)
      } supersede: { $0.supersededBy = $1 }
    }
    guard outcome.changedStore else { return outcome }
    let temporary = StoreFiles.temporaryPath(path)
    do {
      if exists { try StoreFiles.copy(path, to: temporary) }
      outcome.labCounts = try writeClinical(outcome, labs: labs, events: events, to: temporary, creating: !exists, storePath: path,
                                            version: cytoresetVersion)
      try StoreFiles.fsyncFile(temporary)
      try StoreFiles.rename(temporary, over: path)
      try? StoreFiles.fsyncFile(StoreFiles.directory(of: path), directory: true)
      return outcome
    } catch {
      unlink(temporary)
      throw .store(error)
    }
  }

  /// Adds `rows` to the stored rows: unchanged when the current version of the key has the
  /// same content, a new version (the old one superseded) when not, version 1 for a new key.
  /// Linear in rows + stored rows (the stored rows are indexed by key once).
  static func merge<Row, Stored>(_ rows: [Row], into stored: inout [Stored], key: KeyPath<Stored, String>, same: (Stored, Row) -> Bool,
                                 sha: String, _ outcome: inout ClinicalImportOutcome, make: (Row, Int, String) -> Stored,
                                 supersede: (inout Stored, Int) -> Void) {
    var versions: [String: [Int]] = [:]
    for i in stored.indices { versions[stored[i][keyPath: key], default: []].append(i) }
    for row in rows {
      let made = make(row, 1, sha)
      let k = made[keyPath: key]
      guard let list = versions[k], let current = list.last else {
        versions[k] = [stored.count]
        stored.append(made)
        outcome.added += 1
        continue
      }
      if same(stored[current], row) {
        outcome.unchanged += 1
        continue
      }
      let next = list.count + 1
      supersede(&stored[current], next)
      versions[k] = list + [stored.count]
      stored.append(make(row, next, sha))
      outcome.newVersions += 1
    }
  }

  /// Writes the clinical tables and the import's provenance into the (temporary) file; after a
  /// lab import, re-derives the lab counts of the patients of the file's rows.
  private static func writeClinical(_ outcome: ClinicalImportOutcome, labs: [StoredLabValue], events: [StoredClinicalEvent], to path: String,
                                    creating: Bool, storePath: String, version: String) throws(StoreError) -> [LabCountChange] {
    do {
      let now = StoreClock.now()
      let file = try openForCommit(path, creating: creating, now: now)
      if !file.exists("/clinical") { try file.createGroup("clinical") }
      switch outcome.kind {
      case .labs:
        try ClinicalTables.write(ClinicalTables.labColumns(labs), at: ClinicalTables.labsPath,
                                 description: "lab values, one row per patient, day, analyte, source and version (docs/store-schema.md)", in: file)
      case .events:
        try ClinicalTables.write(ClinicalTables.eventColumns(events), at: ClinicalTables.eventsPath,
                                 description: "clinical events (CRS, ICANS, IVIG, treatments, infections, scores), one row per version", in: file)
      }
      var imports = try ClinicalTables.readImports(file)
      imports.append(StoredClinicalImport(fileName: outcome.fileName, fileSHA256: outcome.fileSHA256, kind: outcome.kind, importTime: now,
                                          cytoresetVersion: version, added: outcome.added, unchanged: outcome.unchanged,
                                          newVersions: outcome.newVersions, warnings: outcome.warnings.count))
      try ClinicalTables.write(ClinicalTables.importColumns(imports), at: ClinicalTables.importsPath,
                               description: "clinical CSV files imported: name, SHA-256, time, cytoreset version, counts", in: file)
      var changes: [LabCountChange] = []
      if outcome.kind == .labs {
        let patients = Set(labs.filter { $0.importSHA256 == outcome.fileSHA256 }.map(\.row.patient))
        changes = try rederiveLabCounts(patients: Array(patients), in: file, now: now, version: version)
      }
      try file.setAttribute("modified", now)
      try file.setAttribute("cytoreset_version", version)
      try file.flush()
      return changes
    } catch {
      // Errors name the temporary copy; name the store, which is what the user gave.
      throw StoreError.fromCommit(error, temporary: path, store: storePath)
    }
  }
}
