import ArgumentParser
import CytoCore
import CytoFCS
import Foundation

/// `cytoreset info`: what an FCS file holds.
struct Info: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Describe FCS files: version, data sets, events, channels, layout, spillover, diagnostics.",
    discussion: reflow("""
      Reads only HEADER and TEXT; DATA is located and checked but not decoded. A file whose
      DATA is damaged is still described (with an error diagnostic) and the exit code is 1. A
      data set whose HEADER or TEXT cannot be read (after the first) is listed as unreadable
      with its error, the others are described, and the exit code is 1.

      EXAMPLES
        cytoreset info sample.fcs
        cytoreset info *.fcs --json > inventory.json
        cytoreset info sample.fcs --keywords

      JSON (schema "cytoreset.info/1", see docs/cli-json.md):
        { "schema", "files": [ { "file", "sizeBytes", "fcsVersion", "error", "dataSetCount",
            "dataSets": [ { "index", "fcsVersion", "offset", "eventCount", "parameterCount",
              "dataType", "byteOrder", "cytometer", "acquisition", "volumeNanolitres", "timestep",
              "parameters": [ { "number", "name", "label", "bits", "range", "dataType",
                                "amplification", "gain", "scaling", "isTime" } ],
              "spillover": { "keyword", "channels" } | null,
              "keywords": [[keyword, value]] (with --keywords), "diagnostics": [...] } ],
            "unreadableDataSets": [ { "index", "offset", "endsChain", "error", "diagnostics" } ],
            "diagnostics": [...] } ] }
      """))

  @Argument(help: "FCS files to describe.")
  var files: [String]

  @Flag(help: "Print machine-readable JSON instead of text.")
  var json = false

  @Flag(help: "Also list every TEXT keyword and value.")
  var keywords = false

  func run() throws {
    var out = StandardOutput()
    var reports: [JSONValue] = []
    var failed = 0
    for path in files {
      do {
        let file = try FCSFile(contentsOf: path, dataCheck: .deferred)
        let errors = file.dataSets.compactMap(\.dataError) + file.unreadableDataSets.map(\.error)
        if !errors.isEmpty { failed += 1 }
        for e in errors { printError("cytoreset: \(describe(e, file: path))") }
        if json { reports.append(Self.json(file, keywords: keywords)) } else { out.write(Self.text(file, keywords: keywords)) }
      } catch {
        failed += 1
        printError("cytoreset: \(describe(error, file: path))")
        if json {
          let e = error as? FCSError
          reports.append(.object([
            ("file", .string(path)), ("sizeBytes", .null), ("fcsVersion", .null),
            ("error", e.map(Self.json) ?? .object([
              ("kind", .null), ("message", .string("\(error)")), ("section", .null), ("keyword", .null),
              ("byteOffset", .null), ("dataSet", .null),
            ])),
            ("dataSetCount", .int(0)), ("dataSets", .array([])), ("unreadableDataSets", .array([])),
            ("diagnostics", .array([])),
          ]))
        }
      }
    }
    if json {
      out.write(JSONValue.object([("schema", .string("cytoreset.info/1")), ("files", .array(reports))]).serialized() + "\n")
    }
    out.flush()
    if failed > 0 { throw ExitCode(1) }
  }

  static func dataTypeName(_ ds: FCSDataSet) -> String {
    let widths = Set(ds.parameters.map { $0.bits.map(String.init) ?? "*" })
    switch ds.dataType {
    case .float: return "float32"
    case .double: return "float64"
    case .ascii: return "ascii"
    case .integer:
      let name = "uint" + widths.sorted().joined(separator: "/")
      return ds.parameters.contains { $0.storageBits != nil } ? name + " (16-bit words)" : name
    }
  }

  /// An error as JSON: kind, message, where, and the data set it belongs to.
  static func json(_ e: FCSError) -> JSONValue {
    .object([
      ("kind", .string(e.kind.rawValue)), ("message", .string(e.message)),
      ("section", .optional(e.location.section)), ("keyword", .optional(e.location.keyword)),
      ("byteOffset", .optional(e.location.byteOffset)), ("dataSet", .optional(e.dataSet)),
    ])
  }

  /// An error without the file path (printed under the file), for text output.
  static func located(_ e: FCSError) -> String {
    var e = e
    e.location.file = nil
    e.dataSet = nil
    return e.description
  }

  static func json(_ file: FCSFile, keywords: Bool) -> JSONValue {
    var allDiagnostics: [JSONValue] = []
    let sets: [JSONValue] = file.dataSets.map { ds in
      let params: [JSONValue] = ds.parameters.map { p in
        .object([
          ("number", .int(p.index.fcsParameterNumber)), ("name", .string(p.name.rawValue)), ("label", .optional(p.label)),
          ("bits", .optional(p.bits)), ("range", .number(p.range)), ("dataType", .string(p.dataType.rawValue)),
          ("amplification", p.amplification.isLogarithmic
            ? .object([("decades", .number(p.amplification.decades)), ("offset", .number(p.amplification.offset))]) : .null),
          ("gain", .number(p.gain)), ("scaling", .string(ds.scalingDescription(p))), ("isTime", .bool(p.isTime)),
        ])
      }
      let spill = ds.spillover
      let diags = ds.diagnostics + (spill?.diagnostics ?? [])
      allDiagnostics += diags.map { d in
        var j = d.json
        if case .object(var o) = j { o.insert(("dataSet", .int(ds.index)), at: 0); j = .object(o) }
        return j
      }
      let acq = ds.acquisition
      var fields: [(String, JSONValue)] = [
        ("index", .int(ds.index)), ("fcsVersion", .string(ds.version.rawValue)), ("offset", .int(ds.offset)),
        ("eventCount", .int(ds.eventCount)), ("parameterCount", .int(ds.parameters.count)),
        ("dataType", .string(ds.dataType.rawValue)), ("dataTypeName", .string(dataTypeName(ds))),
        ("byteOrder", .string(ds.keywords["$BYTEORD"].map { String($0) } ?? ds.byteOrder.keyword())),
        ("dataBytes", .object([("start", .int(ds.dataRange.lowerBound)), ("length", .int(ds.dataRange.count))])),
        ("cytometer", .optional(ds.cytometer)),
        ("acquisition", .object([
          ("date", .optional(acq.date?.description)), ("start", .optional(acq.start.map { FCSAcquisitionTime.clock($0) })),
          ("end", .optional(acq.end.map { FCSAcquisitionTime.clock($0) })), ("unreadableDate", .optional(acq.unreadableDate)),
        ])),
        ("volumeNanolitres", .optional(ds.volumeNanolitres)), ("timestep", .optional(ds.timestep)),
        ("parameters", .array(params)),
        ("spillover", spill.map { s in
          .object([("keyword", .string(s.keyword)), ("channels", .array(s.matrix.detectors.map { .string($0.rawValue) }))])
        } ?? .null),
      ]
      if keywords {
        fields.append(("keywords", .array(ds.keywords.entries.map { .array([.string($0.keyword), .string($0.value)]) })))
      }
      fields.append(("diagnostics", .array(diags.map(\.json))))
      return .object(fields)
    }
    let unreadable: [JSONValue] = file.unreadableDataSets.map { u in
      allDiagnostics += u.diagnostics.map { d in
        var j = d.json
        if case .object(var o) = j { o.insert(("dataSet", .int(u.index)), at: 0); j = .object(o) }
        return j
      }
      return .object([
        ("index", .int(u.index)), ("offset", .int(u.offset)), ("endsChain", .bool(u.endsChain)),
        ("error", json(u.error)), ("diagnostics", .array(u.diagnostics.map(\.json))),
      ])
    }
    return .object([
      ("file", .string(file.path ?? "")), ("sizeBytes", .int(file.byteCount)),
      ("fcsVersion", .optional(file.dataSets.first?.version.rawValue)), ("error", .null),
      ("dataSetCount", .int(file.dataSetCount)), ("dataSets", .array(sets)),
      ("unreadableDataSets", .array(unreadable)), ("diagnostics", .array(allDiagnostics)),
    ])
  }

  static func text(_ file: FCSFile, keywords: Bool) -> String {
    let n = file.dataSetCount, bad = file.unreadableDataSets.count
    var s = "\(file.path ?? "-")  (\(file.dataSets.first?.version.rawValue ?? "?"), \(n) data set\(n == 1 ? "" : "s")\(bad > 0 ? ", \(bad) unreadable" : ""), \(formatBytes(file.byteCount)) bytes)\n"
    // Readable and unreadable data sets in chain order.
    let chain = (file.dataSets.map { ($0.index, $0 as FCSDataSet?, nil as FCSFile.UnreadableDataSet?) }
      + file.unreadableDataSets.map { ($0.index, nil, $0) }).sorted { $0.0 < $1.0 }
    for case let (_, readable, unreadable) in chain {
      if let u = unreadable {
        s += "data set \(u.index): unreadable: \(located(u.error))\n"
        if u.endsChain { s += "  the $NEXTDATA chain ends here: data sets after it, if any, are not found\n" }
        if !u.diagnostics.isEmpty {
          s += "  diagnostics:\n"
          for d in u.diagnostics { s += "    \(d.severity.rawValue): \(d.message) [\(d.code)]\n" }
        }
      }
      guard let ds = readable else { continue }
      let order = ds.dataType == .ascii ? "" : " \(ds.byteOrder)"
      s += "data set \(ds.index): \(formatBytes(ds.eventCount)) events × \(ds.parameters.count) parameters, \(dataTypeName(ds))\(order)"
      if ds.version != file.dataSets[0].version { s += " (\(ds.version.rawValue))" }
      s += "\n"
      if let c = ds.cytometer { s += "  cytometer: \(c)\n" }
      if let iso = ds.acquisition.isoStart { s += "  acquired:  \(iso)\n" } else if let u = ds.acquisition.unreadableDate {
        s += "  acquired:  \(u) (date not understood)\n"
      }
      var rows = [["#", "name", "label", "bits", "range", "scaling"]]
      for p in ds.parameters {
        rows.append([String(p.index.fcsParameterNumber), p.name.rawValue, p.label ?? "", p.bits.map(String.init) ?? "*",
                     formatValue(p.range), ds.scalingDescription(p)])
      }
      s += table(rows, indent: "  ")
      if let sp = ds.spillover {
        s += "  spillover (\(sp.keyword)): \(sp.matrix.detectors.count) channels: \(sp.matrix.detectors.map(\.rawValue).joined(separator: ", "))\n"
      } else {
        s += "  spillover: none\n"
      }
      let diags = ds.diagnostics + (ds.spillover?.diagnostics ?? [])
      if !diags.isEmpty {
        s += "  diagnostics:\n"
        for d in diags { s += "    \(d.severity.rawValue): \(d.message) [\(d.code)]\n" }
      }
      if keywords {
        s += "  keywords (\(ds.keywords.count)):\n"
        for e in ds.keywords.entries { s += "    \(e.keyword) = \(e.value)\n" }
      }
    }
    return s
  }
}

/// Pads columns to equal width.
func table(_ rows: [[String]], indent: String = "") -> String {
  guard let first = rows.first else { return "" }
  var widths = [Int](repeating: 0, count: first.count)
  for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
  var s = ""
  for r in rows {
    var line = indent
    for (i, c) in r.enumerated() {
      line += i == r.count - 1 ? c : c + String(repeating: " ", count: widths[i] - c.count + 2)
    }
    while line.hasSuffix(" ") { line.removeLast() }
    s += line + "\n"
  }
  return s
}
