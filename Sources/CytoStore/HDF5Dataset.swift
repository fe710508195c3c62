internal import CHDF5
import CytoCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

// MARK: - Element types and options

/// The numeric element types the layer writes: stored little-endian as `H5T_IEEE_F32LE`,
/// `H5T_IEEE_F64LE`, `H5T_STD_I64LE` and `H5T_STD_U8LE`.
public enum HDF5NumericType: Sendable, Equatable {
  case float32, float64, int64, uint8

  var memoryType: hid_t {
    switch self {
    case .float32: chdf5_native_float()
    case .float64: chdf5_native_double()
    case .int64: chdf5_native_int64()
    case .uint8: chdf5_native_uint8()
    }
  }

  var fileType: hid_t {
    switch self {
    case .float32: chdf5_ieee_f32le()
    case .float64: chdf5_ieee_f64le()
    case .int64: chdf5_std_i64le()
    case .uint8: chdf5_std_u8le()
    }
  }

  var elementType: HDF5ElementType {
    switch self {
    case .float32: .float32
    case .float64: .float64
    case .int64: .int64
    case .uint8: .uint8
    }
  }
}

/// A Swift type that can be stored as a dataset element: `Float`, `Double`, `Int64`, `UInt8`.
public protocol HDF5Numeric: BitwiseCopyable, Sendable {
  /// How values of this type are stored.
  static var hdf5Type: HDF5NumericType { get }
}

extension Float: HDF5Numeric { public static var hdf5Type: HDF5NumericType { .float32 } }
extension Double: HDF5Numeric { public static var hdf5Type: HDF5NumericType { .float64 } }
extension Int64: HDF5Numeric { public static var hdf5Type: HDF5NumericType { .int64 } }
extension UInt8: HDF5Numeric { public static var hdf5Type: HDF5NumericType { .uint8 } }

/// What a dataset's elements are, as far as this layer is concerned.
public enum HDF5ElementType: Sendable, Equatable, CustomStringConvertible {
  case float32, float64, int64, uint8, string, compound
  /// Any other type, described (`signed integer, 4 bytes`).
  case other(String)

  public var description: String {
    switch self {
    case .float32: "float32"
    case .float64: "float64"
    case .int64: "int64"
    case .uint8: "uint8"
    case .string: "string"
    case .compound: "compound"
    case .other(let s): s
    }
  }
}

/// The filter pipeline of a chunked dataset.
public enum HDF5Compression: Sendable, Equatable {
  /// No filters.
  case none
  /// zlib deflate at `level` (0–9), after the byte-shuffle filter when `shuffle` is true (which
  /// groups the bytes of each significance together and compresses floats far better).
  case deflate(level: Int, shuffle: Bool = true)
}

/// How a 1-D dataset or table is laid out.
public struct HDF5DatasetOptions: Sendable, Equatable {
  /// Elements (rows) per chunk; nil picks one (the element count, clamped to 256…65,536 for
  /// resizable datasets and to 1…65,536 otherwise). Chunking is used only when compression,
  /// `resizable` or an explicit chunk size asks for it.
  public var chunkSize: Int?
  /// Filters applied to each chunk.
  public var compression: HDF5Compression
  /// Whether the dataset can grow with `append` (maximum size unlimited).
  public var resizable: Bool

  /// Creates options; the defaults give a contiguous, uncompressed, fixed-size dataset.
  public init(chunkSize: Int? = nil, compression: HDF5Compression = .none, resizable: Bool = false) {
    self.chunkSize = chunkSize
    self.compression = compression
    self.resizable = resizable
  }
}

/// A 2-D `float32` matrix as read from an event dataset: column-major, channel by channel.
public struct HDF5FloatMatrix: Sendable, Equatable {
  /// Number of channels (the dataset's first dimension).
  public var channels: Int
  /// Number of events (the dataset's second dimension).
  public var events: Int
  /// `channels × events` values; channel `c` at `c * events ..< (c + 1) * events`.
  public var columnMajor: [Float]

  /// Creates a matrix. - Precondition: `columnMajor.count == channels * events`.
  public init(channels: Int, events: Int, columnMajor: [Float]) {
    precondition(columnMajor.count == channels * events, "value count does not match the shape")
    self.channels = channels
    self.events = events
    self.columnMajor = columnMajor
  }
}

