import CytoClinical
import CytoCore
import CytoFCS
import CytoGating
import CytoReview
import CytoStore
import Foundation

/// The review API's work: opening a stored version on its FCS file, recounting and binning for
/// the page, and writing reviewed versions through the store's ingest path (lock, copy, fsync,
/// rename). docs/serve-api.md describes each endpoint.
struct ReviewService: Sendable {
  let catalog: StoreCatalog
  let sessions: ReviewSessions
  let softwareVersion: String

  // MARK: Opening

  /// The stored version `version` (default: the visit's newest) opened for review.
  func opened(patient: String, visit: String, version: Int?) async throws -> OpenedVersion {
    let (v, n, analysis) = try catalog.storedAnalysis(patient: patient, visit: visit, version: version)
    let catalog = self.catalog
    return try await sessions.open(patient: patient, visit: visit, version: n) {
      guard analysis.gating != nil else {
        throw ServeError(.conflict, "not_reviewable", "\(ReviewError.noRecordedGating)")
      }
      let dataSet = try catalog.dataSet(of: v, index: analysis.dataSet)
      do {
        let session = try ReviewSession(analysis: analysis, dataSet: dataSet)
        return OpenedVersion(patient: patient, visit: visit, version: n, analysis: analysis, dataSet: dataSet, fileName: v.fileName,
                             base: session)
      } catch let e as ReviewError {
        throw ServeError(.conflict, "not_reviewable", e.description)
      } catch {
        throw ServeError(.conflict, "not_reviewable", "the stored gating cannot be applied to the file: \(error)")
      }
    }
  }

  func review(patient: String, visit: String, version: Int?) async throws -> ReviewDocument {
    let o = try await opened(patient: patient, visit: visit, version: version)
    let (stored, versions) = try catalog.visitVersions(patient: patient, visit: visit)
    let all = try catalog.visits(of: patient)
    let later = all.filter { ($0.infusion, $0.day) > (stored.infusion, stored.day) }.map(\.name)
    let s = o.base
    return ReviewDocument(
      patient: patient, visit: visit, version: o.version, latestVersion: stored.analyses.max() ?? o.version,
      currentAnalysis: stored.currentAnalysis, review: VisitReviewState.of(versions), versionReview: o.analysis.review,
      events: s.eventCount, dimensions: try dimensions(o), gates: gates(s, o), cuts: cuts(s), populations: counts(s, recomputed: nil),
      laterVisits: later)
  }

  // MARK: Recount and plots

  func recount(patient: String, visit: String, _ r: RecountRequest) async throws -> RecountDocument {
    let o = try await opened(patient: patient, visit: visit, version: r.version)
    let start = DispatchTime.now().uptimeNanoseconds
    let (s, recomputed) = try await sessions.session(o, changes: r.changes)
    let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    let ids = Set(recomputed)
    return RecountDocument(version: o.version, gates: gates(s, o), cuts: cuts(s), populations: counts(s, recomputed: ids),
                           recomputed: recomputed.map(\.rawValue), elapsedMilliseconds: ms)
  }

