import CytoClinical
import CytoCore
import Foundation

/// A visit as stored: `/patients/<id>/visits/<name>`.
public struct StoredVisit: Sendable, Equatable {
  /// The group name (`day+014`).
  public var name: String
  /// Days since infusion.
  public var day: Double
  /// The infusion the day counts from.
  public var infusion: Int
  /// The FCS file's name and SHA-256.
  public var fileName: String, fileSHA256: String
  /// The blood collection date, when recorded.
  public var collectionDate: String?
  /// The analysis version the series use (the latest).
  public var currentAnalysis: Int
  /// The analysis versions stored (1…n).
  public var analyses: [Int]
  /// Whether the events are stored (`--keep-events`).
  public var hasEvents: Bool
}

/// One value of a stored series.
public struct StoredSeriesPoint: Sendable, Equatable {
  /// The visit group name, infusion, day and analysis version the value comes from.
  public var visit: String, infusion: Int, day: Double, analysis: Int
  /// The value (with its bound when below the LLOQ, and its interval); nil when the visit has
  /// no such value (no absolute count, no denominator).
  public var quantity: Quantity?
  /// The absolute-count method of a cells/µL value.
  public var method: String?
}

/// One stored series: `/patients/<id>/series/<metric>`.
public struct StoredSeries: Sendable, Equatable {
  /// The metric (dataset) name.
  public var metric: String
  /// The unit attribute.
  public var unit: String
  /// The description attribute.
  public var description: String
  /// One point per visit, sorted by infusion then day.
  public var points: [StoredSeriesPoint]
}

/// A patient's course after one infusion, recomputed from the stored series on every read.
public struct StoredKinetics: Codable, Sendable, Equatable {
  /// The patient and infusion.
  public var patient: String, infusion: Int
  /// Visit days, sorted.
  public var days: [Double]
  /// Aplasia onset and duration, reconstitution.
  public var bCells: BCellCourse
  /// CAR T kinetics in cells/µL, when every visit has an absolute count by one method.
  public var carPerMicroliter: CARKinetics?
  /// The method of ``carPerMicroliter``.
  public var countMethod: String?
  /// CAR T kinetics in % of CD3.
  public var carPercentOfT: CARKinetics?
  /// Why something could not be computed.
  public var notes: [String]
}

/// Reads a cohort store. Opens the file read-only: readers never lock, and because writers
/// replace the file by an atomic rename, a reader always sees one complete version.
public final class CohortStoreReader: @unchecked Sendable {
  /// The store's path.
  public let path: String
  /// The root attribute `schema_version`.
  public let schemaVersion: String
  let file: HDF5File

  /// Opens the store at `path` and checks its schema.
  ///
  /// - Throws: ``StoreError/hdf5(_:)`` (missing, empty, truncated, corrupt or non-HDF5 file),
  ///   ``StoreError/notAStore(file:reason:)``, ``StoreError/newerSchema(file:found:supported:)``.
  public init(path: String) throws(StoreError) {
    self.path = path
    do { file = try HDF5File.open(path, mode: .readOnly) } catch { throw StoreError.hdf5(error) }
    try CohortStore.validateSchema(file)
    do { schemaVersion = try file.stringAttribute("schema_version") } catch { throw StoreError.hdf5(error) }
  }

  func run<T>(_ body: () throws -> T) throws(StoreError) -> T {
    do { return try body() } catch let e as HDF5Error { throw StoreError.hdf5(e) } catch let e as StoreError { throw e } catch {
      throw StoreError.damaged(file: path, object: "/", detail: "\(error)")
    }
  }

  /// The patient ids, sorted.
  public func patientIDs() throws(StoreError) -> [String] {
    try run { file.exists("/patients") ? try file.children(of: "/patients") : [] }
  }

  func requirePatient(_ id: String) throws(StoreError) {
    guard StoreSchema.isValidPatientID(id), file.exists("/patients/\(id)") else {
      let known = (try? patientIDs()) ?? []
      throw StoreError.hdf5(HDF5Error(.objectNotFound, filePath: path, objectPath: "/patients/\(id)", operation: "open patient",
                                      message: "no patient '\(id)' in the store (patients: \(known.joined(separator: ", ")))"))
    }
  }

