internal import CHDF5

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The type of one column of a compound "table" dataset.
public enum HDF5ColumnKind: Sendable, Equatable, CustomStringConvertible {
  /// `float64` (`<f8`).
  case double
  /// `int64` (`<i8`).
  case int64
  /// Variable-length UTF-8 string (h5py: object field of `str`).
  case string
  /// `uint8` (`u1`).
  case uint8
  /// h5py's boolean: an `int8` enum with `FALSE = 0`, `TRUE = 1` (numpy `?`).
  case bool

  public var description: String {
    switch self {
    case .double: "double"
    case .int64: "int64"
    case .string: "string"
    case .uint8: "uint8"
    case .bool: "bool"
    }
  }

  /// Size and alignment in the in-memory record.
  var memorySize: Int {
    switch self {
    case .double, .int64: 8
    case .string: MemoryLayout<UnsafeMutablePointer<CChar>?>.size
    case .uint8, .bool: 1
    }
  }
}

/// The values of one table column.
public enum HDF5ColumnData: Sendable, Equatable {
  case double([Double])
  case int64([Int64])
  case string([String])
  case uint8([UInt8])
  case bool([Bool])

  /// The column's type.
  public var kind: HDF5ColumnKind {
    switch self {
    case .double: .double
    case .int64: .int64
    case .string: .string
    case .uint8: .uint8
    case .bool: .bool
    }
  }

  /// The number of values.
  public var count: Int {
    switch self {
    case .double(let v): v.count
    case .int64(let v): v.count
    case .string(let v): v.count
    case .uint8(let v): v.count
    case .bool(let v): v.count
    }
  }

  /// The values if the column is `.double`.
  public var doubles: [Double]? { if case .double(let v) = self { v } else { nil } }
  /// The values if the column is `.int64`.
  public var int64s: [Int64]? { if case .int64(let v) = self { v } else { nil } }
  /// The values if the column is `.string`.
  public var strings: [String]? { if case .string(let v) = self { v } else { nil } }
  /// The values if the column is `.uint8`.
  public var uint8s: [UInt8]? { if case .uint8(let v) = self { v } else { nil } }
  /// The values if the column is `.bool`.
  public var bools: [Bool]? { if case .bool(let v) = self { v } else { nil } }
}

/// One named column of a table.
public struct HDF5Column: Sendable, Equatable {
  /// The field name (h5py: `ds.dtype.names`).
  public var name: String
  /// The values.
  public var data: HDF5ColumnData

  /// Creates a column.
  public init(_ name: String, _ data: HDF5ColumnData) {
    self.name = name
    self.data = data
  }
}

/// A column's name and type, as stored.
public struct HDF5ColumnDescriptor: Sendable, Equatable {
  /// The field name.
  public var name: String
  /// The field type.
  public var kind: HDF5ColumnKind

  /// Creates a descriptor.
  public init(_ name: String, _ kind: HDF5ColumnKind) {
    self.name = name
    self.kind = kind
  }
}

/// Columns read from a compound dataset, in field order.
public struct HDF5Table: Sendable, Equatable {
  /// The columns, in the order of the compound's fields.
  public var columns: [HDF5Column]

  /// Creates a table. - Precondition: every column has the same count.
  public init(columns: [HDF5Column]) {
    precondition(Set(columns.map(\.data.count)).count <= 1, "columns of different lengths")
    self.columns = columns
  }

  /// The number of rows (0 for a table without columns).
  public var rowCount: Int { columns.first?.data.count ?? 0 }
  /// The column names in field order.
  public var columnNames: [String] { columns.map(\.name) }
  /// The column called `name`, if any.
  public subscript(name: String) -> HDF5ColumnData? { columns.first { $0.name == name }?.data }
}

// MARK: - Record layout

/// The in-memory record of a table: each field at its natural alignment, in column order.
struct H5RecordLayout {
  let columns: [HDF5ColumnDescriptor]
  let offsets: [Int]
  let stride: Int

  init(_ columns: [HDF5ColumnDescriptor]) {
    var offset = 0, maxAlign = 1
    var offsets: [Int] = []
    for c in columns {
      let a = c.kind.memorySize
      offset = (offset + a - 1) / a * a
      offsets.append(offset)
      offset += a
      maxAlign = max(maxAlign, a)
    }
    self.columns = columns
    self.offsets = offsets
    self.stride = max(1, (offset + maxAlign - 1) / maxAlign * maxAlign)
  }

