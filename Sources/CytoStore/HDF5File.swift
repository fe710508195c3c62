internal import CHDF5
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

// MARK: - File ownership

/// Owns the file identifier. Every object opened in the file holds a strong reference, so the
/// file identifier is closed (once) only after the file and all its objects have been released.
final class H5FileOwner: @unchecked Sendable {
  let handle: H5Handle
  let path: String
  let mode: HDF5File.Mode

  init(handle: consuming H5Handle, path: String, mode: HDF5File.Mode) {
    self.handle = handle
    self.path = path
    self.mode = mode
  }

  /// Throws ``HDF5Error/Kind/readOnly`` before a write to a file opened read-only.
  func requireWritable(_ at: H5Where, _ operation: String) throws(HDF5Error) {
    if mode == .readOnly { throw at.error(.readOnly, operation, "the file was opened read-only") }
  }
}

// MARK: - Objects

/// An object inside an HDF5 file (a group, the file's root group, or a dataset): it owns one
/// libhdf5 identifier, closed when the last reference goes away, and carries attributes.
///
/// Instances are safe to share between threads: every libhdf5 call goes through one
/// process-wide lock. An object keeps its file open.
public class HDF5Object: @unchecked Sendable {
  let owner: H5FileOwner
  let handle: H5Handle
  /// The object's absolute path inside the file (`/` for the root group).
  public let path: String

  init(owner: H5FileOwner, handle: consuming H5Handle, path: String) {
    self.owner = owner
    self.handle = handle
    self.path = path
  }

  /// The path of the file that contains this object.
  public var filePath: String { owner.path }

  var location: H5Where { H5Where(file: owner.path, object: path) }
}

/// The kinds of object a path inside a file can name.
public enum HDF5ObjectKind: Sendable, Equatable {
  case group, dataset, namedDatatype
}

// MARK: - Groups

/// A group: a directory of named groups and datasets. Paths given to its methods are relative to
/// the group unless they start with `/`, and may have several components (`visits/3/events`).
public class HDF5Group: HDF5Object, @unchecked Sendable {
  /// Creates the group at `path` and any missing intermediate groups.
  ///
  /// - Throws: ``HDF5Error/Kind/objectExists`` if something is already there,
  ///   ``HDF5Error/Kind/readOnly`` on a read-only file.
  @discardableResult
  public func createGroup(_ path: String) throws(HDF5Error) -> HDF5Group {
    let full = h5Join(self.path, path)
    let at = location.at(full)
    return try withHDF5 { () throws(HDF5Error) -> HDF5Group in
      try owner.requireWritable(at, "create group")
      if h5ObjectExists(handle.id, full) {
        throw at.error(.objectExists, "create group", "an object already exists at this path")
      }
      let lcpl = try h5LinkCreationList(at)
      let g = try H5Handle(H5Gcreate2(handle.id, full, lcpl.id, h5Default, h5Default), .group, at, "create group")
      return HDF5Group(owner: owner, handle: g, path: full)
    }
  }

  /// Opens the group at `path`; with `createIfMissing`, creates it (and intermediate groups)
  /// when nothing is there.
  ///
  /// - Throws: ``HDF5Error/Kind/objectNotFound`` naming the path, ``HDF5Error/Kind/typeMismatch``
  ///   if the path names a dataset.
  public func group(_ path: String, createIfMissing: Bool = false) throws(HDF5Error) -> HDF5Group {
    let full = h5Join(self.path, path)
    let at = location.at(full)
    return try withHDF5 { () throws(HDF5Error) -> HDF5Group in
      switch h5ObjectKind(handle.id, full) {
      case nil:
        if createIfMissing { return try createGroup(full) }
        throw at.error(.objectNotFound, "open group", "no group at this path")
      case .group?:
        let g = try H5Handle(H5Gopen2(handle.id, full, h5Default), .group, at, "open group")
        return HDF5Group(owner: owner, handle: g, path: full)
      case let other?:
        throw at.error(.typeMismatch, "open group", "the object is a \(other), not a group")
      }
    }
  }

