import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A parsed XML element with resolved namespaces and its line number, for precise errors.
/// Shared by the XML readers of this package (Gating-ML here, FlowJo workspaces in
/// CytoWorkspace).
package struct XMLElement: Sendable {
  package var namespace: String?
  package var name: String  // local name
  package var qualifiedName: String
  /// Attributes by local name (prefix removed), and by qualified name.
  package var attributes: [String: String]
  package var qualifiedAttributes: [String: String]
  package var children: [XMLElement]
  package var text: String
  package var line: Int

  package func attribute(_ local: String) -> String? { attributes[local] }

  package func children(_ ns: String?, _ local: String) -> [XMLElement] {
    children.filter { $0.namespace == ns && $0.name == local }
  }

  package func child(_ ns: String?, _ local: String) -> XMLElement? { children.first { $0.namespace == ns && $0.name == local } }

  package func `is`(_ ns: String?, _ local: String) -> Bool { namespace == ns && name == local }
}

/// Why a document could not be read as XML (the readers map it to their own typed errors).
package struct XMLReadError: Error, Sendable {
  package enum Kind: Sendable { case malformed, documentTypeDeclaration, unsupportedEncoding, truncated }
  package var kind: Kind
  package var message: String
  package var element: String?
  package var line: Int
}

/// An error in a Gating-ML (or other XML) document, naming the element and line.
public struct GatingMLError: Error, Sendable, CustomStringConvertible, Equatable {
  public var message: String
  public var element: String?
  public var line: Int?
  public var file: String?

  public init(_ message: String, element: String? = nil, line: Int? = nil, file: String? = nil) {
    self.message = message
    self.element = element
    self.line = line
    self.file = file
  }

  public var description: String {
    var parts: [String] = []
    if let file { parts.append(file) }
    if let line { parts.append("line \(line)") }
    if let element { parts.append("<\(element)>") }
    return (parts.isEmpty ? "" : parts.joined(separator: ": ") + ": ") + message
  }
}

