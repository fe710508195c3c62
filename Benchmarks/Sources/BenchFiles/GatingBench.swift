import CytoClinical
import CytoCore
import CytoFCS
import CytoGating
import CytoTransforms
import Foundation

/// The gating benchmark (issue #3): compensation + logicle of the 12 marker channels and a
/// 10-gate hierarchy, on the 10⁶ × 16 and 10⁷ × 16 benchmark files.
///
/// Two variants of the same geometry:
/// - **end to end** (`bench-10-gates.xml`): marker dimensions are `compensation-ref="FCS"` with
///   a logicle transform (T 262144, W 0.5, M 4.5, A 0), scatter is linear and uncompensated;
/// - **pre-transformed** (`bench-10-gates-pretransformed.xml`): every dimension uncompensated and
///   untransformed, applied to `bench-…-pre-f32.fcs`, whose marker columns already hold the
///   compensated, logicle-transformed values (Float32) — the gates alone.
///
/// Gates (10): Cells, Singlets, Lymphocytes and BCells are polygons; Live, TCells and NK are
/// rectangles; CD4CD8 is one quadrant gate (4 populations); SinglePositiveT (or) and NonTNonB
/// (and with complements) are Boolean. 13 populations in all.
/// Vertices and cuts are chosen so that no stored or transformed value can lie exactly on a
/// boundary (FlowKit drops on-edge polygon events, Gating-ML keeps them).
public enum GatingBench {
  public static let logicle = try! LogicleParameters(t: 262_144, w: 0.5, m: 4.5, a: 0)
  public static let markers = SyntheticEvents.Marker.allCases

  /// The 12 marker detectors, in spillover order.
  public static var markerChannels: [ChannelName] { markers.map { ChannelName(SyntheticEvents.channel($0)) } }

  /// The files the gating benchmark runs on (a subset of ``BenchFile/all``).
  public static var files: [BenchFile] { BenchFile.all.filter { $0.channels == 16 && $0.events >= 1_000_000 } }

