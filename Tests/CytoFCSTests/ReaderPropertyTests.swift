import CytoCore
import CytoFCS
import CytoTestSupport
import Foundation
import Testing

/// Random valid files built with ``FCSBuilder`` (not the project's writer) decode to exactly
/// the values that were stored, for every data type, width and byte order the reader supports.
///
/// Each case is reproducible from its layout and seed (``SeededGenerator``); seed 0 has no
/// events and seed 1 has one.
@Suite("Reader properties on random valid files")
struct ReaderPropertyTests {
  enum Layout: String, CaseIterable, Sendable {
    case int8, int16, int24, int32, int64, float32, float64
    /// Integers of mixed widths (8/16/24/32/64) in one event, as Stratedigm writes.
    case mixedInt
    /// 32-bit integers in an FCS 2.0 permuted byte order (`3,4,1,2`, `2,1,4,3`, …).
    case permuted32
    /// Fixed-width ASCII (`$DATATYPE A`, `$PnB` = digits).
    case ascii
    /// Integers whose `$PnR` is below the storage width, with flag bits set above it.
    case masked
  }

  struct Case: Sendable, CustomTestStringConvertible {
    var builder: FCSBuilder
    /// Expected raw values, event-major.
    var expected: [[Double]]
    var description: String
    var testDescription: String { description }
  }

  static let seeds: [UInt64] = Array(0..<12)