// MARK: - Creating datasets

extension HDF5Group {
  /// Creates a 1-D dataset holding `values` (intermediate groups are created).
  ///
  /// - Throws: ``HDF5Error/Kind/objectExists`` if something is at `path`,
  ///   ``HDF5Error/Kind/invalidArgument`` for a bad chunk size or deflate level.
  @discardableResult
  public func createDataset<T: HDF5Numeric>(
    _ path: String, values: [T], options: HDF5DatasetOptions = HDF5DatasetOptions()
  ) throws(HDF5Error) -> HDF5Dataset {
    let full = h5Join(self.path, path)
    let at = location.at(full)
    return try withHDF5 { () throws(HDF5Error) -> HDF5Dataset in
      let ds = try h5CreateDataset1D(full, T.hdf5Type.fileType, count: values.count, options, at)
      if !values.isEmpty {
        try h5Check(
          values.withUnsafeBytes {
            H5Dwrite(ds.id, T.hdf5Type.memoryType, H5S_ALL, H5S_ALL, h5Default, $0.baseAddress)
          }, at, "write dataset")
      }
      return HDF5Dataset(owner: owner, handle: ds, path: full)
    }
  }

  /// Creates a 1-D dataset of variable-length UTF-8 strings (h5py reads `str` objects).
  ///
  /// - Throws: as ``createDataset(_:values:options:)``, and ``HDF5Error/Kind/invalidArgument``
  ///   for a string containing NUL.
  @discardableResult
  public func createDataset(
    _ path: String, strings: [String], options: HDF5DatasetOptions = HDF5DatasetOptions()
  ) throws(HDF5Error) -> HDF5Dataset {
    let full = h5Join(self.path, path)
    let at = location.at(full)
    return try withHDF5 { () throws(HDF5Error) -> HDF5Dataset in
      let pointers = try h5DuplicateCStrings(strings, at, "write dataset")
      defer { pointers.forEach { free($0) } }
      let type = try h5VariableStringType(at)
      let ds = try h5CreateDataset1D(full, type.id, count: strings.count, options, at)
      if !strings.isEmpty {
        try h5Check(
          pointers.withUnsafeBytes { H5Dwrite(ds.id, type.id, H5S_ALL, H5S_ALL, h5Default, $0.baseAddress) },
          at, "write dataset")
      }
      return HDF5Dataset(owner: owner, handle: ds, path: full)
    }
  }

  /// Creates a 2-D `float32` event matrix from column-major values.
  ///
  /// Layout: shape `[channels, events]` (h5py: `ds[c]` is channel `c`), so each channel — one
  /// column of an ``EventMatrix`` — is one contiguous HDF5 row and the whole column-major buffer
  /// is written in one call. Chunks are `[1, min(events, chunkEvents)]`: one channel, a run of
  /// events, so reading one channel touches only that channel's chunks, and shuffle works on
  /// values of one distribution. An empty matrix is stored contiguous (HDF5 cannot chunk a zero
  /// extent).
  ///
  /// - Parameters:
  ///   - compression: the filters; the default shuffle + deflate level 1 is the measured best
  ///     trade-off (docs/hdf5-layer.md).
  ///   - chunkEvents: events per chunk (default 65,536: 256 KiB per chunk).
  /// - Throws: ``HDF5Error/Kind/shapeMismatch`` if `columnMajor.count != channels * events`.
  @discardableResult
  public func createFloatMatrix(
    _ path: String, columnMajor: [Float], channels: Int, events: Int,
    compression: HDF5Compression = .deflate(level: 1), chunkEvents: Int = 65_536
  ) throws(HDF5Error) -> HDF5Dataset {
    let full = h5Join(self.path, path)
    let at = location.at(full)
    let operation = "create matrix"
    guard channels >= 0, events >= 0, columnMajor.count == channels * events else {
      throw at.error(
        .shapeMismatch, operation, "\(columnMajor.count) values for \(channels) channels × \(events) events")
    }
    guard chunkEvents > 0 else { throw at.error(.invalidArgument, operation, "chunkEvents must be positive") }
    return try withHDF5 { () throws(HDF5Error) -> HDF5Dataset in
      let empty = channels == 0 || events == 0
      let ds = try h5CreateDataset(
        full, chdf5_ieee_f32le(), dims: [channels, events],
        chunk: empty ? nil : [1, min(events, chunkEvents)], resizable: false,
        compression: empty ? .none : compression, at)
      if !empty {
        try h5Check(
          columnMajor.withUnsafeBytes {
            H5Dwrite(ds.id, chdf5_native_float(), H5S_ALL, H5S_ALL, h5Default, $0.baseAddress)
          }, at, "write matrix")
      }
      return HDF5Dataset(owner: owner, handle: ds, path: full)
    }
  }

