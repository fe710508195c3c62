import CytoCore
import CytoFCS
import CytoGating
import CytoTransforms
import Foundation

/// Who and when a sample is: patient, infusion and day since that infusion.
public struct VisitInfo: Codable, Sendable, Equatable {
  public var patient: String?
  /// Days since infusion (day 0); negative before it.
  public var day: Double?
  /// Which infusion `day` counts from (1 for the first; re-treatment adds infusions).
  public var infusion: Int
  public init(patient: String? = nil, day: Double? = nil, infusion: Int = 1) {
    self.patient = patient
    self.day = day
    self.infusion = infusion
  }
}

/// An absolute count: the value per µL and the method that produced it (never one without the other).
public struct AbsoluteCount: Codable, Sendable, Equatable {
  public var method: AbsoluteCountMethod
  /// cells/µL, with the 95% interval of the cell events and the LLOQ bound.
  public var perMicroliter: Quantity
}

/// One reported population of one sample.
public struct PopulationResult: Codable, Sendable, Equatable {
  public var id: String
  public var path: String
  public var label: String
  public var parent: String?
  public var count: Int
  public var parentCount: Int
  public var percentOfParent: Quantity?
  /// The population the report divides by (``ReportedPopulation/fractionOf``) and the fraction.
  public var fractionOf: String?
  public var percentOf: Quantity?
  public var percentOfLymphocytes: Quantity?
  public var percentOfLeukocytes: Quantity?
  public var absolute: AbsoluteCount?
  /// Requested statistics per marker (compensated linear values): marker → statistic → value.
  public var statistics: [String: [String: Double?]]?
}

/// The clinical reading of one visit.
public struct VisitCalls: Codable, Sendable, Equatable {
  public var bCellAplasia: Call
  /// Naive B cells as % of CD19⁺ B cells.
  public var naivePercentOfB: Quantity?
  /// Naive ≥ the panel's threshold of B cells; `nil` when B cells are below the LLOQ.
  public var predominantlyNaive: Bool?
  /// CAR⁺ T cells as % of CD3⁺ T cells.
  public var carPercentOfT: Quantity?
  public var carTDetectable: Call
  /// The background CAR⁺ % of CD3 the detectability call compared with, and where it came from.
  public var carBackgroundPercentOfT: Double
  public var carBackgroundSource: String

  /// A yes/no call, or `indeterminate` when the data cannot decide (with the reason).
  public struct Call: Codable, Sendable, Equatable {
    public var result: Result
    public var reason: String
    public enum Result: String, Codable, Sendable { case yes, no, indeterminate }
  }
}

/// Everything the analysis of one FCS data set produced (JSON schema `cytoreset.analysis/2`,
/// docs/cli-json.md).
public struct VisitAnalysis: Codable, Sendable, Equatable {
  public var schema = "cytoreset.analysis/2"
  public var file: String
  public var dataSet: Int
  public var visit: VisitInfo
  public var panel: String
  public var panelVersion: String
  public var events: Int
  public var beadEvents: Int?
  public var countMethod: AbsoluteCountMethod?
  /// Which reported populations are the beads, lymphocytes, T, B, CAR T and naive B cells.
  public var roles: PopulationRoles
  public var markers: [MarkerChannel]
  /// Panel markers the file has no channel for.
  public var missingMarkers: [String]?
  public var cuts: [AppliedCut]
  /// How every population was gated in this file (scales, gates, evidence); `nil` in analyses
  /// stored before schema 2.
  public var gating: AppliedGating?
  public var populations: [PopulationResult]
  /// Panel populations not reported for this file, with the reason.
  public var unreported: [UnreportedPopulation]?
  public var calls: VisitCalls
  public var diagnostics: [Diagnostic]
  /// When a FlowJo workspace was the panel: the workspace, its SHA-256, the sample or group
  /// template that gated the file and the population path of each role; `nil` otherwise.
  public var workspace: WorkspaceProvenance?
  /// When a reviewer set this analysis' gates (`cytoreset serve`): who, when, why, the version
  /// it replaces and what changed; `nil` for an analysis whose gates were found in the file.
  public var review: ReviewRecord?
  /// When the dual-platform count came from a lab ALC of the store's clinical data rather than
  /// from the analysis' own options: that lab value (``LabCountSource``); `nil` otherwise
  /// (optional key `labCount`, docs/cli-json.md).
  public var labCount: LabCountSource?

  /// The population with `id`.
  public func population(_ id: String) -> PopulationResult? { populations.first { $0.id == id } }

