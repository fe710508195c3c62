import CytoClinical
import CytoStore
import Foundation

/// The store as the API reads it. Each call opens the store afresh (read-only): writers
/// replace the file by an atomic rename, so every request sees one complete version, and an
/// ingest while the server runs shows on the next request.
///
/// Patient ids and visit names from URLs are looked up among those the store lists; an
/// unknown one is a 404, never an HDF5 path built from the URL.
struct StoreCatalog: Sendable {
  let storePath: String
  let locator: FCSLocator

  private func open() throws -> CohortStoreReader {
    do { return try CohortStoreReader(path: storePath) } catch {
      throw ServeError(.internalServerError, "store_unreadable", "\(error)")
    }
  }

  private func read<T>(_ body: () throws(StoreError) -> T) throws -> T {
    do { return try body() } catch { throw ServeError(.internalServerError, "store_error", "\(error)") }
  }

  func patients() throws -> PatientsDocument {
    let r = try open()
    var out: [PatientsDocument.Patient] = []
    for id in try read({ () throws(StoreError) in try r.patientIDs() }) {
      let a = try read { () throws(StoreError) in try r.patientAttributes(id) }
      let visits = try read { () throws(StoreError) in try r.visits(of: id) }
      out.append(PatientsDocument.Patient(
        id: id, diagnosis: a.diagnosis, product: a.product, infusionDates: a.infusionDates, age: a.age, sex: a.sex,
        visits: visits.map {
          PatientsDocument.Visit(visit: $0.name, day: $0.day, infusion: $0.infusion, collectionDate: $0.collectionDate,
                                 fileName: $0.fileName, currentAnalysis: $0.currentAnalysis, analyses: $0.analyses,
                                 review: .pending)
        }))
    }
    return PatientsDocument(store: URL(fileURLWithPath: storePath).lastPathComponent, patients: out)
  }

  /// The stored visit named by the (already decoded and validated) URL segments.
  private func visit(_ r: CohortStoreReader, patient: String, visit: String) throws -> StoredVisit {
    let ids = try read { () throws(StoreError) in try r.patientIDs() }
    guard ids.contains(patient) else { throw ServeError.notFound("no such patient in the store") }
    let visits = try read { () throws(StoreError) in try r.visits(of: patient) }
    guard let v = visits.first(where: { $0.name == visit }) else { throw ServeError.notFound("no such visit of this patient") }
    return v
  }

  func visit(patient: String, visit name: String, version: Int?) throws -> VisitDocument {
    let r = try open()
    let v = try visit(r, patient: patient, visit: name)
    let n = version ?? v.currentAnalysis
    guard v.analyses.contains(n) else { throw ServeError.notFound("no such analysis version of this visit") }
    let a = try read { () throws(StoreError) in try r.analysis(patient: patient, visit: name, version: n) }
    return VisitDocument(
      patient: patient, visit: name, day: v.day, infusion: v.infusion, analysis: n, currentAnalysis: v.currentAnalysis,
      analyses: v.analyses, review: .pending,
      file: .init(name: v.fileName, sha256: v.fileSHA256, availability: locator.availability(name: v.fileName, sha256: v.fileSHA256)),
      panel: a.panel, panelVersion: a.panelVersion, events: a.events, countMethod: a.countMethod?.name, markers: a.markers,
      populations: a.populations.map(VisitDocument.Population.init), gating: a.gating, cuts: a.cuts, calls: a.calls,
      diagnostics: a.diagnostics)
  }

  func history(patient: String, visit name: String) throws -> HistoryDocument {
    let r = try open()
    _ = try visit(r, patient: patient, visit: name)
    let versions = try read { () throws(StoreError) in try r.analysisVersions(patient: patient, visit: name) }
    return HistoryDocument(patient: patient, visit: name, versions: versions.map {
      HistoryDocument.Version(version: $0.version, analysisTime: $0.analysisTime, gatingHash: $0.gatingHash, note: $0.analystNote,
                              panel: $0.panel, panelVersion: $0.panelVersion, cytoresetVersion: $0.cytoresetVersion,
                              current: $0.isCurrent, review: .pending)
    })
  }
}
