import CytoCore
import Foundation

/// An FCS file: one or more data sets linked by `$NEXTDATA`.
///
///     let file = try FCSFile(contentsOf: "sample.fcs")
///     let ds = file.dataSets[0]
///     let events = try ds.events(.raw, as: Float.self)   // column-major Float32
///
/// Reading maps the file into memory and parses every HEADER and TEXT segment eagerly;
/// DATA is decoded only when ``FCSDataSet/events(_:as:)`` is called. Anything unusual that
/// was tolerated is recorded in each data set's ``FCSDataSet/diagnostics``; anything that
/// makes the data ambiguous throws an ``FCSError`` naming the segment, keyword and byte offset.
public struct FCSFile: Sendable {
  /// The path the file was read from, if any.
  public let path: String?
  /// Size of the file in bytes.
  public let byteCount: Int
  /// Data sets in `$NEXTDATA` order.
  public let dataSets: [FCSDataSet]

  /// Upper bound on data sets followed in one file, so a crafted chain cannot run for long.
  public static let maximumDataSets = 4096

  /// When a data set's DATA segment cannot be located or is truncated.
  public enum DataCheck: Sendable {
    /// Reading fails with the DATA error (the default: nothing is guessed).
    case strict
    /// Reading succeeds with HEADER and TEXT; the data set's ``FCSDataSet/dataError`` holds the
    /// problem and ``FCSDataSet/events(_:as:)`` throws it. For inspecting damaged files.
    case deferred
  }

  /// Reads the file at `path`, memory-mapping it (read-only, private).
  ///
  /// Decoding DATA releases the mapped pages it has read (the file stays in the page cache),
  /// so decoding a large file needs about the matrix's memory, not the matrix plus the file.
  public init(contentsOf path: String, dataCheck: DataCheck = .strict) throws {
    let data: Data
    let mapped: Bool
    do {
      (data, mapped) = try Self.map(path)
    } catch {
      throw FCSError(.unreadable, "cannot open: \(Self.reason(error))", file: path, segment: .file)
    }
    try self.init(bytes: data, path: path, dataCheck: dataCheck, fileMapped: mapped)
  }