  /// The Gating-ML strategy this analysis gated its file with (``AppliedGating``), rebuilt
  /// from the record: evaluating it on the same file gives the same counts. `nil` for analyses
  /// stored before schema 2.
  public func recordedStrategy() throws -> GatingStrategy? {
    guard let g = gating else { return nil }
    var byMarker: [String: MarkerChannel] = [:]
    for m in markers { byMarker[m.marker] = m }
    return try g.strategy(markers: byMarker, compensation: .fileSpillover)
  }

  /// The population of a role, when the panel has the role and the analysis reports it.
  public func population(_ id: String?) -> PopulationResult? { id.flatMap { population($0) } }
}

/// Analyses one sample with a panel: resolves markers, gates every population from the file's
/// own events (``AdaptiveGating``), counts, absolute counts and the visit's clinical calls.
public struct VisitAnalyzer: Sendable {
  public var panel: PanelDefinition
  public var countMethod: AbsoluteCountMethod?
  /// Cut values set by the user (display units of the file's scale for the marker), by cut name.
  public var cutOverrides: [String: Double]
  /// Gates set by the user, by population entry id.
  public var gateOverrides: [String: GateOverride]
  /// Statistics per population over every fluorescence marker (compensated values).
  public var statistics: [ChannelStatistic]
  /// CAR⁺ % of CD3 before infusion, when known: the detectability background (its value, or
  /// its upper 95% bound when below the LLOQ).
  public var carBackgroundPercentOfT: Double?

  public init(panel: PanelDefinition, countMethod: AbsoluteCountMethod? = nil, cutOverrides: [String: Double] = [:],
              gateOverrides: [String: GateOverride] = [:], statistics: [ChannelStatistic] = [], carBackgroundPercentOfT: Double? = nil) {
    self.panel = panel
    self.countMethod = countMethod
    self.cutOverrides = cutOverrides
    self.gateOverrides = gateOverrides
    self.statistics = statistics
    self.carBackgroundPercentOfT = carBackgroundPercentOfT
  }

  /// Analyses `dataSet` (read from `file`).
  ///
  /// Without statistics, the file is never held whole: the gates are found in a sample read
  /// event by event (``GatingSample``), and the strategy is applied chunk by chunk keeping only
  /// the counts (``GatingEngine/count(_:chunks:progress:)``), so memory stays bounded at any
  /// number of events. The analysis is the one ``analyzeResolving(_:file:visit:)`` gives.
  /// - Parameter progress: called after each chunk with the events gated so far.
  /// - Throws: ``PanelResolutionError``, ``ClinicalError``, ``PanelError`` or gating errors.
  public func analyze(_ dataSet: FCSDataSet, file: String, visit: VisitInfo = VisitInfo(),
                      progress: ((Int) -> Void)? = nil) throws -> VisitAnalysis {
    guard statistics.isEmpty else { return try analyzeResolving(dataSet, file: file, visit: visit).analysis }
    try countMethod?.validate()
    try validateOverrides()
    let header = ChunkedGatingInput(dataSet)
    // A file small enough to find its gates in every event is decoded once and gated whole.
    var whole: GatingInput? = nil
    let found = try findGates(dataSet, file: file, eventCount: dataSet.eventCount, fileSpillover: header.fileSpillover) { sample in
      if let sample { return try sample.input(from: dataSet) }
      whole = try GatingInput(dataSet)
      return whole!
    }
    let counts: GatingCounts
    if let whole {
      counts = GatingCounts(try GatingEngine.evaluate(found.strategy, on: whole))
      progress?(whole.events.eventCount)
    } else {
      counts = try GatingEngine.count(found.strategy, chunks: header, progress: progress)
    }
    return try summarize(PopulationCounts(counts), found: found, gatingDiagnostics: counts.diagnostics, statistics: [:],
                         dataSet: dataSet, file: file, visit: visit)
  }

  /// ``analyze(_:file:visit:)`` and the gating it summarises (strategy, masks, input), for
  /// callers that keep the events or masks: ``resolvedStrategy(_:file:)`` again would gate
  /// the sample a second time.
  public func analyzeResolving(_ dataSet: FCSDataSet, file: String,
                               visit: VisitInfo = VisitInfo()) throws -> (analysis: VisitAnalysis, resolved: ResolvedPanel) {
    try countMethod?.validate()
    let r = try resolvedStrategy(dataSet, file: file)
    let found = FoundGates(markers: r.markers, cuts: r.cuts, gating: r.gating, strategy: r.strategy, diagnostics: r.diagnostics,
                           unreported: r.unreported)
    // Statistics over the fluorescence markers, compensated, when asked for: per reported
    // population and marker, the ValueSummary that GatingResult.statistics computes, but only
    // for the reported populations and concurrently (selection over 10⁷ values per population and marker).
    let stats = statistics.isEmpty ? [:] : try reportedStatistics(r.result, input: r.input, markers: r.markers)
    // r.diagnostics holds the gating's diagnostics already.
    let a = try summarize(PopulationCounts(r.result), found: found, gatingDiagnostics: [], statistics: stats,
                          dataSet: dataSet, file: file, visit: visit)
    return (a, r)
  }

