import Foundation
import CytoAutoGating
import CytoCore
import CytoTransforms

/// Finds one cut in a file: each of the cut's methods in order on the events of its
/// population, the first with evidence wins; the panel's fallback only without any evidence.
struct CutFinder {
  let space: EventSpace
  /// Masks of the populations found so far.
  let masks: [String: EventMask]

  /// The outcome: a cut, or why there is none.
  enum Outcome {
    case cut(AppliedCut)
    case none(String)
  }

  func find(_ c: CutDefinition) throws -> Outcome {
    guard space.has(c.marker) else { return .none("marker \(c.marker) is not in the file") }
    guard masks[c.population] != nil else { return .none("its population \(c.population) is not gated in this file") }
    let dim = try space.dimension(c.marker)
    let all = try space.values(dim)
    var finder = self
    if let id = dim.scale, let applied = space.scales[id], let t = space.transform(id) {
      if space.instrument.kind == .mass { finder.countResolution = t.forward(1) - t.forward(0) }
      finder.scale = t
      finder.linearWidth = EventSpace.linearWidth(applied)
      finder.linearAll = try space.linearValues(dim)
    }
    finder.populationMask = masks[c.population]
    if let m = finder.populationMask { finder.populationValues = EventSpace.gather(all, m) }
    return try finder.find(c, dim: dim, all: all)
  }

  private func find(_ c: CutDefinition, dim: AppliedDimension, all: [Float]) throws -> Outcome {
    guard let mask = masks[c.population] else { return .none("its population \(c.population) is not gated in this file") }
    _ = mask
    let values_ = Self.withoutPileUp(RobustSample(populationValues, limit: Self.sampleLimit))
    let values = values_
    var tried: [String] = []
    for m in c.methods {
      switch try attempt(m, values: values, population: c.population, dim: dim, all: all) {
      case .success(let (value, note, evidence)):
        return .cut(AppliedCut(name: c.name, marker: c.marker, value: value, method: Self.method(m), note: note,
                               tried: tried.isEmpty ? nil : tried, evidence: evidence))
      case .failure(let why):
        tried.append("\(m.name): \(why.text)")
      }
    }
    if let f = c.fallback {
      let s = dim.scale.flatMap { space.scales[$0] }
      let v = s.flatMap { space.transform($0.id) }.map { $0.forward(f) } ?? f
      return .cut(AppliedCut(name: c.name, marker: c.marker, value: v, method: .fallback,
                             note: "no evidence in the file (\(tried.joined(separator: "; "))): the panel's value \(f.compactText) (data units)",
                             tried: tried, evidence: ["fallbackData": f]))
    }
    return .none(tried.joined(separator: "; "))
  }

  /// The values without an off-scale pile-up at the top (at least 0.1% of the events at the
  /// very maximum): saturated events are bright, but their spike would be a mode of its own.
  static func withoutPileUp(_ s: RobustSample) -> RobustSample {
    guard let top = s.sorted.last else { return s }
    let atTop = s.count - s.countBelow(Double(top))
    guard atTop >= 3, Double(atTop) >= 0.001 * Double(s.count) else { return s }
    return s.droppingLast(atTop)
  }

  /// The density estimate of a cut's values; for mass cytometry with a bandwidth of at least
  /// one ion count at the bottom of the scale, so whole-number counts do not make modes.
  func density(_ v: RobustSample) -> Density1D {
    Density1D(v, minBandwidth: countResolution)
  }

  var countResolution: Double = 0
  /// The cut marker's scale in this file, and the linear values its display values come from.
  var scale: ScaleTransform? = nil
  var linearWidth: Double = 0
  var linearAll: [Float] = []
  /// The events of the cut's population, and their display values (every one: densities
  /// and spreads use a sample of at most ``sampleLimit``, the counts recorded use all).
  var populationMask: EventMask? = nil
  var populationValues: [Float] = []

  /// The largest sample a density or robust spread is estimated from.
  static let sampleLimit = 100_000

  /// Events of the cut's population below `x` (all of them).
  func countBelow(_ x: Double) -> Int { RobustSample.count(populationValues, below: x) }
  var populationCount: Int { populationValues.count }

  /// The linear values of the cut population's events.
  func linearSample() -> RobustSample {
    guard let m = populationMask, !linearAll.isEmpty else { return RobustSample([Float]()) }
    return RobustSample(EventSpace.gather(linearAll, m), limit: Self.sampleLimit)
  }

