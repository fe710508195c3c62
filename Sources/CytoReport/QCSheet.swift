import CytoGating

/// One file's gating on one page: a header of text lines (file, panel, how each gate was
/// found) above a grid of its gate plots, as a standalone SVG.
public enum QCSheet {
  /// - Parameters:
  ///   - title: the first, bold line.
  ///   - lines: further lines (wrapped at about 170 characters).
  ///   - plots: the gate plots, in order.
  ///   - columns: plots per row.
  public static func svg(title: String, lines: [String], plots: [GatePlot], columns: Int = 4) throws(PNGEncoder.Error) -> String {
    var cells: [(fragment: SVGFragment, caption: String?)] = []
    for p in plots { cells.append((try p.fragment(), nil)) }
    let grid = SmallMultiples(cells: cells, columns: columns).fragment()
    var wrapped: [String] = []
    for l in lines { wrapped += wrap(l, width: 170) }
    let head = 22 + 14 * Double(wrapped.count) + 8
    var svg = SVGBuilder()
    svg.text(6, 16, title, size: 13, weight: "bold")
    for (i, l) in wrapped.enumerated() { svg.text(6, 32 + 14 * Double(i), l, size: 10) }
    svg.raw("<g transform=\"translate(0,\(num(head)))\">\n")
    svg.raw(grid.body)
    svg.raw("</g>\n")
    return SVGFragment(width: max(grid.width, 900), height: head + grid.height, body: svg.out).svg(title: title)
  }

  static func wrap(_ s: String, width: Int) -> [String] {
    var out: [String] = [], line = ""
    for word in s.split(separator: " ", omittingEmptySubsequences: false) {
      if line.count + word.count + 1 > width && !line.isEmpty {
        out.append(line)
        line = "    " + word
      } else {
        line += line.isEmpty ? String(word) : " " + word
      }
    }
    if !line.isEmpty { out.append(line) }
    return out
  }
}
