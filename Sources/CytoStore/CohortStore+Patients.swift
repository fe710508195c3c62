import CytoClinical
import Foundation

extension CohortStore {
  /// An attribute of `/patients/<id>` to set.
  enum PatientChange {
    case string(String, String)
    case int(String, Int)
    case strings(String, [String])
  }

  /// What `s` adds to `/patients/<id>` (reading only); a value that differs from a stored one
  /// is a conflict. Infusion dates may be extended (re-treatment), never changed.
  static func patientChanges(_ s: VisitSubmission, in file: HDF5File) throws -> [PatientChange] {
    let id = s.analysis.visit.patient!
    let object = "/patients/\(id)"
    let group = file.exists(object) ? try file.group(object) : nil
    var changes: [PatientChange] = []
    func has(_ name: String) -> Bool { group?.hasAttribute(name) ?? false }
    func merge(_ name: String, _ value: String?) throws {
      guard let value, !value.isEmpty else { return }
      if let group, has(name) {
        let stored = try group.attribute(name)
        if stored != .string(value) {
          throw StoreError.conflict(file: file.filePath, object: object + "@" + name,
                                    detail: "stored \(name) is \(stored), the ingest says '\(value)'")
        }
      } else {
        changes.append(.string(name, value))
      }
    }
    try merge("diagnosis", s.patient.diagnosis)
    try merge("product", s.patient.product)
    try merge("sex", s.patient.sex)
    if let age = s.patient.age {
      if let group, has("age") {
        let stored = try group.int64Attribute("age")
        if stored != Int64(age) {
          throw StoreError.conflict(file: file.filePath, object: object + "@age", detail: "stored age is \(stored), the ingest says \(age)")
        }
      } else {
        changes.append(.int("age", age))
      }
    }
    if !s.patient.infusionDates.isEmpty {
      let stored = has("infusion_dates") ? try group!.stringArrayAttribute("infusion_dates") : []
      let given = s.patient.infusionDates
      if stored.starts(with: given) {
        // Nothing new.
      } else if given.starts(with: stored) {
        changes.append(.strings("infusion_dates", given))
      } else {
        throw StoreError.conflict(file: file.filePath, object: object + "@infusion_dates",
                                  detail: "stored infusion dates \(stored) differ from \(given)")
      }
    }
    return changes
  }

  /// Creates `/patients/<id>` when missing and sets `changes` (from ``patientChanges(_:in:)``).
  static func writePatient(_ s: VisitSubmission, _ changes: [PatientChange], in file: HDF5File) throws {
    let id = s.analysis.visit.patient!
    let group = try file.group("/patients/\(id)", createIfMissing: true)
    if !group.hasAttribute("patient_id") { try group.setAttribute("patient_id", id) }
    for c in changes {
      switch c {
      case .string(let name, let value): try group.setAttribute(name, value)
      case .int(let name, let value): try group.setAttribute(name, value)
      case .strings(let name, let value): try group.setAttribute(name, value)
      }
    }
  }
}
