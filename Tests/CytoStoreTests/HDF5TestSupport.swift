import CytoStore
import CytoTestSupport
import Foundation
import Testing

/// Every HDF5 test runs inside this serialized suite: the handle-hygiene test counts the open
/// HDF5 objects of the whole process, which must not include another test's. The suite holds
/// ``HDF5TestGate`` so that suites of other test targets that open HDF5 in-process (the review
/// server's) never run at the same time.
@Suite(.serialized, .hdf5Exclusive) struct HDF5 {}

/// Holds ``HDF5TestGate`` while the suite it is attached to runs (once for the whole suite).
struct HDF5Exclusive: SuiteTrait, TestScoping {
  func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
    try await HDF5TestGate.withGate(function)
  }
}

extension Trait where Self == HDF5Exclusive {
  /// No other HDF5-using suite of the process runs at the same time.
  static var hdf5Exclusive: Self { Self() }
}

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
