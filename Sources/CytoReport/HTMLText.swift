/// Escapes text for HTML element content and attribute values (`&`, `<`, `>`, `"`, `'`).
///
/// Every string that comes from a file or the user (keywords, patient ids, notes) passes
/// through this before it reaches a report, so `<script>` shows as text.
public func htmlEscaped(_ s: String) -> String {
  var out = ""
  out.reserveCapacity(s.utf8.count)
  for c in s.unicodeScalars {
    switch c {
    case "&": out += "&amp;"
    case "<": out += "&lt;"
    case ">": out += "&gt;"
    case "\"": out += "&quot;"
    case "'": out += "&#39;"
    default: out.unicodeScalars.append(c)
    }
  }
  return out
}
