/// One line of an input text with its 1-based number.
struct NumberedLine {
  let number: Int
  let text: Substring
  var isBlank: Bool { text.allSatisfy(\.isWhitespace) }
}

/// The lines of `text` (LF, CRLF or lone CR endings; a leading UTF-8 byte order mark is
/// dropped), numbered from 1.
func numberedLines(_ text: String) -> [NumberedLine] {
  var body = Substring(text)
  if body.first == "\u{FEFF}" { body = body.dropFirst() }
  var lines: [NumberedLine] = []
  var start = body.startIndex
  var i = body.startIndex
  var n = 1
  // "\r\n" is a single Character in Swift, so one check covers all three endings.
  while i < body.endIndex {
    let c = body[i]
    if c == "\n" || c == "\r" || c == "\r\n" {
      lines.append(NumberedLine(number: n, text: body[start..<i]))
      n += 1
      i = body.index(after: i)
      start = i
    } else {
      i = body.index(after: i)
    }
  }
  if start < body.endIndex { lines.append(NumberedLine(number: n, text: body[start..<body.endIndex])) }
  return lines
}

/// Splits a line into fields at `delimiter`. Fields may be enclosed in double quotes, with
/// `""` standing for one quote inside; whitespace around a field is removed.
func fields(of line: NumberedLine, delimiter: Character) throws(MatrixTextError) -> [String] {
  var out: [String] = []
  let chars = Array(line.text)
  var i = 0
  // Whitespace around fields: spaces, and tabs unless tab is the delimiter.
  let blank: (Character) -> Bool = { $0 == " " || ($0 == "\t" && delimiter != "\t") }
  func trimmed(_ s: String) -> String {
    var t = Substring(s)
    while let f = t.first, blank(f) { t.removeFirst() }
    while let l = t.last, blank(l) { t.removeLast() }
    return String(t)
  }
  while true {
    while i < chars.count, blank(chars[i]) { i += 1 }
    if i < chars.count, chars[i] == "\"" {
      var value = ""
      i += 1
      var closed = false
      while i < chars.count {
        if chars[i] == "\"" {
          if i + 1 < chars.count, chars[i + 1] == "\"" {
            value.append("\"")
            i += 2
          } else {
            i += 1
            closed = true
            break
          }
        } else {
          value.append(chars[i])
          i += 1
        }
      }
      guard closed else { throw MatrixTextError(.unterminatedQuote, line: line.number, column: out.count + 1) }
      while i < chars.count, blank(chars[i]) { i += 1 }
      if i < chars.count, chars[i] != delimiter {
        throw MatrixTextError(.textAfterClosingQuote, line: line.number, column: out.count + 1)
      }
      out.append(value)
    } else {
      var value = ""
      while i < chars.count, chars[i] != delimiter {
        value.append(chars[i])
        i += 1
      }
      out.append(trimmed(value))
    }
    if i < chars.count, chars[i] == delimiter {
      i += 1
      continue
    }
    return out
  }
}

/// Parses a coefficient: a finite decimal number (`Double(_:)` syntax, so `1e-3` and `-.5`
/// are accepted; `nan` and `inf` are not).
func coefficient(_ s: String, line: Int, column: Int) throws(MatrixTextError) -> Double {
  guard let v = Double(s), v.isFinite else { throw MatrixTextError(.notANumber(s), line: line, column: column) }
  return v
}
