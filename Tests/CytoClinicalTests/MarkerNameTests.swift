import CytoClinical
import CytoCore
import CytoFCS
import CytoTestSupport
import Foundation
import Testing

/// Marker names as labs write them (issue #12 §2): `MarkerName` normalisation and
/// `MarkerResolver` on hand-made channels and on every real file of the shared set.
@Suite struct MarkerNameTests {
  // MARK: Fixtures

  /// A panel with the markers of the clinical panels plus some that must stay unmatched;
  /// every marker optional so that a resolution lists exactly what was found.
  static let panel: [MarkerDefinition] = [
    MarkerDefinition(marker: "FSC-A", aliases: ["FSC-A", "FSC Area"], scatter: true),
    MarkerDefinition(marker: "FSC-H", aliases: ["FSC-H"], scatter: true),
    MarkerDefinition(marker: "FSC-W", aliases: ["FSC-W"], scatter: true),
    MarkerDefinition(marker: "SSC-A", aliases: ["SSC-A", "SSC Area"], scatter: true),
    MarkerDefinition(marker: "Event_length", aliases: ["Event_length"], scatter: true),
    MarkerDefinition(marker: "Cell_length", aliases: ["Cell_length"], scatter: true),
    MarkerDefinition(marker: "CD45", aliases: ["CD45"]),
    MarkerDefinition(marker: "Viability", aliases: ["Viability", "Live Dead", "L D", "Zombie", "7-AAD", "DAPI", "FVS"]),
    MarkerDefinition(marker: "CD3", aliases: ["CD3"]),
    MarkerDefinition(marker: "CD4", aliases: ["CD4"]),
    MarkerDefinition(marker: "CD8", aliases: ["CD8"]),
    MarkerDefinition(marker: "CD19", aliases: ["CD19"]),
    MarkerDefinition(marker: "CD20", aliases: ["CD20"]),
    MarkerDefinition(marker: "CD27", aliases: ["CD27"]),
    MarkerDefinition(marker: "IgD", aliases: ["IgD"]),
    MarkerDefinition(marker: "IgM", aliases: ["IgM"]),
    MarkerDefinition(marker: "CD24", aliases: ["CD24"]),
    MarkerDefinition(marker: "CD38", aliases: ["CD38"]),
    MarkerDefinition(marker: "CD16+56", aliases: ["CD16+56", "CD16/56", "CD16 56"]),
    MarkerDefinition(marker: "CD16", aliases: ["CD16"]),
    MarkerDefinition(marker: "CD56", aliases: ["CD56"]),
    MarkerDefinition(marker: "CD14", aliases: ["CD14"]),
    MarkerDefinition(marker: "HLA-DR", aliases: ["HLA-DR"]),
    MarkerDefinition(marker: "DNA1", aliases: ["DNA1"]),
    MarkerDefinition(marker: "DNA2", aliases: ["DNA2"]),
    MarkerDefinition(marker: "CD45RA", aliases: ["CD45RA"]),
    MarkerDefinition(marker: "CD66", aliases: ["CD66"]),
    MarkerDefinition(marker: "CD7", aliases: ["CD7"]),
    // Never present in the files: must not be found in anything.
    MarkerDefinition(marker: "CD61", aliases: ["CD61"]),
    MarkerDefinition(marker: "CD235", aliases: ["CD235"]),
    MarkerDefinition(marker: "CD142", aliases: ["CD142"]),
    MarkerDefinition(marker: "CD11", aliases: ["CD11"]),
    MarkerDefinition(marker: "CD190", aliases: ["CD190"]),
  ].map(optional)

  /// The parameters of a one-event file with these `$PnN`/`$PnS`.
  static func parameters(_ channels: [(String, String?)]) throws -> [FCSParameter] {
    let table = FCSWriter.EventTable(
      channels: channels.map { FCSWriter.Channel(name: ChannelName($0.0), label: $0.1) },
      events: EventMatrix(eventCount: 1, channelCount: channels.count, columnMajor: [Float](repeating: 1, count: channels.count)))
    return try FCSFile(bytes: try FCSWriter.encode(table), path: "t.fcs").dataSets[0].parameters
  }

