import CytoCore
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension FCSDataSet {
  /// Decodes DATA into a column-major matrix, one column per parameter in file order.
  ///
  /// - Parameters:
  ///   - scale: ``FCSValueScale/raw`` (as stored, integers masked) or ``FCSValueScale/scaled``
  ///     (log decoding, ÷ gain, × timestep).
  ///   - type: `Float` (the gating engine's type) or `Double`. 32-bit integer data above 2²⁴
  ///     and `$DATATYPE D` data are exact only as `Double`.
  /// - Complexity: one pass over DATA; large data sets are split across all cores.
  public func events<S: EventScalar>(_ scale: FCSValueScale = .raw, as type: S.Type = Float.self) throws -> EventMatrix<S> {
    if let dataError { throw dataError }
    let p = parameters.count
    let n = eventCount
    var matrix = try bytes.withUnsafeBytes { raw -> EventMatrix<S> in
      let data = UnsafeRawBufferPointer(rebasing: raw[dataRange])
      if let layout = UniformLayout(self) {
        return EventMatrix<S>(eventCount: n, channelCount: p) { out in
          EventDecoder.adviseHugePages(UnsafeMutableRawBufferPointer(out))
          EventDecoder.decodeUniform(layout, data: data, events: n, channels: p, into: out,
                                     releasing: releasesDataPages ? bytesPerEvent : nil)
          // Fault-around maps a few pages beyond each task's range; release what is left.
          if releasesDataPages { EventDecoder.releaseMapped(raw, dataRange) }
        }
      }
      if parameters.contains(where: { $0.dataType == .ascii }) {
        do { return try EventDecoder.decodeASCII(self, data: data, into: S.self) } catch let e as FCSError {
          throw e.inDataSet(index, file: file)
        }
      }
      return EventMatrix<S>(eventCount: n, channelCount: p) { out in
        EventDecoder.decodeMixed(self, data: data, into: out)
      }
    }
    if scale == .scaled { applyScaling(to: &matrix) }
    return matrix
  }

  /// Whether ``events(_:as:in:)`` reads only the bytes of the events asked for (every
  /// parameter of one fixed-width binary type); otherwise it decodes the whole data set each
  /// time, and a caller reading in chunks should read it in one.
  public var decodesEventRanges: Bool { UniformLayout(self) != nil && bytesPerEvent != nil }

  /// Decodes events `range` of DATA (a slice of ``events(_:as:)``, same values), for files
  /// processed in chunks: with a fixed-width layout only those events' bytes are read, and a
  /// memory-mapped file's pages are released once decoded, so a file larger than memory can be
  /// read chunk by chunk. (ASCII and mixed-width files, which are small in practice, are decoded
  /// whole and sliced.)
  /// - Throws: the DATA error of a file read with ``FCSFile/DataCheck/deferred``.
  /// - Precondition: `range` lies within `0..<eventCount`.
  public func events<S: EventScalar>(_ scale: FCSValueScale = .raw, as type: S.Type = Float.self,
                                     in range: Range<Int>) throws -> EventMatrix<S> {
    if let dataError { throw dataError }
    precondition(range.lowerBound >= 0 && range.upperBound <= eventCount, "events \(range) of \(eventCount)")
    let p = parameters.count
    let k = range.count
    guard decodesEventRanges, let layout = UniformLayout(self), let bpe = bytesPerEvent else {
      let all = try events(scale, as: S.self)
      return EventMatrix<S>(eventCount: k, channelCount: p) { out in
        all.storage.withUnsafeBufferPointer { src in
          for c in 0..<p { for e in 0..<k { out[c * k + e] = src[c * eventCount + range.lowerBound + e] } }
        }
      }
    }
    var matrix = bytes.withUnsafeBytes { raw -> EventMatrix<S> in
      let lo = dataRange.lowerBound + range.lowerBound * bpe
      let data = UnsafeRawBufferPointer(rebasing: raw[lo..<(lo + k * bpe)])
      return EventMatrix<S>(eventCount: k, channelCount: p) { out in
        EventDecoder.decodeUniform(layout, data: data, events: k, channels: p, into: out,
                                   releasing: releasesDataPages ? bpe : nil)
        // The chunk's bytes, with the page it shares with the previous chunk (decoded already)
        // and pages fault-around mapped beyond the tasks' ranges.
        if releasesDataPages { EventDecoder.releaseMapped(raw, max(0, lo - 4095)..<(lo + k * bpe)) }
      }
    }
    if scale == .scaled { applyScaling(to: &matrix) }
    return matrix
  }

  /// Converts raw values to scaled values in place (see ``FCSValueScale/scaled``).
  public func applyScaling<S: EventScalar>(to matrix: inout EventMatrix<S>) {
    let n = matrix.eventCount
    let rules = scalings
    matrix.withUnsafeMutableStorage { all in
      for (c, rule) in rules.enumerated() where !rule.isIdentity {
        let col = UnsafeMutableBufferPointer(rebasing: all[c * n..<(c + 1) * n])
        for i in col.indices { col[i] = S(rule.apply(Double(col[i]))) }
      }
    }
  }

  /// How each parameter's raw values become scaled values: log decoding for log-amplified
  /// integers, ÷ `$PnG` for linear parameters (never for log ones: FCS 3.1 §3.3.39 and the FACE
  /// truth), × `$TIMESTEP` for the time parameter.
  public var scalings: [ValueScaling] {
    let step = timestep
    return parameters.map { prm in
      if prm.isTime, let step { return .multiply(by: step) }
      if prm.dataType == .integer, prm.amplification.isLogarithmic, prm.range > 0 {
        return .logarithmic(decades: prm.amplification.decades, range: prm.range, offset: prm.amplification.offset)
      }
      if prm.gain != 1 { return .divide(by: prm.gain) }
      return .identity
    }
  }

  /// The scaling applied to a parameter by ``FCSValueScale/scaled``, in words.
  public func scalingDescription(_ prm: FCSParameter) -> String {
    scalings[prm.index.rawValue].description
  }
}

