import CytoStore
import Foundation
import Testing

extension HDF5 {
  @Suite struct Errors {
    let dir = ScratchDirectory()

    /// A small valid file with a few objects.
    func validFile(_ name: String) throws -> String {
      let path = dir.path(name)
      let f = try HDF5File.create(path)
      try f.createGroup("patients/P01/visits/1")
      try f.createDataset("patients/P01/visits/1/values", values: (0..<20_000).map(Double.init))
      try f.setAttribute("schema", "v1")
      return path
    }

    @Test func missingFile() {
      let path = dir.path("does-not-exist.h5")
      let e = expectHDF5Error(.fileNotFound) { () throws(HDF5Error) in _ = try HDF5File.open(path) }
      #expect(e?.description.contains(path) == true)
      #expect(e?.filePath == path)
    }

    @Test func zeroLengthFile() throws {
      let path = dir.path("empty.h5")
      _ = FileManager.default.createFile(atPath: path, contents: Data())
      let e = expectHDF5Error(.emptyFile) { () throws(HDF5Error) in _ = try HDF5File.open(path) }
      #expect(e?.description.contains(path) == true)
    }

    @Test func randomBytes() throws {
      let path = dir.path("random.h5")
      var rng = SystemRandomNumberGenerator()
      let bytes = (0..<10_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
      _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
      let e = expectHDF5Error(.notHDF5) { () throws(HDF5Error) in _ = try HDF5File.open(path, mode: .readWrite) }
      #expect(e?.description.contains(path) == true)
      let text = dir.path("notes.txt")
      _ = FileManager.default.createFile(atPath: text, contents: Data("not hdf5\n".utf8))
      _ = expectHDF5Error(.notHDF5) { () throws(HDF5Error) in _ = try HDF5File.open(text) }
      _ = expectHDF5Error(.notHDF5) { () throws(HDF5Error) in _ = try HDF5File.open(dir.url.path) }
    }

    @Test func truncatedCopy() throws {
      let path = try validFile("valid.h5")
      let data = try Data(contentsOf: URL(fileURLWithPath: path))
      for keep in [data.count / 2, data.count - 1, 4096] {
        let cut = dir.path("truncated-\(keep).h5")
        _ = FileManager.default.createFile(atPath: cut, contents: data.prefix(keep))
        let e = expectHDF5Error(.truncated) { () throws(HDF5Error) in _ = try HDF5File.open(cut) }
        #expect(e?.description.contains(cut) == true)
        #expect(e?.message.contains("truncated") == true, "\(String(describing: e))")
      }
      // Cut inside the superblock: the signature is there, the rest is not.
      let tiny = dir.path("truncated-tiny.h5")
      _ = FileManager.default.createFile(atPath: tiny, contents: data.prefix(12))
      do {
        _ = try HDF5File.open(tiny)
        Issue.record("opened a 12-byte file")
      } catch {
        #expect(error.kind == .truncated, "\(error)")
        #expect(error.description.contains(tiny))
      }
      // The original still opens.
      #expect(try HDF5File.open(path).stringAttribute("schema") == "v1")
    }

    @Test func createExistingFile() throws {
      let path = try validFile("exists.h5")
      let e = expectHDF5Error(.fileExists) { () throws(HDF5Error) in _ = try HDF5File.create(path) }
      #expect(e?.description.contains(path) == true)
      let f = try HDF5File.create(path, overwrite: true)
      #expect(try f.children() == [])
      _ = expectHDF5Error(.libraryFailure) { () throws(HDF5Error) in
        _ = try HDF5File.create(dir.path("no/such/dir/x.h5"))
      }
    }

    @Test func missingObjectsNameTheirPath() throws {
      let path = try validFile("objects.h5")
      let f = try HDF5File.open(path)
      let e1 = expectHDF5Error(.objectNotFound) { () throws(HDF5Error) in _ = try f.group("/patients/P01/visits/3") }
      #expect(e1?.objectPath == "/patients/P01/visits/3")
      #expect(e1?.description.contains("\(path):/patients/P01/visits/3") == true, "\(String(describing: e1))")
      let p = try f.group("patients/P01")
      let e2 = expectHDF5Error(.objectNotFound) { () throws(HDF5Error) in _ = try p.dataset("visits/3/events") }
      #expect(e2?.objectPath == "/patients/P01/visits/3/events")
      let e3 = expectHDF5Error(.objectNotFound) { () throws(HDF5Error) in _ = try p.stringAttribute("sex") }
      #expect(e3?.objectPath == "/patients/P01@sex")
      _ = expectHDF5Error(.objectNotFound) { () throws(HDF5Error) in _ = try f.children(of: "nowhere") }
      _ = expectHDF5Error(.typeMismatch) { () throws(HDF5Error) in _ = try f.group("patients/P01/visits/1/values") }
      _ = expectHDF5Error(.typeMismatch) { () throws(HDF5Error) in _ = try f.dataset("patients/P01") }
      _ = expectHDF5Error(.typeMismatch) { () throws(HDF5Error) in _ = try f.stringAttribute("schema").count + (try f.int64Attribute("schema")).bitWidth }
      let values = try f.dataset("patients/P01/visits/1/values")
      let e4 = expectHDF5Error(.typeMismatch) { () throws(HDF5Error) in _ = try values.read(Float.self) }
      #expect(e4?.message.contains("float64") == true)
      _ = expectHDF5Error(.typeMismatch) { () throws(HDF5Error) in _ = try values.readStrings() }
      _ = expectHDF5Error(.typeMismatch) { () throws(HDF5Error) in _ = try values.readFloatMatrix() }
      _ = expectHDF5Error(.typeMismatch) { () throws(HDF5Error) in _ = try values.readTable() }
    }

    @Test func readOnlyFilesRefuseWrites() throws {
      let path = try validFile("readonly.h5")
      let f = try HDF5File.open(path)
      _ = expectHDF5Error(.readOnly) { () throws(HDF5Error) in try f.createGroup("new") }
      _ = expectHDF5Error(.readOnly) { () throws(HDF5Error) in try f.setAttribute("x", 1) }
      _ = expectHDF5Error(.readOnly) { () throws(HDF5Error) in try f.createDataset("d", values: [1.0]) }
      _ = expectHDF5Error(.readOnly) { () throws(HDF5Error) in try f.remove("patients") }
    }

    @Test func invalidArguments() throws {
      let f = try HDF5File.create(dir.path("args.h5"))
      _ = expectHDF5Error(.invalidArgument) { () throws(HDF5Error) in try f.setAttribute("", 1) }
      _ = expectHDF5Error(.invalidArgument) { () throws(HDF5Error) in try f.setAttribute("s", "nul\u{0}inside") }
      _ = expectHDF5Error(.invalidArgument) { () throws(HDF5Error) in try f.createDataset("s", strings: ["a\u{0}b"]) }
      _ = expectHDF5Error(.invalidArgument) { () throws(HDF5Error) in
        try f.createDataset("c", values: [1.0], options: HDF5DatasetOptions(compression: .deflate(level: 10)))
      }
      _ = expectHDF5Error(.shapeMismatch) { () throws(HDF5Error) in
        try f.createFloatMatrix("m", columnMajor: [1, 2, 3], channels: 2, events: 2)
      }
      #expect(!f.exists("s") && !f.exists("c") && !f.exists("m"))
    }
  }
}
