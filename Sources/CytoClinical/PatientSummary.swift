/// A patient's course after one infusion, computed from the analysed visits.
public struct PatientSummary: Codable, Sendable, Equatable {
  public var patient: String
  public var infusion: Int
  /// Visit days, sorted.
  public var days: [Double]
  public var bCells: BCellCourse
  /// CAR T kinetics in cells/µL (when every visit has absolute counts by one method).
  public var carPerMicroliter: CARKinetics?
  /// The absolute-count method of ``carPerMicroliter``.
  public var countMethod: String?
  /// CAR T kinetics in % of CD3⁺ T cells.
  public var carPercentOfT: CARKinetics?

  /// Groups `visits` by patient and infusion and computes each course.
  /// - Throws: ``ClinicalError/invalidVisits(_:)`` when a visit lacks a patient or day, or two
  ///   visits of one patient and infusion share a day; ``ClinicalError/mixedMethods(series:methods:)``
  ///   when a patient's absolute counts come from different methods.
  public static func summarize(_ visits: [VisitAnalysis], thresholds: ClinicalThresholds) throws -> [PatientSummary] {
    var groups: [String: [VisitAnalysis]] = [:]
    var order: [String] = []
    for v in visits {
      guard let p = v.visit.patient, v.visit.day != nil else {
        throw ClinicalError.invalidVisits("\(v.file) has no patient and day (give --patient and --day)")
      }
      let key = "\(p)\u{0}\(v.visit.infusion)"
      if groups[key] == nil { order.append(key) }
      groups[key, default: []].append(v)
    }
    return try order.map { key in
      let vs = groups[key]!.sorted { $0.visit.day! < $1.visit.day! }
      let patient = vs[0].visit.patient!, infusion = vs[0].visit.infusion
      let days = vs.map { $0.visit.day! }
      if Set(days).count != days.count {
        throw ClinicalError.invalidVisits("patient \(patient), infusion \(infusion): two visits on the same day")
      }
      let methods = Set(vs.compactMap { $0.countMethod?.name })
      if methods.count > 1 { throw ClinicalError.mixedMethods(series: "\(patient) CAR T cells/µL", methods: methods.sorted()) }
      let course = BCellCourse.compute(vs.map {
        BCellCourse.Visit(day: $0.visit.day!, aplasia: $0.calls.bCellAplasia.result, naivePercentOfB: $0.calls.naivePercentOfB,
                          predominantlyNaive: $0.calls.predominantlyNaive)
      }, rule: thresholds.reconstitution)
      let car = thresholds.kinetics
      let carCounts = vs.map { v in v.roles.carT.flatMap { v.population($0) }?.absolute.map { SeriesPoint(day: v.visit.day!, quantity: $0.perMicroliter) } }
      let perMicroliter: [SeriesPoint]? = carCounts.allSatisfy { $0 != nil } ? carCounts.map { $0! } : nil
      let percent = vs.compactMap { v in v.calls.carPercentOfT.map { SeriesPoint(day: v.visit.day!, quantity: $0) } }
      return PatientSummary(patient: patient, infusion: infusion, days: days, bCells: course,
                            carPerMicroliter: perMicroliter.map { CARKinetics.compute($0, window: car) },
                            countMethod: methods.first,
                            carPercentOfT: percent.isEmpty ? nil : CARKinetics.compute(percent, window: car))
    }
  }
}

