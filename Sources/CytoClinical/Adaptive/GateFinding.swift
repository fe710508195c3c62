import CytoAutoGating
import CytoCore
import Foundation

/// Finds the geometry of one gate rule in the events of its parent population.
struct GateFinder {
  let space: EventSpace
  /// The parent's events.
  let parent: EventMask
  let parentName: String
  /// Cuts found so far, by name.
  let cuts: [String: AppliedCut]

  /// A gate found, with its evidence.
  struct Found {
    var shape: AppliedShape
    var evidence: [String: Double]
    var note: String
  }

  struct NotFound: Error { var reason: String }

  func find(_ rule: GateRule) throws -> Found {
    switch rule {
    case .scatterCells(let r): return try scatterCells(r)
    case .singlets(let r): return try singlets(r)
    case .dnaCells(let r): return try dnaCells(r)
    case .threshold(let r): return try threshold(r)
    case .cluster(let r): return try cluster(r)
    case .quadrant(let r): return try quadrant(r)
    case .beads(let r): return try beads(r)
    }
  }

  func parentValues(_ d: AppliedDimension) throws -> [Float] { EventSpace.gather(try space.values(d), parent) }

  /// Pile-up at the top of a scatter parameter: the maximum, if at least 0.1% of the events sit
  /// exactly there (off-scale events whose true value is unknown).
  static func saturation(_ v: [Float]) -> Double? {
    var top = -Float.infinity, atTop = 0, n = 0
    for x in v where x.isFinite {
      n += 1
      if x > top { top = x; atTop = 1 } else if x == top { atTop += 1 }
    }
    guard n > 0 else { return nil }
    return Double(atTop) >= max(2, 0.001 * Double(n)) ? Double(top) : nil
  }

  static let sampleLimit = CutFinder.sampleLimit

  func scatterCells(_ r: ScatterCellsRule) throws -> Found {
    let dx = try space.dimension(r.fsc), dy = try space.dimension(r.ssc)
    let fscAll = try parentValues(dx), sscAll = try parentValues(dy)
    let fsc = RobustSample(fscAll, limit: Self.sampleLimit)
    guard fsc.count >= 50 else { throw NotFound(reason: "\(fsc.count) events in \(parentName)") }
    let k = Density1D(fsc)
    let modes = k.modes(minPersistence: 0.5, minEvents: max(20, 0.01 * Double(fsc.count)))
    guard let main = modes.max(by: { $0.events < $1.events }) else { throw NotFound(reason: "no FSC mode in \(parentName)") }
    // Debris: modes below 45% of the main cell mode's forward scatter (FSC is a ratio scale).
    let floor = 0.45 * main.position
    let cellModes = modes.filter { $0.position >= floor }, debris = modes.filter { $0.position < floor }
    let lowestCell = cellModes.min { $0.position < $1.position } ?? main
    var evidence: [String: Double] = ["mainMode": main.position, "lowestCellMode": lowestCell.position, "modes": Double(modes.count)]
    let cut: Double
    var how: String
    if let d = debris.max(by: { $0.position < $1.position }) {
      let s = k.saddle(between: d.peakBin, and: lowestCell.peakBin)
      cut = s.position
      evidence["debrisMode"] = d.position
      how = "FSC valley between debris (mode \(d.position.formatted(significant: 4))) and cells (mode \(lowestCell.position.formatted(significant: 4)))"
    } else {
      let kk = r.k ?? 4
      guard let h = fsc.halfSD(around: lowestCell.position, side: .below) else { throw NotFound(reason: "no FSC spread") }
      cut = max(0, lowestCell.position - kk * h)
      evidence["halfSD"] = h
      how = "no debris mode: FSC ≥ lowest cell mode \(lowestCell.position.formatted(significant: 4)) − \(kk.compactText) × half-SD \(h.formatted(significant: 3))"
    }
    var sides = [AppliedShape.Side(dimension: dx, min: cut, max: nil)]
    if let top = Self.saturation(fscAll) {
      sides[0].max = top
      evidence["fscOffScale"] = top
      how += "; off-scale FSC (\(top.compactText)) out"
    }
    if let top = Self.saturation(sscAll) {
      sides.append(AppliedShape.Side(dimension: dy, min: nil, max: top))
      evidence["sscOffScale"] = top
      how += "; off-scale SSC (\(top.compactText)) out"
    }
    evidence["cut"] = cut
    return Found(shape: .rectangle(sides: sides), evidence: evidence, note: how)
  }

