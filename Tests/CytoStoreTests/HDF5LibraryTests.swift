import CytoStore
import Testing

@Suite struct HDF5LibraryTests {
  /// The store's schema relies on HDF5 1.10 features (compound types, UTF-8 strings, chunked deflate).
  @Test func linkedLibraryIsAtLeast1_10() {
    let v = HDF5LibraryVersion.linked
    #expect(v.major > 1 || (v.major == 1 && v.minor >= 10), "linked libhdf5 \(v)")
  }
}
