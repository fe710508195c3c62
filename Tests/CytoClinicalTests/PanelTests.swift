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

  @Test func builtInPanelsAreValidAndRoundTripThroughJSON() throws {
    let all = try PanelLibrary.all()
    #expect(all.map(\.name) == PanelLibrary.names)
    for p in all {
      // Built-ins load without the unknown-key check; the shipped documents must pass it.
      #expect(try PanelDefinition(json: PanelLibrary.document(p.name)!, source: p.name) == p)
      #expect(p.schema == PanelDefinition.schemaName)
      let again = try PanelDefinition(json: try p.jsonData(), source: "round trip")
      #expect(again == p, "\(p.name)")
      #expect(p.sources?.isEmpty == false, "\(p.name) cites its strategy")
    }
    // Every population the simulator's truth knows for the reset panel is a reset population.
    let reset = try PanelDefinition.reset
    let ids = Set(reset.populations.flatMap(\.populationIDs))
    for kind in CellKind.allCases { for p in kind.populations { #expect(ids.contains(p), "\(p)") } }
    // NK cells are a TBNK population.
    #expect(try PanelLibrary.builtIn("tbnk")!.populations.contains { $0.id == "NKCells" })
  }

  /// Replaces `old` in the reset panel's JSON and expects the error to name `key` and contain `detail`.
  func expectInvalid(_ old: String, _ new: String, key: String, detail: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
    let json = String(decoding: try PanelDefinition.reset.jsonData(), as: UTF8.self)
    #expect(json.contains(old), "fixture text not found: \(old)", sourceLocation: sourceLocation)
    let bad = json.replacingOccurrences(of: old, with: new)
    do {
      _ = try PanelDefinition(json: Data(bad.utf8), source: "lab.json")
      Issue.record("expected an error for \(key)", sourceLocation: sourceLocation)
    } catch let e as PanelError {
      #expect(e.description.contains("lab.json"), sourceLocation: sourceLocation)
      #expect(e.description.contains(key), "\(e.description)", sourceLocation: sourceLocation)
      #expect(e.description.contains(detail), "\(e.description)", sourceLocation: sourceLocation)
    }
  }

  @Test func invalidPanelsNameTheKey() throws {
    #expect(throws: PanelError.self) { try PanelDefinition(json: Data("{".utf8), source: "x.json") }
    // An unknown (misspelt) key anywhere.
    try expectInvalid("\"toward\" : [\n            0.5,", "\"towards\" : [0.5, -1], \"toward\" : [\n            0.5,",
                      key: "gate[0].towards", detail: "unknown key")
    try expectInvalid("\"whenMissing\" : \"skip\"", "\"whenMissing\" : \"skip\", \"colour\" : \"red\"", key: "colour", detail: "unknown key")
    // A marker defined twice.
    try expectInvalid("\"marker\" : \"CD27\"\n    }", "\"marker\" : \"CD19\"\n    }", key: "marker", detail: "'CD19' is defined twice")
    // A population gated on a marker the panel never defines.
    try expectInvalid("\"cut\" : \"CAR\",\n            \"marker\" : \"CAR\"", "\"cut\" : \"CAR\",\n            \"marker\" : \"CD99\"",
                      key: "gate", detail: "unknown marker 'CD99'")
    // A cut that refers to a missing population, and one that makes a cycle.
    try expectInvalid("\"population\" : \"NonT\"", "\"population\" : \"Nowhere\"", key: "cuts[", detail: "unknown population 'Nowhere'")
    try expectInvalid("\"population\" : \"NonT\"", "\"population\" : \"NaiveB\"", key: "populations/cuts", detail: "dependency cycle")
    // An unknown gate kind or cut method names the allowed ones.
    try expectInvalid("\"kind\" : \"singlets\"", "\"kind\" : \"singlet\"", key: "populations", detail: "unknown gate kind 'singlet'")
    try expectInvalid("\"method\" : \"mixture\"", "\"method\" : \"gmm\"", key: "methods", detail: "unknown cut method 'gmm'")
    // The previous schema is refused with a way forward.
    let v1 = Data("{\"schema\": \"cytoreset.panel/1\", \"name\": \"old\"}".utf8)
    do {
      _ = try PanelDefinition(json: v1, source: "old.json")
      Issue.record("expected an error")
    } catch let e as PanelError {
      #expect(e == .unsupportedSchema(file: "old.json", found: "cytoreset.panel/1", supported: "cytoreset.panel/2"))
      #expect(e.description.contains("cytoreset panel export"))
    }
  }

  /// The strategy found in a file, written as Gating-ML and read back, gates it identically.
  @Test func resolvedStrategyRoundTripsThroughGatingML() throws {
    let (table, _) = try SampleSimulator(events: 20_000, seed: 21).simulate()
    let ds = try FCSFile(bytes: try FCSWriter.encode(table), path: "s.fcs").dataSets[0]
    let resolved = try VisitAnalyzer(panel: try PanelDefinition.reset).resolvedStrategy(ds, file: "s.fcs")
    let reread = try GatingML.read(Data(try GatingML.write(resolved.strategy).utf8))
    let again = try GatingEngine.evaluate(reread, on: try GatingInput(ds))
    #expect(resolved.strategy.populations.count >= 20)
    for id in resolved.strategy.populations { #expect(again.masks[id] == resolved.result.masks[id], "\(id)") }
  }

  /// The strategy rebuilt from an analysis record (what the store keeps) gives the same counts.
  @Test func recordedGatingRebuildsTheStrategy() throws {
    let (table, _) = try SampleSimulator(events: 20_000, seed: 23, instrument: try InstrumentProfile.named("reset-fsc-width")).simulate()
    let ds = try FCSFile(bytes: try FCSWriter.encode(table), path: "w.fcs").dataSets[0]
    let a = try VisitAnalyzer(panel: try PanelDefinition.reset).analyze(ds, file: "w.fcs")
    let decoded = try JSONDecoder().decode(VisitAnalysis.self, from: try JSONEncoder().encode(a))
    let strategy = try #require(try decoded.recordedStrategy())
    let result = try GatingEngine.evaluate(strategy, on: try GatingInput(ds))
    for p in a.populations { #expect(result.count(GateID(p.id)) == p.count, "\(p.id)") }
    // Singlets came from FSC-A against FSC-W (the file has no FSC-H).
    let singlets = try #require(a.gating?.gates.first { $0.id == "Singlets" })
    guard case .polygon(_, let y, _)? = singlets.shape else { Issue.record("singlets is not a polygon"); return }
    #expect(y.marker == "FSC-W")
  }

  /// A file without the viability dye skips the Live gate (its children are gated from
  /// Singlets) with a warning, and says why the population is not reported.
  @Test func missingMarkerSkipsACleanupGateWithAWarning() throws {
    let (table, _) = try SampleSimulator(events: 10_000, seed: 22, instrument: try InstrumentProfile.named("reset-no-viability")).simulate()
    let ds = try FCSFile(bytes: try FCSWriter.encode(table), path: "nv.fcs").dataSets[0]
    let a = try VisitAnalyzer(panel: try PanelDefinition.reset).analyze(ds, file: "nv.fcs")
    #expect(a.diagnostics.contains { $0.code == .clinicalGateDropped && $0.message.contains("Live") })
    #expect(a.population("CD45pos")?.parent == "Singlets")
    let live = try #require(a.gating?.gates.first { $0.id == "Live" })
    #expect(live.status == .skipped && live.note?.contains("Viability") == true)
    #expect(a.missingMarkers == ["Viability"] || a.missingMarkers?.contains("Viability") == true)
  }

  /// A B-cell tube without CD4/CD8/CAR reports what it can and names the missing marker for
  /// each population it cannot report; a population is never silently re-parented.
  @Test func populationsWithoutTheirMarkersAreNotReportedWithTheReason() throws {
    let (table, _) = try SampleSimulator(events: 30_000, seed: 24, instrument: try InstrumentProfile.named("fortessa-bcell")).simulate()
    let ds = try FCSFile(bytes: try FCSWriter.encode(table), path: "b.fcs").dataSets[0]
    let a = try VisitAnalyzer(panel: try PanelDefinition.reset).analyze(ds, file: "b.fcs")
    let unreported = Dictionary(uniqueKeysWithValues: (a.unreported ?? []).map { ($0.population, $0.reason) })
    #expect(unreported["CD4T"]?.contains("CD4") == true)
    #expect(unreported["CART"]?.contains("CAR") == true)
    #expect(unreported["CD45pos"] != nil)  // skipped: no CD45
    #expect(a.population("BCells") != nil && a.population("NaiveB") != nil && a.population("TCells") != nil)
    #expect(a.population("CD4T") == nil)
    // Lymphocytes came from FSC/SSC (the second alternative): noted.
    #expect(a.diagnostics.contains { $0.code == .clinicalGateAlternative && $0.message.contains("Lymphocytes") })
  }
}

@Suite struct GateOverrideParsingTests {
  @Test func verticesAndRanges() throws {
    #expect(try GateOverride(parsing: "0,0 1,0 1,1") == .vertices([[0, 0], [1, 0], [1, 1]]))
    #expect(try GateOverride(parsing: "0,0;1,0;1,1;0,1") == .vertices([[0, 0], [1, 0], [1, 1], [0, 1]]))
    #expect(try GateOverride(parsing: "0.4:") == .range(min: 0.4, max: nil))
    #expect(try GateOverride(parsing: ":0.6") == .range(min: nil, max: 0.6))
    #expect(try GateOverride(parsing: " 0.1 : 0.9 ") == .range(min: 0.1, max: 0.9))
    for bad in ["0,0 1,1", "0,0 1 2,2", ":", "0.9:0.1", "a:b", "0,0 1,nan 2,2"] {
      #expect(throws: PanelError.self, "\(bad)") { try GateOverride(parsing: bad) }
    }
  }
}
