import Foundation

/// Number text for SVG coordinates: fixed decimals (two by default), trailing zeros and a
/// trailing point removed, `-0` written as `0`. The same number always gives the same text on
/// every platform, so rendered files can be compared byte for byte (golden files).
func num(_ x: Double, _ decimals: Int = 2) -> String {
  guard x.isFinite else { return "0" }
  var s = String(format: "%.\(decimals)f", x)
  if s.contains(".") {
    while s.hasSuffix("0") { s.removeLast() }
    if s.hasSuffix(".") { s.removeLast() }
  }
  if s == "-0" { s = "0" }
  return s
}

/// A piece of SVG drawn in its own coordinate system: the elements (no `<svg>` wrapper) and
/// the size they occupy. Fragments compose: ``SmallMultiples`` places several side by side.
public struct SVGFragment: Sendable, Equatable {
  /// Width in SVG user units (CSS pixels).
  public var width: Double
  /// Height in SVG user units (CSS pixels).
  public var height: Double
  /// The SVG elements, drawn from (0, 0).
  public var body: String

  /// A fragment of `width` × `height` with `body`.
  public init(width: Double, height: Double, body: String) {
    self.width = width
    self.height = height
    self.body = body
  }

  /// A complete standalone SVG document (also valid inline in HTML).
  ///
  /// `title` (escaped) becomes the accessible `<title>` of the image.
  public func svg(title: String? = nil) -> String {
    var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(num(width))\" height=\"\(num(height))\" "
    s += "viewBox=\"0 0 \(num(width)) \(num(height))\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"11\">\n"
    if let title { s += "<title>\(htmlEscaped(title))</title>\n" }
    s += body
    s += "</svg>\n"
    return s
  }
}

/// Accumulates SVG elements with fixed number formatting; all text content is escaped.
struct SVGBuilder {
  var out = ""

  mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1, dash: String? = nil) {
    out += "<line x1=\"\(num(x1))\" y1=\"\(num(y1))\" x2=\"\(num(x2))\" y2=\"\(num(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(num(width))\""
    if let dash { out += " stroke-dasharray=\"\(dash)\"" }
    out += "/>\n"
  }

  mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, stroke: String? = nil, opacity: Double? = nil,
                     title: String? = nil) {
    out += "<rect x=\"\(num(x))\" y=\"\(num(y))\" width=\"\(num(max(0, w)))\" height=\"\(num(max(0, h)))\" fill=\"\(fill)\""
    if let stroke { out += " stroke=\"\(stroke)\"" }
    if let opacity { out += " fill-opacity=\"\(num(opacity))\"" }
    if let title { out += "><title>\(htmlEscaped(title))</title></rect>\n" } else { out += "/>\n" }
  }

  mutating func circle(_ cx: Double, _ cy: Double, _ r: Double, fill: String, stroke: String? = nil, title: String? = nil) {
    out += "<circle cx=\"\(num(cx))\" cy=\"\(num(cy))\" r=\"\(num(r))\" fill=\"\(fill)\""
    if let stroke { out += " stroke=\"\(stroke)\" stroke-width=\"1.5\"" }
    if let title { out += "><title>\(htmlEscaped(title))</title></circle>\n" } else { out += "/>\n" }
  }

  /// A polyline (or closed polygon) through `points`.
  mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 1.5, fill: String = "none", closed: Bool = false,
                         dash: String? = nil) {
    guard !points.isEmpty else { return }
    let pts = points.map { "\(num($0.0)),\(num($0.1))" }.joined(separator: " ")
    out += "<\(closed ? "polygon" : "polyline") points=\"\(pts)\" fill=\"\(fill)\" stroke=\"\(stroke)\" stroke-width=\"\(num(width))\""
    if let dash { out += " stroke-dasharray=\"\(dash)\"" }
    out += "/>\n"
  }

  /// A path with data `d` (already formatted).
  mutating func path(_ d: String, stroke: String, width: Double = 1.5, fill: String = "none", title: String? = nil) {
    out += "<path d=\"\(d)\" fill=\"\(fill)\" stroke=\"\(stroke)\" stroke-width=\"\(num(width))\""
    if let title { out += "><title>\(htmlEscaped(title))</title></path>\n" } else { out += "/>\n" }
  }

  enum Anchor: String { case start, middle, end }

  /// Text at (x, y); `text` is escaped here.
  mutating func text(_ x: Double, _ y: Double, _ text: String, anchor: Anchor = .start, size: Double? = nil, fill: String = "#222",
                     weight: String? = nil, rotate: Double? = nil) {
    out += "<text x=\"\(num(x))\" y=\"\(num(y))\""
    if anchor != .start { out += " text-anchor=\"\(anchor.rawValue)\"" }
    if let size { out += " font-size=\"\(num(size))\"" }
    if fill != "#222" { out += " fill=\"\(fill)\"" } else { out += " fill=\"#222\"" }
    if let weight { out += " font-weight=\"\(weight)\"" }
    if let rotate { out += " transform=\"rotate(\(num(rotate)) \(num(x)) \(num(y)))\"" }
    out += ">\(htmlEscaped(text))</text>\n"
  }

  /// Raw, already-safe markup produced by this module.
  mutating func raw(_ s: String) { out += s }
}

/// The colours charts use: a qualitative palette (Okabe–Ito, readable by colour-blind readers)
/// and fixed colours for bands and markers.
public enum ChartPalette {
  /// Series and segment colours, in order.
  public static let qualitative = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]
  /// The colour of the `i`-th series (cycling).
  public static func color(_ i: Int) -> String { qualitative[((i % qualitative.count) + qualitative.count) % qualitative.count] }
}
