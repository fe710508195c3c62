import CytoCore
import CytoFCS
import CytoSimulation
import CytoTransforms
import Foundation
import Testing

/// What each kind of profile varies shows in the data. Variants of the reset panel that keep
/// its channels draw the same cells and noise as the reference for the same seed, so they are
/// compared event by event.
@Suite struct InstrumentVariationTests {
  @Test(arguments: ["cytof-bcell", "cytof-reset", "cytof-legacy"])
  func massCytometryHasIonCountsDNAAndEventLength(_ name: String) throws {
    let p = try InstrumentProfile.named(name)
    let f = try SimulatedFile(p, events: 20_000)
    #expect(!p.hasScatter)
    #expect(!f.dataSet.parameters.contains { ["FSC", "SSC"].contains(String($0.name.rawValue.prefix(3))) })
    #expect(f.dataSet.spillover == nil)
    #expect(p.display == .arcsinh(cofactor: 5))
    let style = try #require(p.mass).values
    for (i, c) in p.channels.enumerated() where c.measures != .time && c.measures != .eventLength {
      let column = f.events.column(ChannelIndex(i))
      #expect(column.allSatisfy { $0 >= (style == .randomized ? -1 : 0) }, "\(c.name) below the counting floor")
      if style == .randomized && c.measures != .marker(.dna) {
        #expect(column.contains { $0 < 0 }, "\(c.name): randomisation gives values in −1…0")
      }
      if style == .integer { #expect(column.allSatisfy { $0 == $0.rounded() }) }
    }
    // Two DNA channels in the isotopes' ratio; doublets carry twice the DNA and last longer.
    let dna = f.columns(measuring: .marker(.dna))
    #expect(dna.count == 2)
    let ratio = median(dna[1]) / median(dna[0])
    #expect(ratio > 1.5 && ratio < 1.8, "DNA2/DNA1 = \(ratio)")
    let length = try #require(f.columns(measuring: .eventLength).first)
    #expect(length.allSatisfy { $0 >= 10 && $0 <= 75 && $0 == $0.rounded() })
    let single = median(dna[1])
    let doublets = dna[1].indices.filter { dna[1][$0] > 1.6 * single }
    let expected = Double(f.truth.doubletEvents)
    #expect(Double(doublets.count) > 0.8 * expected && Double(doublets.count) < 1.2 * expected,
            "\(doublets.count) events with double DNA, \(f.truth.doubletEvents) doublets")
    #expect(median(doublets.map { length[$0] }) > 1.4 * median(length))
    // Debris and non-cells: low DNA.
    #expect(dna[1].filter { $0 < 0.3 * single }.count >= f.truth.debrisEvents / 2)
  }

  @Test func fscWidthReplacesHeight() throws {
    let f = try SimulatedFile(try .named("reset-fsc-width"), events: 20_000)
    let names = f.dataSet.parameters.map(\.name.rawValue)
    #expect(names.contains("FSC-W") && !names.contains("FSC-H"))
    let w = f.column("FSC-W"), single = median(w)
    // BD convention: W = A/H × 65536, about 65536/0.84 for singlets, wider for doublets.
    #expect(abs(single - 65_536 / 0.84) < 0.03 * 65_536 / 0.84, "median FSC-W \(single)")
    let wide = w.filter { $0 > 1.15 * single }.count, doublets = f.truth.doubletEvents
    #expect(Double(wide) > 0.7 * Double(doublets) && Double(wide) < 1.3 * Double(doublets), "\(wide) wide events, \(doublets) doublets")
  }

  @Test func scatterVoltagesAndRanges() throws {
    let ref = try SimulatedFile(.reference, events: 20_000, seed: 7)
    let low = try SimulatedFile(try .named("reset-low-scatter"), events: 20_000, seed: 7)
    let high = try SimulatedFile(try .named("reset-high-scatter"), events: 20_000, seed: 7)
    let tenBit = try SimulatedFile(try .named("reset-scatter-1024"), events: 20_000, seed: 7)
    for channel in ["FSC-A", "SSC-A"] {
      let r = median(ref.column(channel))
      #expect(abs(median(low.column(channel)) / r - 0.4) < 0.02)
      #expect(abs(median(tenBit.column(channel)) / (r * 1_024 / 262_144) - 1) < 0.03)
    }
    let saturated = { (f: SimulatedFile) in f.column("SSC-A").filter { $0 >= 262_143 }.count }
    #expect(saturated(high) > 20 * max(1, saturated(ref)), "gain 2.2 saturates granulocytes")
    for channel in ["FSC-A", "FSC-H", "SSC-A"] {
      #expect(tenBit.column(channel).allSatisfy { $0 == $0.rounded() && $0 >= 0 && $0 <= 1_023 })
      #expect(tenBit.dataSet.parameters.first { $0.name.rawValue == channel }?.range == 1_024)
    }
    #expect(tenBit.dataSet.parameters.first { $0.name.rawValue == "PE-A" }?.range == 262_144)
  }

