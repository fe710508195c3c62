import CytoCore
import CytoFCS
import CytoGating
import CytoTransforms

/// How one file was gated: the instrument class, every marker's display scale and every gate
/// as found in the file, each with its evidence (the cuts are ``VisitAnalysis/cuts``). Recorded in the analysis JSON and
/// the store; ``strategy(markers:compensation:)`` rebuilds the exact Gating-ML strategy, so a
/// report can redraw, and a reviewer re-apply, the gates that produced the numbers.
public struct AppliedGating: Codable, Sendable, Equatable {
  public var instrument: InstrumentClassification
  public var scales: [AppliedScale]
  public var gates: [AppliedGate]
  /// The events the gates were found in, when not all of the file's (absent: all). Event
  /// counts in the evidence are counts in this sample; population counts use every event.
  public var sample: GatingSample?

  public init(instrument: InstrumentClassification, scales: [AppliedScale] = [], gates: [AppliedGate] = [],
              sample: GatingSample? = nil) {
    self.instrument = instrument
    self.scales = scales
    self.gates = gates
    self.sample = sample
  }
}

/// A fixed-stride sample of a file's events that gates are found in: event ⌊i · of / events⌋
/// for i = 0 ..< events (deterministic, spread over the whole acquisition).
public struct GatingSample: Codable, Sendable, Equatable {
  /// Events in the sample.
  public var events: Int
  /// Events in the file.
  public var of: Int

  public init(events: Int, of: Int) {
    self.events = events
    self.of = of
  }

  /// Files with more events than this have their gates found in a sample of this many
  /// (2¹⁸): densities, valleys and clusters are as well placed from a quarter of a million
  /// events as from ten million, and finding them costs the same for every larger file.
  public static let limit = 262_144

  /// The sample's event indices.
  public var indices: [Int] {
    let step = Double(of) / Double(events)
    return (0..<events).map { Int(Double($0) * step) }
  }

  /// The stored values of the sampled events read straight from the file: only their bytes
  /// (``FCSDataSet/events(_:as:at:)``), so the file is never decoded whole. The same input as
  /// ``input(from:)`` of the whole file's input.
  public func input(from dataSet: FCSDataSet) throws -> GatingInput {
    let header = ChunkedGatingInput(dataSet)
    return GatingInput(channels: header.channels, events: try dataSet.events(.raw, as: Float.self, at: indices), scalings: header.scalings,
                       fileSpillover: header.fileSpillover, fileSpilloverKeyword: header.fileSpilloverKeyword)
  }

  /// The stored values of the sampled events (same channels, scalings and spillover).
  public func input(from full: GatingInput) -> GatingInput {
    let n = full.events.eventCount, m = events, idx = indices, channels = full.events.channelCount
    let matrix = full.events.storage.withUnsafeBufferPointer { src in
      EventMatrix<Float>(eventCount: m, channelCount: channels, unsafeUninitialized: { dst in
        for c in 0..<channels {
          let s = src.baseAddress! + c * n, d = dst.baseAddress! + c * m
          for j in 0..<m { d[j] = s[idx[j]] }
        }
      })
    }
    return GatingInput(channels: full.channels, events: matrix, scalings: full.scalings, fileSpillover: full.fileSpillover,
                       fileSpilloverKeyword: full.fileSpilloverKeyword)
  }
}

/// What kind of instrument a file comes from, which decides the display scales.
public struct InstrumentClassification: Codable, Sendable, Equatable {
  public var kind: InstrumentClass
  /// The evidence (`$CYT 'Aurora'`, `isotope-tagged channels Nd142Di, …`).
  public var reason: String
}

/// Instrument classes with different display conventions.
public enum InstrumentClass: String, Codable, Sendable {
  /// Conventional fluorescence flow cytometry (logicle, W from the negatives).
  case conventional
  /// Spectral cytometry, unmixed (arcsinh with the panel's cofactor).
  case spectral
  /// Mass cytometry (arcsinh, cofactor 5; no scatter).
  case mass
}

