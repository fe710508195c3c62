import CytoCore
import Foundation

/// Parses one data set (HEADER, TEXT, supplemental TEXT, parameters, offsets).
struct DataSetParser {
  let bytes: UnsafeRawBufferPointer
  let base: Int
  let index: Int
  let file: String?
  /// TEXT and supplemental TEXT ranges of earlier data sets, which this one must not reuse.
  let claimed: [Range<Int>]
  var diagnostics: [Diagnostic] = []

  init(bytes: UnsafeRawBufferPointer, base: Int, index: Int, file: String?, claimed: [Range<Int>] = []) {
    self.claimed = claimed
    self.bytes = bytes
    self.base = base
    self.index = index
    self.file = file
  }

  struct Result {
    var dataSet: FCSDataSet
    var nextData: Int?
    /// The TEXT and supplemental TEXT ranges that were parsed.
    var segments: [Range<Int>]
  }

  func loc(_ segment: FCSSegment, _ offset: Int? = nil, keyword: String? = nil) -> SourceLocation {
    SourceLocation(file: file, section: segment.rawValue, byteOffset: offset, keyword: keyword)
  }

  mutating func note(_ severity: DiagnosticSeverity, _ code: String, _ message: String, _ location: SourceLocation) {
    diagnostics.append(Diagnostic(severity, DiagnosticCode(code), message, at: location))
  }

