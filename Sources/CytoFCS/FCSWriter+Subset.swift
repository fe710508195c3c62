import CytoCore
import Foundation

extension FCSWriter.EventTable {
  /// A table with some channels and events of `dataSet`, keeping its keywords.
  ///
  /// - `$Pn…` keywords of kept channels are renumbered; those of dropped channels are removed.
  /// - A spillover keyword is kept only when every channel it names is kept.
  /// - With ``FCSValueScale/scaled`` values the written file is self-consistent: `$PnE` becomes
  ///   `0,0`, `$PnG` is removed, `$PnR` becomes the scaled range, and `$TIMESTEP` is removed
  ///   (time is already in seconds), so reading it back as raw or scaled gives these values.
  /// - With ``FCSValueScale/raw`` values `$PnG` and `$TIMESTEP` are kept, so scaled values of linear
  ///   and time channels read back as the original's. Log amplification (`$PnE f1,f2`) cannot be
  ///   expressed for float data (FCS 3.1 §3.3.39: `$PnE` must be `0,0` for `F`), so the raw values of a
  ///   log-amplified integer channel are kept as they are: export scaled values to keep channel values.
  public init(subsetOf dataSet: FCSDataSet, channels: [ChannelIndex]? = nil, events mask: EventMask? = nil,
              values: FCSValueScale = .raw, version: FCSVersion = .fcs3_1) throws {
    let chosen = channels ?? dataSet.parameters.map(\.index)
    for c in chosen where !dataSet.parameters.indices.contains(c.rawValue) {
      throw FCSError(.noSuchChannel, "channel \(c) does not exist (the data set has \(dataSet.parameters.count))")
    }
    var all = try dataSet.events(values, as: Float.self)
    if let mask { all = all.selectingEvents(mask) }
    let events = all.selectingChannels(chosen)
    var outChannels: [FCSWriter.Channel] = []
    for c in chosen {
      let prm = dataSet.parameters[c.rawValue]
      let prefix = "$P\(c.fcsParameterNumber)"
      var extra: [(suffix: String, value: String)] = []
      for e in dataSet.keywords.entries {
        let u = e.keyword.uppercased()
        guard u.hasPrefix(prefix), let suffix = Optional(String(e.keyword.dropFirst(prefix.count))),
              let f = suffix.first, !f.isNumber else { continue }
        let su = suffix.uppercased()
        if ["B", "E", "N", "S", "R", "DATATYPE"].contains(su) { continue }
        // Gain is already applied in scaled values, and never applies to log channels.
        if su == "G" && (values == .scaled || (prm.dataType == .integer && prm.amplification.isLogarithmic)) { continue }
        extra.append((suffix, e.value))
      }
      var range = prm.range
      if values == .scaled {
        if prm.isTime, let t = dataSet.timestep { range = prm.range * t }
        else if prm.dataType == .integer && prm.amplification.isLogarithmic {
          range = prm.amplification.offset * pow(10, prm.amplification.decades)
        } else if prm.gain != 1 { range = prm.range / prm.gain }
      }
      outChannels.append(FCSWriter.Channel(name: prm.name, label: prm.label, range: range, keywords: extra))
    }
    var kw = FCSKeywords()
    let keptNames = Set(outChannels.map(\.name))
    let spillKeys: Set<String> = ["$SPILLOVER", "SPILL", "$SPILL", "SPILLOVER"]
    for e in dataSet.keywords.entries {
      let u = e.keyword.uppercased()
      if FCSWriter.layoutKeywords.contains(u) || FCSWriter.isParameterKeyword(u) { continue }
      if values == .scaled && u == "$TIMESTEP" { continue }
      if spillKeys.contains(u) {
        guard let m = FCSSpillover.parseSpillover(e.value), Set(m.detectors).isSubset(of: keptNames) else { continue }
      }
      if u == "$COMP" || u.hasPrefix("$DFC") { continue }  // index-based: meaningless after renumbering
      kw[e.keyword] = e.value
    }
    self.init(channels: outChannels, events: events, keywords: kw, version: version)
  }
}
