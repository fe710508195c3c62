internal import CHDF5
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The process-wide lock around every libhdf5 call.
///
/// Debian's serial build is thread-safe but holds one global lock anyway, and most other builds
/// (Homebrew, conda, a default source build) are not thread-safe at all; routing every call
/// through one lock is portable and makes multi-call sequences atomic.
///
/// Take it through ``withHDF5(_:)``, never directly: that function makes the lock re-entrant for
/// the thread that holds it, so a handle released inside a locked region (an error path that drops
/// a half-built object, a temporary dataspace) can close itself without deadlocking.
let hdf5Lock = Mutex<Void>(())

/// The thread currently inside `hdf5Lock` (0 when nobody is). Only the owning thread ever stores
/// its own id, so a relaxed load that sees our id proves that we hold the lock.
private let hdf5LockOwner = Atomic<UInt>(0)

@inline(__always) private func currentThreadID() -> UInt {
  #if canImport(Darwin)
    return UInt(bitPattern: pthread_self())
  #else
    return UInt(pthread_self())
  #endif
}

/// Runs `body` holding `hdf5Lock` (re-entrant on the owning thread), with HDF5's automatic
/// error printing turned off for this thread (the error stack and its settings are per thread in a
/// thread-safe build), so failures surface only as ``HDF5Error`` values.
func withHDF5<T, E: Error>(_ body: () throws(E) -> sending T) throws(E) -> sending T {
  let me = currentThreadID()
  if hdf5LockOwner.load(ordering: .relaxed) == me { return try body() }
  return try hdf5Lock.withLock { _ throws(E) -> sending T in
    hdf5LockOwner.store(me, ordering: .relaxed)
    defer { hdf5LockOwner.store(0, ordering: .relaxed) }
    H5Eset_auto2(hid_t(H5E_DEFAULT), nil, nil)
    return try body()
  }
}

/// The version of the libhdf5 the store is linked against.
public struct HDF5LibraryVersion: Sendable, Equatable, CustomStringConvertible {
  public var major: Int, minor: Int, release: Int

  /// The linked library's version (`H5get_libversion`).
  public static var linked: HDF5LibraryVersion {
    withHDF5 {
      var a: UInt32 = 0, b: UInt32 = 0, c: UInt32 = 0
      H5get_libversion(&a, &b, &c)
      return HDF5LibraryVersion(major: Int(a), minor: Int(b), release: Int(c))
    }
  }

  public var description: String { "\(major).\(minor).\(release)" }
}

/// Process-wide libhdf5 bookkeeping, for tests and diagnostics.
public enum HDF5Library {
  /// The number of HDF5 objects (files, groups, datasets, named datatypes, attributes) open in
  /// this process across every file (`H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL)`). Zero once
  /// every ``HDF5File``, ``HDF5Group`` and ``HDF5Dataset`` has been released.
  public static var openObjectCount: Int {
    withHDF5 { Int(H5Fget_obj_count(hid_t(CHDF5_OBJ_ALL), CHDF5_OBJ_ALL)) }
  }

  /// Whether the linked libhdf5 was built thread-safe (`H5is_library_threadsafe`). The store
  /// serialises every call regardless.
  public static var isThreadSafe: Bool {
    withHDF5 {
      var flag: hbool_t = false
      H5is_library_threadsafe(&flag)
      return flag
    }
  }
}