  /// Creates a 2-D `float32` event matrix from an ``EventMatrix`` (see
  /// ``createFloatMatrix(_:columnMajor:channels:events:compression:chunkEvents:)``).
  @discardableResult
  public func createFloatMatrix(
    _ path: String, _ matrix: EventMatrix<Float>,
    compression: HDF5Compression = .deflate(level: 1), chunkEvents: Int = 65_536
  ) throws(HDF5Error) -> HDF5Dataset {
    try createFloatMatrix(
      path, columnMajor: matrix.storage, channels: matrix.channelCount, events: matrix.eventCount,
      compression: compression, chunkEvents: chunkEvents)
  }

  /// Creates a 1-D dataset with `count` elements of `fileType` per `options`. Lock held.
  func h5CreateDataset1D(
    _ full: String, _ fileType: hid_t, count: Int, _ options: HDF5DatasetOptions, _ at: H5Where
  ) throws(HDF5Error) -> H5Handle {
    if let c = options.chunkSize, c <= 0 {
      throw at.error(.invalidArgument, "create dataset", "chunk size must be positive, not \(c)")
    }
    let chunked = options.resizable || options.compression != .none || options.chunkSize != nil
    var chunk: [Int]? = nil
    if chunked && (count > 0 || options.resizable) {
      let size = options.chunkSize ?? min(max(count, options.resizable ? 256 : 1), 65_536)
      chunk = [options.resizable ? size : min(size, count)]
    }
    return try h5CreateDataset(
      full, fileType, dims: [count], chunk: chunk, resizable: options.resizable,
      compression: chunk == nil ? .none : options.compression, at)
  }

  /// Creates a dataset (after checking the path is free and the file writable). Lock held.
  func h5CreateDataset(
    _ full: String, _ fileType: hid_t, dims: [Int], chunk: [Int]?, resizable: Bool,
    compression: HDF5Compression, _ at: H5Where
  ) throws(HDF5Error) -> H5Handle {
    let operation = "create dataset"
    try owner.requireWritable(at, operation)
    if case .deflate(let level, _) = compression, !(0...9).contains(level) {
      throw at.error(.invalidArgument, operation, "deflate level must be 0…9, not \(level)")
    }
    if h5ObjectExists(handle.id, full) {
      throw at.error(.objectExists, operation, "an object already exists at this path")
    }
    var hdims = dims.map { hsize_t($0) }
    var maxdims = hdims
    if resizable { maxdims[0] = CHDF5_UNLIMITED }
    let space = try H5Handle(
      H5Screate_simple(Int32(dims.count), &hdims, &maxdims), .dataspace, at, "create dataspace")
    let dcpl = try H5Handle(H5Pcreate(chdf5_p_dataset_create()), .propertyList, at, operation)
    if var chunkDims = chunk?.map({ hsize_t($0) }) {
      try h5Check(H5Pset_chunk(dcpl.id, Int32(chunkDims.count), &chunkDims), at, "set chunk shape")
      if case .deflate(let level, let shuffle) = compression {
        if shuffle { try h5Check(H5Pset_shuffle(dcpl.id), at, "set shuffle filter") }
        try h5Check(H5Pset_deflate(dcpl.id, UInt32(level)), at, "set deflate filter")
      }
    }
    let lcpl = try h5LinkCreationList(at)
    return try H5Handle(
      H5Dcreate2(handle.id, full, fileType, space.id, lcpl.id, dcpl.id, h5Default), .dataset, at, operation)
  }
}

// MARK: - Datasets