/// A layout in which every parameter has the same binary type and width, with a plain byte order.
struct UniformLayout {
  enum Kind { case float32, float64, uint8, uint16, uint24, uint32, uint64 }
  var kind: Kind
  var bigEndian: Bool
  var masks: [UInt64]

  init?(_ ds: FCSDataSet) {
    guard let first = ds.parameters.first else { return nil }
    let t = first.dataType, w = first.byteWidth
    guard t != .ascii, ds.parameters.allSatisfy({ $0.dataType == t && $0.byteWidth == w }) else { return nil }
    switch ds.byteOrder {
    case .littleEndian: bigEndian = false
    case .bigEndian: bigEndian = true
    case .permuted: return nil
    }
    switch (t, w) {
    case (.float, 4): kind = .float32
    case (.double, 8): kind = .float64
    case (.integer, 1): kind = .uint8
    case (.integer, 2): kind = .uint16
    case (.integer, 3): kind = .uint24
    case (.integer, 4): kind = .uint32
    case (.integer, 8): kind = .uint64
    default: return nil
    }
    masks = ds.parameters.map { $0.integerMask ?? ~0 }
  }
}

/// A pointer that may cross into a concurrently executed closure; each task writes disjoint rows.
struct SendablePointer<T>: @unchecked Sendable {
  let pointer: T
}

enum EventDecoder {
  struct Field { var offset: Int; var width: Int; var type: FCSDataType; var mask: UInt64 }

  /// Asks Linux to back a large, not yet touched output buffer with transparent huge pages.
  ///
  /// A fresh 640 MB matrix otherwise takes 160 000 page faults, each zeroing 4 KiB; that was
  /// most of the time of decoding 10⁷×16 float32 events. With THP in `madvise` mode (Debian's
  /// default) the same buffer takes about 300 faults. Only the 2 MiB-aligned interior is advised.
  static func adviseHugePages(_ buffer: UnsafeMutableRawBufferPointer) {
    #if os(Linux)
    let huge = 2 << 20
    guard buffer.count >= 2 * huge, let base = buffer.baseAddress else { return }
    let start = (Int(bitPattern: base) + huge - 1) & ~(huge - 1)
    let end = (Int(bitPattern: base) + buffer.count) & ~(huge - 1)
    guard end > start, let p = UnsafeMutableRawPointer(bitPattern: start) else { return }
    _ = madvise(p, end - start, MADV_HUGEPAGE)  // advice only: failure changes nothing
    #endif
  }

