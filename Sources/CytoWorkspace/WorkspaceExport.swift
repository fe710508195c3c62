import CytoCore
import CytoFCS
import CytoGating

/// One sample of a workspace to write: its FCS file, the gating strategy applied to it and the
/// counts that strategy gave (docs/flowjo.md, "Writing workspaces").
///
///     let sample = WorkspaceExportSample(file: "/data/visit.fcs", keywords: kw, channelRanges: ranges,
///                                        spillover: input.fileSpillover, eventCount: n,
///                                        strategy: resolved.strategy, counts: counts)
///     try WorkspaceWriter.write([sample], to: "visit.wsp")
///
/// The strategy is written as FlowJo populations named by their population ids, so a
/// population's path in the workspace is its Gating-ML path (`/Lymphocytes/T/CD4`).
public struct WorkspaceExportSample: Sendable {
  /// The FCS file's path; written as an absolute `file:` URI (`DataSet@uri`).
  public var file: String
  /// The FCS TEXT keywords, in file order (copied into `Keywords`).
  public var keywords: [WorkspaceKeyword]
  /// Per channel (`$PnN`), its range `$PnR`: the display range of linear axes (0…range).
  public var channelRanges: [ChannelName: Double]
  /// The file's spillover matrix (`$SPILLOVER`/`SPILL`), written as FlowJo's
  /// `Acquisition-defined` matrix with prefix `Comp-`; `nil` when the file has none.
  public var spillover: SpilloverMatrix?
  /// Events in the data set (`SampleNode@count`).
  public var eventCount: Int
  /// The gates applied to the file.
  public var strategy: GatingStrategy
  /// Per population id, the events CytoReset counted in it (written as `count`).
  public var counts: [GateID: Int]

  /// Creates a sample to write.
  public init(file: String, keywords: [WorkspaceKeyword], channelRanges: [ChannelName: Double], spillover: SpilloverMatrix?,
              eventCount: Int, strategy: GatingStrategy, counts: [GateID: Int]) {
    self.file = file
    self.keywords = keywords
    self.channelRanges = channelRanges
    self.spillover = spillover
    self.eventCount = eventCount
    self.strategy = strategy
    self.counts = counts
  }

  /// The sample of `dataSet` (read from `file`) as `result` gated it: its strategy and counts,
  /// with the keywords, channel ranges and spillover of the data the engine read (`input`).
  public init(file: String, dataSet: FCSDataSet, input: GatingInput, result: GatingResult) {
    var ranges: [ChannelName: Double] = [:]
    for p in dataSet.parameters { ranges[p.name] = p.range }
    var counts: [GateID: Int] = [:]
    for id in result.strategy.populations { counts[id] = result.count(id) }
    self.init(file: file, keywords: dataSet.keywords.entries.map { WorkspaceKeyword(name: $0.keyword, value: $0.value) },
              channelRanges: ranges, spillover: input.fileSpillover, eventCount: input.events.eventCount,
              strategy: result.strategy, counts: counts)
  }

  /// The name FlowJo shows for the sample (`SampleNode@name`): the file's last path component.
  public var name: String {
    file.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? file
  }
}

/// Why a workspace could not be written. What FlowJo 10's format cannot state exactly is
/// refused with one of these instead of being approximated.
public struct WorkspaceExportError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The kind of failure.
  public enum Kind: String, Sendable, Hashable, CaseIterable {
    /// A gate FlowJo 10 has no exact counterpart for (a Gating-ML ellipsoid, a Boolean operand
    /// used as complement, a gate on a ratio dimension).
    case unsupportedGate
    /// A transform FlowJo 10 has no exact counterpart for (`flog`, `hyperlog`, Gating-ML 1.5
    /// `asinh`, bounded transforms).
    case unsupportedTransform
    /// Two polygons need different display transforms on one parameter; FlowJo has one
    /// transform per parameter and sample.
    case conflictingTransforms
    /// A compensation FlowJo 10 cannot state for this file (a strategy matrix, or `FCS` on a
    /// file whose matrix names collide with its channel names).
    case compensation
    /// A name FlowJo cannot hold: empty, or with `/` (FlowJo's path separator), or two
    /// channels that FlowJo's `/` → `_` spelling makes equal.
    case invalidName
    /// Text XML 1.0 cannot carry (control characters other than tab, line feed, carriage return).
    case unrepresentableText
    /// Two samples with the same file name: FlowJo, FlowKit and `workspace apply` find a
    /// sample's file by that name.
    case duplicateSample
    /// The file could not be written.
    case io
  }

  /// The kind of failure.
  public var kind: Kind
  /// What is wrong, in words.
  public var message: String
  /// The FCS file of the sample at fault.
  public var sample: String?
  /// The population (gate id) at fault.
  public var population: String?

  /// Creates an error.
  public init(_ kind: Kind, _ message: String, sample: String? = nil, population: String? = nil) {
    self.kind = kind
    self.message = message
    self.sample = sample
    self.population = population
  }

  /// `sample: population "P": message`.
  public var description: String {
    var parts: [String] = []
    if let sample { parts.append(sample) }
    if let population { parts.append("population \"\(population)\"") }
    return (parts.isEmpty ? "" : parts.joined(separator: ": ") + ": ") + message
  }
}
