import CytoCore
import Foundation

/// The values a caller wants from DATA.
public enum FCSValueScale: String, Sendable, Codable, CaseIterable {
  /// As stored: integers masked to the range; no `$PnE`, `$PnG` or `$TIMESTEP` applied.
  /// This is what FlowIO returns and what gating standards (Gating-ML) use as "FCS" values.
  case raw
  /// Channel values in linear units: log-amplified integers decoded as 10^(f1·raw/$PnR)·f2;
  /// linear parameters divided by `$PnG` (log parameters are not: FCS 3.1 §3.3.39 and the FACE
  /// test truth); the time parameter multiplied by `$TIMESTEP` (seconds).
  case scaled
}

/// One data set of an FCS file: keywords, parameters, where its DATA is, and how to decode it.
///
/// Decoding events is a separate step (``events(_:as:)``) so that metadata-only uses
/// (`cytoreset info`) never touch DATA.
public struct FCSDataSet: Sendable {
  /// 0-based position in the `$NEXTDATA` chain.
  public let index: Int
  /// Absolute byte offset of this data set's HEADER in the file.
  public let offset: Int
  /// The HEADER as written.
  public let header: FCSHeader
  /// All TEXT and supplemental TEXT keywords.
  public let keywords: FCSKeywords
  /// The parameters, in event order.
  public let parameters: [FCSParameter]
  /// `$DATATYPE` of the data set (parameters may override it in FCS 3.2).
  public let dataType: FCSDataType
  /// `$BYTEORD`.
  public let byteOrder: FCSByteOrder
  /// Number of events decoded from DATA (`$TOT`, or inferred from the segment length when absent).
  public let eventCount: Int
  /// Absolute byte range of the DATA bytes that are decoded.
  public let dataRange: Range<Int>
  /// Absolute byte range of the ANALYSIS segment (empty when there is none).
  public let analysisRange: Range<Int>
  /// What the reader noticed, tolerated or decided about this data set.
  public let diagnostics: [Diagnostic]
  /// Why DATA cannot be decoded, when the file was read with ``FCSFile/DataCheck/deferred``.
  public let dataError: FCSError?
  /// The file's bytes (memory-mapped when read from disk).
  let bytes: Data
  /// The path the file was read from, for errors raised while decoding DATA.
  var file: String? = nil
  /// `bytes` is a private read-only file mapping: decoding releases the DATA pages it has read.
  var releasesDataPages = false

  /// The same data set with one more diagnostic.
  func appending(_ d: Diagnostic) -> FCSDataSet {
    var ds = FCSDataSet(index: index, offset: offset, header: header, keywords: keywords, parameters: parameters,
                        dataType: dataType, byteOrder: byteOrder, eventCount: eventCount, dataRange: dataRange,
                        analysisRange: analysisRange, diagnostics: diagnostics + [d], dataError: dataError, bytes: bytes,
                        file: file)
    ds.releasesDataPages = releasesDataPages
    return ds
  }

  /// The FCS version of this data set.
  public var version: FCSVersion { header.version }

  /// The ANALYSIS segment's bytes, uninterpreted.
  public var analysis: [UInt8] { [UInt8](bytes[analysisRange]) }

  /// The bytes per event, or `nil` for delimited ASCII.
  public var bytesPerEvent: Int? {
    var total = 0
    for p in parameters { guard let w = p.byteWidth else { return nil }; total += w }
    return total
  }

  /// The parameter with short name `name` (`$PnN`), or `nil`.
  /// - Throws: ``FCSError/Kind/noSuchChannel`` when several parameters share the name.
  public func parameter(named name: ChannelName) throws -> FCSParameter? {
    let hits = parameters.filter { $0.name == name }
    if hits.count > 1 {
      throw FCSError(.noSuchChannel, "channel name \(name) is ambiguous: parameters " +
                     hits.map { "\($0.index.fcsParameterNumber)" }.joined(separator: ", ") + " share it")
    }
    return hits.first
  }

  /// The spillover matrix stored in the file, from `$SPILLOVER`, `SPILL`, `$SPILL`, `$COMP`
  /// or Beckman Coulter `$DFCiTOj` keywords; `nil` when the file has none.
  public var spillover: FCSSpillover? { FCSSpillover(dataSet: self) }

  /// `$TIMESTEP` in seconds, when present and numeric.
  public var timestep: Double? { keywords.double("$TIMESTEP") }

  /// The acquisition date and times (`$DATE`, `$BTIM`, `$ETIM`, or FCS 3.2 `$BEGINDATETIME`/`$ENDDATETIME`).
  public var acquisition: FCSAcquisitionTime { FCSAcquisitionTime(keywords: keywords) }

  /// The cytometer (`$CYT`).
  public var cytometer: String? { keywords["$CYT"] }

  /// The declared volume in nanolitres (`$VOL`), when present and numeric.
  public var volumeNanolitres: Double? { keywords.double("$VOL") }
}

/// A spillover matrix as stored in an FCS file, with the keyword it came from.
public struct FCSSpillover: Sendable, Equatable {
  /// The keyword the matrix was read from (`$SPILLOVER`, `SPILL`, `$SPILL`, `$COMP`, or `$DFC`).
  public var keyword: String
  /// The matrix.
  public var matrix: SpilloverMatrix
  /// Problems found while reading it.
  public var diagnostics: [Diagnostic]

