extension PanelDefinition {
  /// Checks the references between markers, cuts, populations, roles and the report, and that
  /// the dependencies (a population on its parent and its cuts, a cut on the populations it is
  /// found in) have no cycle. Every error names the key as a JSON path.
  /// - Throws: ``PanelError/invalid(file:detail:)``.
  public func validate(source: String) throws {
    func fail(_ key: String, _ s: String) -> PanelError { .invalid(file: source, detail: "\(key): \(s)") }
    var markerAt: [String: Int] = [:]
    for (i, m) in markers.enumerated() {
      if let j = markerAt[m.marker] { throw fail("markers[\(i)].marker", "marker '\(m.marker)' is defined twice (also markers[\(j)])") }
      markerAt[m.marker] = i
      if m.aliases.isEmpty && m.channel == nil { throw fail("markers[\(i)]", "marker '\(m.marker)' has neither aliases nor a channel") }
    }
    var populationAt: [String: String] = [:]  // population id → key of its definition
    for (i, p) in populations.enumerated() {
      for id in p.populationIDs {
        if let other = populationAt[id] { throw fail("populations[\(i)]", "population '\(id)' is defined twice (also \(other))") }
        populationAt[id] = "populations[\(i)]"
      }
    }
    var cutAt: [String: Int] = [:]
    for (i, c) in cuts.enumerated() {
      let key = "cuts[\(i)]"
      if let j = cutAt[c.name] { throw fail("\(key).name", "cut '\(c.name)' is defined twice (also cuts[\(j)])") }
      cutAt[c.name] = i
      if markerAt[c.marker] == nil { throw fail("\(key).marker", "unknown marker '\(c.marker)'") }
      if populationAt[c.population] == nil { throw fail("\(key).population", "unknown population '\(c.population)'") }
      if c.methods.isEmpty && c.fallback == nil { throw fail("\(key).methods", "a cut needs at least one method or a fallback") }
      if let f = c.fallback, !f.isFinite { throw fail("\(key).fallback", "must be a finite number") }
      for (j, m) in c.methods.enumerated() {
        let mk = "\(key).methods[\(j)]"
        switch m {
        case .valley(let v):
          guard v.minEvents >= 1 else { throw fail("\(mk).minEvents", "must be ≥ 1") }
          guard v.persistence > 0 && v.persistence < 1 else { throw fail("\(mk).persistence", "must be in (0, 1)") }
          if let f = v.minFraction, !(f >= 0 && f < 0.5) { throw fail("\(mk).minFraction", "must be in [0, 0.5)") }
          if let f = v.maxLowestFraction, !(f > 0 && f <= 1) { throw fail("\(mk).maxLowestFraction", "must be in (0, 1]") }
        case .reference(let r):
          guard populationAt[r.population] != nil else { throw fail("\(mk).population", "unknown population '\(r.population)'") }
          guard r.k.isFinite && r.k >= 0 else { throw fail("\(mk).k", "must be ≥ 0") }
          guard r.minEvents >= 1 else { throw fail("\(mk).minEvents", "must be ≥ 1") }
        case .mixture(let m):
          guard m.minSeparation.isFinite && m.minSeparation > 0 else { throw fail("\(mk).minSeparation", "must be > 0") }
          guard m.minWeight >= 0 && m.minWeight < 0.5 else { throw fail("\(mk).minWeight", "must be in [0, 0.5)") }
        case .peakEdge(let p):
          guard p.k.isFinite && p.k >= 0 else { throw fail("\(mk).k", "must be ≥ 0") }
          guard p.minEvents >= 1 else { throw fail("\(mk).minEvents", "must be ≥ 1") }
        }
      }
    }
    for (i, p) in populations.enumerated() {
      let key = "populations[\(i)]"
      if let parent = p.parent, populationAt[parent] == nil { throw fail("\(key).parent", "unknown population '\(parent)'") }
      if p.gate.isEmpty { throw fail("\(key).gate", "a population needs a gate rule") }
      for (j, g) in p.gate.enumerated() {
        let gk = p.gate.count == 1 ? "\(key).gate" : "\(key).gate[\(j)]"
        for m in g.markers where markerAt[m] == nil { throw fail(gk, "unknown marker '\(m)'") }
        for c in g.cuts where cutAt[c] == nil { throw fail(gk, "unknown cut '\(c)'") }
        try validateRule(g, key: gk, fail: fail)
      }
      let quadrantGates = p.gate.filter { if case .quadrant = $0 { true } else { false } }.count
      if quadrantGates > 0 && quadrantGates != p.gate.count {
        throw fail("\(key).gate", "quadrant alternatives cannot be mixed with other gate kinds")
      }
    }
    for (role, id) in roles.all where populationAt[id] == nil { throw fail("roles.\(role)", "unknown population '\(id)'") }
    for (i, r) in report.enumerated() {
      if populationAt[r.population] == nil { throw fail("report[\(i)].population", "unknown population '\(r.population)'") }
      if let d = r.fractionOf, populationAt[d] == nil { throw fail("report[\(i)].fractionOf", "unknown population '\(d)'") }
    }
    try checkCycles(fail: fail)
    try thresholds.validate(source: source)
  }

