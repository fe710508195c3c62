import CytoClinical
import CytoCore
import CytoGating
import CytoTransforms

extension ReviewSession {
  /// `analysis`' recorded gating with this session's gates and cuts: every gate the session
  /// changed gets its new geometry (status ``CytoClinical/AppliedGate/Status/override``, a note
  /// saying it was set in review), every moved cut its new value (method
  /// ``CytoClinical/AppliedCut/Method/override``). Evaluating the result's strategy on the file
  /// gives this session's counts.
  /// - Throws: ``ReviewError/noRecordedGating`` when `analysis` records no gating.
  public func reviewedGating(of analysis: VisitAnalysis) throws -> (gating: AppliedGating, cuts: [AppliedCut]) {
    guard var gating = analysis.gating else { throw ReviewError.noRecordedGating }
    for k in gating.gates.indices {
      guard let old = gating.gates[k].shape, let gate = strategy.gates.first(where: { $0.id.rawValue == gating.gates[k].id }) else { continue }
      let new = Self.shape(old, from: gate.shape)
      guard new != old else { continue }
      gating.gates[k].shape = new
      gating.gates[k].status = .override
      let was = gating.gates[k].rule.map { "found by rule '\($0)'" } ?? "as recorded"
      gating.gates[k].note = "set in review (before: \(was))"
    }
    let cuts = analysis.cuts.map { c -> AppliedCut in
      guard let now = self.cuts.first(where: { $0.name == c.name })?.value, now != c.value else { return c }
      var c2 = c
      c2.value = now
      c2.method = .override
      c2.note = "set in review (before: \(c.value) by \(c.method.rawValue))"
      return c2
    }
    return (gating, cuts)
  }

  /// `old` with the numbers of the strategy gate `shape` (the same kind, the same dimensions
  /// in the same order: the strategy was built from `old`).
  static func shape(_ old: AppliedShape, from shape: GateShape) -> AppliedShape {
    switch (old, shape) {
    case (.rectangle(var sides), .rectangle(let rs)) where rs.count == sides.count:
      for k in sides.indices {
        sides[k].min = rs[k].min
        sides[k].max = rs[k].max
      }
      return .rectangle(sides: sides)
    case (.polygon(let x, let y, _), .polygon(_, _, let v)):
      return .polygon(x: x, y: y, vertices: v.map { [$0.x, $0.y] })
    case (.quadrant(let x, _, let y, _, let qs), .quadrant(let d, _)) where d.count == 2 && d.allSatisfy({ $0.values.count == 1 }):
      return .quadrant(x: x, xAt: d[0].values[0], y: y, yAt: d[1].values[0], quadrants: qs)
    default:
      return old
    }
  }
}

/// A reviewed change carried to another visit of the same patient ("apply to later visits").
///
/// Display units are per file (each file's logicle or arcsinh scale has its own width), so a
/// coordinate is carried through data units: the source file's scale inverted, the target's
/// applied. Linear (scatter) coordinates are carried as they are.
public enum ReviewTransfer {
  /// `target`'s gating and cuts with `changes` (made on `source`) applied: moved cuts set on
  /// the target's cuts of the same name, changed gates given the changed geometry, both
  /// carried through data units. A change whose gate or cut the target lacks, or whose gate
  /// has another kind or other dimensions there, is reported in `skipped` and not applied.
  public static func apply(_ changes: [ReviewChange], from source: AppliedGating,
                           to target: AppliedGating, cuts targetCuts: [AppliedCut])
    throws -> (gating: AppliedGating, cuts: [AppliedCut], applied: [ReviewChange], skipped: [String]) {
    var gating = target
    var cuts = targetCuts
    var applied: [ReviewChange] = []
    var skipped: [String] = []
    let from = try Scales(source), to = try Scales(target)
    for change in changes {
      switch change {
      case .cut(let name, _, let after):
        guard let k = cuts.firstIndex(where: { $0.name == name }) else {
          skipped.append("cut \(name): not in this visit's analysis")
          continue
        }
        let marker = cuts[k].marker
        let v = to.display(from.data(after, scale: from.scaleID(marker: marker)), scale: to.scaleID(marker: marker))
        let was = cuts[k].value
        cuts[k].value = v
        cuts[k].method = .override
        cuts[k].note = "applied from another visit's review (before: \(was))"
        applied.append(.cut(name: name, before: was, after: v))
      case .gate(let id, _, let after):
        guard let k = gating.gates.firstIndex(where: { $0.id == id }), let old = gating.gates[k].shape else {
          skipped.append("gate \(id): not applied in this visit's analysis")
          continue
        }
        guard let carried = carry(after, from: from, to: to), carried.sameFrame(as: old) else {
          skipped.append("gate \(id): another kind of gate or other dimensions in this visit")
          continue
        }
        gating.gates[k].shape = carried
        gating.gates[k].status = .override
        gating.gates[k].note = "applied from another visit's review"
        applied.append(.gate(id: id, before: old, after: carried))
      }
    }
    // A moved cut moves the target's gate sides and dividers at its old value, as in a session.
    for case .cut(let name, let before, let after) in applied {
      let marker = cuts.first { $0.name == name }!.marker
      for k in gating.gates.indices {
        guard let s = gating.gates[k].shape, !applied.contains(where: { if case .gate(let g, _, _) = $0 { g == gating.gates[k].id } else { false } })
        else { continue }
        let moved = s.movingCut(marker: marker, from: before, to: after)
        if moved != s {
          gating.gates[k].shape = moved
          gating.gates[k].status = .override
          gating.gates[k].note = "cut \(name) applied from another visit's review"
        }
      }
    }
    return (gating, cuts, applied, skipped)
  }