/// A display scale used in the analysis of one file.
public struct AppliedScale: Codable, Sendable, Equatable {
  /// Identifier referenced by gate dimensions (`CD19`, `SSC-A.log`).
  public var id: String
  public var marker: String
  public var kind: Kind
  /// Gating-ML 2.0 parameters (T, W, M, A) of the transform.
  public var T: Double
  public var W: Double?
  public var M: Double
  public var A: Double
  /// How the parameters were chosen (`W from the 5th percentile of 2,341 negative values, r = −182`).
  public var method: String

  public enum Kind: String, Codable, Sendable {
    case logicle
    /// Gating-ML `fasinh` (arcsinh with cofactor T / sinh(M ln 10)).
    case fasinh
  }

  /// The transform.
  public func transform() throws -> ScaleTransform {
    switch kind {
    case .logicle: .logicle(try LogicleParameters(t: T, w: W ?? 0, m: M, a: A))
    case .fasinh: .fasinh(try ArcsinhParameters(t: T, m: M, a: A))
    }
  }
}

/// A cut as found (or set) in one file.
public struct AppliedCut: Codable, Sendable, Equatable {
  public var name: String
  public var marker: String
  /// Display units (the marker's scale in this file).
  public var value: Double
  public var method: Method
  /// What the method saw, or why a fallback was used.
  public var note: String?
  /// Why earlier methods found no evidence, in order.
  public var tried: [String]?
  /// The numbers behind it (mode positions, events each side, k, …).
  public var evidence: [String: Double]?

  public enum Method: String, Codable, Sendable {
    /// The density valley between two modes.
    case valley
    /// The edge of a negative (or positive) reference population.
    case reference
    /// The crossing of a two-component Gaussian mixture.
    case mixture
    /// The edge of the population's main peak.
    case peakEdge
    /// No evidence in the file: the panel's value, with a warning.
    case fallback
    /// Set by the user for this analysis.
    case override
  }

  public init(name: String, marker: String, value: Double, method: Method, note: String? = nil, tried: [String]? = nil,
              evidence: [String: Double]? = nil) {
    self.name = name
    self.marker = marker
    self.value = value
    self.method = method
    self.note = note
    self.tried = tried
    self.evidence = evidence
  }
}

/// One gate dimension: a marker, the scale it is read on and whether it is compensated.
public struct AppliedDimension: Codable, Sendable, Equatable, Hashable {
  public var marker: String
  /// ``AppliedScale/id``, or `nil` for linear values.
  public var scale: String?
  public var compensated: Bool
}

/// The geometry of a gate as applied, in the display units of its dimensions.
public enum AppliedShape: Codable, Sendable, Equatable {
  /// `min ≤ x < max` on every side (a missing end is open).
  case rectangle(sides: [Side])
  /// A polygon (even–odd rule).
  case polygon(x: AppliedDimension, y: AppliedDimension, vertices: [[Double]])
  /// Quadrants of two dividers; each quadrant below or above each cut.
  case quadrant(x: AppliedDimension, xAt: Double, y: AppliedDimension, yAt: Double, quadrants: [QuadrantRule.Quadrant])

  public struct Side: Codable, Sendable, Equatable {
    public var dimension: AppliedDimension
    public var min: Double?
    public var max: Double?
    public init(dimension: AppliedDimension, min: Double?, max: Double?) {
      self.dimension = dimension
      self.min = min
      self.max = max
    }
  }
}

/// One population entry of the panel as applied to a file.
public struct AppliedGate: Codable, Sendable, Equatable {
  /// The panel's population entry (a quadrant gate's id for its quadrants).
  public var id: String
  /// The populations it defines.
  public var populations: [String]
  /// The population it was gated from in this file (after skipped gates).
  public var parent: String?
  public var label: String?
  public var status: Status
  /// The rule used (`cluster`), and which alternative of the panel's list (0-based).
  public var rule: String?
  public var alternative: Int?
  public var shape: AppliedShape?
  /// How it was found: method, parameters and counts.
  public var evidence: [String: Double]?
  /// What was found, skipped or overridden, in words.
  public var note: String?

  public enum Status: String, Codable, Sendable {
    /// Found in this file's events.
    case found
    /// Set by the user (`--gate`).
    case override
    /// Not applied (markers missing; the population is its parent's events).
    case skipped
    /// Not reported (markers or a cut missing), with the reason in ``note``.
    case omitted
  }
}
