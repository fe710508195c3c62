import CytoCore
import CytoTransforms
import Foundation

extension GatingML {
  /// A Gating-ML 2.0 document for `strategy`. Reading it back gives an equal strategy.
  /// - Throws: ``GatingMLError`` for what standard Gating-ML 2.0 cannot express: a FlowJo
  ///   export not yet resolved against a file (its `Comp-` names), or a gate selecting the
  ///   outside of its shape (FlowJo `eventsInside="0"`).
  public static func write(_ strategy: GatingStrategy) throws -> String {
    if case .flowJoExport = strategy.dialect {
      throw GatingMLError("a FlowJo Gating-ML export is written only once resolved against a file (GatingStrategy.resolved(for:)): its Comp- dimensions depend on the file's spillover")
    }
    if let g = strategy.gates.first(where: { $0.region == .outside }) {
      throw GatingMLError("gate \(g.id) selects the events outside its shape (FlowJo eventsInside=\"0\"), which Gating-ML 2.0 cannot express")
    }
    var x = """
      <?xml version="1.0" encoding="UTF-8"?>
      <gating:Gating-ML xmlns:gating="\(gatingNS)"
          xmlns:transforms="\(transformsNS)"
          xmlns:data-type="\(dataTypeNS)">

      """
    func num(_ v: Double) -> String { v.compactText }
    func q(_ s: String) -> String { "\"" + xmlEscape(s) + "\"" }
    for tr in strategy.transformations.values.sorted(by: { $0.id < $1.id }) {
      var attrs = " transforms:id=\(q(tr.id))"
      if let m = tr.bounds?.boundMin { attrs += " transforms:boundMin=\"\(num(m))\"" }
      if let m = tr.bounds?.boundMax { attrs += " transforms:boundMax=\"\(num(m))\"" }
      x += "  <transforms:transformation\(attrs)>\n"
      switch tr.kind {
      case .scale(let s):
        let (name, params) = try gatingMLElement(s, id: tr.id)
        x += "    <transforms:\(name)" + params.map { " transforms:\($0.0)=\"\(num($0.1))\"" }.joined() + " />\n"
      case .ratio(let r, let a, let b):
        x += "    <transforms:fratio transforms:A=\"\(num(r.a))\" transforms:B=\"\(num(r.b))\" transforms:C=\"\(num(r.c))\">\n"
        x += "      <data-type:fcs-dimension data-type:name=\(q(a.rawValue)) />\n"
        x += "      <data-type:fcs-dimension data-type:name=\(q(b.rawValue)) />\n"
        x += "    </transforms:fratio>\n"
      }
      x += "  </transforms:transformation>\n"
    }
    for m in strategy.spectrumMatrices.values.sorted(by: { $0.id < $1.id }) {
      let inverted = m.form == .inverse
      x += "  <transforms:spectrumMatrix transforms:id=\(q(m.id))\(inverted ? " transforms:matrix-inverted-already=\"true\"" : "")>\n"
      let fluor = m.matrix.fluorochromes, det = m.matrix.detectors
      x += "    <transforms:fluorochromes>\n" + fluor.map { "      <data-type:fcs-dimension data-type:name=\(q($0.rawValue)) />\n" }.joined()
      x += "    </transforms:fluorochromes>\n    <transforms:detectors>\n"
      x += det.map { "      <data-type:fcs-dimension data-type:name=\(q($0.rawValue)) />\n" }.joined() + "    </transforms:detectors>\n"
      // One spectrum per fluorochrome; inverted already: one per detector.
      let (rows, cols) = inverted ? (det.count, fluor.count) : (fluor.count, det.count)
      for r in 0..<rows {
        x += "    <transforms:spectrum>\n"
        for c in 0..<cols { x += "      <transforms:coefficient transforms:value=\"\(num(m.matrix.values[r * cols + c]))\" />\n" }
        x += "    </transforms:spectrum>\n"
      }
      x += "  </transforms:spectrumMatrix>\n"
    }
    func dimAttrs(_ dm: GateDimension) -> String {
      var a = " gating:compensation-ref=\(q(dm.compensation.gatingML))"
      if let t = dm.transform { a += " gating:transformation-ref=\(q(t))" }
      return a
    }
    func dimBody(_ dm: GateDimension, indent: String) -> String {
      switch dm.source {
      case .channel(let c): return "\(indent)<data-type:fcs-dimension data-type:name=\(q(c.rawValue)) />\n"
      case .ratio(let r): return "\(indent)<data-type:new-dimension data-type:transformation-ref=\(q(r)) />\n"
      }
    }
    for gate in strategy.gates {
      let idAttr = " gating:id=\(q(gate.id.rawValue))" + (gate.parent.map { " gating:parent_id=\(q($0.rawValue))" } ?? "")
      switch gate.shape {
      case .rectangle(let sides):
        x += "  <gating:RectangleGate\(idAttr)>\n"
        for s in sides {
          var a = dimAttrs(s.dimension)
          if let m = s.min { a += " gating:min=\"\(num(m))\"" }
          if let m = s.max { a += " gating:max=\"\(num(m))\"" }
          x += "    <gating:dimension\(a)>\n" + dimBody(s.dimension, indent: "      ") + "    </gating:dimension>\n"
        }
        x += "  </gating:RectangleGate>\n"
      case .polygon(let dx, let dy, let vs):
        x += "  <gating:PolygonGate\(idAttr)>\n"
        for dm in [dx, dy] { x += "    <gating:dimension\(dimAttrs(dm))>\n" + dimBody(dm, indent: "      ") + "    </gating:dimension>\n" }
        for v in vs {
          x += "    <gating:vertex>\n      <gating:coordinate data-type:value=\"\(num(v.x))\" />\n"
          x += "      <gating:coordinate data-type:value=\"\(num(v.y))\" />\n    </gating:vertex>\n"
        }
        x += "  </gating:PolygonGate>\n"
      case .ellipsoid(let dims, let mean, let cov, let d2):
        x += "  <gating:EllipsoidGate\(idAttr)>\n"
        for dm in dims { x += "    <gating:dimension\(dimAttrs(dm))>\n" + dimBody(dm, indent: "      ") + "    </gating:dimension>\n" }
        x += "    <gating:mean>\n" + mean.map { "      <gating:coordinate data-type:value=\"\(num($0))\" />\n" }.joined() + "    </gating:mean>\n"
        x += "    <gating:covarianceMatrix>\n"
        for row in cov {
          x += "      <gating:row>\n" + row.map { "        <gating:entry data-type:value=\"\(num($0))\" />\n" }.joined() + "      </gating:row>\n"
        }
        x += "    </gating:covarianceMatrix>\n    <gating:distanceSquare data-type:value=\"\(num(d2))\" />\n"
        x += "  </gating:EllipsoidGate>\n"
      case .quadrant(let dividers, let quadrants):
        x += "  <gating:QuadrantGate\(idAttr)>\n"
        for dv in dividers {
          x += "    <gating:divider gating:id=\(q(dv.id))\(dimAttrs(dv.dimension))>\n" + dimBody(dv.dimension, indent: "      ")
          x += dv.values.map { "      <gating:value>\(num($0))</gating:value>\n" }.joined() + "    </gating:divider>\n"
        }
        for qd in quadrants {
          x += "    <gating:Quadrant gating:id=\(q(qd.id.rawValue))>\n"
          for dv in dividers {
            guard let loc = qd.positions[dv.id] else { continue }
            x += "      <gating:position gating:divider_ref=\(q(dv.id)) gating:location=\"\(num(loc))\" />\n"
          }
          x += "    </gating:Quadrant>\n"
        }
        x += "  </gating:QuadrantGate>\n"
      case .boolean(let e):
        x += "  <gating:BooleanGate\(idAttr)>\n"
        let (tag, ops): (String, [BooleanOperand]) = {
          switch e {
          case .and(let o): ("and", o)
          case .or(let o): ("or", o)
          case .not(let o): ("not", [o])
          }
        }()
        x += "    <gating:\(tag)>\n"
        for o in ops {
          x += "      <gating:gateReference gating:ref=\(q(o.gate.rawValue))\(o.complement ? " gating:use-as-complement=\"true\"" : "") />\n"
        }
        x += "    </gating:\(tag)>\n  </gating:BooleanGate>\n"
      }
    }
    x += "</gating:Gating-ML>\n"
    return x
  }
}