  /// `shape` in display units of `from` carried to display units of `to`, `nil` when a
  /// dimension's scale is missing on either side.
  static func carry(_ shape: AppliedShape, from: Scales, to: Scales) -> AppliedShape? {
    let dims: [AppliedDimension]
    switch shape {
    case .rectangle(let sides): dims = sides.map(\.dimension)
    case .polygon(let x, let y, _), .quadrant(let x, _, let y, _, _): dims = [x, y]
    }
    for d in dims where d.scale != nil && (from.byID[d.scale!] == nil || to.scaleID(of: d) == nil) { return nil }
    func c(_ v: Double, _ d: AppliedDimension) -> Double { to.display(from.data(v, scale: d.scale), scale: to.scaleID(of: d)) }
    switch shape {
    case .rectangle(let sides):
      return .rectangle(sides: sides.map { s in
        AppliedShape.Side(dimension: to.dimension(like: s.dimension), min: s.min.map { c($0, s.dimension) }, max: s.max.map { c($0, s.dimension) })
      })
    case .polygon(let x, let y, let v):
      return .polygon(x: to.dimension(like: x), y: to.dimension(like: y), vertices: v.map { [c($0[0], x), c($0[1], y)] })
    case .quadrant(let x, let xAt, let y, let yAt, let qs):
      return .quadrant(x: to.dimension(like: x), xAt: c(xAt, x), y: to.dimension(like: y), yAt: c(yAt, y), quadrants: qs)
    }
  }

  /// The display scales of one analysis, by scale id and by marker.
  struct Scales {
    var byID: [String: AppliedScale] = [:]
    var transforms: [String: ScaleTransform] = [:]
    init(_ g: AppliedGating) throws {
      for s in g.scales {
        byID[s.id] = s
        transforms[s.id] = try s.transform()
      }
    }
    /// The scale id this analysis uses for the marker of `d` (its own id, or its marker's scale).
    func scaleID(of d: AppliedDimension) -> String? {
      guard let id = d.scale else { return nil }
      if byID[id] != nil { return id }
      return scaleID(marker: d.marker)
    }
    func dimension(like d: AppliedDimension) -> AppliedDimension {
      var d2 = d
      d2.scale = scaleID(of: d)
      return d2
    }
    func data(_ v: Double, scale id: String?) -> Double { id.flatMap { transforms[$0] }?.inverse(v) ?? v }
    func display(_ v: Double, scale id: String?) -> Double { id.flatMap { transforms[$0] }?.forward(v) ?? v }
    /// The scale of a marker's cuts: the scale named after the marker, else the marker's only scale.
    func scaleID(marker: String) -> String? {
      if byID[marker] != nil { return marker }
      let own = byID.values.filter { $0.marker == marker }
      return own.count == 1 ? own[0].id : nil
    }
  }
}

