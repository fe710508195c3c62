import CytoCore
import CytoFCS
import CytoTestSupport
import Foundation
import Testing

@Suite("FCS writer round trips")
struct WriterRoundTripTests {
  static func randomTable(_ rng: inout SeededGenerator, events n: Int, channels p: Int) -> FCSWriter.EventTable {
    var values = [Float](repeating: 0, count: n * p)
    for i in values.indices {
      switch rng.next() % 10 {
      case 0: values[i] = 0
      case 1: values[i] = -Float.random(in: 0...1000, using: &rng)
      case 2: values[i] = Float.random(in: 0...1e-30, using: &rng)
      case 3: values[i] = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()) & 0x7F7F_FFFF)  // any finite
      default: values[i] = Float.random(in: 0...262_144, using: &rng)
      }
    }
    let channels = (0..<p).map { c in
      FCSWriter.Channel(name: ChannelName("Ch\(c + 1)-A"), label: c % 3 == 0 ? nil : "Marker \(c) / ‘µ’",
                        range: 262_144, keywords: [("V", "\(400 + c)")])
    }
    var kw = FCSKeywords()
    kw["$CYT"] = "Round|trip/\\writer"
    kw["$COM"] = "value with every delimiter candidate: | / \\ ! ^ ~ # @ % &"
    kw["CUSTOM KEY"] = "x"
    return FCSWriter.EventTable(channels: channels, events: EventMatrix(eventCount: n, channelCount: p, columnMajor: values),
                                keywords: kw)
  }

  @Test("random tables read back bit for bit", arguments: 0..<40)
  func randomRoundTrip(seed: Int) throws {
    var rng = SeededGenerator(seed: UInt64(seed))
    let n = [0, 1, 2, 63, 64, 65, 1000, Int.random(in: 0...5000, using: &rng)][seed % 8]
    let p = [1, 2, 16, 33, Int.random(in: 1...60, using: &rng)][seed % 5]
    let table = Self.randomTable(&rng, events: n, channels: p)
    let bytes = try FCSWriter.encode(table)
    let file = try FCSFile(bytes: bytes)
    #expect(file.dataSets.count == 1)
    let ds = file.dataSets[0]
    #expect(ds.version == .fcs3_1)
    #expect(ds.eventCount == n)
    #expect(ds.parameters.map(\.name) == table.channels.map(\.name))
    #expect(ds.parameters.map(\.label) == table.channels.map(\.label))
    #expect(ds.keywords["$CYT"] == "Round|trip/\\writer")
    #expect(ds.keywords["$COM"] == table.keywords["$COM"])
    #expect(ds.keywords["$P1V"] == "400")
    #expect(ds.diagnostics.filter { $0.severity >= .warning }.isEmpty, "\(ds.diagnostics)")
    let m = try ds.events(.raw, as: Float.self)
    #expect(m.storage.map(\.bitPattern) == table.events.storage.map(\.bitPattern))
    #expect(try ds.events(.scaled, as: Float.self) == m)
  }

  @Test func subsetsOfEventsAndChannelsKeepMetadata() throws {
    var rng = SeededGenerator(seed: 99)
    var table = Self.randomTable(&rng, events: 300, channels: 6)
    table.keywords["$SPILLOVER"] = "2,Ch2-A,Ch3-A,1,0.1,0.2,1"
    let ds = try FCSFile(bytes: try FCSWriter.encode(table)).dataSets[0]
    let mask = EventMask((0..<300).map { $0 % 3 == 0 })
    let sub = try FCSWriter.EventTable(subsetOf: ds, channels: [ChannelIndex(2), ChannelIndex(1)], events: mask)
    let back = try FCSFile(bytes: try FCSWriter.encode(sub)).dataSets[0]
    #expect(back.eventCount == 100)
    #expect(back.parameters.map(\.name) == ["Ch3-A", "Ch2-A"])
    #expect(back.keywords["$P1V"] == "402")  // renumbered from $P3V
    #expect(back.spillover?.matrix.detectors == ["Ch2-A", "Ch3-A"])
    let m = try back.events(.raw, as: Float.self)
    let orig = try ds.events(.raw, as: Float.self)
    for e in 0..<100 { #expect(m.row(e) == [orig[event: e * 3, channel: ChannelIndex(2)], orig[event: e * 3, channel: ChannelIndex(1)]]) }
    // Dropping a spillover channel drops the keyword rather than leaving a dangling matrix.
    let sub2 = try FCSWriter.EventTable(subsetOf: ds, channels: [ChannelIndex(1)])
    #expect(sub2.keywords["$SPILLOVER"] == nil)
  }

  @Test func scaledExportIsSelfConsistent() throws {
    guard let url = TestData.shared("fcs/int-scale_conversion.fcs") else { return }
    let ds = try FCSFile(contentsOf: url.path).dataSets[0]
    let scaled = try ds.events(.scaled, as: Float.self)
    let back = try FCSFile(bytes: try FCSWriter.encode(try FCSWriter.EventTable(subsetOf: ds, values: .scaled))).dataSets[0]
    #expect(try back.events(.raw, as: Float.self) == scaled)
    #expect(try back.events(.scaled, as: Float.self) == scaled)
    // Raw export keeps $PnG (linear channel FS: scaled = raw ÷ 10 survives); log decoding cannot be
    // expressed for float data, so the log channel keeps its raw values.
    let raw = try FCSFile(bytes: try FCSWriter.encode(try FCSWriter.EventTable(subsetOf: ds, values: .raw))).dataSets[0]
    #expect(try raw.events(.raw, as: Float.self) == ds.events(.raw, as: Float.self))
    let rescaled = try raw.events(.scaled, as: Float.self)
    #expect(rescaled.column(ChannelIndex(0)) == scaled.column(ChannelIndex(0)))
    #expect(Array(rescaled.column(ChannelIndex(1))) == [256, 512, 768])
  }

  @Test func offsetsAbove99999999BytesGoIntoText() throws {
    // 26 M floats = 104 MB of DATA: HEADER offsets must be zero, TEXT carries them.
    let n = 1_625_000, p = 16
    let m = EventMatrix<Float>(eventCount: n, channelCount: p) { buf in
      for i in buf.indices { buf[i] = Float(i % 9973) }
    }
    let table = FCSWriter.EventTable(channels: (0..<p).map { FCSWriter.Channel(name: ChannelName("C\($0)")) }, events: m)
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cytoreset-big-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("big.fcs").path
    try FCSWriter.write(table, to: path)
    let file = try FCSFile(contentsOf: path)
    #expect(file.byteCount > 100_000_000)
    let ds = file.dataSets[0]
    #expect(ds.header.dataStart == nil && ds.header.dataEnd == nil)
    #expect(ds.keywords.integer("$BEGINDATA") == ds.dataRange.lowerBound)
    #expect(ds.diagnostics.filter { $0.severity >= .warning }.isEmpty)
    #expect(try ds.events(.raw, as: Float.self) == m)
    // No temporary file is left beside the output.
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["big.fcs"])
  }

  @Test func failedWriteLeavesNoFile() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cytoreset-nodir-\(getpid())/missing/out.fcs")
    var rng = SeededGenerator(seed: 1)
    let e = #expect(throws: FCSError.self) { try FCSWriter.write(Self.randomTable(&rng, events: 5, channels: 2), to: dir.path) }
    #expect(e?.kind == .writeFailed)
    #expect(e?.location.file == dir.path)
  }

  @Test func anonymizeKeepsDataBitExact() throws {
    let table = DemoFiles.demoSample()
    let original = try FCSFile(bytes: try FCSWriter.encode(table))
    let policy = FCSAnonymizer.Policy(removeDates: true, replacements: [(keyword: "$SMNO", value: "P-001")])
    let (bytes, changes) = try FCSAnonymizer(policy: policy).anonymize(original)
    let anon = try FCSFile(bytes: bytes).dataSets[0]
    let ods = original.dataSets[0]
    #expect(bytes[anon.dataRange] == (try FCSWriter.encode(table))[ods.dataRange])
    #expect(anon.keywords["$SRC"] == nil)
    #expect(anon.keywords["$FIL"] == nil)
    #expect(anon.keywords["$DATE"] == nil)
    #expect(anon.keywords["$SMNO"] == "P-001")
    #expect(anon.keywords["$CYT"] == ods.keywords["$CYT"])
    #expect(anon.keywords["$SPILLOVER"] == ods.keywords["$SPILLOVER"])
    #expect(Set(changes.map(\.keyword)).isSuperset(of: ["$SRC", "$FIL", "$SMNO", "$DATE", "$BTIM", "$ETIM"]))
    let text = String(decoding: bytes, as: UTF8.self)
    #expect(!text.contains("Jane Doe"))
  }

  @Test("anonymize every readable shared file", .enabled(if: TestData.sharedAvailable),
        arguments: ExpectedFCS.all.filter { $0.consensus.contains { $0.raw_sum != nil } })
  func anonymizeShared(_ expected: ExpectedFCS) throws {
    let file = try FCSFile(contentsOf: expected.url.path)
    let (bytes, _) = try FCSAnonymizer(policy: .init(removeDates: true)).anonymize(file)
    let anon = try FCSFile(bytes: bytes)
    #expect(anon.dataSets.count == file.dataSets.count)
    for (a, o) in zip(anon.dataSets, file.dataSets) {
      #expect(try a.events(.raw, as: Double.self) == o.events(.raw, as: Double.self))
      #expect(a.keywords["$SRC"] == nil && a.keywords["$DATE"] == nil)
      #expect(a.parameters.map(\.name) == o.parameters.map(\.name))
    }
  }

  @Test func committedDemoFileIsReproducible() throws {
    let url = TestData.project("fcs/generated/demo-sample.fcs")
    let fresh = try FCSWriter.encode(DemoFiles.demoSample())
    if ProcessInfo.processInfo.environment["CYTORESET_REGENERATE"] == "1" {
      try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try fresh.write(to: url)
    }
    #expect(try Data(contentsOf: url) == fresh, "testdata/fcs/generated/demo-sample.fcs differs from the generator; run make regenerate")
  }

  /// Writes files for the Python interop check (flowio, fcsparser) when `CYTORESET_INTEROP_DIR` is set.
  @Test func writeInteropFixtures() throws {
    guard let dir = ProcessInfo.processInfo.environment["CYTORESET_INTEROP_DIR"] else { return }
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    var rng = SeededGenerator(seed: 7)
    var manifest: [String] = []
    for (i, (n, p)) in [(0, 3), (1, 1), (1000, 16), (4321, 33)].enumerated() {
      let t = Self.randomTable(&rng, events: n, channels: p)
      let name = "random-\(i).fcs"
      try FCSWriter.write(t, to: dir + "/" + name)
      // Expected values as float32 bit patterns, event-major, one line per event.
      var lines = ""
      for e in 0..<n { lines += (0..<p).map { String(t.events[event: e, channel: ChannelIndex($0)].bitPattern) }.joined(separator: " ") + "\n" }
      try Data(lines.utf8).write(to: URL(fileURLWithPath: dir + "/" + name + ".bits"))
      manifest.append(name)
    }
    try FCSWriter.write(DemoFiles.demoSample(), to: dir + "/demo-sample.fcs")
    manifest.append("demo-sample.fcs")
    try Data((manifest.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: dir + "/manifest.txt"))

    // Synthetic panel files and the panel's Gating-ML strategy, for the FlowKit gating check
    // (Tests/interop/test_flowkit_gating.py); listed in their own manifest.
    var gating: [String] = []
    for (name, seed, composition) in [("panel-baseline.fcs", 11, DemoFiles.PanelComposition.baseline),
                                      ("panel-aplasia.fcs", 22, .aplasia), ("panel-reconstitution.fcs", 33, .reconstitution)] {
      try FCSWriter.write(DemoFiles.panelSample(events: 50_000, seed: UInt64(seed), composition: composition), to: dir + "/" + name)
      gating.append(name)
    }
    try Data((gating.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: dir + "/gating-manifest.txt"))
    let xml = try DemoFiles.panelGatingML()
    try Data(xml.utf8).write(to: URL(fileURLWithPath: dir + "/panel-strategy.xml"))
    // The committed copy (for users and the docs) must be what the code builds.
    let committed = TestData.project("gating/panel-strategy.xml")
    if ProcessInfo.processInfo.environment["CYTORESET_REGENERATE"] == "1" {
      try FileManager.default.createDirectory(at: committed.deletingLastPathComponent(), withIntermediateDirectories: true)
      try Data(xml.utf8).write(to: committed)
    }
    #expect((try? String(contentsOf: committed, encoding: .utf8)) == xml,
            "testdata/gating/panel-strategy.xml differs from DemoFiles.panelStrategy(); rerun this test with CYTORESET_REGENERATE=1")
  }
}
