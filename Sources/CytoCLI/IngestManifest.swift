import ArgumentParser
import CytoClinical
import CytoStore
import Foundation

extension Ingest {
  /// The visits from the arguments or the manifest.
  func jobs() throws -> [VisitJob] {
    guard let manifest else {
      return files.indices.map {
        VisitJob(path: files[$0], patient: patient!, day: day[$0], infusion: infusion, method: analysis.countMethod, note: record.note ?? "",
            collectionDate: record.collectionDate(ofFile: $0))
      }
    }
    let text: String
    do { text = try String(contentsOfFile: manifest, encoding: .utf8) } catch {
      throw ValidationError("\(manifest): cannot read the manifest: \(error.localizedDescription)")
    }
    let rows = ManifestCSV.parse(text)
    guard let header = rows.first?.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) else {
      throw ValidationError("\(manifest): empty manifest")
    }
    guard header.contains("file") else { throw ValidationError("\(manifest): the header has no 'file' column") }
    let base = (manifest as NSString).deletingLastPathComponent
    var out: [VisitJob] = []
    for (n, row) in rows.dropFirst().enumerated() where !row.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
      let line = n + 2
      func field(_ name: String) -> String? {
        guard let i = header.firstIndex(of: name), i < row.count else { return nil }
        let v = row[i].trimmingCharacters(in: .whitespaces)
        return v.isEmpty ? nil : v
      }
      func number(_ name: String) throws -> Double? {
        guard let s = field(name) else { return nil }
        guard let v = Double(s), v.isFinite else { throw ValidationError("\(manifest):\(line): \(name) '\(s)' is not a number") }
        return v
      }
      guard let file = field("file") else { throw ValidationError("\(manifest):\(line): no file") }
      guard let p = field("patient") ?? patient else { throw ValidationError("\(manifest):\(line): no patient (column or --patient)") }
      guard StoreSchema.isValidPatientID(p) else { throw ValidationError("\(manifest):\(line): invalid patient id '\(p)'") }
      let inf = try number("infusion").map { Int($0) } ?? infusion
      let date = field("collection_date") ?? field("date")
      var d = try number("day")
      if d == nil, let date {
        guard VisitRecordOptions.parseDate(date) != nil else { throw ValidationError("\(manifest):\(line): date '\(date)' is not YYYY-MM-DD") }
        let dates = record.infusionDate.isEmpty ? ((try? CohortStoreReader(path: store).patientAttributes(p).infusionDates) ?? []) : record.infusionDate
        guard let fromDates = VisitRecordOptions.day(collectionDate: date, infusionDates: dates, infusion: inf) else {
          throw ValidationError("\(manifest):\(line): a date without a day needs infusion date \(inf) (--infusion-date, or stored for \(p))")
        }
        d = fromDates
      }
      guard let d else { throw ValidationError("\(manifest):\(line): no day (or date)") }
      var method = analysis.countMethod
      if let b = try number("beads_per_test"), let v = try number("blood_ul") {
        method = .singlePlatform(beadsPerTest: b, bloodVolumeMicroliters: v)
      } else if let a = try number("alc") {
        method = .dualPlatform(lymphocytesPerMicroliter: a)
      }
      let path = file.hasPrefix("/") || base.isEmpty ? file : (base as NSString).appendingPathComponent(file)
      out.append(VisitJob(path: path, patient: p, day: d, infusion: inf, method: method, note: field("note") ?? record.note ?? "", collectionDate: date))
    }
    if out.isEmpty { throw ValidationError("\(manifest): no visits") }
    return out
  }
}

/// A small RFC 4180 reader: commas, double-quoted fields with "" escapes, CRLF or LF.
enum ManifestCSV {
  static func parse(_ text: String) -> [[String]] {
    var rows: [[String]] = []
    var row: [String] = []
    var field = ""
    var quoted = false
    var chars = Array(text.unicodeScalars)[...]
    while let c = chars.popFirst() {
      if quoted {
        if c == "\"" {
          if chars.first == "\"" {
            field.unicodeScalars.append("\"")
            chars.removeFirst()
          } else {
            quoted = false
          }
        } else {
          field.unicodeScalars.append(c)
        }
        continue
      }
      switch c {
      case "\"": quoted = true
      case ",":
        row.append(field)
        field = ""
      case "\r": continue
      case "\n":
        row.append(field)
        rows.append(row)
        row = []
        field = ""
      default: field.unicodeScalars.append(c)
      }
    }
    if !field.isEmpty || !row.isEmpty {
      row.append(field)
      rows.append(row)
    }
    return rows
  }
}
