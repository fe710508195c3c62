import CytoCore

/// A spillover matrix text (CSV, TSV or FlowJo matrix file) that could not be read.
///
/// `line` is 1-based and counts every line of the input, blank ones included; `column` is the
/// 1-based field number on that line, when one field is at fault.
public struct MatrixTextError: Error, Sendable, Hashable, CustomStringConvertible {
  /// What is wrong.
  public enum Kind: Sendable, Hashable {
    /// The text has no non-blank line.
    case empty
    /// A quoted field is not closed before the end of the line.
    case unterminatedQuote
    /// Text follows a closing quote before the next delimiter.
    case textAfterClosingQuote
    /// A row has the wrong number of fields.
    case fieldCount(expected: Int, found: Int)
    /// A coefficient is not a finite decimal number.
    case notANumber(String)
    /// A channel name is empty.
    case emptyChannelName
    /// A channel name appears twice in the header or among the row names.
    case duplicateChannelName(ChannelName)
    /// The number of coefficient rows is wrong (a matrix without row names must be square;
    /// a FlowJo matrix has one row per channel).
    case rowCount(expected: Int, found: Int)
    /// A line that fits no part of the format.
    case unexpectedLine
    /// The text is another format (for example FlowJo's XML matrix).
    case unsupportedFormat(String)
  }

  /// What is wrong.
  public var kind: Kind
  /// The 1-based line number.
  public var line: Int
  /// The 1-based field number, when one field is at fault.
  public var column: Int?

  /// Creates an error record.
  public init(_ kind: Kind, line: Int, column: Int? = nil) {
    self.kind = kind
    self.line = line
    self.column = column
  }

  /// A one-line human-readable form.
  public var description: String {
    let at = "line \(line)" + (column.map { ", field \($0)" } ?? "")
    switch kind {
    case .empty: return "the matrix text is empty"
    case .unterminatedQuote: return "\(at): a quoted field is not closed"
    case .textAfterClosingQuote: return "\(at): text after a closing quote"
    case .fieldCount(let e, let f): return "\(at): \(f) fields, expected \(e)"
    case .notANumber(let s): return "\(at): \"\(s)\" is not a finite number"
    case .emptyChannelName: return "\(at): empty channel name"
    case .duplicateChannelName(let n): return "\(at): channel \(n) appears twice"
    case .rowCount(let e, let f): return "\(at): \(f) coefficient rows, expected \(e)"
    case .unexpectedLine: return "\(at): unexpected line"
    case .unsupportedFormat(let s): return "\(at): unsupported format: \(s)"
    }
  }
}