  /// Events per parallel task below which decoding stays on one thread.
  static let parallelThreshold = 1 << 18

  static func forEachEventRange(_ n: Int, _ p: Int, _ body: @Sendable (Range<Int>) -> Void) {
    let cores = ProcessInfo.processInfo.activeProcessorCount
    guard cores > 1, n * max(p, 1) >= parallelThreshold * 4 else { body(0..<n); return }
    // Several chunks per core rather than one: when the OS takes a core away for a while (a
    // shared VM, a build next door), the other threads take its remaining chunks instead of
    // waiting for it. Chunks are whole multiples of 8 events, the float32 kernel's tile height.
    // At most ~16 MB of DATA per chunk, so released file pages (see `releaseMapped`) follow the
    // decoding closely.
    let tasks = min(max(cores * 4, n * max(p, 1) * 4 / (16 << 20)), 4096, max(1, n / 8192))
    let chunk = ((n + tasks - 1) / tasks + 7) & ~7
    let count = (n + chunk - 1) / chunk
    DispatchQueue.concurrentPerform(iterations: count) { t in
      let lo = t * chunk
      let hi = min(n, lo + chunk)
      if lo < hi { body(lo..<hi) }
    }
  }

  /// Releases the whole pages of `bytes[range]` of a private read-only file mapping.
  static func releaseMapped(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) {
    guard let base = bytes.baseAddress, !range.isEmpty else { return }
    releaseMapped(base + range.lowerBound, base + range.upperBound)
  }

  /// Releases the whole pages of mapped file bytes `[start, end)` (`MADV_DONTNEED`: the
  /// process stops counting them; they stay in the page cache and are read again if touched).
  /// Only for private read-only file mappings, where that loses nothing.
  static func releaseMapped(_ start: UnsafeRawPointer, _ end: UnsafeRawPointer) {
    #if os(Linux)
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    let lo = (Int(bitPattern: start) + page - 1) & ~(page - 1), hi = Int(bitPattern: end) & ~(page - 1)
    guard hi > lo, let p = UnsafeMutableRawPointer(bitPattern: lo) else { return }
    _ = madvise(p, hi - lo, MADV_DONTNEED)  // advice: on failure the pages merely stay resident
    #endif
  }

  /// `releasing`: bytes per event, when `data` is a private file mapping whose pages each task
  /// releases once it has decoded them (peak memory ≈ the matrix instead of matrix + file).
  static func decodeUniform<S: EventScalar>(_ layout: UniformLayout, data: UnsafeRawBufferPointer, events n: Int,
                                            channels p: Int, into out: UnsafeMutableBufferPointer<S>,
                                            releasing bytesPerEvent: Int? = nil) {
    if let bpe = bytesPerEvent, let base = data.baseAddress {
      let b = SendablePointer(pointer: base)
      decodeUniform(layout, data: data, events: n, channels: p, into: out, after: { range in
        releaseMapped(b.pointer + range.lowerBound * bpe, b.pointer + range.upperBound * bpe)
      })
    } else {
      decodeUniform(layout, data: data, events: n, channels: p, into: out, after: nil)
    }
  }

  static func decodeUniform<S: EventScalar>(_ layout: UniformLayout, data: UnsafeRawBufferPointer, events n: Int,
                                            channels p: Int, into out: UnsafeMutableBufferPointer<S>,
                                            after: (@Sendable (Range<Int>) -> Void)?) {
    // `events(_:as:)` is generic and not inlinable, so callers in other modules run it
    // unspecialized: every value would go through protocol witnesses and every unaligned load
    // through memmove (measured: 1.3 s for 10⁷×16 float32). Concrete calls let the optimizer
    // specialize the kernels for Float and Double.
    if S.self == Float.self {
      out.withMemoryRebound(to: Float.self) { decodeUniformSpecialized(layout, data: data, events: n, channels: p, into: $0, after: after) }
    } else if S.self == Double.self {
      out.withMemoryRebound(to: Double.self) { decodeUniformSpecialized(layout, data: data, events: n, channels: p, into: $0, after: after) }
    } else {
      decodeUniformSpecialized(layout, data: data, events: n, channels: p, into: out, after: after)
    }
  }

