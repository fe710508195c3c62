import CytoFCS

/// What a panel can report for a file with a given set of markers, decided from the markers
/// alone (before any event is read): which reported populations its gates can reach, and why
/// the others cannot.
public struct PanelFit: Sendable, Equatable {
  public var panel: String
  /// Reported populations the panel can gate in the file, in report order.
  public var reportable: [String]
  /// Reported populations it cannot, with the reason.
  public var unreportable: [String: String]
  /// Panel markers the file has no channel for.
  public var missingMarkers: [String]
  /// Share of the panel's markers the file has.
  public var coverage: Double

  /// Evaluates `panel` for a file whose markers are `present`.
  public static func evaluate(_ panel: PanelDefinition, present: Set<String>) -> PanelFit {
    var status: [String: String?] = [:]  // population → nil = gated (found or skipped), else why not
    var skipped: Set<String> = []
    var cutStatus: [String: String?] = [:]
    func population(_ id: String) -> String? {
      if let s = status[id] { return s }
      guard let e = panel.populations.first(where: { $0.populationIDs.contains(id) }) else { return "not in the panel" }
      status[id] = "dependency cycle"  // guarded by validation; never left in place
      let result = entry(e)
      for p in e.populationIDs { status[p] = result }
      return result
    }
    func cut(_ name: String) -> String? {
      if let s = cutStatus[name] { return s }
      guard let c = panel.cuts.first(where: { $0.name == name }) else { return "no cut \(name)" }
      var result: String? = nil
      if !present.contains(c.marker) {
        result = "no \(c.marker)"
      } else if let why = population(c.population) {
        result = "cut \(name) is found in \(c.population), which is not gated (\(why))"
      } else if c.fallback == nil, !c.methods.contains(where: { if case .reference = $0 { false } else { true } }) {
        // Only reference methods: the reference must be gated.
        let refs = c.methods.compactMap { m -> String? in if case .reference(let r) = m { r.population } else { nil } }
        if refs.allSatisfy({ population($0) != nil }) { result = "cut \(name): no reference population is gated" }
      }
      cutStatus[name] = result
      return result
    }
    func entry(_ e: PopulationDefinition) -> String? {
      if let p = e.parent, let why = population(p) { return "its parent \(p) is not gated (\(why))" }
      var reasons: [String] = []
      for g in e.gate {
        if let why = missing(g) {
          reasons.append(why)
          continue
        }
        var neededCuts = g.cuts
        if case .threshold(let r) = g { neededCuts = r.terms.filter { present.contains($0.marker) }.map(\.cut) }
        if let why = neededCuts.lazy.compactMap(cut).first { return why }
        return nil
      }
      if e.whenMissing == .skip {
        skipped.formUnion(e.populationIDs)
        return nil
      }
      return "the file lacks its markers (\(reasons.joined(separator: "; ")))"
    }
    func missing(_ g: GateRule) -> String? {
      func none(_ ms: [String]) -> String? { ms.first { !present.contains($0) }.map { "no \($0)" } }
      switch g {
      case .scatterCells(let r): return none([r.fsc, r.ssc])
      case .singlets(let r): return r.pairs.contains { $0.allSatisfy(present.contains) } ? nil : "no area/height or area/width pair"
      case .dnaCells(let r): return r.dna.contains(where: present.contains) ? nil : "no DNA channel"
      case .threshold(let r):
        if let m = none(r.terms.filter { $0.ifPresent != true }.map(\.marker)) { return m }
        return r.terms.contains { present.contains($0.marker) } ? nil : "none of \(r.terms.map(\.marker).joined(separator: ", "))"
      case .cluster(let r): return none([r.x.marker, r.y.marker])
      case .quadrant(let r): return none([r.x.marker, r.y.marker])
      case .beads(let r):
        return r.markers.filter(present.contains).count >= min(2, r.markers.count) ? nil : "fewer than two of \(r.markers.joined(separator: ", "))"
      }
    }
    var reportable: [String] = []
    var unreportable: [String: String] = [:]
    for r in panel.report {
      if let why = population(r.population) {
        unreportable[r.population] = why
      } else if skipped.contains(r.population) {
        unreportable[r.population] = "not gated in this file (its markers are missing)"
      } else {
        reportable.append(r.population)
      }
    }
    let all = panel.markers.map(\.marker)
    let missingMarkers = all.filter { !present.contains($0) }
    return PanelFit(panel: panel.name, reportable: reportable, unreportable: unreportable, missingMarkers: missingMarkers,
                    coverage: all.isEmpty ? 0 : Double(all.count - missingMarkers.count) / Double(all.count))
  }
}

/// `--panel auto`: the built-in panel that can report the most populations from a file's
/// markers (ties: the larger share of the panel's markers present, then ``PanelLibrary/names``
/// order).
public enum PanelSelection {
  /// The chosen panel, its fit, and the reason in words.
  public struct Choice: Sendable {
    public var panel: PanelDefinition
    public var fit: PanelFit
    public var reason: String
  }

  /// Chooses among `panels` for a data set.
  /// - Throws: ``PanelResolutionError/noPanelFits(file:detail:)`` naming the markers the
  ///   B-cell and T-cell gates need when no panel can report any population.
  public static func choose(among panels: [PanelDefinition], dataSet: FCSDataSet, file: String) throws -> Choice {
    var fits: [(PanelDefinition, PanelFit)] = []
    for p in panels {
      let found = (try? MarkerResolver.resolveAvailable(p.markers, parameters: dataSet.parameters, file: file)) ?? [:]
      fits.append((p, PanelFit.evaluate(p, present: Set(found.keys))))
    }
    let ranked = fits.enumerated().sorted { a, b in
      let (fa, fb) = (a.element.1, b.element.1)
      if fa.reportable.count != fb.reportable.count { return fa.reportable.count > fb.reportable.count }
      if fa.coverage != fb.coverage { return fa.coverage > fb.coverage }
      return a.offset < b.offset
    }.map(\.element)
    guard let (best, fit) = ranked.first, !fit.reportable.isEmpty else {
      let needs = fits.first.map { (_, f) in
        ["BCells", "TCells"].compactMap { id in f.unreportable[id].map { "\(id): \($0)" } }.joined(separator: "; ")
      } ?? ""
      throw PanelResolutionError.noPanelFits(
        file: file, detail: "no built-in panel (\(panels.map(\.name).joined(separator: ", "))) can gate any reported population. \(needs)")
    }
    let others = ranked.dropFirst().map { "\($0.0.name) \($0.1.reportable.count)" }.joined(separator: ", ")
    var reason = "panel '\(best.name)' reports \(fit.reportable.count) populations from this file (\(others)); \(Int((fit.coverage * 100).rounded()))% of its markers found"
    if !fit.missingMarkers.isEmpty { reason += "; not found: \(fit.missingMarkers.joined(separator: ", "))" }
    return Choice(panel: best, fit: fit, reason: reason)
  }
}

extension MarkerResolver {
  /// The channels of the markers a file has, every marker optional: a panel's populations
  /// declare which markers they need, so a missing marker is not an error here.
  /// - Throws: ``PanelResolutionError`` when a marker is ambiguous (several channels match).
  public static func resolveAvailable(_ markers: [MarkerDefinition], parameters: [FCSParameter],
                                      file: String) throws -> [String: MarkerChannel] {
    try resolve(markers.map { var m = $0; m.optional = true; return m }, parameters: parameters, file: file)
  }
}
