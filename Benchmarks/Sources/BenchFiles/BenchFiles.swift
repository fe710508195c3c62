import CytoCore
import CytoFCS
import Dispatch
import Foundation

/// One benchmark file: its shape and where it lives.
public struct BenchFile: Sendable {
  public let events: Int
  public let channels: Int

  /// `1e7x16` and so on: used in file names, benchmark names and the peers table.
  public var label: String {
    let exp = Int(log10(Double(events)).rounded())
    return Int(pow(10, Double(exp))) == events ? "1e\(exp)x\(channels)" : "\(events)x\(channels)"
  }

  public var fileName: String { "bench-\(label)-f32.fcs" }
  public var path: String { BenchFile.dataDirectory + "/" + fileName }
  /// Bytes of DATA (float32).
  public var dataBytes: Int { events * channels * 4 }

  /// Changing the generator must change this, so that old files are rebuilt.
  public static let generatorVersion = "cytoreset-bench-v1"

  /// The files every benchmark uses, smallest first.
  public static let all: [BenchFile] = [
    BenchFile(events: 100_000, channels: 16),
    BenchFile(events: 1_000_000, channels: 16),
    BenchFile(events: 10_000_000, channels: 16),
    BenchFile(events: 1_000_000, channels: 32),
  ]

  /// `$CYTORESET_BENCH_DATA`, or `Benchmarks/data` next to this package.
  public static var dataDirectory: String {
    if let d = ProcessInfo.processInfo.environment["CYTORESET_BENCH_DATA"], !d.isEmpty { return d }
    // …/Benchmarks/Sources/BenchFiles/BenchFiles.swift → …/Benchmarks/data
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("data").path
  }

  /// Whether the file at ``path`` is this file as the current generator writes it.
  public var isUpToDate: Bool {
    guard let f = try? FCSFile(contentsOf: path), f.dataSets.count == 1 else { return false }
    let ds = f.dataSets[0]
    return ds.eventCount == events && ds.parameters.count == channels && ds.dataRange.count == dataBytes
      && ds.dataType == .float && ds.keywords["CYTORESET_BENCH"] == BenchFile.generatorVersion
  }

  /// Writes the file with `FCSWriter` (float32, little-endian), deterministically.
  public func generate() throws {
    try FileManager.default.createDirectory(atPath: BenchFile.dataDirectory, withIntermediateDirectories: true)
    let matrix = SyntheticEvents.matrix(events: events, channels: channels, seed: UInt64(events &* 31 &+ channels))
    var kw = FCSKeywords()
    kw["$CYT"] = "CytoReset synthetic benchmark"
    kw["$TIMESTEP"] = "0.0001"
    kw["CYTORESET_BENCH"] = BenchFile.generatorVersion
    let table = FCSWriter.EventTable(channels: SyntheticEvents.channelList(channels), events: matrix, keywords: kw)
    try FCSWriter.write(table, to: path)
  }

  public init(events: Int, channels: Int) {
    self.events = events
    self.channels = channels
  }
}

/// Seeded, deterministic events that look roughly like a lysed-whole-blood CD19 panel:
/// a mixture of cell populations, linear scatter, log-normal fluorescence with spreading error
/// (so compensated-looking negatives occur), and a rising time channel.
public enum SyntheticEvents {
  static let fluorochromes = [
    "FITC", "PE", "PerCP-Cy5.5", "PE-Cy7", "APC", "APC-R700", "APC-Cy7", "BV421", "BV510", "BV605", "BV650",
    "BV711", "BV786", "BUV395", "BUV496", "BUV563", "BUV615", "BUV661", "BUV737", "BUV805", "PE-CF594",
    "PE-Cy5", "BB515", "BB700", "Pacific Blue", "Alexa Fluor 488", "Alexa Fluor 647", "Alexa Fluor 700",
  ]

