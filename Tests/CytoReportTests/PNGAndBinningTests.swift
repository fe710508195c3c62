import CZlib
import CytoCore
import CytoGating
import Foundation
import Testing

@testable import CytoReport

@Suite struct PNGTests {
  static func be32(_ b: [UInt8], _ i: Int) -> UInt32 {
    UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
  }

  /// Decodes our PNG subset: checks the signature and every chunk CRC, inflates IDAT with
  /// zlib's `uncompress` and removes the filter bytes (all 0).
  static func decode(_ png: [UInt8]) throws -> (width: Int, height: Int, pixels: [UInt8], chunks: [String]) {
    #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    var i = 8
    var chunks: [String] = []
    var idat: [UInt8] = []
    var w = 0, h = 0
    while i < png.count {
      let len = Int(be32(png, i))
      let type = Array(png[(i + 4)..<(i + 8)])
      let data = Array(png[(i + 8)..<(i + 8 + len)])
      let crc = be32(png, i + 8 + len)
      let computed = (type + data).withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
      #expect(crc == computed, "CRC of \(String(decoding: type, as: UTF8.self))")
      let name = String(decoding: type, as: UTF8.self)
      chunks.append(name)
      if name == "IHDR" {
        w = Int(be32(data, 0)); h = Int(be32(data, 4))
        #expect(Array(data[8...]) == [8, 6, 0, 0, 0])
      }
      if name == "IDAT" { idat += data }
      i += 12 + len
    }
    var raw = [UInt8](repeating: 0, count: (w * 4 + 1) * h)
    var rawLen = uLongf(raw.count)
    let status = raw.withUnsafeMutableBufferPointer { r in idat.withUnsafeBufferPointer { uncompress(r.baseAddress, &rawLen, $0.baseAddress, uLong($0.count)) } }
    try #require(status == Z_OK)
    #expect(Int(rawLen) == raw.count)
    var pixels: [UInt8] = []
    for y in 0..<h {
      #expect(raw[y * (w * 4 + 1)] == 0, "filter type of row \(y)")
      let start: Int = y * (w * 4 + 1) + 1
      pixels += raw[start..<(start + w * 4)]
    }
    return (w, h, pixels, chunks)
  }

  @Test(arguments: [(1, 1), (3, 2), (17, 31), (256, 64)])
  func roundTrip(_ size: (Int, Int)) throws {
    var rng = TestRNG(seed: UInt64(size.0 * 1000 + size.1))
    var img = RGBAImage(width: size.0, height: size.1)
    for k in img.pixels.indices { img.pixels[k] = UInt8.random(in: 0...255, using: &rng) }
    let png = try img.png()
    let d = try Self.decode(png)
    #expect(d.chunks == ["IHDR", "IDAT", "IEND"])
    #expect(d.width == size.0 && d.height == size.1)
    #expect(d.pixels == img.pixels)
  }

  @Test func base64MatchesFoundation() {
    var rng = TestRNG(seed: 9)
    for n in 0..<20 {
      let b = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
      #expect(base64(b) == Data(b).base64EncodedString())
    }
  }
}

@Suite struct BinningTests {
  /// The scalar reference: the documented rule, one event at a time.
  static func reference(_ x: [Float], _ y: [Float], _ xr: (Float, Float), _ yr: (Float, Float), _ nx: Int, _ ny: Int, _ mask: EventMask?) -> [UInt32] {
    var c = [UInt32](repeating: 0, count: nx * ny)
    let sx = Float(nx) / (xr.1 - xr.0), sy = Float(ny) / (yr.1 - yr.0)
    for i in x.indices {
      if let mask, !mask[i] { continue }
      guard x[i] >= xr.0, x[i] <= xr.1, y[i] >= yr.0, y[i] <= yr.1 else { continue }
      let ix = min(Int((x[i] - xr.0) * sx), nx - 1), iy = min(Int((y[i] - yr.0) * sy), ny - 1)
      c[iy * nx + ix] += 1
    }
    return c
  }

  static func randomColumn(_ n: Int, _ rng: inout TestRNG) -> [Float] {
    (0..<n).map { _ in
      switch Int.random(in: 0..<20, using: &rng) {
      case 0: .nan
      case 1: .infinity
      case 2: -.infinity
      case 3: Float.random(in: -5...(-1.0001), using: &rng)  // below the range
      case 4: Float.random(in: 1.0001...5, using: &rng)  // above
      case 5: ([0, 1, 0.5, Float(1).nextDown, Float(0).nextUp] as [Float])[Int.random(in: 0..<5, using: &rng)]  // edges
      default: Float.random(in: 0...1, using: &rng)
      }
    }
  }

