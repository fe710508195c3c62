import Foundation

/// Emission and excitation of the fluorochromes the built-in profiles use, for generating a
/// realistic spillover matrix for any detector set.
///
/// Emission is modelled per fluorochrome as a steep blue edge (Gaussian, 22 nm) and an
/// exponential red tail; tandem dyes also leak some donor emission (PE-Cy7 shows ≈2% in the
/// PE detector). A detector sits at its own fluorochrome's emission peak on its laser; the
/// spill of fluorochrome f into detector d is f's relative excitation by d's laser times f's
/// relative emission at d's wavelength. This reproduces the familiar values (FITC→PE ≈ 0.25,
/// PE→PE-CF594 ≈ 0.35, APC→APC-R700 ≈ 0.2, BV421→BV510 ≈ 0.1, PerCP-Cy5.5→PE-Cy7 ≈ 0.1), and
/// a seeded ±12% variation makes every instrument's matrix a little different.
public enum FluorochromeCatalogue {
  struct Fluorochrome: Sendable {
    /// The canonical name first, then aliases.
    let names: [String]
    let peak: Double
    let tail: Double
    /// Relative excitation by each laser (1 at the best one).
    let excitation: [InstrumentProfile.Laser: Double]
    /// Tandems: the donor's emission peak, tail and the fraction of it that leaks.
    var donor: (peak: Double, tail: Double, leak: Double)? = nil
    /// Default signal of a resting lymphocyte's autofluorescence in this detector.
    let autofluorescence: Double
    /// Default counting-bead signal.
    let bead: Double

    func emission(at lambda: Double) -> Double {
      func shape(_ peak: Double, _ tail: Double) -> Double {
        lambda >= peak ? exp(-(lambda - peak) / tail) : exp(-((peak - lambda) / 22) * ((peak - lambda) / 22))
      }
      return shape(peak, tail) + (donor.map { $0.leak * shape($0.peak, $0.tail) } ?? 0)
    }
  }

  static let all: [Fluorochrome] = [
    // Ultraviolet and violet.
    Fluorochrome(names: ["BUV395"], peak: 395, tail: 35, excitation: [.ultraviolet: 1, .violet: 0.03], autofluorescence: 200, bead: 30_000),
    Fluorochrome(names: ["BUV496"], peak: 496, tail: 38, excitation: [.ultraviolet: 1, .violet: 0.05], autofluorescence: 150, bead: 30_000),
    Fluorochrome(names: ["BUV737"], peak: 737, tail: 40, excitation: [.ultraviolet: 1, .violet: 0.04, .red: 0.01],
                 donor: (395, 35, 0.01), autofluorescence: 40, bead: 26_000),
    Fluorochrome(names: ["BV421", "V450", "Pacific Blue", "PB"], peak: 440, tail: 38, excitation: [.violet: 1, .ultraviolet: 0.3],
                 autofluorescence: 110, bead: 42_000),
    Fluorochrome(names: ["BV510", "V500", "AmCyan", "Live/Dead Aqua", "Krome Orange", "KrO"], peak: 515, tail: 40,
                 excitation: [.violet: 1, .ultraviolet: 0.2, .blue: 0.03], autofluorescence: 140, bead: 38_000),
    Fluorochrome(names: ["BV570"], peak: 570, tail: 32, excitation: [.violet: 1, .ultraviolet: 0.3, .blue: 0.01],
                 donor: (440, 38, 0.01), autofluorescence: 80, bead: 30_000),
    Fluorochrome(names: ["BV605"], peak: 605, tail: 30, excitation: [.violet: 1, .ultraviolet: 0.3, .blue: 0.02, .yellowGreen: 0.03],
                 donor: (440, 38, 0.01), autofluorescence: 60, bead: 30_000),
    Fluorochrome(names: ["BV650"], peak: 650, tail: 30, excitation: [.violet: 1, .ultraviolet: 0.25, .red: 0.02],
                 donor: (440, 38, 0.01), autofluorescence: 45, bead: 28_000),
    Fluorochrome(names: ["BV711"], peak: 711, tail: 32, excitation: [.violet: 1, .ultraviolet: 0.25, .red: 0.02],
                 donor: (440, 38, 0.01), autofluorescence: 40, bead: 27_000),
    Fluorochrome(names: ["BV786"], peak: 786, tail: 40, excitation: [.violet: 1, .ultraviolet: 0.25, .red: 0.03],
                 donor: (440, 38, 0.01), autofluorescence: 35, bead: 26_000),
    // Blue.
    Fluorochrome(names: ["FITC", "BB515", "AF488"], peak: 520, tail: 40, excitation: [.blue: 1, .violet: 0.02, .ultraviolet: 0.01],
                 autofluorescence: 130, bead: 61_000),
    Fluorochrome(names: ["PerCP"], peak: 678, tail: 30, excitation: [.blue: 1, .violet: 0.12, .yellowGreen: 0.2],
                 autofluorescence: 60, bead: 33_000),
    Fluorochrome(names: ["PerCP-Cy5.5", "PerCP-Cy5-5", "PC5.5"], peak: 695, tail: 35,
                 excitation: [.blue: 1, .violet: 0.1, .yellowGreen: 0.2, .red: 0.12], autofluorescence: 55, bead: 35_000),
    Fluorochrome(names: ["7-AAD"], peak: 647, tail: 40, excitation: [.blue: 1, .yellowGreen: 0.8], autofluorescence: 50, bead: 20_000),
    // Phycoerythrin and its tandems (561 nm best, 488 nm about half).
    Fluorochrome(names: ["PE"], peak: 575, tail: 45, excitation: [.yellowGreen: 1, .blue: 0.55], autofluorescence: 70, bead: 70_000),
    Fluorochrome(names: ["PE-CF594", "ECD", "PE-Texas Red"], peak: 612, tail: 35, excitation: [.yellowGreen: 1, .blue: 0.5],
                 donor: (575, 35, 0.06), autofluorescence: 55, bead: 52_000),
    Fluorochrome(names: ["PE-Cy5"], peak: 667, tail: 30, excitation: [.yellowGreen: 1, .blue: 0.5, .red: 0.35],
                 donor: (575, 35, 0.03), autofluorescence: 40, bead: 40_000),
    Fluorochrome(names: ["PE-Cy7", "PC7"], peak: 780, tail: 40, excitation: [.yellowGreen: 1, .blue: 0.5, .red: 0.03],
                 donor: (575, 35, 0.02), autofluorescence: 30, bead: 33_000),
    // Red.
    Fluorochrome(names: ["APC"], peak: 660, tail: 35, excitation: [.red: 1, .yellowGreen: 0.08], autofluorescence: 18, bead: 28_000),
    Fluorochrome(names: ["APC-R700", "Alexa Fluor 700", "APC-A700"], peak: 719, tail: 35, excitation: [.red: 1, .yellowGreen: 0.05],
                 donor: (660, 35, 0.03), autofluorescence: 20, bead: 24_000),
    Fluorochrome(names: ["APC-Cy7", "APC-H7", "APC-A750", "APC-Fire 750"], peak: 785, tail: 40,
                 excitation: [.red: 1, .yellowGreen: 0.05], donor: (660, 35, 0.02), autofluorescence: 15, bead: 22_000),
  ]

