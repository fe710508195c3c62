import CytoCore
@testable import CytoFCS
import CytoTestSupport
import Foundation
import Testing

/// `events(_:as:in:)` (chunks of a file, releasing mapped pages) gives exactly the slices of
/// `events(_:as:)`, for every instrument file of the shared set and every data layout.
@Suite("Chunked decoding")
struct ChunkedDecodeTests {
  static func slice<S: EventScalar>(_ m: EventMatrix<S>, _ r: Range<Int>) -> [S] {
    (0..<m.channelCount).flatMap { c in Array(m.storage[(c * m.eventCount + r.lowerBound)..<(c * m.eventCount + r.upperBound)]) }
  }

  static func check(_ path: String, name: String) throws {
    // A fresh mapping per read so that released pages are really re-read from the file.
    guard let whole = try? FCSFile(contentsOf: path) else { return }  // unreadable fixtures are tested elsewhere
    for (i, ds) in whole.dataSets.enumerated() where ds.dataError == nil {
      let all = try ds.events(.raw, as: Float.self)
      let allScaled = try ds.events(.scaled, as: Double.self)
      let chunked = try FCSFile(contentsOf: path).dataSets[i]
      #expect(chunked.releasesDataPages, "\(name): a file read from disk is mapped")
      let n = ds.eventCount
      var cuts = [0, n]
      var rng = SeededGenerator(seed: UInt64(n) &+ 3)
      for _ in 0..<5 where n > 0 { cuts.append(Int(rng.next() % UInt64(n + 1))) }
      cuts.sort()
      var joined: [[Float]] = Array(repeating: [], count: ds.parameters.count)
      for (lo, hi) in zip(cuts, cuts.dropFirst()) {
        let part = try chunked.events(.raw, as: Float.self, in: lo..<hi)
        #expect(part.eventCount == hi - lo)
        #expect(Self.slice(all, lo..<hi).elementsEqualNaNAware(part.storage), "\(name) set \(i) events \(lo)..<\(hi)")
        for c in 0..<part.channelCount { joined[c] += part.storage[(c * part.eventCount)..<((c + 1) * part.eventCount)] }
        let scaled = try chunked.events(.scaled, as: Double.self, in: lo..<hi)
        #expect(Self.slice(allScaled, lo..<hi).elementsEqualNaNAware(scaled.storage), "\(name) set \(i) scaled \(lo)..<\(hi)")
      }
      #expect(joined.flatMap { $0 }.elementsEqualNaNAware(all.storage), "\(name) set \(i): chunks joined")
      // Events picked by index (a gating sample): the rows of the whole matrix, raw and scaled,
      // including the first and last event, a repeated one and an unordered pair.
      var picks = n == 0 ? [] : [0, n - 1, n / 2, n / 2]
      for _ in 0..<min(n, 3_000) { picks.append(Int(rng.next() % UInt64(n))) }
      if n > 0 { picks = picks.sorted() + [n - 1, 0] }
      let fresh = try FCSFile(contentsOf: path).dataSets[i]
      let picked = try fresh.events(.raw, as: Float.self, at: picks)
      let pickedScaled = try fresh.events(.scaled, as: Double.self, at: picks)
      #expect(picked.eventCount == picks.count && picked.channelCount == ds.parameters.count)
      let rows = (0..<all.channelCount).flatMap { c in picks.map { all.storage[c * n + $0] } }
      let rowsScaled = (0..<allScaled.channelCount).flatMap { c in picks.map { allScaled.storage[c * n + $0] } }
      #expect(rows.elementsEqualNaNAware(picked.storage), "\(name) set \(i): events at indices")
      #expect(rowsScaled.elementsEqualNaNAware(pickedScaled.storage), "\(name) set \(i): scaled events at indices")
      // Decoding the whole data set again after its pages were released reads the file again.
      #expect(try chunked.events(.raw, as: Float.self).storage.elementsEqualNaNAware(all.storage))
    }
  }

  @Test("every shared instrument file", arguments: ExpectedFCS.all)
  func sharedFiles(_ expected: ExpectedFCS) throws {
    try Self.check(expected.url.path, name: expected.name)
  }

  @Test("written float32 file larger than one decode task")
  func writtenFile() throws {
    let n = 300_001, p = 5
    var rng = SeededGenerator(seed: 11)
    let values = (0..<(n * p)).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()) & 0xBFFF_FFFF) }
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("chunked-\(UUID().uuidString).fcs")
    defer { try? FileManager.default.removeItem(at: url) }
    let matrix = EventMatrix(eventCount: n, channelCount: p, columnMajor: values)
    try FCSWriter.write(FCSWriter.EventTable(channels: (0..<p).map { FCSWriter.Channel(name: ChannelName("C\($0)")) }, events: matrix), to: url.path)
    try Self.check(url.path, name: "written")
  }
}

extension Sequence where Element: BinaryFloatingPoint {
  /// Equal value for value, NaN equal to NaN.
  func elementsEqualNaNAware<C: Collection>(_ other: C) -> Bool where C.Element == Element {
    elementsEqual(other) { a, b in a == b || (a.isNaN && b.isNaN) }
  }
}