  @Test(arguments: [0, 1, 15, 16, 17, 63, 64, 65, 1_000, 4_099])
  func twoDimensionalEqualsScalarReference(_ n: Int) {
    var rng = TestRNG(seed: UInt64(n) + 1)
    let x = Self.randomColumn(n, &rng), y = Self.randomColumn(n, &rng)
    for (nx, ny) in [(256, 256), (7, 3), (1, 1)] {
      for masked in [false, true] {
        let mask = masked ? EventMask((0..<n).map { _ in Bool.random(using: &rng) }) : nil
        let g = x.withUnsafeBufferPointer { xb in y.withUnsafeBufferPointer { yb in
          DensityGrid.bin(x: xb, y: yb, xRange: (0, 1), yRange: (0, 1), xBins: nx, yBins: ny, mask: mask) } }
        #expect(g.counts == Self.reference(x, y, (0, 1), (0, 1), nx, ny, mask), "n \(n), \(nx)×\(ny), mask \(masked)")
        #expect(g.selectedEvents == (mask?.setCount ?? n))
        #expect(g.binnedEvents + g.outsideEvents == g.selectedEvents)
      }
    }
  }

  @Test(arguments: [0, 5, 16, 33, 2_000])
  func oneDimensionalEqualsScalarReference(_ n: Int) {
    var rng = TestRNG(seed: UInt64(n) + 77)
    let x = Self.randomColumn(n, &rng).map { $0 * 3 - 1 }
    let mask = EventMask((0..<n).map { _ in Bool.random(using: &rng) })
    for m in [nil, mask] {
      let g = x.withUnsafeBufferPointer { DensityGrid.bin(x: $0, range: (-0.5, 1.5), bins: 100, mask: m) }
      let ones = [Float](repeating: 0.5, count: n)
      #expect(g.counts == Self.reference(x, ones, (-0.5, 1.5), (0, 1), 100, 1, m))
    }
  }

  @Test func shiftedRangeAndEdges() {
    let x: [Float] = [-2, 2, 2, 0, 1.999_999]
    let y: [Float] = [10, 20, 19.99, 15, 10]
    let g = x.withUnsafeBufferPointer { xb in y.withUnsafeBufferPointer { yb in
      DensityGrid.bin(x: xb, y: yb, xRange: (-2, 2), yRange: (10, 20), xBins: 4, yBins: 2) } }
    #expect(g[0, 0] == 1)  // lower corner
    #expect(g[3, 1] == 2)  // upper edges belong to the last bin
    #expect(g[2, 1] == 1)
    #expect(g[3, 0] == 1)
    #expect(g.outsideEvents == 0)
  }
}

/// Gate labels on one plot do not overlap: quadrant labels flush with the sides, range labels
/// stacked below them (QC sheets of real files put a quadrant and a range on one plot).
@Suite struct GateLabelLayoutTests {
  /// Text boxes (x from, x to, baseline) of the gate labels in an SVG (bold red text).
  static func boxes(_ svg: String) -> [(Double, Double, Double, String)] {
    let pattern = try! NSRegularExpression(pattern: ##"<text x="([-0-9.]+)" y="([-0-9.]+)"( text-anchor="(\w+)")?[^>]*fill="#c00000" font-weight="bold">([^<]*)<"##)
    return pattern.matches(in: svg, range: NSRange(svg.startIndex..., in: svg)).map { m in
      func g(_ i: Int) -> String? { Range(m.range(at: i), in: svg).map { String(svg[$0]) } }
      let x = Double(g(1)!)!, y = Double(g(2)!)!, text = g(5)!, w = GatePlot.textWidth(text)
      switch g(4) {
      case "end": return (x - w, x, y, text)
      case "middle": return (x - w / 2, x + w / 2, y, text)
      default: return (x, x + w, y, text)
      }
    }
  }

  @Test func quadrantAndRangeLabelsDoNotOverlap() throws {
    let axis = PlotAxis(channel: "A", scale: .linear(min: 0, max: 1))
    let grid = [Float(0.5)].withUnsafeBufferPointer { xs in [Float(0.5)].withUnsafeBufferPointer { ys in
      DensityGrid.bin(x: xs, y: ys, xRange: (0, 1), yRange: (0, 1), xBins: 8, yBins: 8) } }
    for (left, right, top) in [("NaiveB 67.6%", "UnswitchedMemB 1.4%", 0.94), ("DoubleNegativeMemoryB 25.4%", "UnswitchedMemoryB 12.5%", 0.94),
                               ("NaiveB 67.6%", "UnswitchedMemB 1.4%", 0.8)] {
      let quadrant = GateOverlay(shape: .dividers(x: [0.5], y: [0.5]), label: "",
                                 extraLabels: [(Vertex(0.1, top), left), (Vertex(0.9, top), right), (Vertex(0.1, 0.06), "DNB 1%"), (Vertex(0.9, 0.06), "SwB 2%")])
      let range = GateOverlay(shape: .xRange(0.6, nil), label: "CD27+ memory B 7.0%")
      let other = GateOverlay(shape: .xRange(nil, 0.6), label: "CD27- B 93.0%")
      let svg = try GatePlot(title: "t", x: axis, y: axis, grid: grid, overlays: [quadrant, range, other]).svg()
      let b = Self.boxes(svg)
      #expect(b.count == 6, "\(b.map(\.3))")
      for i in b.indices {
        for j in b.indices where j > i {
          let sameLine = abs(b[i].2 - b[j].2) < 10
          let apart = b[i].1 <= b[j].0 || b[j].1 <= b[i].0
          #expect(!sameLine || apart, "'\(b[i].3)' overlaps '\(b[j].3)'")
        }
      }
    }
  }
}
