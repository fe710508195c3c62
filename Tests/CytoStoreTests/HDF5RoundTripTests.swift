import CytoCore
import CytoStore
import Foundation
import Testing

extension HDF5 {
  @Suite struct RoundTrips {
    let dir = ScratchDirectory()

    /// Writes with `write`, releases everything, reopens read-only and runs `read`.
    func roundTrip(
      _ name: String, write: (HDF5File) throws -> Void, read: (HDF5File) throws -> Void
    ) throws {
      let path = dir.path(name)
      do {
        let file = try HDF5File.create(path)
        try write(file)
        try file.flush()
      }
      let file = try HDF5File.open(path)
      #expect(file.mode == .readOnly)
      try read(file)
    }

    static let awkwardStrings: [String] = [
      "", "plain", "CD19⁺ B cells — naïve 👩‍🔬", "tab\tnew\nline", "日本語のテキスト",
      String(repeating: "long-string-", count: 100_000),
    ]

    @Test func attributesOfEveryKind() throws {
      try roundTrip("attrs.h5") { f throws in
        let g = try f.createGroup("patients/P01")
        try f.setAttribute("schema", "cytoreset-store/1")
        try g.setAttribute("name", "Ünïcødé ✓ 患者")
        try g.setAttribute("long", String(repeating: "x", count: 1_000_000))
        try g.setAttribute("nan", Double.nan)
        try g.setAttribute("inf", Double.infinity)
        try g.setAttribute("ninf", -Double.infinity)
        try g.setAttribute("zero", -0.0)
        try g.setAttribute("count", Int64.min)
        try g.setAttribute("literal", 42)
        try g.setAttribute("doubles", [1.5, .nan, .infinity, -.infinity, .leastNonzeroMagnitude])
        try g.setAttribute("noDoubles", [Double]())
        try g.setAttribute("ints", [Int64.max, 0, -1])
        try g.setAttribute("strings", Self.awkwardStrings)
        try g.setAttribute("noStrings", [String]())
        try g.setAttribute("bigArray", (0..<50_000).map(Double.init))  // > 64 KiB: dense storage
        try g.setAttribute("replaced", "first")
        try g.setAttribute("replaced", 2.0)
      } read: { f throws in
        #expect(try f.stringAttribute("schema") == "cytoreset-store/1")
        let g = try f.group("/patients/P01")
        #expect(try g.stringAttribute("name") == "Ünïcødé ✓ 患者")
        #expect(try g.stringAttribute("long").count == 1_000_000)
        #expect(try g.doubleAttribute("nan").isNaN)
        #expect(try g.doubleAttribute("inf") == .infinity)
        #expect(try g.doubleAttribute("ninf") == -.infinity)
        #expect(try g.doubleAttribute("zero").sign == .minus)
        #expect(try g.int64Attribute("count") == Int64.min)
        #expect(try g.int64Attribute("literal") == 42)
        let d = try g.doubleArrayAttribute("doubles")
        #expect(d.count == 5 && d[0] == 1.5 && d[1].isNaN && d[2] == .infinity && d[3] == -.infinity)
        #expect(d[4] == .leastNonzeroMagnitude)
        #expect(try g.doubleArrayAttribute("noDoubles") == [])
        #expect(try g.int64ArrayAttribute("ints") == [Int64.max, 0, -1])
        #expect(try g.stringArrayAttribute("strings") == Self.awkwardStrings)
        #expect(try g.stringArrayAttribute("noStrings") == [])
        #expect(try g.doubleArrayAttribute("bigArray").count == 50_000)
        #expect(try g.attribute("replaced") == .double(2))
        #expect(
          try g.attributeNames() == [
            "bigArray", "count", "doubles", "inf", "ints", "literal", "long", "name", "nan", "ninf", "noDoubles",
            "noStrings", "replaced", "strings", "zero",
          ])
        #expect(g.hasAttribute("nan") && !g.hasAttribute("absent"))
      }
    }

