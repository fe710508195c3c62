import CytoCore

/// The keyword/value pairs of a data set's TEXT (and supplemental TEXT) segment.
///
/// Keywords are looked up case-insensitively, as the FCS standard requires (`$tot` = `$TOT`).
/// Values are kept exactly as stored: no trimming. Numeric accessors trim blanks before
/// parsing, which the standard allows for numbers.
public struct FCSKeywords: Sendable, Equatable, Sequence {
  /// One keyword/value pair as it appeared in the file.
  public struct Entry: Sendable, Equatable, Codable {
    /// The keyword as written (case preserved).
    public var keyword: String
    /// The value as written.
    public var value: String
    public init(keyword: String, value: String) {
      self.keyword = keyword
      self.value = value
    }
  }

  /// Pairs in file order (a repeated keyword appears once, at its first position, with its last value).
  public private(set) var entries: [Entry] = []
  private var index: [String: Int] = [:]

  public init() {}

  /// Creates keywords from pairs in order; later duplicates replace earlier values.
  public init(_ pairs: [(String, String)]) {
    for (k, v) in pairs { self[k] = v }
  }

  /// The value of `keyword`, compared case-insensitively; `nil` when absent.
  public subscript(keyword: String) -> String? {
    get { index[keyword.uppercased()].map { entries[$0].value } }
    set {
      let key = keyword.uppercased()
      if let i = index[key] {
        if let newValue { entries[i].value = newValue } else { remove(at: i) }
      } else if let newValue {
        index[key] = entries.count
        entries.append(Entry(keyword: keyword, value: newValue))
      }
    }
  }

  private mutating func remove(at i: Int) {
    entries.remove(at: i)
    index = [:]
    for (j, e) in entries.enumerated() { index[e.keyword.uppercased()] = j }
  }

  /// Whether `keyword` is present (case-insensitive).
  public func contains(_ keyword: String) -> Bool { index[keyword.uppercased()] != nil }

  /// Number of distinct keywords.
  public var count: Int { entries.count }

  public func makeIterator() -> IndexingIterator<[Entry]> { entries.makeIterator() }

  /// The value parsed as an integer after trimming blanks; `nil` when absent or not an integer.
  public func integer(_ keyword: String) -> Int? {
    guard let v = self[keyword] else { return nil }
    return Int(v.trimmingBlanks)
  }

  /// The value parsed as a floating-point number after trimming blanks.
  public func double(_ keyword: String) -> Double? {
    guard let v = self[keyword] else { return nil }
    return Double(v.trimmingBlanks)
  }

  public static func == (a: Self, b: Self) -> Bool { a.entries == b.entries }
}

extension String {
  /// The string without leading and trailing blanks (space, tab, CR, LF, NUL).
  var trimmingBlanks: Substring {
    let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\0" || $0 == "\r\n" }
    guard let first = firstIndex(where: { !isBlank($0) }) else { return "" }
    let last = lastIndex(where: { !isBlank($0) })!
    return self[first...last]
  }
}

/// Splits a TEXT segment into keyword/value pairs.
///
/// The first byte is the delimiter. A doubled delimiter inside a keyword or value stands for
/// one delimiter character (FCS 3.1 §3.2.7). Text is decoded as UTF-8 (FCS 3.1+); bytes that
/// are not valid UTF-8 are read as ISO-8859-1 with a diagnostic (older instruments write Latin-1).
enum TextSegmentParser {
  struct Options {
    var segment: FCSSegment
    /// Absolute offset of the segment's first byte, for error locations.
    var absoluteStart: Int
    /// The delimiter to use when the segment does not start with one (supplemental TEXT).
    var inheritedDelimiter: UInt8?
  }