  /// Opens the dataset at `path`.
  ///
  /// - Throws: ``HDF5Error/Kind/objectNotFound`` naming the path, ``HDF5Error/Kind/typeMismatch``
  ///   if the path names a group.
  public func dataset(_ path: String) throws(HDF5Error) -> HDF5Dataset {
    let full = h5Join(self.path, path)
    let at = location.at(full)
    return try withHDF5 { () throws(HDF5Error) -> HDF5Dataset in
      switch h5ObjectKind(handle.id, full) {
      case nil:
        throw at.error(.objectNotFound, "open dataset", "no dataset at this path")
      case .dataset?:
        let d = try H5Handle(H5Dopen2(handle.id, full, h5Default), .dataset, at, "open dataset")
        return HDF5Dataset(owner: owner, handle: d, path: full)
      case let other?:
        throw at.error(.typeMismatch, "open dataset", "the object is a \(other), not a dataset")
      }
    }
  }

  /// Whether a group or dataset exists at `path` (every intermediate component must exist; a
  /// dangling link does not count).
  public func exists(_ path: String) -> Bool {
    let full = h5Join(self.path, path)
    return withHDF5 { h5ObjectExists(handle.id, full) }
  }

  /// What `path` names, or nil if nothing is there.
  public func kind(of path: String) -> HDF5ObjectKind? {
    let full = h5Join(self.path, path)
    return withHDF5 { h5ObjectKind(handle.id, full) }
  }

  /// The names of the links in the group at `path` (this group by default), sorted.
  ///
  /// - Throws: ``HDF5Error/Kind/objectNotFound`` / ``HDF5Error/Kind/typeMismatch`` when `path`
  ///   is not a group.
  public func children(of path: String = ".") throws(HDF5Error) -> [String] {
    let full = h5Join(self.path, path)
    let at = location.at(full)
    return try withHDF5 { () throws(HDF5Error) -> [String] in
      switch h5ObjectKind(handle.id, full) {
      case nil: throw at.error(.objectNotFound, "list group", "no group at this path")
      case .group?: break
      case let other?: throw at.error(.typeMismatch, "list group", "the object is a \(other), not a group")
      }
      var info = H5G_info_t()
      try h5Check(H5Gget_info_by_name(handle.id, full, &info, h5Default), at, "list group")
      var names: [String] = []
      names.reserveCapacity(Int(info.nlinks))
      for i in 0..<info.nlinks {
        let n = H5Lget_name_by_idx(handle.id, full, H5_INDEX_NAME, H5_ITER_INC, i, nil, 0, h5Default)
        if n < 0 { throw at.libraryError("list group") }
        var buffer = [CChar](repeating: 0, count: n + 1)
        let m = H5Lget_name_by_idx(handle.id, full, H5_INDEX_NAME, H5_ITER_INC, i, &buffer, n + 1, h5Default)
        if m < 0 { throw at.libraryError("list group") }
        names.append(h5String(buffer))
      }
      return names.sorted()
    }
  }

  /// Removes the link at `path` (a group with everything below it, or a dataset). HDF5 does not
  /// give the space back to the file system; `h5repack` does.
  ///
  /// - Throws: ``HDF5Error/Kind/objectNotFound`` naming the path.
  public func remove(_ path: String) throws(HDF5Error) {
    let full = h5Join(self.path, path)
    let at = location.at(full)
    try withHDF5 { () throws(HDF5Error) in
      try owner.requireWritable(at, "remove object")
      guard full != "/" else { throw at.error(.invalidArgument, "remove object", "the root group cannot be removed") }
      guard h5LinkExists(handle.id, full) else {
        throw at.error(.objectNotFound, "remove object", "no object at this path")
      }
      try h5Check(H5Ldelete(handle.id, full, h5Default), at, "remove object")
    }
  }
}

/// Whether every component of the absolute path `full` is a link (the last one may dangle).
func h5LinkExists(_ loc: hid_t, _ full: String) -> Bool {
  let parts = h5Components(full)
  if parts.isEmpty { return true }
  var prefix = ""
  for part in parts {
    prefix += "/" + part
    let r = H5Lexists(loc, prefix, h5Default)
    if r <= 0 {
      if r < 0 { H5Eclear2(h5ErrorStack) }
      return false
    }
  }
  return true
}

/// Whether the absolute path `full` resolves to an object.
func h5ObjectExists(_ loc: hid_t, _ full: String) -> Bool {
  guard h5LinkExists(loc, full) else { return false }
  let r = H5Oexists_by_name(loc, full, h5Default)
  if r < 0 { H5Eclear2(h5ErrorStack) }
  return r > 0
}