  func singlets(_ r: SingletRule) throws -> Found {
    guard let pair = r.pairs.first(where: { $0.allSatisfy(space.has) }) else {
      throw NotFound(reason: "none of \(r.pairs.map { $0.joined(separator: "/") }.joined(separator: ", ")) in the file")
    }
    let dx = try space.dimension(pair[0]), dy = try space.dimension(pair[1])
    let x = try parentValues(dx), y = try parentValues(dy)
    guard x.count >= 50 else { throw NotFound(reason: "\(x.count) events in \(parentName)") }
    guard let line = RobustLine.trimmedTheilSen(x: x, y: y) else { throw NotFound(reason: "no robust line through \(pair[0]) vs \(pair[1])") }
    // Width grows for doublets (doublet side above the line), height does not (below).
    let width = pair[1].uppercased().hasSuffix("-W") || pair[1].uppercased().contains("WIDTH")
    let residuals = RobustSample(zip(x, y).map { Float(Double($1) - line.predict(Double($0))) }, limit: Self.sampleLimit)
    guard let center = residuals.median,
          let s = residuals.halfSD(around: center, side: width ? .below : .above), s > 0 else {
      throw NotFound(reason: "no spread around the \(pair[0])–\(pair[1]) line")
    }
    let k = r.k ?? 4, kOther = r.kOther ?? 6
    let low = center - (width ? kOther : k) * s, high = center + (width ? k : kOther) * s
    let x0 = min(0, Double(x.min() ?? 0)), x1 = Double(x.max() ?? 1) * 1.05 + 1
    let vertices = [[x0, line.predict(x0) + low], [x1, line.predict(x1) + low], [x1, line.predict(x1) + high], [x0, line.predict(x0) + high]]
    return Found(shape: .polygon(x: dx, y: dy, vertices: vertices),
                 evidence: ["slope": line.slope, "intercept": line.intercept, "residualHalfSD": s, "k": k, "kOther": kOther],
                 note: "\(pair[1]) = \(line.intercept.formatted(significant: 4)) + \(line.slope.formatted(significant: 4)) × \(pair[0]) (Theil–Sen); singlets within \(k.compactText) robust SDs on the doublet side (\(width ? "above" : "below")), \(kOther.compactText) on the other")
  }

  func dnaCells(_ r: DNACellsRule) throws -> Found {
    let k = r.k ?? 4
    var sides: [AppliedShape.Side] = []
    var evidence: [String: Double] = [:]
    var notes: [String] = []
    for m in r.dna where space.has(m) {
      let d = try space.dimension(m)
      let v = RobustSample(try parentValues(d), limit: Self.sampleLimit)
      guard v.count >= 50 else { throw NotFound(reason: "\(v.count) events in \(parentName)") }
      let kde = Density1D(v)
      let modes = kde.modes(minPersistence: 0.5, minEvents: max(20, 0.01 * Double(v.count)))
      guard let main = modes.max(by: { $0.events < $1.events }) else { throw NotFound(reason: "no \(m) mode") }
      let spread = [v.halfSD(around: main.position, side: .below), v.halfSD(around: main.position, side: .above)].compactMap { $0 }.min() ?? 0
      var lo = main.position - k * spread, hi = main.position + k * spread
      if let below = modes.filter({ $0.position < main.position }).max(by: { $0.position < $1.position }) {
        lo = max(lo, kde.saddle(between: below.peakBin, and: main.peakBin).position)
      }
      if let above = modes.filter({ $0.position > main.position }).min(by: { $0.position < $1.position }) {
        hi = min(hi, kde.saddle(between: main.peakBin, and: above.peakBin).position)
      }
      sides.append(.init(dimension: d, min: lo, max: hi))
      evidence["\(m)Mode"] = main.position
      evidence["\(m)HalfSD"] = spread
      notes.append("\(m) \(lo.formatted(significant: 3))…\(hi.formatted(significant: 3)) around its mode \(main.position.formatted(significant: 3))")
    }
    guard !sides.isEmpty else { throw NotFound(reason: "no DNA channel in the file") }
    if let l = r.length, space.has(l) {
      let d = try space.dimension(l)
      let v = RobustSample(try parentValues(d), limit: Self.sampleLimit)
      if let med = v.median, let h = v.halfSD(around: med, side: .below) {
        sides.append(.init(dimension: d, min: nil, max: med + k * h))
        evidence["lengthMedian"] = med
        notes.append("\(l) < \((med + k * h).formatted(significant: 3)) (median + \(k.compactText) × lower half-SD)")
      }
    }
    return Found(shape: .rectangle(sides: sides), evidence: evidence, note: notes.joined(separator: "; "))
  }