  @inline(__always)
  static func decodeUniformSpecialized<S: EventScalar>(_ layout: UniformLayout, data: UnsafeRawBufferPointer, events n: Int,
                                                       channels p: Int, into out: UnsafeMutableBufferPointer<S>,
                                                       after: (@Sendable (Range<Int>) -> Void)?) {
    guard n > 0, p > 0, let src0 = data.baseAddress, let dst0 = out.baseAddress else { return }
    let src = SendablePointer(pointer: src0)
    let dst = SendablePointer(pointer: dst0)
    let masks = layout.masks
    let be = layout.bigEndian
    let kind = layout.kind
    forEachEventRange(n, p) { range in
      masks.withUnsafeBufferPointer { m in
        switch kind {
        case .float32 where S.self == Float.self:
          // The common case (every FCS 3.x cytometer export read as Float): SIMD tiles, no conversion.
          transposeFloat32(src.pointer, UnsafeMutableRawPointer(dst.pointer), n, p, range, be)
        case .float32:
          transpose(src.pointer, dst.pointer, n, p, range, UInt32.self, be) { bits, _ in S(Float(bitPattern: bits)) }
        case .float64:
          transpose(src.pointer, dst.pointer, n, p, range, UInt64.self, be) { bits, _ in S(Double(bitPattern: bits)) }
        case .uint8:
          transpose(src.pointer, dst.pointer, n, p, range, UInt8.self, be) { v, c in S(UInt64(v) & m[c]) }
        case .uint16:
          transpose(src.pointer, dst.pointer, n, p, range, UInt16.self, be) { v, c in S(UInt64(v) & m[c]) }
        case .uint32:
          transpose(src.pointer, dst.pointer, n, p, range, UInt32.self, be) { v, c in S(UInt64(v) & m[c]) }
        case .uint64:
          transpose(src.pointer, dst.pointer, n, p, range, UInt64.self, be) { v, c in S(v & m[c]) }
        case .uint24:
          transpose24(src.pointer, dst.pointer, n, p, range, be, m)
        }
      }
      after?(range)
    }
  }

  /// Event-major → column-major for fixed-width values, in blocks of events so the strided
  /// reads of one block stay in cache while each column is written sequentially.
  @inline(__always)
  static func transpose<S: EventScalar, W: FixedWidthInteger>(
    _ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<S>, _ n: Int, _ p: Int, _ range: Range<Int>,
    _: W.Type, _ bigEndian: Bool, channels: Range<Int>? = nil, _ convert: (W, Int) -> S
  ) {
    let w = MemoryLayout<W>.size
    let rowBytes = p &* w
    let block = 512
    var e0 = range.lowerBound
    while e0 < range.upperBound {
      let e1 = min(e0 &+ block, range.upperBound)
      for c in channels ?? 0..<p {
        let col = dst + c &* n
        var off = e0 &* rowBytes &+ c &* w
        if bigEndian {
          for e in e0..<e1 {
            col[e] = convert(W(bigEndian: src.loadUnaligned(fromByteOffset: off, as: W.self)), c)
            off &+= rowBytes
          }
        } else {
          for e in e0..<e1 {
            col[e] = convert(W(littleEndian: src.loadUnaligned(fromByteOffset: off, as: W.self)), c)
            off &+= rowBytes
          }
        }
      }
      e0 = e1
    }
  }

