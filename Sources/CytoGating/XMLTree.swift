import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A parsed XML element with resolved namespaces and its line number, for precise errors.
struct XMLElement: Sendable {
  var namespace: String?
  var name: String  // local name
  var qualifiedName: String
  /// Attributes by local name (prefix removed), and by qualified name.
  var attributes: [String: String]
  var qualifiedAttributes: [String: String]
  var children: [XMLElement]
  var text: String
  var line: Int

  func attribute(_ local: String) -> String? { attributes[local] }

  func children(_ ns: String, _ local: String) -> [XMLElement] {
    children.filter { $0.namespace == ns && $0.name == local }
  }

  func child(_ ns: String, _ local: String) -> XMLElement? { children(ns, local).first }
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
final class XMLTreeBuilder: NSObject, XMLParserDelegate {
  private var stack: [(XMLElement, [String: String])] = []  // element, namespaces in scope
  private(set) var root: XMLElement?
  private weak var parser: XMLParser?

  static func parse(_ data: Data) throws -> XMLElement {
    let p = XMLParser(data: data)
    let b = XMLTreeBuilder()
    b.parser = p
    p.delegate = b
    p.shouldProcessNamespaces = false
    p.shouldResolveExternalEntities = false
    if !p.parse() {
      let e = p.parserError as NSError?
      throw GatingMLError("not well-formed XML: \(e?.localizedDescription ?? "unknown error")", line: p.lineNumber)
    }
    guard let root = b.root else { throw GatingMLError("the document has no root element") }
    return root
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
    let e = XMLElement(namespace: ns[prefix], name: local, qualifiedName: elementName, attributes: attrs,
                       qualifiedAttributes: attributeDict, children: [], text: "", line: parser.lineNumber)
    stack.append((e, ns))
  }

  func parser(_ parser: XMLParser, foundCharacters string: String) {
    guard !stack.isEmpty else { return }
    stack[stack.count - 1].0.text += string
  }

  func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
    guard let (e, _) = stack.popLast() else { return }
    if stack.isEmpty { root = e } else { stack[stack.count - 1].0.children.append(e) }
  }
}

/// Escapes text for XML content and attribute values.
func xmlEscape(_ s: String) -> String {
  var out = ""
  for c in s.unicodeScalars {
    switch c {
    case "&": out += "&amp;"
    case "<": out += "&lt;"
    case ">": out += "&gt;"
    case "\"": out += "&quot;"
    case "'": out += "&apos;"
    default: out.unicodeScalars.append(c)
    }
  }
  return out
}