  /// The spillover of `dataSet`, or `nil` when it has none.
  public init?(dataSet: FCSDataSet) {
    let kw = dataSet.keywords
    for key in ["$SPILLOVER", "SPILL", "$SPILL", "SPILLOVER"] {
      guard let v = kw[key] else { continue }
      if let m = Self.parseSpillover(v) {
        self.init(keyword: key, matrix: m, diagnostics: [])
        return
      }
      self.init(keyword: key, matrix: SpilloverMatrix(channels: [], values: []), diagnostics: [
        Diagnostic(.warning, .init("fcs.spillover.malformed"), "\(key) cannot be read as n,names…,values…",
                   at: SourceLocation(section: "TEXT", keyword: key))])
      return
    }
    if let v = kw["$COMP"], let m = Self.parseComp(v, parameters: dataSet.parameters) {
      self.init(keyword: "$COMP", matrix: m, diagnostics: [])
      return
    }
    if let m = Self.parseDFC(kw, parameters: dataSet.parameters) {
      self.init(keyword: "$DFC", matrix: m.0, diagnostics: m.1)
      return
    }
    return nil
  }

  init(keyword: String, matrix: SpilloverMatrix, diagnostics: [Diagnostic]) {
    self.keyword = keyword
    self.matrix = matrix
    self.diagnostics = diagnostics
  }

  /// Parses `n,name1,…,namen,v11,v12,…,vnn` (FCS 3.1 `$SPILLOVER`).
  static func parseSpillover(_ text: String) -> SpilloverMatrix? {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0.trimmingBlanksSub) }
    guard let n = Int(parts.first ?? ""), n > 0, n <= 4096, parts.count == 1 + n + n * n else { return nil }
    let names = parts[1...n].map { ChannelName($0) }
    var values: [Double] = []
    values.reserveCapacity(n * n)
    for s in parts[(n + 1)...] { guard let d = Double(s) else { return nil }; values.append(d) }
    return SpilloverMatrix(channels: names, values: values)
  }

  /// Parses FCS 2.0/3.0 `$COMP`: `n,v11,…,vnn` over the first `n` parameters.
  static func parseComp(_ text: String, parameters: [FCSParameter]) -> SpilloverMatrix? {
    let parts = text.split(separator: ",").map { String($0.trimmingBlanksSub) }
    guard let n = Int(parts.first ?? ""), n > 0, n <= parameters.count, parts.count == 1 + n * n else { return nil }
    let values = parts.dropFirst().compactMap(Double.init)
    guard values.count == n * n else { return nil }
    return SpilloverMatrix(channels: parameters.prefix(n).map(\.name), values: values)
  }

  /// Builds a matrix from Beckman Coulter `$DFCiTOj` keywords (percent spillover of
  /// fluorescence channel `i` into channel `j`), mapping `i` to the parameter named `FLi…`.
  static func parseDFC(_ kw: FCSKeywords, parameters: [FCSParameter]) -> (SpilloverMatrix, [Diagnostic])? {
    var pairs: [(Int, Int, Double)] = []
    for e in kw.entries {
      let k = e.keyword.uppercased()
      guard k.hasPrefix("$DFC"), let r = k.range(of: "TO") else { continue }
      guard let i = Int(k[k.index(k.startIndex, offsetBy: 4)..<r.lowerBound]), let j = Int(k[r.upperBound...]),
            let v = Double(e.value.trimmingBlanks), i >= 1, j >= 1 else { continue }
      pairs.append((i, j, v))
    }
    guard !pairs.isEmpty else { return nil }
    let n = pairs.reduce(0) { max($0, $1.0, $1.1) }
    guard n > 0, n <= 64 else { return nil }
    var names: [ChannelName] = []
    var diags: [Diagnostic] = []
    for i in 1...n {
      let prefix = "FL\(i)"
      if let p = parameters.first(where: { $0.name.rawValue == prefix })
        ?? parameters.first(where: { $0.name.rawValue.hasPrefix(prefix) && !$0.name.rawValue.dropFirst(prefix.count).first!.isNumber }) {
        names.append(p.name)
      } else {
        names.append(ChannelName(prefix))
        diags.append(Diagnostic(.warning, .init("fcs.spillover.dfcUnmatched"),
          "$DFC keywords name fluorescence channel \(i) but no parameter is named \(prefix)…",
          at: SourceLocation(section: "TEXT", keyword: "$DFC\(i)TO…")))
      }
    }
    var values = [Double](repeating: 0, count: n * n)
    for i in 0..<n { values[i * n + i] = 1 }
    for (i, j, v) in pairs { values[(i - 1) * n + (j - 1)] = v / 100 }
    diags.append(Diagnostic(.note, .init("fcs.spillover.dfc"),
      "spillover built from Beckman Coulter $DFCiTOj keywords (percent ÷ 100), channels " +
      names.map(\.rawValue).joined(separator: ", "), at: SourceLocation(section: "TEXT", keyword: "$DFC")))
    return (SpilloverMatrix(channels: names, values: values), diags)
  }
}

extension Substring {
  var trimmingBlanksSub: Substring {
    var s = self
    while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s.removeFirst() }
    while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s.removeLast() }
    return s
  }
}