  func plots(patient: String, visit: String, _ r: PlotsRequest) async throws -> PlotsDocument {
    guard r.plots.count <= PlotsRequest.maximumPlots else {
      throw ServeError(.badRequest, "bad_parameter", "at most \(PlotsRequest.maximumPlots) plots per request")
    }
    let bins = r.plots.reduce(0) { t, p in
      let b = min(max(p.bins ?? (p.y == nil ? 256 : 128), 0), DensityGrid.maximumBins)
      return t + (p.y == nil ? b : b * b)
    }
    guard bins <= PlotsRequest.maximumTotalBins else {
      throw ServeError(.badRequest, "bad_parameter", "at most \(PlotsRequest.maximumTotalBins) bins per request (this one asks for \(bins))")
    }
    let o = try await opened(patient: patient, visit: visit, version: r.version)
    let (s, _) = try await sessions.session(o, changes: r.changes ?? ReviewChanges())
    func dim(_ key: String) throws -> GateDimension {
      guard let d = o.dimension(key) else { throw ServeError(.badRequest, "bad_parameter", "no dimension '\(key)' in this visit") }
      return d
    }
    func range(_ r: [Double]?) throws -> AxisRange? {
      guard let r else { return nil }
      guard r.count == 2 else { throw ServeError(.badRequest, "bad_parameter", "a range is [lower, upper]") }
      return AxisRange(r[0], r[1])
    }
    func gate(_ id: String?) -> GateID? { id.map { GateID($0) } }
    var out: [PlotsDocument.Plot] = []
    do {
      for p in r.plots {
        let x = try dim(p.x)
        if let yKey = p.y {
          let g = try s.densityGrid(population: gate(p.population), x: x, y: try dim(yKey), bins: p.bins ?? 128, xRange: try range(p.xRange),
                                    yRange: try range(p.yRange), highlight: gate(p.highlight))
          out.append(.init(population: p.population, x: p.x, y: yKey, xBins: g.x.bins, yBins: g.y.bins,
                           xRange: [g.x.range.lower, g.x.range.upper], yRange: [g.y.range.lower, g.y.range.upper], counts: g.counts,
                           unbinned: g.unbinned, highlight: p.highlight, highlightCounts: g.highlight))
        } else {
          let h = try s.histogram(population: gate(p.population), dimension: x, bins: p.bins ?? 256, range: try range(p.xRange),
                                  highlight: gate(p.highlight))
          out.append(.init(population: p.population, x: p.x, y: nil, xBins: h.axis.bins, yBins: nil,
                           xRange: [h.axis.range.lower, h.axis.range.upper], yRange: nil, counts: h.counts, unbinned: h.unbinned,
                           highlight: p.highlight, highlightCounts: h.highlight))
        }
      }
    } catch let e as ReviewError {
      throw ServeError(.badRequest, "bad_parameter", e.description)
    }
    return PlotsDocument(plots: out)
  }

  // MARK: Documents

  func dimensions(_ o: OpenedVersion) throws -> [DimensionDocument] {
    var markerOf: [String: String] = [:], labelOf: [String: String] = [:]
    for m in o.analysis.markers {
      markerOf[m.channel.rawValue] = m.marker
      labelOf[m.channel.rawValue] = m.label
    }
    return try o.dimensions.enumerated().map { k, d in
      let channel: String
      switch d.source {
      case .channel(let c): channel = c.rawValue
      case .ratio(let r): channel = r
      }
      let r = try o.base.displayRange(of: d)
      return DimensionDocument(key: "d\(k)", channel: channel, marker: markerOf[channel], label: labelOf[channel], scale: d.transform,
                               compensated: d.compensation != .uncompensated, range: [r.lower, r.upper])
    }
  }

  func gates(_ s: ReviewSession, _ o: OpenedVersion) -> [GateDocument] {
    s.strategy.gates.map { g in
      var doc = GateDocument(id: g.id.rawValue, name: g.name, parent: g.parent?.rawValue, populations: g.populations.map(\.rawValue),
                             kind: GateKind(g.shape).rawValue, dimensions: g.shape.dimensions.compactMap(o.key), editable: false)
      switch g.shape {
      case .rectangle(let sides):
        doc.sides = sides.map { ReviewChanges.Side(min: $0.min, max: $0.max) }
        doc.editable = true
      case .polygon(_, _, let v):
        doc.vertices = v.map { [$0.x, $0.y] }
        doc.editable = true
      case .quadrant(let d, let qs) where d.count == 2 && d.allSatisfy({ $0.values.count == 1 }):
        doc.centre = [d[0].values[0], d[1].values[0]]
        doc.quadrants = qs.map { q in
          func side(_ k: Int) -> String { q.positions[d[k].id].map { d[k].interval(of: $0) == 0 ? "below" : "above" } ?? "any" }
          return .init(id: q.id.rawValue, x: side(0), y: side(1))
        }
        doc.editable = true
      default: break
      }
      return doc
    }
  }

  func cuts(_ s: ReviewSession) -> [CutDocument] {
    s.cuts.map { c in
      var gates: [String] = []
      for u in c.usages where !gates.contains(u.gate.rawValue) { gates.append(u.gate.rawValue) }
      return CutDocument(name: c.name, marker: c.marker, value: c.value, gates: gates)
    }
  }

  func counts(_ s: ReviewSession, recomputed: Set<GateID>?) -> [CountDocument] {
    s.populations.map { p in
      CountDocument(id: p.id.rawValue, name: p.name, parent: p.parent?.rawValue, count: p.count, parentCount: p.parentCount,
                    percentOfParent: p.percentOfParent, recomputed: recomputed.map { $0.contains(p.id) })
    }
  }
}
