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
  public static let generatorVersion = "cytoreset-bench-v2"

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
    kw["$SPILLOVER"] = SyntheticEvents.spilloverKeyword(fluorescence: channels - 4)
    let table = FCSWriter.EventTable(channels: SyntheticEvents.channelList(channels), events: matrix, keywords: kw)
    try FCSWriter.write(table, to: path)
  }

  public init(events: Int, channels: Int) {
    self.events = events
    self.channels = channels
  }
}

/// Seeded, deterministic events that look roughly like a lysed-whole-blood T/B/NK panel:
/// a mixture of cell populations (with doublets, debris and dead cells), linear scatter,
/// log-normal true dye intensities mixed through the file's `$SPILLOVER` (so compensation
/// recovers them) plus electronic noise (so compensated negatives spread around 0), and a
/// rising time channel.
public enum SyntheticEvents {
  static let fluorochromes = [
    "FITC", "PE", "PerCP-Cy5.5", "PE-Cy7", "APC", "APC-R700", "APC-Cy7", "BV421", "BV510", "BV605", "BV650",
    "BV711", "BV786", "BUV395", "BUV496", "BUV563", "BUV615", "BUV661", "BUV737", "BUV805", "PE-CF594",
    "PE-Cy5", "BB515", "BB700", "Pacific Blue", "Alexa Fluor 488", "Alexa Fluor 647", "Alexa Fluor 700",
  ]

  /// What the first 12 fluorochromes stain (fluorescence index → marker), used by the gating benchmark.
  public enum Marker: Int, CaseIterable, Sendable {
    case cd3 = 0, cd19, cd45, cd56, cd8, cd20, cd14, cd4, viability, cd16, hlaDR, cd27
  }

  /// The detector (`$PnN`) of a marker.
  public static func channel(_ m: Marker) -> String { fluorochromes[m.rawValue] + "-A" }

  /// FSC-A, FSC-H, SSC-A, `channels − 4` fluorescence channels, Time.
  public static func channelList(_ channels: Int) -> [FCSWriter.Channel] {
    precondition(channels >= 6 && channels - 4 <= fluorochromes.count, "unsupported channel count \(channels)")
    var out: [FCSWriter.Channel] = ["FSC-A", "FSC-H", "SSC-A"].map { FCSWriter.Channel(name: ChannelName($0)) }
    for f in fluorochromes.prefix(channels - 4) {
      out.append(FCSWriter.Channel(name: ChannelName(f + "-A"), label: "marker \(out.count - 2)"))
    }
    out.append(FCSWriter.Channel(name: "Time", range: 1_000_000, keywords: [(suffix: "TYPE", value: "Time")]))
    return out
  }

  /// Spillover of fluorochrome (row) into detector (column), the first `k` fluorochromes in
  /// file order. The first 12 carry typical values of a 4-laser panel (FITC into PE, PerCP-Cy5.5
  /// into PE-Cy7 and APC-R700, APC into APC-R700, BV605 into BV650, …); further ones spill into
  /// their two neighbours.
  public static func spillover(fluorescence k: Int) -> [[Double]] {
    var s = (0..<k).map { i in (0..<k).map { j in i == j ? 1.0 : 0.0 } }
    let named: [(Int, Int, Double)] = [
      (0, 1, 0.20), (0, 2, 0.03), (0, 8, 0.02),
      (1, 0, 0.01), (1, 2, 0.10), (1, 3, 0.05), (1, 9, 0.03),
      (2, 1, 0.01), (2, 3, 0.15), (2, 5, 0.20), (2, 11, 0.02),
      (3, 2, 0.02), (3, 6, 0.03),
      (4, 5, 0.25), (4, 6, 0.08),
      (5, 4, 0.02), (5, 6, 0.15),
      (6, 3, 0.01), (6, 5, 0.05),
      (7, 8, 0.12), (7, 9, 0.01),
      (8, 0, 0.04), (8, 9, 0.08),
      (9, 1, 0.04), (9, 10, 0.20),
      (10, 4, 0.06), (10, 9, 0.02), (10, 11, 0.25),
      (11, 2, 0.06), (11, 5, 0.04), (11, 10, 0.05),
    ]
    for (i, j, v) in named where i < k && j < k { s[i][j] = v }
    if k > 12 {
      for i in 12..<k {
        if i + 1 < k { s[i][i + 1] = 0.08 }
        if i + 2 < k { s[i][i + 2] = 0.02 }
        s[i][i - 1] = 0.03
      }
    }
    return s
  }

