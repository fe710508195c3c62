import Foundation

/// The lab values and clinical events beside a simulated course (issue #16's demo): serum IgG
/// falling during B-cell aplasia and one IVIG course when it drops below 4 g/L, CAR transgene
/// copies following the CAR T cells, the lab ALC, and a grade-1 CRS on day 2. Illustrative
/// numbers, not a pharmacokinetic model; every parameter comes from the course, so the same
/// seed gives the same files. Written by `cytoreset simulate --timeline` as
/// `<patient>.labs.csv` and `<patient>.events.csv` (docs/clinical-data.md formats, days only).
extension PatientCourse {
  /// IgG before infusion, g/L: 6.5–8.5, from the baseline lymphocyte count's draw.
  public var baselineIgG: Double { 6.5 + 2 * (baselineLymphocytes - 1_300) / 900 }

  /// The patient's own IgG, g/L: CD19⁻ long-lived plasma cells keep ≈30 % (Bhoj et al., Blood
  /// 2016;128:360, domain.md §1), the rest falls with a 35-day time constant while B cells are
  /// absent and returns (90-day time constant) after ``reconstitutionDay``.
  public func ownIgG(day: Double) -> Double {
    guard day > 0 else { return baselineIgG }
    let fall = 0.3 + 0.7 * exp(-day / 35)
    let back = day > reconstitutionDay ? 0.7 * (1 - exp(-(day - reconstitutionDay) / 90)) : 0
    return baselineIgG * min(1, fall + back)
  }

  /// Days IgG is measured.
  public static let igGDays: [Double] = [-7, 14, 28, 42, 56, 90, 120, 150, 180, 365]
  /// IVIG dose, g/kg (domain.md §9.2: 0.4–0.6 g/kg every 3–4 weeks).
  public static let ivigDose = 0.4
  /// IgG below which IVIG is started, g/L (the default hypogammaglobulinaemia threshold).
  public static let ivigTrigger = 4.0

  /// One IVIG course: three doses 4 weeks apart from 4 days after the first IgG reading below
  /// 4 g/L; none when IgG never falls that low.
  public var ivigDays: [Double] {
    guard let first = Self.igGDays.first(where: { $0 > 0 && ownIgG(day: $0) < Self.ivigTrigger }) else { return [] }
    return [first + 4, first + 32, first + 60]
  }

  /// Measured IgG, g/L: own IgG plus donor IgG, +20 g/L per g/kg at infusion, half-life 21 days
  /// (domain.md §9.2: 17–21 days).
  public func igG(day: Double) -> Double {
    ownIgG(day: day) + ivigDays.filter { $0 <= day }.reduce(0) { $0 + Self.ivigDose * 20 * exp(-log(2) * (day - $1) / 21) }
  }

  /// CAR transgene copies per µg genomic DNA: CAR T cells among leukocytes (lymphocytes ≈ 30 %
  /// of them) × 151,500 diploid genomes per µg (6.6 pg DNA each) × 1.5 copies per cell.
  public func carTransgeneCopies(day: Double) -> Double {
    let leukocytes = lymphocytes(day: day) / 0.3
    return carT(day: day) / leukocytes * 151_500 * 1.5
  }

  /// The ddPCR assay's LLOQ, copies per µg DNA.
  public static let transgeneLLOQ = 100.0

  /// The lab CSV: IgG on ``igGDays``, CAR transgene and ALC on every visit day after infusion.
  public var labsCSV: String {
    var s = "patient,day,analyte,value,unit,lloq,method,source\n"
    var rows: [(Double, String)] = []
    for d in Self.igGDays { rows.append((d, "\(patient),\(Self.text(d)),IgG,\(String(format: "%.2f", igG(day: d))),g/L,,nephelometry,simulated\n")) }
    for day in days where day > 0 {
      let d = Double(day), c = carTransgeneCopies(day: d)
      let v = c < Self.transgeneLLOQ ? "<\(Self.text(Self.transgeneLLOQ))" : String(format: "%.0f", c)
      rows.append((d, "\(patient),\(day),CAR transgene,\(v),copies/µg DNA,\(Self.text(Self.transgeneLLOQ)),ddPCR,simulated\n"))
    }
    for day in days { rows.append((Double(day), "\(patient),\(day),ALC,\(String(format: "%.2f", lymphocytes(day: Double(day)) / 1000)),10^9/L,,,simulated\n")) }
    for r in rows.sorted(by: { $0.0 < $1.0 }) { s += r.1 }
    return s
  }

  /// The events CSV: a grade-1 CRS from day 2 to day 4 or 5 (later the slower the CAR T
  /// expansion) and the IVIG doses.
  public var eventsCSV: String {
    var s = "patient,start,end,kind,grade,dose,dose_unit,value,detail,source\n"
    s += "\(patient),2,\(carPeakDay < 10.5 ? 4 : 5),CRS,1,,,,\"fever 38.4 °C, no hypotension, no hypoxia\",simulated\n"
    for d in ivigDays { s += "\(patient),\(Self.text(d)),,IVIG,,\(Self.text(Self.ivigDose)),g/kg,,replacement,simulated\n" }
    return s
  }

  static func text(_ d: Double) -> String { d == d.rounded() ? String(Int(d)) : String(d) }
}