  static func parse(_ bytes: UnsafeRawBufferPointer, range: Range<Int>, options: Options, file: String?,
                    into keywords: inout FCSKeywords, diagnostics: inout [Diagnostic]) throws -> UInt8 {
    guard !range.isEmpty else {
      throw FCSError(.malformedText, "\(options.segment.rawValue) segment is empty", segment: options.segment,
                     byteOffset: options.absoluteStart)
    }
    var i = range.lowerBound
    let delimiter: UInt8
    if let inherited = options.inheritedDelimiter, bytes[i] != inherited {
      delimiter = inherited
    } else {
      delimiter = bytes[i]
      i += 1
    }
    if options.segment == .text, delimiter == 0x20 || (0x30...0x39).contains(delimiter) || (0x41...0x5A).contains(delimiter) {
      diagnostics.append(Diagnostic(.warning, .init("fcs.text.unusualDelimiter"),
        "TEXT delimiter is \(FCSHeader.printable([delimiter])), a character the standard advises against",
        at: SourceLocation(file: file, section: options.segment.rawValue, byteOffset: range.lowerBound)))
    }
    var tokens = tokenize(bytes, from: i, to: range.upperBound, delimiter: delimiter, escapes: true)
    dropTrailingBlank(&tokens, options: options, file: file, diagnostics: &diagnostics)
    if looksMisparsed(tokens, delimiter: delimiter) {
      // Pre-3.1 writers (CellQuest, …) wrote empty values as two adjacent delimiters, which the
      // escape rule reads as one literal delimiter. Use that reading when it is consistent.
      var alt = tokenize(bytes, from: i, to: range.upperBound, delimiter: delimiter, escapes: false)
      var altDiagnostics: [Diagnostic] = []
      dropTrailingBlank(&alt, options: options, file: file, diagnostics: &altDiagnostics)
      if alt.count % 2 == 0, stride(from: 0, to: alt.count, by: 2).allSatisfy({ !alt[$0].bytes.isEmpty }) {
        tokens = alt
        diagnostics += altDiagnostics
        diagnostics.append(Diagnostic(.warning, .init("fcs.text.emptyValues"),
          "\(options.segment.rawValue) has empty values written as doubled delimiters (not allowed since FCS 3.1); read as empty values",
          at: SourceLocation(file: file, section: options.segment.rawValue, byteOffset: range.lowerBound)))
      }
    }
    if tokens.count % 2 == 1 {
      let last = tokens[tokens.count - 1]
      throw FCSError(.malformedText,
        "\(options.segment.rawValue) has a keyword without a value (\(FCSHeader.printable(last.bytes.prefix(40))))",
        segment: options.segment, byteOffset: last.offset)
    }
    var sawLatin1 = false
    var k = 0
    while k < tokens.count {
      let (kb, koff) = tokens[k]
      let (vb, _) = tokens[k + 1]
      k += 2
      var key = decode(kb, latin1: &sawLatin1)
      let trimmed = String(key.trimmingBlanks)
      if trimmed != key {
        diagnostics.append(Diagnostic(.warning, .init("fcs.text.keywordBlanks"),
          "keyword '\(key)' has surrounding blanks; read as '\(trimmed)'",
          at: SourceLocation(file: file, section: options.segment.rawValue, byteOffset: koff, keyword: trimmed)))
        key = trimmed
      }
      if key.isEmpty {
        throw FCSError(.malformedText, "empty keyword", segment: options.segment, byteOffset: koff)
      }
      let value = decode(vb, latin1: &sawLatin1)
      if let old = keywords[key] {
        if old != value {
          diagnostics.append(Diagnostic(.warning, .init("fcs.text.duplicateKeyword"),
            "keyword \(key) appears more than once ('\(old)', then '\(value)'); the last value is used",
            at: SourceLocation(file: file, section: options.segment.rawValue, byteOffset: koff, keyword: key)))
        } else {
          diagnostics.append(Diagnostic(.note, .init("fcs.text.duplicateKeyword"),
            "keyword \(key) appears more than once with the same value",
            at: SourceLocation(file: file, section: options.segment.rawValue, byteOffset: koff, keyword: key)))
        }
      }
      keywords[key] = value
    }
    if sawLatin1 {
      diagnostics.append(Diagnostic(.note, .init("fcs.text.latin1"),
        "\(options.segment.rawValue) is not valid UTF-8; its text was read as ISO-8859-1 (Latin-1)",
        at: SourceLocation(file: file, section: options.segment.rawValue, byteOffset: range.lowerBound)))
    }
    return delimiter
  }

  typealias Token = (bytes: [UInt8], offset: Int)

  /// Splits at delimiters; with `escapes`, a doubled delimiter is a literal delimiter.
  static func tokenize(_ bytes: UnsafeRawBufferPointer, from: Int, to end: Int, delimiter: UInt8, escapes: Bool) -> [Token] {
    var tokens: [Token] = []
    var current: [UInt8] = []
    var i = from
    var tokenStart = i
    while i < end {
      let b = bytes[i]
      if b == delimiter {
        if escapes, i + 1 < end, bytes[i + 1] == delimiter {
          current.append(delimiter)
          i += 2
          continue
        }
        tokens.append((current, tokenStart))
        current = []
        i += 1
        tokenStart = i
      } else {
        current.append(b)
        i += 1
      }
    }
    if !current.isEmpty { tokens.append((current, tokenStart)) }
    return tokens
  }

  /// A trailing whitespace-only token (TEXT that ends with delimiter + blanks) is tolerated.
  static func dropTrailingBlank(_ tokens: inout [Token], options: Options, file: String?, diagnostics: inout [Diagnostic]) {
    guard tokens.count % 2 == 1, let last = tokens.last,
          last.bytes.allSatisfy({ $0 == 0x20 || $0 == 0 || $0 == 0x0A || $0 == 0x0D }) else { return }
    tokens.removeLast()
    diagnostics.append(Diagnostic(.note, .init("fcs.text.trailingBlank"),
      "\(options.segment.rawValue) ends with blank bytes after the last delimiter; ignored",
      at: SourceLocation(file: file, section: options.segment.rawValue, byteOffset: last.offset)))
  }

  /// Whether an escape-rule reading shows signs of empty values: an odd token count, or a
  /// keyword that swallowed a delimiter followed by another keyword (`$P5S/$P7S`).
  static func looksMisparsed(_ tokens: [Token], delimiter: UInt8) -> Bool {
    if tokens.count % 2 == 1 { return true }
    for k in stride(from: 0, to: tokens.count, by: 2) {
      let t = tokens[k].bytes
      if let d = t.firstIndex(of: delimiter), d + 1 < t.count, t[d + 1] == UInt8(ascii: "$") || t[d + 1] == UInt8(ascii: "&") {
        return true
      }
    }
    return false
  }

  private static func decode(_ bytes: [UInt8], latin1: inout Bool) -> String {
    if let s = String(validating: bytes, as: UTF8.self) { return s }
    latin1 = true
    var s = String.UnicodeScalarView()
    for b in bytes { s.append(UnicodeScalar(b)) }
    return String(s)
  }
}
