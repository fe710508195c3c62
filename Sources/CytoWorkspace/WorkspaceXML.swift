import CytoGating
import Foundation

/// One XML element of a workspace, with its namespace resolved and its line, for errors: the
/// element type of the package's shared XML reader (CytoGating's `XMLTreeBuilder`, which
/// refuses DTDs, entity declarations, non-UTF-8 input and truncated documents).
typealias WSElement = XMLElement

/// Namespaces FlowJo 10 uses (the Gating-ML 2.0 ones).
enum WSNamespace {
  static let gating = "http://www.isac-net.org/std/Gating-ML/v2.0/gating"
  static let transforms = "http://www.isac-net.org/std/Gating-ML/v2.0/transformations"
  static let dataType = "http://www.isac-net.org/std/Gating-ML/v2.0/datatypes"
}

/// Parses workspace XML into a `WSElement` tree (the shared reader), its refusals as
/// ``WorkspaceError``s.
enum WorkspaceXMLParser {
  static func parse(_ data: Data) throws(WorkspaceError) -> WSElement {
    do { return try XMLTreeBuilder.parse(data) } catch {
      let kind: WorkspaceError.Kind
      switch error.kind {
      case .malformed, .truncated: kind = .malformedXML
      case .documentTypeDeclaration: kind = .documentTypeDeclaration
      case .unsupportedEncoding: kind = .unsupportedEncoding
      }
      let message = error.kind == .documentTypeDeclaration && error.element == nil ? error.message + " in a workspace" : error.message
      throw WorkspaceError(kind, message, element: error.element, line: error.line)
    }
  }
}