  @Test func dimReagentsAndWideNegatives() throws {
    let ref = try SimulatedFile(.reference, events: 20_000, seed: 8)
    let refPE = ref.column("PE-A"), refFITC = ref.column("FITC-A")
    // B cells (CD19 PE bright, not beads: beads are FITC-bright too).
    let b = refPE.indices.filter { refPE[$0] > 3_000 && refFITC[$0] < 20_000 }
    #expect(b.count > 100)
    let dim = try SimulatedFile(try .named("reset-dim-cd19"), events: 20_000, seed: 8).column("PE-A")
    let ratio = median(b.map { dim[$0] / refPE[$0] })
    #expect(ratio > 0.2 && ratio < 0.33, "dim CD19 / reference = \(ratio)")
    // Electronic noise ×4 (SD 30 → 120): on the same events with the same normal draws, the
    // CD3⁻ events move by z × (SD_wide − SD_reference), about z × 80.
    let wide = try SimulatedFile(try .named("reset-wide-negatives"), events: 20_000, seed: 8).column("FITC-A")
    let negatives = refFITC.indices.filter { refFITC[$0] < 400 && refFITC[$0] > -400 }
    let moved = negatives.map { wide[$0] - refFITC[$0] }
    let sd = median(moved.map(abs)) / 0.6745
    #expect(sd > 60 && sd < 100, "the negatives' extra noise SD is \(sd)")
  }

  /// Compensating with the stored `$SPILLOVER` leaves skew on a residue profile: regressing the
  /// compensated difference from the reference (same cells, same noise) on the compensated
  /// reference recovers the applied matrix, `residue` off the stored one in every pair that spills.
  @Test func compensationResidueLeavesSkew() throws {
    var c = SampleComposition()
    c.carPercentOfT = 20  // every fluorochrome needs positive events for its row to be estimable
    let ref = try SimulatedFile(.reference, events: 30_000, seed: 12, composition: c)
    let res = try SimulatedFile(try .named("reset-residue-10"), events: 30_000, seed: 12, composition: c)
    let stored = try #require(ref.dataSet.spillover).matrix
    #expect(try #require(res.dataSet.spillover).matrix == stored, "both store the reference matrix")
    let comp = try CompensationMatrix(stored)
    let n = stored.detectors.count
    let refColumns = stored.detectors.map { ref.column($0.rawValue) }, resColumns = stored.detectors.map { res.column($0.rawValue) }
    var xtx = [Double](repeating: 0, count: n * n), xty = [Double](repeating: 0, count: n * n), used = 0
    for e in 0..<ref.events.eventCount {
      let a = refColumns.map { $0[e] }, b = resColumns.map { $0[e] }
      if (a + b).contains(where: { $0 <= -500 || $0 >= 262_143 }) || a.min()! > 10_000 { continue }  // clipped, or a bead
      let x = comp.compensate(a), y = zip(comp.compensate(b), x).map { $0 - $1 }
      for i in 0..<n {
        for j in 0..<n {
          xtx[i * n + j] += x[i] * x[j]
          xty[i * n + j] += x[i] * y[j]
        }
      }
      used += 1
    }
    #expect(used > 20_000)
    var r = [Double](repeating: 0, count: n * n)
    for d in 0..<n {
      let column = solve(xtx, (0..<n).map { xty[$0 * n + d] }, n: n)
      for f in 0..<n { r[f * n + d] = column[f] }
    }
    var skewed = 0
    for f in 0..<n {
      for d in 0..<n where f != d {
        let s = stored[row: f, column: d]
        let applied = s + (0..<n).reduce(0) { $0 + r[f * n + $1] * stored[row: $1, column: d] }
        let delta = applied - s
        if s >= 0.02 {
          let expected = delta > 0 ? 0.1 : min(0.1, s)
          #expect(abs(abs(delta) - expected) < 0.015, "pair \(f)→\(d): stored \(s), applied \(applied)")
          skewed += 1
        } else {
          #expect(abs(delta) < 0.02, "pair \(f)→\(d) should be applied as stored (\(s)), got \(applied)")
        }
      }
    }
    #expect(skewed >= 15)
  }

