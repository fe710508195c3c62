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
          let code = "U+" + String(u.value, radix: 16, uppercase: true).leftPadded(to: 4)
          throw WorkspaceExportError(.unrepresentableText, "\(place): the value has character \(code), which XML 1.0 cannot hold")
        }
        out.unicodeScalars.append(u)
      }
    }
    return out
  }

  /// A number as written: the shortest text that reads back as the same `Double`.
  static func number(_ d: Double) -> String { "\(d)" }
}

extension String {
  fileprivate func leftPadded(to n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
