internal import CHDF5

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A value stored in an HDF5 attribute.
///
/// Written as: strings are variable-length UTF-8 (h5py reads them as `str`), numbers are
/// little-endian IEEE `float64` and `int64`; scalars use a scalar dataspace and arrays a 1-D one
/// (h5py: a numpy array, or an object array of `str`). Reading also accepts what other writers
/// produce: fixed-length strings, any float or integer width (converted to `Double`/`Int64`) and
/// multi-dimensional arrays (flattened).
public enum HDF5AttributeValue: Sendable, Equatable {
  case string(String)
  case double(Double)
  case int64(Int64)
  case strings([String])
  case doubles([Double])
  case int64s([Int64])

  var typeName: String {
    switch self {
    case .string: "String"
    case .double: "Double"
    case .int64: "Int64"
    case .strings: "[String]"
    case .doubles: "[Double]"
    case .int64s: "[Int64]"
    }
  }
}

extension HDF5Object {
  // MARK: Writing

  /// Sets attribute `name` to `value`, replacing any attribute of that name (whatever its type).
  ///
  /// - Throws: ``HDF5Error/Kind/invalidArgument`` for an empty name or a string with NUL,
  ///   ``HDF5Error/Kind/readOnly`` on a read-only file.
  public func setAttribute(_ name: String, _ value: HDF5AttributeValue) throws(HDF5Error) {
    let at = location.at(path + "@" + name)
    let operation = "write attribute"
    try withHDF5 { () throws(HDF5Error) in
      try owner.requireWritable(at, operation)
      guard !name.isEmpty else { throw at.error(.invalidArgument, operation, "attribute names cannot be empty") }
      let exists = H5Aexists(handle.id, name)
      if exists < 0 { throw at.libraryError(operation) }
      if exists > 0 { try h5Check(H5Adelete(handle.id, name), at, "replace attribute") }

      let scalar: Bool
      let count: Int
      switch value {
      case .string, .double, .int64: scalar = true; count = 1
      case .strings(let v): scalar = false; count = v.count
      case .doubles(let v): scalar = false; count = v.count
      case .int64s(let v): scalar = false; count = v.count
      }
      var dims = [hsize_t(count)]
      let space = try H5Handle(
        scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &dims, nil), .dataspace, at, "create dataspace")
      let acpl = try H5Handle(H5Pcreate(chdf5_p_attribute_create()), .propertyList, at, operation)
      try h5Check(H5Pset_char_encoding(acpl.id, H5T_CSET_UTF8), at, operation)

      func create(_ fileType: hid_t) throws(HDF5Error) -> H5Handle {
        try H5Handle(H5Acreate2(handle.id, name, fileType, space.id, acpl.id, h5Default), .attribute, at, operation)
      }
      switch value {
      case .string(let s):
        let type = try h5VariableStringType(at)
        let attribute = try create(type.id)
        let pointers = try h5DuplicateCStrings([s], at, operation)
        defer { pointers.forEach { free($0) } }
        try h5Check(pointers.withUnsafeBytes { H5Awrite(attribute.id, type.id, $0.baseAddress) }, at, operation)
      case .strings(let v):
        let type = try h5VariableStringType(at)
        let pointers = try h5DuplicateCStrings(v, at, operation)
        defer { pointers.forEach { free($0) } }
        let attribute = try create(type.id)
        if count > 0 {
          try h5Check(pointers.withUnsafeBytes { H5Awrite(attribute.id, type.id, $0.baseAddress) }, at, operation)
        }
      case .double(let x):
        let attribute = try create(chdf5_ieee_f64le())
        try h5Check(withUnsafeBytes(of: x) { H5Awrite(attribute.id, chdf5_native_double(), $0.baseAddress) }, at, operation)
      case .int64(let x):
        let attribute = try create(chdf5_std_i64le())
        try h5Check(withUnsafeBytes(of: x) { H5Awrite(attribute.id, chdf5_native_int64(), $0.baseAddress) }, at, operation)
      case .doubles(let v):
        let attribute = try create(chdf5_ieee_f64le())
        if count > 0 {
          try h5Check(v.withUnsafeBytes { H5Awrite(attribute.id, chdf5_native_double(), $0.baseAddress) }, at, operation)
        }
      case .int64s(let v):
        let attribute = try create(chdf5_std_i64le())
        if count > 0 {
          try h5Check(v.withUnsafeBytes { H5Awrite(attribute.id, chdf5_native_int64(), $0.baseAddress) }, at, operation)
        }
      }
    }
  }

  /// Sets a variable-length UTF-8 string attribute.
  public func setAttribute(_ name: String, _ value: String) throws(HDF5Error) {
    try setAttribute(name, .string(value))
  }
  /// Sets a `float64` attribute (NaN and ±infinity are kept).
  public func setAttribute(_ name: String, _ value: Double) throws(HDF5Error) {
    try setAttribute(name, .double(value))
  }
  /// Sets an `int64` attribute.
  public func setAttribute(_ name: String, _ value: Int64) throws(HDF5Error) {
    try setAttribute(name, .int64(value))
  }
  /// Sets an `int64` attribute (so integer literals need no annotation).
  public func setAttribute(_ name: String, _ value: Int) throws(HDF5Error) {
    try setAttribute(name, .int64(Int64(value)))
  }
  /// Sets a 1-D `float64` array attribute.
  public func setAttribute(_ name: String, _ value: [Double]) throws(HDF5Error) {
    try setAttribute(name, .doubles(value))
  }
  /// Sets a 1-D `int64` array attribute.
  public func setAttribute(_ name: String, _ value: [Int64]) throws(HDF5Error) {
    try setAttribute(name, .int64s(value))
  }
  /// Sets a 1-D array attribute of variable-length UTF-8 strings.
  public func setAttribute(_ name: String, _ value: [String]) throws(HDF5Error) {
    try setAttribute(name, .strings(value))
  }

  // MARK: Reading

  /// Reads attribute `name`.
  ///
  /// - Throws: ``HDF5Error/Kind/objectNotFound`` naming `object@name`,
  ///   ``HDF5Error/Kind/typeMismatch`` for types other than strings, floats and integers.
  public func attribute(_ name: String) throws(HDF5Error) -> HDF5AttributeValue {
    let at = location.at(path + "@" + name)
    let operation = "read attribute"
    return try withHDF5 { () throws(HDF5Error) -> HDF5AttributeValue in
      let exists = name.isEmpty ? 0 : H5Aexists(handle.id, name)
      if exists < 0 { throw at.libraryError(operation) }
      if exists == 0 { throw at.error(.objectNotFound, operation, "no attribute named \"\(name)\"") }
      let attribute = try H5Handle(H5Aopen(handle.id, name, h5Default), .attribute, at, operation)
      let type = try H5Handle(H5Aget_type(attribute.id), .datatype, at, operation)
      let space = try H5Handle(H5Aget_space(attribute.id), .dataspace, at, operation)
      let spaceClass = H5Sget_simple_extent_type(space.id)
      let scalar = spaceClass == H5S_SCALAR
      let count = spaceClass == H5S_NULL ? 0 : Int(H5Sget_simple_extent_npoints(space.id))
      if count < 0 { throw at.libraryError(operation) }
      let id = attribute.id
      switch H5Tget_class(type.id) {
      case H5T_STRING:
        let strings = try h5ReadStrings(type: type.id, space: space.id, count: count, at, operation) {
          H5Aread(id, $0, $1)
        }
        return scalar ? .string(strings.first ?? "") : .strings(strings)
      case H5T_FLOAT:
        var values = [Double](repeating: 0, count: count)
        if count > 0 {
          try h5Check(values.withUnsafeMutableBytes { H5Aread(id, chdf5_native_double(), $0.baseAddress) }, at, operation)
        }
        return scalar ? .double(values.first ?? 0) : .doubles(values)
      case H5T_INTEGER:
        var values = [Int64](repeating: 0, count: count)
        if count > 0 {
          try h5Check(values.withUnsafeMutableBytes { H5Aread(id, chdf5_native_int64(), $0.baseAddress) }, at, operation)
        }
        return scalar ? .int64(values.first ?? 0) : .int64s(values)
      default:
        throw at.error(.typeMismatch, operation, "the attribute's type is not a string, float or integer")
      }
    }
  }

  private func typedAttribute<T>(
    _ name: String, _ wanted: String, _ extract: (HDF5AttributeValue) -> T?
  ) throws(HDF5Error) -> T {
    let value = try attribute(name)
    if let v = extract(value) { return v }
    throw location.at(path + "@" + name).error(
      .typeMismatch, "read attribute", "the attribute holds \(value.typeName), not \(wanted)")
  }

  /// Reads a scalar string attribute.
  public func stringAttribute(_ name: String) throws(HDF5Error) -> String {
    try typedAttribute(name, "String") { if case .string(let s) = $0 { s } else { nil } }
  }
  /// Reads a scalar floating-point attribute.
  public func doubleAttribute(_ name: String) throws(HDF5Error) -> Double {
    try typedAttribute(name, "Double") { if case .double(let x) = $0 { x } else { nil } }
  }
  /// Reads a scalar integer attribute.
  public func int64Attribute(_ name: String) throws(HDF5Error) -> Int64 {
    try typedAttribute(name, "Int64") { if case .int64(let x) = $0 { x } else { nil } }
  }
  /// Reads a string-array attribute.
  public func stringArrayAttribute(_ name: String) throws(HDF5Error) -> [String] {
    try typedAttribute(name, "[String]") { if case .strings(let v) = $0 { v } else { nil } }
  }
  /// Reads a floating-point array attribute.
  public func doubleArrayAttribute(_ name: String) throws(HDF5Error) -> [Double] {
    try typedAttribute(name, "[Double]") { if case .doubles(let v) = $0 { v } else { nil } }
  }
  /// Reads an integer array attribute.
  public func int64ArrayAttribute(_ name: String) throws(HDF5Error) -> [Int64] {
    try typedAttribute(name, "[Int64]") { if case .int64s(let v) = $0 { v } else { nil } }
  }

  // MARK: Listing and removing

  /// Whether the object has an attribute called `name`.
  public func hasAttribute(_ name: String) -> Bool {
    guard !name.isEmpty else { return false }
    return withHDF5 {
      let r = H5Aexists(handle.id, name)
      if r < 0 { H5Eclear2(h5ErrorStack) }
      return r > 0
    }
  }

  /// The names of the object's attributes, sorted.
  public func attributeNames() throws(HDF5Error) -> [String] {
    let at = location
    return try withHDF5 { () throws(HDF5Error) -> [String] in
      final class Names { var list: [String] = [] }
      let names = Names()
      var index: hsize_t = 0
      let status = withExtendedLifetime(names) {
        H5Aiterate2(
          handle.id, H5_INDEX_NAME, H5_ITER_INC, &index,
          { _, name, _, client in
            guard let name, let client else { return 0 }
            Unmanaged<Names>.fromOpaque(client).takeUnretainedValue().list.append(String(cString: name))
            return 0
          }, Unmanaged.passUnretained(names).toOpaque())
      }
      try h5Check(status, at, "list attributes")
      return names.list.sorted()
    }
  }

  /// Deletes attribute `name`.
  ///
  /// - Throws: ``HDF5Error/Kind/objectNotFound`` if there is none.
  public func removeAttribute(_ name: String) throws(HDF5Error) {
    let at = location.at(path + "@" + name)
    try withHDF5 { () throws(HDF5Error) in
      try owner.requireWritable(at, "remove attribute")
      guard hasAttribute(name) else { throw at.error(.objectNotFound, "remove attribute", "no attribute named \"\(name)\"") }
      try h5Check(H5Adelete(handle.id, name), at, "remove attribute")
    }
  }
}