  /// The memory compound type (member types native). Lock held.
  func memoryType(_ at: H5Where) throws(HDF5Error) -> H5Handle {
    let t = try H5Handle(H5Tcreate(H5T_COMPOUND, stride), .datatype, at, "create record type")
    for (c, offset) in zip(columns, offsets) {
      let member = try h5ColumnType(c.kind, at)
      try h5Check(H5Tinsert(t.id, c.name, offset, member.id), at, "create record type")
    }
    return t
  }

  /// The file compound type: the same fields packed without padding, little-endian. Lock held.
  func fileType(_ at: H5Where) throws(HDF5Error) -> H5Handle {
    var size = 0
    for c in columns {
      let member = try h5ColumnType(c.kind, at, file: true)  // bound: a temporary would close before use
      size += H5Tget_size(member.id)
    }
    let t = try H5Handle(H5Tcreate(H5T_COMPOUND, max(size, 1)), .datatype, at, "create record type")
    var offset = 0
    for c in columns {
      let member = try h5ColumnType(c.kind, at, file: true)
      try h5Check(H5Tinsert(t.id, c.name, offset, member.id), at, "create record type")
      offset += H5Tget_size(member.id)
    }
    return t
  }
}

/// The datatype of one column (a new identifier the caller owns). Lock held.
func h5ColumnType(_ kind: HDF5ColumnKind, _ at: H5Where, file: Bool = false) throws(HDF5Error) -> H5Handle {
  let base: hid_t
  switch kind {
  case .string: return try h5VariableStringType(at)
  case .bool:
    let t = try H5Handle(H5Tenum_create(chdf5_native_int8()), .datatype, at, "create bool type")
    var no: Int8 = 0, yes: Int8 = 1
    try h5Check(H5Tenum_insert(t.id, "FALSE", &no), at, "create bool type")
    try h5Check(H5Tenum_insert(t.id, "TRUE", &yes), at, "create bool type")
    return t
  case .double: base = file ? chdf5_ieee_f64le() : chdf5_native_double()
  case .int64: base = file ? chdf5_std_i64le() : chdf5_native_int64()
  case .uint8: base = file ? chdf5_std_u8le() : chdf5_native_uint8()
  }
  return try H5Handle(H5Tcopy(base), .datatype, at, "create column type")
}

/// Packs columns into records, calls `body` with the buffer, then frees it (and the string
/// copies) on every path. Lock held.
func h5WithRecords<R>(
  _ columns: [HDF5Column], _ layout: H5RecordLayout, _ at: H5Where, _ operation: String,
  _ body: (UnsafeRawPointer) throws(HDF5Error) -> R
) throws(HDF5Error) -> R {
  let rows = columns.first?.data.count ?? 0
  let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(1, rows * layout.stride), alignment: 8)
  buffer.initializeMemory(as: UInt8.self, repeating: 0, count: max(1, rows * layout.stride))
  var strings: [UnsafeMutablePointer<CChar>?] = []
  defer {
    strings.forEach { free($0) }
    buffer.deallocate()
  }
  for (column, offset) in zip(columns, layout.offsets) {
    let s = layout.stride
    switch column.data {
    case .double(let v): for (i, x) in v.enumerated() { buffer.storeBytes(of: x, toByteOffset: i * s + offset, as: Double.self) }
    case .int64(let v): for (i, x) in v.enumerated() { buffer.storeBytes(of: x, toByteOffset: i * s + offset, as: Int64.self) }
    case .uint8(let v): for (i, x) in v.enumerated() { buffer.storeBytes(of: x, toByteOffset: i * s + offset, as: UInt8.self) }
    case .bool(let v):
      for (i, x) in v.enumerated() { buffer.storeBytes(of: x ? 1 : 0, toByteOffset: i * s + offset, as: Int8.self) }
    case .string(let v):
      let copies = try h5DuplicateCStrings(v, at.at((at.object ?? "") + "." + column.name), operation)
      strings += copies
      for (i, p) in copies.enumerated() {
        buffer.storeBytes(of: p, toByteOffset: i * s + offset, as: UnsafeMutablePointer<CChar>?.self)
      }
    }
  }
  return try body(UnsafeRawPointer(buffer))
}

