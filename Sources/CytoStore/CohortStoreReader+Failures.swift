import Foundation

extension CohortStoreReader {
  /// Every failure the store recorded (`/failures`), in the order recorded: files that could not
  /// be analysed, with their visit, reason and status. A store written before schema 1.2, or
  /// one that never received a failure, has none.
  /// - Throws: ``StoreError/damaged(file:object:detail:)`` for a table that is not the
  ///   documented one, ``StoreError/hdf5(_:)``.
  public func failures() throws(StoreError) -> [StoredFailure] {
    try run { try CohortStore.readFailures(file) }
  }

  /// The failures whose visit still has no stored analysis (status ``StoredFailure/Status/open``),
  /// what the cohort report lists; of one patient when `patient` is given.
  public func openFailures(of patient: String? = nil) throws(StoreError) -> [StoredFailure] {
    try failures().filter { $0.status == .open && (patient == nil || $0.patient == patient) }
  }
}