  public static var strategyDirectory: String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("strategies").path
  }

  public static func strategyPath(pretransformed: Bool) -> String {
    strategyDirectory + (pretransformed ? "/bench-10-gates-pretransformed.xml" : "/bench-10-gates.xml")
  }

  public static func strategy(pretransformed: Bool) throws -> GatingStrategy {
    let t = "Logicle"
    func m(_ marker: SyntheticEvents.Marker) -> GateDimension {
      let name = ChannelName(SyntheticEvents.channel(marker))
      return pretransformed ? .channel(name) : .channel(name, compensation: .fileSpillover, transform: t)
    }
    func lin(_ name: String) -> GateDimension { .channel(ChannelName(name)) }
    let gates: [Gate] = [
      Gate(id: "Cells", shape: .polygon(x: lin("FSC-A"), y: lin("SSC-A"), vertices: [
        Vertex(30_000.5, -1_000.5), Vertex(262_000.5, -1_000.5), Vertex(262_000.5, 262_000.5),
        Vertex(80_000.5, 262_000.5), Vertex(25_000.5, 50_000.5),
      ])),
      Gate(id: "Singlets", parent: "Cells", shape: .polygon(x: lin("FSC-A"), y: lin("FSC-H"), vertices: [
        Vertex(20_000.5, 12_000.5), Vertex(262_000.5, 190_000.5), Vertex(262_000.5, 262_100.5), Vertex(20_000.5, 26_000.5),
      ])),
      Gate(id: "Live", parent: "Singlets", shape: .rectangle([RectangleSide(m(.viability), max: 0.45013)])),
      Gate(id: "Lymphocytes", parent: "Live", shape: .polygon(x: m(.cd45), y: lin("SSC-A"), vertices: [
        Vertex(0.50013, -1_000.5), Vertex(0.95017, -1_000.5), Vertex(0.95017, 30_000.5), Vertex(0.55011, 26_000.5),
      ])),
      Gate(id: "TCells", parent: "Lymphocytes", shape: .rectangle([
        RectangleSide(m(.cd3), min: 0.45131), RectangleSide(m(.cd19), max: 0.44871),
      ])),
      Gate(id: "CD4CD8", parent: "TCells", shape: .quadrant(
        dividers: [QuadrantDivider(id: "CD4", dimension: m(.cd4), values: [0.45011]),
                   QuadrantDivider(id: "CD8", dimension: m(.cd8), values: [0.44989])],
        quadrants: [
          Quadrant(id: "CD4T", positions: ["CD4": 0.7, "CD8": 0.2]),
          Quadrant(id: "CD8T", positions: ["CD4": 0.2, "CD8": 0.7]),
          Quadrant(id: "DPT", positions: ["CD4": 0.7, "CD8": 0.7]),
          Quadrant(id: "DNT", positions: ["CD4": 0.2, "CD8": 0.2]),
        ])),
      Gate(id: "BCells", parent: "Lymphocytes", shape: .polygon(x: m(.cd19), y: m(.cd20), vertices: [
        Vertex(0.46113, 0.44093), Vertex(0.95131, 0.44093), Vertex(0.95131, 0.94871), Vertex(0.58117, 0.94871),
        Vertex(0.46113, 0.70019),
      ])),
      Gate(id: "NK", parent: "Lymphocytes", shape: .rectangle([
        RectangleSide(m(.cd56), min: 0.45071), RectangleSide(m(.cd3), max: 0.45131),
      ])),
      Gate(id: "SinglePositiveT", parent: "TCells", shape: .boolean(.or([BooleanOperand("CD4T"), BooleanOperand("CD8T")]))),
      Gate(id: "NonTNonB", shape: .boolean(.and([
        BooleanOperand("Lymphocytes"), BooleanOperand("TCells", complement: true), BooleanOperand("BCells", complement: true),
      ]))),
    ]
    return try GatingStrategy(
      transformations: pretransformed ? [] : [Transformation(id: t, kind: .scale(.logicle(logicle)))],
      gates: gates)
  }

  /// Writes both strategies (Gating-ML 2.0) when they differ from the files; returns the paths written.
  @discardableResult
  public static func writeStrategies() throws -> [String] {
    try FileManager.default.createDirectory(atPath: strategyDirectory, withIntermediateDirectories: true)
    var written: [String] = []
    for pre in [false, true] {
      let text = try GatingML.write(try strategy(pretransformed: pre))
      let path = strategyPath(pretransformed: pre)
      if (try? String(contentsOfFile: path, encoding: .utf8)) != text {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        written.append(path)
      }
    }
    return written
  }

  // MARK: Pre-transformed files

  public static func pretransformedPath(_ f: BenchFile) -> String {
    BenchFile.dataDirectory + "/bench-\(f.label)-pre-f32.fcs"
  }

  public static func pretransformedIsUpToDate(_ f: BenchFile) -> Bool {
    guard let file = try? FCSFile(contentsOf: pretransformedPath(f)), file.dataSets.count == 1 else { return false }
    let ds = file.dataSets[0]
    return ds.eventCount == f.events && ds.parameters.count == f.channels
      && ds.keywords["CYTORESET_BENCH"] == BenchFile.generatorVersion + "-pre"
  }

  /// Writes `bench-…-pre-f32.fcs` from the benchmark file: the 12 marker columns compensated
  /// with the file's spillover and logicle-transformed (in Double, rounded once to Float32),
  /// scatter and time unchanged, no `$SPILLOVER`.
  public static func writePretransformed(_ f: BenchFile) throws {
    let fcs = try FCSFile(contentsOf: f.path)
    let ds = fcs.dataSets[0]
    let names = ds.parameters.map(\.name)
    let raw = try ds.events(.raw, as: Float.self)
    let spill = ds.spillover!.matrix
    let comp = try CompensationMatrix(spill)
    let compensated = try comp.compensated(raw.converted(to: Double.self), channelNames: names)
    let cols = try ChannelResolution(resolving: comp.fluorochromes, against: names).indices
    let n = raw.eventCount
    var out = raw
    let t = ScaleTransform.logicle(logicle)
    out.withUnsafeMutableStorage { dst in
      compensated.storage.withUnsafeBufferPointer { src in
        var tmp = [Double](repeating: 0, count: n)
        for (k, c) in cols.enumerated() {
          tmp.withUnsafeMutableBufferPointer { t.forward(UnsafeBufferPointer(rebasing: src[(k * n)..<((k + 1) * n)]), into: $0) }
          for e in 0..<n { dst[c.rawValue * n + e] = Float(tmp[e]) }
        }
      }
    }
    var kw = FCSKeywords()
    kw["$CYT"] = "CytoReset synthetic benchmark, compensated + logicle"
    kw["$TIMESTEP"] = "0.0001"
    kw["CYTORESET_BENCH"] = BenchFile.generatorVersion + "-pre"
    var channels = SyntheticEvents.channelList(f.channels)
    for c in cols { channels[c.rawValue].range = 1 }
    try FCSWriter.write(FCSWriter.EventTable(channels: channels, events: out, keywords: kw), to: pretransformedPath(f))
  }

  // MARK: The measured work

  /// Compensation + logicle as a user of CytoTransforms would write it: Float32 in, Float32
  /// out, one call that compensates the 12 marker columns and applies the logicle forward to
  /// each block of events while it is in cache (``CompensationMatrix/compensated(_:channelNames:transform:)``).
  @inline(never)
  public static func compensateAndTransform(_ events: EventMatrix<Float>, channels: [ChannelName],
                                            spillover: SpilloverMatrix) throws -> EventMatrix<Float> {
    let comp = try CompensationMatrix(spillover)
    return try comp.compensated(events, channelNames: channels, transform: .logicle(logicle))
  }

  /// The gating input for an FCS file, as `cytoreset gate` builds it.
  public static func input(_ path: String) throws -> GatingInput {
    try GatingInput(try FCSFile(contentsOf: path).dataSets[0])
  }

  /// Population counts, in a stable order (sorted by id).
  public static func counts(_ r: GatingResult) -> [(String, Int)] {
    r.masks.keys.sorted().map { ($0.rawValue, r.masks[$0]!.setCount) }
  }
}
