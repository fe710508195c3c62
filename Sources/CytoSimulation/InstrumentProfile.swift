/// A simulated cytometer with one stained tube: what real instruments and labs vary and an
/// adaptive analysis must cope with.
///
/// A profile lists the file's channels in order (`$PnN`, `$PnS`, `$PnR`) and what each measures
/// (scatter area/height/width, a ``Marker``, time, event length, …), with per-channel brightness,
/// electronic noise, autofluorescence and counting-bead level; scatter voltages (gains) and
/// pulse processing; the spillover applied to the data and the one stored in `$SPILLOVER`
/// (they differ by the compensation residue); and for spectral and mass cytometry how their
/// values arise. ``builtIn`` holds the named profiles of `cytoreset simulate --instrument`;
/// ``reference`` is the instrument the simulator always had.
///
/// Profiles are plain values: encode one as JSON (`cytoreset simulate --show-instrument NAME`),
/// edit it and simulate with `--instrument FILE.json`. ``validate()`` checks one.
public struct InstrumentProfile: Codable, Sendable, Equatable, Identifiable {
  /// Short identifier (`canto-tbnk`): lower case, digits and hyphens.
  public var name: String
  /// One line: instrument, tube and what this profile varies.
  public var summary: String
  /// `$CYT`.
  public var cytometer: String
  public var technology: Technology
  /// The file's parameters, in order.
  public var channels: [Channel]
  /// Scatter voltages and pulse processing; `nil` when the instrument has no scatter (mass).
  public var scatter: ScatterSetup?
  public var spillover: SpilloverSetup
  /// Counting beads (TruCount-like) in the tube: single-platform absolute counts. Without them
  /// the tube needs a dual-platform count (% of lymphocytes × haematology count).
  public var countingBeads: Bool
  /// How unmixed spectral values arise (``Technology/spectral`` only).
  public var spectral: SpectralSetup?
  /// How mass-cytometry values arise (``Technology/mass`` only).
  public var mass: MassSetup?
  /// `$TIMESTEP` (seconds per unit of the time channel), as written.
  public var timestep: String
  /// Other keywords written to TEXT, in order (instrument software, lab conventions).
  public var keywords: [Keyword]
  /// The display scale analysts use for this instrument's marker channels.
  public var display: DisplayScale

  /// ``name``.
  public var id: String { name }

  /// A profile; ``validate()`` checks it (the simulator does before simulating).
  public init(name: String, summary: String, cytometer: String, technology: Technology, channels: [Channel],
              scatter: ScatterSetup?, spillover: SpilloverSetup, countingBeads: Bool, spectral: SpectralSetup? = nil,
              mass: MassSetup? = nil, timestep: String = "0.01", keywords: [Keyword] = [], display: DisplayScale = .logicle) {
    self.name = name
    self.summary = summary
    self.cytometer = cytometer
    self.technology = technology
    self.channels = channels
    self.scatter = scatter
    self.spillover = spillover
    self.countingBeads = countingBeads
    self.spectral = spectral
    self.mass = mass
    self.timestep = timestep
    self.keywords = keywords
    self.display = display
  }

  /// Conventional (one detector per fluorochrome, spillover), spectral (unmixed values), mass (ion counts).
  public enum Technology: String, Codable, Sendable, CaseIterable {
    case conventional, spectral, mass
  }

  /// The transform analysts display this instrument's marker channels on.
  public enum DisplayScale: Codable, Sendable, Equatable {
    /// Logicle / biexponential (conventional and spectral fluorescence).
    case logicle
    /// `asinh(x / cofactor)`: 5 for mass cytometry.
    case arcsinh(cofactor: Double)
  }

  /// A keyword written to TEXT.
  public struct Keyword: Codable, Sendable, Equatable {
    public var keyword: String
    public var value: String
    /// The keyword `keyword` with `value`.
    public init(_ keyword: String, _ value: String) {
      self.keyword = keyword
      self.value = value
    }
  }

  /// The markers the tube carries, in channel order, each once.
  public var markers: [Marker] {
    var seen = Set<Marker>(), out: [Marker] = []
    for c in channels {
      if case .marker(let m) = c.measures, seen.insert(m).inserted { out.append(m) }
    }
    return out
  }

  /// The marker channels (conventional: the fluorescence detectors, in file order).
  public var markerChannels: [Channel] { channels.filter { $0.measures.marker != nil } }

  /// Whether the file has any forward- or side-scatter channel.
  public var hasScatter: Bool { channels.contains { $0.measures.isScatter } }
}

