import ArgumentParser
import CytoClinical
import CytoStore
import Foundation

/// `cytoreset clinical`: lab values, treatments and adverse events beside the flow results.
struct ClinicalCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "clinical",
    abstract: "Import and list clinical data (lab values, CRS/ICANS, IVIG, treatments, scores) in a cohort store.",
    discussion: reflow("""
      Lab values and events come from CSV files (docs/clinical-data.md) and are stored in the
      store's /clinical tables (docs/store-schema.md, "Clinical data").

      EXAMPLES
        cytoreset clinical import --store cohort.h5 labs.csv
        cytoreset clinical import --store cohort.h5 events.csv --kind events
        cytoreset clinical list --store cohort.h5 --patient P01
        cytoreset clinical rules --store cohort.h5 --alc-window-days 0
      """),
    subcommands: [ClinicalImport.self, ClinicalList.self, ClinicalRulesCommand.self])
}

extension ClinicalFileKind: ExpressibleByArgument {}

/// `cytoreset clinical import`.
struct ClinicalImport: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Import a lab or events CSV into the store: the whole file or nothing.",
    discussion: reflow("""
      A lab CSV has a header row and the columns patient, date and/or day (days since the
      patient's first infusion; a date alone needs the infusion date stored with the patient),
      analyte, value, unit, and optionally lloq, method, source. Values are converted to each
      analyte's canonical unit (IgG 420 mg/dL is stored as 4.2 g/L, ALC 1.2 10^9/L as 1200
      cells/µL); <0.5 is stored as a bound, never as 0. An analyte outside the vocabulary is
      stored with its unit as given, and a warning says so.

      An events CSV has the columns patient, start (date or day), kind (CRS, ICANS, IVIG,
      tocilizumab, corticosteroids, infection, re-treatment, disease-activity), and optionally
      end, grade (ASTCT 1–4, required for CRS and ICANS), dose (IVIG: g/kg, required), dose_unit,
      value (a score's value), detail, source. --kind is taken from the header (analyte: labs,
      kind: events) when not given.

      Any error refuses the whole file: every error is printed as file:line:column: field:
      message [code], the exit code is 1 and the store is not changed. The same file imported
      again changes nothing (its SHA-256 is recorded); a corrected value for the same patient,
      day, analyte and source becomes a new version, the old one kept.

      A lab import gives every visit of the file's patients that has no count method of its
      own (no beads, no --alc) the dual-platform count of the nearest measured lab ALC within
      the store's ALC window (clinical rules), in the same commit: each visit whose count
      changes gets a new analysis version, listed one line each, and its patient's series are
      rebuilt (docs/clinical-data.md, "Dual-platform counts from lab ALC").

      EXAMPLES
        cytoreset clinical import --store cohort.h5 labs.csv
        cytoreset clinical import --store cohort.h5 adverse-events.csv --kind events
      """))

  @Option(help: "The HDF5 store (created when missing).")
  var store: String

  @Argument(help: "The CSV file.")
  var file: String

  @Option(help: "labs or events (default: from the header).")
  var kind: ClinicalFileKind?

  func run() throws {
    let bytes: [UInt8]
    do { bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file))) } catch {
      printError("cytoreset: \(file): cannot read the file: \(error.localizedDescription)")
      throw ExitCode(1)
    }
    let outcome: ClinicalImportOutcome
    do { outcome = try CohortStore.importClinical(bytes, fileName: file, kind: kind, into: store, cytoresetVersion: CytoResetVersion.current) } catch {
      switch error {
      case .refused(let f):
        for issue in f.issues { printError(issue.description) }
        printError("cytoreset: \(file): refused (\(f.issues.count) error\(f.issues.count == 1 ? "" : "s")); the store was not changed")
      case .store(let e): printError("cytoreset: \(e)")
      }
      throw ExitCode(1)
    }
    for w in outcome.warnings { printError(w.description) }
    if let when = outcome.alreadyImported {
      print("\(file): already imported on \(when) (same SHA-256); nothing changed")
      return
    }
    let rows = outcome.kind == .labs ? "values" : "events"
    var line = "\(file): \(outcome.kind.rawValue): \(outcome.added) \(rows) stored, \(outcome.unchanged) unchanged, "
      + "\(outcome.newVersions) new version\(outcome.newVersions == 1 ? "" : "s")"
    if outcome.identicalDuplicates > 0 { line += ", \(outcome.identicalDuplicates) identical duplicate row\(outcome.identicalDuplicates == 1 ? "" : "s") skipped" }
    let free = outcome.warnings.filter { $0.code == .freeAnalyte }.count
    line += ", \(outcome.warnings.count) warning\(outcome.warnings.count == 1 ? "" : "s")"
    if free > 0 { line += " (\(free) free analyte\(free == 1 ? "" : "s") stored unconverted)" }
    if !outcome.changedStore { line += "; nothing changed" }
    print(line)
    for c in outcome.labCounts { print(c.description) }
  }
}

