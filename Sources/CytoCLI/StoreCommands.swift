import ArgumentParser
import CytoClinical
import CytoCore
import CytoStore
import Foundation

/// Opens a store for reading, turning a store error into a message and exit code 1.
func openStore(_ path: String) throws -> CohortStoreReader {
  do { return try CohortStoreReader(path: path) } catch {
    printError("cytoreset: \(error)")
    throw ExitCode(1)
  }
}

/// Runs a store read, turning a store error into a message and exit code 1.
func readStore<T>(_ body: () throws(StoreError) -> T) throws -> T {
  do { return try body() } catch {
    printError("cytoreset: \(error)")
    throw ExitCode(1)
  }
}

/// A cell for TSV/CSV: the value, `<bound` below the LLOQ, empty when missing.
func storedValueText(_ q: Quantity?) -> String {
  guard let q else { return "" }
  if let v = q.value { return v.compactText }
  return "<" + (q.lessThan ?? .nan).compactText
}

/// `cytoreset series`: a patient's stored series and the kinetics recomputed from them.
struct SeriesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "series",
    abstract: "Print a patient's series from the store, with kinetics recomputed from them (JSON).",
    discussion: reflow("""
      TSV: one row per metric and visit (metric, unit, infusion, day, visit, analysis, value,
      less_than, below_lloq, lower95, upper95, events, method, then record=flow and the empty
      clinical columns greater_than, source, version, date, loinc, end_day, grade, dose,
      dose_unit, detail); a value below the LLOQ has an empty value and its bound in less_than
      — never 0. Without --metric, the patient's lab values (record=lab, metric = analyte) and
      events (record=event, metric = kind) follow, day counted from the first infusion.
      JSON (schema cytoreset.series/1): the series, the visits (with the lab ALC of a
      lab-derived dual-platform count), the lab values and events, and per infusion the
      B-cell course and CAR T kinetics (Cmax, Tmax, AUC, Tlast), computed from the stored
      series on every call. Layout: docs/cli-json.md.

      EXAMPLES
        cytoreset series --store cohort.h5 --patient P01
        cytoreset series --store cohort.h5 --patient P01 --metric cd19_per_ul --format json
      """))

  enum Format: String, ExpressibleByArgument, CaseIterable { case tsv, json }

  @Option(help: "The HDF5 store.")
  var store: String

  @Option(help: "Patient id.")
  var patient: String

  @Option(help: "Only this metric (e.g. cd19_per_ul, car_pct_cd3); default all.")
  var metric: [String] = []

  @Option(help: "Output format: tsv or json.")
  var format: Format = .tsv

  func run() throws {
    let reader = try openStore(store)
    let available = try readStore { () throws(StoreError) in try reader.seriesNames(of: patient) }
    for m in metric where !available.contains(m) {
      printError("cytoreset: \(store): patient \(patient) has no series '\(m)' (series: \(available.joined(separator: ", ")))")
      throw ExitCode(1)
    }
    let names = metric.isEmpty ? available : metric
    var series: [StoredSeries] = []
    for n in names { series.append(try readStore { () throws(StoreError) in try reader.series(of: patient, metric: n) }) }
    var out = StandardOutput()
    switch format {
    case .tsv:
      out.write((["metric", "unit", "infusion", "day", "visit", "analysis", "value", "less_than", "below_lloq", "lower95", "upper95", "events",
                  "method"] + ClinicalRows.extraColumns).joined(separator: "\t") + "\n")
      for s in series {
        for p in s.points {
          let q = p.quantity
          let cells = [
            s.metric, s.unit, String(p.infusion), p.day.compactText, p.visit, String(p.analysis), q?.value?.compactText ?? "",
            q?.lessThan?.compactText ?? "", q.map { $0.isBelowLLOQ ? "true" : "false" } ?? "", q?.lower95.compactText ?? "",
            q?.upper95.compactText ?? "", q.map { String($0.events) } ?? "", p.method ?? "",
          ] + ClinicalRows.flowExtra
          out.write(cells.joined(separator: "\t") + "\n")
        }
      }
      if metric.isEmpty {
        // The patient's lab values and events, in the same columns (metric = analyte or kind).
        for row in try ClinicalRows.rows(reader, patient: patient) {
          let (day, rest) = (row[2], Array(row[5...]))
          out.write(([rest[0], rest[1], "", day, "", ""] + rest[2...]).map(tsvCell).joined(separator: "\t") + "\n")
        }
      }
    case .json:
      let kinetics = try readStore { () throws(StoreError) in try reader.kinetics(of: patient) }
      let visits = try readStore { () throws(StoreError) in try reader.seriesVisits(of: patient) }
      let labs = try readStore { () throws(StoreError) in try reader.labValues(of: patient) }
      let events = try readStore { () throws(StoreError) in try reader.clinicalEvents(of: patient) }
      let doc = SeriesDocument(patient: patient, store: store, series: series.map(SeriesDocument.Series.init), kinetics: kinetics,
                               visits: visits.map(SeriesDocument.Visit.init),
                               labs: labs.map { ClinicalListDocument.Lab($0) }, events: events.map { ClinicalListDocument.Event($0) })
      let e = JSONEncoder()
      e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
      out.write(String(decoding: try e.encode(doc), as: UTF8.self) + "\n")
    }
    out.flush()
  }
}

