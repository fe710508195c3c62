/// One record of a CSV file: its fields and the line it starts on (1-based; a quoted field
/// with line breaks makes a record span several lines).
public struct ClinicalCSVRecord: Sendable, Equatable {
  /// The 1-based line the record starts on.
  public var line: Int
  /// The fields, unquoted.
  public var fields: [String]
}

/// An RFC 4180 reader (https://www.rfc-editor.org/rfc/rfc4180): comma-separated fields,
/// double-quoted fields may hold commas, line breaks and `""` (one quote); CRLF or LF line ends;
/// a leading byte-order mark is skipped. Strict where a lenient reader would guess: a quote
/// inside an unquoted field, text after a closing quote, and an unterminated quote are errors
/// naming the line and column.
public enum ClinicalCSV {
  /// A syntax error: line and 1-based field index where it happened.
  public struct SyntaxError: Error, Sendable, Equatable {
    /// The 1-based line and field (column) index.
    public var line: Int, column: Int
    /// What is wrong.
    public var message: String

    /// Creates a syntax error.
    public init(line: Int, column: Int, message: String) {
      self.line = line
      self.column = column
      self.message = message
    }
  }

  /// The records of `text`; blank lines (no characters at all) are skipped.
  /// - Throws: ``SyntaxError`` for the first malformed field.
  public static func parse(_ text: String) throws(SyntaxError) -> [ClinicalCSVRecord] {
    var records: [ClinicalCSVRecord] = []
    var fields: [String] = []
    var field = String.UnicodeScalarView()
    var line = 1, recordLine = 1
    var quoted = false, wasQuoted = false, fieldHasText = false
    var scalars = Substring(text).unicodeScalars[...]
    if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
    func endField() {
      fields.append(String(field))
      field = String.UnicodeScalarView()
      wasQuoted = false
      fieldHasText = false
    }
    func endRecord() {
      endField()
      if !(fields.count == 1 && fields[0].isEmpty) { records.append(ClinicalCSVRecord(line: recordLine, fields: fields)) }
      fields = []
    }
    while let c = scalars.popFirst() {
      if quoted {
        if c == "\"" {
          if scalars.first == "\"" {
            field.append("\"")
            scalars.removeFirst()
          } else {
            quoted = false
            wasQuoted = true
          }
        } else {
          if c == "\n" { line += 1 }
          field.append(c)
        }
        continue
      }
      switch c {
      case "\"":
        guard !fieldHasText, !wasQuoted else {
          throw SyntaxError(line: line, column: fields.count + 1, message: "a quote inside an unquoted field (RFC 4180: quote the whole field and double inner quotes)")
        }
        quoted = true
        fieldHasText = true
      case ",": endField()
      case "\r" where scalars.first == "\n": continue
      case "\n", "\r":
        endRecord()
        line += 1
        recordLine = line
      default:
        if wasQuoted {
          throw SyntaxError(line: line, column: fields.count + 1, message: "text after the closing quote of a quoted field")
        }
        field.append(c)
        fieldHasText = true
      }
    }
    if quoted {
      throw SyntaxError(line: recordLine, column: fields.count + 1, message: "a quoted field is not closed before the end of the file")
    }
    if fieldHasText || wasQuoted || !fields.isEmpty { endRecord() }
    return records
  }
}