  /// The edge `k` robust half-SDs beyond `center` (display units) on `side`, the spread
  /// measured on `spreadSide`. A population centred in the scale's linear region (negatives:
  /// noise around zero, symmetric in data units but not on a log-like display) is measured in
  /// data units; a brighter one (log-normal, symmetric on the display) in display units.
  func edge(center: Double, displayValues: RobustSample, linearValues: () -> RobustSample, side: CutSide,
            spreadSide requested: RobustSample.Side, k: Double, minSpread: Double) -> (value: Double, halfSD: Double, inData: Bool)? {
    // Mass cytometry: the lower side of a negative population is the zero-count spread, not
    // its spread; ion counts spread upwards (Poisson), so the cut side itself is measured.
    let spreadSide: RobustSample.Side = space.instrument.kind == .mass ? (side == .above ? .above : .below) : requested
    if let t = scale, linearWidth > 0 {
      let c = t.inverse(center)
      if abs(c) <= 3 * linearWidth {
        let lin = linearValues()
        guard let h = lin.halfSD(around: c, side: spreadSide) else { return nil }
        let hh = max(h, t.inverse(center + minSpread) - c)
        return (t.forward(side == .above ? c + k * hh : c - k * hh), hh, true)
      }
    }
    guard let h = displayValues.halfSD(around: center, side: spreadSide) else { return nil }
    let hh = max(h, minSpread)
    return (side == .above ? center + k * hh : center - k * hh, hh, false)
  }

  /// The emptiest point between a negative edge and the next persistent mode (≥ 20 events)
  /// above it, when the density there is at most `depth` × that mode's peak: where an
  /// analyst draws the lower side of a small, distinct bright population. `nil` when no mode
  /// lies above the edge or nothing emptier than the edge lies before it.
  func intoGap(above edge: Double, values: RobustSample, depth: Double) -> (cut: Double, mode: Double, ratio: Double)? {
    let k = density(values)
    guard let upper = k.modes(minPersistence: 0.3, minEvents: 20).first(where: { $0.position > edge }) else { return nil }
    let start = k.bin(of: edge)
    guard start < upper.peakBin else { return nil }
    var best = start
    for b in start...upper.peakBin where k.density[b] < k.density[best] { best = b }
    let ratio = k.density[best] / upper.height
    guard best > start, ratio <= depth else { return nil }
    // An empty stretch (several bins at the minimum): its middle.
    var end = best
    while end + 1 < upper.peakBin, k.density[end + 1] <= k.density[best] { end += 1 }
    return ((k.position(ofBin: best) + k.position(ofBin: end)) / 2, upper.position, ratio)
  }

  static func method(_ m: CutMethod) -> AppliedCut.Method {
    switch m {
    case .valley: .valley
    case .reference: .reference
    case .mixture: .mixture
    case .peakEdge: .peakEdge
    }
  }

  struct NoEvidence: Error { var text: String }

