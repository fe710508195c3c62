import CytoClinical
import Foundation

/// The shared page frame of the reports: one self-contained HTML document with inline CSS
/// (print-friendly: A4, page breaks before long sections, charts never split), no scripts and
/// nothing fetched from anywhere.
struct HTMLPage {
  var title: String
  var body = ""

  static let css = """
    :root { color-scheme: light; }
    body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; font-size: 13px; color: #222; margin: 24px auto; max-width: 1100px; padding: 0 16px; }
    h1 { font-size: 22px; margin: 0 0 6px; }
    h2 { font-size: 17px; margin: 26px 0 8px; border-bottom: 1px solid #ccc; padding-bottom: 3px; }
    h3 { font-size: 14px; margin: 16px 0 6px; }
    dl.meta { display: grid; grid-template-columns: max-content auto; gap: 2px 14px; margin: 8px 0; }
    dl.meta dt { color: #555; }
    dl.meta dd { margin: 0; }
    table { border-collapse: collapse; margin: 6px 0 12px; font-size: 12px; }
    th, td { border: 1px solid #ccc; padding: 3px 7px; text-align: left; vertical-align: top; }
    th { background: #f2f2f2; }
    td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    .row { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
    .chart { break-inside: avoid; page-break-inside: avoid; }
    .chart svg { max-width: 100%; height: auto; }
    .qc { display: flex; flex-wrap: wrap; gap: 6px; }
    .qc figure { margin: 0; break-inside: avoid; page-break-inside: avoid; }
    .qc figcaption { font-size: 11px; color: #555; text-align: center; }
    .flag { color: #b00000; font-weight: bold; }
    .note { color: #555; }
    .page-break { break-before: page; page-break-before: always; }
    footer { margin-top: 28px; color: #777; font-size: 11px; }
    @page { size: A4; margin: 12mm; }
    @media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; page-break-after: avoid; } tr { break-inside: avoid; } }
    """

  /// The complete document.
  var html: String {
    """
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>\(htmlEscaped(title))</title>
    <style>
    \(Self.css)
    </style>
    </head>
    <body>
    \(body)</body>
    </html>

    """
  }
}

/// HTML building helpers; every text argument is escaped here.
enum HTML {
  static func e(_ s: String) -> String { htmlEscaped(s) }

  /// A table with a header row; cells are escaped unless passed through ``Cell/raw``.
  static func table(_ header: [String], _ rows: [[Cell]], numeric: Set<Int> = []) -> String {
    var s = "<table>\n<tr>" + header.map { "<th>\(e($0))</th>" }.joined() + "</tr>\n"
    for r in rows {
      s += "<tr>"
      for (i, c) in r.enumerated() {
        s += numeric.contains(i) ? "<td class=\"num\">" : "<td>"
        switch c {
        case .text(let t): s += e(t)
        case .raw(let t): s += t
        }
        s += "</td>"
      }
      s += "</tr>\n"
    }
    return s + "</table>\n"
  }

  enum Cell {
    case text(String)
    case raw(String)
  }

  /// Inline SVG markup from another renderer, or a notice when it contains active content.
  static func trustedSVG(_ svg: String) -> String {
    let lower = svg.lowercased()
    if lower.contains("<script") || lower.contains("<foreignobject") || lower.contains("javascript:") || containsEventHandler(lower) {
      return "<p class=\"flag\">plot omitted: it contains active content</p>"
    }
    return svg
  }

  /// Whether markup has an `on…=` event-handler attribute.
  static func containsEventHandler(_ lower: String) -> Bool {
    let bytes = Array(lower.utf8)
    guard bytes.count > 3 else { return false }
    for i in 1..<(bytes.count - 3) where bytes[i - 1] == UInt8(ascii: " ") && bytes[i] == UInt8(ascii: "o") && bytes[i + 1] == UInt8(ascii: "n") {
      var j = i + 2
      while j < bytes.count, bytes[j] >= UInt8(ascii: "a"), bytes[j] <= UInt8(ascii: "z") { j += 1 }
      if j > i + 2, j < bytes.count, bytes[j] == UInt8(ascii: "=") { return true }
    }
    return false
  }

  /// Days as text: `14`, `-7`, `3.5`.
  static func day(_ d: Double) -> String { num(d, 1) }

  /// A number with `decimals` decimals.
  static func number(_ v: Double?, _ decimals: Int = 2) -> String {
    guard let v, v.isFinite else { return "—" }
    return String(format: "%.\(decimals)f", v)
  }

  /// "value" or "< bound".
  static func quantity(_ q: Quantity?) -> String { q?.formatted(decimals: 2) ?? "—" }

  /// "lower–upper".
  static func interval(_ q: Quantity?) -> String {
    guard let q else { return "" }
    return "\(String(format: "%.2f", q.lower95))–\(String(format: "%.2f", q.upper95))"
  }
}
