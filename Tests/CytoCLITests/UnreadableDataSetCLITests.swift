import CytoTestSupport
import Foundation
import Testing

/// `cytoreset` on files with one unreadable data set among several, and on sub-byte `$PnB`
/// files (fixtures from `testdata/make-fixtures.py`).
@Suite("cytoreset and unreadable data sets")
struct UnreadableDataSetCLITests {
  static func fixture(_ path: String) -> String { TestData.project("fcs/" + path).path }
  let textBad = fixture("invalid/three-sets-second-text-malformed.fcs")
  let dataBad = fixture("invalid/three-sets-middle-data-truncated.fcs")

  @Test func infoTextListsTheUnreadableDataSet() throws {
    let r = try CLIRunner.run(["info", textBad])
    #expect(r.status == 1)
    #expect(r.stdout.contains("(FCS3.1, 2 data sets, 1 unreadable, 735 bytes)"), "\(r.stdout)")
    #expect(r.stdout.contains("data set 0: 3 events × 2 parameters"))
    #expect(r.stdout.contains("data set 1: unreadable: TEXT: byte 454: TEXT has a keyword without a value ('$COM') [fcs.malformedText]"))
    #expect(r.stdout.contains("the $NEXTDATA chain ends here"))
    #expect(r.stderr.contains("\(textBad): data set 1: TEXT: byte 454: "), "\(r.stderr)")
  }

  @Test func infoJSONHasUnreadableDataSets() throws {
    let r = try CLIRunner.run(["info", textBad, "--json"])
    #expect(r.status == 1)
    let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    let f = try #require((obj["files"] as? [[String: Any]])?.first)
    #expect(f["error"] is NSNull)
    #expect(f["dataSetCount"] as? Int == 2)
    #expect((f["dataSets"] as? [[String: Any]])?.map { $0["index"] as? Int } == [0])
    let u = try #require((f["unreadableDataSets"] as? [[String: Any]])?.first)
    #expect(u["index"] as? Int == 1)
    #expect(u["offset"] as? Int == 253)
    #expect(u["endsChain"] as? Bool == true)
    #expect(u["diagnostics"] as? [Any] != nil)
    let e = try #require(u["error"] as? [String: Any])
    #expect(e["kind"] as? String == "malformedText")
    #expect(e["section"] as? String == "TEXT")
    #expect(e["byteOffset"] as? Int == 454)
    #expect(e["keyword"] is NSNull)
    #expect(e["dataSet"] as? Int == 1)
    // An intact file has the fields too, empty.
    let ok = try CLIRunner.run(["info", Self.fixture("generated/demo-sample.fcs"), "--json"])
    let g = try #require(((try JSONSerialization.jsonObject(with: Data(ok.stdout.utf8)) as? [String: Any])?["files"] as? [[String: Any]])?.first)
    #expect(g["dataSetCount"] as? Int == 1)
    #expect((g["unreadableDataSets"] as? [Any])?.isEmpty == true)
  }

  @Test func exportReadsGoodDataSetsAndNamesTheBadOne() throws {
    let good = try CLIRunner.run(["export", dataBad, "--data-set", "2"])
    #expect(good.status == 0, "\(good.stderr)")
    #expect(good.stdout == "CH1,CH2\n7,8\n9,10\n11,12\n")
    let bad = try CLIRunner.run(["export", dataBad, "--data-set", "1"])
    #expect(bad.status == 1)
    #expect(bad.stderr.contains("\(dataBad): data set 1: DATA: byte 485: "), "\(bad.stderr)")
    #expect(bad.stderr.contains("[fcs.truncated]"))
  }

  @Test func subByteWordsInInfoAndExport() throws {
    let path = Self.fixture("quirks/mixed16-10-words-be.fcs")
    let info = try CLIRunner.run(["info", path])
    #expect(info.status == 0, "\(info.stderr)")
    #expect(info.stdout.contains("3 events × 2 parameters, uint10/16 (16-bit words) big-endian"), "\(info.stdout)")
    #expect(info.stdout.contains("[fcs.data.subByteWords]"))
    let csv = try CLIRunner.run(["export", path])
    #expect(csv.stdout == "FSC,FL1\n65535,5\n32769,1023\n1024,0\n")
    let packed = try CLIRunner.run(["export", Self.fixture("invalid/int10-bit-packed.fcs")])
    #expect(packed.status == 1)
    #expect(packed.stderr.contains("DATA: $P1B: byte 190: ") && packed.stderr.contains("[fcs.unsupportedDataType]"))
  }
}
