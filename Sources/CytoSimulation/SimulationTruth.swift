/// What a simulated file contains, written beside it as `<file>.truth.json`.
///
/// Populations are live single cells (dead cells, doublets, debris and beads are counted
/// separately). The same fixed vocabulary (``populationIDs``) is used for every instrument,
/// whatever markers its tube carries: the truth is the blood, ``markers`` says what the tube
/// could see of it. Definitions: plasmablasts (CD19^dim CD27^hi CD38^hi) are inside `BCells`
/// and `SwitchedMemB`; transitional B cells (CD24^hi CD38^hi) are inside `NaiveB`; `NKCells`
/// are lymphocytes; `Monocytes` and `Granulocytes` are CD45⁺ but not lymphocytes.
public struct SimulationTruth: Codable, Sendable, Equatable {
  /// `cytoreset.simulation-truth/1` (fields were only added since: ``instrument``, ``markers``,
  /// ``channels``, ``deadPopulations``, ``acquiredFraction`` and the NK, monocyte and
  /// granulocyte populations).
  public var schema = "cytoreset.simulation-truth/1"
  public var seed: UInt64
  public var patient: String?
  /// Days since infusion (negative before).
  public var day: Int?
  public var composition: SampleComposition
  /// The tube; `beadsPerTest` is 0 when the instrument's tube has no counting beads.
  public var tube: TubeSetup
  /// The ``InstrumentProfile`` name (`reference` for files written before profiles existed).
  public var instrument: String
  /// The markers the tube carried (``Marker`` raw values), in channel order.
  public var markers: [String]
  /// Every parameter of the file and what it measures.
  public var channels: [ChannelTruth]
  /// The fraction of the tube acquired: events = round(fraction × µL blood × cells/µL);
  /// `nil` in files written before instrument profiles.
  public var acquiredFraction: Double?
  /// All events written (cells, beads, dead cells, doublets, debris).
  public var events: Int
  /// Counting-bead events.
  public var beadEvents: Int
  public var deadCellEvents: Int
  public var doubletEvents: Int
  public var debrisEvents: Int
  /// Events per live single cell kind.
  public var kinds: [String: Int]
  /// Per population id (``populationIDs``, all present, zero when absent): live single-cell
  /// events and the concentration they represent.
  public var populations: [String: PopulationTruth]
  /// Dead cells per population id their kind belongs to: what a tube without a viability
  /// marker cannot remove (a count there is `events + deadPopulations[id]` at most); `nil` in
  /// files written before instrument profiles.
  public var deadPopulations: [String: Int]?

  /// The population ids of every built-in panel, in gating order.
  public static let populationIDs = [
    "Beads", "CD45pos", "Lymphocytes", "TCells", "CD4T", "CD8T", "DPT", "DNT", "CART", "CD4CART", "CD8CART", "DPCART", "DNCART",
    "BCells", "NaiveB", "UnswitchedMemB", "SwitchedMemB", "DNB", "TransitionalB", "Plasmablasts", "NKCells", "Monocytes", "Granulocytes",
  ]

  public struct PopulationTruth: Codable, Sendable, Equatable {
    /// Live single cells of this population in the file.
    public var events: Int
    /// The concentration the events represent: events ÷ bead events × beads per test ÷ µL
    /// blood; without beads, events ÷ (acquired fraction × µL blood).
    public var perMicroliter: Double
    /// Percentage of lymphocytes (events ÷ lymphocyte events × 100), when defined.
    public var percentOfLymphocytes: Double?
  }

  /// One parameter: `$PnN`, `$PnS` and what it measures (``InstrumentProfile/Measurement`` text:
  /// `FSC-A`, `Time`, `Event_length`, a marker name, …).
  public struct ChannelTruth: Codable, Sendable, Equatable {
    public var name: String
    public var label: String?
    public var measures: String
  }

  public init(seed: UInt64, patient: String?, day: Int?, composition: SampleComposition, tube: TubeSetup, instrument: String,
              markers: [String], channels: [ChannelTruth], acquiredFraction: Double?, events: Int, beadEvents: Int,
              deadCellEvents: Int, doubletEvents: Int, debrisEvents: Int, kinds: [String: Int],
              populations: [String: PopulationTruth], deadPopulations: [String: Int]?) {
    self.seed = seed
    self.patient = patient
    self.day = day
    self.composition = composition
    self.tube = tube
    self.instrument = instrument
    self.markers = markers
    self.channels = channels
    self.acquiredFraction = acquiredFraction
    self.events = events
    self.beadEvents = beadEvents
    self.deadCellEvents = deadCellEvents
    self.doubletEvents = doubletEvents
    self.debrisEvents = debrisEvents
    self.kinds = kinds
    self.populations = populations
    self.deadPopulations = deadPopulations
  }

  enum CodingKeys: String, CodingKey {
    case schema, seed, patient, day, composition, tube, instrument, markers, channels, acquiredFraction, events, beadEvents
    case deadCellEvents, doubletEvents, debrisEvents, kinds, populations, deadPopulations
  }

  /// Reads truth files of this schema, including those written before instrument profiles:
  /// they were all the reference instrument, whose markers and channels are filled in.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    schema = try c.decode(String.self, forKey: .schema)
    seed = try c.decode(UInt64.self, forKey: .seed)
    patient = try c.decodeIfPresent(String.self, forKey: .patient)
    day = try c.decodeIfPresent(Int.self, forKey: .day)
    composition = try c.decode(SampleComposition.self, forKey: .composition)
    tube = try c.decode(TubeSetup.self, forKey: .tube)
    let reference = InstrumentProfile.reference
    instrument = try c.decodeIfPresent(String.self, forKey: .instrument) ?? reference.name
    markers = try c.decodeIfPresent([String].self, forKey: .markers) ?? reference.markers.map(\.rawValue)
    channels = try c.decodeIfPresent([ChannelTruth].self, forKey: .channels) ?? reference.channelTruth
    acquiredFraction = try c.decodeIfPresent(Double.self, forKey: .acquiredFraction)
    events = try c.decode(Int.self, forKey: .events)
    beadEvents = try c.decode(Int.self, forKey: .beadEvents)
    deadCellEvents = try c.decode(Int.self, forKey: .deadCellEvents)
    doubletEvents = try c.decode(Int.self, forKey: .doubletEvents)
    debrisEvents = try c.decode(Int.self, forKey: .debrisEvents)
    kinds = try c.decode([String: Int].self, forKey: .kinds)
    populations = try c.decode([String: PopulationTruth].self, forKey: .populations)
    deadPopulations = try c.decodeIfPresent([String: Int].self, forKey: .deadPopulations)
  }
}

extension InstrumentProfile {
  /// The channels as the truth records them.
  var channelTruth: [SimulationTruth.ChannelTruth] {
    channels.map { .init(name: $0.name, label: $0.label, measures: $0.measures.description) }
  }
}
