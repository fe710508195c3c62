internal import CHDF5

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

// MARK: - Where an operation happens

/// The file and object an operation works on, to build ``HDF5Error`` values.
struct H5Where: Sendable {
  var file: String
  var object: String?

  func error(_ kind: HDF5Error.Kind, _ operation: String, _ message: String) -> HDF5Error {
    HDF5Error(kind, filePath: file, objectPath: object, operation: operation, message: message)
  }

  /// An error from the current libhdf5 error stack (which this clears). Call it right after the
  /// failing libhdf5 call, inside the lock: the next API call would reset the stack.
  func libraryError(_ operation: String, kind: HDF5Error.Kind = .libraryFailure) -> HDF5Error {
    let stack = captureErrorStack()
    let message = stack.first ?? "libhdf5 reported no error detail"
    var kind = kind
    if kind == .libraryFailure, stack.contains(where: { $0.contains("no write intent on file") }) {
      kind = .readOnly
    }
    return HDF5Error(kind, filePath: file, objectPath: object, operation: operation, message: message, stack: stack)
  }

  /// The same file, another object.
  func at(_ object: String?) -> H5Where { H5Where(file: file, object: object) }
}

/// Walks this thread's libhdf5 error stack innermost first (`H5Ewalk2`, `H5E_WALK_UPWARD`),
/// returns one line per entry (`minor message: description (function)`) and clears the stack.
func captureErrorStack() -> [String] {
  final class Collector {
    var raw: [(minor: hid_t, desc: String, function: String)] = []
  }
  let collector = Collector()
  withExtendedLifetime(collector) {
    _ = H5Ewalk2(
      h5ErrorStack, H5E_WALK_UPWARD,
      { _, entry, client in
        guard let entry, let client else { return 0 }
        let c = Unmanaged<Collector>.fromOpaque(client).takeUnretainedValue()
        let e = entry.pointee
        c.raw.append(
          (e.min_num, e.desc.map { String(cString: $0) } ?? "", e.func_name.map { String(cString: $0) } ?? ""))
        return 0
      }, Unmanaged.passUnretained(collector).toOpaque())
  }
  H5Eclear2(h5ErrorStack)
  // Message texts are looked up after the walk: H5Eget_msg is itself an API call.
  return collector.raw.map { entry in
    var buffer = [CChar](repeating: 0, count: 256)
    var type = H5E_MINOR
    let n = H5Eget_msg(entry.minor, &type, &buffer, 256)
    let minor = n > 0 ? h5String(buffer) : ""
    var line = minor.isEmpty ? entry.desc : "\(minor): \(entry.desc)"
    if !entry.function.isEmpty { line += " (\(entry.function))" }
    return line
  }
}

// MARK: - Owned identifiers

/// One libhdf5 identifier, closed exactly once when this value is destroyed.
///
/// Non-copyable, so ownership is explicit: the value lives in a local (temporaries such as
/// dataspaces, datatypes and property lists, closed on every exit path including throws) or is
/// moved into one of the public classes. `deinit` takes the (re-entrant) HDF5 lock itself.
struct H5Handle: ~Copyable {
  enum Kind { case file, group, dataset, dataspace, datatype, attribute, propertyList, object }

  let id: hid_t
  let kind: Kind

  /// Takes ownership of `id`, or throws the current libhdf5 error if `id` is negative.
  init(
    _ id: hid_t, _ kind: Kind, _ at: H5Where, _ operation: String,
    failure: HDF5Error.Kind = .libraryFailure
  ) throws(HDF5Error) {
    guard id >= 0 else { throw at.libraryError(operation, kind: failure) }
    self.id = id
    self.kind = kind
  }

  deinit {
    let id = id, kind = kind
    withHDF5 {
      let status: herr_t
      switch kind {
      case .file: status = H5Fclose(id)
      case .group: status = H5Gclose(id)
      case .dataset: status = H5Dclose(id)
      case .dataspace: status = H5Sclose(id)
      case .datatype: status = H5Tclose(id)
      case .attribute: status = H5Aclose(id)
      case .propertyList: status = H5Pclose(id)
      case .object: status = H5Oclose(id)
      }
      if status < 0 { H5Eclear2(h5ErrorStack) }
    }
  }
}

/// Throws the current libhdf5 error when `status` is negative.
@inline(__always)
func h5Check(_ status: herr_t, _ at: H5Where, _ operation: String) throws(HDF5Error) {
  if status < 0 { throw at.libraryError(operation) }
}

