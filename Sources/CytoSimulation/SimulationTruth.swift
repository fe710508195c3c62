/// What a simulated file contains, written beside it as `<file>.truth.json`.
public struct SimulationTruth: Codable, Sendable, Equatable {
  /// `cytoreset.simulation-truth/1`.
  public var schema = "cytoreset.simulation-truth/1"
  public var seed: UInt64
  public var patient: String?
  /// Days since infusion (negative before).
  public var day: Int?
  public var composition: SampleComposition
  public var tube: TubeSetup
  /// All events written (cells, beads, dead cells, doublets, debris).
  public var events: Int
  /// Counting-bead events.
  public var beadEvents: Int
  public var deadCellEvents: Int
  public var doubletEvents: Int
  public var debrisEvents: Int
  /// Events per live single cell kind.
  public var kinds: [String: Int]
  /// Per reset-panel population id: events and the concentration they represent.
  public var populations: [String: PopulationTruth]

  public struct PopulationTruth: Codable, Sendable, Equatable {
    /// Live single cells of this population in the file.
    public var events: Int
    /// The concentration the events represent: events ÷ bead events × beads per test ÷ µL blood.
    public var perMicroliter: Double
    /// Percentage of lymphocytes (events ÷ lymphocyte events × 100), when defined.
    public var percentOfLymphocytes: Double?
  }
}