extension InstrumentProfile {
  /// One parameter of the file.
  public struct Channel: Codable, Sendable, Equatable {
    /// `$PnN`: the detector (`PE-A`, `FL2-A`, `Nd142Di`) or, for unmixed spectral data, the marker.
    public var name: String
    /// `$PnS` in this lab's convention (`CD19 PE`, `PE CD19`, `CD19`, `142Nd_CD19`); `nil` omits it.
    public var label: String?
    public var measures: Measurement
    /// `$PnR`. Values are clipped to `range − 1` (the ADC's top); for mass profiles with
    /// ``MassSetup/rangeFromData`` the written `$PnR` is the data's maximum rounded up instead.
    public var range: Double
    /// True dye units → channel units (fluorochrome brightness, voltage, range; ion counts per
    /// unit for mass). 1 on the reference instrument.
    public var brightness: Double
    /// Electronic noise SD in channel units (conventional and spectral; 0 for mass).
    public var noise: Double
    /// Photon (Poisson) noise: variance added per channel unit of signal (conventional and spectral).
    public var photonNoise: Double
    /// Lowest value written (the ADC floor after baseline restoration), e.g. −500.
    public var minimum: Double
    /// Signal from a resting lymphocyte's autofluorescence, channel units.
    public var autofluorescence: Double
    /// Signal of a counting bead, channel units (0: beads are dark here).
    public var beadLevel: Double
    /// The fluorochrome (`PE-Cy7`; a name ``FluorochromeCatalogue`` knows), for generated spillover
    /// and documentation; `nil` for scatter, time and mass channels.
    public var fluorochrome: String?
    /// The laser exciting this detector (a Canto II excites PE with 488 nm, a Fortessa with 561 nm).
    public var laser: Laser?
    /// Mass cytometry: mean background counts (gas, contamination) in this channel.
    public var background: Double

    /// A channel; the static constructors (``scatter(_:_:range:label:)``,
    /// ``fluorescence(_:label:marker:fluorochrome:laser:brightness:scale:range:noise:photonNoise:minimum:)``,
    /// ``mass(_:label:measures:brightness:background:range:)``, ``time(_:range:label:)``) fill in typical values.
    public init(name: String, label: String?, measures: Measurement, range: Double, brightness: Double = 1, noise: Double = 0,
                photonNoise: Double = 0, minimum: Double = 0, autofluorescence: Double = 0, beadLevel: Double = 0,
                fluorochrome: String? = nil, laser: Laser? = nil, background: Double = 0) {
      self.name = name
      self.label = label
      self.measures = measures
      self.range = range
      self.brightness = brightness
      self.noise = noise
      self.photonNoise = photonNoise
      self.minimum = minimum
      self.autofluorescence = autofluorescence
      self.beadLevel = beadLevel
      self.fluorochrome = fluorochrome
      self.laser = laser
      self.background = background
    }
  }

  /// What a channel measures. Encoded as text: `Time`, `FSC-A`, `FSC-H`, `FSC-W`, `SSC-A`,
  /// `SSC-H`, `SSC-W`, `Autofluorescence`, `Event_length`, `Empty`, or a marker name (`CD19`).
  public enum Measurement: Codable, Sendable, Hashable, CustomStringConvertible {
    case time
    case forwardScatterArea, forwardScatterHeight, forwardScatterWidth
    case sideScatterArea, sideScatterHeight, sideScatterWidth
    case marker(Marker)
    /// The autofluorescence an unmixing extracted as its own channel (spectral).
    case autofluorescence
    /// Mass cytometry: pushes the ion cloud lasted.
    case eventLength
    /// A channel with no reagent: background only (mass cytometry's unused masses).
    case empty

    static let texts: [(Measurement, String)] = [
      (.time, "Time"), (.forwardScatterArea, "FSC-A"), (.forwardScatterHeight, "FSC-H"), (.forwardScatterWidth, "FSC-W"),
      (.sideScatterArea, "SSC-A"), (.sideScatterHeight, "SSC-H"), (.sideScatterWidth, "SSC-W"),
      (.autofluorescence, "Autofluorescence"), (.eventLength, "Event_length"), (.empty, "Empty"),
    ]

    public var description: String {
      if case .marker(let m) = self { return m.rawValue }
      return Self.texts.first { $0.0 == self }!.1
    }

    /// Parses the text form; `nil` for an unknown name.
    public init?(text: String) {
      if let m = Marker(rawValue: text) {
        self = .marker(m)
      } else if let t = Self.texts.first(where: { $0.1 == text }) {
        self = t.0
      } else {
        return nil
      }
    }

    /// Decodes the text form.
    public init(from decoder: Decoder) throws {
      let text = try decoder.singleValueContainer().decode(String.self)
      guard let m = Measurement(text: text) else {
        throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown measurement '\(text)'"))
      }
      self = m
    }

    /// Encodes the text form.
    public func encode(to encoder: Encoder) throws {
      var c = encoder.singleValueContainer()
      try c.encode(description)
    }

    /// The marker, for a marker channel.
    public var marker: Marker? {
      if case .marker(let m) = self { return m }
      return nil
    }

    /// Forward or side scatter (area, height or width).
    public var isScatter: Bool {
      switch self {
      case .forwardScatterArea, .forwardScatterHeight, .forwardScatterWidth, .sideScatterArea, .sideScatterHeight, .sideScatterWidth: true
      default: false
      }
    }
  }