  /// marker → `$PnN` of its channel.
  static func resolve(_ channels: [(String, String?)], panel: [MarkerDefinition] = panel) throws -> [String: String] {
    try MarkerResolver.resolve(panel, parameters: parameters(channels), file: "t.fcs").mapValues(\.channel.rawValue)
  }

  /// The one marker of `panel` a single channel resolves to (`nil`: none).
  static func marker(label: String?, name: String = "X1-A", panel: [MarkerDefinition] = panel) throws -> String? {
    let r = try resolve([(name, label)], panel: panel)
    #expect(r.count <= 1, "\(name)/\(label ?? "-") claimed by several markers: \(r)")
    return r.keys.first
  }

  /// The marker made optional (through the initialiser only: the panel model is being rewritten).
  static func optional(_ m: MarkerDefinition) -> MarkerDefinition {
    MarkerDefinition(marker: m.marker, aliases: m.aliases, channel: m.channel, scatter: m.isScatter ? true : nil, optional: true)
  }

  static func optional(_ markers: [MarkerDefinition]) -> [MarkerDefinition] { markers.map(optional) }

  // MARK: Normalisation

  @Test(arguments: ["CD16+56", "CD16/56", "CD16_56", "CD16-56", "CD56+16", "CD16+CD56", "CD16 56", "CD56/CD16", "cd16+cd56 PE",
                    "BV421 CD16/56"])
  func combinedCD16And56IsOneMarker(_ text: String) throws {
    #expect(MarkerName(text).tokens == ["cd16+cd56"])
    #expect(try Self.marker(label: text) == "CD16+56")
    // Neither part alone takes the combined channel, with or without the combined marker in the panel.
    let parts = Self.optional([MarkerDefinition(marker: "CD16", aliases: ["CD16"]), MarkerDefinition(marker: "CD56", aliases: ["CD56"])])
    #expect(try Self.marker(label: text, panel: parts) == nil)
  }

  @Test func combinationSeparateMarkersStayApart() throws {
    let r = try Self.resolve([("B1-A", "CD16"), ("B2-A", "CD56 PE"), ("B3-A", "CD16/56 APC")])
    #expect(r["CD16"] == "B1-A" && r["CD56"] == "B2-A" && r["CD16+56"] == "B3-A")
    // CD235ab/CD61 only when a marker asks for the combination.
    #expect(MarkerName("CD235ab_CD61").tokens == ["cd61+cd235ab"])
    #expect(try Self.marker(label: "CD235ab_CD61") == nil)
    // A bracket ends a combination: "(4-1BB)" is CD137's other name, not CD4 and CD1bb.
    let cd137 = Self.optional([MarkerDefinition(marker: "CD137", aliases: ["CD137"]), MarkerDefinition(marker: "CD4", aliases: ["CD4"])])
    #expect(try Self.marker(label: "CD137 (4-1BB) PE", panel: cd137) == "CD137")
    let asked = Self.optional([MarkerDefinition(marker: "CD61", aliases: ["CD61"]), MarkerDefinition(marker: "RBC/PLT", aliases: ["CD61/CD235ab"])])
    #expect(try Self.marker(label: "CD235ab_CD61", panel: asked) == "RBC/PLT")
  }

  @Test(arguments: ["HLA-DR", "HLADR", "HLA DR", "HLA_DR", "hla-dr", "HLA-DR BV605", "174Yb_HLA-DR"])
  func hlaDRInEverySpelling(_ text: String) throws {
    #expect(try Self.marker(label: text) == "HLA-DR")
    // And the other way round: the panel's alias in any spelling finds the lab's label.
    for alias in ["HLADR", "HLA DR", "HLA_DR"] {
      let panel = Self.optional([MarkerDefinition(marker: "DR", aliases: [alias])])
      #expect(try Self.marker(label: text, panel: panel) == "DR", "alias \(alias)")
    }
    #expect(try Self.marker(label: "HLA-DQ") == nil)
  }