/// Checks columns for a write: at least one, unique non-empty names, equal lengths.
func h5ValidateColumns(_ columns: [HDF5Column], _ at: H5Where, _ operation: String) throws(HDF5Error) {
  guard !columns.isEmpty else { throw at.error(.invalidArgument, operation, "a table needs at least one column") }
  var seen = Set<String>()
  for c in columns {
    if c.name.isEmpty || c.name.utf8.contains(0) {
      throw at.error(.invalidArgument, operation, "column names must be non-empty and without NUL")
    }
    if !seen.insert(c.name).inserted { throw at.error(.invalidArgument, operation, "duplicate column \"\(c.name)\"") }
  }
  let rows = columns[0].data.count
  if let bad = columns.first(where: { $0.data.count != rows }) {
    throw at.error(
      .shapeMismatch, operation,
      "column \"\(bad.name)\" has \(bad.data.count) values, \"\(columns[0].name)\" has \(rows)")
  }
}

// MARK: - Creating and reading tables

extension HDF5Group {
  /// Creates a 1-D compound dataset with one field per column, in the given order (h5py reads a
  /// structured array: `ds["name"]`, `ds.dtype.names`). On disk the fields are packed without
  /// padding.
  ///
  /// - Throws: ``HDF5Error/Kind/shapeMismatch`` for columns of different lengths,
  ///   ``HDF5Error/Kind/invalidArgument`` for no columns or empty/duplicate names,
  ///   ``HDF5Error/Kind/objectExists`` if something is at `path`.
  @discardableResult
  public func createTable(
    _ path: String, columns: [HDF5Column], options: HDF5DatasetOptions = HDF5DatasetOptions()
  ) throws(HDF5Error) -> HDF5Dataset {
    let full = h5Join(self.path, path)
    let at = location.at(full)
    let operation = "create table"
    try h5ValidateColumns(columns, at, operation)
    return try withHDF5 { () throws(HDF5Error) -> HDF5Dataset in
      let layout = H5RecordLayout(columns.map { HDF5ColumnDescriptor($0.name, $0.data.kind) })
      let fileType = try layout.fileType(at)
      let memType = try layout.memoryType(at)
      let rows = columns[0].data.count
      let ds = try h5CreateDataset1D(full, fileType.id, count: rows, options, at)
      if rows > 0 {
        try h5WithRecords(columns, layout, at, operation) { (buffer) throws(HDF5Error) in
          try h5Check(H5Dwrite(ds.id, memType.id, H5S_ALL, H5S_ALL, h5Default, buffer), at, "write table")
        }
      }
      return HDF5Dataset(owner: owner, handle: ds, path: full)
    }
  }
}

extension HDF5Dataset {
  /// The fields of a compound dataset, in order.
  ///
  /// - Throws: ``HDF5Error/Kind/typeMismatch`` if the dataset is not compound or a field has
  ///   a type other than the ``HDF5ColumnKind`` ones.
  public func tableColumns() throws(HDF5Error) -> [HDF5ColumnDescriptor] {
    let at = location
    return try withHDF5 { () throws(HDF5Error) -> [HDF5ColumnDescriptor] in try h5TableColumns(at) }
  }