/// The JSON of `cytoreset series` (schema `cytoreset.series/1`).
struct SeriesDocument: Encodable {
  var schema = "cytoreset.series/1"
  var patient: String
  var store: String
  var series: [Series]
  var kinetics: [StoredKinetics]
  /// The visits the series run over, with the lab ALC of a lab-derived count.
  var visits: [Visit]
  /// The patient's lab values and events (current versions), as `clinical list` prints them.
  var labs: [ClinicalListDocument.Lab]
  var events: [ClinicalListDocument.Event]

  struct Visit: Encodable {
    var visit: String
    var infusion: Int
    var day: Double
    var countMethod: String
    var labALC: CohortStoreReader.VisitCallsRow.LabALC?
    init(_ v: CohortStoreReader.VisitCallsRow) {
      visit = v.visit
      infusion = v.infusion
      day = v.day
      countMethod = v.countMethod
      labALC = v.labALC
    }
  }

  struct Series: Encodable {
    var metric: String
    var unit: String
    var description: String
    var points: [Point]
    init(_ s: StoredSeries) {
      metric = s.metric
      unit = s.unit
      description = s.description
      points = s.points.map {
        Point(visit: $0.visit, infusion: $0.infusion, day: $0.day, analysis: $0.analysis, value: $0.quantity?.value,
              lessThan: $0.quantity?.lessThan, belowLLOQ: $0.quantity?.isBelowLLOQ, lower95: $0.quantity?.lower95,
              upper95: $0.quantity?.upper95, events: $0.quantity?.events, method: $0.method)
      }
    }
  }

  struct Point: Encodable {
    var visit: String
    var infusion: Int
    var day: Double
    var analysis: Int
    var value: Double?
    var lessThan: Double?
    var belowLLOQ: Bool?
    var lower95: Double?
    var upper95: Double?
    var events: Int?
    var method: String?
  }
}

/// `cytoreset patients`: the patients in a store.
struct PatientsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "patients",
    abstract: "List the patients of a store: attributes, visits and days (TSV).",
    discussion: reflow("""
      Columns: patient, diagnosis, product, infusion_dates (;-separated), age, sex, visits,
      first_day, last_day, analyses (analysis versions stored over all visits), events_kept.

      EXAMPLE
        cytoreset patients --store cohort.h5
      """))

  @Option(help: "The HDF5 store.")
  var store: String

  func run() throws {
    let reader = try openStore(store)
    var out = StandardOutput()
    out.write("patient\tdiagnosis\tproduct\tinfusion_dates\tage\tsex\tvisits\tfirst_day\tlast_day\tanalyses\tevents_kept\n")
    for id in try readStore({ () throws(StoreError) in try reader.patientIDs() }) {
      let a = try readStore { () throws(StoreError) in try reader.patientAttributes(id) }
      let visits = try readStore { () throws(StoreError) in try reader.visits(of: id) }
      let days = visits.map(\.day)
      let cells = [
        id, a.diagnosis ?? "", a.product ?? "", a.infusionDates.joined(separator: ";"), a.age.map(String.init) ?? "", a.sex ?? "",
        String(visits.count), days.min()?.compactText ?? "", days.max()?.compactText ?? "",
        String(visits.reduce(0) { $0 + $1.analyses.count }), String(visits.filter(\.hasEvents).count),
      ]
      out.write(cells.joined(separator: "\t") + "\n")
    }
    out.flush()
  }
}