  /// Excitation lasers (nm).
  public enum Laser: String, Codable, Sendable, CaseIterable {
    case ultraviolet = "355", violet = "405", blue = "488", yellowGreen = "561", red = "640"
  }

  /// Scatter voltages and pulse processing.
  ///
  /// Scatter is simulated on the reference scale (lymphocytes near FSC-A 62,000, SSC-A 15,000 of
  /// 262,144), multiplied by the gain, plus noise, then converted to each scatter channel's
  /// range (× range / 262,144) and clipped to it: a gain of 2.2 saturates granulocytes.
  public struct ScatterSetup: Codable, Sendable, Equatable {
    /// Forward-scatter gain relative to the reference voltage.
    public var forwardGain: Double
    /// Side-scatter gain relative to the reference voltage.
    public var sideGain: Double
    /// Noise SD on the reference scale (reference: 300 forward, 250 side).
    public var forwardNoise: Double
    public var sideNoise: Double
    /// Width = area ÷ height × this (BD: 65,536 on a 262,144 scale).
    public var widthScale: Double
    /// Values are whole ADC channels (floored), as from a 10-bit converter.
    public var integerValues: Bool

    /// The reference instrument's scatter by default.
    public init(forwardGain: Double = 1, sideGain: Double = 1, forwardNoise: Double = 300, sideNoise: Double = 250,
                widthScale: Double = 65_536, integerValues: Bool = false) {
      self.forwardGain = forwardGain
      self.sideGain = sideGain
      self.forwardNoise = forwardNoise
      self.sideNoise = sideNoise
      self.widthScale = widthScale
      self.integerValues = integerValues
    }
  }

  /// The spillover applied to the marker channels and the one stored in `$SPILLOVER`.
  public struct SpilloverSetup: Codable, Sendable, Equatable {
    /// The stored matrix: rows = fluorochromes, columns = detectors, both the marker channels in file order.
    public var source: Source
    /// Write the stored matrix as `$SPILLOVER` (some instruments and exports leave it out).
    public var stored: Bool
    /// Compensation residue: each pair that spills ≥ 2% is applied with this much more (70% of
    /// pairs) or less (30%, not below 0) than stored, so compensating with `$SPILLOVER` leaves
    /// skew. 0 applies exactly the stored matrix.
    public var residue: Double
    /// Seed for which pairs are under- or over-compensated.
    public var residueSeed: UInt64

    /// Stored as applied unless `residue` > 0.
    public init(source: Source, stored: Bool = true, residue: Double = 0, residueSeed: UInt64 = 0) {
      self.source = source
      self.stored = stored
      self.residue = residue
      self.residueSeed = residueSeed
    }

    /// No spillover and no `$SPILLOVER` (spectral and mass cytometry).
    public static let none = SpilloverSetup(source: .none, stored: false)

    public enum Source: Codable, Sendable, Equatable {
      /// No spillover (spectral unmixed and mass data).
      case none
      /// These row-major values.
      case fixed(values: [Double])
      /// Generated from the channels' fluorochromes and lasers (``FluorochromeCatalogue``),
      /// with a seeded ±12% instrument-to-instrument variation.
      case generated(seed: UInt64)
    }
  }

  /// Unmixed spectral values: each marker channel carries its own signal, the autofluorescence
  /// the unmixing did not remove, and noise widened by the spreading error of the other
  /// markers' signals (SD² += coefficient² × signal), so negatives reach −thousands.
  public struct SpectralSetup: Codable, Sendable, Equatable {
    /// Seed of the spreading matrix.
    public var spreadSeed: UInt64
    /// Median spreading coefficient (√channel units) between neighbouring markers.
    public var spread: Double
    /// Autofluorescence left in each unmixed marker channel, as a fraction of its autofluorescence level.
    public var autofluorescenceResidue: Double

    /// A spectral setup.
    public init(spreadSeed: UInt64, spread: Double, autofluorescenceResidue: Double) {
      self.spreadSeed = spreadSeed
      self.spread = spread
      self.autofluorescenceResidue = autofluorescenceResidue
    }
  }

  /// Mass cytometry: ion counts per channel are Poisson with mean brightness × level + background.
  public struct MassSetup: Codable, Sendable, Equatable {
    public var values: ValueStyle
    /// `$PnR` is the data's maximum rounded up (as CyTOF software writes it), not a fixed range.
    public var rangeFromData: Bool

    /// A mass-cytometry setup.
    public init(values: ValueStyle, rangeFromData: Bool = true) {
      self.values = values
      self.rangeFromData = rangeFromData
    }

    public enum ValueStyle: String, Codable, Sendable, CaseIterable {
      /// Whole counts ≥ 0.
      case integer
      /// Counts minus a uniform 0…1 (CyTOF software's randomisation): values in −1…0 for zero counts.
      case randomized
      /// Dual-count (Helios) values: counts with a little multiplicative jitter, never below 0.
      case dualCount
    }
  }
}
