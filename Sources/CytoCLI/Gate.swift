import ArgumentParser
import CytoCore
import CytoFCS
import CytoClinical
import CytoGating
import Foundation

/// `cytoreset gate`: apply a Gating-ML 2.0 strategy to FCS files.
struct GateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gate",
    abstract: "Apply a Gating-ML 2.0 gating strategy to FCS files: counts, percentages and statistics per population.",
    discussion: reflow("""
      Gates see scaled channel values (log decoding, ÷ gain), then each dimension's compensation
      (uncompensated, the file's spillover, or a spectrum matrix in the strategy) and transform,
      exactly as Gating-ML 2.0 defines them. One row per file × population, in strategy order.

      FlowJo's Gating-ML 2.0 export (recognised by FlowJo's own gate attributes such as
      eventsInside and gateResolution) is read too: a Comp-X dimension is
      channel X compensated with the file's spillover matrix (an error names the gate and the
      dimension when the file has none, or no channel X), eventsInside="0" selects the events
      outside the shape, FlowJo's display attributes are ignored, and notes on stderr (and in
      --format json) say so. Populations keep FlowJo's gate ids (the export has no names).
      Polygons are tested exactly in data space; FlowJo tested them on its display grid, so
      counts of polygons on biex axes can differ slightly near curved edges (docs/flowjo.md).

      Statistics (--stats): mean, median, geomean, sd, cv, rsd, rcv, min, max, and percentiles as
      p<N> (e.g. p5,p95), over the channels in --channels (default: every channel a gate uses),
      computed on --stat-values (compensated by default: the file's spillover applied).

      Memory: without --stats a file is decoded and gated 16 MB of events at a time, so any
      size works (a 6.4 GB file of 10⁸ events in about 0.2 GB); --stats needs every event's
      values and reads the whole file into memory (about its DATA size).

      EXAMPLES
        cytoreset gate sample.fcs --gating strategy.xml
        cytoreset gate visits/*.fcs --gating strategy.xml --format tsv > counts.tsv
        cytoreset gate sample.fcs --gating strategy.xml --stats median,rcv,p95 --channels PE-A,APC-A --format json
        cytoreset gate sample.fcs --gating strategy.xml --membership members.csv
        cytoreset gate 68983.fcs --gating manualGating.xml  # FlowJo's export
      """))

  enum Format: String, ExpressibleByArgument, CaseIterable { case table, tsv, csv, json }
  enum StatValues: String, ExpressibleByArgument, CaseIterable { case scaled, compensated }

  @Argument(help: "FCS files.")
  var files: [String]

  @Option(help: "The Gating-ML 2.0 strategy file (standard, or FlowJo's Gating-ML export).")
  var gating: String

  @Option(help: "Output format: table, tsv, csv or json.")
  var format: Format = .table

  @Option(help: "Comma-separated statistics per channel (mean, median, geomean, sd, cv, rsd, rcv, min, max, pN).")
  var stats: String?

  @Option(help: "Comma-separated channels ($PnN) for --stats; default: the channels the gates use.")
  var channels: String?

  @Option(name: .customLong("stat-values"), help: "Values for --stats: scaled or compensated.")
  var statValues: StatValues = .compensated

  @Option(help: "Write per-event membership (one 0/1 column per population, file order) to this CSV (one input file only).")
  var membership: String?

  @Option(name: .customLong("data-set"), help: "Data set index (0-based) in a $NEXTDATA chain.")
  var dataSet = 0

  func validate() throws {
    if membership != nil && files.count != 1 { throw ValidationError("--membership needs exactly one input file") }
    if let stats { _ = try StatRequest.parse(stats) }
  }

  func run() throws {
    let strategy: GatingStrategy
    do { strategy = try GatingML.read(contentsOf: gating) } catch {
      printError("cytoreset: \(error)")
      throw ExitCode(2)
    }
    let request = try stats.map(StatRequest.parse) ?? StatRequest(statistics: [], percentiles: [])
    var out = StandardOutput()
    var rows: [[String]] = []
    var jsonFiles: [JSONValue] = []
    var header = ["file", "population", "path", "count", "parent", "pct_parent", "pct_total"]
    var statColumns: [String] = []
    var failure: Error? = nil
    do {
    try forEachInput(files) { path in
      let ds = try FCSFile(contentsOf: path).dataSet(dataSet)
      // Counts alone need only the masks: the file is read and gated chunk by chunk, in bounded
      // memory whatever its size. Statistics need every event's values: the whole matrix.
      let input = request.isEmpty ? nil : try GatingInput(ds)
      let result = try input.map { try GatingEngine.evaluate(strategy, on: $0) }
        ?? GatingEngine.evaluate(strategy, chunks: ChunkedGatingInput(ds))
      for d in result.diagnostics { printError("cytoreset: \(path): \(d.severity.rawValue): \(d.message)") }
      // The strategy as resolved for this file (a FlowJo export's Comp-X is channel X).
      let statChannels = try chosenChannels(result.strategy, ds)
      var values: [(ChannelName, DimensionValues)] = []
      if !request.isEmpty {
        values = try statChannels.map { name in
          (name, try GatingEngine.channelValues(name, compensation: statValues == .compensated ? .fileSpillover : .uncompensated, input: input!))
        }
      }
      let pops = result.statistics(channels: values, statistics: request.statistics, percentiles: request.percentiles)
      if statColumns.isEmpty && !request.isEmpty {
        for (name, _) in values {
          statColumns += request.statistics.map { "\(name):\($0.rawValue)" } + request.percentiles.map { "\(name):p\(formatValue($0))" }
        }
      }
      var popJSON: [JSONValue] = []
      for p in pops {
        var row = [path, p.population.rawValue, p.path.description, String(p.count), String(p.parentCount),
                   p.percentOfParent.map { fmt($0) } ?? "", p.percentOfTotal.map { fmt($0) } ?? ""]
        var statJSON: [(String, JSONValue)] = []
        for (name, _) in values {
          var chJSON: [(String, JSONValue)] = []
          for s in request.statistics {
            let v = p.channels[name]?[s] ?? nil
            row.append(v.map { fmt($0) } ?? "")
            chJSON.append((s.rawValue, .optional(v)))
          }
          for q in request.percentiles {
            let v = p.percentiles[name]?[q] ?? nil
            row.append(v.map { fmt($0) } ?? "")
            chJSON.append(("p" + formatValue(q), .optional(v)))
          }
          statJSON.append((name.rawValue, .object(chJSON)))
        }
        rows.append(row)
        popJSON.append(.object([
          ("population", .string(p.population.rawValue)), ("path", .string(p.path.description)), ("count", .int(p.count)),
          ("parentCount", .int(p.parentCount)), ("percentOfParent", .optional(p.percentOfParent)),
          ("percentOfTotal", .optional(p.percentOfTotal)), ("statistics", .object(statJSON)),
        ]))
      }
      jsonFiles.append(.object([
        ("file", .string(path)), ("eventCount", .int(result.eventCount)), ("statValues", .string(statValues.rawValue)),
        ("populations", .array(popJSON)), ("diagnostics", .array(result.diagnostics.map(\.json))),
      ]))
      if let membership { try writeMembership(result, to: membership) }
    }
    } catch { failure = error }
    do {
      header += statColumns
      switch format {
      case .json:
        out.write(JSONValue.object([("schema", .string("cytoreset.gate/1")), ("gating", .string(gating)),
                                    ("files", .array(jsonFiles))]).serialized() + "\n")
      case .tsv: out.write(([header] + rows).map { $0.joined(separator: "\t") }.joined(separator: "\n") + "\n")
      case .csv: out.write(([header] + rows).map { $0.map(csvQuote).joined(separator: ",") }.joined(separator: "\n") + "\n")
      case .table: out.write(table([header.map { $0 }] + rows))
      }
      out.flush()
    }
    if let failure { throw failure }
  }

  func fmt(_ d: Double) -> String {
    // Tables show 6 significant digits; integers (counts) in full.
    d == d.rounded() && abs(d) < 1e15 ? d.compactText : String(format: "%.6g", d)
  }

  func chosenChannels(_ strategy: GatingStrategy, _ ds: FCSDataSet) throws -> [ChannelName] {
    if let channels { return try ChannelSelector.resolve(channels, in: ds).map { ds.parameters[$0.rawValue].name } }
    var seen: [ChannelName] = []
    for g in strategy.gates {
      for d in g.shape.dimensions {
        if case .channel(let c) = d.source, ds.parameters.contains(where: { $0.name == c }), !seen.contains(c) { seen.append(c) }
      }
    }
    return seen
  }

  func writeMembership(_ result: GatingResult, to path: String) throws {
    let pops = result.strategy.populations
    let masks = pops.map { result.masks[$0]! }
    try AtomicFile.write(to: path) { h in
      var chunk = pops.map { csvQuote($0.rawValue) }.joined(separator: ",") + "\n"
      for e in 0..<result.eventCount {
        for (i, m) in masks.enumerated() { chunk += (i == 0 ? "" : ",") + (m[e] ? "1" : "0") }
        chunk += "\n"
        if chunk.utf8.count > 1 << 20 { try h.write(contentsOf: Data(chunk.utf8)); chunk = "" }
      }
      try h.write(contentsOf: Data(chunk.utf8))
    }
  }
}

/// Parsed `--stats`.
struct StatRequest {
  var statistics: [ChannelStatistic]
  var percentiles: [Double]
  var isEmpty: Bool { statistics.isEmpty && percentiles.isEmpty }

  static func parse(_ text: String) throws -> StatRequest {
    var s: [ChannelStatistic] = [], p: [Double] = []
    for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) {
      if let st = ChannelStatistic(rawValue: item) { s.append(st); continue }
      if item.hasPrefix("p"), let q = Double(item.dropFirst()), q >= 0, q <= 100 { p.append(q); continue }
      throw ValidationError("unknown statistic '\(item)'; use " + ChannelStatistic.allCases.map(\.rawValue).joined(separator: ", ") + ", or pN (0–100)")
    }
    return StatRequest(statistics: s, percentiles: p)
  }
}

func csvQuote(_ s: String) -> String {
  s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
}
