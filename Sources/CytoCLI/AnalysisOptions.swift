import ArgumentParser
import CytoClinical
import CytoGating

/// The options of an analysis, shared by `analyze` and `ingest`: panel, absolute-count method,
/// cut overrides, statistics and data set.
struct AnalysisOptions: ParsableArguments {
  @Option(help: "Panel: 'reset' (built in) or a panel JSON file.")
  var panel = "reset"

  @Option(name: .customLong("beads-per-test"), help: "Counting beads per tube (single-platform counts, with --blood-ul).")
  var beadsPerTest: Double?

  @Option(name: .customLong("blood-ul"), help: "µL of blood in the tube (single-platform counts).")
  var bloodMicroliters: Double?

  @Option(help: "Absolute lymphocyte count from the haematology analyser, cells/µL (dual-platform counts).")
  var alc: Double?

  @Option(help: "Override a cut for this analysis: NAME=VALUE in display units (repeatable).")
  var cut: [String] = []

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

  /// The panel, or exit code 2 with the panel error on stderr.
  func loadPanel() throws -> PanelDefinition {
    do { return try PanelDefinition.named(panel) } catch {
      printError("cytoreset: \(error)")
      throw ExitCode(2)
    }
  }
}
