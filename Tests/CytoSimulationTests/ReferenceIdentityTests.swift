import CytoFCS
import CytoSimulation
import CytoStore
import Foundation
import Testing

/// The default instrument still writes exactly the files the simulator wrote before instrument
/// profiles existed: `make demo`, the interop fixtures and every test that simulates depend on it.
///
/// The digests are SHA-256 of the files `cytoreset simulate` (commit de3999a, before profiles)
/// wrote for these options; the file name goes into `$FIL`, so it is part of the bytes.
@Suite struct ReferenceIdentityTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var file: String
    var events: Int
    var seed: UInt64
    var cd19: Double? = nil
    var carPercent: Double? = nil
    var sha256: String
    var testDescription: String { "\(file): \(events) events, seed \(seed)" }
  }

  static let cases: [Case] = [
    Case(file: "s1.fcs", events: 20_000, seed: 1, sha256: "1bba21647a240a105ed5bc83d728daaffc33fd81b7d8456dc3d73cd4a7ec6dd1"),
    Case(file: "s7.fcs", events: 20_000, seed: 7, sha256: "79cff8d34bef359ed7ae6d0a0dff6ead77f8af3e7c9daaf1981fcac9a896b41e"),
    Case(file: "s42.fcs", events: 20_000, seed: 42, sha256: "dc538b05a5f2adb206f5bb078a23a54ef7d00245425f083e33433baa370ee422"),
    Case(file: "a.fcs", events: 10_000, seed: 3, cd19: 0, carPercent: 5,
         sha256: "a3e10200a4a45c54981c399c14ef0de03a53c3e63fa17c5e4867dc7f1b0592b5"),
  ]

  @Test(arguments: cases)
  func defaultInstrumentIsByteIdenticalToBefore(_ c: Case) throws {
    var composition = SampleComposition()
    if let cd19 = c.cd19 { composition.bCellsPerMicroliter = cd19 }
    if let car = c.carPercent { composition.carPercentOfT = car }
    var (table, _) = try SampleSimulator(composition: composition, events: c.events, seed: c.seed).simulate()
    table.keywords["$FIL"] = c.file
    #expect(SHA256.hash([UInt8](try FCSWriter.encode(table))).hex == c.sha256)
  }

  /// A patient's visits (the demo's path): the day +14 visit of P01, seed 11, 5000 events.
  @Test func timelineVisitIsByteIdenticalToBefore() throws {
    let course = PatientCourse(patient: "P01", seed: 11, days: [-7, 14, 120])
    let visits = try course.visits(events: 5_000)
    let expected = ["c496e0b1e471c4712bf3adb7c0ba46513a38054c5a866ee24ac321366151b877",
                    "5272880e2ba4407a1f90b6d8881ca32237121750d15b201f41071886423afa45",
                    "56ef29b2ff4fba0ace6b910085a188cf32c5e12dd2407a75721171e225bf4a02"]
    for (sim, sha) in zip(visits, expected) {
      var (table, _) = try sim.simulate()
      let day = sim.day!
      table.keywords["$FIL"] = "P01_day\(day < 0 ? "-" : "+")\(String(format: "%03d", abs(day))).fcs"
      #expect(SHA256.hash([UInt8](try FCSWriter.encode(table))).hex == sha, "day \(day)")
    }
  }
}
