import CytoStore
import Foundation
import Testing

extension HDF5 {
  @Suite struct Hygiene {
    let dir = ScratchDirectory()

    /// Every identifier is closed exactly once: after 10,000 create/write/open/read/close
    /// cycles, including failing operations, no HDF5 object is open in the process.
    @Test func tenThousandCyclesLeaveNothingOpen() throws {
      #expect(HDF5Library.openObjectCount == 0)
      let path = dir.path("cycles.h5")
      let garbage = dir.path("garbage.h5")
      _ = FileManager.default.createFile(atPath: garbage, contents: Data(repeating: 0x5A, count: 4096))
      for i in 0..<10_000 {
        do {
          let f = try HDF5File.create(path, overwrite: true)
          let g = try f.createGroup("p/\(i % 7)")
          try g.setAttribute("i", i)
          try g.createDataset("v", values: [Double(i)])
          if i % 10 == 0 {
            try g.createTable("t", columns: [HDF5Column("s", .string(["a", "b"])), HDF5Column("b", .bool([true, false]))])
            try g.createFloatMatrix("m", columnMajor: [1, 2, 3, 4], channels: 2, events: 2)
          }
          // Failing operations must not leak either.
          _ = try? g.createGroup(".")
          _ = try? f.dataset("missing/\(i)")
          _ = try? g.stringAttribute("i")
          _ = try? g.createDataset("v", values: [1.0])
          #expect(f.openObjectCount >= 2)
        }
        do {
          let f = try HDF5File.open(path)
          #expect(try f.dataset("p/\(i % 7)/v").read(Double.self) == [Double(i)])
          #expect(try f.group("p/\(i % 7)").int64Attribute("i") == Int64(i))
          if i % 10 == 0 {
            _ = try f.dataset("p/\(i % 7)/t").readTable()
            _ = try f.dataset("p/\(i % 7)/m").readChannel(1)
          }
          _ = try? f.group("p/none")
        }
        if i % 100 == 0 { _ = try? HDF5File.open(garbage) }
        if i % 1000 == 0 { #expect(HDF5Library.openObjectCount == 0, "after cycle \(i)") }
      }
      #expect(HDF5Library.openObjectCount == 0)
    }

    /// An object keeps its file open after the file object itself is released.
    @Test func objectsKeepTheirFileOpen() throws {
      let path = dir.path("keep.h5")
      var dataset: HDF5Dataset? = try HDF5File.create(path).createDataset("x/y", values: [Int64(7)])
      #expect(try dataset?.read(Int64.self) == [7])
      #expect(dataset?.filePath == path && dataset?.path == "/x/y")
      #expect(HDF5Library.openObjectCount == 2)  // the file and the dataset
      dataset = nil
      #expect(HDF5Library.openObjectCount == 0)
    }

    /// `h5dump -H` (the reference tool) sees the compound fields, attributes and filters.
    @Test func h5dumpReadsTheFile() throws {
      let h5dump = "/usr/bin/h5dump"
      guard FileManager.default.isExecutableFile(atPath: h5dump) else {
        print("SKIP: \(h5dump) not found (apt-get install hdf5-tools); h5dump check not run")
        #expect(ProcessInfo.processInfo.environment["CI"] != "true", "h5dump is required under CI=true")
        return
      }
      let path = dir.path("dump.h5")
      do {
        let f = try HDF5File.create(path)
        try f.setAttribute("cytoreset_schema", "store/1")
        let p = try f.createGroup("patients/P01")
        try p.setAttribute("enrolled_day", 0.5)
        try p.setAttribute("panel_markers", ["CD19", "CD20", "CAR"])
        try p.createTable(
          "visits",
          columns: [
            HDF5Column("visit_day", .double([0, 28])), HDF5Column("sample_id", .string(["a", "b"])),
            HDF5Column("b_cells", .int64([100, 0])), HDF5Column("aplasia", .bool([false, true])),
            HDF5Column("qc", .uint8([1, 1])),
          ])
        try p.createFloatMatrix("events", columnMajor: [Float](repeating: 1, count: 3000), channels: 3, events: 1000)
      }
      let process = Process()
      process.executableURL = URL(fileURLWithPath: h5dump)
      process.arguments = ["-H", "-p", path]
      let pipe = Pipe()
      process.standardOutput = pipe
      try process.run()
      let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      process.waitUntilExit()
      #expect(process.terminationStatus == 0)
      for needle in [
        "ATTRIBUTE \"cytoreset_schema\"", "ATTRIBUTE \"enrolled_day\"", "ATTRIBUTE \"panel_markers\"",
        "H5T_COMPOUND", "\"visit_day\"", "\"sample_id\"", "\"b_cells\"", "\"aplasia\"", "\"qc\"",
        "H5T_CSET_UTF8", "H5T_ENUM", "\"TRUE\"", "CHUNKED ( 1, 1000 )", "SHUFFLE", "COMPRESSION DEFLATE { LEVEL 1 }",
        "DATASPACE  SIMPLE { ( 3, 1000 ) / ( 3, 1000 ) }",
      ] {
        #expect(output.contains(needle), "h5dump -H output lacks \(needle)")
      }
    }
  }
}
