import CytoCore
import CytoFCS
import CytoGating
import Foundation

/// Writes FlowJo 10 workspaces (`.wsp`, `Workspace@version="20.0"`): one `Sample` per
/// ``WorkspaceExportSample`` with its file's keywords and spillover, one display transform per
/// gated parameter and the strategy's gates as nested populations (docs/flowjo.md, "Writing
/// workspaces").
///
///     try WorkspaceWriter.write(samples, to: "review.wsp")
///     let back = try FlowJoWorkspace(contentsOf: "review.wsp")   // the reader accepts it
///
/// Units: rectangle bounds and polygon vertices are data units, as FlowJo stores them — the
/// strategy's display-unit bounds go back through the inverse transform. Rectangle bounds are
/// moved to the data value where the strategy's transform crosses the display bound, so a
/// data-space test `min <= x < max` selects exactly the events the strategy selects.
/// Counts are CytoReset's (`count` attributes), so `workspace apply` compares against them.
/// What FlowJo 10 cannot state exactly is refused (``WorkspaceExportError``), never approximated.
public enum WorkspaceWriter {
  /// `Workspace@version`.
  public static let workspaceVersion = "20.0"
  /// `Workspace@flowJoVersion`: the newest FlowJo release whose workspaces this format was
  /// learnt from (../shared/testdata/flowjo). FlowKit requires 10 or later.
  public static let flowJoVersion = "10.7.1"
  /// The prefix of compensated parameter names, as FlowJo names acquisition-defined matrices.
  public static let compensationPrefix = "Comp-"

  /// The workspace XML for `samples`.
  /// - Throws: ``WorkspaceExportError`` naming the sample and population that cannot be written.
  public static func document(_ samples: [WorkspaceExportSample]) throws(WorkspaceExportError) -> String {
    var seen: [String: String] = [:]
    for s in samples {
      if let other = seen[s.name] {
        throw WorkspaceExportError(.duplicateSample, "two files are named \(s.name) (\(other) and \(s.file)); a workspace finds a sample's file by its name",
                                   sample: s.file)
      }
      seen[s.name] = s.file
    }
    var matrices: [XMLOutputElement] = []
    var sampleElements: [XMLOutputElement] = []
    for (i, s) in samples.enumerated() {
      let id = String(i + 1)
      do {
        let e = try sampleElement(s, id: id)
        sampleElements.append(e.sample)
        if let m = e.matrix { matrices.append(m) }
      } catch var e {
        e.sample = e.sample ?? s.file
        throw e
      }
    }
    let group = XMLOutputElement("GroupNode", [("name", "All Samples"), ("annotation", ""), ("owningGroup", "All Samples"),
                                               ("expanded", "1"), ("sortPriority", "10"), ("count", "-1")], [
      XMLOutputElement("Group", [("name", "All Samples"), ("live", "1")], [
        XMLOutputElement("Criteria"),
        XMLOutputElement("SampleRefs", [], samples.indices.map { XMLOutputElement("SampleRef", [("sampleID", String($0 + 1))]) }),
        XMLOutputElement("Keywords"),
      ]),
    ])
    let root = XMLOutputElement("Workspace", [
      ("version", workspaceVersion), ("flowJoVersion", flowJoVersion), ("curGroup", "All Samples"),
      ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"), ("xmlns:gating", WSNamespace.gating),
      ("xmlns:transforms", WSNamespace.transforms), ("xmlns:data-type", WSNamespace.dataType),
    ], [
      XMLOutputElement("Matrices", [], matrices),
      XMLOutputElement("Groups", [], [group]),
      XMLOutputElement("SampleList", [], sampleElements),
    ])
    var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    out += "<!-- Written by CytoReset \(cytoResetVersionComment) (cytoreset workspace export): the gates CytoReset applied; counts are CytoReset's. -->\n"
    try root.render(into: &out, depth: 0)
    return out
  }

  /// Writes ``document(_:)`` to `path` atomically: a temporary file in the same folder,
  /// synced, then renamed over `path`. Nothing is written when the document cannot be made,
  /// and an existing `path` is replaced only on success.
  /// - Throws: ``WorkspaceExportError`` (``WorkspaceExportError/Kind/io`` when writing fails).
  public static func write(_ samples: [WorkspaceExportSample], to path: String) throws(WorkspaceExportError) {
    let xml = try document(samples)
    do {
      try AtomicFile.write(to: path) { handle in try handle.write(contentsOf: Data(xml.utf8)) }
    } catch {
      throw WorkspaceExportError(.io, "cannot write \(path): \(error)")
    }
  }

  /// The version text in the leading comment (no `--` allowed in XML comments).
  static var cytoResetVersionComment: String { "workspace writer 1" }

  // MARK: Samples

