/// A failure of the cohort store: it names the store file and, where there is one, the object
/// inside it (`/patients/P01/visits/day+014`).
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
  /// libhdf5 could not open, read or write the store (missing, damaged, truncated or foreign
  /// file, …); the ``HDF5Error`` names the file and object.
  case hdf5(HDF5Error)
  /// The file is HDF5 but not a CytoReset store (no or another `schema` root attribute).
  case notAStore(file: String, reason: String)
  /// The store was written with a newer major schema version than this build reads.
  case newerSchema(file: String, found: String, supported: String)
  /// The store's content is not what the schema promises (a missing attribute, an analysis
  /// record that does not decode): reported, never repaired.
  case damaged(file: String, object: String, detail: String)
  /// The ingest would overwrite or contradict stored data (another file for a stored visit,
  /// patient attributes that differ): refused.
  case conflict(file: String, object: String, detail: String)
  /// A file-system operation on the store, its lock or its temporary copy failed.
  case io(file: String, operation: String, message: String)
  /// An argument the store rejects (an empty or `/`-containing patient id, a visit without day).
  case invalidArgument(String)

  public var description: String {
    switch self {
    case .hdf5(let e): e.description
    case .notAStore(let f, let r): "\(f): not a CytoReset store: \(r)"
    case .newerSchema(let f, let found, let supported):
      "\(f): the store has schema version \(found), newer than this build of cytoreset reads (\(supported)); use a newer cytoreset"
    case .damaged(let f, let o, let d): "\(f):\(o): damaged store: \(d) (nothing was changed; the store is never repaired by dropping data)"
    case .conflict(let f, let o, let d): "\(f):\(o): refused: \(d)"
    case .io(let f, let op, let m): "\(f): \(op) failed: \(m)"
    case .invalidArgument(let s): "store: \(s)"
    }
  }
}

extension StoreError {
  /// The error a commit reports when writing its temporary copy failed: libhdf5 errors and the
  /// store's own errors name the temporary copy's path, which the user never gave, so `temporary`
  /// is replaced by `store` in the file they name; anything else becomes an `io` write error on
  /// the store. Every commit (visits, clinical imports, rules) reports through this.
  static func fromCommit(_ error: Error, temporary: String, store: String) -> StoreError {
    func name(_ f: String) -> String { f == temporary ? store : f }
    switch error {
    case var e as HDF5Error:
      e.filePath = name(e.filePath)
      return .hdf5(e)
    case let e as StoreError:
      switch e {
      case .hdf5(var h):
        h.filePath = name(h.filePath)
        return .hdf5(h)
      case .notAStore(let f, let r): return .notAStore(file: name(f), reason: r)
      case .newerSchema(let f, let found, let s): return .newerSchema(file: name(f), found: found, supported: s)
      case .damaged(let f, let o, let d): return .damaged(file: name(f), object: o, detail: d)
      case .conflict(let f, let o, let d): return .conflict(file: name(f), object: o, detail: d)
      case .io(let f, let op, let m): return .io(file: name(f), operation: op, message: m)
      case .invalidArgument: return e
      }
    default:
      return .io(file: store, operation: "write", message: "\(error)")
    }
  }
}