/// `cytoreset export-store`: every series of every patient as one tidy long table.
struct ExportStore: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export-store",
    abstract: "Export every stored series as one tidy long CSV table (one row per patient × visit × metric) for R or pandas.",
    discussion: reflow("""
      Columns: patient, infusion, day, visit, analysis, metric, unit, value, less_than,
      below_lloq, lower95, upper95, events, method, record, greater_than, source, version,
      date, loinc, end_day, grade, dose, dose_unit, detail. A value below the LLOQ has an empty
      value, below_lloq=true and its bound in less_than (never 0); a value the visit does not
      have (no absolute count) leaves value and less_than empty with below_lloq=false.

      record is flow for the flow series (patients in id order, their series and visits in
      order), lab for a lab value and event for a clinical event (current versions, after the
      patient's flow rows). Lab and event rows leave infusion, visit and analysis empty: their
      day counts from the patient's first infusion; metric is the analyte (unit canonical, a
      bound in less_than or greater_than) or the event kind (start day; value a score's
      value). Fields with a comma, quote or line break are quoted (RFC 4180). Layout:
      docs/cli-json.md, "Tidy tables".

      EXAMPLES
        cytoreset export-store --store cohort.h5 --format csv -o cohort.csv
        Rscript -e 'd <- read.csv("cohort.csv")'
      """))

  enum Format: String, ExpressibleByArgument, CaseIterable { case csv }

  @Option(help: "The HDF5 store.")
  var store: String

  @Option(help: "Output format (csv).")
  var format: Format = .csv

  @Option(name: .shortAndLong, help: "Output file (default: standard output).")
  var output: String?

  func run() throws {
    let reader = try openStore(store)
    var text = (["patient", "infusion", "day", "visit", "analysis", "metric", "unit", "value", "less_than", "below_lloq", "lower95", "upper95",
                 "events", "method"] + ClinicalRows.extraColumns).joined(separator: ",") + "\n"
    let csv = rfc4180Field
    var out = StandardOutput()
    let flowPatients = try readStore({ () throws(StoreError) in try reader.patientIDs() })
    for id in Array(Set(flowPatients + (try ClinicalRows.patients(reader)))).sorted() {
      for s in flowPatients.contains(id) ? try readStore({ () throws(StoreError) in try reader.series(of: id) }) : [] {
        for p in s.points {
          let q = p.quantity
          let cells = [
            id, String(p.infusion), p.day.compactText, p.visit, String(p.analysis), s.metric, s.unit, q?.value?.compactText ?? "",
            q?.lessThan?.compactText ?? "", (q?.isBelowLLOQ ?? false) ? "true" : "false", q?.lower95.compactText ?? "",
            q?.upper95.compactText ?? "", q.map { String($0.events) } ?? "", p.method ?? "",
          ] + ClinicalRows.flowExtra
          text += cells.map(csv).joined(separator: ",") + "\n"
        }
        if output == nil && text.utf8.count > 1 << 16 {
          out.write(text)
          text = ""
        }
      }
      for row in try ClinicalRows.rows(reader, patient: id) { text += row.map(csv).joined(separator: ",") + "\n" }
    }
    if let output {
      try AtomicText.write(Data(text.utf8), to: output)
    } else {
      out.write(text)
      out.flush()
    }
  }
}