  /// The attributes of `/patients/<id>`.
  public func patientAttributes(_ id: String) throws(StoreError) -> PatientAttributes {
    try requirePatient(id)
    return try run {
      let g = try file.group("/patients/\(id)")
      func s(_ n: String) throws -> String? { g.hasAttribute(n) ? try g.stringAttribute(n) : nil }
      return PatientAttributes(
        diagnosis: try s("diagnosis"), product: try s("product"),
        infusionDates: g.hasAttribute("infusion_dates") ? try g.stringArrayAttribute("infusion_dates") : [],
        age: g.hasAttribute("age") ? Int(try g.int64Attribute("age")) : nil, sex: try s("sex"))
    }
  }

  /// The visits of a patient, sorted by infusion then day.
  public func visits(of id: String) throws(StoreError) -> [StoredVisit] {
    try requirePatient(id)
    return try run {
      let base = "/patients/\(id)/visits"
      guard file.exists(base) else { return [] }
      return try file.children(of: base).map { name in
        let v = try file.group("\(base)/\(name)")
        return StoredVisit(
          name: name, day: try v.doubleAttribute("day"), infusion: Int(try v.int64Attribute("infusion")),
          fileName: try v.stringAttribute("file_name"), fileSHA256: try v.stringAttribute("file_sha256"),
          collectionDate: v.hasAttribute("collection_date") ? try v.stringAttribute("collection_date") : nil,
          currentAnalysis: Int(try v.int64Attribute("current_analysis")),
          analyses: try v.children(of: "analyses").compactMap { Int($0) }.sorted(), hasEvents: v.exists("events"))
      }.sorted { ($0.infusion, $0.day) < ($1.infusion, $1.day) }
    }
  }

  /// The stored analysis record of a visit (the current version unless `version` is given).
  public func analysis(patient: String, visit: String, version: Int? = nil) throws(StoreError) -> VisitAnalysis {
    try requirePatient(patient)
    return try run {
      let v = try file.group("/patients/\(patient)/visits/\(visit)")
      let n = try version ?? Int(v.int64Attribute("current_analysis"))
      let g = try v.group("analyses/\(n)")
      do { return try StoreJSON.decode(VisitAnalysis.self, try g.stringAttribute("analysis_json")) } catch let e as HDF5Error {
        throw e
      } catch {
        throw StoreError.damaged(file: path, object: g.path + "@analysis_json", detail: "the analysis record does not decode: \(error)")
      }
    }
  }

  /// The population table of a visit's analysis (the current version unless `version` is given).
  public func populations(patient: String, visit: String, version: Int? = nil) throws(StoreError) -> HDF5Table {
    try requirePatient(patient)
    return try run {
      let v = try file.group("/patients/\(patient)/visits/\(visit)")
      let n = try version ?? Int(v.int64Attribute("current_analysis"))
      return try v.dataset("analyses/\(n)/populations").readTable()
    }
  }

  /// The names of the series stored for a patient, in ``SeriesMetric/all`` order.
  public func seriesNames(of id: String) throws(StoreError) -> [String] {
    try requirePatient(id)
    return try run {
      let base = "/patients/\(id)/series"
      guard file.exists(base) else { return [] }
      let present = Set(try file.children(of: base))
      return SeriesMetric.all.map(\.name).filter(present.contains)
    }
  }

