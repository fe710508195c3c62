import CytoSimulation
import Foundation

/// Builds FCS bytes by hand, independently of the project's writer: any data type, width,
/// byte order, delimiter and offsets, including deliberately broken ones.
///
/// Used for property tests of the reader (every layout the writer never produces) and for
/// malformed inputs.
public struct FCSBuilder: Sendable {
  public enum Order: Sendable { case little, big, permuted([Int]) }

  public var version = "FCS3.1"
  public var delimiter: UInt8 = UInt8(ascii: "/")
  public var dataType = "F"
  /// `$PnB` per parameter.
  public var bits: [Int]
  public var order: Order = .little
  /// `$PnR` per parameter.
  public var ranges: [Double]
  public var names: [String?]
  /// Raw values per event (event-major), as they should be stored.
  public var events: [[Double]]
  /// Extra keywords, written after the required ones.
  public var extra: [(String, String)] = []
  /// Keywords to omit.
  public var omit: Set<String> = []
  /// Overrides: put these exact strings in HEADER data offset fields.
  public var headerDataOverride: (String, String)? = nil
  /// Overrides for `$BEGINDATA`/`$ENDDATA` values.
  public var textDataOverride: (String, String)? = nil
  /// Bytes cut from the end of the finished file.
  public var truncateBy = 0

  public init(parameters: Int, dataType: String = "F", bits: Int = 32, events: [[Double]]) {
    self.dataType = dataType
    self.bits = Array(repeating: bits, count: parameters)
    self.ranges = Array(repeating: dataType == "I" ? pow(2, Double(min(bits, 52))) : 262144, count: parameters)
    self.names = (1...max(parameters, 1)).prefix(parameters).map { "CH\($0)" }
    self.events = events
  }

  func encodeValue(_ v: Double, bits: Int) -> [UInt8] {
    var le: [UInt8]
    switch dataType {
    case "F": le = withUnsafeBytes(of: Float(v).bitPattern.littleEndian, Array.init)
    case "D": le = withUnsafeBytes(of: v.bitPattern.littleEndian, Array.init)
    case "A": return Array(String(Int(v)).leftPad(bits).utf8)
    default:
      let u = UInt64(v)
      le = (0..<(bits / 8)).map { UInt8(truncatingIfNeeded: u >> (8 * UInt64($0))) }
    }
    switch order {
    case .little: return le
    case .big: return le.reversed()
    case .permuted(let p): return p.map { le[$0 - 1] }
    }
  }

  /// The finished file.
  public func build() -> Data {
    var data: [UInt8] = []
    for e in events { for (i, v) in e.enumerated() { data += encodeValue(v, bits: bits[i]) } }
    let byteord: String
    // The widest integer decides the $BYTEORD length, so mixed widths starting with an 8-bit
    // parameter still say which end comes first.
    let w = dataType == "I" ? max(1, (bits.max() ?? 8) / 8) : dataType == "D" ? 8 : 4
    switch order {
    case .little: byteord = (1...w).map(String.init).joined(separator: ",")
    case .big: byteord = (1...w).reversed().map(String.init).joined(separator: ",")
    case .permuted(let p): byteord = p.map(String.init).joined(separator: ",")
    }
    var kw: [(String, String)] = [
      ("$BYTEORD", byteord), ("$DATATYPE", dataType), ("$MODE", "L"), ("$NEXTDATA", "0"),
      ("$PAR", String(bits.count)), ("$TOT", String(events.count)),
    ]
    for i in bits.indices {
      if let n = names[i] { kw.append(("$P\(i + 1)N", n)) }
      kw.append(("$P\(i + 1)B", String(bits[i])))
      kw.append(("$P\(i + 1)E", "0,0"))
      // Whole numbers as integers, unless too large for Int (2⁶⁴ for 64-bit data): then as a Double.
      let r = ranges[i]
      kw.append(("$P\(i + 1)R", r == r.rounded() && abs(r) < 9e18 ? String(Int(r)) : String(r)))
    }
    kw += extra
    kw = kw.filter { !omit.contains($0.0) }
    func text(_ begin: Int, _ end: Int) -> [UInt8] {
      var t: [UInt8] = [delimiter]
      var all = kw
      if !omit.contains("$BEGINDATA") {
        let (b, e) = textDataOverride ?? (String(begin), String(end))
        all = [("$BEGINDATA", b), ("$ENDDATA", e), ("$BEGINANALYSIS", "0"), ("$ENDANALYSIS", "0"),
               ("$BEGINSTEXT", "0"), ("$ENDSTEXT", "0")] + all
      }
      for (k, v) in all {
        for b in k.utf8 { t.append(b); if b == delimiter { t.append(b) } }
        t.append(delimiter)
        for b in v.utf8 { t.append(b); if b == delimiter { t.append(b) } }
        t.append(delimiter)
      }
      return t
    }
    var begin = 0
    var t: [UInt8] = []
    for _ in 0..<6 {
      t = text(begin, begin + max(data.count, 1) - 1)
      let nb = 256 + t.count
      if nb == begin { break }
      begin = nb
    }
    let end = begin + data.count - 1
    func field(_ s: String) -> [UInt8] { Array(s.leftPad(8).utf8) }
    var header = Array(version.utf8) + Array("    ".utf8)
    header += field("256") + field(String(255 + t.count))
    let (hb, he) = headerDataOverride ?? (String(begin), String(max(end, begin)))
    header += field(hb) + field(he) + field("0") + field("0")
    header += [UInt8](repeating: 0x20, count: 256 - header.count)
    var out = header + t + data
    if truncateBy > 0 { out.removeLast(min(truncateBy, out.count)) }
    return Data(out)
  }
}

extension String {
  func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}

/// The project's seeded generator (SplitMix64), shared with the simulator.
public typealias SeededGenerator = SplitMix64
