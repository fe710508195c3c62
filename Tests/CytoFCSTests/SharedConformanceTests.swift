import CytoCore
import CytoFCS
import CytoTestSupport
import Foundation
import Testing

/// Every real FCS file in `../shared/testdata` against the consensus of peer readers.
@Suite("Real instrument files vs. peer consensus")
struct SharedConformanceTests {
  @Test("shared test data is present (required under CI)")
  func sharedDataPresent() {
    if !TestData.sharedAvailable {
      #expect(!TestData.isCI, "CI=true but ../shared/testdata is missing")
      return
    }
    #expect(ExpectedFCS.all.count >= 35, "expected JSON files missing: found \(ExpectedFCS.all.count)")
  }

  @Test("consensus values", arguments: ExpectedFCS.all)
  func matchesConsensus(_ expected: ExpectedFCS) throws {
    let path = expected.url.path
    let attrs = try FileManager.default.attributesOfItem(atPath: path)
    #expect((attrs[.size] as? Int) == expected.size_bytes, "fixture changed size")

    let hasNumbers = expected.consensus.contains { $0.raw_sum != nil }
    if !hasNumbers && expected.consensus.allSatisfy({ $0.trust == "none" }) {
      try checkUnreadable(expected)
      return
    }
    let file = try FCSFile(contentsOf: path)
    #expect(file.dataSets.count == expected.consensus.count)
    for c in expected.consensus {
      let ds = try file.dataSet(c.index)
      try check(ds, against: c, name: expected.name)
    }
  }

  func check(_ ds: FCSDataSet, against c: ExpectedFCS.Consensus, name: String) throws {
    if let v = c.version { #expect(ds.version.rawValue == v, "\(name)[\(c.index)] version") }
    if let t = c.tot { #expect(ds.keywords.integer("$TOT") == t, "\(name)[\(c.index)] $TOT") }
    if let p = c.par { #expect(ds.parameters.count == p, "\(name)[\(c.index)] $PAR") }
    if let d = c.datatype { #expect(ds.dataType.rawValue == d) }
    if let b = c.byteord { #expect(ds.keywords["$BYTEORD"].map { String($0).trimmingCharacters(in: .whitespaces) } == b) }
    if let pnn = c.pnn {
      if pnn.isEmpty {
        #expect(ds.parameters.allSatisfy { !$0.nameIsFromFile }, "\(name)[\(c.index)] has no $PnN in the file")
      } else {
        #expect(ds.parameters.map { $0.nameIsFromFile ? $0.name.rawValue : "" } == pnn, "\(name)[\(c.index)] $PnN")
      }
    }
    if let pns = c.pns, !pns.isEmpty { #expect(ds.parameters.map { $0.label ?? "" } == pns, "\(name)[\(c.index)] $PnS") }
    if c.hasSpilloverField {
      let names = ds.spillover.flatMap { $0.keyword == "$DFC" ? nil : $0.matrix.detectors.map(\.rawValue) }
      #expect(names == c.spillover_channels, "\(name)[\(c.index)] spillover channels")
    }
    guard let sums = c.raw_sum, let rows = c.raw_first_rows, let n = c.n_events else { return }
    #expect(ds.eventCount == n, "\(name)[\(c.index)] events")
    let m = try ds.events(.raw, as: Double.self)
    #expect(m.eventCount == n)
    for ch in 0..<m.channelCount {
      var s = 0.0
      m.withColumn(ChannelIndex(ch)) { col in for v in col { s += v } }
      let want = sums[ch]
      let tol = max(abs(want), 1) * 1e-12
      #expect(abs(s - want) <= tol, "\(name)[\(c.index)] channel \(ch + 1) raw sum \(s) ≠ \(want)")
    }
    for (e, row) in rows.enumerated() {
      #expect(m.row(e) == row, "\(name)[\(c.index)] event \(e)")
    }
    // Float32 decoding agrees with Float64 decoding rounded to Float.
    let f = try ds.events(.raw, as: Float.self)
    #expect(f.storage == m.storage.map { Float($0) }, "\(name)[\(c.index)] Float32 decode")
  }

  func checkUnreadable(_ expected: ExpectedFCS) throws {
    let path = expected.url.path
    switch expected.name {
    case "corrupted.fcs":
      let e = #expect(throws: FCSError.self) { try FCSFile(contentsOf: path) }
      #expect(e?.kind == .truncated)
      #expect(e?.location.section == "HEADER")
    case "sample_header.fcs":
      let e = #expect(throws: FCSError.self) { try FCSFile(contentsOf: path) }
      #expect(e?.kind == .truncated)
      #expect(e?.location.section == "DATA")
      #expect(e?.location.file == path)
      // TEXT must still be readable for inspection.
      let f = try FCSFile(contentsOf: path, dataCheck: .deferred)
      let ds = f.dataSets[0]
      #expect(ds.dataError?.kind == .truncated)
      if let c = expected.consensus.first {
        if let p = c.par { #expect(ds.parameters.count == p) }
        if let pnn = c.pnn { #expect(ds.parameters.map(\.name.rawValue) == pnn) }
      }
      #expect(throws: FCSError.self) { try ds.events(.raw, as: Float.self) }
    case "ascii-4_events.fcs":
      let m = try FCSFile(contentsOf: path).dataSets[0].events(.raw, as: Double.self)
      #expect(m == EventMatrix(rows: [[125, 150], [175, 150], [150, 125], [150, 175]], channelCount: 2))
    default:
      Issue.record("\(expected.name): no numbers in the consensus and no rule for it in this test")
    }
  }
}

extension ExpectedFCS: CustomTestStringConvertible {}
