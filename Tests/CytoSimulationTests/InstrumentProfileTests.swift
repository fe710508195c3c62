import CytoCore
import CytoFCS
import CytoSimulation
import Foundation
import Testing

/// Every built-in instrument profile writes a readable FCS file that looks like that
/// instrument's: its channels, labels and ranges, its spillover keyword, the exact truth.
@Suite struct InstrumentProfileTests {
  static let names = InstrumentProfile.builtIn.map(\.name)

  @Test func builtInProfilesAreNamedValidAndComplete() throws {
    let all = InstrumentProfile.builtIn, names = Self.names
    #expect(all.count >= 22)
    #expect(Set(names).count == names.count, "names repeat")
    #expect(all.first == .reference)
    for required in ["reference", "fortessa-bcell", "canto-tbnk", "navios-blineage", "aurora-spectral", "cytof-bcell", "cart-4colour",
                     "reset-low-scatter", "reset-high-scatter", "reset-scatter-1024", "reset-fsc-width", "reset-dim-cd19",
                     "reset-wide-negatives", "reset-residue-5", "reset-residue-10", "reset-dim-car", "reset-no-viability",
                     "reset-no-beads", "reset-dim-cd45", "cytof-reset"] {
      #expect(names.contains(required), "\(required) missing")
    }
    for technology in InstrumentProfile.Technology.allCases { #expect(all.contains { $0.technology == technology }) }
    for range in [1_024.0, 262_144, 1_048_576, 4_194_304, 16_777_215] {
      #expect(all.contains { p in p.channels.contains { $0.measures.isScatter && $0.range == range } }, "no scatter on range \(range)")
    }
    let encoder = JSONEncoder()
    for p in all {
      try p.validate()
      #expect(!p.summary.isEmpty && !p.summary.contains("\t"))
      #expect(try JSONDecoder().decode(InstrumentProfile.self, from: encoder.encode(p)) == p, "\(p.name) does not survive JSON")
    }
  }

  @Test(arguments: names)
  func everyProfileWritesAReadableFileMatchingIt(_ name: String) throws {
    let p = try InstrumentProfile.named(name)
    let f = try SimulatedFile(p)
    let ds = f.dataSet
    #expect(ds.parameters.map(\.name.rawValue) == p.channels.map(\.name))
    #expect(ds.parameters.map(\.label) == p.channels.map(\.label))
    if p.mass?.rangeFromData != true { #expect(ds.parameters.map(\.range) == p.channels.map(\.range)) }
    #expect(ds.cytometer == p.cytometer)
    #expect(ds.eventCount == f.truth.events)
    // Stored spillover exactly when the profile stores it, over the marker channels.
    if p.spillover.stored {
      let s = try #require(ds.spillover)
      #expect(s.matrix.detectors.map(\.rawValue) == p.markerChannels.map(\.name))
    } else {
      #expect(ds.keywords["$SPILLOVER"] == nil)
    }
    // Every value finite and within the channel's limits.
    for (i, c) in p.channels.enumerated() {
      let column = f.events.column(ChannelIndex(i))
      let top = ds.parameters[i].range
      #expect(column.allSatisfy { $0.isFinite && Double($0) <= top }, "\(c.name) exceeds its range")
      if p.technology == .conventional && c.measures.marker != nil {
        #expect(column.allSatisfy { Double($0) >= c.minimum }, "\(c.name) below its minimum")
      }
    }
    // The truth: instrument, markers, channels, and the events add up.
    let t = f.truth
    #expect(t.instrument == p.name)
    #expect(t.markers == p.markers.map(\.rawValue))
    #expect(t.channels.map(\.name) == p.channels.map(\.name))
    #expect(Set(t.populations.keys) == Set(SimulationTruth.populationIDs))
    #expect(t.kinds.values.reduce(0, +) + t.beadEvents + t.deadCellEvents + t.doubletEvents + t.debrisEvents == t.events)
    #expect(t.deadPopulations?["CD45pos"] == t.deadCellEvents)
    #expect((t.beadEvents > 0) == p.countingBeads)
    #expect(t.populations["CD45pos"]!.events == t.kinds.values.reduce(0, +))
  }

  @Test(arguments: names)
  func sameSeedSameBytesOtherSeedOtherBytes(_ name: String) throws {
    let p = try InstrumentProfile.named(name)
    let a = try SimulatedFile(p, events: 3_000, seed: 9), b = try SimulatedFile(p, events: 3_000, seed: 9)
    let c = try SimulatedFile(p, events: 3_000, seed: 10)
    #expect(a.bytes == b.bytes)
    #expect(a.truth == b.truth)
    #expect(a.bytes != c.bytes)
  }

  /// events = round(fraction × µL × cells/µL), with or without counting beads.
  @Test(arguments: ["reference", "reset-no-beads", "cytof-bcell", "navios-blineage"])
  func countsAreExact(_ name: String) throws {
    var c = SampleComposition()
    c.monocytesPerMicroliter = 537
    c.granulocytesPerMicroliter = 3_210
    let t = try SimulatedFile(try InstrumentProfile.named(name), events: 20_000, seed: 5, composition: c).truth
    let f = try #require(t.acquiredFraction), v = t.tube.bloodVolumeMicroliters
    #expect(t.populations["Monocytes"]!.events == Int((f * v * 537).rounded()))
    #expect(t.populations["Granulocytes"]!.events == Int((f * v * 3_210).rounded()))
    #expect(t.kinds["plasmablast"] == Int((f * v * c.plasmablastsPerMicroliter).rounded()))
    // The concentration the events represent is the composition's, up to rounding.
    let mono = t.populations["Monocytes"]!.perMicroliter
    #expect(abs(mono - 537) <= (t.beadEvents > 0 ? 0.01 * 537 : 0.5 / (f * v) + 1e-9), "\(mono)")
    if t.beadEvents == 0 { #expect(t.tube.beadsPerTest == 0) }
  }
}
