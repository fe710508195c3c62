import CytoCore
import CytoFCS
import CytoSimulation
import Foundation

/// One simulated file read back through the FCS reader.
struct SimulatedFile {
  let profile: InstrumentProfile
  let truth: SimulationTruth
  let bytes: Data
  let dataSet: FCSDataSet
  let events: EventMatrix<Float>

  init(_ profile: InstrumentProfile, events: Int = 8_000, seed: UInt64 = 3, composition: SampleComposition = SampleComposition()) throws {
    self.profile = profile
    let (table, truth) = try SampleSimulator(composition: composition, events: events, seed: seed, instrument: profile).simulate()
    self.truth = truth
    bytes = try FCSWriter.encode(table)
    dataSet = try FCSFile(bytes: bytes, path: "\(profile.name).fcs").dataSets[0]
    self.events = try dataSet.events(.raw, as: Float.self)
  }

  /// The column of the channel named `name` ($PnN).
  func column(_ name: String) -> [Double] {
    guard let i = dataSet.parameters.firstIndex(where: { $0.name.rawValue == name }) else { return [] }
    return events.column(ChannelIndex(i)).map(Double.init)
  }

  /// The columns of the channels measuring `m`, in file order.
  func columns(measuring m: InstrumentProfile.Measurement) -> [[Double]] {
    profile.channels.filter { $0.measures == m }.map { column($0.name) }
  }
}

func median(_ x: [Double]) -> Double {
  let s = x.sorted()
  return s.isEmpty ? .nan : s[s.count / 2]
}

/// Solves `a · x = b` (n × n, row-major) by Gaussian elimination with partial pivoting.
func solve(_ a: [Double], _ b: [Double], n: Int) -> [Double] {
  var m = a, v = b
  for c in 0..<n {
    let p = (c..<n).max { abs(m[$0 * n + c]) < abs(m[$1 * n + c]) }!
    if p != c {
      for k in 0..<n { m.swapAt(c * n + k, p * n + k) }
      v.swapAt(c, p)
    }
    for r in (c + 1)..<n {
      let f = m[r * n + c] / m[c * n + c]
      for k in c..<n { m[r * n + k] -= f * m[c * n + k] }
      v[r] -= f * v[c]
    }
  }
  var x = [Double](repeating: 0, count: n)
  for r in stride(from: n - 1, through: 0, by: -1) {
    var s = v[r]
    for k in (r + 1)..<n { s -= m[r * n + k] * x[k] }
    x[r] = s / m[r * n + r]
  }
  return x
}