/// `H5E_DEFAULT` (this thread's error stack) as an identifier.
let h5ErrorStack = hid_t(H5E_DEFAULT)

/// A NUL-terminated C buffer as a String (invalid UTF-8 repaired).
func h5String(_ buffer: [CChar]) -> String {
  let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
  return String(decoding: bytes, as: UTF8.self)
}

/// `H5P_DEFAULT` as an identifier.
let h5Default = hid_t(H5P_DEFAULT)

/// A link-creation property list that creates missing intermediate groups and marks link names
/// as UTF-8.
func h5LinkCreationList(_ at: H5Where) throws(HDF5Error) -> H5Handle {
  let lcpl = try H5Handle(H5Pcreate(chdf5_p_link_create()), .propertyList, at, "create link property list")
  try h5Check(H5Pset_create_intermediate_group(lcpl.id, 1), at, "set intermediate group creation")
  try h5Check(H5Pset_char_encoding(lcpl.id, H5T_CSET_UTF8), at, "set link name encoding")
  return lcpl
}

// MARK: - Paths

/// Splits an HDF5 path into its names, dropping empty components and `.`.
func h5Components(_ path: String) -> [Substring] {
  path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
}

/// The absolute, normalised path of `name` relative to the group at `base` (absolute names are
/// taken as they are): `h5Join("/patients", "P01//visits/")` is `/patients/P01/visits`.
func h5Join(_ base: String, _ name: String) -> String {
  let parts = (name.hasPrefix("/") ? [] : h5Components(base)) + h5Components(name)
  return "/" + parts.joined(separator: "/")
}

// MARK: - Strings

/// Variable-length UTF-8 string datatype (`H5T_C_S1`, size `H5T_VARIABLE`).
func h5VariableStringType(_ at: H5Where) throws(HDF5Error) -> H5Handle {
  let t = try H5Handle(H5Tcopy(chdf5_c_s1()), .datatype, at, "create string type")
  try h5Check(H5Tset_size(t.id, chdf5_variable()), at, "set string size")
  try h5Check(H5Tset_cset(t.id, H5T_CSET_UTF8), at, "set string encoding")
  return t
}

/// NUL-terminated copies of `strings` (freed by the caller with `free`), rejecting embedded NULs,
/// which an HDF5 C string cannot hold.
func h5DuplicateCStrings(_ strings: [String], _ at: H5Where, _ operation: String) throws(HDF5Error)
  -> [UnsafeMutablePointer<CChar>?]
{
  if let bad = strings.firstIndex(where: { $0.utf8.contains(0) }) {
    throw at.error(.invalidArgument, operation, "string #\(bad) contains a NUL character, which HDF5 strings cannot hold")
  }
  return strings.map { strdup($0) }
}

/// Reads `count` strings stored with file type `type` (variable-length or fixed-length, any
/// padding) through `read(memoryType, buffer)`, which is `H5Aread` or `H5Dread`.
func h5ReadStrings(
  type: hid_t, space: hid_t, count: Int, _ at: H5Where, _ operation: String,
  read: (hid_t, UnsafeMutableRawPointer) -> herr_t
) throws(HDF5Error) -> [String] {
  if count == 0 { return [] }
  let variable = H5Tis_variable_str(type)
  if variable < 0 { throw at.libraryError(operation) }
  if variable > 0 {
    let memType = try h5VariableStringType(at)
    var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
    let status = pointers.withUnsafeMutableBytes { read(memType.id, $0.baseAddress!) }
    try h5Check(status, at, operation)
    let strings = pointers.map { $0.map { String(cString: $0) } ?? "" }
    _ = pointers.withUnsafeMutableBytes { H5Dvlen_reclaim(memType.id, space, h5Default, $0.baseAddress!) }
    return strings
  }
  let size = H5Tget_size(type)
  if size == 0 { throw at.libraryError(operation) }
  let memType = try H5Handle(H5Tcopy(type), .datatype, at, operation)
  var bytes = [UInt8](repeating: 0, count: count * size)
  let status = bytes.withUnsafeMutableBytes { read(memType.id, $0.baseAddress!) }
  try h5Check(status, at, operation)
  let spacePadded = H5Tget_strpad(type) == H5T_STR_SPACEPAD
  return (0..<count).map { i in
    var slice = bytes[(i * size)..<((i + 1) * size)]
    if let nul = slice.firstIndex(of: 0) { slice = slice[..<nul] }
    if spacePadded { while slice.last == 0x20 { slice = slice.dropLast() } }
    return String(decoding: slice, as: UTF8.self)
  }
}