  func threshold(_ r: ThresholdRule) throws -> Found {
    var sides: [AppliedShape.Side] = []
    var notes: [String] = []
    for t in r.terms {
      guard space.has(t.marker) else {
        notes.append("\(t.marker) not in the file: not used")
        continue
      }
      guard let c = cuts[t.cut] else { throw NotFound(reason: "cut \(t.cut) was not found") }
      let d = try space.dimension(t.marker)
      sides.append(t.side == .above ? .init(dimension: d, min: c.value, max: nil) : .init(dimension: d, min: nil, max: c.value))
      notes.append("\(t.marker) \(t.side == .above ? "≥" : "<") \(c.value.formatted(significant: 3)) (cut \(t.cut), \(c.method.rawValue))")
    }
    guard !sides.isEmpty else { throw NotFound(reason: "none of its markers is in the file") }
    return Found(shape: .rectangle(sides: sides), evidence: [:], note: notes.joined(separator: "; "))
  }

  func cluster(_ r: ClusterRule) throws -> Found {
    let dx = try space.dimension(r.x.marker, axis: r.x.scale ?? .natural)
    let dy = try space.dimension(r.y.marker, axis: r.y.scale ?? .natural)
    let x = try parentValues(dx), y = try parentValues(dy)
    let minFraction = r.minFraction ?? 0.03
    guard x.count >= 100 else { throw NotFound(reason: "\(x.count) events in \(parentName)") }
    let kde = Density2D(x: x, y: y)
    let clusters = kde.clusters(minPersistence: r.persistence ?? 0.3, minEvents: max(20, minFraction * Double(x.count)))
    guard !clusters.isEmpty else { throw NotFound(reason: "no density cluster in \(parentName)") }
    // Peaks in each axis' grid span scaled to 0…1; the target lies furthest along `toward`.
    func norm(_ p: (x: Double, y: Double)) -> (Double, Double) {
      ((p.x - kde.xRange.lowerBound) / (kde.xRange.upperBound - kde.xRange.lowerBound),
       (p.y - kde.yRange.lowerBound) / (kde.yRange.upperBound - kde.yRange.lowerBound))
    }
    let score: (Density2D.Cluster) -> Double = { c in let n = norm(c.peak); return r.toward[0] * n.0 + r.toward[1] * n.1 }
    let target = clusters.max { score($0) < score($1) }!
    // The contour level: the panel's (default 1% of the peak), raised until the convex hull
    // takes in at most 2% of events from other clusters' basins (a hull bridges concave
    // basin borders) — as long as the target keeps 90% of its own events. A neighbouring
    // cluster that cannot be left out without cutting into the target is a lobe of the same
    // population (lymphocytes of another size in a file without monocytes), not a
    // population of its own: the hull at the panel's level takes it in, and says so.
    let basin = Set(target.bins)
    let baseLevel = r.level ?? 0.01, maxForeign = r.maxForeign ?? 0.02
    var level = baseLevel
    var hull = kde.hull(of: kde.region(of: target, level: level))
    let base = kde.events(inside: Polygon2D(hull), basin: basin)
    let baseOwn = base.inside - base.foreign
    var foreign = base.inside > 0 ? base.foreign / base.inside : 0
    var inseparable = false
    if foreign > maxForeign {
      inseparable = true
      for next in [0.02, 0.05, 0.1, 0.2, 0.3, 0.5] where next > baseLevel {
        let h = kde.hull(of: kde.region(of: target, level: next))
        let e = kde.events(inside: Polygon2D(h), basin: basin)
        guard e.inside - e.foreign >= 0.9 * baseOwn else { break }
        let f = e.inside > 0 ? e.foreign / e.inside : 0
        if f <= maxForeign {
          (level, hull, foreign, inseparable) = (next, h, f, false)
          break
        }
      }
    }
    guard hull.count >= 3 else { throw NotFound(reason: "the target cluster's region is degenerate") }
    let poly = Polygon2D(hull)
    var inside = 0
    for i in x.indices where poly.contains(Double(x[i]), Double(y[i])) { inside += 1 }
    return Found(shape: .polygon(x: dx, y: dy, vertices: hull.map { [$0.x, $0.y] }),
                 evidence: ["clusters": Double(clusters.count), "peakX": target.peak.x, "peakY": target.peak.y,
                            "clusterEvents": target.events, "eventsInside": Double(inside), "level": level, "foreignFraction": foreign,
                            "inseparableNeighbours": inseparable ? 1 : 0],
                 note: "\(clusters.count) density clusters in \(parentName); the one toward (\(r.toward.map(\.compactText).joined(separator: ", "))) peaks at (\(target.peak.x.formatted(significant: 4)), \(target.peak.y.formatted(significant: 4))); hull of its basin above \(Int(level * 100))% of its peak: \(inside) of \(x.count) events\(inseparable ? "; a neighbouring cluster (\(Int((foreign * 100).rounded()))% of the hull) could not be left out without losing over 10% of the target's own events, so it is taken as part of it" : "")")
  }

  func quadrant(_ r: QuadrantRule) throws -> Found {
    guard let cx = cuts[r.x.cut] else { throw NotFound(reason: "cut \(r.x.cut) was not found") }
    guard let cy = cuts[r.y.cut] else { throw NotFound(reason: "cut \(r.y.cut) was not found") }
    return Found(shape: .quadrant(x: try space.dimension(r.x.marker), xAt: cx.value, y: try space.dimension(r.y.marker), yAt: cy.value,
                                  quadrants: r.quadrants),
                 evidence: [:], note: "\(r.x.marker) at \(cx.value.formatted(significant: 3)) (\(cx.method.rawValue)), \(r.y.marker) at \(cy.value.formatted(significant: 3)) (\(cy.method.rawValue))")
  }

  /// Beads: in each of the first two listed detectors present, the brightest density mode of
  /// the uncompensated values (on a log scale) must lie above `minFractionOfRange` × the range;
  /// the bead gate starts at the valley below it (else 4 robust SDs below its peak).
  func beads(_ r: BeadRule) throws -> Found {
    let f = r.minFractionOfRange ?? 0.1
    let used = Array(r.markers.filter(space.has).prefix(2))
    var sides: [AppliedShape.Side] = []
    var evidence: [String: Double] = ["minFractionOfRange": f]
    var notes: [String] = []
    for m in used {
      let range = space.ranges[space.channel(m)] ?? 262_144
      let raw = EventSpace.gather(try space.uncompensated(m), parent)
      let logs = RobustSample(raw.map { log10(max($0, 1)) }, limit: Self.sampleLimit)
      let kde = Density1D(logs)
      let modes = kde.modes(minPersistence: 0.3, minEvents: 20)
      guard let top = modes.last, pow(10, top.position) >= f * range else {
        throw NotFound(reason: "no bead population: the brightest \(m) mode (\(modes.last.map { pow(10, $0.position).formatted(significant: 3) } ?? "none")) is below \(f.compactText) × the range \(range.compactText)")
      }
      var cut: Double
      if modes.count >= 2 {
        cut = kde.saddle(between: modes[modes.count - 2].peakBin, and: top.peakBin).position
      } else {
        cut = top.position - 4 * (logs.halfSD(around: top.position, side: .above) ?? kde.bandwidth)
      }
      cut = max(cut, log10(f * range))
      sides.append(.init(dimension: AppliedDimension(marker: m, scale: nil, compensated: false), min: pow(10, cut), max: nil))
      evidence["\(m)Mode"] = pow(10, top.position)
      notes.append("\(m) ≥ \(pow(10, cut).formatted(significant: 3)) (below the brightest mode at \(pow(10, top.position).formatted(significant: 3)))")
    }
    guard !sides.isEmpty else { throw NotFound(reason: "none of \(r.markers.joined(separator: ", ")) in the file") }
    return Found(shape: .rectangle(sides: sides), evidence: evidence, note: "uncompensated " + notes.joined(separator: ", "))
  }
}

extension AppliedShape {
  /// Membership of the parent's events, computed on the display values (Float); the final
  /// counts come from the Gating-ML engine on the strategy these shapes build.
  func masks(in space: EventSpace, parent: EventMask, populations: [String]) throws -> [String: EventMask] {
    func select(_ keep: (Int) -> Bool) -> EventMask {
      var words = [UInt64](repeating: 0, count: parent.words.count)
      for (w, word) in parent.words.enumerated() where word != 0 {
        var bits = word, out: UInt64 = 0
        while bits != 0 {
          let b = bits.trailingZeroBitCount
          if keep(w << 6 | b) { out |= 1 << UInt64(b) }
          bits &= bits - 1
        }
        words[w] = out
      }
      return EventMask(count: parent.count, words: words)
    }
    switch self {
    case .rectangle(let sides):
      let cols = try sides.map { try space.values($0.dimension) }
      let m = select { e in
        for (s, c) in zip(sides, cols) {
          let v = Double(c[e])
          if let lo = s.min, !(v >= lo) { return false }
          if let hi = s.max, !(v < hi) { return false }
        }
        return true
      }
      return [populations[0]: m]
    case .polygon(let dx, let dy, let vertices):
      let x = try space.values(dx), y = try space.values(dy)
      let p = Polygon2D(vertices.map { (x: $0[0], y: $0[1]) })
      return [populations[0]: select { p.contains(Double(x[$0]), Double(y[$0])) }]
    case .quadrant(let dx, let xAt, let dy, let yAt, let quadrants):
      let x = try space.values(dx), y = try space.values(dy)
      var out: [String: EventMask] = [:]
      for q in quadrants {
        out[q.id] = select { e in
          (Double(x[e]) >= xAt) == (q.x == .above) && (Double(y[e]) >= yAt) == (q.y == .above)
        }
      }
      return out
    }
  }
}
