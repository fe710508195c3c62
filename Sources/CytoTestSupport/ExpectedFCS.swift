import Foundation

/// One `../shared/testdata/fcs/expected/*.json` file (schema `fcs-expected/1`): what peer
/// readers agree a real FCS file contains.
public struct ExpectedFCS: Decodable, Sendable, CustomTestStringConvertibleShim {
  public struct Consensus: Decodable, Sendable {
    public var index: Int
    public var version: String?
    public var tot: Int?
    public var par: Int?
    public var datatype: String?
    public var byteord: String?
    public var pnn: [String]?
    public var pns: [String]?  // absent entries (null in JSON) read as ""
    public var spillover_channels: [String]?
    public var trust: String?
    public var n_events: Int?
    public var raw_sum: [Double]?
    public var raw_first_rows: [[Double]]?
    /// Whether `spillover_channels` was present (it may be present and null).
    public var hasSpilloverField: Bool

    enum CodingKeys: String, CodingKey {
      case index, version, tot, par, datatype, byteord, pnn, pns, spillover_channels, trust, n_events, raw_sum, raw_first_rows
    }

    public init(from decoder: Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      index = try c.decode(Int.self, forKey: .index)
      version = try c.decodeIfPresent(String.self, forKey: .version)
      tot = try c.decodeIfPresent(Int.self, forKey: .tot)
      par = try c.decodeIfPresent(Int.self, forKey: .par)
      datatype = try c.decodeIfPresent(String.self, forKey: .datatype)
      byteord = try c.decodeIfPresent(String.self, forKey: .byteord)
      pnn = try c.decodeIfPresent([String?].self, forKey: .pnn)?.map { $0 ?? "" }
      pns = try c.decodeIfPresent([String?].self, forKey: .pns)?.map { $0 ?? "" }
      hasSpilloverField = c.contains(.spillover_channels)
      spillover_channels = try c.decodeIfPresent([String].self, forKey: .spillover_channels)
      trust = try c.decodeIfPresent(String.self, forKey: .trust)
      n_events = try c.decodeIfPresent(Int.self, forKey: .n_events)
      raw_sum = try c.decodeIfPresent([Double].self, forKey: .raw_sum)
      raw_first_rows = try c.decodeIfPresent([[Double]].self, forKey: .raw_first_rows)
    }
  }

  public var name: String
  public var file: String
  public var size_bytes: Int
  public var verdict: String?
  public var consensus: [Consensus]

  /// The FCS file this expectation describes.
  public var url: URL { TestData.sharedRoot!.appendingPathComponent(file) }

  public var testDescription: String { name }

  /// All expectations, or none when the shared data is absent.
  public static let all: [ExpectedFCS] = {
    guard let root = TestData.sharedRoot else { return [] }
    let dir = root.appendingPathComponent("fcs/expected")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
    return names.filter { $0.hasSuffix(".json") }.sorted().compactMap { n in
      guard let d = try? Data(contentsOf: dir.appendingPathComponent(n)) else { return nil }
      return try? JSONDecoder().decode(ExpectedFCS.self, from: d)
    }
  }()
}

/// Lets parameterized tests name their cases without importing Testing here.
public protocol CustomTestStringConvertibleShim { var testDescription: String { get } }