  @Test func spectralIsUnmixedWithWideNegatives() throws {
    let p = try InstrumentProfile.named("aurora-spectral")
    let f = try SimulatedFile(p, events: 20_000)
    #expect(f.dataSet.spillover == nil)
    for c in p.markerChannels {
      #expect(c.label == nil && c.name.contains(c.measures.marker!.rawValue.prefix(3)))
      #expect(f.dataSet.parameters.first { $0.name.rawValue == c.name }?.label == nil)
    }
    #expect(f.dataSet.parameters.allSatisfy { $0.range == 4_194_304 || $0.name.rawValue == "Time" })
    #expect(median(f.column("FSC-A")) > 1_000_000)
    #expect(f.column("CD19").min()! < -1_000, "unmixing spreads negatives to −thousands")
    #expect(f.column("Autofluor").count == f.truth.events, "an extracted autofluorescence channel")
  }

  @Test func tubesCarryOnlyTheirMarkers() throws {
    let fortessa = try SimulatedFile(try .named("fortessa-bcell"))
    #expect(Set(fortessa.truth.markers) == ["Viability", "CD3", "CD19", "CD20", "IgD", "CD27", "CD38", "CD24"])
    #expect(fortessa.dataSet.parameters.map(\.name.rawValue).filter { $0.hasPrefix("FSC") || $0.hasPrefix("SSC") } == ["FSC-A", "SSC-A"])
    #expect(fortessa.dataSet.parameters.contains { $0.label == "Live/Dead" } && fortessa.truth.beadEvents == 0)
    let canto = try SimulatedFile(try .named("canto-tbnk"))
    #expect(canto.dataSet.parameters.compactMap(\.label) == ["CD3 FITC", "CD16+56 PE", "CD45 PerCP-Cy5.5", "CD4 PE-Cy7", "CD19 APC", "CD8 APC-Cy7"])
    #expect(canto.truth.beadEvents > 0 && !canto.truth.markers.contains("Viability"))
    // TruCount beads are bright in every fluorescence channel.
    for c in canto.profile.markerChannels { #expect(canto.column(c.name).filter { $0 > 15_000 }.count >= canto.truth.beadEvents) }
    let navios = try SimulatedFile(try .named("navios-blineage"))
    #expect(Set(navios.truth.markers) == ["CD19", "CD20", "CD10", "CD34", "CD38", "CD45"])
    #expect(navios.dataSet.parameters.contains { $0.name.rawValue == "FSC-W" } && navios.dataSet.parameters.allSatisfy { $0.name.rawValue != "FSC-H" })
    #expect(navios.dataSet.parameters.filter { $0.name.rawValue != "TIME" }.allSatisfy { $0.range == 1_048_576 })
    let cart = try SimulatedFile(try .named("cart-4colour"))
    #expect(Set(cart.truth.markers) == ["CD3", "CD4", "CD8", "CAR", "CD45", "Viability"] && cart.truth.beadEvents > 0)
    let noViability = try SimulatedFile(try .named("reset-no-viability"))
    #expect(!noViability.truth.markers.contains("Viability") && noViability.truth.deadCellEvents > 0)
    #expect(try #require(noViability.dataSet.spillover).matrix.detectors.count == 10)
  }

  @Test func invalidProfilesAreRefused() throws {
    func refuses(_ p: InstrumentProfile, _ comment: Comment) {
      #expect(throws: SimulationError.self, comment) { try SampleSimulator(events: 100, seed: 1, instrument: p).simulate() }
    }
    var p = InstrumentProfile.reference
    p.channels[1].name = "FSC-A"
    refuses(p, "repeated $PnN")
    p = .reference
    p.spillover.source = .fixed(values: [1])
    refuses(p, "spillover of the wrong size")
    p = try .named("cytof-bcell")
    p.channels.append(.scatter("FSC-A", .forwardScatterArea, range: 262_144))
    refuses(p, "scatter in a mass profile")
    p = try .named("canto-tbnk")
    p.channels[3].fluorochrome = "Unobtainium"
    refuses(p, "generated spillover of an unknown fluorochrome")
    p = .reference
    p.channels[3].brightness = .nan
    refuses(p, "NaN brightness")
    p = .reference
    p.name = "Not A Name"
    refuses(p, "name")
    #expect(throws: SimulationError.unknownInstrument("nope", known: InstrumentProfile.builtIn.map(\.name))) { try InstrumentProfile.named("nope") }
  }

  /// Truth files written before instrument profiles (no instrument, markers or channels) still
  /// decode, as the reference instrument they came from.
  @Test func truthFilesFromBeforeProfilesDecodeAsReference() throws {
    let t = try SampleSimulator(events: 2_000, seed: 2).simulate().truth
    var object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(t)) as? [String: Any])
    for key in ["instrument", "markers", "channels", "acquiredFraction", "deadPopulations"] { object[key] = nil }
    let old = try JSONDecoder().decode(SimulationTruth.self, from: JSONSerialization.data(withJSONObject: object))
    #expect(old.instrument == "reference" && old.markers == t.markers && old.channels == t.channels)
    #expect(old.deadPopulations == nil && old.acquiredFraction == nil && old.populations == t.populations)
  }
}
