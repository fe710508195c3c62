import CytoCore
import CytoFCS
import CytoTestSupport
import Foundation
import Testing

/// The FACE test files' `-desc.txt` truth (channel → scale conversion, doubles, multiple data sets).
@Suite("FACE description-file truth", .enabled(if: TestData.sharedAvailable))
struct DescriptionTruthTests {
  func file(_ name: String) throws -> FCSFile {
    try FCSFile(contentsOf: try #require(TestData.shared("fcs/" + name)).path)
  }

  @Test func scaleConversionIgnoresGainOnLogChannels() throws {
    let ds = try file("int-scale_conversion.fcs").dataSets[0]
    let raw = try ds.events(.raw, as: Double.self)
    #expect(raw == EventMatrix(rows: [[256, 256], [512, 512], [768, 768]], channelCount: 2))
    let scaled = try ds.events(.scaled, as: Double.self)
    let want: [[Double]] = [[25.6, 10], [51.2, 100], [76.8, 1000]]
    for e in 0..<3 {
      for c in 0..<2 {
        let v = scaled[event: e, channel: ChannelIndex(c)]
        #expect(abs(v - want[e][c]) <= 1e-9 * want[e][c], "event \(e) channel \(c): \(v)")
      }
    }
  }

  @Test func doublesAreExact() throws {
    let m = try file("double-5_events.fcs").dataSets[0].events(.raw, as: Double.self)
    #expect(m.row(4) == [0.8213456498421, 0.0003463842624, 0.0000006422416, 0.0000000000042])
    #expect(m.row(3) == [326.8498654313, 269.8765432135, 468.7973216549, 843.1549265195])
  }

  @Test func multipleDataSets() throws {
    let f = try file("int-multiple_datasets.fcs")
    #expect(f.dataSets.count == 2)
    #expect(try f.dataSets[0].events(.raw, as: Double.self) == EventMatrix(rows: [[1, 1], [2, 2], [3, 3], [4, 4]], channelCount: 2))
    #expect(f.dataSets[0].parameters.allSatisfy { !$0.nameIsFromFile })
    #expect(f.dataSets[0].diagnostics.contains { $0.code.rawValue == "fcs.parameter.missingName" })
    #expect(f.dataSets[1].parameters.map(\.name) == ["FSC", "SSC"])
    #expect(throws: FCSError.self) { try f.dataSet(2) }
  }

  @Test func timestepScalesTheTimeChannel() throws {
    let ds = try file("float-1_event.fcs").dataSets[0]
    let raw = try ds.events(.raw, as: Double.self)
    let scaled = try ds.events(.scaled, as: Double.self)
    #expect(abs(raw[event: 0, channel: ChannelIndex(0)] - 18.45) < 0.005)
    #expect(scaled[event: 0, channel: ChannelIndex(0)] == raw[event: 0, channel: ChannelIndex(0)] * 0.088)
    #expect(scaled[event: 0, channel: ChannelIndex(1)] == raw[event: 0, channel: ChannelIndex(1)])
  }

  @Test func offsetDecisionsAreRecorded() throws {
    let cyan = try file("Beckman_Coulter_-_Cyan.fcs").dataSets[0]
    #expect(cyan.dataRange.lowerBound == 2284)
    #expect(cyan.diagnostics.contains { $0.code.rawValue == "fcs.offset.discrepancy" })
    let random = try file("int-10000_events_random.fcs").dataSets[0]
    #expect(random.dataRange.lowerBound == 672)
    let m = try random.events(.raw, as: Double.self)
    #expect(m.storage.allSatisfy { $0 >= 0 && $0 <= 1_000_000 })
    let large = try file("fake_large_fcs.fcs").dataSets[0]
    #expect(large.eventCount == 11585)
    let sg = try file("SG_2014-09-26_Duplicate_Names.fcs").dataSets[0]
    #expect(sg.diagnostics.contains { $0.code.rawValue == "fcs.offset.dataEndOffByOne" })
    #expect(sg.diagnostics.contains { $0.code.rawValue == "fcs.text.duplicateKeyword" && $0.location.keyword == "$VOL" })
  }

  @Test func quirksAreDiagnosed() throws {
    let b08 = try file("0877408774.B08").dataSets[0]
    #expect(b08.diagnostics.contains { $0.code.rawValue == "fcs.text.emptyValues" })
    #expect(b08.keywords["$P5S"] == "")
    #expect(b08.parameters[5].name == "FL1-A")  // both peers lose this name
    let dup = try file("invalid-duplicate_parameter_name.fcs").dataSets[0]
    #expect(dup.diagnostics.contains { $0.code.rawValue == "fcs.parameter.duplicateName" })
    #expect(throws: FCSError.self) { try dup.parameter(named: "FCS") }
    let vi = try file("variable_int_example.fcs").dataSets[0]
    #expect(vi.diagnostics.contains { $0.code.rawValue == "fcs.keyword.timestepNotNumeric" })
    #expect(vi.timestep == nil)
    let coulter = try file("coulter.lmd")
    #expect(coulter.dataSets.map(\.version) == [.fcs2_0, .fcs3_0])
    #expect(coulter.dataSets[0].spillover?.keyword == "$DFC")
    #expect(coulter.dataSets[1].parameters.allSatisfy { $0.label == nil })
    let lmd = try file("System_II_listmode_with_extra_info_in_bits_D10-D15.LMD").dataSets[0]
    #expect(try lmd.events(.raw, as: Double.self).storage.allSatisfy { $0 <= 1023 })
  }
}
