extension InstrumentProfile {
  /// An unmixed Cytek Aurora file: every channel on range 4194304 with large scatter values,
  /// `$PnN` = the marker and no `$PnS` (like ../shared/testdata/realdata/aurora_pbmc), an
  /// extracted autofluorescence channel, spreading that takes negatives to −thousands, no
  /// `$SPILLOVER`, no beads.
  static let auroraSpectral: InstrumentProfile = {
    let markers: [(String, Marker, Double, Double)] = [  // $PnN, marker, brightness, noise
      ("CD3", .cd3, 8, 400), ("CD4", .cd4, 6, 350), ("CD8", .cd8, 12, 500), ("CD14", .cd14, 9, 450), ("CD16_CD56", .cd16CD56, 7, 500),
      ("CD19", .cd19, 9, 400), ("CD20", .cd20, 10, 450), ("CD24", .cd24, 8, 600), ("CD27", .cd27, 9, 400), ("CD38", .cd38, 6, 500),
      ("CD45", .cd45, 10, 700), ("HLA-DR", .hlaDR, 9, 600), ("IgD", .igd, 8, 450), ("IgM", .igm, 9, 450), ("CAR-FMC63", .car, 7, 400),
      ("Viability", .viability, 6, 800),
    ]
    var channels: [Channel] = [
      .time(range: 1_200_000),
      .scatter("FSC-A", .forwardScatterArea, range: 4_194_304), .scatter("FSC-H", .forwardScatterHeight, range: 4_194_304),
      .scatter("SSC-A", .sideScatterArea, range: 4_194_304), .scatter("SSC-H", .sideScatterHeight, range: 4_194_304),
    ]
    for (name, marker, brightness, noise) in markers {
      channels.append(Channel(name: name, label: nil, measures: .marker(marker), range: 4_194_304, brightness: brightness, noise: noise,
                              photonNoise: 16, minimum: -4_194_304, autofluorescence: 900))
    }
    channels.append(Channel(name: "Autofluor", label: nil, measures: .autofluorescence, range: 4_194_304, noise: 300, photonNoise: 16,
                            minimum: -4_194_304, autofluorescence: 3_000))
    return InstrumentProfile(
      name: "aurora-spectral", summary: "unmixed Cytek Aurora: range 4194304, $PnN = marker, no $PnS/$SPILLOVER, spreading to −thousands, AF channel",
      cytometer: "Aurora", technology: .spectral, channels: channels,
      scatter: ScatterSetup(forwardGain: 1.6, sideGain: 1.6, forwardNoise: 400, sideNoise: 300),
      spillover: .none, countingBeads: false, spectral: SpectralSetup(spreadSeed: 901, spread: 3, autofluorescenceResidue: 0.4),
      timestep: "0.0001", keywords: [Keyword("CREATOR", "SpectroFlo 3.0.3"), Keyword("UNMIXED", "TRUE")])
  }()

  /// Mass-cytometry profiles: no scatter, no spillover, Poisson ion counts, DNA intercalator,
  /// event length, asinh(x/5) display.
  static let massProfiles: [InstrumentProfile] = [cytofBCell, cytofReset, cytofLegacy]

  /// The common mass-cytometry channels of a Helios file.
  private static func heliosChannels(_ markers: [(metal: String, mass: Int, marker: Marker, target: String, brightness: Double)])
    -> [Channel]
  {
    var channels: [Channel] = [.time(range: 12_000_000), .mass("Event_length", label: nil, measures: .eventLength, range: 75)]
    var all = markers
    all += [("Ir", 191, .dna, "DNA1", 0.35), ("Ir", 193, .dna, "DNA2", 0.6), ("Pt", 195, .viability, "Cisplatin", 0.08)]
    for m in all.sorted(by: { $0.mass < $1.mass }) {
      channels.append(.mass("\(m.metal)\(m.mass)Di", label: "\(m.mass)\(m.metal)_\(m.target)", measures: .marker(m.marker),
                            brightness: m.brightness, background: m.metal == "Y" ? 0.8 : 0.3))
    }
    return channels
  }

