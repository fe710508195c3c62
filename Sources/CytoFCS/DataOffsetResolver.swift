import CytoCore

/// Decides where a data set's DATA segment is and how many events it holds.
///
/// HEADER and TEXT (`$BEGINDATA`/`$ENDDATA`) may both give DATA offsets, and real files get
/// them wrong in several ways (see `../shared/testdata/README.md`): HEADER blank or zero
/// (files > 99,999,999 bytes), HEADER start inside TEXT, end past end of file, `$ENDDATA`
/// one byte too far. No fixed preference is right for every file, so each reading is scored
/// on evidence:
///
/// 1. A reading is impossible when its start lies inside the HEADER or a TEXT segment, or
///    when `$TOT` × bytes per event from its start would run past the end of the file.
/// 2. Possible readings rank by how their length agrees with `$TOT` × bytes per event:
///    exact, off by one, end past end of file, other.
/// 3. Ties go to the reading whose start directly follows the TEXT segment, then to HEADER.
///
/// The decision is recorded as a diagnostic whenever the readings disagree or are imperfect.
/// Only when no reading is possible does reading fail.
struct DataOffsetResolver {
  let bytes: UnsafeRawBufferPointer
  let base: Int
  let header: FCSHeader
  let keywords: FCSKeywords
  let parameters: [FCSParameter]
  let textRange: Range<Int>
  let stextRange: Range<Int>?
  let file: String?

  enum Source: String { case header = "HEADER", text = "TEXT ($BEGINDATA/$ENDDATA)" }

  struct Candidate {
    var source: Source
    var start: Int  // absolute
    var end: Int  // absolute, inclusive
    /// The offsets as written (relative to the data set's HEADER), for messages.
    var declaredStart: Int
    var declaredEnd: Int
    var written: String { "\(declaredStart)–\(declaredEnd)" }

    init(source: Source, base: Int, start: Int, end: Int) {
      // Offsets far beyond the file are kept (they are reported as impossible), but clamped
      // to ±2⁶¹ so that no offset arithmetic can overflow.
      let limit = Int.max / 4
      self.source = source
      self.start = base + min(max(start, -limit), limit)
      self.end = base + min(max(end, -limit), limit)
      self.declaredStart = start
      self.declaredEnd = end
    }
  }

  enum Fit: Int, Comparable {
    case impossible = 0, other = 1, endPastEOF = 2, offByOne = 3, exact = 4
    static func < (a: Fit, b: Fit) -> Bool { a.rawValue < b.rawValue }
  }

  func loc(_ offset: Int?, keyword: String? = nil) -> SourceLocation {
    SourceLocation(file: file, section: "DATA", byteOffset: offset, keyword: keyword)
  }

  /// The DATA offsets HEADER and TEXT give, and notes about offsets that cannot be used.
  func candidates() -> ([Candidate], [Diagnostic]) {
    var candidates: [Candidate] = []
    var notes: [Diagnostic] = []
    if let s = header.dataStart, let e = header.dataEnd {
      candidates.append(Candidate(source: .header, base: base, start: s, end: e))
    } else if header.dataStart != nil || header.dataEnd != nil {
      notes.append(Diagnostic(.note, .init("fcs.offset.headerPartial"),
        "HEADER gives only one of the DATA offsets; it is not used", at: loc(base + 26)))
    }
    let tb = keywords["$BEGINDATA"], te = keywords["$ENDDATA"]
    if let tb, let te {
      if let s = Int(tb.trimmingBlanks), let e = Int(te.trimmingBlanks) {
        if s > 0 || e > 0 { candidates.append(Candidate(source: .text, base: base, start: s, end: e)) }
      } else {
        notes.append(Diagnostic(.warning, .init("fcs.offset.textNotNumeric"),
          "$BEGINDATA '\(tb)' / $ENDDATA '\(te)' are not numbers; ignored", at: loc(textRange.lowerBound, keyword: "$BEGINDATA")))
      }
    }
    return (candidates, notes)
  }

  /// Where DATA is and how many events it holds.
  struct Resolution {
    var range: Range<Int>
    var eventCount: Int
    /// The chosen offsets' length is `$TOT` × bytes per event, or one byte off.
    var lengthMatches: Bool
  }

  func resolve(diagnostics: inout [Diagnostic]) throws -> (Range<Int>, Int) {
    let r = try resolution(diagnostics: &diagnostics)
    return (r.range, r.eventCount)
  }