  /// One stored series.
  public func series(of id: String, metric: String) throws(StoreError) -> StoredSeries {
    try requirePatient(id)
    return try run {
      let d = try file.dataset("/patients/\(id)/series/\(metric)")
      let t = try d.readTable()
      let unitText = try d.stringAttribute("unit")
      guard let unit = ClinicalUnit(rawValue: unitText) else {
        throw StoreError.damaged(file: path, object: d.path + "@unit", detail: "unknown unit '\(unitText)'")
      }
      func col<T>(_ name: String, _ get: (HDF5ColumnData) -> [T]?) throws -> [T] {
        guard let c = t[name], let v = get(c) else {
          throw StoreError.damaged(file: path, object: d.path + "." + name, detail: "missing or mistyped column")
        }
        return v
      }
      let infusion = try col("infusion") { $0.int64s }, day = try col("day") { $0.doubles }
      let analysis = try col("analysis") { $0.int64s }, value = try col("value") { $0.doubles }
      let lessThan = try col("less_than") { $0.doubles }, below = try col("below_lloq") { $0.bools }
      let lower = try col("lower95") { $0.doubles }, upper = try col("upper95") { $0.doubles }
      let events = try col("events") { $0.int64s }
      // Visit names and count methods come from `series/visits`, row for row.
      let index = try file.dataset("/patients/\(id)/series/visits").readTable(columns: ["visit", "day", "count_method"])
      guard let visit = index["visit"]?.strings, let visitDay = index["day"]?.doubles, let methods = index["count_method"]?.strings,
        visitDay == day
      else {
        throw StoreError.damaged(file: path, object: d.path, detail: "rows do not match /patients/\(id)/series/visits")
      }
      let absolute = unit == .cellsPerMicroliter
      let points = (0..<t.rowCount).map { i -> StoredSeriesPoint in
        var q: Quantity? = nil
        if below[i] || !value[i].isNaN {
          var x = Quantity(events: Int(events[i]), scale: 0, unit: unit, lloqEvents: 0)
          x.value = below[i] ? nil : value[i]
          x.lessThan = below[i] ? lessThan[i] : nil
          x.lower95 = lower[i]
          x.upper95 = upper[i]
          q = x
        }
        return StoredSeriesPoint(visit: visit[i], infusion: Int(infusion[i]), day: day[i], analysis: Int(analysis[i]), quantity: q,
                                 method: absolute && q != nil && methods[i] != "none" ? methods[i] : nil)
      }
      return StoredSeries(metric: metric, unit: unitText, description: try d.stringAttribute("description"), points: points)
    }
  }

  /// Every stored series of a patient.
  public func series(of id: String) throws(StoreError) -> [StoredSeries] {
    var out: [StoredSeries] = []
    for m in try seriesNames(of: id) { out.append(try series(of: id, metric: m)) }
    return out
  }

  /// The per-visit calls the B-cell course is computed from (`series/visits`).
  public struct VisitCallsRow: Sendable, Equatable {
    /// Visit name, infusion, day.
    public var visit: String, infusion: Int, day: Double
    /// `yes`, `no` or `indeterminate`.
    public var bCellAplasia: String
    /// `yes`, `no` or `unknown`.
    public var predominantlyNaive: String
    /// The absolute-count method (`none` without counts).
    public var countMethod: String
    /// The lab ALC (cells/µL), its day since the first infusion, source and version when the
    /// visit's dual-platform count came from the store's labs (schema 1.4 columns
    /// `lab_alc_*`); `nil` otherwise and in series written before 1.4.
    public var labALC: LabALC? = nil

    /// The lab ALC of a lab-derived count, as `series/visits` records it.
    public struct LabALC: Sendable, Equatable, Codable {
      /// cells/µL, lab day since the first infusion, the lab row's source and version.
      public var perMicroliter: Double, day: Double, source: String, version: Int
      /// Creates the record.
      public init(perMicroliter: Double, day: Double, source: String, version: Int) {
        (self.perMicroliter, self.day, self.source, self.version) = (perMicroliter, day, source, version)
      }
    }
  }

  /// The `series/visits` table of a patient.
  public func seriesVisits(of id: String) throws(StoreError) -> [VisitCallsRow] {
    try requirePatient(id)
    return try run {
      let base = "/patients/\(id)/series/visits"
      guard file.exists(base) else { return [] }
      let t = try file.dataset(base).readTable()
      guard let v = t["visit"]?.strings, let inf = t["infusion"]?.int64s, let day = t["day"]?.doubles,
        let ap = t["b_cell_aplasia"]?.strings, let nv = t["predominantly_naive"]?.strings, let m = t["count_method"]?.strings
      else { throw StoreError.damaged(file: path, object: base, detail: "missing or mistyped columns") }
      let alc = t["lab_alc_per_ul"]?.doubles, alcDay = t["lab_alc_day"]?.doubles, alcSource = t["lab_alc_source"]?.strings
      let alcVersion = t["lab_alc_version"]?.int64s
      return (0..<t.rowCount).map { i in
        var row = VisitCallsRow(visit: v[i], infusion: Int(inf[i]), day: day[i], bCellAplasia: ap[i], predominantlyNaive: nv[i], countMethod: m[i])
        if let alc, let alcDay, let alcSource, let alcVersion, !alc[i].isNaN {
          row.labALC = .init(perMicroliter: alc[i], day: alcDay[i], source: alcSource[i], version: Int(alcVersion[i]))
        }
        return row
      }
    }
  }