/// The kind of object at the absolute path `full`, or nil.
func h5ObjectKind(_ loc: hid_t, _ full: String) -> HDF5ObjectKind? {
  guard h5ObjectExists(loc, full) else { return nil }
  let id = H5Oopen(loc, full, h5Default)
  if id < 0 {
    H5Eclear2(h5ErrorStack)
    return nil
  }
  defer { H5Oclose(id) }
  switch H5Iget_type(id) {
  case H5I_GROUP: return .group
  case H5I_DATASET: return .dataset
  case H5I_DATATYPE: return .namedDatatype
  default: return nil
  }
}

// MARK: - Files

/// An open HDF5 file, which is also its root group (`/`): attributes set on the file are the
/// root group's (what h5py shows as `File.attrs`).
///
/// The file is closed when this object and every group and dataset opened from it have been
/// released. New files use the HDF5 1.8 object format or newer (`H5Pset_libver_bounds(V18,
/// V110)`), so attributes of any size and many attributes are stored densely; h5py, h5dump and
/// any libhdf5 from 1.10 on read them.
public final class HDF5File: HDF5Group, @unchecked Sendable {
  /// How an existing file is opened.
  public enum Mode: Sendable, Equatable {
    case readOnly, readWrite
  }

  /// The mode the file was opened with (``Mode/readWrite`` for created files).
  public var mode: Mode { owner.mode }

  /// Creates a file. Without `overwrite` an existing file is an error
  /// (``HDF5Error/Kind/fileExists``); with it, the file is truncated.
  ///
  /// - Parameter persistentFreeSpace: track free space across sessions
  ///   (`H5Pset_file_space_strategy(FSM_AGGR, persist: true)`), so space freed by deleting or
  ///   rewriting objects (replaced attributes, rewritten variable-length strings) is reused by
  ///   later sessions instead of being lost. Needs the HDF5 1.10 file format to read.
  public static func create(_ path: String, overwrite: Bool = false, persistentFreeSpace: Bool = false) throws(HDF5Error) -> HDF5File {
    let at = H5Where(file: path, object: nil)
    return try withHDF5 { () throws(HDF5Error) -> HDF5File in
      let fapl = try h5FileAccessList(at)
      let fcpl = try H5Handle(H5Pcreate(chdf5_p_file_create()), .propertyList, at, "create file creation list")
      if persistentFreeSpace {
        try h5Check(H5Pset_file_space_strategy(fcpl.id, H5F_FSPACE_STRATEGY_FSM_AGGR, true, 1), at, "set file space strategy")
      }
      let flags = overwrite ? CHDF5_ACC_TRUNC : CHDF5_ACC_EXCL
      let (id, failure) = h5RetryingLockContention(at, "create file") { H5Fcreate(path, flags, fcpl.id, fapl.id) }
      if id < 0 {
        let error = failure ?? at.libraryError("create file")
        if !overwrite && FileManager.default.fileExists(atPath: path) {
          throw at.error(.fileExists, "create file", "a file already exists (pass overwrite: true to replace it)")
        }
        throw error
      }
      return try HDF5File(fileID: H5Handle(id, .file, at, "create file"), path: path, mode: .readWrite)
    }
  }

