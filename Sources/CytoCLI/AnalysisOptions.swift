import ArgumentParser
import CytoClinical
import CytoCore
import CytoFCS
import CytoGating

/// The options of an analysis, shared by `analyze` and `ingest`: panel, absolute-count method,
/// cut overrides, statistics and data set.
struct AnalysisOptions: ParsableArguments {
  @Option(help: "Panel: a built-in panel (reset, bcell, tbnk, cart, massbcell), 'auto' (the built-in panel that best covers each file's markers) or a panel JSON file.")
  var panel = "reset"

  @Option(name: .customLong("beads-per-test"), help: "Counting beads per tube (single-platform counts, with --blood-ul).")
  var beadsPerTest: Double?

  @Option(name: .customLong("blood-ul"), help: "µL of blood in the tube (single-platform counts).")
  var bloodMicroliters: Double?

  @Option(help: "Absolute lymphocyte count from the haematology analyser, cells/µL (dual-platform counts).")
  var alc: Double?

  @Option(help: "Override a cut for this analysis: NAME=VALUE in the display units the analysis records for its marker (repeatable).")
  var cut: [String] = []

  @Option(help: "Override a gate for this analysis: ID='x1,y1 x2,y2 x3,y3 …' (polygon vertices) or ID=MIN:MAX (a one-dimensional gate), in the display units the analysis records for that gate (repeatable).")
  var gate: [String] = []

  @Option(help: "Comma-separated statistics per population and marker (mean, median, geomean, sd, cv, rsd, rcv, min, max).")
  var stats: String?

  @Option(name: .customLong("data-set"), help: "Data set index (0-based) in a $NEXTDATA chain.")
  var dataSet = 0

  func validate() throws {
    if (beadsPerTest == nil) != (bloodMicroliters == nil) { throw ValidationError("--beads-per-test and --blood-ul go together") }
    if beadsPerTest != nil && alc != nil {
      throw ValidationError("choose one absolute-count method: --beads-per-test/--blood-ul (single platform) or --alc (dual platform)")
    }
    _ = try overrides()
    _ = try gateOverrides()
    _ = try statistics()
  }

  /// The method the command line gives, if any.
  var countMethod: AbsoluteCountMethod? {
    if let b = beadsPerTest, let v = bloodMicroliters { return .singlePlatform(beadsPerTest: b, bloodVolumeMicroliters: v) }
    if let alc { return .dualPlatform(lymphocytesPerMicroliter: alc) }
    return nil
  }

  /// `--cut NAME=VALUE` as a dictionary.
  func overrides() throws -> [String: Double] {
    var o: [String: Double] = [:]
    for c in cut {
      let parts = c.split(separator: "=", maxSplits: 1).map(String.init)
      guard parts.count == 2, let v = Double(parts[1]), v.isFinite else { throw ValidationError("--cut takes NAME=VALUE, got '\(c)'") }
      o[parts[0]] = v
    }
    return o
  }

  /// `--gate ID=…` as gate overrides.
  func gateOverrides() throws -> [String: GateOverride] {
    var o: [String: GateOverride] = [:]
    for g in gate {
      let parts = g.split(separator: "=", maxSplits: 1).map(String.init)
      guard parts.count == 2, !parts[0].isEmpty else { throw ValidationError("--gate takes ID=VERTICES or ID=MIN:MAX, got '\(g)'") }
      do { o[parts[0]] = try GateOverride(parsing: parts[1]) } catch { throw ValidationError("--gate \(parts[0]): \(error)") }
    }
    return o
  }

  /// `--stats` as statistics.
  func statistics() throws -> [ChannelStatistic] {
    guard let stats else { return [] }
    return try stats.split(separator: ",").map { s in
      guard let st = ChannelStatistic(rawValue: String(s)) else {
        throw ValidationError("unknown statistic '\(s)' (one of \(ChannelStatistic.allCases.map(\.rawValue).joined(separator: ", ")))")
      }
      return st
    }
  }

  /// The panel (or, for `auto`, every built-in panel to choose from per file), or exit code 2
  /// with the panel error on stderr.
  func loadPanel() throws -> PanelChoice {
    do {
      if panel == "auto" { return .auto(try PanelLibrary.all()) }
      return .fixed(try PanelDefinition.named(panel))
    } catch {
      printError("cytoreset: \(error)")
      throw ExitCode(2)
    }
  }
}

/// The panel of an analysis: one for every file, or chosen per file among the built-in panels.
enum PanelChoice {
  case fixed(PanelDefinition)
  case auto([PanelDefinition])

  /// The panel for one data set, and a note saying why when it was chosen.
  func panel(for ds: FCSDataSet, file: String) throws -> (PanelDefinition, Diagnostic?) {
    switch self {
    case .fixed(let p): return (p, nil)
    case .auto(let all):
      let c = try PanelSelection.choose(among: all, dataSet: ds, file: file)
      return (c.panel, Diagnostic(.note, .clinicalPanelChosen, "--panel auto: \(c.reason)", at: SourceLocation(file: file)))
    }
  }

  /// Clinical thresholds for patient courses (every built-in panel shares the defaults).
  var thresholds: ClinicalThresholds {
    switch self {
    case .fixed(let p): p.thresholds
    case .auto(let all): all[0].thresholds
    }
  }

  /// The panels that may be used, in order (the columns of a TSV are their union).
  var candidates: [PanelDefinition] {
    switch self {
    case .fixed(let p): [p]
    case .auto(let all): all
    }
  }
}