  /// Event-major float32 → column-major `Float`, 8 events × 8 channels at a time.
  ///
  /// Each tile is 8 row loads, an 8×8 transpose in registers and 8 column stores, instead of
  /// one strided 4-byte load per value. Channels beyond the last multiple of 8 and events
  /// beyond the last multiple of 8 go through the scalar loop. `dst` holds `n × p` `Float`s.
  static func transposeFloat32(_ src: UnsafeRawPointer, _ dst: UnsafeMutableRawPointer, _ n: Int, _ p: Int,
                               _ range: Range<Int>, _ bigEndian: Bool) {
    let rowBytes = p &* 4
    let colBytes = n &* 4
    let tiledChannels = p & ~7
    let tiledEnd = range.lowerBound &+ (range.count & ~7)
    if tiledChannels > 0 {
      var e = range.lowerBound
      while e < tiledEnd {
        let row = src + e &* rowBytes
        let out = dst + e &* 4
        var c = 0
        while c < tiledChannels {
          let tile = row + c &* 4
          var v0 = load8(tile, 0, bigEndian)
          var v1 = load8(tile, rowBytes, bigEndian)
          var v2 = load8(tile, 2 &* rowBytes, bigEndian)
          var v3 = load8(tile, 3 &* rowBytes, bigEndian)
          var v4 = load8(tile, 4 &* rowBytes, bigEndian)
          var v5 = load8(tile, 5 &* rowBytes, bigEndian)
          var v6 = load8(tile, 6 &* rowBytes, bigEndian)
          var v7 = load8(tile, 7 &* rowBytes, bigEndian)
          // Three perfect unshuffles rotate the 6-bit index (event, channel) by 3 bits: a transpose.
          for _ in 0..<3 {
            (v0, v4, v1, v5, v2, v6, v3, v7) = (
              even(v0, v1), odd(v0, v1), even(v2, v3), odd(v2, v3),
              even(v4, v5), odd(v4, v5), even(v6, v7), odd(v6, v7))
          }
          let col = out + c &* colBytes
          col.storeBytes(of: v0, as: SIMD8<Float>.self)
          (col + colBytes).storeBytes(of: v1, as: SIMD8<Float>.self)
          (col + 2 &* colBytes).storeBytes(of: v2, as: SIMD8<Float>.self)
          (col + 3 &* colBytes).storeBytes(of: v3, as: SIMD8<Float>.self)
          (col + 4 &* colBytes).storeBytes(of: v4, as: SIMD8<Float>.self)
          (col + 5 &* colBytes).storeBytes(of: v5, as: SIMD8<Float>.self)
          (col + 6 &* colBytes).storeBytes(of: v6, as: SIMD8<Float>.self)
          (col + 7 &* colBytes).storeBytes(of: v7, as: SIMD8<Float>.self)
          c &+= 8
        }
        e &+= 8
      }
    }
    // Leftover channels of the tiled events, then every channel of the leftover events.
    let out = dst.assumingMemoryBound(to: Float.self)
    if tiledChannels < p {
      transpose(src, out, n, p, range.lowerBound..<tiledEnd, UInt32.self, bigEndian, channels: tiledChannels..<p) {
        bits, _ in Float(bitPattern: bits)
      }
    }
    transpose(src, out, n, p, tiledEnd..<range.upperBound, UInt32.self, bigEndian) { bits, _ in Float(bitPattern: bits) }
  }

  @inline(__always)
  static func load8(_ p: UnsafeRawPointer, _ offset: Int, _ bigEndian: Bool) -> SIMD8<Float> {
    var x = p.loadUnaligned(fromByteOffset: offset, as: SIMD8<UInt32>.self)
    if bigEndian {
      x = (x &<< 24) | ((x &<< 8) & 0x00FF_0000) | ((x &>> 8) & 0x0000_FF00) | (x &>> 24)
    }
    return unsafeBitCast(x, to: SIMD8<Float>.self)
  }