  /// Maps `path` read-only and private (`mmap`), or reads it when it cannot be mapped (an empty
  /// file, a pipe). `true` when mapped.
  static func map(_ path: String) throws -> (Data, Bool) {
    #if os(Linux)
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd >= 0 {
      defer { close(fd) }
      var st = stat()
      if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_size > 0,
         let p = mmap(nil, Int(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED {
        let count = Int(st.st_size)
        return (Data(bytesNoCopy: p, count: count, deallocator: .custom { p, n in munmap(p, n) }), true)
      }
    }
    #endif
    return (try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped), false)
  }

  /// Parses a file held in memory. `path` is used only in errors and diagnostics.
  public init(bytes: Data, path: String? = nil, dataCheck: DataCheck = .strict) throws {
    try self.init(bytes: bytes, path: path, dataCheck: dataCheck, fileMapped: false)
  }

  /// `fileMapped`: `bytes` is a private read-only file mapping made by ``map(_:)``, whose pages
  /// decoding may release (`MADV_DONTNEED` re-reads them from the file if touched again).
  init(bytes: Data, path: String?, dataCheck: DataCheck, fileMapped: Bool) throws {
    self.path = path
    self.byteCount = bytes.count
    do {
      self.dataSets = try bytes.withUnsafeBytes { raw in
        var sets: [FCSDataSet] = []
        var visited: Set<Int> = []
        // TEXT and supplemental TEXT of the data sets read so far. Segments of different data
        // sets never overlap in a valid file; refusing overlaps keeps the work (and the memory
        // for keywords) proportional to the file size even for a crafted chain of many
        // HEADERs that all point into one large TEXT.
        var claimed: [Range<Int>] = []
        var previous: (result: DataSetParser.Result, base: Int)? = nil
        var base = 0
        while true {
          visited.insert(base)
          var parser = DataSetParser(bytes: raw, base: base, index: sets.count, file: path, dataCheck: dataCheck,
                                     claimed: claimed)
          var set: DataSetParser.Result
          do {
            set = try parser.parse(data: bytes)
          } catch let e as FCSError where e.kind == .invalidDataSetChain {
            guard var last = previous?.result, let lastBase = previous?.base else { throw e }
            // Earlier data sets are intact: keep them and record why the chain stopped.
            last.appendDiagnostic(Diagnostic(.warning, .init("fcs.nextdata.invalid"),
              "$NEXTDATA leads to a data set whose \(e.message); no further data sets read",
              at: SourceLocation(file: path, section: "TEXT", byteOffset: lastBase, keyword: "$NEXTDATA")))
            sets[sets.count - 1] = last.dataSet
            break
          }
          claimed += set.segments
          let next = set.nextData
          sets.append(set.dataSet)
          guard let next, next != 0 else { break }
          let (nextBase, overflow) = base.addingReportingOverflow(next)
          guard next > 0, !overflow, nextBase < raw.count, !visited.contains(nextBase), sets.count < Self.maximumDataSets else {
            let why = !overflow && visited.contains(nextBase) ? "points back to an earlier data set"
              : overflow || nextBase >= raw.count ? "points past the end of the file (\(raw.count) bytes)"
              : next <= 0 ? "is not a forward offset" : "would be data set \(Self.maximumDataSets + 1), more than are read"
            // Earlier data sets are intact: keep them and record why the chain stopped.
            set.appendDiagnostic(Diagnostic(.warning, .init("fcs.nextdata.invalid"),
              "$NEXTDATA \(next) \(why); no further data sets read",
              at: SourceLocation(file: path, section: "TEXT", byteOffset: base, keyword: "$NEXTDATA")))
            sets[sets.count - 1] = set.dataSet
            break
          }
          previous = (set, base)
          base = nextBase
        }
        return fileMapped ? sets.map { var d = $0; d.releasesDataPages = true; return d } : sets
      }
    } catch let e as FCSError {
      throw e.inFile(path)
    }
  }

  /// The data set at `index`.
  /// - Throws: ``FCSError/Kind/noSuchDataSet`` when the file has fewer data sets.
  public func dataSet(_ index: Int) throws -> FCSDataSet {
    guard dataSets.indices.contains(index) else {
      throw FCSError(.noSuchDataSet, "data set \(index) requested but the file has \(dataSets.count) (0…\(dataSets.count - 1))",
                     file: path, segment: .file)
    }
    return dataSets[index]
  }

  static func reason(_ error: Error) -> String {
    let ns = error as NSError
    if let u = ns.userInfo[NSUnderlyingErrorKey] as? NSError, u.domain == NSPOSIXErrorDomain,
       let msg = strerror(Int32(u.code)).map({ String(cString: $0) }) {
      return msg
    }
    return ns.localizedDescription
  }
}

/// Parses one data set (HEADER, TEXT, supplemental TEXT, parameters, offsets).
struct DataSetParser {
  let bytes: UnsafeRawBufferPointer
  let base: Int
  let index: Int
  let file: String?
  let dataCheck: FCSFile.DataCheck
  /// TEXT and supplemental TEXT ranges of earlier data sets, which this one must not reuse.
  let claimed: [Range<Int>]
  var diagnostics: [Diagnostic] = []

