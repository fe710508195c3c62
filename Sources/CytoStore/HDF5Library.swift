@_implementationOnly import CHDF5
import Synchronization

/// The process-wide lock around every libhdf5 call.
///
/// Debian's serial build is thread-safe but holds one global lock anyway, and most other builds
/// (Homebrew, conda, a default source build) are not thread-safe at all; routing every call
/// through one lock is portable and makes multi-call sequences atomic.
let hdf5Lock = Mutex<Void>(())

/// The version of the libhdf5 the store is linked against.
public struct HDF5LibraryVersion: Sendable, Equatable, CustomStringConvertible {
  public var major: Int, minor: Int, release: Int

  /// The linked library's version (`H5get_libversion`).
  public static var linked: HDF5LibraryVersion {
    hdf5Lock.withLock { _ in
      var a: UInt32 = 0, b: UInt32 = 0, c: UInt32 = 0
      H5get_libversion(&a, &b, &c)
      return HDF5LibraryVersion(major: Int(a), minor: Int(b), release: Int(c))
    }
  }

  public var description: String { "\(major).\(minor).\(release)" }
}
