internal import CHDF5

extension HDF5Dataset {
  /// Replaces every row of a table created with `options.resizable`: the extent becomes the new
  /// row count and the rows are written in place (chunks are reused, so rewriting a table does
  /// not leave dead space in the file the way removing and re-creating it would). The columns
  /// must be exactly the table's (same names, kinds and order) and of equal length.
  ///
  /// - Throws: ``HDF5Error/Kind/typeMismatch`` for other columns,
  ///   ``HDF5Error/Kind/shapeMismatch`` for unequal lengths or a table that is not resizable.
  public func replaceRows(_ columns: [HDF5Column]) throws(HDF5Error) {
    let at = location
    let operation = "rewrite table"
    try h5ValidateColumns(columns, at, operation)
    try withHDF5 { () throws(HDF5Error) in
      try owner.requireWritable(at, operation)
      let stored = try h5TableColumns(at)
      let given = columns.map { HDF5ColumnDescriptor($0.name, $0.data.kind) }
      guard stored == given else {
        throw at.error(
          .typeMismatch, operation,
          "columns \(given.map { "\($0.name):\($0.kind)" }) differ from the table's \(stored.map { "\($0.name):\($0.kind)" })")
      }
      let space = try H5Handle(H5Dget_space(handle.id), .dataspace, at, operation)
      guard H5Sget_simple_extent_ndims(space.id) == 1 else {
        throw at.error(.shapeMismatch, operation, "only 1-D tables can be rewritten")
      }
      var dims: [hsize_t] = [0], maxdims: [hsize_t] = [0]
      if H5Sget_simple_extent_dims(space.id, &dims, &maxdims) < 0 { throw at.libraryError(operation) }
      guard maxdims[0] == CHDF5_UNLIMITED else {
        throw at.error(.shapeMismatch, operation, "the table was not created resizable")
      }
      let rows = columns[0].data.count
      var newSize = [hsize_t(rows)]
      try h5Check(H5Dset_extent(handle.id, &newSize), at, operation)
      if rows == 0 { return }
      let layout = H5RecordLayout(given)
      let memType = try layout.memoryType(at)
      try h5WithRecords(columns, layout, at, operation) { (buffer) throws(HDF5Error) in
        try h5Check(H5Dwrite(handle.id, memType.id, H5S_ALL, H5S_ALL, h5Default, buffer), at, operation)
      }
    }
  }
}