  func resolution(diagnostics: inout [Diagnostic]) throws -> Resolution {
    let fileEnd = bytes.count
    let (candidates, notes) = candidates()
    diagnostics += notes
    if candidates.isEmpty, keywords.integer("$TOT") == 0 {
      return Resolution(range: 0..<0, eventCount: 0, lengthMatches: true)  // an empty data set needs no DATA segment
    }
    guard !candidates.isEmpty else {
      throw FCSError(.inconsistentOffsets, "neither HEADER nor $BEGINDATA/$ENDDATA give the DATA offsets",
                     segment: .data, byteOffset: base + 26, keyword: "$BEGINDATA")
    }

    // Expected size from $TOT.
    let bpe = parameters.reduce(Optional(0)) { acc, p in acc.flatMap { a in p.byteWidth.map { a + $0 } } }
    let tot: Int?
    if let t = keywords["$TOT"] {
      guard let v = Int(t.trimmingBlanks), v >= 0 else {
        throw FCSError(.invalidKeyword, "$TOT '\(t)' is not an event count", segment: .text,
                       byteOffset: textRange.lowerBound, keyword: "$TOT")
      }
      tot = v
    } else {
      tot = nil
      diagnostics.append(Diagnostic(header.version >= .fcs3_0 ? .warning : .note, .init("fcs.keyword.missingTot"),
        "$TOT is missing; the event count is inferred from the DATA length", at: loc(textRange.lowerBound, keyword: "$TOT")))
    }
    if let tot, tot > 0, bpe == 0 {
      throw FCSError(.invalidKeyword, "$TOT is \(tot) but $PAR is 0: events without parameters cannot be stored",
                     segment: .text, byteOffset: textRange.lowerBound, keyword: "$PAR")
    }
    var expected: Int? = nil
    if let tot, let bpe {
      let (m, overflow) = tot.multipliedReportingOverflow(by: bpe)
      guard !overflow else {
        throw FCSError(.dataSizeMismatch,
          "$TOT \(tot) events × \(bpe) bytes per event overflows; the file cannot hold that much data",
          segment: .data, byteOffset: candidates[0].start, keyword: "$TOT")
      }
      expected = m
    }

    func fit(_ c: Candidate) -> Fit {
      if c.start < 0 || c.start > fileEnd || insideTextOrHeader(c.start) { return .impossible }
      if c.end < c.start - 1 { return .impossible }
      if let expected {
        if expected > fileEnd - c.start { return .impossible }
        let len = c.end - c.start + 1
        if len == expected { return c.end < fileEnd ? .exact : .endPastEOF }
        if abs(len - expected) == 1 && c.end <= fileEnd { return .offByOne }
        if c.end >= fileEnd { return .endPastEOF }
        return .other
      }
      if c.end >= fileEnd { return c.end == fileEnd ? .offByOne : .endPastEOF }
      return .exact
    }
    let textEndAbs = max(textRange.upperBound, stextRange?.upperBound ?? 0)
    let scored = candidates.map { c -> (Candidate, Fit, Bool) in (c, fit(c), c.start == textEndAbs) }
    let ranked = scored.sorted { a, b in
      if a.1 != b.1 { return a.1 > b.1 }
      if a.2 != b.2 { return a.2 }
      return a.0.source == .header && b.0.source != .header
    }
    let (chosen, chosenFit, chosenContiguous) = ranked[0]
    let distinct = Set(candidates.map { "\($0.start)-\($0.end)" }).count > 1
    guard chosenFit != .impossible else {
      if let expected, let c = candidates.first(where: { !insideTextOrHeader($0.start) && $0.start >= 0 }) {
        throw FCSError(.truncated,
          "the file ends at byte \(fileEnd) but DATA needs \(expected) bytes from byte \(absolute(c.declaredStart)) ($TOT × bytes per event); \(max(0, fileEnd - c.start)) bytes of DATA are present",
          segment: .data, byteOffset: min(c.start, fileEnd))
      }
      let desc = candidates.map { "\($0.source.rawValue) \($0.written)" }.joined(separator: ", ")
      throw FCSError(.inconsistentOffsets, "no DATA offsets fit the file: \(desc) (TEXT is \(textRange.lowerBound - base)–\(textRange.upperBound - 1 - base), file \(fileEnd) bytes)",
                     segment: .data, byteOffset: candidates[0].start)
    }
    if distinct {
      let others = ranked.dropFirst().map { c in
        "\(c.0.source.rawValue) gives \(c.0.written) (\(describe(c.1, c.0)))"
      }.joined(separator: "; ")
      let tie = ranked.count > 1 && ranked[1].1 == chosenFit
      let why = !tie ? "" : chosenContiguous && !ranked[1].2 ? ", and it starts right after TEXT" : ", and HEADER is preferred on a tie"
      diagnostics.append(Diagnostic(.warning, .init("fcs.offset.discrepancy"),
        "HEADER and TEXT disagree on DATA offsets; used \(chosen.source.rawValue) \(chosen.written) (\(describe(chosenFit, chosen))\(why)); \(others)",
        at: loc(chosen.start)))
    }

    var start = chosen.start
    var length: Int
    let eventCount: Int
    if let expected, let tot {
      length = expected
      eventCount = tot
      let declared = chosen.end - chosen.start + 1
      switch chosenFit {
      case .offByOne where !distinct:
        diagnostics.append(Diagnostic(.note, .init("fcs.offset.dataEndOffByOne"),
          "DATA end offset is off by one (\(declared) bytes declared, \(expected) = $TOT × bytes per event); $TOT is used",
          at: loc(chosen.end)))
      case .endPastEOF where !distinct:
        diagnostics.append(Diagnostic(.warning, .init("fcs.offset.dataEndPastEOF"),
          "DATA end offset \(chosen.declaredEnd) is past the end of the file; $TOT × bytes per event (\(expected)) is used",
          at: loc(chosen.end)))
      case .other:
        diagnostics.append(Diagnostic(.warning, .init("fcs.offset.dataLengthMismatch"),
          "DATA segment is \(declared) bytes but $TOT × bytes per event is \(expected); the first \(expected) bytes are read",
          at: loc(chosen.start)))
      default: break
      }
    } else {
      length = min(chosen.end, fileEnd - 1) - chosen.start + 1
      if chosen.end >= fileEnd {
        diagnostics.append(Diagnostic(.warning, .init("fcs.offset.dataEndPastEOF"),
          "DATA end offset is past the end of the file; read to the last byte", at: loc(chosen.end)))
      }
      if let bpe {
        guard bpe > 0 else {
          throw FCSError(.invalidKeyword, "parameters have no bytes; events cannot be counted", segment: .text,
                         byteOffset: textRange.lowerBound, keyword: "$PAR")
        }
        eventCount = length / bpe
        if length % bpe != 0 {
          diagnostics.append(Diagnostic(.warning, .init("fcs.offset.partialEvent"),
            "DATA length \(length) is not a whole number of \(bpe)-byte events; the last \(length % bpe) bytes are ignored",
            at: loc(chosen.start)))
        }
        length = eventCount * bpe
      } else {
        // Delimited ASCII: count the values in the segment. Each value takes at least one
        // character and one separator, which bounds what $TOT × $PAR can claim.
        if let tot {
          let (values, overflow) = tot.multipliedReportingOverflow(by: parameters.count)
          guard !overflow, values <= (length + 1) / 2 else {
            throw FCSError(.dataSizeMismatch,
              "$TOT \(tot) × $PAR \(parameters.count) delimited ASCII values cannot fit in \(length) bytes of DATA",
              segment: .data, byteOffset: chosen.start, keyword: "$TOT")
          }
          eventCount = tot
        } else {
          let seg = UnsafeBufferPointer(rebasing: bytes.bindMemory(to: UInt8.self)[chosen.start..<(chosen.start + length)])
          eventCount = parameters.isEmpty ? 0 : EventDecoder.delimitedTokens(seg).count / parameters.count
        }
      }
    }
    start = max(start, 0)
    return Resolution(range: start..<(start + max(0, length)), eventCount: eventCount,
                      lengthMatches: chosenFit == .exact || chosenFit == .offByOne)
  }

  /// An offset relative to this data set as an absolute byte number, in words when it overflows.
  func absolute(_ relative: Int) -> String {
    let (a, overflow) = base.addingReportingOverflow(relative)
    return overflow ? "\(relative) after byte \(base)" : "\(a)"
  }

  func describe(_ f: Fit, _ c: Candidate) -> String {
    switch f {
    case .impossible:
      insideTextOrHeaderDesc(c.start) ?? "its data would run past the end of the file"
    case .other: "length disagrees with $TOT"
    case .endPastEOF: "end past end of file"
    case .offByOne: "end off by one"
    case .exact: "length matches $TOT"
    }
  }

  func insideTextOrHeader(_ p: Int) -> Bool {
    (p >= base && p < base + FCSHeader.byteCount) || textRange.contains(p) || (stextRange?.contains(p) ?? false)
  }

  func insideTextOrHeaderDesc(_ p: Int) -> String? {
    if p >= base && p < base + FCSHeader.byteCount { return "start inside HEADER" }
    if textRange.contains(p) { return "start inside TEXT" }
    if stextRange?.contains(p) ?? false { return "start inside supplemental TEXT" }
    return nil
  }
}