  init(bytes: UnsafeRawBufferPointer, base: Int, index: Int, file: String?, dataCheck: FCSFile.DataCheck,
       claimed: [Range<Int>] = []) {
    self.dataCheck = dataCheck
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
    mutating func appendDiagnostic(_ d: Diagnostic) {
      dataSet = FCSDataSet(index: dataSet.index, offset: dataSet.offset, header: dataSet.header, keywords: dataSet.keywords,
                           parameters: dataSet.parameters, dataType: dataSet.dataType, byteOrder: dataSet.byteOrder,
                           eventCount: dataSet.eventCount, dataRange: dataSet.dataRange,
                           analysisRange: dataSet.analysisRange, diagnostics: dataSet.diagnostics + [d],
                           dataError: dataSet.dataError, bytes: dataSet.bytes, file: dataSet.file)
    }
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
    let parameters = try parseParameters(par, keywords: keywords, dataType: dataType, textStart: textStart)

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
      (dataRange, eventCount) = try resolver.resolve(diagnostics: &diagnostics)
    } catch let e as FCSError where dataCheck == .deferred {
      dataError = e.inFile(file)
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

  mutating func parseParameters(_ par: Int, keywords: FCSKeywords, dataType: FCSDataType, textStart: Int) throws -> [FCSParameter] {
    var out: [FCSParameter] = []
    out.reserveCapacity(par)
    var seen: [String: Int] = [:]
    var zeroOffsetNoted = false
    for n in stride(from: 1, through: par, by: 1) {
      let p = "$P\(n)"
      let nameText = keywords[p + "N"]
      let name: ChannelName
      if let nameText, !nameText.trimmingBlanks.isEmpty {
        name = ChannelName(nameText)
      } else {
        name = ChannelName("P\(n)")
        note(.warning, "fcs.parameter.missingName", "\(p)N is missing; parameter \(n) is called P\(n)",
             loc(.text, textStart, keyword: p + "N"))
      }
      if let first = seen[name.rawValue] {
        note(.warning, "fcs.parameter.duplicateName",
             "parameters \(first) and \(n) are both named '\(name)'; refer to them by number", loc(.text, textStart, keyword: p + "N"))
      } else {
        seen[name.rawValue] = n
      }
      // Data type (FCS 3.2 allows a per-parameter override).
      var pType = dataType
      if let t = keywords[p + "DATATYPE"] {
        guard let parsed = FCSDataType(rawValue: String(t.trimmingBlanks).uppercased()), parsed != .ascii else {
          throw FCSError(.unsupportedDataType, "\(p)DATATYPE '\(t)' is not one of I, F, D", segment: .text,
                         byteOffset: textStart, keyword: p + "DATATYPE")
        }
        // ASCII DATA is read as text, value by value; a binary parameter among ASCII ones has no
        // defined text width (and read as $PnB characters it ran past the end of DATA).
        guard dataType != .ascii else {
          throw FCSError(.unsupportedDataType, "\(p)DATATYPE \(parsed.rawValue) cannot be mixed with $DATATYPE A (ASCII) data",
                         segment: .text, byteOffset: textStart, keyword: p + "DATATYPE")
        }
        pType = parsed
      }
      guard let bText = keywords[p + "B"] else {
        throw FCSError(.missingKeyword, "\(p)B (bits of parameter \(n)) is missing", segment: .text,
                       byteOffset: textStart, keyword: p + "B")
      }
      var bits: Int?
      let bTrim = String(bText.trimmingBlanks)
      if bTrim == "*" {
        guard pType == .ascii else {
          throw FCSError(.unsupportedDataType, "\(p)B is * (delimited ASCII) but $DATATYPE is \(pType.rawValue)",
                         segment: .text, byteOffset: textStart, keyword: p + "B")
        }
        bits = nil
      } else if let b = Int(bTrim), b > 0, b <= 64 || pType == .ascii {
        switch pType {
        case .integer:
          guard b % 8 == 0 else {
            throw FCSError(.unsupportedDataType, "\(p)B \(b): integer widths that are not whole bytes are not supported",
                           segment: .text, byteOffset: textStart, keyword: p + "B")
          }
        case .float where b != 32, .double where b != 64:
          let want = pType == .float ? 32 : 64
          throw FCSError(.unsupportedDataType, "\(p)B is \(b) but $DATATYPE \(pType.rawValue) values are \(want) bits",
                         segment: .text, byteOffset: textStart, keyword: p + "B")
        default: break
        }
        if pType == .ascii, b > 64 {
          throw FCSError(.unsupportedDataType, "\(p)B \(b): ASCII fields wider than 64 characters are not supported",
                         segment: .text, byteOffset: textStart, keyword: p + "B")
        }
        bits = b
      } else {
        throw FCSError(.invalidKeyword, "\(p)B '\(bText)' is not a bit width", segment: .text,
                       byteOffset: textStart, keyword: p + "B")
      }
      var range = 0.0
      if let r = keywords[p + "R"] {
        if let v = Double(r.trimmingBlanks), v.isFinite, v >= 0 { range = v } else {
          note(.warning, "fcs.parameter.badRange", "\(p)R '\(r)' is not a number; integer values are not masked",
               loc(.text, textStart, keyword: p + "R"))
        }
      } else {
        note(.warning, "fcs.parameter.missingRange", "\(p)R is missing; integer values are not masked",
             loc(.text, textStart, keyword: p + "R"))
      }
      var amp = FCSAmplification.linear
      if let e = keywords[p + "E"] {
        let parts = e.split(separator: ",").map { Double($0.trimmingBlanksSub) }
        if parts.count == 2, let f1 = parts[0], let f2 = parts[1], f1 >= 0, f1.isFinite, f2.isFinite, f2 >= 0 {
          if f1 > 0 && pType != .integer {
            note(.warning, "fcs.parameter.logOnFloat",
                 "\(p)E \(e) asks for log decoding of \(pType == .float ? "float" : "double") values; the standard allows it only for integers, so it is ignored",
                 loc(.text, textStart, keyword: p + "E"))
          } else if f1 > 0 {
            if f2 == 0 && !zeroOffsetNoted {
              zeroOffsetNoted = true
              note(.note, "fcs.parameter.logZeroOffset", "\(p)E \(e): f2 = 0 with f1 > 0 is read as f2 = 1 (FCS 2.0 convention)",
                   loc(.text, textStart, keyword: p + "E"))
            }
            amp = FCSAmplification(decades: f1, offset: f2 == 0 ? 1 : f2)
          }
        } else {
          note(.warning, "fcs.parameter.badAmplification", "\(p)E '\(e)' is not f1,f2; parameter read as linear",
               loc(.text, textStart, keyword: p + "E"))
        }
      }
      var gain = 1.0
      if let g = keywords[p + "G"] {
        if let v = Double(g.trimmingBlanks), v.isFinite, v > 0 { gain = v } else {
          note(.warning, "fcs.parameter.badGain", "\(p)G '\(g)' is not a positive number; gain 1 is used",
               loc(.text, textStart, keyword: p + "G"))
        }
      }
      let type = keywords[p + "TYPE"]
      let lname = name.rawValue.lowercased()
      let isTime = type.map { $0.trimmingBlanks.lowercased() == "time" }
        ?? (lname == "time" || lname.hasPrefix("time ") || lname == "hdr-t")
      out.append(FCSParameter(
        index: ChannelIndex(n - 1), name: name, nameIsFromFile: nameText != nil, label: keywords[p + "S"], bits: bits,
        dataType: pType, range: range, amplification: amp, gain: gain, display: keywords[p + "D"], type: type,
        calibration: keywords[p + "CALIBRATION"], isTime: isTime))
    }
    return out
  }

  mutating func resolveAnalysis(header: FCSHeader, keywords: FCSKeywords) -> Range<Int> {
    var s = header.analysisStart, e = header.analysisEnd
    if s == nil, let ts = keywords.integer("$BEGINANALYSIS"), let te = keywords.integer("$ENDANALYSIS"), ts > 0 { s = ts; e = te }
    guard let s, let e, s >= 0, e >= s else { return 0..<0 }
    guard e < bytes.count - base else {
      note(.warning, "fcs.analysis.outOfFile", "ANALYSIS \(s)–\(e) lies outside the file; ignored",
           loc(.analysis, s < bytes.count - base ? base + s : nil))
      return 0..<0
    }
    return (base + s)..<(base + e + 1)
  }
}