/// Builds an `XMLElement` tree with Foundation's streaming parser (which reports line numbers).
///
/// Security: any `<!DOCTYPE` is refused *before* the parser sees the document, so neither
/// external entities (XXE) nor internal entity expansion ("billion laughs") can occur; entity
/// declarations reaching the parser abort it; external entities are never resolved. Without a
/// DTD only the five predefined entities exist. Non-UTF-8 input (UTF-16/32 byte order marks, NUL
/// bytes in the prolog, any invalid UTF-8 sequence) is refused so the byte scan cannot be bypassed
/// and Foundation's parser never sees a name it would trap on. Foundation's parser
/// can report success on a truncated document; elements still open at the end are refused.
package final class XMLTreeBuilder: NSObject, XMLParserDelegate {
  private var stack: [(XMLElement, [String: String])] = []  // element, namespaces in scope
  private(set) var root: XMLElement?
  private var refusal: XMLReadError?

  package static func parse(_ data: Data) throws(XMLReadError) -> XMLElement {
    try refuseUnsafeProlog(data)
    let p = XMLParser(data: data)
    let b = XMLTreeBuilder()
    p.delegate = b
    p.shouldProcessNamespaces = false
    p.shouldResolveExternalEntities = false
    let ok = p.parse()
    if let r = b.refusal { throw r }
    guard ok else {
      let e = p.parserError as NSError?
      throw XMLReadError(kind: .malformed, message: "not well-formed XML: \(e?.localizedDescription ?? "unknown error")", line: p.lineNumber)
    }
    if let (open, _) = b.stack.last {
      throw XMLReadError(kind: .truncated, message: "the document ends inside <\(open.qualifiedName)> (opened on line \(open.line)): truncated XML",
                         element: open.qualifiedName, line: max(p.lineNumber, open.line))
    }
    guard let root = b.root else { throw XMLReadError(kind: .malformed, message: "the document has no root element", line: p.lineNumber) }
    return root
  }

  /// Refuses DTDs and encodings other than UTF-8, scanning the raw bytes.
  static func refuseUnsafeProlog(_ data: Data) throws(XMLReadError) {
    let bytes = [UInt8](data)
    let head = bytes.prefix(4)
    if head.starts(with: [0xFE, 0xFF]) || head.starts(with: [0xFF, 0xFE]) || head.contains(0) {
      throw XMLReadError(kind: .unsupportedEncoding, message: "only UTF-8 XML is read (found a UTF-16/32 byte order or NUL bytes)", line: 1)
    }
    try requireUTF8(bytes)
    let needle = Array("<!DOCTYPE".utf8)
    guard bytes.count >= needle.count else { return }
    var line = 1
    for i in 0...(bytes.count - needle.count) {
      if bytes[i] == 0x0A { line += 1 }
      if bytes[i] == 0x3C, bytes[i + 1] == 0x21, Array(bytes[i..<(i + needle.count)]) == needle {
        throw XMLReadError(kind: .documentTypeDeclaration,
                           message: "a DTD (<!DOCTYPE …>) is not allowed: it can declare external or expanding entities",
                           element: "!DOCTYPE", line: line)
      }
      if bytes[i] == 0x3C, bytes[i + 1] == 0x3F, let target = emptyProcessingInstruction(bytes, at: i) {
        throw XMLReadError(kind: .malformed,
                           message: "a processing instruction without data (<?\(target)?>) is not read (Foundation's parser crashes on one)",
                           element: "?" + target, line: line)
      }
    }
  }

  /// The target of a processing instruction at `i` (`<?target?>`) that has no data, else `nil`.
  /// Foundation's parser passes such an instruction's missing data to `strlen` and crashes (found
  /// by fuzzing); neither Gating-ML nor FlowJo writes one.
  static func emptyProcessingInstruction(_ bytes: [UInt8], at i: Int) -> String? {
    func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
    var j = i + 2
    while j < bytes.count, !isSpace(bytes[j]), bytes[j] != 0x3F, bytes[j] != 0x3C, bytes[j] != 0x3E { j += 1 }
    let target = String(decoding: bytes[(i + 2)..<j], as: UTF8.self)
    while j < bytes.count, isSpace(bytes[j]) { j += 1 }
    guard j + 1 < bytes.count, bytes[j] == 0x3F, bytes[j + 1] == 0x3E else { return nil }
    return target
  }

  /// Refuses bytes that are not UTF-8, naming the first bad byte's offset and line: Foundation's
  /// parser traps on an element or attribute name that is not valid UTF-8 (found by fuzzing).
  static func requireUTF8(_ bytes: [UInt8]) throws(XMLReadError) {
    var parser = Unicode.UTF8.ForwardParser()
    var it = bytes.makeIterator()
    var offset = 0, line = 1
    while true {
      switch parser.parseScalar(from: &it) {
      case .valid(let scalar):
        if scalar.count == 1, scalar.first == 0x0A { line += 1 }
        offset += scalar.count
      case .error(let length):
        let bad = bytes[offset..<min(bytes.count, offset + max(1, length))].map { String(format: "0x%02X", $0) }
        throw XMLReadError(kind: .unsupportedEncoding,
                           message: "not UTF-8: invalid byte sequence \(bad.joined(separator: " ")) at byte offset \(offset)",
                           line: line)
      case .emptyInput:
        return
      }
    }
  }

  private func refuse(_ parser: XMLParser, _ what: String) {
    if refusal == nil {
      refusal = XMLReadError(kind: .documentTypeDeclaration, message: "\(what) is not allowed", line: parser.lineNumber)
    }
    parser.abortParsing()
  }

  package func parser(_ parser: XMLParser, foundInternalEntityDeclarationWithName name: String, value: String?) {
    refuse(parser, "the entity declaration \(name)")
  }

  package func parser(_ parser: XMLParser, foundExternalEntityDeclarationWithName name: String, publicID: String?, systemID: String?) {
    refuse(parser, "the external entity \(name)")
  }

  package func parser(_ parser: XMLParser, resolveExternalEntityName name: String, systemID: String?) -> Data? {
    refuse(parser, "the external entity \(name)")
    return nil
  }

  package func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                      qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
    var ns = stack.last?.1 ?? [:]
    for (k, v) in attributeDict {
      if k == "xmlns" { ns[""] = v } else if k.hasPrefix("xmlns:") { ns[String(k.dropFirst(6))] = v }
    }
    func split(_ q: String) -> (String, String) {
      if let i = q.firstIndex(of: ":") { return (String(q[..<i]), String(q[q.index(after: i)...])) }
      return ("", q)
    }
    let (prefix, local) = split(elementName)
    var attrs: [String: String] = [:]
    for (k, v) in attributeDict where k != "xmlns" && !k.hasPrefix("xmlns:") { attrs[split(k).1] = v }
    let e = XMLElement(namespace: ns[prefix], name: local, qualifiedName: elementName, attributes: attrs,
                       qualifiedAttributes: attributeDict, children: [], text: "", line: parser.lineNumber)
    stack.append((e, ns))
  }

  package func parser(_ parser: XMLParser, foundCharacters string: String) {
    guard !stack.isEmpty else { return }
    stack[stack.count - 1].0.text += string
  }

  package func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
    guard let (e, _) = stack.popLast() else { return }
    if stack.isEmpty { root = e } else { stack[stack.count - 1].0.children.append(e) }
  }
}

/// XML 1.0 escaping shared by the package's writers (Gating-ML here, FlowJo workspaces in
/// CytoWorkspace).
package enum XMLEscape {
  /// Why a string cannot be written: the first character XML 1.0 cannot hold.
  package struct Unrepresentable: Error {
    /// `U+0001`.
    package var character: String
  }

  /// `s` for an attribute value or element text: `& < > " '` as entities, tab, line feed and
  /// carriage return as character references (so a reader's attribute normalisation keeps them).
  /// - Throws: ``Unrepresentable`` for a character XML 1.0 cannot carry at all (other C0
  ///   controls, U+FFFE, U+FFFF).
  package static func text(_ s: String) throws(Unrepresentable) -> String {
    var out = ""
    out.reserveCapacity(s.utf8.count)
    for u in s.unicodeScalars {
      switch u {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&apos;"
      case "\t": out += "&#9;"
      case "\n": out += "&#10;"
      case "\r": out += "&#13;"
      default:
        if u.value < 0x20 || u.value == 0xFFFE || u.value == 0xFFFF {
          let hex = String(u.value, radix: 16, uppercase: true)
          throw Unrepresentable(character: "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex)
        }
        out.unicodeScalars.append(u)
      }
    }
    return out
  }
}

/// Escapes text for Gating-ML content and attribute values (``XMLEscape/text(_:)``); a
/// character XML 1.0 cannot hold becomes U+FFFD, since the names written come from documents
/// and panels already read.
func xmlEscape(_ s: String) -> String {
  if let t = try? XMLEscape.text(s) { return t }
  let cleaned = String(String.UnicodeScalarView(s.unicodeScalars.map {
    ($0.value < 0x20 && $0 != "\t" && $0 != "\n" && $0 != "\r") || $0.value == 0xFFFE || $0.value == 0xFFFF ? "\u{FFFD}" : $0
  }))
  return (try? XMLEscape.text(cleaned)) ?? ""
}