  /// FSC-A, FSC-H, SSC-A, SSC-H, `channels − 5` fluorescence channels, Time.
  public static func channelList(_ channels: Int) -> [FCSWriter.Channel] {
    precondition(channels >= 6 && channels - 5 <= fluorochromes.count, "unsupported channel count \(channels)")
    var out: [FCSWriter.Channel] = ["FSC-A", "FSC-H", "SSC-A", "SSC-H"].map { FCSWriter.Channel(name: ChannelName($0)) }
    for f in fluorochromes.prefix(channels - 5) {
      out.append(FCSWriter.Channel(name: ChannelName(f + "-A"), label: "marker \(out.count - 3)"))
    }
    out.append(FCSWriter.Channel(name: "Time", range: 1_000_000, keywords: [(suffix: "TYPE", value: "Time")]))
    return out
  }

  /// A population: share of events, scatter centre and for each fluorescence channel whether it is bright.
  struct Population { var share: Double; var fsc: Double; var ssc: Double; var brightMask: UInt64 }

  static func populations(seed: UInt64) -> [Population] {
    var r = SplitMix64(seed: seed ^ 0xC0FFEE)
    let base: [(Double, Double, Double)] = [
      (0.30, 60_000, 15_000),   // lymphocytes
      (0.08, 90_000, 35_000),   // monocytes
      (0.50, 110_000, 120_000), // granulocytes
      (0.12, 15_000, 8_000),    // debris
    ]
    return base.map { Population(share: $0.0, fsc: $0.1, ssc: $0.2, brightMask: r.next()) }
  }

  public static func matrix(events n: Int, channels p: Int, seed: UInt64) -> EventMatrix<Float> {
    let pops = populations(seed: seed)
    var acc = 0.0
    let cumulative: [Double] = pops.map { acc += $0.share; return acc }
    let block = 1 << 16
    let blocks = (n + block - 1) / block
    return EventMatrix<Float>(eventCount: n, channelCount: p) { out in
      let dst = UnsafeSendable(out.baseAddress!)
      // One generator per block, seeded from the block number: the same file on any core count.
      DispatchQueue.concurrentPerform(iterations: blocks) { b in
        var r = SplitMix64(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(b))
        let lo = b * block, hi = min(n, lo + block)
        let out = dst.value
        for e in lo..<hi {
          let u = r.uniform()
          let k = cumulative.firstIndex { u < $0 } ?? pops.count - 1
          let pop = pops[k]
          let fscA = max(0, pop.fsc * (1 + 0.12 * r.normal()))
          let sscA = max(0, pop.ssc * (1 + 0.20 * r.normal()))
          out[0 * n + e] = Float(min(fscA, 262_143))
          out[1 * n + e] = Float(min(fscA * (0.82 + 0.04 * r.normal()), 262_143))
          out[2 * n + e] = Float(min(sscA, 262_143))
          out[3 * n + e] = Float(min(sscA * (0.80 + 0.05 * r.normal()), 262_143))
          for c in 4..<(p - 1) {
            let bright = (pop.brightMask >> UInt64(c & 63)) & 1 == 1
            let mu = bright ? 3.6 : 1.8
            let v = exp(2.302585 * (mu + 0.28 * r.normal())) + 60 * r.normal()
            out[c * n + e] = Float(min(v, 262_143))
          }
          // Time in $TIMESTEP units: about 1000 events per 0.1 s, rising.
          out[(p - 1) * n + e] = Float(Double(e) * 0.01 + r.uniform())
        }
      }
    }
  }
}

struct UnsafeSendable<T>: @unchecked Sendable {
  let value: T
  init(_ value: T) { self.value = value }
}

/// SplitMix64 with uniform and Box–Muller normal draws.
struct SplitMix64 {
  var state: UInt64
  var spare: Double? = nil
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  /// In [0, 1).
  mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }
  mutating func normal() -> Double {
    if let s = spare { spare = nil; return s }
    let u1 = max(uniform(), 0x1p-60), u2 = uniform()
    let rad = (-2 * log(u1)).squareRoot()
    spare = rad * sin(2 * .pi * u2)
    return rad * cos(2 * .pi * u2)
  }
}

/// Parses `file` once the way the benchmarks do: map, parse TEXT, decode DATA to Float.
/// Returns the decoded matrix so callers can keep it alive past the timer.
@inline(never)
public func parseOnce(_ path: String) throws -> EventMatrix<Float> {
  let f = try FCSFile(contentsOf: path)
  return try f.dataSets[0].events(.raw, as: Float.self)
}