  /// The thresholds recorded with the series (kinetics window, reconstitution rule).
  public func thresholds(of id: String) throws(StoreError) -> ClinicalThresholds {
    try requirePatient(id)
    return try run {
      let g = try file.group("/patients/\(id)/series")
      let text = try g.stringAttribute("thresholds_json")
      do { return try StoreJSON.decode(ClinicalThresholds.self, text) } catch {
        throw StoreError.damaged(file: path, object: g.path + "@thresholds_json", detail: "\(error)")
      }
    }
  }

  /// Kinetics per infusion, recomputed from the stored series (never stored themselves):
  /// the B-cell course from `series/visits` and `naive_pct_b`, CAR T kinetics from `car_per_ul`
  /// (only when every visit has a count, all by one method) and `car_pct_cd3`.
  public func kinetics(of id: String) throws(StoreError) -> [StoredKinetics] {
    let rows = try seriesVisits(of: id)
    guard !rows.isEmpty else { return [] }
    let thresholds = try self.thresholds(of: id)
    let names = Set(try seriesNames(of: id))
    let naive = names.contains("naive_pct_b") ? try series(of: id, metric: "naive_pct_b").points : []
    let carCount = names.contains("car_per_ul") ? try series(of: id, metric: "car_per_ul").points : []
    let carPct = names.contains("car_pct_cd3") ? try series(of: id, metric: "car_pct_cd3").points : []
    var out: [StoredKinetics] = []
    for infusion in Array(Set(rows.map(\.infusion))).sorted() {
      let vs = rows.filter { $0.infusion == infusion }
      func point(_ s: [StoredSeriesPoint], _ v: VisitCallsRow) -> StoredSeriesPoint? {
        s.first { $0.visit == v.visit }
      }
      let course = BCellCourse.compute(vs.map { v in
        BCellCourse.Visit(day: v.day, aplasia: VisitCalls.Call.Result(rawValue: v.bCellAplasia) ?? .indeterminate,
                          naivePercentOfB: point(naive, v)?.quantity,
                          predominantlyNaive: v.predominantlyNaive == "yes" ? true : v.predominantlyNaive == "no" ? false : nil)
      }, rule: thresholds.reconstitution)
      var notes: [String] = []
      let counts = vs.map { v in point(carCount, v).flatMap { p in p.quantity.map { (SeriesPoint(day: v.day, quantity: $0), p.method) } } }
      var perMicroliter: CARKinetics? = nil
      var method: String? = nil
      if counts.allSatisfy({ $0 != nil }) {
        let methods = Set(counts.compactMap { $0?.1 })
        if methods.count > 1 {
          notes.append("CAR T cells/µL mix absolute-count methods (\(methods.sorted().joined(separator: ", "))): no kinetics in cells/µL")
        } else {
          perMicroliter = CARKinetics.compute(counts.map { $0!.0 }, window: thresholds.kinetics)
          method = methods.first
        }
      } else {
        notes.append("not every visit has an absolute CAR T count: no kinetics in cells/µL")
      }
      let pct = vs.compactMap { v in point(carPct, v)?.quantity.map { SeriesPoint(day: v.day, quantity: $0) } }
      out.append(StoredKinetics(patient: id, infusion: infusion, days: vs.map(\.day), bCells: course, carPerMicroliter: perMicroliter,
                                countMethod: method, carPercentOfT: pct.isEmpty ? nil : CARKinetics.compute(pct, window: thresholds.kinetics),
                                notes: notes))
    }
    return out
  }
}