  /// Reads a compound dataset as columns: all of them, or only `names` (in that order; HDF5
  /// converts just those fields).
  ///
  /// - Throws: ``HDF5Error/Kind/objectNotFound`` naming `dataset.column` for an unknown column,
  ///   ``HDF5Error/Kind/typeMismatch`` as ``tableColumns()``.
  public func readTable(columns names: [String]? = nil) throws(HDF5Error) -> HDF5Table {
    let at = location
    let operation = "read table"
    return try withHDF5 { () throws(HDF5Error) -> HDF5Table in
      let stored = try h5TableColumns(at)
      var selected: [HDF5ColumnDescriptor] = stored
      if let names {
        selected = []
        for name in names {
          guard let c = stored.first(where: { $0.name == name }) else {
            throw at.at(path + "." + name).error(
              .objectNotFound, operation,
              "no column \"\(name)\" (columns: \(stored.map(\.name).joined(separator: ", ")))")
          }
          selected.append(c)
        }
      }
      let rows = Int(try h5Shape(at).reduce(1, *))
      if rows == 0 || selected.isEmpty {
        return HDF5Table(columns: selected.map { HDF5Column($0.name, h5EmptyColumn($0.kind)) })
      }
      let layout = H5RecordLayout(selected)
      let memType = try layout.memoryType(at)
      let space = try H5Handle(H5Dget_space(handle.id), .dataspace, at, operation)
      let byteCount = rows * layout.stride
      let buffer = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 8)
      buffer.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
      defer { buffer.deallocate() }
      try h5Check(H5Dread(handle.id, memType.id, H5S_ALL, H5S_ALL, h5Default, buffer), at, operation)
      defer {
        if selected.contains(where: { $0.kind == .string }) {
          _ = H5Dvlen_reclaim(memType.id, space.id, h5Default, buffer)
        }
      }
      let s = layout.stride
      let columns = zip(selected, layout.offsets).map { (c, o) -> HDF5Column in
        let data: HDF5ColumnData
        switch c.kind {
        case .double: data = .double((0..<rows).map { buffer.loadUnaligned(fromByteOffset: $0 * s + o, as: Double.self) })
        case .int64: data = .int64((0..<rows).map { buffer.loadUnaligned(fromByteOffset: $0 * s + o, as: Int64.self) })
        case .uint8: data = .uint8((0..<rows).map { buffer.load(fromByteOffset: $0 * s + o, as: UInt8.self) })
        case .bool: data = .bool((0..<rows).map { buffer.load(fromByteOffset: $0 * s + o, as: Int8.self) != 0 })
        case .string:
          data = .string(
            (0..<rows).map {
              buffer.load(fromByteOffset: $0 * s + o, as: UnsafeMutablePointer<CChar>?.self).map { String(cString: $0) }
                ?? ""
            })
        }
        return HDF5Column(c.name, data)
      }
      return HDF5Table(columns: columns)
    }
  }

  /// Reads one column of a compound dataset.
  public func readTableColumn(_ name: String) throws(HDF5Error) -> HDF5ColumnData {
    let table = try readTable(columns: [name])
    return table.columns[0].data
  }

  /// Appends rows to a table created with `options.resizable`: the columns must be exactly the
  /// table's (same names, kinds and order) and of equal length.
  ///
  /// - Throws: ``HDF5Error/Kind/typeMismatch`` for other columns,
  ///   ``HDF5Error/Kind/shapeMismatch`` for unequal lengths or a fixed-size table.
  public func appendRows(_ columns: [HDF5Column]) throws(HDF5Error) {
    let at = location
    let operation = "append to table"
    try h5ValidateColumns(columns, at, operation)
    try withHDF5 { () throws(HDF5Error) in
      let stored = try h5TableColumns(at)
      let given = columns.map { HDF5ColumnDescriptor($0.name, $0.data.kind) }
      guard stored == given else {
        throw at.error(
          .typeMismatch, operation,
          "columns \(given.map { "\($0.name):\($0.kind)" }) differ from the table's \(stored.map { "\($0.name):\($0.kind)" })")
      }
      let layout = H5RecordLayout(given)
      let memType = try layout.memoryType(at)
      try h5WithRecords(columns, layout, at, operation) { (buffer) throws(HDF5Error) in
        try h5Append(memoryType: memType.id, buffer, count: columns[0].data.count, at)
      }
    }
  }

  func h5TableColumns(_ at: H5Where) throws(HDF5Error) -> [HDF5ColumnDescriptor] {
    let operation = "read table layout"
    let type = try H5Handle(H5Dget_type(handle.id), .datatype, at, operation)
    guard H5Tget_class(type.id) == H5T_COMPOUND else {
      throw at.error(.typeMismatch, operation, "the dataset holds \(h5ElementType(type.id)), not a compound table")
    }
    let n = H5Tget_nmembers(type.id)
    if n < 0 { throw at.libraryError(operation) }
    var result: [HDF5ColumnDescriptor] = []
    for i in 0..<UInt32(n) {
      guard let cName = H5Tget_member_name(type.id, i) else { throw at.libraryError(operation) }
      let name = String(cString: cName)
      H5free_memory(cName)
      let member = try H5Handle(H5Tget_member_type(type.id, i), .datatype, at, operation)
      let size = H5Tget_size(member.id)
      let kind: HDF5ColumnKind
      switch H5Tget_class(member.id) {
      case H5T_FLOAT: kind = .double
      case H5T_INTEGER: kind = size == 1 && H5Tget_sign(member.id) == H5T_SGN_NONE ? .uint8 : .int64
      case H5T_STRING: kind = .string
      case H5T_ENUM where size == 1 && H5Tget_nmembers(member.id) == 2: kind = .bool
      default:
        throw at.at(path + "." + name).error(.typeMismatch, operation, "column \"\(name)\" has an unsupported type")
      }
      result.append(HDF5ColumnDescriptor(name, kind))
    }
    return result
  }
}

func h5EmptyColumn(_ kind: HDF5ColumnKind) -> HDF5ColumnData {
  switch kind {
  case .double: .double([])
  case .int64: .int64([])
  case .string: .string([])
  case .uint8: .uint8([])
  case .bool: .bool([])
  }
}