  static func sampleElement(_ s: WorkspaceExportSample, id: String) throws(WorkspaceExportError) -> (sample: XMLOutputElement, matrix: XMLOutputElement?) {
    let naming = try ParameterNaming(s)
    var plan = SampleGatePlan(sample: s, naming: naming)
    let populations = try plan.populations()
    var children: [XMLOutputElement] = [XMLOutputElement("DataSet", [("uri", fileURI(s.file)), ("sampleID", id)])]
    var matrix: XMLOutputElement? = nil
    if let spill = s.spillover {
      let m = matrixElement(spill, naming: naming, id: "cytoreset-acquisition-\(id)")
      children.append(m)
      matrix = m
    }
    children.append(XMLOutputElement("Transformations", [], plan.transformElements()))
    children.append(XMLOutputElement("Keywords", [], s.keywords.map { XMLOutputElement("Keyword", [("name", $0.name), ("value", $0.value)]) }))
    children.append(XMLOutputElement("SampleNode", [
      ("name", s.name), ("annotation", ""), ("owningGroup", ""), ("expanded", "1"), ("sortPriority", "10"),
      ("count", String(s.eventCount)), ("sampleID", id),
    ], [XMLOutputElement("Subpopulations", [], populations)]))
    return (XMLOutputElement("Sample", [], children), matrix)
  }

  /// An absolute `file:` URI with percent-encoding, e.g. `file:///data/visit%201.fcs`.
  static func fileURI(_ path: String) -> String {
    URL(fileURLWithPath: path).standardizedFileURL.absoluteString
  }

  /// FlowJo's `Acquisition-defined` matrix: detectors in `data-type:parameters`, one
  /// `transforms:spillover` row per fluorochrome with a coefficient per detector, the values
  /// as the file stores them (shortest round-trip text).
  static func matrixElement(_ m: SpilloverMatrix, naming: ParameterNaming, id: String) -> XMLOutputElement {
    let detectors = m.detectors.map { naming.spelled($0) }
    var children = [XMLOutputElement("data-type:parameters", [], detectors.map { XMLOutputElement("data-type:parameter", [("data-type:name", $0)]) })]
    for (r, f) in m.fluorochromes.enumerated() {
      children.append(XMLOutputElement("transforms:spillover", [("data-type:parameter", naming.spelled(f))], detectors.enumerated().map { c, d in
        XMLOutputElement("transforms:coefficient", [("data-type:parameter", d), ("transforms:value", WorkspaceXMLOutput.number(m[row: r, column: c]))])
      }))
    }
    return XMLOutputElement("transforms:spilloverMatrix", [
      ("spectral", "0"), ("prefix", compensationPrefix), ("name", "Acquisition-defined"),
      ("editable", "0"), ("status", "FINALIZED"), ("transforms:id", id), ("suffix", ""),
    ], children)
  }
}

/// How a sample's channels are named in the workspace: FlowJo's spelling (`/` → `_`), and
/// compensated names `Comp-<detector>` for the fluorochromes of the file's matrix.
struct ParameterNaming {
  let spill: SpilloverMatrix?
  let sample: String

  init(_ s: WorkspaceExportSample) throws(WorkspaceExportError) {
    spill = s.spillover
    sample = s.file
    var byName: [String: ChannelName] = [:]
    for c in s.channelRanges.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
      let n = WorkspaceDimension.flowJoSpelling(of: c)
      if let other = byName[n] {
        throw WorkspaceExportError(.invalidName, "channels \(other) and \(c) are both \(n) in FlowJo's spelling (/ becomes _)")
      }
      byName[n] = c
    }
    if let spill {
      guard spill.fluorochromes.count == spill.detectors.count else {
        throw WorkspaceExportError(.compensation, "the file's spillover matrix is \(spill.fluorochromes.count) × \(spill.detectors.count), not square")
      }
      let detectors = Set(spill.detectors.map { WorkspaceDimension.flowJoSpelling(of: $0) })
      for n in byName.keys where n.hasPrefix(WorkspaceWriter.compensationPrefix)
        && detectors.contains(String(n.dropFirst(WorkspaceWriter.compensationPrefix.count))) {
        throw WorkspaceExportError(.compensation, "channel \(n) would read as \(WorkspaceWriter.compensationPrefix)-compensated \(n.dropFirst(WorkspaceWriter.compensationPrefix.count)) in a workspace")
      }
    }
  }

  /// FlowJo's spelling of a channel name.
  func spelled(_ c: ChannelName) -> String { WorkspaceDimension.flowJoSpelling(of: c) }

  /// Whether the engine compensates `channel` under `FCS`: the file has a matrix and the
  /// channel is one of its fluorochromes (others pass through uncompensated, as in the engine).
  func isCompensated(_ channel: ChannelName) -> Bool { spill?.fluorochromes.contains(channel) ?? false }

  /// The parameter name of a dimension, and the name its transform is keyed by in FlowKit
  /// (the uncompensated name).
  func parameter(_ d: GateDimension, population: String) throws(WorkspaceExportError) -> (name: String, base: String, channel: ChannelName) {
    guard case .channel(let c) = d.source else {
      throw WorkspaceExportError(.unsupportedGate, "a gate on a ratio dimension: FlowJo derived parameters are not written", population: population)
    }
    let base = spelled(c)
    switch d.compensation {
    case .uncompensated: return (base, base, c)
    case .fileSpillover: return (isCompensated(c) ? WorkspaceWriter.compensationPrefix + base : base, base, c)
    case .matrix(let id):
      throw WorkspaceExportError(.compensation, "compensation with the strategy's matrix \(id): only the file's own spillover is written", population: population)
    }
  }
}
