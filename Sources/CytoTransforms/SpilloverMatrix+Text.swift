import CytoCore

extension SpilloverMatrix {
  /// Reads a spillover matrix from comma-separated text.
  ///
  /// Format: a header row of detector names, then one row of coefficients per fluorochrome,
  /// optionally starting with the fluorochrome's name:
  ///
  ///     ,FITC-A,PE-A            FITC-A,PE-A          FITC-A,PE-A
  ///     FITC-A,1,0.12           1,0.12               FITC-A,1,0.12
  ///     PE-A,0.02,1             0.02,1               PE-A,0.02,1
  ///
  /// Row names are recognised by an empty (or non-numeric) first header cell, or by rows
  /// one field longer than the header. Without row names the matrix must be square and the
  /// fluorochromes take the detector names; with them it may have fewer rows than columns
  /// (a spectral matrix). Fields may be double-quoted (`""` is a quote); spaces around fields
  /// are ignored; blank lines are skipped; LF, CRLF and CR line ends and a UTF-8 byte order
  /// mark are accepted. Coefficients are fractions (0.12, not 12 %).
  ///
  /// - Throws: ``MatrixTextError`` with the 1-based line and field of the first problem.
  public init(csv text: String) throws(MatrixTextError) {
    try self.init(delimited: text, delimiter: ",")
  }

  /// Reads a spillover matrix from tab-separated text; the layout is that of ``init(csv:)``.
  /// - Throws: ``MatrixTextError`` with the 1-based line and field of the first problem.
  public init(tsv text: String) throws(MatrixTextError) {
    try self.init(delimited: text, delimiter: "\t")
  }

  private init(delimited text: String, delimiter: Character) throws(MatrixTextError) {
    let lines = numberedLines(text).filter { !$0.isBlank }
    guard let headerLine = lines.first else { throw MatrixTextError(.empty, line: 1) }
    let header = try fields(of: headerLine, delimiter: delimiter)
    let rows = Array(lines.dropFirst())
    guard let firstRow = rows.first else {
      throw MatrixTextError(.rowCount(expected: max(1, header.count), found: 0), line: headerLine.number)
    }
    let first = try fields(of: firstRow, delimiter: delimiter)
    let hasRowNames: Bool
    let detectorNames: [String]
    if header.first == "" || (first.count == header.count && Double(first[0]) == nil) {
      hasRowNames = true
      detectorNames = Array(header.dropFirst())
    } else if first.count == header.count + 1 {
      hasRowNames = true
      detectorNames = header
    } else {
      hasRowNames = false
      detectorNames = header
    }
    let detectors = try Self.channelNames(detectorNames, line: headerLine.number, firstColumn: header.count - detectorNames.count + 1)
    let width = detectors.count + (hasRowNames ? 1 : 0)
    var names: [String] = []
    var values: [Double] = []
    values.reserveCapacity(rows.count * detectors.count)
    for row in rows {
      let f = try fields(of: row, delimiter: delimiter)
      guard f.count == width else {
        throw MatrixTextError(.fieldCount(expected: width, found: f.count), line: row.number)
      }
      if hasRowNames { names.append(f[0]) }
      for j in (hasRowNames ? 1 : 0)..<width {
        values.append(try coefficient(f[j], line: row.number, column: j + 1))
      }
    }
    if hasRowNames {
      let fluorochromes = try Self.channelNames(names, lines: rows.map(\.number))
      self.init(fluorochromes: fluorochromes, detectors: detectors, values: values)
    } else {
      guard rows.count == detectors.count else {
        throw MatrixTextError(.rowCount(expected: detectors.count, found: rows.count), line: rows.last?.number ?? headerLine.number)
      }
      self.init(channels: detectors, values: values)
    }
  }

  /// Validates header names (non-empty, unique).
  static func channelNames(_ raw: [String], line: Int, firstColumn: Int) throws(MatrixTextError) -> [ChannelName] {
    var seen = Set<String>()
    for (i, name) in raw.enumerated() {
      guard !name.isEmpty else { throw MatrixTextError(.emptyChannelName, line: line, column: firstColumn + i) }
      guard seen.insert(name).inserted else {
        throw MatrixTextError(.duplicateChannelName(ChannelName(name)), line: line, column: firstColumn + i)
      }
    }
    return raw.map(ChannelName.init(rawValue:))
  }

  /// Validates row names (non-empty, unique), each on its own line.
  static func channelNames(_ raw: [String], lines: [Int]) throws(MatrixTextError) -> [ChannelName] {
    var seen = Set<String>()
    for (i, name) in raw.enumerated() {
      guard !name.isEmpty else { throw MatrixTextError(.emptyChannelName, line: lines[i], column: 1) }
      guard seen.insert(name).inserted else {
        throw MatrixTextError(.duplicateChannelName(ChannelName(name)), line: lines[i], column: 1)
      }
    }
    return raw.map(ChannelName.init(rawValue:))
  }
}