  /// A CyTOF (Helios) B/T phenotyping panel with CD66b for granulocytes; CyTOF software's
  /// randomisation (values −1…0 for zero counts).
  static let cytofBCell = InstrumentProfile(
    name: "cytof-bcell", summary: "CyTOF Helios B/T panel: Nd142Di/142Nd_CD19 names, DNA1/DNA2, Event_length, cisplatin, randomised counts",
    cytometer: "Helios", technology: .mass,
    channels: heliosChannels([
      ("Y", 89, .cd45, "CD45", 0.02), ("Nd", 142, .cd19, "CD19", 0.04), ("Nd", 145, .cd4, "CD4", 0.04), ("Nd", 146, .cd8, "CD8", 0.04),
      ("Sm", 147, .cd20, "CD20", 0.12), ("Nd", 150, .igd, "IgD", 0.04), ("Sm", 152, .cd66b, "CD66b", 0.03), ("Gd", 160, .cd14, "CD14", 0.05),
      ("Er", 167, .cd27, "CD27", 0.05), ("Tm", 169, .cd24, "CD24", 0.04), ("Er", 170, .cd3, "CD3", 0.05), ("Yb", 171, .igm, "IgM", 0.04),
      ("Yb", 172, .cd38, "CD38", 0.03), ("Yb", 174, .hlaDR, "HLA-DR", 0.08),
    ]),
    scatter: nil, spillover: .none, countingBeads: false, mass: MassSetup(values: .randomized), timestep: "0.001",
    keywords: [Keyword("CREATOR", "CyTOF Software 7.0.8493")], display: .arcsinh(cofactor: 5))

  /// The reset panel's markers by mass cytometry (the CAR by a metal-tagged anti-FMC63
  /// idiotype), with CD14 and CD66b to find the myeloid cells without scatter; Helios dual-count
  /// values (≥ 0, not whole).
  static let cytofReset = InstrumentProfile(
    name: "cytof-reset", summary: "reset markers by CyTOF (CAR via 158Gd anti-FMC63) + CD14/CD66b, DNA, cisplatin; dual-count values ≥ 0",
    cytometer: "Helios", technology: .mass,
    channels: heliosChannels([
      ("Y", 89, .cd45, "CD45", 0.02), ("Nd", 142, .cd19, "CD19", 0.04), ("Nd", 145, .cd4, "CD4", 0.04), ("Nd", 146, .cd8, "CD8", 0.04),
      ("Nd", 150, .igd, "IgD", 0.04), ("Sm", 152, .cd66b, "CD66b", 0.03), ("Gd", 158, .car, "FMC63", 0.05), ("Gd", 160, .cd14, "CD14", 0.05),
      ("Er", 167, .cd27, "CD27", 0.05), ("Tm", 169, .cd24, "CD24", 0.04), ("Er", 170, .cd3, "CD3", 0.05), ("Yb", 172, .cd38, "CD38", 0.03),
    ]),
    scatter: nil, spillover: .none, countingBeads: false, mass: MassSetup(values: .dualCount), timestep: "0.001",
    keywords: [Keyword("CREATOR", "CyTOF Software 7.0.8493")], display: .arcsinh(cofactor: 5))

  /// An older CyTOF (DVS software 5.1) file like ImmPort SDY420: `(Nd142)Dd` names, bare
  /// marker labels, `Cell_length`, a dead-cell stain on In115, no CD45, power-of-two ranges.
  static let cytofLegacy: InstrumentProfile = {
    let markers: [(String, Marker, String, Double, Double)] = [  // isotope, marker, label, brightness, range
      ("In115", .viability, "Dead", 0.1, 8_192), ("Nd142", .cd19, "CD19", 0.03, 8_192), ("Nd143", .cd4, "CD4", 0.03, 4_096),
      ("Nd144", .cd8, "CD8", 0.04, 4_096), ("Nd146", .igd, "IgD", 0.03, 4_096), ("Sm149", .cd16CD56, "CD16", 0.02, 4_096),
      ("Nd150", .cd3, "CD3", 0.05, 4_096), ("Eu151", .cd38, "CD38", 0.05, 16_384), ("Sm152", .cd27, "CD27", 0.05, 4_096),
      ("Sm154", .cd14, "CD14", 0.02, 4_096), ("Dy164", .cd20, "CD20", 0.15, 16_384), ("Er168", .cd24, "CD24", 0.02, 4_096),
      ("Lu175", .hlaDR, "HLADR", 0.15, 16_384), ("Ir191", .dna, "DNA1", 0.4, 32_768), ("Ir193", .dna, "DNA2", 0.65, 32_768),
    ]
    var channels: [Channel] = [.time(range: 2_097_152), .mass("Cell_length", label: nil, measures: .eventLength, range: 128)]
    for (isotope, marker, label, brightness, range) in markers {
      channels.append(.mass("(\(isotope))Dd", label: label, measures: .marker(marker), brightness: brightness, background: 0.4, range: range))
    }
    return InstrumentProfile(
      name: "cytof-legacy", summary: "older CyTOF (DVS 5.1): (Nd142)Dd names, bare labels, Cell_length, In115 dead stain, no CD45, fixed ranges",
      cytometer: "DVSSCIENCES-CYTOF-5.1.602", technology: .mass, channels: channels, scatter: nil, spillover: .none,
      countingBeads: false, mass: MassSetup(values: .randomized, rangeFromData: false), timestep: "0.001", display: .arcsinh(cofactor: 5))
  }()
}
