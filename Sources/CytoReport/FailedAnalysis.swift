/// An FCS file that could not be analysed, as the reports list it (the store's open failures,
/// docs/store-schema.md "Failures"): its visit has no values until the file is analysed again.
public struct FailedAnalysis: Sendable, Equatable {
  /// Patient id (escaped, like every text here).
  public var patientID: String
  /// The infusion the day counts from.
  public var infusion: Int
  /// Days since infusion.
  public var day: Double
  /// The FCS file's name.
  public var fileName: String
  /// Why it failed (the error message).
  public var reason: String
  /// The error's typed code (`fcs.truncated`).
  public var code: String
  /// When it failed (ISO 8601 UTC).
  public var time: String
  /// The CytoReset version that tried.
  public var softwareVersion: String

  /// A failed analysis.
  public init(patientID: String, infusion: Int, day: Double, fileName: String, reason: String, code: String, time: String,
              softwareVersion: String) {
    self.patientID = patientID
    self.infusion = infusion
    self.day = day
    self.fileName = fileName
    self.reason = reason
    self.code = code
    self.time = time
    self.softwareVersion = softwareVersion
  }
}

extension HTML {
  /// The table of failed analyses (every text escaped); the patient column is left out of a
  /// patient's own report.
  static func failuresTable(_ failures: [FailedAnalysis], withPatient: Bool) -> String {
    let rows: [[HTML.Cell]] = failures.map { f in
      (withPatient ? [.text(f.patientID)] : []) + [
        .text(String(f.infusion)), .text(HTML.day(f.day)), .text(f.fileName), .text(f.reason), .text(f.code), .text(f.time),
        .text("CytoReset \(f.softwareVersion)"),
      ]
    }
    let header = (withPatient ? ["patient"] : []) + ["infusion", "day", "file", "reason", "code", "when", "software"]
    return HTML.table(header, rows, numeric: withPatient ? [1, 2] : [0, 1])
  }
}
