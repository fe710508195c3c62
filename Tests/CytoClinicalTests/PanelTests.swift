import CytoClinical
import CytoCore
import CytoFCS
import CytoGating
import CytoSimulation
import Foundation
import Testing

@Suite struct PanelTests {
  /// The parameters of a one-event file with these `$PnN`/`$PnS`.
  func parameters(_ channels: [(String, String?)]) throws -> [FCSParameter] {
    let table = FCSWriter.EventTable(
      channels: channels.map { FCSWriter.Channel(name: ChannelName($0.0), label: $0.1) },
      events: EventMatrix(eventCount: 1, channelCount: channels.count, columnMajor: [Float](repeating: 1, count: channels.count)))
    return try FCSFile(bytes: try FCSWriter.encode(table), path: "t.fcs").dataSets[0].parameters
  }

  let markers = [
    MarkerDefinition(marker: "CD19", aliases: ["CD19"]), MarkerDefinition(marker: "CAR", aliases: ["CAR", "FMC63", "CAR idiotype", "CD19 CAR"]),
    MarkerDefinition(marker: "CD4", aliases: ["CD4"]), MarkerDefinition(marker: "CD45", aliases: ["CD45"]),
    MarkerDefinition(marker: "FSC-A", aliases: ["FSC-A", "FSC Area"], scatter: true),
  ]

  @Test func markersResolveFromLabelsWithAliases() throws {
    let p = try parameters([("FSC-A", nil), ("V450-A", "CD19 BV421"), ("PE-A", "anti-FMC63 PE"), ("B530-A", "CD4-FITC"), ("APC-A", "BV510 CD45")])
    let r = try MarkerResolver.resolve(markers, parameters: p, file: "t.fcs")
    #expect(r["CD19"]?.channel == "V450-A" && r["CD19"]?.rule == .label)
    #expect(r["CAR"]?.channel == "PE-A")
    #expect(r["CD4"]?.channel == "B530-A")  // CD4 does not match CD45 (token-wise)
    #expect(r["CD45"]?.channel == "APC-A")
    #expect(r["FSC-A"]?.channel == "FSC-A" && r["FSC-A"]?.rule == .name)
  }

  @Test func longestAliasWinsAndNamesAreTheFallback() throws {
    // "CD19 CAR" is the CAR reagent, not CD19; CD19 itself is only in $PnN.
    let p = try parameters([("FSC Area", nil), ("CD19", nil), ("FL2", "CD19 CAR"), ("CD4", nil), ("CD45", "CD45 KrO")])
    let r = try MarkerResolver.resolve(markers, parameters: p, file: "t.fcs")
    #expect(r["CAR"]?.channel == "FL2")
    #expect(r["CD19"]?.channel == "CD19" && r["CD19"]?.rule == .name)
    #expect(r["FSC-A"]?.channel == "FSC Area")
    #expect(r["CD4"]?.rule == .name)
  }

  @Test func missingAndAmbiguousMarkersAreOneClearError() throws {
    let p = try parameters([("FSC-A", nil), ("B1", "CD19 PE"), ("B2", "CD19 APC"), ("X", "CD4")])
    do {
      _ = try MarkerResolver.resolve(markers, parameters: p, file: "visit.fcs")
      Issue.record("expected an error")
    } catch let e as PanelResolutionError {
      let text = e.description
      #expect(text.contains("visit.fcs") && text.contains("CAR") && text.contains("CD45") && text.contains("ambiguous"))
      #expect(text.contains("B1 (CD19 PE)") && text.contains("B2 (CD19 APC)"))
    }
    // An explicit channel overrides aliases.
    var explicit = markers
    explicit[0].channel = "B2"
    explicit[1].channel = "X"
    explicit[3].channel = "X"
    let r = try MarkerResolver.resolve(explicit, parameters: p, file: "t.fcs")
    #expect(r["CD19"]?.channel == "B2" && r["CD19"]?.rule == .explicit)
  }

  @Test func builtInPanelIsValidAndRoundTripsThroughJSON() throws {
    let reset = try PanelDefinition.reset
    #expect(reset.name == "reset" && reset.schema == PanelDefinition.schemaName)
    let again = try PanelDefinition(json: try reset.jsonData(), source: "round trip")
    #expect(again == reset)
    // Every population the simulator's truth knows is a panel population (same ids).
    let ids = Set(reset.gates.flatMap(\.populationIDs))
    for kind in CellKind.allCases { for p in kind.populations { #expect(ids.contains(p), "\(p)") } }
  }

  @Test func invalidPanelsNameTheProblem() throws {
    var json = String(decoding: try PanelDefinition.reset.jsonData(), as: UTF8.self)
    #expect(throws: PanelError.self) { try PanelDefinition(json: Data("{".utf8), source: "x.json") }
    let badCut = json.replacingOccurrences(of: "\"cut\" : \"CD19\"", with: "\"cut\" : \"CD99\"")
    do {
      _ = try PanelDefinition(json: Data(badCut.utf8), source: "lab.json")
      Issue.record("expected an error")
    } catch let e as PanelError {
      #expect(e.description.contains("lab.json") && e.description.contains("CD99"))
    }
    json = json.replacingOccurrences(of: "cytoreset.panel/1", with: "cytoreset.panel/2")
    #expect(throws: PanelError.unsupportedSchema(file: "v2.json", found: "cytoreset.panel/2", supported: "cytoreset.panel/1")) {
      try PanelDefinition(json: Data(json.utf8), source: "v2.json")
    }
  }

  /// The resolved strategy written as Gating-ML and read back gates the sample identically.
  @Test func resolvedStrategyRoundTripsThroughGatingML() throws {
    let (table, _) = try SampleSimulator(events: 20_000, seed: 21).simulate()
    let ds = try FCSFile(bytes: try FCSWriter.encode(table), path: "s.fcs").dataSets[0]
    let resolved = try VisitAnalyzer(panel: try PanelDefinition.reset).resolvedStrategy(ds, file: "s.fcs")
    let reread = try GatingML.read(Data(try GatingML.write(resolved.strategy).utf8))
    let again = try GatingEngine.evaluate(reread, on: try GatingInput(ds))
    for id in resolved.strategy.populations { #expect(again.masks[id] == resolved.result.masks[id], "\(id)") }
  }

  /// A file without the optional viability marker drops the Live gate and re-parents its child.
  @Test func optionalMarkerMissingDropsItsGateWithAWarning() throws {
    let (full, _) = try SampleSimulator(events: 10_000, seed: 22).simulate()
    let keep = full.channels.indices.filter { full.channels[$0].label != "Viability Aqua" }
    let cols = keep.flatMap { Array(full.events.column(ChannelIndex($0))) }
    var kw = full.keywords
    kw["$SPILLOVER"] = nil
    let table = FCSWriter.EventTable(channels: keep.map { full.channels[$0] },
                                     events: EventMatrix(eventCount: full.events.eventCount, channelCount: keep.count, columnMajor: cols), keywords: kw)
    let ds = try FCSFile(bytes: try FCSWriter.encode(table), path: "nv.fcs").dataSets[0]
    let a = try VisitAnalyzer(panel: try PanelDefinition.reset).analyze(ds, file: "nv.fcs")
    #expect(a.diagnostics.contains { $0.code == .clinicalGateDropped })
    #expect(a.diagnostics.contains { $0.code == .clinicalNoSpillover })
    #expect(a.population("CD45pos")?.parent == "Singlets")
  }
}
