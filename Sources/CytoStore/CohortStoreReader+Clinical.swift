import CytoClinical
import Foundation

extension CohortStoreReader {
  /// The lab values of `/clinical/labs` (docs/store-schema.md, "Clinical data"): of one
  /// patient when `patient` is given, sorted by patient, day, analyte, source and version;
  /// only current versions unless `includingSuperseded`. A store without the table (before
  /// schema 1.3, or no import yet) has none.
  /// - Throws: ``StoreError/damaged(file:object:detail:)`` for a table that is not the
  ///   documented one, ``StoreError/hdf5(_:)``.
  public func labValues(of patient: String? = nil, includingSuperseded: Bool = false) throws(StoreError) -> [StoredLabValue] {
    try run {
      try ClinicalTables.readLabs(file)
        .filter { (patient == nil || $0.row.patient == patient) && (includingSuperseded || $0.isCurrent) }
        .sorted { a, b in
          (a.row.patient, a.row.day, a.row.analyte.name, a.row.source, a.version)
            < (b.row.patient, b.row.day, b.row.analyte.name, b.row.source, b.version)
        }
    }
  }

  /// The events of `/clinical/events`, filtered and sorted like ``labValues(of:includingSuperseded:)``
  /// (patient, start day, kind, source, version).
  public func clinicalEvents(of patient: String? = nil, includingSuperseded: Bool = false) throws(StoreError) -> [StoredClinicalEvent] {
    try run {
      try ClinicalTables.readEvents(file)
        .filter { (patient == nil || $0.row.patient == patient) && (includingSuperseded || $0.isCurrent) }
        .sorted { a, b in
          (a.row.patient, a.row.startDay, a.row.kind.rawValue, a.row.source, a.version)
            < (b.row.patient, b.row.startDay, b.row.kind.rawValue, b.row.source, b.version)
        }
    }
  }

  /// Every clinical file imported (`/clinical/imports`), in import order.
  public func clinicalImports() throws(StoreError) -> [StoredClinicalImport] {
    try run { try ClinicalTables.readImports(file) }
  }
}

extension CohortStoreReader {
  /// The store's clinical rules (`/clinical@rules_json`, docs/store-schema.md): the ALC window
  /// and the immunoglobulin flag thresholds; the defaults when the store sets none.
  /// - Throws: ``StoreError/damaged(file:object:detail:)`` when the attribute does not decode
  ///   or holds rules out of range.
  public func clinicalRules() throws(StoreError) -> ClinicalContextRules {
    try run { try ClinicalTables.readRules(file) }
  }
}
