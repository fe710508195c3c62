// Latency of one gate drag in a review session (issue #14): an edit plus the recount of every
// population below it, from the session's cached columns (docs/review-engine.md).
//
//   review-drag FILE.fcs [DRAGS]
//
// Analyses FILE with the reset panel (as `cytoreset analyze --panel reset`), opens a
// ReviewSession on it, then times DRAGS (default 200) drags of each kind, one `apply` each:
//   cd19-cut     the CD19 cut moved back and forth (±0.06 around its value, a sine)
//   lymph-vertex one vertex of the lymphocyte polygon moved around a circle (5% of its extent)
//   lymph-move   the whole lymphocyte polygon moved around a circle (3% of its extent)
//   cd27-quad    the CD27/IgD quadrant centre moved around a circle (0.04)
// and prints per kind p50, p95 and max wall milliseconds, the CPU milliseconds per drag, the
// populations recomputed and the untimed warm-up drag's milliseconds ("first": for a polygon,
// with building the band index of its parent's events, once per session); then the same for a full GatingEngine.evaluate of the edited strategy
// (what a recount without the session costs), and the session's opening time.
import CytoClinical
import CytoCore
import CytoFCS
import CytoGating
import CytoReview
import Foundation

func now() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_MONOTONIC, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

func cpu() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

func percentile(_ v: [Double], _ p: Double) -> Double {
  let s = v.sorted()
  return s[min(s.count - 1, Int((Double(s.count) * p).rounded(.up)) - 1)]
}

func report(_ name: String, _ ms: [Double], cpuMs: Double, recomputed: Int, events: Int, first: Double? = nil) {
  print(name.padding(toLength: 14, withPad: " ", startingAt: 0) + String(format: " events %9d  drags %4d  p50 %7.2f ms  p95 %7.2f ms  max %7.2f ms  CPU/drag %6.2f ms  recomputed %2d",
               events, ms.count, percentile(ms, 0.5), percentile(ms, 0.95), ms.max() ?? 0, cpuMs, recomputed)
        + (first.map { String(format: "  first %6.2f ms", $0) } ?? ""))
}

func run() throws {
  let args = Array(CommandLine.arguments.dropFirst())
  guard let path = args.first else {
    FileHandle.standardError.write("usage: review-drag FILE.fcs [DRAGS]\n".data(using: .utf8)!)
    exit(2)
  }
  let drags = args.count > 1 ? Int(args[1]) ?? 200 : 200
  let ds = try FCSFile(contentsOf: path).dataSets[0]
  let (analysis, resolved) = try VisitAnalyzer(panel: try PanelDefinition.reset).analyzeResolving(ds, file: path)
  let n = ds.eventCount
  var t0 = now()
  var session = try ReviewSession(analysis: analysis, input: resolved.input)
  print(String(format: "open session   events %9d  %.0f ms (%d cached dimensions)", n, (now() - t0) * 1000, session.columns.columns.count))

  let cut = session.cuts.first { $0.name == "CD19" }!.value
  guard case .polygon(_, _, let lymph)? = session.strategy.gate("Lymphocytes")?.shape else { fatalError("no lymphocyte polygon") }
  let xs = lymph.map(\.x), ys = lymph.map(\.y)
  let (w, h) = (xs.max()! - xs.min()!, ys.max()! - ys.min()!)
  var quad: (Double, Double)?
  if case .quadrant(let d, _)? = session.strategy.gates.first(where: { $0.id == "CD27IgD" })?.shape { quad = (d[0].values[0], d[1].values[0]) }

  let kinds: [(String, (Int) -> GateEdit?)] = [
    ("cd19-cut", { i in .setCut(name: "CD19", value: cut + 0.06 * sin(Double(i) * 0.13)) }),
    ("lymph-vertex", { i in
      let a = Double(i) * 0.11
      return .moveVertex("Lymphocytes", index: 0, to: Vertex(lymph[0].x + 0.05 * w * cos(a), lymph[0].y + 0.05 * h * sin(a)))
    }),
    ("lymph-move", { i in
      let a = Double(i) * 0.11
      return .replaceVertices("Lymphocytes", lymph.map { Vertex($0.x + 0.03 * w * cos(a), $0.y + 0.03 * h * sin(a)) })
    }),
    ("cd27-quad", { i in
      guard let (x, y) = quad else { return nil }
      let a = Double(i) * 0.13
      return .moveQuadrantCentre("CD27IgD", x: x + 0.04 * cos(a), y: y + 0.04 * sin(a))
    }),
  ]
  for (name, edit) in kinds {
    guard edit(0) != nil else { continue }
    let start = session
    var ms: [Double] = []
    var recomputed = 0
    t0 = now()
    _ = try session.apply(edit(0)!)  // warm-up (a polygon's first drag also builds its band index)
    let first = (now() - t0) * 1000
    let c0 = cpu()
    for i in 1...drags {
      t0 = now()
      let r = try session.apply(edit(i)!)
      ms.append((now() - t0) * 1000)
      recomputed = r.recomputed.count
    }
    report(name, ms, cpuMs: (cpu() - c0) * 1000 / Double(drags), recomputed: recomputed, events: n, first: first)
    session = start
  }
  // The alternative: the whole edited strategy evaluated by the engine on the file's data.
  var full: [Double] = []
  let c0 = cpu()
  let reps = max(5, min(20, drags / 10))
  for i in 0..<reps {
    let s = try session.strategy(after: .setCut(name: "CD19", value: cut + 0.06 * sin(Double(i) * 0.13)))
    t0 = now()
    _ = try GatingEngine.evaluate(s, on: resolved.input)
    full.append((now() - t0) * 1000)
  }
  report("full-engine", full, cpuMs: (cpu() - c0) * 1000 / Double(reps), recomputed: session.strategy.populations.count, events: n)
}

do { try run() } catch {
  FileHandle.standardError.write("review-drag: \(error)\n".data(using: .utf8)!)
  exit(1)
}