  private func validateRule(_ g: GateRule, key: String, fail: (String, String) -> PanelError) throws {
    func positive(_ v: Double?, _ name: String) throws {
      if let v, !(v.isFinite && v > 0) { throw fail("\(key).\(name)", "must be a positive number") }
    }
    switch g {
    case .scatterCells(let r): try positive(r.k, "k")
    case .singlets(let r):
      if r.pairs.isEmpty || r.pairs.contains(where: { $0.count != 2 }) { throw fail("\(key).pairs", "needs [area, height-or-width] pairs") }
      try positive(r.k, "k")
      try positive(r.kOther, "kOther")
    case .dnaCells(let r):
      if r.dna.isEmpty { throw fail("\(key).dna", "needs at least one DNA channel") }
      try positive(r.k, "k")
    case .threshold(let r):
      if r.terms.isEmpty { throw fail("\(key).terms", "needs at least one term") }
    case .cluster(let r):
      if r.toward.count != 2 || !r.toward.allSatisfy(\.isFinite) || r.toward == [0, 0] {
        throw fail("\(key).toward", "needs a direction [dx, dy], not both 0")
      }
      if let l = r.level, !(l > 0 && l < 1) { throw fail("\(key).level", "must be in (0, 1)") }
      if let p = r.persistence, !(p > 0 && p < 1) { throw fail("\(key).persistence", "must be in (0, 1)") }
      if let f = r.minFraction, !(f > 0 && f < 1) { throw fail("\(key).minFraction", "must be in (0, 1)") }
      if let f = r.maxForeign, !(f > 0 && f <= 1) { throw fail("\(key).maxForeign", "must be in (0, 1]") }
    case .quadrant(let r):
      if r.quadrants.isEmpty || r.quadrants.count > 4 { throw fail("\(key).quadrants", "needs 1 to 4 quadrants") }
      var corners: Set<String> = []
      for (i, q) in r.quadrants.enumerated() where !corners.insert("\(q.x)\(q.y)").inserted {
        throw fail("\(key).quadrants[\(i)]", "two quadrants on the same side of both cuts")
      }
    case .beads(let r):
      if r.markers.isEmpty { throw fail("\(key).markers", "needs at least one marker") }
      if let f = r.minFractionOfRange, !(f > 0 && f < 1) { throw fail("\(key).minFractionOfRange", "must be in (0, 1)") }
    }
  }

  /// A dependency cycle (a population gated with a cut found in its own descendant, a cut whose
  /// reference needs the cut) would make the panel impossible to apply.
  private func checkCycles(fail: (String, String) -> PanelError) throws {
    var edges: [String: [String]] = [:]
    for p in populations {
      var deps: [String] = []
      if let parent = p.parent { deps.append("population '\(parent)'") }
      for g in p.gate { deps += g.cuts.map { "cut '\($0)'" } }
      for id in p.populationIDs { edges["population '\(id)'", default: []] += deps }
    }
    for c in cuts {
      var deps = ["population '\(c.population)'"]
      for case .reference(let r) in c.methods { deps.append("population '\(r.population)'") }
      edges["cut '\(c.name)'"] = deps
    }
    var state: [String: Int] = [:]  // 1 visiting, 2 done
    var stack: [String] = []
    func visit(_ n: String) throws {
      if state[n] == 2 { return }
      if state[n] == 1 {
        let cycle = stack.drop { $0 != n } + [n]
        throw fail("populations/cuts", "dependency cycle: \(cycle.joined(separator: " → "))")
      }
      state[n] = 1
      stack.append(n)
      for d in edges[n] ?? [] { try visit(d) }
      stack.removeLast()
      state[n] = 2
    }
    for n in edges.keys.sorted() { try visit(n) }
  }
}
