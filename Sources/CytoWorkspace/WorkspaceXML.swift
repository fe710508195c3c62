import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// One XML element of a workspace, with its namespace resolved and its line, for errors.
struct WSElement: Sendable {
  var namespace: String?
  /// Local name (prefix removed).
  var name: String
  var qualifiedName: String
  /// Attributes by local name (prefix removed).
  var attributes: [String: String]
  var children: [WSElement]
  var line: Int

  func attribute(_ local: String) -> String? { attributes[local] }
  func children(_ ns: String?, _ local: String) -> [WSElement] {
    children.filter { $0.namespace == ns && $0.name == local }
  }
  func child(_ ns: String?, _ local: String) -> WSElement? { children.first { $0.namespace == ns && $0.name == local } }
  func `is`(_ ns: String?, _ local: String) -> Bool { namespace == ns && name == local }
}

/// Namespaces FlowJo 10 uses (the Gating-ML 2.0 ones).
enum WSNamespace {
  static let gating = "http://www.isac-net.org/std/Gating-ML/v2.0/gating"
  static let transforms = "http://www.isac-net.org/std/Gating-ML/v2.0/transformations"
  static let dataType = "http://www.isac-net.org/std/Gating-ML/v2.0/datatypes"
}

/// Parses workspace XML into a `WSElement` tree, refusing DTDs.
///
/// Security, the same stance as the Gating-ML reader (`shouldResolveExternalEntities = false`)
/// plus one more step: any `<!DOCTYPE` is refused *before* the parser sees the document, so
/// neither external entities (XXE) nor internal entity expansion ("billion laughs") can occur.
/// Without a DTD only the five predefined entities exist. Non-UTF-8 input (UTF-16/32 byte order
/// marks or NUL bytes in the prolog) is refused too, so the byte scan cannot be bypassed.
final class WorkspaceXMLParser: NSObject, XMLParserDelegate {
  private var stack: [(WSElement, [String: String])] = []
  private var root: WSElement?
  private var refusal: WorkspaceError?

  static func parse(_ data: Data) throws(WorkspaceError) -> WSElement {
    try refuseUnsafeProlog(data)
    let p = XMLParser(data: data)
    let b = WorkspaceXMLParser()
    p.delegate = b
    p.shouldProcessNamespaces = false
    p.shouldResolveExternalEntities = false
    let ok = p.parse()
    if let r = b.refusal { throw r }
    guard ok else {
      let e = p.parserError as NSError?
      throw WorkspaceError(.malformedXML, "not well-formed XML: \(e?.localizedDescription ?? "unknown error")",
                           line: p.lineNumber)
    }
    // Foundation's parser can report success on a truncated document: then elements are
    // still open, and the error names the innermost one and the last line read.
    if let (open, _) = b.stack.last {
      throw WorkspaceError(.malformedXML, "the document ends inside <\(open.qualifiedName)> (opened on line \(open.line)): truncated XML",
                           element: open.qualifiedName, line: max(p.lineNumber, open.line))
    }
    guard let root = b.root else { throw WorkspaceError(.malformedXML, "the document has no root element", line: p.lineNumber) }
    return root
  }

  /// Refuses DTDs and encodings other than UTF-8, scanning the raw bytes.
  static func refuseUnsafeProlog(_ data: Data) throws(WorkspaceError) {
    let bytes = [UInt8](data)
    let head = bytes.prefix(4)
    if head.starts(with: [0xFE, 0xFF]) || head.starts(with: [0xFF, 0xFE]) || head.contains(0) {
      throw WorkspaceError(.unsupportedEncoding, "only UTF-8 workspaces are read (found a UTF-16/32 byte order or NUL bytes)", line: 1)
    }
    let needle = Array("<!DOCTYPE".utf8)
    guard bytes.count >= needle.count else { return }
    var line = 1
    for i in 0...(bytes.count - needle.count) {
      if bytes[i] == 0x0A { line += 1 }
      if bytes[i] == 0x3C, bytes[i + 1] == 0x21, Array(bytes[i..<(i + needle.count)]) == needle {
        throw WorkspaceError(.documentTypeDeclaration,
                             "a DTD (<!DOCTYPE …>) is not allowed: it can declare external or expanding entities",
                             element: "!DOCTYPE", line: line)
      }
    }
  }

  private func refuse(_ parser: XMLParser, _ what: String) {
    if refusal == nil {
      refusal = WorkspaceError(.documentTypeDeclaration, "\(what) is not allowed in a workspace", line: parser.lineNumber)
    }
    parser.abortParsing()
  }

  func parser(_ parser: XMLParser, foundInternalEntityDeclarationWithName name: String, value: String?) {
    refuse(parser, "the entity declaration \(name)")
  }

  func parser(_ parser: XMLParser, foundExternalEntityDeclarationWithName name: String, publicID: String?, systemID: String?) {
    refuse(parser, "the external entity \(name)")
  }

  func parser(_ parser: XMLParser, resolveExternalEntityName name: String, systemID: String?) -> Data? {
    refuse(parser, "the external entity \(name)")
    return nil
  }

  func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
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
    let e = WSElement(namespace: ns[prefix], name: local, qualifiedName: elementName, attributes: attrs,
                      children: [], line: parser.lineNumber)
    stack.append((e, ns))
  }

  func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
    guard let (e, _) = stack.popLast() else { return }
    if stack.isEmpty { root = e } else { stack[stack.count - 1].0.children.append(e) }
  }
}