    @Test func manyAttributes() throws {
      try roundTrip("many-attrs.h5") { f throws in
        let d = try f.createDataset("x", values: [1.0])
        for i in 0..<500 { try d.setAttribute("a\(i)", Int64(i)) }
        try d.removeAttribute("a7")
      } read: { f throws in
        let d = try f.dataset("x")
        let names = try d.attributeNames()
        #expect(names.count == 499 && !names.contains("a7"))
        #expect(names == names.sorted())
        for i in stride(from: 0, to: 500, by: 37) where i != 7 { #expect(try d.int64Attribute("a\(i)") == Int64(i)) }
      }
    }

    @Test func nestedGroupsAndChildren() throws {
      try roundTrip("groups.h5") { f throws in
        try f.createGroup("/patients/P02/visits/10")
        try f.createGroup("patients/P02/visits/2")
        let p1 = try f.group("patients/P01", createIfMissing: true)
        try p1.createGroup("visits/1")
        try p1.createDataset("visits/1/counts", values: [Int64(1), 2, 3])
        try f.createGroup("patients/Ωmega")
        #expect(try f.group("patients").path == "/patients")
        #expect(try p1.group("visits/1").path == "/patients/P01/visits/1")
        let e = expectHDF5Error(.objectExists) { () throws(HDF5Error) in try f.createGroup("patients/P01") }
        #expect(e?.objectPath == "/patients/P01")
        try f.createGroup("scratch/a/b")
        try f.remove("scratch")
      } read: { f throws in
        #expect(try f.children() == ["patients"])
        #expect(try f.children(of: "patients") == ["P01", "P02", "Ωmega"])
        #expect(try f.children(of: "/patients/P02/visits") == ["10", "2"])
        #expect(try f.group("patients/P01").children(of: "visits/1") == ["counts"])
        #expect(f.exists("/patients/P01/visits/1/counts"))
        #expect(!f.exists("/patients/P03/visits"))
        #expect(!f.exists("/patients/P01/visits/1/counts/deeper"))
        #expect(!f.exists("scratch"))
        #expect(f.kind(of: "patients/P01") == .group)
        #expect(f.kind(of: "patients/P01/visits/1/counts") == .dataset)
        #expect(f.kind(of: "nothing") == nil)
        #expect(f.exists("/") && f.exists("."))
      }
    }

    @Test func oneDimensionalDatasets() throws {
      let doubles: [Double] = [0, -0.0, .nan, .infinity, -.infinity, .greatestFiniteMagnitude, 1e-300]
      let floats: [Float] = [1.5, .nan, -.infinity, .leastNormalMagnitude]
      let ints: [Int64] = [.min, -1, 0, 1, .max]
      let bytes: [UInt8] = Array(0...255)
      try roundTrip("datasets.h5") { f throws in
        try f.createDataset("d", values: doubles)
        try f.createDataset("f", values: floats)
        try f.createDataset("i", values: ints)
        try f.createDataset("u", values: bytes)
        try f.createDataset("s", strings: Self.awkwardStrings)
        try f.createDataset("empty/d", values: [Double]())
        try f.createDataset("empty/f", values: [Float](), options: HDF5DatasetOptions(compression: .deflate(level: 4)))
        try f.createDataset("empty/i", values: [Int64]())
        try f.createDataset("empty/u", values: [UInt8]())
        try f.createDataset("empty/s", strings: [])
        let big = (0..<200_000).map { Double($0 % 1000) }
        try f.createDataset("compressed", values: big, options: HDF5DatasetOptions(compression: .deflate(level: 6)))
        try f.createDataset(
          "deflateOnly", values: big, options: HDF5DatasetOptions(compression: .deflate(level: 2, shuffle: false)))
      } read: { f throws in
        let d = try f.dataset("d").read(Double.self)
        #expect(d.count == doubles.count)
        #expect(zip(d, doubles).allSatisfy { $0.bitPattern == $1.bitPattern })
        let fl = try f.dataset("f").read(Float.self)
        #expect(zip(fl, floats).allSatisfy { $0.bitPattern == $1.bitPattern } && fl.count == floats.count)
        #expect(try f.dataset("i").read(Int64.self) == ints)
        #expect(try f.dataset("u").read(UInt8.self) == bytes)
        #expect(try f.dataset("s").readStrings() == Self.awkwardStrings)
        #expect(try f.dataset("d").elementType() == .float64)
        #expect(try f.dataset("s").elementType() == .string)
        #expect(try f.dataset("empty/d").read(Double.self) == [])
        #expect(try f.dataset("empty/f").read(Float.self) == [])
        #expect(try f.dataset("empty/i").read(Int64.self) == [])
        #expect(try f.dataset("empty/u").read(UInt8.self) == [])
        #expect(try f.dataset("empty/s").readStrings() == [])
        #expect(try f.dataset("empty/d").shape() == [0])
        let c = try f.dataset("compressed")
        #expect(try c.compression() == .deflate(level: 6))
        #expect(try c.read(Double.self) == (0..<200_000).map { Double($0 % 1000) })
        #expect(try f.dataset("d").compression() == HDF5Compression.none)
        #expect(try f.dataset("deflateOnly").compression() == .deflate(level: 2, shuffle: false))
      }
    }

    @Test func appendToResizableDatasets() throws {
      try roundTrip("append.h5") { f throws in
        let opts = HDF5DatasetOptions(chunkSize: 3, resizable: true)
        let d = try f.createDataset("times", values: [Double](), options: opts)
        try d.append([1.0, 2.0])
        try d.append([Double]())
        try d.append((3...10).map(Double.init))
        let s = try f.createDataset("labels", strings: ["a"], options: opts)
        try s.append(strings: ["b", "ç", ""])
        #expect(try d.isResizable())
        let fixed = try f.createDataset("fixed", values: [1.0])
        #expect(try !fixed.isResizable())
        _ = expectHDF5Error(.shapeMismatch) { () throws(HDF5Error) in try fixed.append([2.0]) }
        _ = expectHDF5Error(.typeMismatch) { () throws(HDF5Error) in try d.append([Int64(1)]) }
      } read: { f throws in
        #expect(try f.dataset("times").read(Double.self) == (1...10).map(Double.init))
        #expect(try f.dataset("labels").readStrings() == ["a", "b", "ç", ""])
      }
    }

    @Test(arguments: [(0, 0), (3, 0), (0, 5), (1, 1), (4, 70_000)])
    func eventMatrices(channels: Int, events: Int) throws {
      var values = (0..<(channels * events)).map { Float($0 % 9973) * 0.25 - 100 }
      if values.count > 3 { values[1] = .nan; values[2] = .infinity; values[3] = -.infinity }
      try roundTrip("matrix-\(channels)x\(events).h5") { f throws in
        try f.createFloatMatrix("events", columnMajor: values, channels: channels, events: events, chunkEvents: 16_384)
        let m = EventMatrix<Float>(eventCount: events, channelCount: channels, columnMajor: values)
        try f.createFloatMatrix("fromEventMatrix", m, compression: .none)
      } read: { f throws in
        let ds = try f.dataset("events")
        #expect(try ds.shape() == [channels, events])
        let m = try ds.readFloatMatrix()
        #expect(m.channels == channels && m.events == events)
        #expect(m.columnMajor.map(\.bitPattern) == values.map(\.bitPattern))
        for c in 0..<channels {
          let column = try ds.readChannel(c)
          #expect(column.map(\.bitPattern) == values[(c * events)..<((c + 1) * events)].map(\.bitPattern))
        }
        let em = try f.dataset("fromEventMatrix").readEventMatrix()
        #expect(em.storage.map(\.bitPattern) == values.map(\.bitPattern))
        #expect(em.channelCount == channels && em.eventCount == events)
        if channels * events > 0 {
          #expect(try ds.compression() == .deflate(level: 1, shuffle: true))
        }
        _ = expectHDF5Error(.invalidArgument) { () throws(HDF5Error) in _ = try ds.readChannel(channels) }
      }
    }

    static let tableColumns: [HDF5Column] = [
      HDF5Column("visit", .int64([1, 2, 3, Int64.max])),
      HDF5Column("day", .double([0, 28.5, .nan, -.infinity])),
      HDF5Column("sample", .string(["P01-V1", "", "Ünïcødé ✓", String(repeating: "z", count: 70_000)])),
      HDF5Column("flags", .uint8([0, 1, 254, 255])),
      HDF5Column("aplasia", .bool([true, false, true, true])),
    ]

    @Test func compoundTables() throws {
      try roundTrip("table.h5") { f throws in
        try f.createTable("patients/P01/visits", columns: Self.tableColumns)
        try f.createTable("emptyTable", columns: [HDF5Column("a", .double([])), HDF5Column("b", .string([]))])
        let log = try f.createTable(
          "log", columns: [HDF5Column("t", .double([1])), HDF5Column("what", .string(["start"]))],
          options: HDF5DatasetOptions(chunkSize: 2, compression: .deflate(level: 4), resizable: true))
        try log.appendRows([HDF5Column("t", .double([2, 3])), HDF5Column("what", .string(["gate", "stop"]))])
        _ = expectHDF5Error(.typeMismatch) { () throws(HDF5Error) in
          try log.appendRows([HDF5Column("t", .double([4])), HDF5Column("oops", .string(["x"]))])
        }
        _ = expectHDF5Error(.shapeMismatch) { () throws(HDF5Error) in
          try f.createTable("bad", columns: [HDF5Column("a", .double([1])), HDF5Column("b", .int64([]))])
        }
        _ = expectHDF5Error(.invalidArgument) { () throws(HDF5Error) in
          try f.createTable("dup", columns: [HDF5Column("a", .double([1])), HDF5Column("a", .int64([1]))])
        }
      } read: { f throws in
        let t = try f.dataset("patients/P01/visits")
        #expect(try t.elementType() == .compound)
        #expect(try t.tableColumns() == Self.tableColumns.map { HDF5ColumnDescriptor($0.name, $0.data.kind) })
        let table = try t.readTable()
        #expect(table.rowCount == 4)
        #expect(table.columnNames == ["visit", "day", "sample", "flags", "aplasia"])
        #expect(table["visit"] == Self.tableColumns[0].data)
        let day = try #require(table["day"]?.doubles)
        #expect(day[0] == 0 && day[1] == 28.5 && day[2].isNaN && day[3] == -.infinity)
        #expect(table["sample"] == Self.tableColumns[2].data)
        #expect(table["flags"] == Self.tableColumns[3].data)
        #expect(table["aplasia"] == Self.tableColumns[4].data)
        #expect(try t.readTableColumn("sample") == Self.tableColumns[2].data)
        #expect(try t.readTable(columns: ["aplasia", "visit"]).columnNames == ["aplasia", "visit"])
        let e = expectHDF5Error(.objectNotFound) { () throws(HDF5Error) in _ = try t.readTableColumn("nope") }
        #expect(e?.description.contains("/patients/P01/visits.nope") == true)
        let empty = try f.dataset("emptyTable").readTable()
        #expect(empty.rowCount == 0 && empty.columnNames == ["a", "b"])
        let log = try f.dataset("log").readTable()
        #expect(log["t"] == .double([1, 2, 3]))
        #expect(log["what"] == .string(["start", "gate", "stop"]))
        _ = expectHDF5Error(.typeMismatch) { () throws(HDF5Error) in _ = try f.dataset("log").read(Double.self) }
      }
    }

    @Test func concurrentUseIsSerialised() async throws {
      let paths = (0..<8).map { dir.path("concurrent-\($0).h5") }
      try await withThrowingTaskGroup(of: Void.self) { group in
        for (i, path) in paths.enumerated() {
          group.addTask {
            let f = try HDF5File.create(path)
            for j in 0..<20 {
              let g = try f.createGroup("g\(j)")
              try g.createDataset("v", values: [Double](repeating: Double(i), count: 1000))
              try g.setAttribute("j", j)
            }
          }
        }
        try await group.waitForAll()
      }
      for (i, path) in paths.enumerated() {
        let f = try HDF5File.open(path)
        #expect(try f.children().count == 20)
        #expect(try f.dataset("g7/v").read(Double.self).allSatisfy { $0 == Double(i) })
      }
    }
  }
}