/// `cytoreset clinical list`.
struct ClinicalList: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "list",
    abstract: "Print the clinical data stored (TSV or JSON).",
    discussion: reflow("""
      TSV, labs: patient, day, date, analyte, loinc, value, less_than, greater_than, unit, lloq,
      method, source, version, superseded_by, value_as_given, unit_as_given. A bound has an
      empty value and the bound in less_than or greater_than — never 0.
      TSV, events: patient, kind, start_day, start_date, end_day, end_date, grade, dose,
      dose_unit, value, detail, source, version, superseded_by.
      In TSV cells a backslash, tab, line feed and carriage return are written \\\\, \\t, \\n,
      \\r. JSON (schema cytoreset.clinical-list/1, docs/cli-json.md) holds the text verbatim and
      the imports.

      EXAMPLES
        cytoreset clinical list --store cohort.h5
        cytoreset clinical list --store cohort.h5 --patient P01 --kind events --format json
      """))

  enum Format: String, ExpressibleByArgument, CaseIterable { case tsv, json }

  @Option(help: "The HDF5 store.")
  var store: String

  @Option(help: "Only this patient.")
  var patient: String?

  @Option(help: "labs or events.")
  var kind: ClinicalFileKind = .labs

  @Option(help: "Output format: tsv or json.")
  var format: Format = .tsv

  @Flag(help: "Also the superseded versions.")
  var allVersions = false

  func run() throws {
    let reader = try openStore(store)
    var out = StandardOutput()
    switch kind {
    case .labs:
      let labs = try readStore { () throws(StoreError) in try reader.labValues(of: patient, includingSuperseded: allVersions) }
      if format == .json {
        let imports = try readStore { () throws(StoreError) in try reader.clinicalImports() }
        out.write(ClinicalListDocument.json(labs: labs, events: nil, imports: imports, store: store, patient: patient))
      } else {
        out.write(ClinicalListDocument.labHeader.joined(separator: "\t") + "\n")
        for l in labs { out.write(ClinicalListDocument.tsv(l).map(tsvCell).joined(separator: "\t") + "\n") }
      }
    case .events:
      let events = try readStore { () throws(StoreError) in try reader.clinicalEvents(of: patient, includingSuperseded: allVersions) }
      if format == .json {
        let imports = try readStore { () throws(StoreError) in try reader.clinicalImports() }
        out.write(ClinicalListDocument.json(labs: nil, events: events, imports: imports, store: store, patient: patient))
      } else {
        out.write(ClinicalListDocument.eventHeader.joined(separator: "\t") + "\n")
        for e in events { out.write(ClinicalListDocument.tsv(e).map(tsvCell).joined(separator: "\t") + "\n") }
      }
    }
    out.flush()
  }
}

/// A TSV cell: backslash, tab, LF and CR escaped so a row stays one line.
func tsvCell(_ s: String) -> String {
  var r = ""
  for c in s.unicodeScalars {
    switch c {
    case "\\": r += "\\\\"
    case "\t": r += "\\t"
    case "\n": r += "\\n"
    case "\r": r += "\\r"
    default: r.unicodeScalars.append(c)
    }
  }
  return r
}
