import CytoClinical
import CytoFCS
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

  func open() throws -> CohortStoreReader {
    do { return try CohortStoreReader(path: storePath) } catch {
      throw ServeError(.internalServerError, "store_unreadable", "\(error)")
    }
  }

  func read<T>(_ body: () throws(StoreError) -> T) throws -> T {
    do { return try body() } catch { throw ServeError(.internalServerError, "store_error", "\(error)") }
  }

  func patients() throws -> PatientsDocument {
    let r = try open()
    var out: [PatientsDocument.Patient] = []
    for id in try read({ () throws(StoreError) in try r.patientIDs() }) {
      let a = try read { () throws(StoreError) in try r.patientAttributes(id) }
      let visits = try read { () throws(StoreError) in try r.visits(of: id) }
      let states = try visits.map { v in
        VisitReviewState.of(try read { () throws(StoreError) in try r.analysisVersions(patient: id, visit: v.name) })
      }
      out.append(PatientsDocument.Patient(
        id: id, diagnosis: a.diagnosis, product: a.product, infusionDates: a.infusionDates, age: a.age, sex: a.sex,
        visits: zip(visits, states).map {
          PatientsDocument.Visit(visit: $0.name, day: $0.day, infusion: $0.infusion, collectionDate: $0.collectionDate,
                                 fileName: $0.fileName, currentAnalysis: $0.currentAnalysis, analyses: $0.analyses,
                                 review: $1)
        }))
    }
    return PatientsDocument(store: URL(fileURLWithPath: storePath).lastPathComponent, patients: out)
  }

  /// The stored visit named by the (already decoded and validated) URL segments.
  func visit(_ r: CohortStoreReader, patient: String, visit: String) throws -> StoredVisit {
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
    let versions = try read { () throws(StoreError) in try r.analysisVersions(patient: patient, visit: name) }
    return VisitDocument(
      patient: patient, visit: name, day: v.day, infusion: v.infusion, analysis: n, currentAnalysis: v.currentAnalysis,
      analyses: v.analyses, review: VisitReviewState.of(versions), versionReview: a.review,
      file: .init(name: v.fileName, sha256: v.fileSHA256, availability: locator.availability(name: v.fileName, sha256: v.fileSHA256)),
      panel: a.panel, panelVersion: a.panelVersion, events: a.events, countMethod: a.countMethod?.name, markers: a.markers,
      populations: a.populations.map(VisitDocument.Population.init), gating: a.gating, cuts: a.cuts, calls: a.calls,
      diagnostics: a.diagnostics)
  }

  func history(patient: String, visit name: String) throws -> HistoryDocument {
    let r = try open()
    _ = try visit(r, patient: patient, visit: name)
    let versions = try read { () throws(StoreError) in try r.analysisVersions(patient: patient, visit: name) }
    return HistoryDocument(patient: patient, visit: name, review: VisitReviewState.of(versions), versions: try versions.map { x in
      // What changed is in the analysis record of a reviewed version.
      let record = x.review == nil ? nil : try read { () throws(StoreError) in try r.analysis(patient: patient, visit: name, version: x.version) }.review
      return HistoryDocument.Version(version: x.version, analysisTime: x.analysisTime, gatingHash: x.gatingHash, note: x.analystNote,
                                     panel: x.panel, panelVersion: x.panelVersion, cytoresetVersion: x.cytoresetVersion,
                                     current: x.isCurrent, review: record)
    })
  }

  /// A stored visit, the version asked for (`nil`: the newest) and its analysis.
  func storedAnalysis(patient: String, visit name: String, version: Int?) throws -> (StoredVisit, Int, VisitAnalysis) {
    let r = try open()
    let v = try visit(r, patient: patient, visit: name)
    let n = version ?? v.analyses.max() ?? v.currentAnalysis
    guard v.analyses.contains(n) else { throw ServeError.notFound("no such analysis version of this visit") }
    let a = try read { () throws(StoreError) in try r.analysis(patient: patient, visit: name, version: n) }
    return (v, n, a)
  }

  /// A stored visit and its versions.
  func visitVersions(patient: String, visit name: String) throws -> (StoredVisit, [StoredAnalysisVersion]) {
    let r = try open()
    let v = try visit(r, patient: patient, visit: name)
    return (v, try read { () throws(StoreError) in try r.analysisVersions(patient: patient, visit: name) })
  }

  /// A patient's visits (404 for an unknown patient).
  func visits(of patient: String) throws -> [StoredVisit] {
    let r = try open()
    let ids = try read { () throws(StoreError) in try r.patientIDs() }
    guard ids.contains(patient) else { throw ServeError.notFound("no such patient in the store") }
    return try read { () throws(StoreError) in try r.visits(of: patient) }
  }

  /// The panel JSON stored with a version (409 when there is none).
  func panelJSON(patient: String, visit: String, version: Int) throws -> String {
    let r = try open()
    guard let json = try read({ () throws(StoreError) in try r.panelJSON(patient: patient, visit: visit, version: version) }) else {
      throw ServeError(.conflict, "not_reviewable", "the stored analysis records no panel definition")
    }
    return json
  }

  /// Data set `index` of a visit's FCS file: found by ``FCSLocator`` (409 when not available),
  /// its bytes hashed again as read and compared with the store's SHA-256.
  func dataSet(of v: StoredVisit, index: Int) throws -> FCSDataSet {
    let availability = locator.availability(name: v.fileName, sha256: v.fileSHA256)
    guard availability.available, let directory = locator.directory else {
      throw ServeError(.conflict, "file_unavailable",
                       "the visit's FCS file is not available (\(availability.status.rawValue)): \(availability.detail ?? "")")
    }
    let data: Data
    do { data = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + v.fileName)) } catch {
      throw ServeError(.conflict, "file_unavailable", "the visit's FCS file could not be read: \(error.localizedDescription)")
    }
    guard SHA256.hash(data).hex == v.fileSHA256.lowercased() else {
      throw ServeError(.conflict, "file_unavailable", "the visit's FCS file changed while it was read (its SHA-256 differs from the store's)")
    }
    do { return try FCSFile(bytes: data, path: v.fileName).dataSet(index) } catch {
      throw ServeError(.conflict, "file_unavailable", "the visit's FCS file does not parse: \(error)")
    }
  }
}