  /// `analysis` with its CAR T detectability call made against this analyzer's
  /// ``carBackgroundPercentOfT``: equal to what ``analyze(_:file:visit:)`` with this background
  /// gives, without gating again. Nothing but that call and the background it records depends
  /// on the background, so a batch can analyse every visit at once and settle the pre-infusion
  /// backgrounds afterwards, in visit order.
  public func applyingCARBackground(to analysis: VisitAnalysis) -> VisitAnalysis {
    analysis.applyingCARBackground(carBackgroundPercentOfT, thresholds: panel.thresholds)
  }

  /// The panel applied to one sample: its channels, cuts, gates and the Gating-ML strategy
  /// they make, and the gating result.
  public struct ResolvedPanel: Sendable {
    public var markers: [String: MarkerChannel]
    public var cuts: [AppliedCut]
    public var gating: AppliedGating
    public var strategy: GatingStrategy { result.strategy }
    public var result: GatingResult
    public var diagnostics: [Diagnostic]
    /// Populations not reported, with the reason.
    public var unreported: [String: String]
    /// The sample's events as the engine reads them.
    public var input: GatingInput
  }

  /// Resolves markers, finds every gate in the sample's events and gates it.
  public func resolvedStrategy(_ dataSet: FCSDataSet, file: String) throws -> ResolvedPanel {
    try validateOverrides()
    let input = try GatingInput(dataSet)
    let found = try findGates(dataSet, file: file, eventCount: input.events.eventCount, fileSpillover: input.fileSpillover) { sample in
      sample?.input(from: input) ?? input
    }
    let result = try GatingEngine.evaluate(found.strategy, on: input)
    return ResolvedPanel(markers: found.markers, cuts: found.cuts, gating: found.gating, result: result,
                         diagnostics: found.diagnostics + result.diagnostics, unreported: found.unreported, input: input)
  }

  /// Every `--cut` and `--gate` names a cut or gate of the panel.
  func validateOverrides() throws {
    for name in cutOverrides.keys where !panel.cuts.contains(where: { $0.name == name }) {
      throw PanelError.invalid(file: "--cut", detail: "panel '\(panel.name)' has no cut '\(name)' (cuts: \(panel.cuts.map(\.name).joined(separator: ", ")))")
    }
    for id in gateOverrides.keys where !panel.populations.contains(where: { $0.id == id }) {
      throw PanelError.invalid(file: "--gate", detail: "panel '\(panel.name)' has no gate '\(id)' (gates: \(panel.populations.map(\.id).joined(separator: ", ")))")
    }
  }

  /// The gates of one sample, found in its events, and the strategy they make.
  struct FoundGates {
    var markers: [String: MarkerChannel]
    var cuts: [AppliedCut]
    var gating: AppliedGating
    var strategy: GatingStrategy
    var diagnostics: [Diagnostic]
    var unreported: [String: String]
  }

  /// Resolves markers and finds every gate in the sample's events: in all of them, or in
  /// ``GatingSample/limit`` of them (a fixed stride) for larger files. `sampleInput` gives the
  /// events gates are found in (the sample, or every event when `nil`).
  func findGates(_ dataSet: FCSDataSet, file: String, eventCount n: Int, fileSpillover: SpilloverMatrix?,
                 sampleInput: (GatingSample?) throws -> GatingInput) throws -> FoundGates {
    var diagnostics: [Diagnostic] = []
    let where_ = SourceLocation(file: file)
    // Every marker is optional here: each population declares what it needs.
    let markers = try MarkerResolver.resolveAvailable(panel.markers, parameters: dataSet.parameters, file: file)
    guard n > 0 else { throw PanelResolutionError.noEvents(file: file) }
    let instrument = InstrumentClassification.classify(dataSet)
    var compensation = CompensationReference.fileSpillover
    if panel.compensation == .none || instrument.kind == .mass {
      compensation = .uncompensated
    } else if fileSpillover == nil {
      compensation = .uncompensated
      diagnostics.append(Diagnostic(.warning, .clinicalNoSpillover,
                                    "the file has no spillover matrix: fluorescence is analysed uncompensated", at: where_))
    }
    // Gates are found in at most GatingSample.limit events (a fixed stride); the engine then
    // applies them to every event.
    let sample = n > GatingSample.limit ? GatingSample(events: GatingSample.limit, of: n) : nil
    if let sample {
      diagnostics.append(Diagnostic(.note, .clinicalGatingSample,
                                    "gates found in \(sample.events) of \(n) events (every \(String(format: "%.2f", Double(n) / Double(sample.events)))th, spread over the acquisition); every event is counted",
                                    at: where_))
    }
    let space = try EventSpace(input: try sampleInput(sample), dataSet: dataSet, markers: markers, definitions: panel.markers,
                               instrument: instrument, compensation: compensation, rules: panel.effectiveScales)
    try space.prepareStainedMarkers()
    var gater = AdaptiveGater(panel: panel, space: space, cutOverrides: cutOverrides, gateOverrides: gateOverrides, file: file)
    try gater.run()
    diagnostics += gater.diagnostics
    let gating = AppliedGating(instrument: instrument, scales: space.appliedScales, gates: gater.gates, sample: sample)
    let strategy = try gating.strategy(markers: markers, compensation: compensation)
    return FoundGates(markers: markers, cuts: gater.appliedCuts, gating: gating, strategy: strategy, diagnostics: diagnostics,
                      unreported: gater.unreported)
  }

