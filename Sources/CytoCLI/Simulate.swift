import ArgumentParser
import CytoCore
import CytoFCS
import CytoSimulation
import Foundation

/// `cytoreset simulate`: realistic panel files with known truth.
struct Simulate: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write simulated FCS files with known truth (a .truth.json beside each file), on any of several instruments.",
    discussion: reflow("""
      Each file holds leukocytes (T cells with CD4/CD8 and CAR⁺ subsets, naive, transitional,
      memory and double-negative B cells, plasmablasts, NK cells, monocytes, granulocytes), dead
      cells, doublets, debris and, when the tube has them, counting beads, measured the way the
      chosen instrument measures: its channels and labels, scatter voltages and range,
      autofluorescence, spillover (stored in $SPILLOVER, possibly a few percent off what was
      applied), spectral spreading or mass-cytometry ion counts, and noise. Event counts follow
      the concentrations exactly (events = fraction of tube acquired × µL blood × cells/µL), so
      the truth is exact. Seeded and deterministic.

      One sample (default): the composition options below. A patient's visits: --timeline
      writes one file per visit (baseline day −7, days 7, 14, 28, 60, 90, 120, 180, 365 unless
      --days is given) following a CAR T course drawn from the seed: B cells vanish after
      infusion, CAR T cells peak near days 7–14 and decline, B cells return around day 100
      mostly naive. It also writes <patient>.visits.csv (file, patient, day, beads per test,
      blood µL; without counting beads also alc, the lymphocytes/µL for a dual-platform count)
      for `cytoreset analyze`/`ingest`, and the course's lab values and events for `cytoreset
      clinical import`: <patient>.labs.csv (IgG falling during aplasia, CAR transgene copies,
      ALC) and <patient>.events.csv (a grade-1 CRS on day 2, one IVIG course).

      INSTRUMENTS (--instrument NAME; --list-instruments describes each; default reference,
      the 11-colour reset panel whose files never change):
      \(stride(from: 0, to: InstrumentProfile.builtIn.count, by: 3).map { i in
        "  " + InstrumentProfile.builtIn[i..<min(i + 3, InstrumentProfile.builtIn.count)].map(\.name).joined(separator: ", ")
      }.joined(separator: "\n"))
      --instrument also takes a profile JSON file: start from `--show-instrument NAME`.

      The truth JSON (schema cytoreset.simulation-truth/1) gives, per population id, the live
      single-cell events written and the cells/µL they represent, the instrument, the markers
      the tube carried and what every channel measures (docs/simulation.md).

      EXAMPLES
        cytoreset simulate -o baseline.fcs --events 100000 --seed 1
        cytoreset simulate -o aplasia.fcs --cd19 0 --car-percent 5
        cytoreset simulate -o tbnk.fcs --instrument canto-tbnk --seed 2
        cytoreset simulate -o cytof.fcs --instrument cytof-bcell --events 50000
        cytoreset simulate --list-instruments
        cytoreset simulate --show-instrument navios-blineage > my-navios.json
        cytoreset simulate -o mine.fcs --instrument my-navios.json
        cytoreset simulate --timeline --patient P01 --seed 11 -o visits/P01
        cytoreset simulate --timeline --patient P02 --instrument reset-residue-5 --days -3,7,14,28,100 -o visits/P02
      """))

  @Option(name: .shortAndLong, help: "Output FCS file, or the output directory with --timeline.")
  var output: String?

  @Option(help: "Instrument profile: a built-in name (see --list-instruments) or a profile JSON file.")
  var instrument = InstrumentProfile.reference.name

  @Flag(name: .customLong("list-instruments"), help: "List the built-in instruments (TSV: name, description) and exit.")
  var listInstruments = false

  @Option(name: .customLong("show-instrument"), help: "Print a built-in instrument profile as JSON (to edit for --instrument FILE.json) and exit.")
  var showInstrument: String?

  @Option(help: "Events per file (the tube may hold fewer).")
  var events = 100_000

  @Option(help: "Random seed.")
  var seed: UInt64 = 1

  @Flag(help: "Write a patient's visits (needs --patient) instead of one sample.")
  var timeline = false

  @Option(help: "Patient id (written to the PATIENT ID keyword and the truth).")
  var patient: String?

  @Option(help: "Comma-separated visit days since infusion for --timeline (default -7,7,14,28,60,90,120,180,365).")
  var days: String?

  @Option(help: "CD19⁺ B cells per µL (plasmablasts excluded).")
  var cd19: Double?

  @Option(name: .customLong("car-percent"), help: "CAR⁺ T cells as % of CD3⁺ T cells.")
  var carPercent: Double?

  @Option(name: .customLong("naive-fraction"), help: "Naive (CD27⁻ IgD⁺) fraction of B cells, 0–1.")
  var naiveFraction: Double?

  @Option(name: .customLong("transitional-fraction"), help: "Transitional (CD24hi CD38hi) fraction of B cells, 0–1.")
  var transitionalFraction: Double?

  @Option(help: "Absolute lymphocyte count, cells/µL.")
  var lymphocytes: Double?

  @Option(help: "Plasmablasts per µL.")
  var plasmablasts: Double?

  @Option(name: .customLong("beads-per-test"), help: "Counting beads per tube.")
  var beadsPerTest: Double = 50_000

  @Option(name: .customLong("blood-ul"), help: "µL of blood in the tube.")
  var bloodMicroliters: Double = 50

  @Option(help: "Day since infusion written to the DAY keyword and the truth (single sample).")
  var day: Int?

  func validate() throws {
    if listInstruments || showInstrument != nil {
      if output != nil || timeline { throw ValidationError("--list-instruments and --show-instrument take no -o or --timeline") }
      if let name = showInstrument { _ = try Self.profile(name) }
      return
    }
    guard output != nil else { throw ValidationError("missing -o/--output (the FCS file, or the directory with --timeline)") }
    _ = try Self.profile(instrument)
    if timeline && patient == nil { throw ValidationError("--timeline needs --patient") }
    if timeline && (cd19 != nil || carPercent != nil || naiveFraction != nil || transitionalFraction != nil || lymphocytes != nil
      || plasmablasts != nil || day != nil)
    {
      throw ValidationError("--timeline draws the composition from the patient's course; drop the composition options and --day")
    }
    if !timeline && days != nil { throw ValidationError("--days needs --timeline") }
    if let days { _ = try parseDays(days) }
  }

  func parseDays(_ s: String) throws -> [Int] {
    let parts = s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    let d = parts.compactMap { Int($0) }
    guard d.count == parts.count, !d.isEmpty else { throw ValidationError("--days takes comma-separated integers, got '\(s)'") }
    guard Set(d).count == d.count else { throw ValidationError("--days has a repeated day") }
    return d
  }

  /// The built-in profile `name`, or the profile in the JSON file `name`, validated.
  static func profile(_ name: String) throws -> InstrumentProfile {
    do {
      if name.hasSuffix(".json") {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: name)) } catch {
          throw ValidationError("cannot read the instrument profile \(name): \(error.localizedDescription)")
        }
        let p: InstrumentProfile
        do { p = try JSONDecoder().decode(InstrumentProfile.self, from: data) } catch {
          throw ValidationError("\(name) is not an instrument profile: \(error)")
        }
        try p.validate()
        return p
      }
      return try InstrumentProfile.named(name)
    } catch let e as SimulationError {
      throw ValidationError(e.description)
    }
  }

  func run() throws {
    if listInstruments {
      var out = "name\tdescription\n"
      for p in InstrumentProfile.builtIn { out += "\(p.name)\t\(p.summary)\n" }
      print(out, terminator: "")
      return
    }
    if let name = showInstrument {
      let enc = JSONEncoder()
      enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      print(String(decoding: try enc.encode(try Self.profile(name)), as: UTF8.self))
      return
    }
    let output = output!
    let instrument = try Self.profile(self.instrument)
    let tube = TubeSetup(bloodVolumeMicroliters: bloodMicroliters, beadsPerTest: beadsPerTest)
    do {
      if timeline {
        try writeTimeline(tube: tube, instrument: instrument, output: output)
      } else {
        var c = SampleComposition()
        if let cd19 { c.bCellsPerMicroliter = cd19 }
        if let carPercent { c.carPercentOfT = carPercent }
        if let naiveFraction { c.naiveFraction = naiveFraction }
        if let transitionalFraction { c.transitionalFraction = transitionalFraction }
        if let lymphocytes { c.lymphocytesPerMicroliter = lymphocytes }
        if let plasmablasts { c.plasmablastsPerMicroliter = plasmablasts }
        let sim = SampleSimulator(composition: c, tube: tube, events: events, seed: seed, patient: patient, day: day, instrument: instrument)
        let truth = try write(sim, to: output)
        let on = instrument.name == InstrumentProfile.reference.name ? "" : " on \(instrument.name)"
        print("wrote \(output)\(on) (\(formatBytes(truth.events)) events, \(truth.populations["BCells"]?.events ?? 0) B cells, "
          + "\(truth.populations["CART"]?.events ?? 0) CAR T cells, \(truth.beadEvents) beads) and \(Self.truthPath(output))")
      }
    } catch let e as SimulationError {
      throw ValidationError(e.description)
    }
  }

  static func truthPath(_ fcs: String) -> String {
    (fcs.hasSuffix(".fcs") ? String(fcs.dropLast(4)) : fcs) + ".truth.json"
  }

  @discardableResult
  func write(_ sim: SampleSimulator, to path: String) throws -> SimulationTruth {
    let (table, truth) = try sim.simulate()
    var t = table
    t.keywords["$FIL"] = URL(fileURLWithPath: path).lastPathComponent
    try FCSWriter.write(t, to: path)
    let enc = JSONEncoder()
    enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    try AtomicText.write(try enc.encode(truth), to: Self.truthPath(path))
    return truth
  }

  func writeTimeline(tube: TubeSetup, instrument: InstrumentProfile, output: String) throws {
    let patient = patient!
    let course = PatientCourse(patient: patient, seed: seed, days: try days.map(parseDays) ?? PatientCourse.standardDays)
    try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
    // Without counting beads the count is dual-platform: the manifest gives the haematology
    // analyser's lymphocyte count (the course's, exact) in an alc column.
    let beads = instrument.countingBeads
    var manifest = "file,patient,day,infusion,beads_per_test,blood_ul" + (beads ? "\n" : ",alc\n")
    let visits = try course.visits(events: events, tube: tube, instrument: instrument)
    for (i, sim) in visits.enumerated() {
      let name = "\(patient)_day\(sim.day! < 0 ? "-" : "+")\(String(format: "%03d", abs(sim.day!))).fcs"
      let path = (output as NSString).appendingPathComponent(name)
      let truth = try write(sim, to: path)
      manifest += "\(name),\(patient),\(sim.day!),1,\(beads ? tube.beadsPerTest.compactText : ""),"
        + "\(tube.bloodVolumeMicroliters.compactText)" + (beads ? "\n" : ",\(sim.composition.lymphocytesPerMicroliter.compactText)\n")
      printError("[\(i + 1)/\(visits.count)] \(path): day \(sim.day!), \(truth.populations["BCells"]?.events ?? 0) B cells, "
        + "\(truth.populations["CART"]?.events ?? 0) CAR T cells")
    }
    let manifestPath = (output as NSString).appendingPathComponent("\(patient).visits.csv")
    try AtomicText.write(Data(manifest.utf8), to: manifestPath)
    // The clinical context of the same course, for `cytoreset clinical import`.
    let labsPath = (output as NSString).appendingPathComponent("\(patient).labs.csv")
    let eventsPath = (output as NSString).appendingPathComponent("\(patient).events.csv")
    try AtomicText.write(Data(course.labsCSV.utf8), to: labsPath)
    try AtomicText.write(Data(course.eventsCSV.utf8), to: eventsPath)
    print("wrote \(visits.count) visits of \(patient) to \(output), \(manifestPath), \(labsPath) and \(eventsPath)")
  }
}

/// Writes a small file atomically: a temporary sibling, then rename.
enum AtomicText {
  static func write(_ data: Data, to path: String) throws {
    try data.write(to: URL(fileURLWithPath: path), options: .atomic)
  }
}
