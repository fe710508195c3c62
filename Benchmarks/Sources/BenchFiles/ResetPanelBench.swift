import CytoClinical
import CytoCore
import CytoFCS
import CytoSimulation
import Foundation

/// A simulated reset-panel benchmark file (`reset-1e6x15-f32.fcs`): one tube of the built-in
/// reset panel written by `CytoSimulation.SampleSimulator`, seeded, with the tube scaled so
/// that the requested number of events is acquired.
///
/// The simulator acquires at most the whole tube (default 50 µL of blood, 50,000 beads: about
/// 4·10⁵ events), so blood volume and beads are scaled with the event count (50 µL and 50,000
/// beads per 10⁵ events): the composition — and so every population's share of the events — is
/// the same in every size. The composition is the simulator's default (a pre-therapy sample:
/// 250 B cells/µL) with 2 % CAR⁺ T cells, so every population of the panel is populated.
public struct ResetPanelFile: Sendable {
  public let events: Int

  /// The simulated instrument's 15 channels (3 scatter, 11 fluorescence, Time).
  public static var channels: Int { SimulatedInstrument.channels.count }

  public var label: String { BenchFile(events: events, channels: ResetPanelFile.channels).label }
  public var fileName: String { "reset-\(label)-f32.fcs" }
  public var path: String { BenchFile.dataDirectory + "/" + fileName }
  /// Bytes of DATA (float32).
  public var dataBytes: Int { events * ResetPanelFile.channels * 4 }

  /// Changing the simulation settings must change this, so that old files are rebuilt.
  public static let generatorVersion = "cytoreset-bench-reset-v1"

  /// The reset-panel files, smallest first.
  public static let all: [ResetPanelFile] = [
    ResetPanelFile(events: 100_000), ResetPanelFile(events: 1_000_000), ResetPanelFile(events: 10_000_000),
  ]

  public init(events: Int) { self.events = events }

  /// 50 µL of blood and 50,000 beads per 10⁵ events.
  public var tube: TubeSetup {
    let k = Double(events) / 100_000
    return TubeSetup(bloodVolumeMicroliters: 50 * k, beadsPerTest: 50_000 * k)
  }

  public var simulator: SampleSimulator {
    var c = SampleComposition()
    c.carPercentOfT = 2
    return SampleSimulator(composition: c, tube: tube, events: events, seed: 20_250_007 &+ UInt64(events), patient: "BENCH", day: 90)
  }

  /// The single-platform count method matching ``tube``.
  public var countMethod: AbsoluteCountMethod {
    .singlePlatform(beadsPerTest: tube.beadsPerTest, bloodVolumeMicroliters: tube.bloodVolumeMicroliters)
  }

  /// Whether the file at ``path`` is what the current generator writes.
  public var isUpToDate: Bool {
    guard let f = try? FCSFile(contentsOf: path), f.dataSets.count == 1 else { return false }
    let ds = f.dataSets[0]
    // The simulator writes about `events` events (rounding of the per-kind counts).
    return abs(ds.eventCount - events) <= events / 100 && ds.parameters.count == ResetPanelFile.channels
      && ds.keywords["CYTORESET_BENCH"] == ResetPanelFile.generatorVersion
  }

  /// Simulates the tube and writes it (no truth file: the benchmarks do not check results).
  /// Returns the number of events written.
  @discardableResult
  public func generate() throws -> Int {
    try FileManager.default.createDirectory(atPath: BenchFile.dataDirectory, withIntermediateDirectories: true)
    var (table, _) = try simulator.simulate()
    table.keywords["$FIL"] = fileName
    table.keywords["CYTORESET_BENCH"] = ResetPanelFile.generatorVersion
    try FCSWriter.write(table, to: path)
    return table.events.eventCount
  }

  /// The analyzer `cytoreset analyze FILE --beads-per-test … --blood-ul …` uses: the built-in
  /// reset panel, the tube's single-platform count, no statistics.
  public var analyzer: VisitAnalyzer {
    get throws { VisitAnalyzer(panel: try PanelDefinition.reset, countMethod: countMethod) }
  }

  /// The visit every benchmark analysis is filed under.
  public static let visit = VisitInfo(patient: "BENCH", day: 90)

  /// The first (only) data set of the file, parsed (DATA is decoded by the analysis).
  public func dataSet() throws -> FCSDataSet { try FCSFile(contentsOf: path).dataSets[0] }

  /// `cytoreset analyze` of one file, the file already parsed.
  @inline(never)
  public static func analyze(_ dataSet: FCSDataSet, analyzer: VisitAnalyzer, file: String) throws -> VisitAnalysis {
    try analyzer.analyze(dataSet, file: file, visit: visit)
  }
}
