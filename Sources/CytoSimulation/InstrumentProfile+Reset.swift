extension InstrumentProfile {
  /// Every built-in profile, `reference` first. Names are unique; see docs/simulation.md.
  public static let builtIn: [InstrumentProfile] =
    [reference] + resetVariants + clinicalProfiles + [auroraSpectral] + massProfiles

  /// The simulator's original instrument (``SimulatedInstrument``): a 4-laser 11-colour
  /// reset panel with FSC-A, FSC-H, SSC-A, counting beads and `$SPILLOVER` equal to the
  /// spillover applied. `cytoreset simulate` without `--instrument` writes exactly the files
  /// it wrote before instrument profiles existed.
  public static let reference: InstrumentProfile = {
    let fluorochromes = ["BV421", "BV510", "BV605", "BV786", "FITC", "PerCP-Cy5.5", "PE", "PE-CF594", "PE-Cy7", "APC", "APC-R700"]
    let lasers: [Laser] = [.violet, .violet, .violet, .violet, .blue, .blue, .yellowGreen, .yellowGreen, .yellowGreen, .red, .red]
    var channels: [Channel] = [
      .scatter("FSC-A", .forwardScatterArea, range: 262_144), .scatter("FSC-H", .forwardScatterHeight, range: 262_144),
      .scatter("SSC-A", .sideScatterArea, range: 262_144),
    ]
    for (i, ch) in SimulatedInstrument.channels[3..<14].enumerated() {
      channels.append(Channel(name: ch.name, label: ch.label, measures: .marker(Marker.referenceMarkers[i]), range: 262_144,
                              brightness: 1, noise: 30, photonNoise: 1.2, minimum: -500,
                              autofluorescence: SimulatedInstrument.autofluorescence[i], beadLevel: SimulatedInstrument.beadSignal[i],
                              fluorochrome: fluorochromes[i], laser: lasers[i]))
    }
    channels.append(.time(range: 9_000))
    return InstrumentProfile(
      name: "reference", summary: "the default: 4-laser 11-colour reset panel, FSC-A/FSC-H/SSC-A, beads, $SPILLOVER = applied spillover",
      cytometer: "CytoReset simulated cytometer", technology: .conventional, channels: channels, scatter: ScatterSetup(),
      spillover: SpilloverSetup(source: .fixed(values: SimulatedInstrument.spillover.values)), countingBeads: true)
  }()

  /// The reset panel on the reference instrument with one thing changed.
  static let resetVariants: [InstrumentProfile] = {
    let r = reference
    func variant(_ name: String, _ summary: String, _ change: (inout InstrumentProfile) -> Void) -> InstrumentProfile {
      var p = r.renamed(name, summary)
      change(&p)
      return p
    }
    func setMarker(_ m: Marker, _ change: @escaping (inout Channel) -> Void) -> (inout InstrumentProfile) -> Void {
      { p in p = p.mappingMarkerChannels { c in if c.measures.marker == m { change(&c) } } }
    }
    /// Removes a marker channel and its row and column of the fixed spillover.
    func dropping(_ m: Marker, from p: inout InstrumentProfile) {
      let markerChannels = p.markerChannels
      let n = markerChannels.count
      guard let k = markerChannels.firstIndex(where: { $0.measures.marker == m }), case .fixed(let v) = p.spillover.source else { return }
      var kept: [Double] = []
      for i in 0..<n where i != k { for j in 0..<n where j != k { kept.append(v[i * n + j]) } }
      p.spillover.source = .fixed(values: kept)
      p.channels.removeAll { $0.measures.marker == m }
    }
    return [
      variant("reset-low-scatter", "reset panel, scatter voltages low (FSC/SSC gain 0.4): cells crowd the bottom left") {
        $0.scatter!.forwardGain = 0.4
        $0.scatter!.sideGain = 0.4
      },
      variant("reset-high-scatter", "reset panel, scatter voltages high (gain 2.2): granulocytes and doublets saturate at the range") {
        $0.scatter!.forwardGain = 2.2
        $0.scatter!.sideGain = 2.2
      },
      variant("reset-scatter-1024", "reset panel, scatter on a 10-bit linear scale ($PnR 1024, whole channels), fluorescence 262144") {
        for i in $0.channels.indices where $0.channels[i].measures.isScatter { $0.channels[i].range = 1_024 }
        $0.scatter!.integerValues = true
        $0.scatter!.widthScale = 256
      },
      variant("reset-fsc-width", "reset panel with FSC-W (= FSC-A/FSC-H × 65536) instead of FSC-H") {
        $0.channels[1] = .scatter("FSC-W", .forwardScatterWidth, range: 262_144)
      },
      variant("reset-no-height", "reset panel with FSC-A and SSC-A only: no height or width, doublets stay in") {
        $0.channels.removeAll { $0.measures == .forwardScatterHeight }
      },
      variant("reset-dim-cd19", "reset panel, CD19 reagent dim (brightness 0.25): B cells close to the negatives", setMarker(.cd19) {
        $0.brightness = 0.25
      }),
      variant("reset-wide-negatives", "reset panel, electronic noise ×4 on every fluorescence detector: wide negatives") {
        $0 = $0.mappingMarkerChannels { c in
          c.noise *= 4
          c.minimum = -2_000
        }
      },
      variant("reset-residue-5", "reset panel, applied spillover 5 points off the stored $SPILLOVER: compensation leaves skew") {
        $0.spillover.residue = 0.05
        $0.spillover.residueSeed = 5
      },
      variant("reset-residue-10", "reset panel, applied spillover 10 points off the stored $SPILLOVER: strong compensation skew") {
        $0.spillover.residue = 0.10
        $0.spillover.residueSeed = 10
      },
      variant("reset-dim-car", "reset panel, CAR detection reagent dim (brightness 0.2)", setMarker(.car) { $0.brightness = 0.2 }),
      variant("reset-no-viability", "reset panel without a viability dye: dead cells are only told apart by scatter") {
        dropping(.viability, from: &$0)
      },
      variant("reset-no-beads", "reset panel without counting beads (dual-platform: % of lymphocytes × haematology count)") {
        $0.countingBeads = false
      },
      variant("reset-no-spillover-keyword", "reset panel exported without $SPILLOVER: the spillover is in the data, the matrix is lost") {
        $0.spillover.stored = false
      },
      variant("reset-dim-cd45", "reset panel, CD45 reagent dim (brightness 0.3)", setMarker(.cd45) { $0.brightness = 0.3 }),
      variant("reset-fluor-first-labels", "reset panel labelled fluorochrome first ($PnS 'PE CD19', 'APC CAR-FMC63', 'BV510 L/D')") {
        let labels = ["BV421 CD27", "BV510 L/D", "BV605 CD4", "BV786 CD8", "FITC CD3", "PerCP-Cy5.5 CD45", "PE CD19", "PE-CF594 CD24",
                      "PE-Cy7 IgD", "APC CAR-FMC63", "APC-R700 CD38"]
        var i = 0
        $0 = $0.mappingMarkerChannels { c in
          c.label = labels[i]
          i += 1
        }
      },
    ]
  }()
}