  /// Every fluorochrome name (canonical names and aliases) the catalogue knows.
  public static var names: [String] { all.flatMap(\.names) }

  static func fluorochrome(named name: String) -> Fluorochrome? {
    all.first { $0.names.contains(name) }
  }

  /// The spillover matrix for `channels` (the marker channels, in file order), row-major, rows =
  /// fluorochromes, columns = detectors, rounded to 4 decimals, values below 0.001 dropped.
  static func spillover(for channels: [InstrumentProfile.Channel], seed: UInt64) throws -> [Double] {
    let n = channels.count
    var dyes: [(Fluorochrome, InstrumentProfile.Laser)] = []
    for c in channels {
      guard let f = c.fluorochrome.flatMap(fluorochrome(named:)), let laser = c.laser else {
        throw SimulationError.invalidInstrument("\(c.name): generated spillover needs a known fluorochrome and laser")
      }
      guard (f.excitation[laser] ?? 0) > 0 else {
        throw SimulationError.invalidInstrument("\(c.name): \(f.names[0]) is not excited by the \(laser.rawValue) nm laser")
      }
      dyes.append((f, laser))
    }
    var r = Draws(seed: seed ^ 0x5B11_1000_C0FF_EE00)
    var m = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
      let (f, ownLaser) = dyes[i]
      let own = f.excitation[ownLaser]! * f.emission(at: f.peak)
      for j in 0..<n {
        if i == j {
          m[i * n + j] = 1
          continue
        }
        let (g, laser) = dyes[j]
        let raw = (f.excitation[laser] ?? 0) * f.emission(at: g.peak) / own
        let v = raw * r.logNormal(1, 0.12)
        m[i * n + j] = v < 0.001 ? 0 : (v * 10_000).rounded() / 10_000
      }
    }
    return m
  }

  /// The spillover actually applied when the stored one is off by `residue`: every off-diagonal
  /// pair that spills ≥ 2% gets `residue` more (70% of pairs) or less (30%, not below 0).
  static func applied(stored: [Double], count n: Int, residue: Double, seed: UInt64) -> [Double] {
    guard residue > 0 else { return stored }
    var r = Draws(seed: seed ^ 0x2E51_D0E0_0000_0001)
    var m = stored
    for i in 0..<n {
      for j in 0..<n where i != j && stored[i * n + j] >= 0.02 {
        let sign = r.uniform() < 0.7 ? 1.0 : -1.0
        m[i * n + j] = max(0, stored[i * n + j] + sign * residue)
      }
    }
    return m
  }
}