  mutating func parse(data: Data) throws -> Result {
    let header = try FCSHeader(parsing: bytes, at: base, diagnostics: &diagnostics, file: file)
    let fileEnd = bytes.count

    // TEXT
    let textStart = base + header.textStart
    var textEnd = base + header.textEnd
    guard header.textEnd >= header.textStart, header.textStart >= FCSHeader.byteCount else {
      throw FCSError(.malformedHeader, "TEXT offsets \(header.textStart)–\(header.textEnd) are not a valid range",
                     segment: .header, byteOffset: base + 10)
    }
    guard textStart < fileEnd else {
      throw FCSError(.truncated, "TEXT starts at byte \(textStart) but the file has only \(fileEnd) bytes",
                     segment: .text, byteOffset: textStart)
    }
    if textEnd >= fileEnd {
      if textEnd == fileEnd {
        note(.warning, "fcs.offset.textEndOffByOne", "TEXT end offset is one past the end of the file; read to the last byte",
             loc(.text, textEnd))
        textEnd = fileEnd - 1
      } else {
        throw FCSError(.truncated, "TEXT runs to byte \(textEnd) but the file has only \(fileEnd) bytes",
                       segment: .text, byteOffset: textStart)
      }
    }
    if let other = claimed.first(where: { $0.overlaps(textStart..<(textEnd + 1)) }) {
      throw FCSError(.invalidDataSetChain,
        "TEXT (bytes \(textStart)–\(textEnd)) overlaps bytes \(other.lowerBound)–\(other.upperBound - 1), the TEXT of an earlier data set",
        segment: .text, byteOffset: textStart, keyword: "$NEXTDATA")
    }
    var keywords = FCSKeywords()
    let delimiter = try TextSegmentParser.parse(
      bytes, range: textStart..<(textEnd + 1),
      options: .init(segment: .text, absoluteStart: textStart, inheritedDelimiter: nil),
      file: file, into: &keywords, diagnostics: &diagnostics)

    // Supplemental TEXT
    var stextRange: Range<Int>? = nil
    if let s = keywords.integer("$BEGINSTEXT"), let e = keywords.integer("$ENDSTEXT"), s > 0, e >= s {
      // Clamped so that an absurd offset cannot overflow; anything past the file is ignored below.
      let r = (base + min(s, fileEnd))..<(base + min(e, fileEnd) + 1)
      if e >= fileEnd - base {
        note(.warning, "fcs.stext.outOfFile", "supplemental TEXT \(s)–\(e) lies outside the file; ignored",
             loc(.supplementalText, r.lowerBound, keyword: "$BEGINSTEXT"))
      } else if r.overlaps(textStart..<(textEnd + 1)) || claimed.contains(where: { $0.overlaps(r) }) {
        note(.note, "fcs.stext.overlapsText",
             "supplemental TEXT offsets point into the primary TEXT\(r.overlaps(textStart..<(textEnd + 1)) ? "" : " of an earlier data set"); ignored",
             loc(.supplementalText, r.lowerBound, keyword: "$BEGINSTEXT"))
      } else {
        var sk = FCSKeywords()
        do {
          _ = try TextSegmentParser.parse(bytes, range: r,
            options: .init(segment: .supplementalText, absoluteStart: r.lowerBound, inheritedDelimiter: delimiter),
            file: file, into: &sk, diagnostics: &diagnostics)
          for e in sk.entries {
            if keywords.contains(e.keyword) {
              note(.warning, "fcs.stext.duplicate", "keyword \(e.keyword) is in both TEXT and supplemental TEXT; TEXT wins",
                   loc(.supplementalText, r.lowerBound, keyword: e.keyword))
            } else {
              keywords[e.keyword] = e.value
            }
          }
          stextRange = r
        } catch let err as FCSError {
          note(.warning, "fcs.stext.malformed", "supplemental TEXT cannot be read (\(err.message)); ignored",
               loc(.supplementalText, r.lowerBound))
        }
      }
    }

    // Mode
    if let mode = keywords["$MODE"]?.trimmingBlanks.uppercased(), mode != "L" {
      throw FCSError(.unsupportedMode,
        "$MODE \(mode) (\(mode == "C" ? "correlated histogram" : mode == "U" ? "uncorrelated histograms" : "unknown")) is not supported; only list mode (L) files can be read",
        segment: .text, byteOffset: textStart, keyword: "$MODE")
    }

    // Data type
    guard let dtText = keywords["$DATATYPE"] else {
      throw FCSError(.missingKeyword, "$DATATYPE is missing", segment: .text, byteOffset: textStart, keyword: "$DATATYPE")
    }
    guard let dataType = FCSDataType(rawValue: String(dtText.trimmingBlanks).uppercased()) else {
      throw FCSError(.unsupportedDataType, "$DATATYPE '\(dtText)' is not one of I, F, D, A", segment: .text,
                     byteOffset: textStart, keyword: "$DATATYPE")
    }

    // Parameters
    guard let parText = keywords["$PAR"] else {
      throw FCSError(.missingKeyword, "$PAR is missing", segment: .text, byteOffset: textStart, keyword: "$PAR")
    }
    guard let par = Int(parText.trimmingBlanks), par >= 0, par <= keywords.count else {
      throw FCSError(.invalidKeyword, "$PAR '\(parText)' is not a parameter count this TEXT can describe",
                     segment: .text, byteOffset: textStart, keyword: "$PAR")
    }
    var parameters = try parseParameters(par, keywords: keywords, dataType: dataType, textStart: textStart)
    let subByte = SubByteWords.parameters(parameters)
    if !subByte.isEmpty {
      parameters = try SubByteWords.widened(parameters, subByte: subByte, textStart: textStart)
    }

    // Byte order
    var byteOrder = FCSByteOrder.littleEndian
    let needsOrder = parameters.contains { ($0.byteWidth ?? 1) > 1 && $0.dataType != .ascii }
    if let bo = keywords["$BYTEORD"] {
      guard let parsed = FCSByteOrder(keyword: String(bo.trimmingBlanks)) else {
        throw FCSError(.unsupportedByteOrder, "$BYTEORD '\(bo)' is not a byte order (expected 1,2,3,4 or 4,3,2,1)",
                       segment: .text, byteOffset: textStart, keyword: "$BYTEORD")
      }
      byteOrder = parsed
      if case .permuted(let p) = parsed, let bad = parameters.first(where: { $0.dataType != .ascii && $0.byteWidth != p.count }) {
        throw FCSError(.unsupportedByteOrder,
          "$BYTEORD \(bo) describes \(p.count)-byte values but parameter \(bad.index.fcsParameterNumber) is \(bad.bits ?? 0) bits wide",
          segment: .text, byteOffset: textStart, keyword: "$BYTEORD")
      }
    } else if needsOrder {
      throw FCSError(.missingKeyword, "$BYTEORD is missing for binary data", segment: .text,
                     byteOffset: textStart, keyword: "$BYTEORD")
    }

    // DATA location
    let resolver = DataOffsetResolver(
      bytes: bytes, base: base, header: header, keywords: keywords, parameters: parameters,
      textRange: textStart..<(textEnd + 1), stextRange: stextRange, file: file)
    var dataRange = 0..<0
    var eventCount = 0
    var dataError: FCSError? = nil
    do {
      if subByte.isEmpty {
        (dataRange, eventCount) = try resolver.resolve(diagnostics: &diagnostics)
      } else {
        (dataRange, eventCount) = try resolveSubByteWords(resolver, subByte: subByte, keywords: keywords, textStart: textStart)
      }
    } catch let e as FCSError {
      // Kept with the data set whatever the DataCheck: FCSFile decides whether the set is
      // readable, and its TEXT (with $NEXTDATA) is intact.
      dataError = e.inDataSet(index, file: file)
      eventCount = keywords.integer("$TOT") ?? 0
      note(.error, "fcs.data.unreadable", "DATA cannot be read: \(e.message)",
           SourceLocation(file: file, section: e.location.section, byteOffset: e.location.byteOffset, keyword: e.location.keyword))
    }

    // ANALYSIS
    let analysisRange = resolveAnalysis(header: header, keywords: keywords)

    // $NEXTDATA
    var next: Int? = nil
    if let nd = keywords["$NEXTDATA"] {
      if let v = Int(nd.trimmingBlanks) { next = v } else {
        note(.warning, "fcs.nextdata.malformed", "$NEXTDATA '\(nd)' is not a number; no further data sets read",
             loc(.text, textStart, keyword: "$NEXTDATA"))
      }
    }
    if let ts = keywords["$TIMESTEP"], Double(ts.trimmingBlanks) == nil {
      note(.warning, "fcs.keyword.timestepNotNumeric",
           "$TIMESTEP '\(ts)' is not a number; time values are left unscaled", loc(.text, textStart, keyword: "$TIMESTEP"))
    }

    let set = FCSDataSet(index: index, offset: base, header: header, keywords: keywords, parameters: parameters,
                         dataType: dataType, byteOrder: byteOrder, eventCount: eventCount, dataRange: dataRange,
                         analysisRange: analysisRange, diagnostics: diagnostics, dataError: dataError, bytes: data,
                         file: file)
    return Result(dataSet: set, nextData: next, segments: [textStart..<(textEnd + 1)] + (stextRange.map { [$0] } ?? []))
  }
}