/// A dataset: an n-dimensional array of one element type, with attributes.
public final class HDF5Dataset: HDF5Object, @unchecked Sendable {
  /// The current extent, slowest-varying dimension first (`[n]` for 1-D data, `[channels,
  /// events]` for event matrices).
  public func shape() throws(HDF5Error) -> [Int] {
    let at = location
    return try withHDF5 { () throws(HDF5Error) -> [Int] in try h5Shape(at).map { Int($0) } }
  }

  /// The stored element type.
  public func elementType() throws(HDF5Error) -> HDF5ElementType {
    let at = location
    return try withHDF5 { () throws(HDF5Error) -> HDF5ElementType in
      let type = try H5Handle(H5Dget_type(handle.id), .datatype, at, "read dataset type")
      return h5ElementType(type.id)
    }
  }

  /// Whether the dataset can grow (its first dimension's maximum is unlimited).
  public func isResizable() throws(HDF5Error) -> Bool {
    let at = location
    return try withHDF5 { () throws(HDF5Error) -> Bool in
      let space = try H5Handle(H5Dget_space(handle.id), .dataspace, at, "read dataset shape")
      let rank = Int(H5Sget_simple_extent_ndims(space.id))
      guard rank > 0 else { return false }
      var dims = [hsize_t](repeating: 0, count: rank), maxdims = dims
      try h5Check(H5Sget_simple_extent_dims(space.id, &dims, &maxdims) < 0 ? -1 : 0, at, "read dataset shape")
      return maxdims[0] == CHDF5_UNLIMITED
    }
  }

  /// The filters of the dataset (``HDF5Compression/none`` for contiguous storage).
  public func compression() throws(HDF5Error) -> HDF5Compression {
    let at = location
    return try withHDF5 { () throws(HDF5Error) -> HDF5Compression in
      let dcpl = try H5Handle(H5Dget_create_plist(handle.id), .propertyList, at, "read dataset filters")
      let n = H5Pget_nfilters(dcpl.id)
      if n < 0 { throw at.libraryError("read dataset filters") }
      var shuffle = false
      var level: Int? = nil
      for i in 0..<UInt32(n) {
        var flags: UInt32 = 0, nelmts = 8, config: UInt32 = 0
        var values = [UInt32](repeating: 0, count: 8)
        var name = [CChar](repeating: 0, count: 64)
        let filter = H5Pget_filter2(dcpl.id, i, &flags, &nelmts, &values, 64, &name, &config)
        if filter == H5Z_FILTER_SHUFFLE { shuffle = true }
        if filter == H5Z_FILTER_DEFLATE { level = nelmts > 0 ? Int(values[0]) : 0 }
      }
      return level.map { .deflate(level: $0, shuffle: shuffle) } ?? .none
    }
  }

