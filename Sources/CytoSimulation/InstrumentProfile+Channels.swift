extension InstrumentProfile.Channel {
  public typealias Measurement = InstrumentProfile.Measurement
  public typealias Laser = InstrumentProfile.Laser

  /// A scatter channel.
  public static func scatter(_ name: String, _ measures: Measurement, range: Double, label: String? = nil) -> Self {
    Self(name: name, label: label, measures: measures, range: range)
  }

  /// The time channel.
  public static func time(_ name: String = "Time", range: Double, label: String? = nil) -> Self {
    Self(name: name, label: label, measures: .time, range: range)
  }

  /// A fluorescence detector with the fluorochrome's catalogue autofluorescence and bead level.
  ///
  /// - Parameters:
  ///   - brightness: the fluorochrome-and-antibody brightness relative to the reference panel's
  ///     reagent for this marker.
  ///   - scale: channel units per reference unit (the detector's range and amplification):
  ///     brightness, autofluorescence, bead level and electronic noise are multiplied by it,
  ///     the photon-noise coefficient too (variance grows with the square of the scale).
  ///   - laser: the detector's laser (default: the fluorochrome's best one).
  /// - Precondition: `fluorochrome` is one of ``FluorochromeCatalogue/names``.
  public static func fluorescence(_ name: String, label: String?, marker: Marker, fluorochrome: String, laser: Laser? = nil,
                                  brightness: Double = 1, scale: Double = 1, range: Double = 262_144, noise: Double = 30,
                                  photonNoise: Double = 1.2, minimum: Double = -500) -> Self {
    let f = FluorochromeCatalogue.fluorochrome(named: fluorochrome)
    precondition(f != nil, "unknown fluorochrome \(fluorochrome)")
    let best = f!.excitation.max { $0.value < $1.value || ($0.value == $1.value && $0.key.rawValue < $1.key.rawValue) }!.key
    return Self(name: name, label: label, measures: .marker(marker), range: range, brightness: brightness * scale, noise: noise * scale,
                photonNoise: photonNoise * scale, minimum: minimum, autofluorescence: f!.autofluorescence * scale,
                beadLevel: f!.bead * scale, fluorochrome: fluorochrome, laser: laser ?? best)
  }

  /// A mass-cytometry channel (`$PnN` like `Nd142Di`): mean ion counts = brightness × level + background.
  public static func mass(_ name: String, label: String?, measures: Measurement, brightness: Double = 0, background: Double = 0.3,
                          range: Double = 10_000) -> Self {
    Self(name: name, label: label, measures: measures, range: range, brightness: brightness, background: background)
  }
}

extension InstrumentProfile {
  /// The channels with `f` applied to the marker channels.
  func mappingMarkerChannels(_ f: (inout Channel) -> Void) -> InstrumentProfile {
    var p = self
    for i in p.channels.indices where p.channels[i].measures.marker != nil { f(&p.channels[i]) }
    return p
  }

  /// A copy with another name and summary.
  func renamed(_ name: String, _ summary: String) -> InstrumentProfile {
    var p = self
    p.name = name
    p.summary = summary
    return p
  }
}