  @Test(arguments: [
    ("145Nd_CD4", "CD4"), ("Nd145_CD4", "CD4"), ("CD4_145Nd", "CD4"), ("142Nd-CD19", "CD19"), ("CD19 (Nd142)", "CD19"),
    ("Nd142Di CD19", "CD19"), ("191Ir_DNA1", "DNA1"), ("193Ir DNA2", "DNA2"), ("89Y_CD45", "CD45"), ("Cd114Di_CD3", "CD3"),
  ])
  func isotopeTagsAreIgnored(_ text: String, _ expected: String) throws {
    #expect(try Self.marker(label: text) == expected)
    #expect(MarkerName(text).isotopes.count == 1)
  }

  @Test func massChannelNamesAndConventions() throws {
    // $PnN mass channel with the marker in $PnS.
    var r = try Self.resolve([("(Nd142)Dd", "CD19"), ("Nd145Di", "CD4"), ("Ir191Di", "DNA1"), ("In115Di", "CD45")])
    #expect(r == ["CD19": "(Nd142)Dd", "CD4": "Nd145Di", "DNA1": "Ir191Di", "CD45": "In115Di"])
    // A bare mass channel names nothing: not CD142, CD145, CD115.
    let bare = Self.optional([MarkerDefinition(marker: "CD142", aliases: ["CD142"]), MarkerDefinition(marker: "CD145", aliases: ["CD145"]),
                              MarkerDefinition(marker: "CD115", aliases: ["CD115"])])
    r = try Self.resolve([("Nd142Di", nil), ("(Nd145)Dd", " "), ("In115Di", ""), ("142Nd", nil)], panel: bare)
    #expect(r.isEmpty, "\(r)")
    #expect(MarkerName("Nd142Di", field: .name).tokens.isEmpty && !MarkerName("Nd142Di", field: .name).isInformative)
    // Cadmium: CD110 is a marker unless the text is written as a mass tag.
    let cd110 = Self.optional([MarkerDefinition(marker: "CD110", aliases: ["CD110"])])
    #expect(try Self.marker(label: "CD110 PE", panel: cd110) == "CD110")
    #expect(try Self.marker(label: "Cd110", panel: cd110) == "CD110")
    for mass in ["110Cd", "Cd110Di", "(Cd110)Dd"] { #expect(try Self.marker(label: nil, name: mass, panel: cd110) == nil, "\(mass)") }
    // Conventions: an unlabelled Pt195 is cisplatin, Ir191/Ir193 the DNA intercalator.
    let mass = try Self.parameters([("Pt194Di", nil), ("Pt195Di", nil), ("Ir191Di", nil), ("Ir193Di", nil)])
    let p = try MarkerResolver.resolve(Self.panel, parameters: mass, file: "t.fcs")
    #expect(p["Viability"]?.channel == "Pt195Di" && p["Viability"]?.rule == .isotope)
    #expect(p["DNA1"]?.channel == "Ir191Di" && p["DNA1"]?.rule == .isotope && p["DNA2"]?.channel == "Ir193Di")
    #expect(p.count == 3)
    // … but never against what $PnS says.
    #expect(try Self.marker(label: "CD45", name: "Pt195Di", panel: Array(Self.panel.filter { $0.marker != "CD45" })) == nil)
    // A labelled viability channel beats the convention.
    r = try Self.resolve([("Pt195Di", nil), ("Rh103Di", "Live/Dead")])
    #expect(r["Viability"] == "Rh103Di")
  }

  @Test(arguments: [
    "PE CD19", "BV421-CD19", "FITC_CD19", "APC-Cy7 CD19", "PE-Cy5.5 CD19", "Alexa Fluor 700 CD19", "CD19 PE", "CD19-FITC", "CD19 BUV395",
    "PerCP-eFluor 710 CD19", "CD19 PE-Dazzle 594", "CD19 APC-H7", "CD19 Qdot 605", "AF647-CD19", "cd19 pe-cf594",
  ])
  func fluorochromesAroundTheMarker(_ text: String) throws {
    #expect(MarkerName(text).tokens == ["cd19"], "\(MarkerName(text).tokens)")
    #expect(try Self.marker(label: text) == "CD19")
  }

  @Test func fluorochromesNeverNameAMarker() throws {
    // PE-Cy7 does not contain CD7; APC-R700, BV711, V450 … name nothing.
    for text in ["PE-Cy7", "PE-Cy7-A", "APC-R700-A", "BV711-A", "V450-A", "FITC-A", "PE-A", "B1-A", "Alexa Fluor 700-A", "Qdot 605-A",
                 "PE-Texas Red-A", "Pacific Blue-A", "AmCyan-A"] {
      #expect(try Self.marker(label: nil, name: text) == nil, "$PnN \(text)")
      #expect(try Self.marker(label: text) == nil, "$PnS \(text)")
    }
    #expect(try Self.marker(label: "CD21", name: "PE-Cy7-A") == nil)
    #expect(MarkerName("CD19 (HIB19) BV785").tokens == ["cd19", "hib19"])  // a clone name stays, harmlessly
    #expect(try Self.marker(label: "CD19 (HIB19) BV785") == "CD19")
    #expect(try Self.marker(label: "CD7 PE-Cy7", name: "PE-Cy7-A") == "CD7")
    #expect(try Self.marker(label: "BV510 Viability") == "Viability")
    #expect(try Self.marker(label: "CD3 Aqua") == "CD3")  // Aqua beside a marker is a colour
  }

  @Test(arguments: [
    "Live/Dead", "Live/ Dead", "LIVE DEAD", "L/D", "l/d", "LD", "Viability", "Zombie NIR", "Zombie Aqua", "7-AAD", "7AAD", "DAPI", "FVS510",
    "FVS 780", "Fixable Viability", "Fixable Viability Dye eFluor 780", "eFluor 780 viability", "Aqua", "Dead", "Cisplatin", "195Pt",
    "195Pt_Cisplatin", "LIVE/DEAD Fixable Near-IR", "Viability Aqua", "BV510-Live/Dead",
  ])
  func viabilityDyes(_ text: String) throws {
    #expect(MarkerName(text).tokens == [MarkerName.viability], "\(MarkerName(text).tokens)")
    #expect(try Self.marker(label: text) == "Viability")
  }

  @Test func caseAndChainLetters() throws {
    #expect(try Self.marker(label: "cd19 pe") == "CD19")
    #expect(try Self.marker(label: "Cd8A") == "CD8")
    #expect(try Self.marker(label: "CD8a") == "CD8")
    #expect(try Self.marker(label: "CD8b") == "CD8")
    #expect(try Self.marker(label: "CD66b") == "CD66")
    #expect(try Self.marker(label: nil, name: "CD8a") == "CD8")
    #expect(try Self.marker(label: "CD8α BV786") == "CD8")
    #expect(try Self.marker(label: "CD3e") == "CD3" && (try Self.marker(label: "CD3ε")) == "CD3")
    #expect(try Self.marker(label: "CD4e") == nil)  // CD3 has ε chains, CD4 has none
    // A panel asking for CD8a gets it exactly; CD8 then has nothing.
    let both = Self.optional([MarkerDefinition(marker: "CD8", aliases: ["CD8"]), MarkerDefinition(marker: "CD8a", aliases: ["CD8a"])])
    #expect(try Self.resolve([("B1-A", "CD8a")], panel: both) == ["CD8a": "B1-A"])
    #expect(try Self.resolve([("B1-A", "CD8a"), ("B2-A", "CD8")], panel: both) == ["CD8a": "B1-A", "CD8": "B2-A"])
    // An exact channel beats a chain variant for one marker.
    #expect(try Self.resolve([("B1-A", "CD8b"), ("B2-A", "CD8")])["CD8"] == "B2-A")
    // Existing guarantees.
    #expect(try Self.marker(label: "CD45RA") == "CD45RA")
    #expect(try Self.marker(label: "CD45-RA") == "CD45RA")
    #expect(try Self.marker(label: "CD45 RA FITC") == "CD45RA")
    let noRA = Self.panel.filter { $0.marker != "CD45RA" }
    for text in ["CD45RA", "CD45RO", "CD45 RA", "CD45.1"] { #expect(try Self.marker(label: text, panel: noRA) == nil, "\(text)") }
    #expect(try Self.marker(label: "CD45") == "CD45")
    #expect(try Self.marker(label: "CD190") == "CD190")
    #expect(try Self.marker(label: "CD190", panel: Self.panel.filter { $0.marker != "CD190" }) == nil)
    #expect(try Self.marker(label: "CD11b") == nil && (try Self.marker(label: "CD11c")) == nil)
    #expect(try Self.marker(label: "CD235ab") == nil)
    #expect(try Self.marker(label: "CD1a", panel: Self.optional([MarkerDefinition(marker: "CD1", aliases: ["CD1"])])) == nil)
    #expect(MarkerName("CD4").match(MarkerName("CD45")) == nil && MarkerName("CD45").match(MarkerName("CD4")) == nil)
    #expect(MarkerName("CD8a").match(MarkerName("CD8"))?.quality == .chainVariant)
    #expect(MarkerName("CD8").match(MarkerName("CD8"))?.quality == .exact)
  }

  @Test func nkOneOneIsNotCD16Or56() throws {
    #expect(try Self.marker(label: "NK1/1", name: "PE-A") == nil)
    let nk = Self.optional(Self.panel + [MarkerDefinition(marker: "NK1.1", aliases: ["NK1.1"])])
    #expect(try Self.marker(label: "NK1/1", name: "PE-A", panel: nk) == "NK1.1")
    #expect(try Self.marker(label: "NK1.1 PE", name: "PE-A", panel: nk) == "NK1.1")
  }

  @Test func scatterLikeChannelsMatchTheirName() throws {
    let r = try Self.resolve([("Time", " "), ("Event_length", nil), ("Cell_length", " "), ("FSC-A", nil), ("FSC-H", nil), ("SSC-A", nil)])
    #expect(r == ["Event_length": "Event_length", "Cell_length": "Cell_length", "FSC-A": "FSC-A", "FSC-H": "FSC-H", "SSC-A": "SSC-A"])
    // Scatter aliases are whole names: FSC-A is not FSC-H, and "FSC" is not "FSC-A".
    #expect(try Self.resolve([("FSC", nil)]).isEmpty)
  }

  @Test func labelBeatsNameAndTiesAreAmbiguous() throws {
    // $PnS naming the marker beats a $PnN naming it.
    let p = try MarkerResolver.resolve(Self.panel, parameters: Self.parameters([("CD19", nil), ("PE-A", "CD19 PE")]), file: "t.fcs")
    #expect(p["CD19"]?.channel == "PE-A" && p["CD19"]?.rule == .label)
    // A $PnN naming a marker is not used when its $PnS names another one.
    #expect(try Self.resolve([("CD19", "CD3 FITC")]) == ["CD3": "CD19"])
    // Two channels matching equally well: one error naming both.
    let pairs: [[(String, String?)]] = [[("B1-A", "CD19 PE"), ("B2-A", "CD19 APC")], [("B1-A", "CD8a"), ("B2-A", "CD8b")],
                                        [("B1-A", "Live/Dead"), ("B2-A", "Zombie NIR")]]
    for channels in pairs {
      do {
        _ = try MarkerResolver.resolve(Self.panel, parameters: Self.parameters(channels), file: "visit.fcs")
        Issue.record("expected an ambiguity error for \(channels)")
      } catch let e as PanelResolutionError {
        let text = e.description
        #expect(text.contains("ambiguous") && text.contains("B1-A (\(channels[0].1!))") && text.contains("B2-A (\(channels[1].1!))"), "\(e)")
      }
    }
  }

  @Test func aliasesMadeOnlyOfDetectorWordsAreLiteral() throws {
    // A lab can still name a mass channel or a detector in an alias on purpose.
    let lab = Self.optional([MarkerDefinition(marker: "CD19", aliases: ["Nd142Di"]), MarkerDefinition(marker: "CAR", aliases: ["APC-A"])])
    #expect(try Self.resolve([("Nd142Di", nil), ("APC-A", nil), ("PE-A", nil)], panel: lab) == ["CD19": "Nd142Di", "CAR": "APC-A"])
  }

  /// The aliases of the built-in panel as they are today (copied, not read, so that the panel
  /// can change) still find every channel of the simulated instrument.
  @Test func builtInAliasesStillResolveTheSimulatedInstrument() throws {
    let reset = [
      MarkerDefinition(marker: "FSC-A", aliases: ["FSC-A", "FSC Area", "FSC", "FS INT", "FS Area"], scatter: true),
      MarkerDefinition(marker: "FSC-H", aliases: ["FSC-H", "FSC Height", "FS PEAK", "FS Height"], scatter: true),
      MarkerDefinition(marker: "SSC-A", aliases: ["SSC-A", "SSC Area", "SSC", "SS INT", "SS Area"], scatter: true),
      MarkerDefinition(marker: "CD45", aliases: ["CD45"]),
      MarkerDefinition(marker: "Viability", aliases: ["Viability", "Live Dead", "LiveDead", "Live", "Dead", "7-AAD", "7AAD", "DAPI", "Zombie", "FVS",
                                                      "L D", "Aqua"], optional: true),
      MarkerDefinition(marker: "CD3", aliases: ["CD3"]), MarkerDefinition(marker: "CD4", aliases: ["CD4"]),
      MarkerDefinition(marker: "CD8", aliases: ["CD8"]), MarkerDefinition(marker: "CD19", aliases: ["CD19"]),
      MarkerDefinition(marker: "CD27", aliases: ["CD27"]), MarkerDefinition(marker: "IgD", aliases: ["IgD"]),
      MarkerDefinition(marker: "CD24", aliases: ["CD24"]), MarkerDefinition(marker: "CD38", aliases: ["CD38"]),
      MarkerDefinition(marker: "CAR", aliases: ["CAR", "FMC63", "CAR idiotype", "anti-FMC63", "CD19 CAR", "CAR FMC63"]),
    ]
    let r = try MarkerResolver.resolve(reset, parameters: Self.parameters([
      ("FSC-A", nil), ("FSC-H", nil), ("SSC-A", nil), ("BV421-A", "CD27 BV421"), ("BV510-A", "Viability Aqua"), ("BV605-A", "CD4 BV605"),
      ("BV786-A", "CD8 BV786"), ("FITC-A", "CD3 FITC"), ("PerCP-Cy5.5-A", "CD45 PerCP-Cy5.5"), ("PE-A", "CD19 PE"),
      ("PE-CF594-A", "CD24 PE-CF594"), ("PE-Cy7-A", "IgD PE-Cy7"), ("APC-A", "CAR FMC63-idiotype APC"), ("APC-R700-A", "CD38 APC-R700"),
      ("Time", nil),
    ]), file: "sim.fcs").mapValues(\.channel.rawValue)
    #expect(r == ["FSC-A": "FSC-A", "FSC-H": "FSC-H", "SSC-A": "SSC-A", "CD27": "BV421-A", "Viability": "BV510-A", "CD4": "BV605-A",
                  "CD8": "BV786-A", "CD3": "FITC-A", "CD45": "PerCP-Cy5.5-A", "CD19": "PE-A", "CD24": "PE-CF594-A", "IgD": "PE-Cy7-A",
                  "CAR": "APC-A", "CD38": "APC-R700-A"])
  }

