import CytoCore
import CytoTransforms
import Testing

@Suite("Channel name resolution")
struct ChannelResolutionTests {
  let data: [ChannelName] = ["FSC-A", "SSC-A", "FITC-A", "Comp-PE-A", "APC-A", "Time"]

  @Test func exactThenPrefixes() throws {
    let r = try ChannelResolution(resolving: ["FITC-A", "Comp-APC-A", "PE-A", "FJComp-PE-A"].dropLast(), against: data)
    #expect(r.indices == [ChannelIndex(2), ChannelIndex(4), ChannelIndex(3)])
    #expect(r.matches.map(\.rule) == [.exact, .prefixChanged(removed: "Comp-", added: nil), .prefixChanged(removed: nil, added: "Comp-")])
    let fj = try ChannelResolution(resolving: ["FJComp-PE-A", "Comp_FITC-A"], against: data)
    #expect(fj.indices == [ChannelIndex(3), ChannelIndex(2)])
    #expect(fj.matches[0].rule == .prefixChanged(removed: "FJComp-", added: "Comp-"))
  }

  @Test func exactMatchWinsOverPrefixMatch() throws {
    let both: [ChannelName] = ["FITC-A", "Comp-FITC-A"]
    #expect(try ChannelResolution(resolving: ["Comp-FITC-A"], against: both).indices == [ChannelIndex(1)])
    #expect(try ChannelResolution(resolving: ["FITC-A"], against: both).indices == [ChannelIndex(0)])
  }

  @Test func errorListsEveryProblemAndTheAvailableNames() {
    do {
      _ = try ChannelResolution(resolving: ["BV421-A", "FITC-A", "Comp-FITC-A", "PerCP-A"], against: data)
      Issue.record("expected an error")
    } catch {
      #expect(error.unmatched == ["BV421-A", "PerCP-A"])
      #expect(error.duplicates == [.init(channel: "FITC-A", requested: ["FITC-A", "Comp-FITC-A"])])
      #expect(error.available == data)
      #expect(error.description.hasPrefix("not found: BV421-A, PerCP-A; FITC-A is matched by FITC-A and Comp-FITC-A"))
      #expect(error.description.hasSuffix("(available: FSC-A, SSC-A, FITC-A, Comp-PE-A, APC-A, Time)"))
    }
  }

  @Test func ambiguousPrefixMatchIsAnError() {
    #expect(throws: ChannelResolutionError.self) {
      try ChannelResolution(resolving: ["FJComp-FITC-A"], against: ["FITC-A", "Comp-FITC-A"])
    }
  }
}