  func attempt(_ m: CutMethod, values: RobustSample, population: String, dim: AppliedDimension,
               all: [Float]) throws -> Result<(Double, String, [String: Double]), NoEvidence> {
    switch m {
    case .valley(let p):
      guard values.count >= 2 * p.minEvents else { return .failure(NoEvidence(text: "\(values.count) events in \(population)")) }
      let k = density(values)
      let modes = k.modes(minPersistence: p.persistence, minEvents: Double(p.minEvents))
      guard modes.count >= 2 else {
        return .failure(NoEvidence(text: "one mode in \(population) (\(values.count) events): no valley"))
      }
      var two: [Density1D.Mode]
      switch p.pick {
      case .largest:
        two = Array(modes.sorted { $0.events > $1.events }.prefix(2)).sorted { $0.peakBin < $1.peakBin }
      case .aboveLowest:
        two = Array(modes.prefix(2))
        if let f = p.maxLowestFraction, two[0].events >= f * Double(values.count) {
          return .failure(NoEvidence(text: "the lowest mode in \(population) holds \(Int(two[0].events)) of \(values.count) events: it is the main population, not negatives"))
        }
      case .belowHighest:
        two = Array(modes.suffix(2))
        if let f = p.maxLowestFraction, two[1].events >= f * Double(values.count) {
          return .failure(NoEvidence(text: "the highest mode in \(population) holds \(Int(two[1].events)) of \(values.count) events: it is the main population, not a bright minority"))
        }
      }
      if let f = p.minFraction, min(two[0].events, two[1].events) < f * Double(values.count) {
        return .failure(NoEvidence(text: "the smaller mode in \(population) holds \(Int(min(two[0].events, two[1].events))) of \(values.count) events (under \(Int((f * 100).rounded()))%): too few to place a valley"))
      }
      let s = k.saddle(between: two[0].peakBin, and: two[1].peakBin)
      let below = countBelow(s.position), above = populationCount - below
      return .success((s.position, "valley between modes at \(two[0].position.formatted(significant: 3)) and \(two[1].position.formatted(significant: 3)) in \(population): \(below) events below, \(above) above",
                       ["lowerMode": two[0].position, "upperMode": two[1].position, "valleyDensityRatio": s.density / min(two[0].height, two[1].height),
                        "eventsBelow": Double(below), "eventsAbove": Double(above), "modes": Double(modes.count)]))
    case .reference(let r):
      guard let refMask = masks[r.population] else {
        return .failure(NoEvidence(text: "reference population \(r.population) is not gated in this file"))
      }
      let ref = RobustSample(EventSpace.gather(all, refMask), limit: Self.sampleLimit)
      guard ref.count >= r.minEvents, let med = ref.median else {
        return .failure(NoEvidence(text: "\(ref.count) events in the reference \(r.population), need \(r.minEvents)"))
      }
      // The linear values are read only when the reference sits in the scale's linear region.
      let linear = linearAll
      guard let e = edge(center: med, displayValues: ref,
                         linearValues: { RobustSample(EventSpace.gather(linear, refMask), limit: Self.sampleLimit) }, side: r.side,
                         spreadSide: r.side == .above ? .above : .below, k: r.k, minSpread: density(ref).bandwidth) else {
        return .failure(NoEvidence(text: "no spread in the reference \(r.population)"))
      }
      var v = e.value
      let h = e.halfSD
      var note = "\(r.side == .above ? "upper" : "lower") edge of \(r.population) (\(ref.count) events): median \(med.formatted(significant: 3)) \(r.side == .above ? "+" : "−") \(r.k.compactText) × half-SD \(h.formatted(significant: 3))"
      var evidence = ["referenceEvents": Double(ref.count), "referenceMedian": med, "referenceHalfSD": h, "k": r.k]
      if r.side == .above, let depth = r.gapDepth, let g = intoGap(above: v, values: values, depth: depth) {
        (evidence["edge"], evidence["gapDensityRatio"]) = (v, g.ratio)
        note += " = \(v.formatted(significant: 3)), moved up into the gap below the mode at \(g.mode.formatted(significant: 3))"
        v = g.cut
      }
      let below = countBelow(v)
      evidence["eventsBelow"] = Double(below)
      evidence["eventsAbove"] = Double(populationCount - below)
      return .success((v, note + "; \(below) events below, \(populationCount - below) above in \(population)", evidence))
    case .mixture(let p):
      guard values.count >= p.minEvents else { return .failure(NoEvidence(text: "\(values.count) events in \(population)")) }
      guard let g = GaussianMixture2.fit(values) else { return .failure(NoEvidence(text: "the mixture did not converge")) }
      guard g.separation >= p.minSeparation, min(g.weights.0, g.weights.1) >= p.minWeight else {
        return .failure(NoEvidence(text: "two-component mixture not separated (Ashman's D \(g.separation.formatted(significant: 3)), weights \(g.weights.0.formatted(significant: 2))/\(g.weights.1.formatted(significant: 2)))"))
      }
      let v = g.crossing
      let below = countBelow(v)
      return .success((v, "two-component Gaussian mixture in \(population): means \(g.means.0.formatted(significant: 3)) and \(g.means.1.formatted(significant: 3)), Ashman's D \(g.separation.formatted(significant: 3)); \(below) events below, \(populationCount - below) above",
                       ["lowerMean": g.means.0, "upperMean": g.means.1, "lowerSD": g.sds.0, "upperSD": g.sds.1, "lowerWeight": g.weights.0,
                        "separation": g.separation, "eventsBelow": Double(below), "eventsAbove": Double(populationCount - below)]))
    case .peakEdge(let p):
      guard values.count >= p.minEvents else { return .failure(NoEvidence(text: "\(values.count) events in \(population)")) }
      let k = density(values)
      let modes = k.modes(minPersistence: 0.5, minEvents: Double(min(p.minEvents, values.count)))
      let chosen: Density1D.Mode?
      switch p.mode {
      case .main: chosen = modes.max { $0.events < $1.events }
      case .lowest: chosen = modes.first
      case .highest: chosen = modes.last
      }
      guard let main = chosen else { return .failure(NoEvidence(text: "no mode in \(population)")) }
      // The spread of the side no other population contaminates: mirrored for the main mode,
      // the outer side of an outer mode.
      let spreadSide: RobustSample.Side
      switch p.mode {
      case .main: spreadSide = p.side == .above ? .below : .above
      case .lowest: spreadSide = .below
      case .highest: spreadSide = .above
      }
      guard let e = edge(center: main.position, displayValues: values, linearValues: { linearSample() }, side: p.side,
                         spreadSide: spreadSide, k: p.k, minSpread: k.bandwidth) else {
        return .failure(NoEvidence(text: "no spread around the \(p.mode.rawValue) mode of \(population)"))
      }
      var v = e.value
      let h = e.halfSD
      var evidence = ["mode": main.position, "halfSD": h, "k": p.k]
      var gapNote = ""
      if p.side == .above, let depth = p.gapDepth, let g = intoGap(above: v, values: values, depth: depth) {
        (evidence["edge"], evidence["gapDensityRatio"]) = (v, g.ratio)
        gapNote = " = \(v.formatted(significant: 3)), moved up into the gap below the mode at \(g.mode.formatted(significant: 3))"
        v = g.cut
      }
      let below = countBelow(v)
      evidence["eventsBelow"] = Double(below)
      evidence["eventsAbove"] = Double(populationCount - below)
      return .success((v, "\(p.side == .above ? "upper" : "lower") edge of the \(p.mode.rawValue) mode of \(population) at \(main.position.formatted(significant: 3)) \(p.side == .above ? "+" : "−") \(p.k.compactText) × half-SD \(h.formatted(significant: 3))\(gapNote); \(below) events below, \(populationCount - below) above",
                       evidence))
    }
  }
}