  // MARK: Real files

  /// `$PnN`/`$PnS` of a shared file; `nil` (after one `SKIP:` line) when the shared data is absent,
  /// which fails under `CI=true`.
  static func sharedParameters(_ relative: String) throws -> [FCSParameter]? {
    guard TestData.sharedAvailable, let url = TestData.shared(relative) else {
      #expect(!TestData.isCI, "CI=true but ../shared/testdata is missing")
      return nil
    }
    #expect(FileManager.default.fileExists(atPath: url.path), "shared file missing: \(relative)")
    return try FCSFile(contentsOf: url.path).dataSets[0].parameters
  }

  struct RealFile: Sendable, CustomTestStringConvertible {
    var paths: [String]
    var expected: [String: String]
    var testDescription: String { paths[0] }
  }

  static let realFiles: [RealFile] = [
    RealFile(paths: ["flowjo/flowsom_68983/68983.fcs"], expected: [
      "FSC-A": "FSC-A", "FSC-H": "FSC-H", "FSC-W": "FSC-W", "SSC-A": "SSC-A", "CD8": "Pacific Blue-A", "Viability": "AmCyan-A",
      "CD45": "Alexa Fluor 700-A", "CD4": "PE-Texas Red-A", "CD19": "PE-Cy5-A", "CD3": "PE-Cy7-A",
    ]),
    RealFile(paths: (1...3).map { "realdata/flowai_bcells/flowAI_Bcells\($0).fcs" }, expected: [
      "FSC-A": "FSC-A", "FSC-H": "FSC-H", "SSC-A": "SSC-A", "Viability": "APC-Cy7-A", "IgM": "Pacific Blue-A", "CD27": "AmCyan-A",
      "HLA-DR": "Qdot 605-A", "CD19": "Qdot 655-A", "CD24": "PE-A",
    ]),
    RealFile(paths: ["11059_cells_found.573523", "11445_cells_found.573686", "11462_cells_found.573690", "11491-1_cells_found.573697"]
      .map { "realdata/immport_sdy420/\($0).fcs" }, expected: [
        "Cell_length": "Cell_length", "Viability": "(In115)Dd", "CD19": "(Nd142)Dd", "CD4": "(Nd143)Dd", "CD8": "(Nd144)Dd",
        "IgD": "(Nd146)Dd", "CD16": "(Sm149)Dd", "CD3": "(Nd150)Dd", "CD38": "(Eu151)Dd", "CD27": "(Sm152)Dd", "CD14": "(Sm154)Dd",
        "CD45RA": "(Dy162)Dd", "CD20": "(Dy164)Dd", "CD24": "(Er168)Dd", "CD56": "(Yb174)Dd", "HLA-DR": "(Lu175)Dd", "DNA1": "(Ir191)Dd",
        "DNA2": "(Ir193)Dd",
      ]),
    RealFile(paths: ["PTLG021_Unstim_Control_1", "PTLG021_Unstim_Control_2", "PTLG028_Unstim_Control_1", "PTLG028_Unstim_Control_2",
                     "PTLG034_Unstim_Control_1", "PTLG034_Unstim_Control_2"].map { "realdata/cytonorm_gates/Gates_\($0).fcs" }, expected: [
      "Event_length": "Event_length", "CD45": "In115Di", "CD66": "La139Di", "CD7": "Pr141Di", "CD19": "Nd142Di", "CD45RA": "Nd143Di",
      "CD4": "Nd145Di", "CD8": "Nd146Di", "CD16": "Ho165Di", "CD3": "Er170Di", "HLA-DR": "Yb174Di", "CD14": "Lu175Di", "CD56": "Yb176Di",
      "DNA1": "Ir191Di", "DNA2": "Ir193Di", "Viability": "Pt195Di",
    ]),
    RealFile(paths: ["realdata/aurora_pbmc/PBMC_spectral_UNMIXED.fcs"], expected: [
      "FSC-A": "FSC-A", "FSC-H": "FSC-H", "SSC-A": "SSC-A", "CD3": "CD3", "CD4": "CD4", "CD8": "CD8a", "CD14": "CD14", "CD19": "CD19",
      "CD56": "CD56", "CD45RA": "CD45RA", "IgM": "IgM", "Viability": "Viability",
    ]),
    RealFile(paths: ["realdata/aurora_pbmc/PBMC_spectral_MIXED_raw.fcs"], expected: ["FSC-A": "FSC-A", "FSC-H": "FSC-H", "SSC-A": "SSC-A"]),
    RealFile(paths: ["realdata/immunoclust_cd19neg/immunoClust_t1_CD19neg_dat.fcs"], expected: [
      "FSC-A": "FSC-A", "SSC-A": "SSC-A", "CD14": "FITC-A", "CD19": "PE-A", "CD4": "APC-Cy7-A", "CD3": "Pacific Blue-A",
    ]),
  ]