  /// Opens an existing file.
  ///
  /// - Throws: ``HDF5Error/Kind/fileNotFound``, ``HDF5Error/Kind/emptyFile``,
  ///   ``HDF5Error/Kind/notHDF5``, ``HDF5Error/Kind/truncated`` or ``HDF5Error/Kind/corrupt``,
  ///   each naming the path, or ``HDF5Error/Kind/libraryFailure`` (permissions, file locks).
  public static func open(_ path: String, mode: Mode = .readOnly) throws(HDF5Error) -> HDF5File {
    let at = H5Where(file: path, object: nil)
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw at.error(.fileNotFound, "open file", "no such file")
    }
    if isDirectory.boolValue { throw at.error(.notHDF5, "open file", "the path is a directory") }
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
    if size == 0 { throw at.error(.emptyFile, "open file", "the file has 0 bytes") }
    return try withHDF5 { () throws(HDF5Error) -> HDF5File in
      let signature = H5Fis_hdf5(path)
      if signature == 0 {
        throw at.error(.notHDF5, "open file", "no HDF5 signature in the file's \(size.map(String.init) ?? "?") bytes")
      }
      if signature < 0 { throw at.libraryError("open file") }
      let fapl = try h5FileAccessList(at, forCreation: false)
      let (id, failure) = h5RetryingLockContention(at, "open file") {
        H5Fopen(path, mode == .readOnly ? CHDF5_ACC_RDONLY : CHDF5_ACC_RDWR, fapl.id)
      }
      if id < 0 {
        let error = failure ?? at.libraryError("open file")
        if error.stack.contains(where: { $0.localizedCaseInsensitiveContains("truncated file") }) {
          throw HDF5Error(.truncated, filePath: path, operation: "open file", message: error.message, stack: error.stack)
        }
        if let size, size < 48 + 8, error.stack.contains(where: { $0.contains("superblock") }) {
          // Shorter than a signature plus the smallest (version 2) superblock.
          throw HDF5Error(
            .truncated, filePath: path, operation: "open file",
            message: "the file has \(size) bytes, too few for an HDF5 superblock; \(error.message)", stack: error.stack)
        }
        if error.stack.contains(where: { $0.contains("superblock") || $0.contains("signature") }) {
          throw HDF5Error(.corrupt, filePath: path, operation: "open file", message: error.message, stack: error.stack)
        }
        throw error
      }
      return try HDF5File(fileID: H5Handle(id, .file, at, "open file"), path: path, mode: mode)
    }
  }

  private init(fileID: consuming H5Handle, path: String, mode: Mode) throws(HDF5Error) {
    let owner = H5FileOwner(handle: fileID, path: path, mode: mode)
    let at = H5Where(file: path, object: "/")
    h5SetCloseOnExec(owner.handle.id)
    let root = try H5Handle(H5Gopen2(owner.handle.id, "/", h5Default), .group, at, "open root group")
    super.init(owner: owner, handle: root, path: "/")
  }

  /// Writes everything buffered for this file to disk (`H5Fflush`, global scope).
  public func flush() throws(HDF5Error) {
    let at = H5Where(file: owner.path, object: nil)
    try withHDF5 { () throws(HDF5Error) in
      try h5Check(H5Fflush(owner.handle.id, H5F_SCOPE_GLOBAL), at, "flush file")
    }
  }

  /// The number of objects of this file open in this process, the file itself and this root
  /// group included (`H5Fget_obj_count(file, H5F_OBJ_ALL)`).
  public var openObjectCount: Int {
    withHDF5 { Int(H5Fget_obj_count(owner.handle.id, CHDF5_OBJ_ALL)) }
  }
}

/// File access properties: for new files, HDF5 1.8 format or newer (dense attribute storage),
/// capped at 1.10 so libhdf5 1.10 can read what a newer library writes.
func h5FileAccessList(_ at: H5Where, forCreation: Bool = true) throws(HDF5Error) -> H5Handle {
  let fapl = try H5Handle(H5Pcreate(chdf5_p_file_access()), .propertyList, at, "create file access list")
  if forCreation {
    try h5Check(H5Pset_libver_bounds(fapl.id, H5F_LIBVER_V18, H5F_LIBVER_V110), at, "set format bounds")
  }
  return fapl
}

/// Marks the file's descriptor close-on-exec (libhdf5's sec2 driver opens without
/// `O_CLOEXEC`). Otherwise a child process started while the file is open (a test spawning
/// `cytoreset`, a tool calling `Process`) inherits the descriptor and with it libhdf5's `flock`,
/// and the next open of the file in this process fails with "unable to lock file" until the
/// child exits. Lock held.
func h5SetCloseOnExec(_ file: hid_t) {
  var handle: UnsafeMutableRawPointer? = nil
  guard H5Fget_vfd_handle(file, h5Default, &handle) >= 0, let handle else {
    H5Eclear2(h5ErrorStack)
    return
  }
  let fd = handle.load(as: Int32.self)
  let flags = fcntl(fd, F_GETFD)
  if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
}

/// Calls `body` (an `H5Fopen`/`H5Fcreate`) and, while it fails because libhdf5 cannot take its
/// `flock` on the file, retries for up to 1 s. A lock can be held for a moment by a child
/// process that was being started (fork/exec) while this process had the file open: the child's
/// copy of the descriptor keeps the lock until it closes or execs. A file held open for writing
/// by another process still fails, after the second. Returns the identifier, and the error of
/// the last failure when it failed (the error stack is consumed). Lock held.
func h5RetryingLockContention(_ at: H5Where, _ operation: String, _ body: () -> hid_t) -> (hid_t, HDF5Error?) {
  var id = body()
  var attempts = 0
  while id < 0 {
    let error = at.libraryError(operation)
    guard attempts < 100, error.stack.contains(where: { $0.localizedCaseInsensitiveContains("unable to lock file") }) else {
      return (id, error)
    }
    attempts += 1
    usleep(10_000)
    id = body()
  }
  return (id, nil)
}