  @inline(__always)
  static func even(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { SIMD16(lowHalf: a, highHalf: b).evenHalf }
  @inline(__always)
  static func odd(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { SIMD16(lowHalf: a, highHalf: b).oddHalf }

  static func transpose24<S: EventScalar>(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<S>, _ n: Int, _ p: Int,
                                          _ range: Range<Int>, _ bigEndian: Bool, _ m: UnsafeBufferPointer<UInt64>) {
    let b = src.assumingMemoryBound(to: UInt8.self)
    let rowBytes = p * 3
    for e in range {
      var off = e * rowBytes
      for c in 0..<p {
        let v: UInt64 = bigEndian
          ? UInt64(b[off]) << 16 | UInt64(b[off + 1]) << 8 | UInt64(b[off + 2])
          : UInt64(b[off + 2]) << 16 | UInt64(b[off + 1]) << 8 | UInt64(b[off])
        dst[c * n + e] = S(v & m[c])
        off += 3
      }
    }
  }

  /// Any mix of integer widths, floats and doubles, and FCS 2.0 permuted byte orders.
  static func decodeMixed<S: EventScalar>(_ ds: FCSDataSet, data: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<S>) {
    let n = ds.eventCount, p = ds.parameters.count
    guard n > 0, p > 0 else { return }
    var fields: [Field] = []
    var off = 0
    for prm in ds.parameters {
      let w = prm.byteWidth ?? 0
      fields.append(Field(offset: off, width: w, type: prm.dataType, mask: prm.integerMask ?? ~0))
      off += w
    }
    let rowBytes = off
    // Significance rank (0 = least significant) of each stored byte position.
    let rank: (Int, Int) -> Int
    switch ds.byteOrder {
    case .littleEndian: rank = { i, _ in i }
    case .bigEndian: rank = { i, w in w - 1 - i }
    case .permuted(let order): rank = { i, _ in order[i] - 1 }
    }
    let b = data.bindMemory(to: UInt8.self)
    for e in 0..<n {
      let row = e * rowBytes
      for (c, f) in fields.enumerated() {
        var v: UInt64 = 0
        for i in 0..<f.width { v |= UInt64(b[row + f.offset + i]) << UInt64(8 * rank(i, f.width)) }
        let x: S
        switch f.type {
        case .float: x = S(Float(bitPattern: UInt32(truncatingIfNeeded: v)))
        case .double: x = S(Double(bitPattern: v))
        default: x = S(v & f.mask)
        }
        out[c * n + e] = x
      }
    }
  }

  /// ASCII data: fixed-width fields (`$PnB` characters) or values separated by blanks,
  /// commas, tabs or line breaks (`$PnB *`).
  static func decodeASCII<S: EventScalar>(_ ds: FCSDataSet, data: UnsafeRawBufferPointer, into: S.Type) throws -> EventMatrix<S> {
    let p = ds.parameters.count
    let b = data.bindMemory(to: UInt8.self)
    func number(_ lo: Int, _ hi: Int, at e: Int, _ c: Int) throws -> S {
      var s = Substring(String(decoding: UnsafeBufferPointer(rebasing: b[lo..<hi]), as: UTF8.self))
      while s.first == " " { s.removeFirst() }
      while s.last == " " { s.removeLast() }
      guard let d = Double(s) else {
        throw FCSError(.dataSizeMismatch, "ASCII value '\(s)' of event \(e + 1), parameter \(c + 1) is not a number",
                       segment: .data, byteOffset: ds.dataRange.lowerBound + lo)
      }
      return S(d)
    }
    if ds.parameters.allSatisfy({ $0.bits != nil }) {
      let n = ds.eventCount
      var values = [S](repeating: 0, count: n * p)
      var off = 0
      for e in 0..<n {
        for (c, prm) in ds.parameters.enumerated() {
          let w = prm.bits ?? 0
          values[c * n + e] = try number(off, off + w, at: e, c)
          off += w
        }
      }
      return EventMatrix(eventCount: n, channelCount: p, columnMajor: values)
    }
    let tokens = delimitedTokens(b)
    let n = ds.eventCount
    guard tokens.count >= n * p else {
      throw FCSError(.truncated, "ASCII DATA holds \(tokens.count) values, \(n * p) expected ($TOT × $PAR)",
                     segment: .data, byteOffset: ds.dataRange.lowerBound)
    }
    var values = [S](repeating: 0, count: n * p)
    for e in 0..<n { for c in 0..<p { values[c * n + e] = try number(tokens[e * p + c].0, tokens[e * p + c].1, at: e, c) } }
    return EventMatrix(eventCount: n, channelCount: p, columnMajor: values)
  }

  static func delimitedTokens(_ b: UnsafeBufferPointer<UInt8>) -> [(Int, Int)] {
    var out: [(Int, Int)] = []
    var i = 0
    while i < b.count {
      while i < b.count, isSeparator(b[i]) { i += 1 }
      let s = i
      while i < b.count, !isSeparator(b[i]) { i += 1 }
      if i > s { out.append((s, i)) }
    }
    return out
  }

  @inline(__always) static func isSeparator(_ c: UInt8) -> Bool {
    c == 0x20 || c == 0x2C || c == 0x09 || c == 0x0A || c == 0x0D || c == 0
  }
}
