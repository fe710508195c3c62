extension InstrumentProfile {
  /// Other instruments and tubes: clinical kits, research B-cell and CAR T tubes, other ranges.
  static let clinicalProfiles: [InstrumentProfile] = [fortessaBCell, cantoTBNK, naviosBLineage, cart4Colour, accuri4Colour, attuneTBNK, symphonyFull]

  /// HIPC "Lyoplate"-style B-cell phenotyping tube on a BD LSRFortessa: FSC-A and SSC-A only,
  /// marker-only labels (`CD19`, `Live/Dead`), no CD45, no CAR, no beads.
  static let fortessaBCell = InstrumentProfile(
    name: "fortessa-bcell", summary: "HIPC-style B-cell tube on an LSRFortessa: FSC-A/SSC-A only, marker-only labels, no CD45/CAR/beads",
    cytometer: "LSRFortessa", technology: .conventional,
    channels: [
      .scatter("FSC-A", .forwardScatterArea, range: 262_144), .scatter("SSC-A", .sideScatterArea, range: 262_144),
      .fluorescence("FITC-A", label: "IgD", marker: .igd, fluorochrome: "FITC", brightness: 0.8),
      .fluorescence("PerCP-Cy5-5-A", label: "CD19", marker: .cd19, fluorochrome: "PerCP-Cy5.5", brightness: 0.7),
      .fluorescence("PE-A", label: "CD24", marker: .cd24, fluorochrome: "PE", brightness: 1.2),
      .fluorescence("PE-Cy7-A", label: "CD38", marker: .cd38, fluorochrome: "PE-Cy7"),
      .fluorescence("APC-A", label: "CD27", marker: .cd27, fluorochrome: "APC", brightness: 1.1),
      .fluorescence("APC-Cy7-A", label: "CD3", marker: .cd3, fluorochrome: "APC-Cy7", brightness: 0.8),
      .fluorescence("Pacific Blue-A", label: "CD20", marker: .cd20, fluorochrome: "Pacific Blue", brightness: 0.8),
      .fluorescence("AmCyan-A", label: "Live/Dead", marker: .viability, fluorochrome: "Live/Dead Aqua"),
      .time(range: 262_144),
    ],
    scatter: ScatterSetup(forwardGain: 1.15, sideGain: 0.9), spillover: SpilloverSetup(source: .generated(seed: 201)),
    countingBeads: false, keywords: [Keyword("CREATOR", "BD FACSDiva Software Version 8.0.1"), Keyword("TUBE NAME", "B cell")])

  /// BD Multitest 6-colour TBNK with TruCount beads on a FACSCanto II (PE on the 488 nm laser),
  /// labels as BD writes them (`CD16+56 PE`). No viability dye (lyse/no-wash).
  static let cantoTBNK = InstrumentProfile(
    name: "canto-tbnk", summary: "BD Multitest 6-colour TBNK + TruCount beads on a FACSCanto II (no viability dye, no CD27/IgD/CAR)",
    cytometer: "FACSCanto II", technology: .conventional,
    channels: [
      .scatter("FSC-A", .forwardScatterArea, range: 262_144), .scatter("FSC-H", .forwardScatterHeight, range: 262_144),
      .scatter("SSC-A", .sideScatterArea, range: 262_144),
      .fluorescence("FITC-A", label: "CD3 FITC", marker: .cd3, fluorochrome: "FITC", noise: 25, minimum: -300),
      .fluorescence("PE-A", label: "CD16+56 PE", marker: .cd16CD56, fluorochrome: "PE", laser: .blue, brightness: 0.9, noise: 25, minimum: -300),
      .fluorescence("PerCP-Cy5-5-A", label: "CD45 PerCP-Cy5.5", marker: .cd45, fluorochrome: "PerCP-Cy5.5", brightness: 0.8, noise: 25,
                    minimum: -300),
      .fluorescence("PE-Cy7-A", label: "CD4 PE-Cy7", marker: .cd4, fluorochrome: "PE-Cy7", laser: .blue, brightness: 0.9, noise: 25,
                    minimum: -300),
      .fluorescence("APC-A", label: "CD19 APC", marker: .cd19, fluorochrome: "APC", brightness: 0.9, noise: 25, minimum: -300),
      .fluorescence("APC-Cy7-A", label: "CD8 APC-Cy7", marker: .cd8, fluorochrome: "APC-Cy7", brightness: 0.6, noise: 25, minimum: -300),
      .time(range: 262_144),
    ],
    scatter: ScatterSetup(forwardGain: 0.85, sideGain: 1.1), spillover: SpilloverSetup(source: .generated(seed: 301)),
    countingBeads: true,
    keywords: [Keyword("CREATOR", "BD FACSCanto clinical software v3.0"), Keyword("TUBE NAME", "6-color TBNK"),
               Keyword("REAGENT", "BD Multitest 6-color TBNK")])

  /// Beckman Coulter Navios-like B-lineage tube: FSC-A, FSC-W, SSC-A, 20-bit range 1048576,
  /// raw values ≥ 0 (the ADC floor), Beckman fluorochromes (ECD, PB, KrO, APC-A750). No beads,
  /// no viability dye.
  static let naviosBLineage = InstrumentProfile(
    name: "navios-blineage", summary: "Navios-like B-lineage tube (CD19/CD20/CD10/CD34/CD38/CD45), FSC-W, range 1048576, values ≥ 0",
    cytometer: "Navios", technology: .conventional,
    channels: [
      .scatter("FSC-A", .forwardScatterArea, range: 1_048_576), .scatter("FSC-W", .forwardScatterWidth, range: 1_048_576),
      .scatter("SSC-A", .sideScatterArea, range: 1_048_576),
      .fluorescence("FL3-A", label: "CD10 ECD", marker: .cd10, fluorochrome: "ECD", laser: .blue, brightness: 1.2, scale: 4,
                    range: 1_048_576, minimum: 0),
      .fluorescence("FL6-A", label: "CD34 APC", marker: .cd34, fluorochrome: "APC", scale: 4, range: 1_048_576, minimum: 0),
      .fluorescence("FL7-A", label: "CD38 APC-A700", marker: .cd38, fluorochrome: "APC-A700", scale: 4, range: 1_048_576, minimum: 0),
      .fluorescence("FL8-A", label: "CD20 APC-A750", marker: .cd20, fluorochrome: "APC-A750", brightness: 0.8, scale: 4, range: 1_048_576,
                    minimum: 0),
      .fluorescence("FL9-A", label: "CD19 PB", marker: .cd19, fluorochrome: "PB", brightness: 0.7, scale: 4, range: 1_048_576, minimum: 0),
      .fluorescence("FL10-A", label: "CD45 KrO", marker: .cd45, fluorochrome: "KrO", brightness: 0.6, scale: 4, range: 1_048_576, minimum: 0),
      .time("TIME", range: 1_048_576),
    ],
    scatter: ScatterSetup(forwardGain: 1.3, sideGain: 0.8, widthScale: 262_144), spillover: SpilloverSetup(source: .generated(seed: 401)),
    countingBeads: false, timestep: "0.001", keywords: [Keyword("CREATOR", "Navios cytometry software 1.3"), Keyword("TUBE NAME", "B-LINEAGE")])

  /// A CAR T enumeration tube on a FACSCanto II: CD3, CD4, CD8, the CAR (anti-FMC63 idiotype),
  /// CD45 and a fixable viability dye, with counting beads; no B-cell markers.
  static let cart4Colour = InstrumentProfile(
    name: "cart-4colour", summary: "CAR T tube: CD3/CD4/CD8/CAR (FMC63 idiotype) + CD45 + viability, FSC-A/FSC-H/SSC-A, beads; no B-cell markers",
    cytometer: "FACSCanto II", technology: .conventional,
    channels: [
      .scatter("FSC-A", .forwardScatterArea, range: 262_144), .scatter("FSC-H", .forwardScatterHeight, range: 262_144),
      .scatter("SSC-A", .sideScatterArea, range: 262_144),
      .fluorescence("V500-C-A", label: "FVS510", marker: .viability, fluorochrome: "V500"),
      .fluorescence("FITC-A", label: "CD3 FITC", marker: .cd3, fluorochrome: "FITC"),
      .fluorescence("PE-A", label: "FMC63 idiotype PE", marker: .car, fluorochrome: "PE", laser: .blue, brightness: 1.4),
      .fluorescence("PerCP-Cy5-5-A", label: "CD45 PerCP-Cy5.5", marker: .cd45, fluorochrome: "PerCP-Cy5.5", brightness: 0.8),
      .fluorescence("APC-A", label: "CD4 APC", marker: .cd4, fluorochrome: "APC"),
      .fluorescence("APC-H7-A", label: "CD8 APC-H7", marker: .cd8, fluorochrome: "APC-H7", brightness: 0.7),
      .time(range: 262_144),
    ],
    scatter: ScatterSetup(forwardGain: 0.9, sideGain: 1), spillover: SpilloverSetup(source: .generated(seed: 501)),
    countingBeads: true, keywords: [Keyword("CREATOR", "BD FACSDiva Software Version 9.0"), Keyword("TUBE NAME", "CAR-T")])

  /// BD Accuri C6 Plus with a 4-colour T/B/NK tube: every channel on range 16777215, values ≥ 0,
  /// FSC-H/SSC-H after the fluorescence, a `Width` channel, no beads (volumetric count).
  static let accuri4Colour = InstrumentProfile(
    name: "accuri-4colour", summary: "Accuri C6-like 4-colour CD3/CD16+56/CD45/CD19: range 16777215 everywhere, Width channel, values ≥ 0, no beads",
    cytometer: "BD Accuri C6 Plus", technology: .conventional,
    channels: [
      .scatter("FSC-A", .forwardScatterArea, range: 16_777_215), .scatter("SSC-A", .sideScatterArea, range: 16_777_215),
      .fluorescence("FL1-A", label: "CD3 FITC-A", marker: .cd3, fluorochrome: "FITC", brightness: 1.5, range: 16_777_215, noise: 20, minimum: 0),
      .fluorescence("FL2-A", label: "CD16+56 PE-A", marker: .cd16CD56, fluorochrome: "PE", laser: .blue, brightness: 1.5, range: 16_777_215,
                    noise: 20, minimum: 0),
      .fluorescence("FL3-A", label: "CD45 PerCP-A", marker: .cd45, fluorochrome: "PerCP", brightness: 1.2, range: 16_777_215, noise: 20,
                    minimum: 0),
      .fluorescence("FL4-A", label: "CD19 APC-A", marker: .cd19, fluorochrome: "APC", brightness: 1.2, range: 16_777_215, noise: 20, minimum: 0),
      .scatter("FSC-H", .forwardScatterHeight, range: 16_777_215), .scatter("SSC-H", .sideScatterHeight, range: 16_777_215),
      .scatter("Width", .forwardScatterWidth, range: 16_777_215), .time(range: 16_777_215),
    ],
    scatter: ScatterSetup(forwardGain: 0.5, sideGain: 0.4, widthScale: 33), spillover: SpilloverSetup(source: .generated(seed: 601)),
    countingBeads: false, timestep: "0.1", keywords: [Keyword("CREATOR", "BD Accuri C6 Plus 1.0.27.1")])

  /// Thermo Fisher Attune NxT: range 1048576, FSC-W on range 1024 (as Attune writes it),
  /// hyphenated labels (`CD3-FITC`), acoustic focusing, volumetric count (no beads).
  static let attuneTBNK = InstrumentProfile(
    name: "attune-tbnk", summary: "Attune NxT-like TBNK tube: range 1048576, FSC-W on range 1024, labels 'CD3-FITC', no beads",
    cytometer: "Attune NxT Acoustic Focusing Cytometer", technology: .conventional,
    channels: [
      .time(range: 67_108_864),
      .scatter("FSC-A", .forwardScatterArea, range: 1_048_576), .scatter("SSC-A", .sideScatterArea, range: 1_048_576),
      .fluorescence("BL1-A", label: "CD3-FITC", marker: .cd3, fluorochrome: "FITC", scale: 5, range: 1_048_576, noise: 25, minimum: -2_000),
      .fluorescence("BL3-A", label: "CD45-PerCP-Cy5.5", marker: .cd45, fluorochrome: "PerCP-Cy5.5", brightness: 0.8, scale: 5,
                    range: 1_048_576, noise: 25, minimum: -2_000),
      .fluorescence("YL1-A", label: "CD16+56-PE", marker: .cd16CD56, fluorochrome: "PE", scale: 5, range: 1_048_576, noise: 25, minimum: -2_000),
      .fluorescence("YL4-A", label: "CD4-PE-Cy7", marker: .cd4, fluorochrome: "PE-Cy7", scale: 5, range: 1_048_576, noise: 25, minimum: -2_000),
      .fluorescence("RL1-A", label: "CD19-APC", marker: .cd19, fluorochrome: "APC", scale: 5, range: 1_048_576, noise: 25, minimum: -2_000),
      .fluorescence("RL3-A", label: "CD8-APC-Cy7", marker: .cd8, fluorochrome: "APC-Cy7", brightness: 0.7, scale: 5, range: 1_048_576,
                    noise: 25, minimum: -2_000),
      .scatter("FSC-H", .forwardScatterHeight, range: 1_048_576), .scatter("SSC-H", .sideScatterHeight, range: 1_048_576),
      .scatter("FSC-W", .forwardScatterWidth, range: 1_024),
    ],
    scatter: ScatterSetup(forwardGain: 0.6, sideGain: 1.5, widthScale: 40), spillover: SpilloverSetup(source: .generated(seed: 701)),
    countingBeads: false, timestep: "0.001", keywords: [Keyword("CREATOR", "Attune NxT Software v3.2.1")])

  /// A 19-colour BD FACSymphony tube with every marker the simulator knows: FSC and SSC with
  /// area, height and width, five lasers, more than 16 detectors.
  static let symphonyFull: InstrumentProfile = {
    let panel: [(String, Marker, String, Double)] = [
      ("BUV395", .cd45, "CD45 BUV395", 1), ("BUV496", .cd8, "CD8 BUV496", 0.8), ("BUV737", .cd16CD56, "CD16+56 BUV737", 0.9),
      ("BV421", .cd27, "CD27 BV421", 1.2), ("BV510", .viability, "Live/Dead Aqua", 1), ("BV570", .cd14, "CD14 BV570", 0.8),
      ("BV605", .cd4, "CD4 BV605", 1), ("BV650", .cd20, "CD20 BV650", 1), ("BV711", .hlaDR, "HLA-DR BV711", 1),
      ("BV786", .cd38, "CD38 BV786", 1), ("FITC", .cd3, "CD3 FITC", 1), ("PerCP-Cy5.5", .igd, "IgD PerCP-Cy5.5", 0.7),
      ("PE", .cd19, "CD19 PE", 1.2), ("PE-CF594", .cd24, "CD24 PE-CF594", 1), ("PE-Cy5", .cd10, "CD10 PE-Cy5", 1),
      ("PE-Cy7", .igm, "IgM PE-Cy7", 1), ("APC", .car, "CAR (FMC63) APC", 1), ("APC-R700", .cd66b, "CD66b APC-R700", 1),
      ("APC-Cy7", .cd34, "CD34 APC-Cy7", 1),
    ]
    var channels: [Channel] = [
      .scatter("FSC-A", .forwardScatterArea, range: 262_144), .scatter("FSC-H", .forwardScatterHeight, range: 262_144),
      .scatter("FSC-W", .forwardScatterWidth, range: 262_144), .scatter("SSC-A", .sideScatterArea, range: 262_144),
      .scatter("SSC-H", .sideScatterHeight, range: 262_144), .scatter("SSC-W", .sideScatterWidth, range: 262_144),
    ]
    for (fluor, marker, label, brightness) in panel {
      let detector = fluor == "PerCP-Cy5.5" ? "PerCP-Cy5-5" : fluor
      channels.append(.fluorescence("\(detector)-A", label: label, marker: marker, fluorochrome: fluor, brightness: brightness, noise: 20))
    }
    channels.append(.time(range: 262_144))
    return InstrumentProfile(
      name: "symphony-full", summary: "19-colour FACSymphony tube with every simulated marker, FSC/SSC area+height+width, no beads",
      cytometer: "FACSymphony A5", technology: .conventional, channels: channels, scatter: ScatterSetup(forwardGain: 1, sideGain: 1.2),
      spillover: SpilloverSetup(source: .generated(seed: 801)), countingBeads: false,
      keywords: [Keyword("CREATOR", "BD FACSDiva Software Version 9.1")])
  }()
}