extension GatingML {
  /// The Gating-ML 2.0 element and parameters for a scale transform.
  ///
  /// FlowJo's biexponential is written as its equivalent `logicle`. The Gating-ML 1.5
  /// `asinh(a, b)` = b·asinh(a·x) with a, b > 0 is written as the equal `fasinh` with A = 0,
  /// M = 1/(b·ln 10), T = sinh(M·ln 10)/a; other signs have no Gating-ML 2.0 form.
  static func gatingMLElement(_ s: ScaleTransform, id: String) throws -> (String, [(String, Double)]) {
    switch s {
    case .flin(let p): return ("flin", [("T", p.t), ("A", p.a)])
    case .flog(let p): return ("flog", [("T", p.t), ("M", p.m)])
    case .fasinh(let p): return ("fasinh", [("T", p.t), ("M", p.m), ("A", p.a)])
    case .logicle(let p): return ("logicle", [("T", p.t), ("W", p.w), ("M", p.m), ("A", p.a)])
    case .hyperlog(let p): return ("hyperlog", [("T", p.t), ("W", p.w), ("M", p.m), ("A", p.a)])
    case .flowJoBiex(let b):
      let p = b.logicle
      return ("logicle", [("T", p.t), ("W", p.w), ("M", p.m), ("A", p.a)])
    case .gml15Asinh(let p):
      guard p.a > 0, p.b > 0 else {
        throw GatingMLError("transformation \(id): asinh(a: \(p.a), b: \(p.b)) has no Gating-ML 2.0 equivalent (a and b must be positive)")
      }
      let m = 1 / (p.b * log(10.0))
      return ("fasinh", [("T", sinh(m * log(10.0)) / p.a), ("M", m), ("A", 0)])
    }
  }
}
