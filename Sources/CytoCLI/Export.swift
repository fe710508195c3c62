import ArgumentParser
import CytoCore
import CytoClinical
import CytoFCS
import CytoGating
import CytoTransforms
import Foundation

/// `cytoreset export`: the event table of one data set.
struct Export: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write the events of an FCS file as CSV, TSV or FCS 3.1.",
    discussion: reflow("""
      Values: "raw" is what DATA stores (integers masked to $PnR; what FlowIO returns and what
      Gating-ML gates use); "scaled" applies log decoding ($PnE), ÷ $PnG on linear channels and
      × $TIMESTEP on the time channel (what FlowKit and FlowJo show as channel values);
      "compensated" applies the file's spillover to scaled values; "transformed" then applies, to
      each channel, the scale transformation the --gating strategy uses for it (channels the
      strategy never transforms, or transforms in more than one way, stay compensated).

      With --gating and --population, only the events of that population are written.

      CSV/TSV: a header line of $PnN names, then one line per event in file order; numbers in the
      shortest form that reads back to the same double. FCS: float32 list mode, keywords kept.

      EXAMPLES
        cytoreset export sample.fcs -o sample.csv
        cytoreset export sample.fcs --values scaled --format tsv | head
        cytoreset export lmdfile.LMD --data-set 1 --format fcs -o second-set.fcs
        cytoreset export sample.fcs --channels FSC-A,SSC-A,CD19 --format fcs -o small.fcs
        cytoreset export sample.fcs --gating strategy.xml --population /Lymphocytes/CD19 --values compensated -o b.csv
      """))

  enum Values: String, ExpressibleByArgument, CaseIterable { case raw, scaled, compensated, transformed }

  enum Format: String, ExpressibleByArgument, CaseIterable { case csv, tsv, fcs }

  @Argument(help: "The FCS file.")
  var file: String

  @Option(name: .customLong("data-set"), help: "Data set index (0-based) in a $NEXTDATA chain.")
  var dataSet = 0

  @Option(help: "Which values to write: raw, scaled, compensated or transformed.")
  var values: Values = .raw

  @Option(help: "A Gating-ML 2.0 strategy (for --population and --values transformed).")
  var gating: String?

  @Option(help: "Only events of this population (path like /A/B or a population id); needs --gating.")
  var population: String?

  @Option(help: "Output format: csv, tsv or fcs.")
  var format: Format = .csv

  @Option(help: "Comma-separated channels to keep ($PnN, $PnS or 1-based number); default all.")
  var channels: String?

  @Option(name: .shortAndLong, help: "Output file (default standard output; required for fcs).")
  var output: String?

  func validate() throws {
    if format == .fcs && output == nil { throw ValidationError("--format fcs needs -o OUT") }
    if dataSet < 0 { throw ValidationError("--data-set must be 0 or more") }
    if population != nil && gating == nil { throw ValidationError("--population needs --gating") }
    if values == .transformed && gating == nil { throw ValidationError("--values transformed needs --gating") }
  }

  func run() throws {
    let strategy: GatingStrategy?
    do { strategy = try gating.map { try GatingML.read(contentsOf: $0) } } catch {
      printError("cytoreset: \(error)")
      throw ExitCode(2)
    }
    try forEachInput([file]) { path in
      let fcs = try FCSFile(contentsOf: path)
      let ds = try fcs.dataSet(dataSet)
      let chosen = try channels.map { try ChannelSelector.resolve($0, in: ds) } ?? ds.parameters.map(\.index)
      var mask: EventMask? = nil
      if let population, let strategy {
        let id = try resolvePopulation(population, in: strategy)
        mask = try GatingEngine.evaluate(strategy, on: GatingInput(ds)).masks[id]
      }
      var matrix = try eventValues(ds, strategy: strategy)
      if let mask { matrix = matrix.selectingEvents(mask) }
      matrix = matrix.selectingChannels(chosen)
      switch format {
      case .fcs:
        var table = try FCSWriter.EventTable(subsetOf: ds, channels: chosen, events: mask,
                                             values: values == .raw ? .raw : .scaled)
        table.events = matrix.converted(to: Float.self)
        if values == .compensated || values == .transformed {
          // Values are no longer the file's spillover inputs.
          for k in ["$SPILLOVER", "SPILL", "$SPILL", "SPILLOVER"] { table.keywords[k] = nil }
        }
        try FCSWriter.write(table, to: output!)
      case .csv, .tsv:
        let sep = format == .csv ? "," : "\t"
        let header = chosen.map { csvField(ds.parameters[$0.rawValue].name.rawValue, sep) }.joined(separator: sep) + "\n"
        let all = (0..<chosen.count).map { ChannelIndex($0) }
        if let output {
          try AtomicFile.write(to: output) { h in
            try writeRows(matrix, all, sep, header: header) { try h.write(contentsOf: Data($0.utf8)) }
          }
        } else {
          var out = StandardOutput()
          try writeRows(matrix, all, sep, header: header) { out.write($0) }
          out.flush()
        }
      }
    }
  }

  /// All channels of the data set, as `--values` asks, in Double.
  func eventValues(_ ds: FCSDataSet, strategy: GatingStrategy?) throws -> EventMatrix<Double> {
    switch values {
    case .raw: return try ds.events(.raw, as: Double.self)
    case .scaled: return try ds.events(.scaled, as: Double.self)
    case .compensated, .transformed:
      var m = try ds.events(.scaled, as: Double.self)
      let names = ds.parameters.map(\.name)
      if let spill = ds.spillover?.matrix, !spill.detectors.isEmpty {
        let comp = try CompensationMatrix(spill)
        let resolution = try ChannelResolution(resolving: comp.detectors, against: names)
        let out = try comp.compensated(m, detectorColumns: resolution.indices)
        var storage = m.storage
        for (f, idx) in resolution.indices.enumerated() {
          storage.replaceSubrange(idx.rawValue * m.eventCount..<(idx.rawValue + 1) * m.eventCount, with: out.column(ChannelIndex(f)))
        }
        m = EventMatrix(eventCount: m.eventCount, channelCount: m.channelCount, columnMajor: storage)
      } else {
        printError("cytoreset: \(ds.keywords["$FIL"] ?? file): note: no spillover matrix in the file; compensated values equal scaled values")
      }
      guard values == .transformed, let strategy else { return m }
      // Transformations the strategy applies to each channel, found in one pass.
      var usedBy: [ChannelName: Set<String>] = [:]
      for d in strategy.gates.flatMap(\.shape.dimensions) {
        if case .channel(let c) = d.source, let t = d.transform { usedBy[c, default: []].insert(t) }
      }
      var storage = m.storage
      for (c, name) in names.enumerated() {
        let used = usedBy[name] ?? []
        guard used.count == 1, let tid = used.first, let t = strategy.transformations[tid], case .scale(let s) = t.kind else { continue }
        let n = m.eventCount
        storage.withUnsafeMutableBufferPointer { all in
          let col = UnsafeMutableBufferPointer(rebasing: all[c * n..<(c + 1) * n])
          if let b = t.bounds { Bounded(s, bounds: b).forward(UnsafeBufferPointer(col), into: col) } else { s.forward(UnsafeBufferPointer(col), into: col) }
        }
      }
      return EventMatrix(eventCount: m.eventCount, channelCount: m.channelCount, columnMajor: storage)
    }
  }

  func resolvePopulation(_ text: String, in strategy: GatingStrategy) throws -> GateID {
    if let id = strategy.population(at: PopulationPath(parsing: text)) { return id }
    throw ValidationError("no population '\(text)' in \(gating ?? "the strategy"); populations: " +
      strategy.populations.compactMap { strategy.path(of: $0)?.description }.joined(separator: ", "))
  }

  func writeRows(_ m: EventMatrix<Double>, _ chosen: [ChannelIndex], _ sep: String, header: String,
                 _ emit: (String) throws -> Void) throws {
    var chunk = header
    for e in 0..<m.eventCount {
      var first = true
      for c in chosen {
        if !first { chunk += sep }
        first = false
        chunk += formatValue(m[event: e, channel: c])
      }
      chunk += "\n"
      if chunk.utf8.count > 1 << 20 { try emit(chunk); chunk = "" }
    }
    try emit(chunk)
  }

  func csvField(_ s: String, _ sep: String) -> String {
    if s.contains(sep) || s.contains("\"") || s.contains("\n") {
      return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
    return s
  }
}

/// Resolves user channel references: exact `$PnN`, then exact `$PnS`, then a 1-based number.
enum ChannelSelector {
  static func resolve(_ list: String, in ds: FCSDataSet) throws -> [ChannelIndex] {
    try list.split(separator: ",").map { ref in
      let r = String(ref)
      let byName = ds.parameters.filter { $0.name.rawValue == r }
      if byName.count == 1 { return byName[0].index }
      if byName.count > 1 { throw ValidationError("channel '\(r)' is ambiguous: several parameters have that $PnN") }
      let byLabel = ds.parameters.filter { $0.label == r }
      if byLabel.count == 1 { return byLabel[0].index }
      if let n = Int(r), n >= 1, n <= ds.parameters.count { return ChannelIndex(fcsParameterNumber: n) }
      throw ValidationError("no channel '\(r)'; channels are: " + ds.parameters.map(\.name.rawValue).joined(separator: ", "))
    }
  }
}
