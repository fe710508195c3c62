import ArgumentParser
import CytoCore
import CytoFCS
import Foundation

/// `cytoreset export`: the event table of one data set.
struct Export: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write the events of an FCS file as CSV, TSV or FCS 3.1.",
    discussion: """
      Values: "raw" is what DATA stores (integers masked to $PnR; what FlowIO returns and what
      Gating-ML gates use); "scaled" applies log decoding ($PnE), ÷ $PnG on linear channels and
      × $TIMESTEP on the time channel (what FlowKit and FlowJo show as channel values).

      CSV/TSV: a header line of $PnN names, then one line per event in file order; numbers in the
      shortest form that reads back to the same double. FCS: float32 list mode, keywords kept.

      EXAMPLES
        cytoreset export sample.fcs -o sample.csv
        cytoreset export sample.fcs --values scaled --format tsv | head
        cytoreset export lmdfile.LMD --data-set 1 --format fcs -o second-set.fcs
        cytoreset export sample.fcs --channels FSC-A,SSC-A,CD19 --format fcs -o small.fcs
      """)

  enum Format: String, ExpressibleByArgument, CaseIterable { case csv, tsv, fcs }

  @Argument(help: "The FCS file.")
  var file: String

  @Option(name: .customLong("data-set"), help: "Data set index (0-based) in a $NEXTDATA chain.")
  var dataSet = 0

  @Option(help: "Which values to write: raw or scaled.")
  var values: FCSValueScale = .raw

  @Option(help: "Output format: csv, tsv or fcs.")
  var format: Format = .csv

  @Option(help: "Comma-separated channels to keep ($PnN, $PnS or 1-based number); default all.")
  var channels: String?

  @Option(name: .shortAndLong, help: "Output file (default standard output; required for fcs).")
  var output: String?

  func validate() throws {
    if format == .fcs && output == nil { throw ValidationError("--format fcs needs -o OUT") }
    if dataSet < 0 { throw ValidationError("--data-set must be 0 or more") }
  }

  func run() throws {
    try forEachInput([file]) { path in
      let fcs = try FCSFile(contentsOf: path)
      let ds = try fcs.dataSet(dataSet)
      let chosen = try channels.map { try ChannelSelector.resolve($0, in: ds) } ?? ds.parameters.map(\.index)
      switch format {
      case .fcs:
        let table = try FCSWriter.EventTable(subsetOf: ds, channels: chosen, values: values)
        try FCSWriter.write(table, to: output!)
      case .csv, .tsv:
        let m = try ds.events(values, as: Double.self)
        let sep = format == .csv ? "," : "\t"
        var text = chosen.map { csvField(ds.parameters[$0.rawValue].name.rawValue, sep) }.joined(separator: sep) + "\n"
        if let output {
          try AtomicFile.write(to: output) { h in
            try writeRows(m, chosen, sep, header: text) { try h.write(contentsOf: Data($0.utf8)) }
          }
        } else {
          var out = StandardOutput()
          try writeRows(m, chosen, sep, header: text) { out.write($0) }
          out.flush()
        }
        text = ""
      }
    }
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
