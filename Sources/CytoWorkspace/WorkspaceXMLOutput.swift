import CytoGating
/// One element of a document being written: name, attributes in order, children. Serialised
/// with every attribute value escaped (``WorkspaceXMLOutput/escape(_:)``).
struct XMLOutputElement {
  var name: String
  var attributes: [(String, String)]
  var children: [XMLOutputElement]

  init(_ name: String, _ attributes: [(String, String)] = [], _ children: [XMLOutputElement] = []) {
    self.name = name
    self.attributes = attributes
    self.children = children
  }

  /// Appends the element, indented by `depth` levels, and its children.
  func render(into out: inout String, depth: Int) throws(WorkspaceExportError) {
    let pad = String(repeating: "  ", count: depth)
    out += pad + "<" + name
    for (k, v) in attributes {
      out += " \(k)=\"" + (try WorkspaceXMLOutput.escape(v, where: "\(name)@\(k)")) + "\""
    }
    if children.isEmpty {
      out += "/>\n"
      return
    }
    out += ">\n"
    for c in children { try c.render(into: &out, depth: depth + 1) }
    out += pad + "</" + name + ">\n"
  }
}

/// Escaping for attribute values.
enum WorkspaceXMLOutput {
  /// `s` as an XML 1.0 attribute value: `& < > " '` as entities, tab, line feed and carriage
  /// return as character references (so a reader's attribute normalisation keeps them).
  /// - Throws: ``WorkspaceExportError/Kind/unrepresentableText`` for characters XML 1.0 cannot
  ///   carry at all (other C0 controls, U+FFFE, U+FFFF); `where` names the attribute.
  static func escape(_ s: String, where place: String) throws(WorkspaceExportError) -> String {
    do { return try XMLEscape.text(s) } catch {
      throw WorkspaceExportError(.unrepresentableText, "\(place): the value has character \(error.character), which XML 1.0 cannot hold")
    }
  }

  /// A number as written: the shortest text that reads back as the same `Double`.
  static func number(_ d: Double) -> String { "\(d)" }
}

