import CytoAutoGating
import CytoCore
import CytoFCS
import CytoGating
import CytoTransforms
import Foundation

/// One file's events as the adaptive gates see them: each marker's linear values (compensated
/// for stained markers) and its display values on the file's own scale, computed once, and the
/// scales themselves (logicle W from the file's negatives, arcsinh for spectral and mass).
final class EventSpace {
  let input: GatingInput
  let markers: [String: MarkerChannel]
  let definitions: [String: MarkerDefinition]
  let instrument: InstrumentClassification
  /// Compensation of stained markers.
  let compensation: CompensationReference
  let rules: ScaleRules
  /// Top of scale per channel in linear units ($PnR, or 10^decades for log-amplified channels).
  let ranges: [ChannelName: Double]
  var eventCount: Int { input.events.eventCount }

  private(set) var scales: [String: AppliedScale] = [:]
  /// Each scale's transform, made once (logicle's constants take a root-finding to set up).
  private var transforms: [String: ScaleTransform] = [:]
  /// Scales made ahead by ``prepareStainedMarkers()``, not yet used by a gate.
  private var prepared: [String: (AppliedScale, ScaleTransform)] = [:]
  private var scaleOrder: [String] = []
  private var linearCache: [String: [Float]] = [:]
  private var uncompensatedCache: [String: [Float]] = [:]
  private var displayCache: [AppliedDimension: [Float]] = [:]
  /// Detector columns read once for every marker's compensation.
  private var reader: ChannelValueReader

  init(input: GatingInput, dataSet: FCSDataSet, markers: [String: MarkerChannel], definitions: [MarkerDefinition],
       instrument: InstrumentClassification, compensation: CompensationReference, rules: ScaleRules) throws {
    self.input = input
    self.markers = markers
    self.definitions = Dictionary(definitions.map { ($0.marker, $0) }, uniquingKeysWith: { a, _ in a })
    self.instrument = instrument
    self.compensation = compensation
    self.rules = rules
    reader = try ChannelValueReader(input: input)
    var r: [ChannelName: Double] = [:]
    for p in dataSet.parameters {
      r[p.name] = p.amplification.isLogarithmic ? pow(10, p.amplification.decades) * max(p.amplification.offset, 1) : p.range
    }
    ranges = r
  }

  /// The transform of scale `id` (made with the scale).
  func transform(_ id: String) -> ScaleTransform? { transforms[id] }

  /// The scales made so far, in the order they were made.
  var appliedScales: [AppliedScale] { scaleOrder.map { scales[$0]! } }

  func has(_ marker: String) -> Bool { markers[marker] != nil }

  func isScatter(_ marker: String) -> Bool { definitions[marker]?.isScatter ?? false }

  func channel(_ marker: String) -> ChannelName { markers[marker]!.channel }

  /// Linear values: compensated for stained markers (under ``compensation``), as stored (scaled)
  /// for scatter.
  func linear(_ marker: String) throws -> [Float] {
    if let v = linearCache[marker] { return v }
    let comp: CompensationReference = isScatter(marker) ? .uncompensated : compensation
    var v = try reader.floatValues(channel(marker), compensation: comp)
    if instrument.kind == .mass && !isScatter(marker) { Self.spreadZeroCounts(&v) }
    linearCache[marker] = v
    return v
  }

  /// Linear values without compensation (bead gates read the detector itself).
  func uncompensated(_ marker: String) throws -> [Float] {
    if let v = uncompensatedCache[marker] { return v }
    let v = try reader.floatValues(channel(marker), compensation: .uncompensated)
    uncompensatedCache[marker] = v
    return v
  }

  /// Mass cytometry: an event with no ions has the value 0 (or one already spread over −1…0);
  /// for finding gates, counts ≤ 0 are spread evenly over −1…0 (as CyTOF software randomises
  /// them), so the negatives form a density mode instead of a spike. Deterministic (a
  /// golden-ratio sequence over the event index); the final counts use the stored values.
  static func spreadZeroCounts(_ v: inout [Float]) {
    for i in v.indices where v[i] <= 0 {
      let u = (Double(i) * 0.618_033_988_749_895).truncatingRemainder(dividingBy: 1)
      v[i] = Float(-u)
    }
  }

  /// The dimension a marker is gated on: its display scale (stained markers), linear
  /// (scatter), or the log-like scatter scale.
  func dimension(_ marker: String, axis: AxisScaleKind = .natural) throws -> AppliedDimension {
    let scatter = isScatter(marker)
    if scatter && axis == .natural { return AppliedDimension(marker: marker, scale: nil, compensated: false) }
    let s = try scale(for: marker, axis: axis)
    return AppliedDimension(marker: marker, scale: s.id, compensated: !scatter && compensation != .uncompensated)
  }

