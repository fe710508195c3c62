import CytoCore

/// A compensation matrix file as FlowJo writes it with "Save Matrix" (`.mtx`, text form).
///
/// Tab-delimited lines, ending in CR (classic Mac), LF or CRLF:
///
///     <title>                   optional: the matrix name
///     <prefix>⇥<suffix>         optional: added to compensated channel names, e.g. "<" ">" or "Comp-"
///     FITC⇥PE⇥PerCP             channel names ($PnN)
///     1.0000⇥0.1803⇥0.0404      one row per channel: its spillover into every channel
///     0.0091⇥1.0000⇥0.2595
///     0.0045⇥0.0473⇥1.0000
///
/// The rows are the fluorochromes' spectra and the columns the channels they spill into,
/// the layout of ``SpilloverMatrix``. FlowJo 5–7 also wrote an XML variant
/// (`<CompensationMatrix …>`); it is recognised and rejected with
/// ``MatrixTextError/Kind/unsupportedFormat(_:)``.
///
/// Source: FlowJo manual, "Compensation Matrix File" (v3 and v9 editions, flowjo.com).
public struct FlowJoMatrixText: Sendable, Equatable {
  /// The title line, if present.
  public var title: String?
  /// The compensated-name prefix, if the prefix/suffix line is present.
  public var prefix: String?
  /// The compensated-name suffix, if the prefix/suffix line is present.
  public var suffix: String?
  /// The spillover matrix (square; fluorochromes = detectors = the named channels).
  public var matrix: SpilloverMatrix

  /// Parses FlowJo's matrix text.
  /// - Throws: ``MatrixTextError`` with the 1-based line (and field) of the first problem.
  public init(parsing text: String) throws(MatrixTextError) {
    let lines = numberedLines(text).filter { !$0.isBlank }
    guard let firstLine = lines.first else { throw MatrixTextError(.empty, line: 1) }
    let head = firstLine.text.drop(while: \.isWhitespace)
    if head.hasPrefix("<?xml") || head.hasPrefix("<CompensationMatrix") {
      throw MatrixTextError(
        .unsupportedFormat("FlowJo XML compensation matrix; save it from FlowJo as text or CSV"),
        line: firstLine.number)
    }
    // The coefficient rows are the trailing lines whose fields are all numbers.
    var numeric = 0
    for line in lines.reversed() {
      let f = try fields(of: line, delimiter: "\t")
      guard f.allSatisfy({ Double($0) != nil }) else { break }
      numeric += 1
    }
    let namesIndex = lines.count - numeric - 1
    guard namesIndex >= 0 else {
      throw MatrixTextError(.unexpectedLine, line: lines[0].number)
    }
    let namesLine = lines[namesIndex]
    let names = try SpilloverMatrix.channelNames(try fields(of: namesLine, delimiter: "\t"), line: namesLine.number, firstColumn: 1)
    guard numeric == names.count else {
      throw MatrixTextError(.rowCount(expected: names.count, found: numeric), line: namesLine.number)
    }
    var values: [Double] = []
    values.reserveCapacity(names.count * names.count)
    for line in lines[(namesIndex + 1)...] {
      let f = try fields(of: line, delimiter: "\t")
      guard f.count == names.count else {
        throw MatrixTextError(.fieldCount(expected: names.count, found: f.count), line: line.number)
      }
      for (j, s) in f.enumerated() { values.append(try coefficient(s, line: line.number, column: j + 1)) }
    }
    switch namesIndex {
    case 0:
      break
    case 1:
      title = String(lines[0].text).trimmingSpaces
    case 2:
      title = String(lines[0].text).trimmingSpaces
      let ps = try fields(of: lines[1], delimiter: "\t")
      guard ps.count <= 2 else {
        throw MatrixTextError(.fieldCount(expected: 2, found: ps.count), line: lines[1].number)
      }
      prefix = ps.first ?? ""
      suffix = ps.count > 1 ? ps[1] : ""
    default:
      throw MatrixTextError(.unexpectedLine, line: lines[namesIndex - 3].number)
    }
    matrix = SpilloverMatrix(channels: names, values: values)
  }
}

extension SpilloverMatrix {
  /// Reads FlowJo's tab-delimited matrix file (see ``FlowJoMatrixText``), keeping only the
  /// matrix.
  /// - Throws: ``MatrixTextError`` with the 1-based line (and field) of the first problem.
  public init(flowJoMatrix text: String) throws(MatrixTextError) {
    self = try FlowJoMatrixText(parsing: text).matrix
  }
}

extension String {
  fileprivate var trimmingSpaces: String {
    var t = Substring(self)
    while let f = t.first, f.isWhitespace { t.removeFirst() }
    while let l = t.last, l.isWhitespace { t.removeLast() }
    return String(t)
  }
}
