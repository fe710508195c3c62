import CytoAutoGating
import CytoCore

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
    guard let mask = masks[c.population] else { return .none("its population \(c.population) is not gated in this file") }
    let dim = try space.dimension(c.marker)
    let all = try space.values(dim)
    let values = RobustSample(EventSpace.gather(all, mask))
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
      let v = try s.map { try $0.transform().forward(f) } ?? f
      return .cut(AppliedCut(name: c.name, marker: c.marker, value: v, method: .fallback,
                             note: "no evidence in the file (\(tried.joined(separator: "; "))): the panel's value \(f.compactText) (data units)",
                             tried: tried, evidence: ["fallbackData": f]))
    }
    return .none(tried.joined(separator: "; "))
  }

  static func method(_ m: CutMethod) -> AppliedCut.Method {
    switch m {
    case .valley: .valley
    case .reference: .reference
    case .peakEdge: .peakEdge
    }
  }

  struct NoEvidence: Error { var text: String }

  func attempt(_ m: CutMethod, values: RobustSample, population: String, dim: AppliedDimension,
               all: [Float]) throws -> Result<(Double, String, [String: Double]), NoEvidence> {
    switch m {
    case .valley(let p):
      guard values.count >= 2 * p.minEvents else { return .failure(NoEvidence(text: "\(values.count) events in \(population)")) }
      let k = Density1D(values)
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
      }
      let s = k.saddle(between: two[0].peakBin, and: two[1].peakBin)
      let below = values.countBelow(s.position), above = values.count - below
      return .success((s.position, "valley between modes at \(two[0].position.formatted(significant: 3)) and \(two[1].position.formatted(significant: 3)) in \(population): \(below) events below, \(above) above",
                       ["lowerMode": two[0].position, "upperMode": two[1].position, "valleyDensityRatio": s.density / min(two[0].height, two[1].height),
                        "eventsBelow": Double(below), "eventsAbove": Double(above), "modes": Double(modes.count)]))
    case .reference(let r):
      guard let refMask = masks[r.population] else {
        return .failure(NoEvidence(text: "reference population \(r.population) is not gated in this file"))
      }
      let ref = RobustSample(EventSpace.gather(all, refMask))
      guard ref.count >= r.minEvents, let med = ref.median else {
        return .failure(NoEvidence(text: "\(ref.count) events in the reference \(r.population), need \(r.minEvents)"))
      }
      guard let h = ref.halfSD(around: med, side: r.side == .above ? .above : .below) else {
        return .failure(NoEvidence(text: "no spread in the reference \(r.population)"))
      }
      let v = r.side == .above ? med + r.k * h : med - r.k * h
      let below = values.countBelow(v)
      return .success((v, "\(r.side == .above ? "upper" : "lower") edge of \(r.population) (\(ref.count) events): median \(med.formatted(significant: 3)) \(r.side == .above ? "+" : "−") \(r.k.compactText) × half-SD \(h.formatted(significant: 3)); \(below) events below, \(values.count - below) above in \(population)",
                       ["referenceEvents": Double(ref.count), "referenceMedian": med, "referenceHalfSD": h, "k": r.k,
                        "eventsBelow": Double(below), "eventsAbove": Double(values.count - below)]))
    case .peakEdge(let p):
      guard values.count >= p.minEvents else { return .failure(NoEvidence(text: "\(values.count) events in \(population)")) }
      let k = Density1D(values)
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
      guard let h = values.halfSD(around: main.position, side: spreadSide) else {
        return .failure(NoEvidence(text: "no spread around the \(p.mode.rawValue) mode of \(population)"))
      }
      let v = p.side == .above ? main.position + p.k * h : main.position - p.k * h
      let below = values.countBelow(v)
      return .success((v, "\(p.side == .above ? "upper" : "lower") edge of the \(p.mode.rawValue) mode of \(population) at \(main.position.formatted(significant: 3)) \(p.side == .above ? "+" : "−") \(p.k.compactText) × half-SD \(h.formatted(significant: 3)); \(below) events below, \(values.count - below) above",
                       ["mode": main.position, "halfSD": h, "k": p.k, "eventsBelow": Double(below), "eventsAbove": Double(values.count - below)]))
    }
  }
}