  /// Reads every element (row-major for more than one dimension).
  ///
  /// - Throws: ``HDF5Error/Kind/typeMismatch`` unless the stored type is exactly `T`'s.
  public func read<T: HDF5Numeric>(_ type: T.Type = T.self) throws(HDF5Error) -> [T] {
    let at = location
    return try withHDF5 { () throws(HDF5Error) -> [T] in
      try h5RequireType(T.hdf5Type.elementType, at, "read dataset")
      let count = try h5Shape(at).reduce(1) { $0 * Int($1) }
      if count == 0 { return [] }
      var status: herr_t = 0
      let values = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
        status = H5Dread(handle.id, T.hdf5Type.memoryType, H5S_ALL, H5S_ALL, h5Default, buffer.baseAddress)
        initialized = status < 0 ? 0 : count
      }
      try h5Check(status, at, "read dataset")
      return values
    }
  }

  /// Reads every element of a string dataset (variable- or fixed-length).
  ///
  /// - Throws: ``HDF5Error/Kind/typeMismatch`` for a non-string dataset.
  public func readStrings() throws(HDF5Error) -> [String] {
    let at = location
    return try withHDF5 { () throws(HDF5Error) -> [String] in
      try h5RequireType(.string, at, "read dataset")
      let type = try H5Handle(H5Dget_type(handle.id), .datatype, at, "read dataset")
      let space = try H5Handle(H5Dget_space(handle.id), .dataspace, at, "read dataset")
      let count = Int(H5Sget_simple_extent_npoints(space.id))
      let id = handle.id
      return try h5ReadStrings(type: type.id, space: space.id, count: count, at, "read dataset") {
        H5Dread(id, $0, H5S_ALL, H5S_ALL, h5Default, $1)
      }
    }
  }

  /// Appends `values` to a resizable 1-D dataset.
  ///
  /// - Throws: ``HDF5Error/Kind/typeMismatch`` for another element type,
  ///   ``HDF5Error/Kind/shapeMismatch`` if the dataset was not created resizable.
  public func append<T: HDF5Numeric>(_ values: [T]) throws(HDF5Error) {
    let at = location
    try withHDF5 { () throws(HDF5Error) in
      try h5RequireType(T.hdf5Type.elementType, at, "append to dataset")
      let result = values.withUnsafeBytes { raw in
        Result { () throws(HDF5Error) in
          try h5Append(memoryType: T.hdf5Type.memoryType, raw.baseAddress, count: values.count, at)
        }
      }
      try result.get()
    }
  }

  /// Appends strings to a resizable 1-D string dataset.
  public func append(strings: [String]) throws(HDF5Error) {
    let at = location
    try withHDF5 { () throws(HDF5Error) in
      try h5RequireType(.string, at, "append to dataset")
      let pointers = try h5DuplicateCStrings(strings, at, "append to dataset")
      defer { pointers.forEach { free($0) } }
      let type = try h5VariableStringType(at)
      let result = pointers.withUnsafeBytes { raw in
        Result { () throws(HDF5Error) in
          try h5Append(memoryType: type.id, raw.baseAddress, count: strings.count, at)
        }
      }
      try result.get()
    }
  }

  /// Reads a whole 2-D `float32` event matrix (see
  /// ``HDF5Group/createFloatMatrix(_:columnMajor:channels:events:compression:chunkEvents:)``).
  ///
  /// - Throws: ``HDF5Error/Kind/typeMismatch`` unless the dataset is 2-D `float32`.
  public func readFloatMatrix() throws(HDF5Error) -> HDF5FloatMatrix {
    let at = location
    return try withHDF5 { () throws(HDF5Error) -> HDF5FloatMatrix in
      let (channels, events) = try h5MatrixShape(at, "read matrix")
      var status: herr_t = 0
      let values = [Float](unsafeUninitializedCapacity: channels * events) { buffer, n in
        if channels * events > 0 {
          status = H5Dread(handle.id, chdf5_native_float(), H5S_ALL, H5S_ALL, h5Default, buffer.baseAddress)
        }
        n = status < 0 ? 0 : channels * events
      }
      try h5Check(status, at, "read matrix")
      return HDF5FloatMatrix(channels: channels, events: events, columnMajor: values)
    }
  }

  /// Reads a whole event matrix as an ``EventMatrix``.
  public func readEventMatrix() throws(HDF5Error) -> EventMatrix<Float> {
    let m = try readFloatMatrix()
    return EventMatrix(eventCount: m.events, channelCount: m.channels, columnMajor: m.columnMajor)
  }

  /// Reads one channel (one row of the `[channels, events]` dataset) of an event matrix.
  ///
  /// - Throws: ``HDF5Error/Kind/invalidArgument`` for a channel out of range.
  public func readChannel(_ channel: Int) throws(HDF5Error) -> [Float] {
    let at = location
    return try withHDF5 { () throws(HDF5Error) -> [Float] in
      let (channels, events) = try h5MatrixShape(at, "read channel")
      guard (0..<channels).contains(channel) else {
        throw at.error(.invalidArgument, "read channel", "channel \(channel) out of range 0..<\(channels)")
      }
      if events == 0 { return [] }
      let fileSpace = try H5Handle(H5Dget_space(handle.id), .dataspace, at, "read channel")
      var start: [hsize_t] = [hsize_t(channel), 0], count: [hsize_t] = [1, hsize_t(events)]
      try h5Check(
        H5Sselect_hyperslab(fileSpace.id, H5S_SELECT_SET, &start, nil, &count, nil), at, "select channel")
      var memDims = [hsize_t(events)]
      let memSpace = try H5Handle(H5Screate_simple(1, &memDims, nil), .dataspace, at, "read channel")
      var status: herr_t = 0
      let values = [Float](unsafeUninitializedCapacity: events) { buffer, n in
        status = H5Dread(handle.id, chdf5_native_float(), memSpace.id, fileSpace.id, h5Default, buffer.baseAddress)
        n = status < 0 ? 0 : events
      }
      try h5Check(status, at, "read channel")
      return values
    }
  }

  // MARK: Internals (lock held)

  func h5Shape(_ at: H5Where) throws(HDF5Error) -> [hsize_t] {
    let space = try H5Handle(H5Dget_space(handle.id), .dataspace, at, "read dataset shape")
    let rank = Int(H5Sget_simple_extent_ndims(space.id))
    if rank < 0 { throw at.libraryError("read dataset shape") }
    var dims = [hsize_t](repeating: 0, count: rank)
    if rank > 0, H5Sget_simple_extent_dims(space.id, &dims, nil) < 0 { throw at.libraryError("read dataset shape") }
    return dims
  }

  func h5RequireType(_ wanted: HDF5ElementType, _ at: H5Where, _ operation: String) throws(HDF5Error) {
    let type = try H5Handle(H5Dget_type(handle.id), .datatype, at, operation)
    let stored = h5ElementType(type.id)
    if stored != wanted {
      throw at.error(.typeMismatch, operation, "the dataset holds \(stored), not \(wanted)")
    }
  }

  func h5MatrixShape(_ at: H5Where, _ operation: String) throws(HDF5Error) -> (Int, Int) {
    try h5RequireType(.float32, at, operation)
    let dims = try h5Shape(at)
    guard dims.count == 2 else {
      throw at.error(.typeMismatch, operation, "the dataset has \(dims.count) dimensions, not 2")
    }
    return (Int(dims[0]), Int(dims[1]))
  }

  /// Grows a resizable 1-D dataset by `count` elements and writes them at the end.
  func h5Append(memoryType: hid_t, _ buffer: UnsafeRawPointer?, count: Int, _ at: H5Where) throws(HDF5Error) {
    let operation = "append to dataset"
    try owner.requireWritable(at, operation)
    if count == 0 { return }
    let space = try H5Handle(H5Dget_space(handle.id), .dataspace, at, operation)
    guard H5Sget_simple_extent_ndims(space.id) == 1 else {
      throw at.error(.shapeMismatch, operation, "only 1-D datasets can be appended to")
    }
    var dims: [hsize_t] = [0], maxdims: [hsize_t] = [0]
    if H5Sget_simple_extent_dims(space.id, &dims, &maxdims) < 0 { throw at.libraryError(operation) }
    guard maxdims[0] == CHDF5_UNLIMITED else {
      throw at.error(.shapeMismatch, operation, "the dataset was not created resizable")
    }
    var newSize = [dims[0] + hsize_t(count)]
    try h5Check(H5Dset_extent(handle.id, &newSize), at, operation)
    let fileSpace = try H5Handle(H5Dget_space(handle.id), .dataspace, at, operation)
    var start = [dims[0]], n = [hsize_t(count)]
    try h5Check(H5Sselect_hyperslab(fileSpace.id, H5S_SELECT_SET, &start, nil, &n, nil), at, operation)
    let memSpace = try H5Handle(H5Screate_simple(1, &n, nil), .dataspace, at, operation)
    try h5Check(H5Dwrite(handle.id, memoryType, memSpace.id, fileSpace.id, h5Default, buffer), at, operation)
  }
}

/// Classifies a datatype for ``HDF5ElementType``. Lock held.
func h5ElementType(_ type: hid_t) -> HDF5ElementType {
  let size = H5Tget_size(type)
  switch H5Tget_class(type) {
  case H5T_FLOAT:
    return size == 4 ? .float32 : size == 8 ? .float64 : .other("float, \(size) bytes")
  case H5T_INTEGER:
    let signed = H5Tget_sign(type) == H5T_SGN_2
    if signed && size == 8 { return .int64 }
    if !signed && size == 1 { return .uint8 }
    return .other("\(signed ? "signed" : "unsigned") integer, \(size) bytes")
  case H5T_STRING: return .string
  case H5T_COMPOUND: return .compound
  case H5T_ENUM: return .other("enum")
  default: return .other("HDF5 type class \(H5Tget_class(type).rawValue)")
  }
}