  @Test("every marker resolves to exactly the expected channel of each real file", arguments: realFiles)
  func realFile(_ file: RealFile) throws {
    for path in file.paths {
      guard let parameters = try Self.sharedParameters(path) else { return }
      let r = try MarkerResolver.resolve(Self.panel, parameters: parameters, file: path).mapValues(\.channel.rawValue)
      let wrong = r.filter { file.expected[$0.key] != $0.value }, missing = file.expected.filter { r[$0.key] != $0.value }
      #expect(r == file.expected, "\(path): unexpected \(wrong), missing \(missing)")
    }
  }

  @Test func realFileDetails() throws {
    // The rules by which the real mass-cytometry and spectral channels were found.
    if let p = try Self.sharedParameters("realdata/cytonorm_gates/Gates_PTLG021_Unstim_Control_1.fcs") {
      let r = try MarkerResolver.resolve(Self.panel, parameters: p, file: "cytonorm")
      #expect(r["CD8"]?.rule == .label && r["CD8"]?.label == "CD8a")
      #expect(r["HLA-DR"]?.rule == .label && r["HLA-DR"]?.label == "HLADR")
      #expect(r["Viability"]?.rule == .isotope && r["Viability"]?.label == nil)
      // CD235ab/CD61 only when asked for.
      let asked = Self.optional([MarkerDefinition(marker: "CD61", aliases: ["CD61"]),
                                 MarkerDefinition(marker: "CD235", aliases: ["CD235a", "CD235"]),
                                 MarkerDefinition(marker: "RBC/PLT", aliases: ["CD61/CD235ab"])])
      #expect(try MarkerResolver.resolve(asked, parameters: p, file: "cytonorm").mapValues(\.channel.rawValue) == ["RBC/PLT": "In113Di"])
    }
    if let p = try Self.sharedParameters("realdata/aurora_pbmc/PBMC_spectral_UNMIXED.fcs") {
      let r = try MarkerResolver.resolve(Self.panel, parameters: p, file: "aurora")
      #expect(r["CD8"]?.rule == .name && r["Viability"]?.rule == .name)
    }
    if let p = try Self.sharedParameters("flowjo/flowsom_68983/68983.fcs") {
      // NK1/1 is NK1.1 when a panel asks for it, nothing otherwise (checked above).
      let nk = Self.optional(Self.panel + [MarkerDefinition(marker: "NK1.1", aliases: ["NK1.1"])])
      let r = try MarkerResolver.resolve(nk, parameters: p, file: "68983")
      #expect(r["NK1.1"]?.channel == "PE-A" && r["CD16+56"] == nil && r["Viability"]?.label == "l/d")
    }
  }