  static func makeCase(_ layout: Layout, seed: UInt64) -> Case {
    var rng = SeededGenerator(seed: seed &* 0x9E37_79B9 &+ UInt64(Layout.allCases.firstIndex(of: layout)!))
    let channels = Int.random(in: 1...40, using: &rng)
    let events = seed == 0 ? 0 : seed == 1 ? 1 : Int.random(in: 2...300, using: &rng)
    let bigEndian = Bool.random(using: &rng)
    var dataType = "I"
    var bits = [Int](repeating: 0, count: channels)
    switch layout {
    case .int8: bits = bits.map { _ in 8 }
    case .int16: bits = bits.map { _ in 16 }
    case .int24: bits = bits.map { _ in 24 }
    case .int32, .permuted32: bits = bits.map { _ in 32 }
    case .int64: bits = bits.map { _ in 64 }
    case .float32: dataType = "F"; bits = bits.map { _ in 32 }
    case .float64: dataType = "D"; bits = bits.map { _ in 64 }
    case .mixedInt: bits = bits.map { _ in [8, 16, 24, 32, 64].randomElement(using: &rng)! }
    case .ascii: dataType = "A"; bits = bits.map { _ in Int.random(in: 1...12, using: &rng) }
    case .masked: bits = bits.map { _ in [16, 32].randomElement(using: &rng)! }
    }
    var b = FCSBuilder(parameters: channels, dataType: dataType, bits: bits.first ?? 8, events: [])
    b.bits = bits
    b.order = bigEndian ? .big : .little
    // $PnR: the full width (nothing masked), except for .masked (a power of two below it).
    var masks = [UInt64](repeating: ~0, count: channels)
    for c in 0..<channels where dataType == "I" {
      let w = bits[c]
      if layout == .masked {
        let rangeBits = Int.random(in: 1..<w, using: &rng)
        b.ranges[c] = Double(UInt64(1) << UInt64(rangeBits))
        masks[c] = (UInt64(1) << UInt64(rangeBits)) - 1
      } else {
        b.ranges[c] = w == 64 ? 18_446_744_073_709_551_616 : Double(UInt64(1) << UInt64(w))
      }
    }
    if layout == .permuted32 {
      b.version = "FCS2.0"
      let orders: [[Int]] = [[3, 4, 1, 2], [2, 1, 4, 3], [4, 3, 1, 2], [1, 3, 2, 4]]
      b.order = .permuted(orders.randomElement(using: &rng)!)
    }
    if layout == .ascii { b.ranges = bits.map { pow(10, Double($0)) } }
    if layout == .mixedInt || layout == .masked {
      // The builder writes $BYTEORD for the first width; mixed widths need a plain order.
      b.order = bigEndian ? .big : .little
    }

    var stored: [[Double]] = []
    var expected: [[Double]] = []
    for _ in 0..<events {
      var row: [Double] = []
      var want: [Double] = []
      for c in 0..<channels {
        let w = bits[c]
        switch dataType {
        case "F":
          let f = Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &rng))
          let v = f.isFinite ? f : Float.random(in: -1e30...1e30, using: &rng)
          row.append(Double(v)); want.append(Double(v))
        case "D":
          let d = Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &rng))
          let v = d.isFinite ? d : Double.random(in: -1e300...1e300, using: &rng)
          row.append(v); want.append(v)
        case "A":
          let top = UInt64(pow(10, Double(min(w, 15)))) - 1
          let v = Double(UInt64.random(in: 0...top, using: &rng))
          row.append(v); want.append(v)
        default:
          // Values with at most 53 significant bits, so Double holds them exactly (64-bit
          // values keep their low 11 bits zero and still use the top byte).
          var u = w == 64 ? UInt64.random(in: 0...UInt64.max, using: &rng) & ~0x7FF
                          : UInt64.random(in: 0...((UInt64(1) << UInt64(w)) - 1), using: &rng)
          if layout == .masked { u &= (UInt64(1) << 53) - 1 }
          // The builder encodes through Double; keep the stored value exact.
          u = UInt64(Double(u))
          row.append(Double(u)); want.append(Double(u & masks[c]))
        }
      }
      stored.append(row)
      expected.append(want)
    }
    b.events = stored
    let desc = "\(layout.rawValue) seed \(seed): \(events) events × \(channels) channels, " +
      (layout == .permuted32 ? "\(b.order)" : bigEndian ? "big-endian" : "little-endian")
    return Case(builder: b, expected: expected, description: desc)
  }

  static let cases: [Case] = Layout.allCases.flatMap { l in seeds.map { makeCase(l, seed: $0) } }

  @Test("decoded raw values equal the stored values", arguments: cases)
  func roundTrip(_ c: Case) throws {
    let bytes = c.builder.build()
    let file = try FCSFile(bytes: bytes, path: "random.fcs")
    #expect(file.dataSets.count == 1)
    let ds = try file.dataSet(0)
    let channels = c.builder.bits.count
    #expect(ds.parameters.count == channels)
    #expect(ds.parameters.map(\.name.rawValue) == (1...channels).map { "CH\($0)" })
    #expect(ds.eventCount == c.expected.count)
    #expect(ds.diagnostics.allSatisfy { $0.severity < .warning }, "\(ds.diagnostics)")

    let m = try ds.events(.raw, as: Double.self)
    #expect(m.eventCount == c.expected.count && m.channelCount == channels)
    var mismatches = 0
    for (e, row) in c.expected.enumerated() where m.row(e) != row {
      mismatches += 1
      if mismatches <= 3 { Issue.record("event \(e): decoded \(m.row(e)), stored \(row)") }
    }
    #expect(mismatches == 0)

    // Float decoding is the Double decoding rounded once to Float.
    let f = try ds.events(.raw, as: Float.self)
    #expect(f.storage == m.storage.map { Float($0) })
    // Linear parameters without gain: scaled values are the raw values.
    let s = try ds.events(.scaled, as: Double.self)
    #expect(s.storage.elementsEqual(m.storage) { $0 == $1 || ($0.isNaN && $1.isNaN) })
  }

  @Test("the same random files read identically from disk (memory-mapped)")
  func fromDisk() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cytoreset-props-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    for c in Self.cases where c.expected.count > 1 && c.description.contains("seed 2:") {
      let url = dir.appendingPathComponent("f.fcs")
      let bytes = c.builder.build()
      try bytes.write(to: url)
      let fromDisk = try FCSFile(contentsOf: url.path).dataSet(0).events(.raw, as: Double.self)
      let inMemory = try FCSFile(bytes: bytes).dataSet(0).events(.raw, as: Double.self)
      #expect(fromDisk == inMemory, "\(c.description)")
    }
  }

  @Test("every proper prefix of a valid file throws a typed error or reads fewer bytes, never crashes")
  func truncations() throws {
    var rng = SeededGenerator(seed: 42)
    for layout in Layout.allCases {
      let c = Self.makeCase(layout, seed: 5)
      let full = c.builder.build()
      // Every cut inside HEADER and TEXT, and a sample inside DATA.
      let textEnd = Int(String(decoding: full[18..<26], as: UTF8.self).trimmingCharacters(in: .whitespaces)) ?? 0
      var cuts = Array(0...min(textEnd + 2, full.count - 1))
      for _ in 0..<20 { cuts.append(Int.random(in: 0..<full.count, using: &rng)) }
      for n in cuts {
        do {
          let file = try FCSFile(bytes: full.prefix(n), path: "cut.fcs")
          for ds in file.dataSets { _ = try? ds.events(.raw, as: Float.self) }
          Issue.record("\(c.description): a \(n)-byte prefix of \(full.count) read without error")
        } catch let e as FCSError {
          #expect(e.location.file == "cut.fcs")
          #expect(e.location.section != nil && e.location.byteOffset != nil, "\(e)")
        }
      }
    }
  }
}
