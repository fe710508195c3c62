import CytoStore
import Foundation
import Testing

/// Every HDF5 test runs inside this serialized suite: the handle-hygiene test counts the open
/// HDF5 objects of the whole process, which must not include another test's.
@Suite(.serialized) struct HDF5 {}

/// A fresh scratch directory, removed when the value is released.
final class ScratchDirectory {
  let url: URL

  init() {
    url = FileManager.default.temporaryDirectory.appendingPathComponent("cytostore-h5-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(at: url) }

  func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

/// Runs `body` and returns the HDF5Error it throws (recording an issue if it throws nothing).
func expectHDF5Error(
  _ kind: HDF5Error.Kind, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws(HDF5Error) -> Void
) -> HDF5Error? {
  do {
    try body()
    Issue.record("expected HDF5Error \(kind), got no error", sourceLocation: sourceLocation)
    return nil
  } catch {
    #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
    return error
  }
}