  /// Display values of a dimension (cached).
  func values(_ d: AppliedDimension) throws -> [Float] {
    if let v = displayCache[d] { return v }
    let lin = try linearValues(d)
    var out = lin
    if let id = d.scale, let t = transforms[id] {
      out.withUnsafeMutableBufferPointer { o in lin.withUnsafeBufferPointer { t.forward($0, into: o) } }
    }
    displayCache[d] = out
    return out
  }

  /// The linear values a dimension's display values are made from.
  func linearValues(_ d: AppliedDimension) throws -> [Float] {
    d.compensated || isScatter(d.marker) || compensation == .uncompensated ? try linear(d.marker) : try uncompensated(d.marker)
  }

  /// The half-width of a scale's linear region around zero, in data units: logicle's
  /// T·10^(2W − M) (the negative spread its W was made from), arcsinh's cofactor.
  static func linearWidth(_ s: AppliedScale) -> Double {
    switch s.kind {
    case .logicle: s.T * pow(10, 2 * (s.W ?? 0) - s.M)
    case .fasinh: s.T / sinh(s.M * M_LN10)
    }
  }

  /// How scales are made in this file (a value, so markers can be prepared concurrently).
  var scaleMaker: ScaleMaker { ScaleMaker(instrument: instrument, rules: rules) }

  /// The scale of a marker on `axis` (made on first use from the file's data).
  func scale(for marker: String, axis: AxisScaleKind) throws -> AppliedScale {
    let id = axis == .log ? "\(marker).log" : marker
    if let s = scales[id] { return s }
    let s: AppliedScale, t: ScaleTransform
    if axis == .natural, let p = prepared.removeValue(forKey: marker) {
      (s, t) = p
    } else {
      s = try scaleMaker.make(marker: marker, id: id, scatterLike: axis == .log || isScatter(marker),
                              range: ranges[channel(marker)] ?? 262_144, linear: try linear(marker))
      t = try s.transform()  // and the parameters are valid
    }
    transforms[id] = t
    scales[id] = s
    scaleOrder.append(id)
    return s
  }

  /// Makes every stained marker's linear values, scale and display values at once, on all
  /// cores (they are independent); each is recorded when a gate first uses it, as if made then.
  func prepareStainedMarkers() throws {
    let stained = markers.keys.filter { !isScatter($0) && linearCache[$0] == nil && scales[$0] == nil }.sorted()
    guard stained.count > 1 else { return }
    let input = self.input, comp = compensation, mass = instrument.kind == .mass, maker = scaleMaker
    let channels = stained.map { channel($0) }, tops = channels.map { ranges[$0] ?? 262_144 }
    let made = try concurrentMap(stained.count) { i -> ([Float], AppliedScale, ScaleTransform, [Float]) in
      var reader = try ChannelValueReader(input: input)
      var v = try reader.floatValues(channels[i], compensation: comp)
      if mass { Self.spreadZeroCounts(&v) }
      let s = try maker.make(marker: stained[i], id: stained[i], scatterLike: false, range: tops[i], linear: v)
      let t = try s.transform()
      var display = v
      display.withUnsafeMutableBufferPointer { o in v.withUnsafeBufferPointer { t.forward($0, into: o) } }
      return (v, s, t, display)
    }
    for (i, m) in stained.enumerated() {
      let (v, s, t, display) = made[i]
      linearCache[m] = v
      prepared[m] = (s, t)
      displayCache[AppliedDimension(marker: m, scale: s.id, compensated: compensation != .uncompensated)] = display
    }
  }

  /// The values of the events in `mask`, in event order.
  static func gather(_ values: [Float], _ mask: EventMask) -> [Float] {
    var out: [Float] = []
    out.reserveCapacity(mask.setCount)
    values.withUnsafeBufferPointer { v in
      for (w, word) in mask.words.enumerated() where word != 0 {
        var bits = word
        while bits != 0 {
          let b = bits.trailingZeroBitCount
          out.append(v[w << 6 | b])
          bits &= bits - 1
        }
      }
    }
    return out
  }
}

extension Double {
  /// `significant` significant digits, no exponent for ordinary magnitudes.
  func formatted(significant: Int) -> String {
    guard isFinite else { return "\(self)" }
    return String(format: "%.\(significant)g", self)
  }
}
