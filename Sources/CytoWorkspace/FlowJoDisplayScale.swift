import CytoTransforms
import Foundation

/// How polygon and ellipse gates are evaluated (rectangles are exact in both modes).
public enum GeometryMode: String, Sendable, Hashable, CaseIterable {
  /// FlowJo 10's measured rule (docs/flowjo.md, "The rule"): events and vertices quantised on
  /// the gate's `gateResolution` grid over the display range, integer even–odd test. Reproduces
  /// FlowJo's saved counts.
  case flowJo
  /// Exact geometry: polygons tested straight in display space (0…1 per axis), ellipses on
  /// the unrounded 256-grid coordinates, as FlowKit 1.3.2 does. Differs from FlowJo by up to
  /// 13 events in 68983 (docs/flowjo.md, "Evidence").
  case exact
}

/// One axis's display mapping for polygon and ellipse gates: data value → `u` in 0…1 and the
/// grid index FlowJo bins with (docs/flowjo.md, "The rule", steps 1–2).
///
/// Only the transforms the rule was measured on are supported: `linear` (u = (x − min)/(max −
/// min), grid index `floor(u·R + 0.5)`) and `biex` (FlowJo's 4096-channel table, grid index
/// `floor(u·R)`). Anything else on a polygon or ellipse axis is refused
/// (``WorkspaceCountError/Kind/unsupportedTransform``) rather than counted by a guess.
///
/// Exact geometry (``GeometryMode/exact``) has no grid, so polygons on `logicle` and `fasinh`
/// axes are tested there too, in the Gating-ML display space of those transforms (`logicle`
/// T, W, M, A; `fasinh` T, M, A, as FlowKit reads FlowJo's arcsinh):
/// ``init(exactPolygonAxis:)``. Workspaces `cytoreset workspace export` writes need it. Exact
/// geometry also takes `hyperlog`, FlowJo's `log` (offset, decades) and axes with no transform
/// (linear: data units), so FlowJo-geometry counting can fall back to it, per gate and said.
struct FlowJoDisplayScale: Sendable {
  enum Mapping: Sendable {
    case linear(min: Double, max: Double)
    case biex(FlowJoBiexTable)
    /// A Gating-ML scale transform's display value (exact geometry only: no grid is measured).
    case gatingML(ScaleTransform)
    /// A FlowJo 9 linear axis: its display range is not established, so data values are used as
    /// they are. Exact geometry is unchanged by an affine axis map. FlowJo 9 gates carry no
    /// `gateResolution`, so the counter never asks such an axis for a grid index.
    case dataUnits
    /// FlowJo's `log` axis (offset, decades): u = log10(max(x, offset) / offset) / decades; values
    /// at or below the offset sit on the axis floor (exact geometry only: no grid is measured).
    case log(offset: Double, decades: Double)
  }
  let mapping: Mapping

  /// The scale for `transform`, or `nil` when the rule is not measured for it.
  init?(_ transform: FlowJoTransform?) {
    switch transform {
    case .linear(let lo, let hi, _)? where hi > lo: mapping = .linear(min: lo, max: hi)
    case .biex(let b)?: mapping = .biex(FlowJoBiexTable(b))
    case .flowJo9(let p)? where !p.isLog: mapping = .dataUnits
    default: return nil
    }
  }

  private init(mapping: Mapping) { self.mapping = mapping }

  /// The scale of a polygon axis under exact geometry: the grid-rule axes, and `logicle` and
  /// `fasinh` as Gating-ML transforms. `nil` for anything else (or invalid parameters).
  init?(exactPolygonAxis transform: FlowJoTransform?) {
    switch transform {
    case .logicle(let t, let w, let m, let a)?:
      guard let p = try? LogicleParameters(t: t, w: w, m: m, a: a) else { return nil }
      self.init(mapping: .gatingML(.logicle(p)))
    case .fasinh(let t, let m, let a, _, _, _)?:
      guard let p = try? ArcsinhParameters(t: t, m: m, a: a) else { return nil }
      self.init(mapping: .gatingML(.fasinh(p)))
    case .hyperlog(let t, let w, let m, let a)?:
      guard let p = try? HyperlogParameters(t: t, w: w, m: m, a: a) else { return nil }
      self.init(mapping: .gatingML(.hyperlog(p)))
    case .log(let offset, let decades)? where offset > 0 && decades > 0:
      self.init(mapping: .log(offset: offset, decades: decades))
    case nil:
      // No transform: FlowJo shows the parameter on a linear scale; straight edges on any linear
      // axis are straight in data units, so exact geometry needs no range.
      self.init(mapping: .dataUnits)
    default:
      self.init(transform)
    }
  }

  /// Display coordinate in 0…1 (outside when `x` is outside a linear range).
  func display(_ x: Double) -> Double {
    switch mapping {
    case .linear(let lo, let hi): (x - lo) / (hi - lo)
    case .biex(let t): t.displayValue(x)
    case .gatingML(let s): s.forward(x)
    case .dataUnits: x
    case .log(let offset, let decades): Foundation.log10(Swift.max(x, offset) / offset) / decades
    }
  }

  /// The grid index on a `resolution` × `resolution` grid: rounded on linear axes, floored on
  /// biex axes (the measured half-bin difference, docs/flowjo.md step 2).
  func gridIndex(_ x: Double, resolution: Int) -> Double {
    let s = display(x) * Double(resolution)
    switch mapping {
    case .linear, .dataUnits: return (s + 0.5).rounded(.down)
    case .biex: return s.rounded(.down)
    case .gatingML, .log: preconditionFailure("no FlowJo grid is measured for log, logicle, fasinh or hyperlog axes")
    }
  }

  /// The coordinate gates are tested on under `mode`: the grid index (``GeometryMode/flowJo``)
  /// or the display value scaled to the grid, unrounded (``GeometryMode/exact``).
  func coordinate(_ x: Double, resolution: Int, mode: GeometryMode) -> Double {
    switch mode {
    case .flowJo: gridIndex(x, resolution: resolution)
    case .exact: display(x) * Double(resolution)
    }
  }
}