  /// Per reported population (with a mask and a path), per fluorescence marker, the requested
  /// statistics of its compensated values: what `GatingResult.statistics(channels:statistics:)`
  /// gives for these populations (a channel two markers resolve to is reported under the later
  /// marker, as there), computed concurrently. Channel values are computed one channel each
  /// (`GatingEngine.channelValues`), up to 4 at a time:
  /// each compensation holds a copy of every detector column while it runs.
  func reportedStatistics(_ result: GatingResult, input: GatingInput,
                          markers: [String: MarkerChannel]) throws -> [String: [String: [String: Double?]]] {
    var markerOfChannel: [ChannelName: String] = [:]
    var channels: [ChannelName] = []
    for m in panel.markers where !m.isScatter {
      guard let mc = markers[m.marker] else { continue }
      if markerOfChannel[mc.channel] == nil { channels.append(mc.channel) }
      markerOfChannel[mc.channel] = m.marker
    }
    let comp: CompensationReference = panel.compensation == .none || input.fileSpillover == nil ? .uncompensated : .fileSpillover
    let strategy = result.strategy, cs = channels
    let values = try concurrentMap(cs.count, width: min(4, ProcessInfo.processInfo.activeProcessorCount)) { k in
      try GatingEngine.channelValues(cs[k], compensation: comp, input: input)
    }
    var ids: [String] = []
    for r in panel.report where !ids.contains(r.population) {
      guard result.masks[GateID(r.population)] != nil, strategy.path(of: GateID(r.population)) != nil else { continue }
      ids.append(r.population)
    }
    // One task per population and channel, largest populations first so the longest start early.
    let counts = Dictionary(uniqueKeysWithValues: ids.map { ($0, result.masks[GateID($0)]!.setCount) })
    let tasks = ids.sorted { counts[$0]! > counts[$1]! }.flatMap { id in cs.indices.map { (id, $0) } }
    let wanted = statistics
    let summaries = try concurrentMap(tasks.count) { t -> [String: Double?] in
      let (id, k) = tasks[t]
      // The population's values gathered into one buffer per task and summarised by selection
      // there: what GatingResult.statistics computes for them.
      var buffer: [Double] = []
      let r = ValueSummary.summarize(values[k], at: result.masks[GateID(id)]!.indices, buffer: &buffer,
                                     statistics: wanted, percentiles: [])
      var s: [String: Double?] = [:]
      for st in wanted { s[st.rawValue] = r.statistics[st]! }
      return s
    }
    var out: [String: [String: [String: Double?]]] = Dictionary(uniqueKeysWithValues: ids.map { ($0, [:]) })
    for (t, (id, k)) in tasks.enumerated() { out[id]![markerOfChannel[cs[k]]!] = summaries[t] }
    return out
  }

  func summarize(_ counts: PopulationCounts, found: FoundGates, gatingDiagnostics: [Diagnostic],
                 statistics stats: [String: [String: [String: Double?]]], dataSet: FCSDataSet, file: String,
                 visit: VisitInfo) throws -> VisitAnalysis {
    let summary = VisitSummary(report: panel.report, roles: panel.roles, thresholds: panel.thresholds, countMethod: countMethod,
                               carBackgroundPercentOfT: carBackgroundPercentOfT)
    var a = try summary.analysis(counts, statistics: stats, file: file, visit: visit, diagnostics: found.diagnostics + gatingDiagnostics)
    a.dataSet = dataSet.index
    a.panel = panel.name
    a.panelVersion = panel.version
    a.markers = panel.markers.compactMap { found.markers[$0.marker] }
    a.cuts = found.cuts
    a.gating = found.gating
    a.missingMarkers = panel.markers.map(\.marker).filter { found.markers[$0] == nil }
    a.unreported = panel.report.compactMap { p in found.unreported[p.population].map { UnreportedPopulation(population: p.population, reason: $0) } }
    return a
  }
}
