import CytoReport
import CytoStore
import Foundation

/// `GET /patients/{id}/report`: the patient's longitudinal report (CytoReport's HTML, the same
/// assembly as `cytoreset report`, without gating QC plots) with a link back to the review page.
///
/// The report is a static document: it gets its own Content-Security-Policy that allows only
/// its inline `<style>` elements, by their SHA-256, and nothing else: no scripts, no images,
/// no fetches, no forms.
enum PatientReportPage {
  /// The report of a patient the store lists (404 for any other id).
  static func html(patient id: String, catalog: StoreCatalog, softwareVersion: String) throws -> String {
    let reader = try catalog.open()
    let ids = try catalog.read { () throws(StoreError) in try reader.patientIDs() }
    guard ids.contains(id) else { throw ServeError.notFound("no such patient in the store") }
    let store = URL(fileURLWithPath: catalog.storePath).lastPathComponent
    let provenance = "store \(store) (schema \(reader.schemaVersion)); served by CytoReset \(softwareVersion) (cytoreset serve)"
    let report = try catalog.read { () throws(StoreError) in
      try PatientReportAssembly.report(patient: id, reader: reader, softwareVersion: softwareVersion, provenance: provenance)
    }
    return withBackLink(PatientReportRenderer.html(report), patient: id)
  }

  /// `html` with a navigation line to the review page's patient view after `<body>`.
  static func withBackLink(_ html: String, patient id: String) -> String {
    var unreserved = CharacterSet.alphanumerics
    unreserved.insert(charactersIn: "-._~")
    let encoded = id.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    let nav = "<nav><a class=\"back-link\" href=\"/#/patients/\(htmlEscaped(encoded))\">← Review page: "
      + htmlEscaped(id) + "</a> · <a href=\"/\">cohort</a></nav>\n"
    guard let body = html.range(of: "<body>\n") else { return html }
    return html.replacingCharacters(in: body, with: "<body>\n" + nav)
  }

  /// The policy of a report: its `<style>` elements by hash, nothing else.
  static func contentSecurityPolicy(for html: String) -> String {
    let hashes = styleElements(html).map { "'sha256-" + Data(SHA256.hash(Array($0.utf8)).bytes).base64EncodedString() + "'" }
    let style = hashes.isEmpty ? "'none'" : hashes.joined(separator: " ")
    return "default-src 'none'; style-src \(style); img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
  }

  /// The text of every `<style>` element (exactly as a browser hashes it).
  static func styleElements(_ html: String) -> [String] {
    var out: [String] = []
    var rest = html[...]
    while let open = rest.range(of: "<style>"), let close = rest.range(of: "</style>", range: open.upperBound..<rest.endIndex) {
      out.append(String(rest[open.upperBound..<close.lowerBound]))
      rest = rest[close.upperBound...]
    }
    return out
  }
}
