extension InstrumentProfile {
  /// Checks the profile can be simulated.
  /// - Throws: ``SimulationError/invalidInstrument(_:)`` naming the profile and what is wrong.
  public func validate() throws {
    func need(_ ok: Bool, _ what: @autoclosure () -> String) throws {
      if !ok { throw SimulationError.invalidInstrument("\(name.isEmpty ? "(unnamed)" : name): \(what())") }
    }
    try need(!name.isEmpty && name.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" } && name.allSatisfy(\.isASCII),
             "the name must be lower-case letters, digits and hyphens")
    try need(!summary.contains("\t") && !summary.contains("\n"), "the summary must be one line without tabs")
    try need(!channels.isEmpty, "no channels")
    let names = channels.map(\.name)
    try need(Set(names).count == names.count, "channel names ($PnN) repeat: \(names.filter { n in names.filter { $0 == n }.count > 1 }.first!)")
    try need(channels.allSatisfy { !$0.name.isEmpty }, "a channel has an empty name")
    try need(channels.filter { $0.measures == .time }.count <= 1, "more than one time channel")
    for c in channels {
      try need(c.range.isFinite && c.range >= 1, "\(c.name): range must be ≥ 1")
      try need(c.brightness.isFinite && c.brightness >= 0, "\(c.name): brightness must be finite and ≥ 0")
      for (what, v) in [("noise", c.noise), ("photonNoise", c.photonNoise), ("autofluorescence", c.autofluorescence),
                        ("beadLevel", c.beadLevel), ("background", c.background)] {
        try need(v.isFinite && v >= 0, "\(c.name): \(what) must be finite and ≥ 0")
      }
      try need(c.minimum.isFinite && c.minimum < c.range, "\(c.name): minimum must be finite and below the range")
    }
    let scatterMeasures = channels.map(\.measures).filter(\.isScatter)
    try need(Set(scatterMeasures).count == scatterMeasures.count, "a scatter signal appears twice")
    if !scatterMeasures.isEmpty {
      guard let s = scatter else { return try need(false, "scatter channels need a scatter setup") }
      for (what, v) in [("forwardGain", s.forwardGain), ("sideGain", s.sideGain), ("forwardNoise", s.forwardNoise),
                        ("sideNoise", s.sideNoise), ("widthScale", s.widthScale)] {
        try need(v.isFinite && v >= 0, "scatter \(what) must be finite and ≥ 0")
      }
    }
    try need(timestep.isEmpty || (Double(timestep).map { $0 > 0 && $0.isFinite } ?? false), "timestep '\(timestep)' is not a positive number")
    let markerChannels = self.markerChannels
    switch technology {
    case .mass:
      try need(scatterMeasures.isEmpty, "mass cytometry has no scatter")
      try need(mass != nil, "a mass profile needs a mass setup")
      try need(spillover.source == .none && !spillover.stored, "mass cytometry has no spillover")
      try need(!channels.contains { $0.measures == .autofluorescence }, "mass cytometry has no autofluorescence channel")
    case .spectral:
      try need(spectral != nil, "a spectral profile needs a spectral setup")
      try need(spillover.source == .none && !spillover.stored, "unmixed spectral data carry no spillover")
      if let s = spectral {
        try need(s.spread.isFinite && s.spread >= 0 && s.autofluorescenceResidue.isFinite && s.autofluorescenceResidue >= 0,
                 "spectral spread and autofluorescence residue must be finite and ≥ 0")
      }
    case .conventional:
      try need(!channels.contains { $0.measures == .eventLength || $0.measures == .autofluorescence },
               "event length and an autofluorescence channel belong to mass and spectral profiles")
      try need(Set(markerChannels.compactMap(\.measures.marker)).count == markerChannels.count,
               "a conventional tube measures each marker in one detector")
      try need(spillover.residue.isFinite && spillover.residue >= 0 && spillover.residue < 1, "spillover residue must be in 0…1")
      switch spillover.source {
      case .none:
        try need(!spillover.stored, "no spillover source but $SPILLOVER stored")
      case .fixed(let values):
        try need(values.count == markerChannels.count * markerChannels.count,
                 "the fixed spillover has \(values.count) values for \(markerChannels.count) detectors")
        try need(values.allSatisfy { $0.isFinite && $0 >= 0 }, "spillover values must be finite and ≥ 0")
      case .generated:
        for c in markerChannels {
          try need(c.fluorochrome.flatMap(FluorochromeCatalogue.fluorochrome(named:)) != nil,
                   "\(c.name): generated spillover needs a known fluorochrome, got \(c.fluorochrome ?? "none")")
          try need(c.laser != nil, "\(c.name): generated spillover needs the detector's laser")
        }
      }
    }
    if technology != .mass {
      try need(!channels.contains { $0.measures == .empty }, "empty (background-only) channels belong to mass profiles")
    }
    if technology != .conventional {
      try need(spillover.residue == 0, "only conventional profiles have a compensation residue")
    }
    try need(!countingBeads || channels.contains { $0.beadLevel > 0 },
             "counting beads need a bead level in at least one channel")
  }

  /// The built-in profile called `name`.
  /// - Throws: ``SimulationError/unknownInstrument(_:known:)`` listing the built-in names.
  public static func named(_ name: String) throws -> InstrumentProfile {
    if let p = builtIn.first(where: { $0.name == name }) { return p }
    throw SimulationError.unknownInstrument(name, known: builtIn.map(\.name))
  }
}
