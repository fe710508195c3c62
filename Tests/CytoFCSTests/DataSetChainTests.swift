import CytoCore
import CytoFCS
import CytoTestSupport
import Foundation
import Testing

/// One bad data set of a `$NEXTDATA` chain does not condemn the file: the others read, the bad
/// one is in ``FCSFile/unreadableDataSets`` with its own error, and ``FCSFile/dataSet(_:)``
/// throws that error. Fixtures: `testdata/fcs/invalid/{three,two}-sets-*.fcs`.
@Suite("Data sets of a $NEXTDATA chain")
struct DataSetChainTests {
  static func path(_ name: String) -> String { TestData.project("fcs/invalid/\(name)").path }

  static let small: [[Double]] = [[1.5, 2.0], [3.25, 4.0], [5.0, 6.5]]
  static let sevenEight: [[Double]] = [[7, 8], [9, 10], [11, 12]]

  static func rows(_ ds: FCSDataSet) throws -> [[Double]] {
    let m = try ds.events(.raw, as: Double.self)
    return (0..<m.eventCount).map { m.row($0) }
  }

  @Test("middle data set with bad DATA: data sets 0 and 2 read, 1 has its own error, the chain goes on")
  func middleDataBad() throws {
    let path = Self.path("three-sets-middle-data-truncated.fcs")
    let file = try FCSFile(contentsOf: path)
    #expect(file.dataSetCount == 3)
    #expect(file.dataSets.map(\.index) == [0, 2])
    #expect(try Self.rows(file.dataSet(0)) == Self.small)
    #expect(try Self.rows(file.dataSet(2)) == Self.sevenEight)
    let bad = try #require(file.unreadableDataSets.first)
    #expect(file.unreadableDataSets.count == 1)
    #expect(bad.index == 1)
    #expect(bad.offset == 253, "HEADER of data set 1")
    #expect(!bad.endsChain)
    #expect(bad.error.kind == .truncated)
    #expect(bad.error.dataSet == 1)
    #expect(bad.error.location == SourceLocation(file: path, section: "DATA", byteOffset: 485))
    #expect(bad.error.description.hasPrefix("\(path): data set 1: DATA: byte 485: "), "\(bad.error)")
    #expect(!bad.diagnostics.contains { $0.severity == .error && $0.code.rawValue != "fcs.data.unreadable" })
    #expect(throws: bad.error) { try file.dataSet(1) }
    let none = #expect(throws: FCSError.self) { try file.dataSet(3) }
    #expect(none?.kind == .noSuchDataSet)
    #expect(none?.message.contains("the file has 3 (0…2)") == true)
  }

  @Test("deferred: the bad DATA stays on its data set, so every data set is listed")
  func middleDataBadDeferred() throws {
    let file = try FCSFile(contentsOf: Self.path("three-sets-middle-data-truncated.fcs"), dataCheck: .deferred)
    #expect(file.dataSets.map(\.index) == [0, 1, 2])
    #expect(file.unreadableDataSets.isEmpty)
    let ds = try file.dataSet(1)
    #expect(ds.dataError?.kind == .truncated && ds.dataError?.dataSet == 1)
    #expect(ds.keywords.integer("$TOT") == 1000)
    #expect(try Self.rows(file.dataSet(2)) == Self.sevenEight)
  }

  @Test("second data set with malformed TEXT: the chain ends there with its error", arguments: [FCSFile.DataCheck.strict, .deferred])
  func secondTextBad(_ check: FCSFile.DataCheck) throws {
    let path = Self.path("three-sets-second-text-malformed.fcs")
    let file = try FCSFile(contentsOf: path, dataCheck: check)
    #expect(file.dataSets.map(\.index) == [0])
    #expect(try Self.rows(file.dataSet(0)) == Self.small)
    #expect(file.dataSetCount == 2, "data set 2 exists in the bytes but its offset was in the bad TEXT")
    let bad = try #require(file.unreadableDataSets.first)
    #expect(bad.index == 1 && bad.endsChain && bad.diagnostics.isEmpty)
    #expect(bad.error.kind == .malformedText && bad.error.dataSet == 1)
    #expect(bad.error.location == SourceLocation(file: path, section: "TEXT", byteOffset: 454))
    #expect(throws: bad.error) { try file.dataSet(1) }
    #expect(#expect(throws: FCSError.self) { try file.dataSet(2) }?.kind == .noSuchDataSet)
  }

  @Test("first data set unreadable: the file does not read (strict), or reads deferred")
  func firstBad() throws {
    let path = Self.path("two-sets-first-data-truncated.fcs")
    let e = try #require(#expect(throws: FCSError.self) { try FCSFile(contentsOf: path) })
    #expect(e.kind == .truncated && e.dataSet == 0)
    #expect(e.location == SourceLocation(file: path, section: "DATA", byteOffset: 232))
    #expect(!e.description.contains("data set 0"), "the first data set is the file: \(e)")
    let file = try FCSFile(contentsOf: path, dataCheck: .deferred)
    #expect(file.dataSets.map(\.index) == [0, 1])
    #expect(try file.dataSet(0).dataError == e)
    #expect(try Self.rows(file.dataSet(1)) == Self.sevenEight)
  }

  @Test("an intact file has no unreadable data sets")
  func intact() throws {
    let file = try FCSFile(contentsOf: TestData.project("fcs/quirks/nextdata-loop.fcs").path)
    #expect(file.unreadableDataSets.isEmpty)
    #expect(file.dataSetCount == 2 && file.dataSets.map(\.index) == [0, 1])
  }

  @Test("rewriting TEXT (anonymize) refuses a file with an unreadable data set instead of dropping it")
  func rewriteRefuses() throws {
    let file = try FCSFile(contentsOf: Self.path("three-sets-middle-data-truncated.fcs"))
    let e = #expect(throws: FCSError.self) { try FCSWriter.rewritingText(of: file) { _, _ in } }
    #expect(e == file.unreadableDataSets.first?.error)
    #expect(throws: FCSError.self) { try FCSAnonymizer().anonymize(file) }
  }
}
