import CytoCore
import Dispatch

extension FCSDataSet {
  /// Decodes the events at `indices`, in that order: the rows of ``events(_:as:)`` at those
  /// indices, the same values. For a sample of a large file (the events an adaptive gating
  /// finds its gates in): with a fixed-width layout (``decodesEventRanges``) only those
  /// events' bytes are read, and a memory-mapped file's pages are released behind the reading,
  /// so sampling a file larger than memory keeps memory at the sample's size. Other layouts
  /// (ASCII, mixed widths: small files in practice) are decoded whole and the rows picked.
  /// - Throws: the DATA error of a file read with ``FCSFile/DataCheck/deferred``.
  /// - Precondition: every index lies within `0..<eventCount`.
  /// - Complexity: O(`indices.count` × parameters), on all cores.
  public func events<S: EventScalar>(_ scale: FCSValueScale = .raw, as type: S.Type = Float.self,
                                     at indices: [Int]) throws -> EventMatrix<S> {
    if let dataError { throw dataError }
    let n = eventCount, p = parameters.count, m = indices.count
    for i in indices { precondition(i >= 0 && i < n, "event \(i) of \(n)") }
    guard decodesEventRanges, let layout = UniformLayout(self), let bpe = bytesPerEvent else {
      let all = try events(scale, as: S.self)
      return EventMatrix<S>(eventCount: m, channelCount: p) { out in
        all.storage.withUnsafeBufferPointer { src in
          for c in 0..<p { for (j, e) in indices.enumerated() { out[c * m + j] = src[c * n + e] } }
        }
      }
    }
    let release = releasesDataPages
    var matrix = bytes.withUnsafeBytes { raw -> EventMatrix<S> in
      let data = UnsafeRawBufferPointer(rebasing: raw[dataRange])
      return EventMatrix<S>(eventCount: m, channelCount: p) { out in
        EventDecoder.gatherUniform(layout, data: data, rows: indices, bytesPerEvent: bpe, channels: p, into: out,
                                   releasing: release)
      }
    }
    if scale == .scaled { applyScaling(to: &matrix) }
    return matrix
  }
}

extension EventDecoder {
  /// Rows `rows` of fixed-width DATA into column-major `out` (`rows.count` events × `p`), in
  /// blocks of rows on all cores. `releasing`: `data` is a private file mapping whose pages a
  /// block releases once read, when its rows ascend (a page shared with the next block is read
  /// again from the page cache if touched: nothing is lost).
  static func gatherUniform<S: EventScalar>(_ layout: UniformLayout, data: UnsafeRawBufferPointer, rows: [Int], bytesPerEvent bpe: Int,
                                            channels p: Int, into out: UnsafeMutableBufferPointer<S>, releasing: Bool) {
    // Concrete calls for Float and Double, so the per-value conversion is specialized (as in
    // `decodeUniform`).
    if S.self == Float.self {
      out.withMemoryRebound(to: Float.self) { gatherSpecialized(layout, data: data, rows: rows, bpe: bpe, p: p, into: $0, releasing: releasing) }
    } else if S.self == Double.self {
      out.withMemoryRebound(to: Double.self) { gatherSpecialized(layout, data: data, rows: rows, bpe: bpe, p: p, into: $0, releasing: releasing) }
    } else {
      gatherSpecialized(layout, data: data, rows: rows, bpe: bpe, p: p, into: out, releasing: releasing)
    }
  }

  @inline(__always)
  static func gatherSpecialized<S: EventScalar>(_ layout: UniformLayout, data: UnsafeRawBufferPointer, rows: [Int], bpe: Int, p: Int,
                                                into out: UnsafeMutableBufferPointer<S>, releasing: Bool) {
    let m = rows.count
    guard m > 0, p > 0, let src0 = data.baseAddress, let dst0 = out.baseAddress else { return }
    let src = SendablePointer(pointer: src0), dst = SendablePointer(pointer: dst0)
    let masks = layout.masks, be = layout.bigEndian, kind = layout.kind
    let block = 4096
    rows.withUnsafeBufferPointer { r in
      let rowsPointer = SendablePointer(pointer: r.baseAddress!)
      DispatchQueue.concurrentPerform(iterations: (m + block - 1) / block) { b in
        let lo = b * block, hi = min(m, lo + block)
        masks.withUnsafeBufferPointer { mk in
          for j in lo..<hi {
            // One event: `transpose` of a one-row range, written at column offset j of an
            // m-event matrix.
            let row = src.pointer + rowsPointer.pointer[j] * bpe, d = dst.pointer + j
            switch kind {
            case .float32: transpose(row, d, m, p, 0..<1, UInt32.self, be) { bits, _ in S(Float(bitPattern: bits)) }
            case .float64: transpose(row, d, m, p, 0..<1, UInt64.self, be) { bits, _ in S(Double(bitPattern: bits)) }
            case .uint8: transpose(row, d, m, p, 0..<1, UInt8.self, be) { v, c in S(UInt64(v) & mk[c]) }
            case .uint16: transpose(row, d, m, p, 0..<1, UInt16.self, be) { v, c in S(UInt64(v) & mk[c]) }
            case .uint32: transpose(row, d, m, p, 0..<1, UInt32.self, be) { v, c in S(UInt64(v) & mk[c]) }
            case .uint64: transpose(row, d, m, p, 0..<1, UInt64.self, be) { v, c in S(v & mk[c]) }
            case .uint24: transpose24(row, d, m, p, 0..<1, be, mk)
            }
          }
        }
        let first = rowsPointer.pointer[lo], last = rowsPointer.pointer[hi - 1]
        if releasing, first <= last { releaseMapped(src.pointer + first * bpe, src.pointer + (last + 1) * bpe) }
      }
    }
  }
}
