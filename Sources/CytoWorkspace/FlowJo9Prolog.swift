import Foundation

/// The prolog FlowJo 9 writes, made acceptable to the shared XML reader without weakening it.
///
/// FlowJo 9.2 starts a workspace with `<?xml version="1.0" encoding="ISO-8859-1"?>` and a bare
/// `<!DOCTYPE Workspace>` (flowWorkspace `inst/extdata/empty_workspace_9.2.xml`). A DOCTYPE with
/// only a root name declares nothing (no internal subset, no external identifier), so exactly
/// that form is blanked out with spaces, keeping byte offsets and line numbers; any other
/// DOCTYPE is still refused by the reader. A document declaring ISO-8859-1 is transcoded to
/// UTF-8 (every byte is a Latin-1 character, so nothing can fail) and its declaration rewritten.
enum FlowJo9Prolog {
  /// `data` with FlowJo 9's bare DOCTYPE blanked and ISO-8859-1 transcoded; other input unchanged.
  static func normalize(_ data: Data) -> Data {
    var bytes = [UInt8](data)
    guard let rootStart = firstRootElement(bytes), bytes[..<rootStart].allSatisfy({ $0 < 0x80 }) else { return data }
    let prolog = String(decoding: bytes[..<rootStart], as: UTF8.self)
    if let range = prolog.range(of: #"<!DOCTYPE\s+Workspace\s*>"#, options: .regularExpression) {
      let lo = prolog.utf8.distance(from: prolog.startIndex, to: range.lowerBound)
      let hi = prolog.utf8.distance(from: prolog.startIndex, to: range.upperBound)
      for i in lo..<hi { bytes[i] = 0x20 }
    }
    let declaration = #"<\?xml[^>]*encoding\s*=\s*["'](ISO-8859-1|iso-8859-1|ISO_8859-1|latin1)["'][^>]*\?>"#
    guard let d = prolog.range(of: declaration, options: .regularExpression) else { return Data(bytes) }
    let declLength = prolog.utf8.distance(from: d.lowerBound, to: d.upperBound)
    let declStart = prolog.utf8.distance(from: prolog.startIndex, to: d.lowerBound)
    let newDecl = Array(#"<?xml version="1.0" encoding="UTF-8"?>"#.utf8)
    var out: [UInt8] = Array(bytes[..<declStart]) + newDecl
    out.reserveCapacity(bytes.count + bytes.count / 8)
    for b in bytes[(declStart + declLength)...] {
      if b < 0x80 { out.append(b) } else { out += Array(String(UnicodeScalar(b)).utf8) }
    }
    return Data(out)
  }

  /// The offset of the first `<` that starts an element (not `<?` or `<!`).
  static func firstRootElement(_ b: [UInt8]) -> Int? {
    var i = 0
    while i + 1 < b.count {
      if b[i] == 0x3C, b[i + 1] != 0x3F, b[i + 1] != 0x21 { return i }
      i += 1
    }
    return nil
  }
}
