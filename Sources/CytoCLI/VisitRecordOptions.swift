import ArgumentParser
import CytoStore
import Foundation

/// What the store keeps about a visit and its patient beyond the analysis: the analyst's note,
/// collection dates and patient attributes. Given to `ingest FILE…`/`--manifest`, or to
/// `analyze … -o` (they go into the analysis record, and `ingest --analyses` stores them).
struct VisitRecordOptions: ParsableArguments {
  @Option(help: "Analyst note stored with each analysis.")
  var note: String?

  @Option(name: .customLong("collection-date"), help: "Blood collection date (YYYY-MM-DD), one per file in file order (repeat).")
  var collectionDate: [String] = []

  @Option(help: "Diagnosis (patient attribute).")
  var diagnosis: String?

  @Option(help: "CAR T product (patient attribute).")
  var product: String?

  @Option(name: .customLong("infusion-date"), help: "Infusion date YYYY-MM-DD (repeat for re-treatment; patient attribute).")
  var infusionDate: [String] = []

  @Option(help: "Age in years (patient attribute).")
  var age: Int?

  @Option(help: "Sex (patient attribute).")
  var sex: String?

  func validate() throws {
    for d in infusionDate where Self.parseDate(d) == nil { throw ValidationError("--infusion-date takes YYYY-MM-DD, got '\(d)'") }
  }

  /// Checks one `--collection-date` per file, or none.
  func validate(fileCount: Int) throws {
    if !collectionDate.isEmpty && collectionDate.count != fileCount {
      throw ValidationError("give one --collection-date per file or none")
    }
  }

  /// The options given, by their flag (for "does not apply" messages).
  var given: [String] {
    var out: [String] = []
    if note != nil { out.append("--note") }
    if !collectionDate.isEmpty { out.append("--collection-date") }
    if diagnosis != nil { out.append("--diagnosis") }
    if product != nil { out.append("--product") }
    if !infusionDate.isEmpty { out.append("--infusion-date") }
    if age != nil { out.append("--age") }
    if sex != nil { out.append("--sex") }
    return out
  }

  /// The patient attributes to store.
  var patientAttributes: PatientAttributes {
    PatientAttributes(diagnosis: diagnosis, product: product, infusionDates: infusionDate, age: age, sex: sex)
  }

  /// The collection date of file `i`, when given.
  func collectionDate(ofFile i: Int) -> String? { collectionDate.isEmpty ? nil : collectionDate[i] }

  /// The day of a visit from dates, as `ingest --manifest` computes it for a date without a
  /// day: whole days from infusion `infusion`'s date to the collection date, rounded.
  /// - Returns: `nil` when a date is not `YYYY-MM-DD` or there is no infusion date `infusion`.
  static func day(collectionDate: String, infusionDates: [String], infusion: Int) -> Double? {
    guard let drawn = parseDate(collectionDate), infusion >= 1, infusion <= infusionDates.count,
      let given = parseDate(infusionDates[infusion - 1])
    else { return nil }
    return (drawn.timeIntervalSince(given) / 86_400).rounded()
  }

  /// The days of the files from `--collection-date` (one per file) and `--infusion-date`
  /// (infusion `infusion`'s), when no `--day` is given: `analyze … -o` without `--day`.
  /// - Throws: `ValidationError` naming the date that cannot give a day.
  func days(fileCount: Int, infusion: Int) throws -> [Double] {
    guard !collectionDate.isEmpty else { return [] }
    guard collectionDate.count == fileCount else { throw ValidationError("give one --collection-date per file or none") }
    return try collectionDate.map { d in
      guard Self.parseDate(d) != nil else { throw ValidationError("--collection-date takes YYYY-MM-DD, got '\(d)'") }
      guard let day = Self.day(collectionDate: d, infusionDates: infusionDate, infusion: infusion) else {
        throw ValidationError("a --collection-date without --day needs infusion \(infusion)'s date: give --infusion-date (one per infusion, first first)")
      }
      return day
    }
  }

  /// `YYYY-MM-DD` as a UTC date.
  static func parseDate(_ s: String) -> Date? {
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = TimeZone(identifier: "UTC")
    f.dateFormat = "yyyy-MM-dd"
    return f.date(from: s)
  }
}