  /// Every `$PnN` of the real files: mass channels are recognised as mass tags and name nothing
  /// (except the Pt195/Ir191/Ir193 conventions), fluorochrome detectors name nothing.
  @Test func realChannelNamesCarryNoAccidentalMarkers() throws {
    guard TestData.sharedAvailable, let root = TestData.sharedRoot else {
      #expect(!TestData.isCI, "CI=true but ../shared/testdata is missing")
      return
    }
    let paths = Self.realFiles.flatMap(\.paths)
    #expect(paths.count == 17)
    let conventions = ["Pt195Di": "viability", "Ir191Di": "dna1", "Ir193Di": "dna2", "(Ir191)Dd": "dna1", "(Ir193)Dd": "dna2"]
    let notMass: Set<String> = ["Time", "Event_length", "Cell_length", "beadDist"]
    var massChannels = 0, fluorescenceChannels = 0
    for path in paths {
      let mass = path.contains("cytonorm") || path.contains("immport")
      let fluorescence = path.contains("68983") || path.contains("flowai") || path.contains("immunoclust")
      for p in try FCSFile(contentsOf: root.appendingPathComponent(path).path).dataSets[0].parameters {
        let raw = p.name.rawValue
        let name = MarkerName(raw, field: .name)
        if mass && !notMass.contains(raw) {
          massChannels += 1
          #expect(name.isotopes.count == 1, "\(path): \(raw) not read as a mass tag")
          #expect(name.tokens == conventions[raw].map { [$0] } ?? [], "\(path): \(raw) reads as \(name.tokens)")
        }
        if fluorescence && !["FSC", "SSC", "Tim"].contains(String(raw.prefix(3))) {
          fluorescenceChannels += 1
          #expect(name.tokens.isEmpty, "\(path): $PnN \(raw) reads as \(name.tokens)")
        }
      }
    }
    #expect(massChannels == 4 * 26 + 6 * 52 && fluorescenceChannels == 11 + 3 * 8 + 5)
  }
}