  /// `$SPILLOVER` text for the first `k` fluorescence channels.
  public static func spilloverKeyword(fluorescence k: Int) -> String {
    let names = fluorochromes.prefix(k).map { $0 + "-A" }
    return ([String(k)] + names + spillover(fluorescence: k).flatMap { $0 }.map { v in v == 0 ? "0" : v == 1 ? "1" : "\(v)" })
      .joined(separator: ",")
  }

  /// A population: share of events, scatter centre, FSC-H/FSC-A ratio and, for each
  /// fluorochrome, whether its dye is bright.
  struct Population { var share: Double; var fsc: Double; var ssc: Double; var heightRatio: Double; var brightMask: UInt64 }

  static func populations(seed: UInt64) -> [Population] {
    var r = SplitMix64(seed: seed ^ 0xC0FFEE)
    typealias M = Marker
    let base: [(Double, Double, Double, Double, [Marker])] = [
      (0.11, 60_000, 15_000, 0.82, [.cd3, .cd45, .cd4, .cd27]),    // CD4 T cells
      (0.07, 60_000, 15_000, 0.82, [.cd3, .cd45, .cd8, .cd27]),    // CD8 T cells
      (0.01, 60_000, 15_000, 0.82, [.cd3, .cd45]),                 // double-negative T cells
      (0.05, 62_000, 14_000, 0.82, [.cd19, .cd20, .cd45, .hlaDR]), // B cells
      (0.04, 65_000, 18_000, 0.82, [.cd56, .cd16, .cd45]),         // NK cells
      (0.08, 90_000, 35_000, 0.82, [.cd14, .cd45, .hlaDR]),        // monocytes
      (0.46, 110_000, 120_000, 0.82, [.cd16, .cd45]),              // granulocytes
      (0.10, 15_000, 8_000, 0.82, []),                             // debris
      (0.05, 40_000, 25_000, 0.82, [.viability, .cd45]),           // dead cells
      (0.03, 120_000, 30_000, 0.50, [.cd3, .cd45, .cd4]),          // doublets
    ]
    return base.map { b in
      let markers = b.4.reduce(UInt64(0)) { $0 | (1 << UInt64($1.rawValue)) }
      // Fluorochromes past the 12 named markers: bright at random, per population.
      return Population(share: b.0, fsc: b.1, ssc: b.2, heightRatio: b.3, brightMask: markers | (r.next() & ~0xFFF))
    }
  }

  public static func matrix(events n: Int, channels p: Int, seed: UInt64) -> EventMatrix<Float> {
    let pops = populations(seed: seed)
    var acc = 0.0
    let cumulative: [Double] = pops.map { acc += $0.share; return acc }
    let k = p - 4
    let spill = spillover(fluorescence: k)
    let block = 1 << 16
    let blocks = (n + block - 1) / block
    return EventMatrix<Float>(eventCount: n, channelCount: p) { out in
      let dst = UnsafeSendable(out.baseAddress!)
      // One generator per block, seeded from the block number: the same file on any core count.
      DispatchQueue.concurrentPerform(iterations: blocks) { b in
        var r = SplitMix64(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(b))
        let lo = b * block, hi = min(n, lo + block)
        let out = dst.value
        var dye = [Double](repeating: 0, count: k)
        for e in lo..<hi {
          let u = r.uniform()
          let pi = cumulative.firstIndex { u < $0 } ?? pops.count - 1
          let pop = pops[pi]
          let fscA = max(0, pop.fsc * (1 + 0.12 * r.normal()))
          let sscA = max(0, pop.ssc * (1 + 0.20 * r.normal()))
          out[0 * n + e] = Float(min(fscA, 262_143))
          out[1 * n + e] = Float(min(fscA * (pop.heightRatio + 0.04 * r.normal()), 262_143))
          out[2 * n + e] = Float(min(sscA, 262_143))
          for i in 0..<k {
            let bright = (pop.brightMask >> UInt64(i & 63)) & 1 == 1
            let mu = bright ? 3.6 : 1.8
            dye[i] = exp(2.302585 * (mu + 0.28 * r.normal()))
          }
          for j in 0..<k {
            var v = 60 * r.normal()
            for i in 0..<k where spill[i][j] != 0 { v += dye[i] * spill[i][j] }
            out[(3 + j) * n + e] = Float(min(v, 262_143))
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
