import CytoCore

/// The simulator's original cytometer: a 4-laser, 11-colour panel for following CD19 CAR T
/// patients. ``InstrumentProfile/reference`` is built from these constants; the other
/// instruments are ``InstrumentProfile/builtIn``.
///
/// Scatter (`FSC-A`, `FSC-H`, `SSC-A`), eleven fluorescence detectors with the markers in
/// `$PnS` and `Time`. The spillover is typical of such a panel (PE into PE-CF594, PerCP-Cy5.5
/// into PE-Cy7 and APC-R700, BV421 into BV510, …) and is both applied to the written values
/// and stored in `$SPILLOVER`, so compensation with the file's matrix recovers the dyes.
public enum SimulatedInstrument {
  /// `$PnN` and `$PnS` (`nil` for scatter and time), in file order.
  public static let channels: [(name: String, label: String?)] = [
    ("FSC-A", nil), ("FSC-H", nil), ("SSC-A", nil),
    ("BV421-A", "CD27 BV421"), ("BV510-A", "Viability Aqua"), ("BV605-A", "CD4 BV605"), ("BV786-A", "CD8 BV786"),
    ("FITC-A", "CD3 FITC"), ("PerCP-Cy5.5-A", "CD45 PerCP-Cy5.5"), ("PE-A", "CD19 PE"), ("PE-CF594-A", "CD24 PE-CF594"),
    ("PE-Cy7-A", "IgD PE-Cy7"), ("APC-A", "CAR FMC63-idiotype APC"), ("APC-R700-A", "CD38 APC-R700"),
    ("Time", nil),
  ]

  /// The fluorescence detectors (the `$SPILLOVER` channels), in file order.
  public static var detectors: [ChannelName] { channels[3..<14].map { ChannelName($0.name) } }

  /// Dye index (row of ``spillover``) of each marker.
  enum Dye: Int, CaseIterable {
    case cd27 = 0, viability, cd4, cd8, cd3, cd45, cd19, cd24, igd, car, cd38
  }

  /// Row = fluorochrome (in detector order), column = detector.
  public static let spillover: SpilloverMatrix = {
    //                  BV421  BV510  BV605  BV786  FITC   PerCP  PE     CF594  PE-Cy7 APC    R700
    let rows: [[Double]] = [
      /* BV421  */ [1, 0.12, 0.012, 0.002, 0.006, 0, 0, 0, 0, 0, 0],
      /* BV510  */ [0.01, 1, 0.08, 0.01, 0.1, 0.005, 0.004, 0.002, 0, 0, 0],
      /* BV605  */ [0, 0.02, 1, 0.06, 0, 0.012, 0.01, 0.035, 0.008, 0, 0.004],
      /* BV786  */ [0, 0, 0.004, 1, 0, 0.006, 0, 0, 0.03, 0, 0.018],
      /* FITC   */ [0, 0.02, 0.002, 0, 1, 0.022, 0.18, 0.06, 0.004, 0, 0],
      /* PerCP  */ [0, 0, 0.01, 0.025, 0, 1, 0.002, 0.03, 0.12, 0.015, 0.09],
      /* PE     */ [0, 0, 0.008, 0, 0.01, 0.05, 1, 0.28, 0.02, 0.001, 0.002],
      /* CF594  */ [0, 0, 0.03, 0.004, 0, 0.1, 0.06, 1, 0.05, 0.02, 0.01],
      /* PE-Cy7 */ [0, 0, 0, 0.04, 0, 0.008, 0.004, 0.01, 1, 0.002, 0.012],
      /* APC    */ [0, 0, 0, 0.006, 0, 0.012, 0, 0.002, 0.005, 1, 0.14],
      /* R700   */ [0, 0, 0, 0.02, 0, 0.035, 0, 0, 0.1, 0.05, 1],
    ]
    return SpilloverMatrix(channels: detectors, values: rows.flatMap { $0 })
  }()

  /// Autofluorescence of a resting lymphocyte per detector (violet and blue detectors highest).
  static let autofluorescence: [Double] = [110, 140, 60, 35, 130, 55, 70, 55, 30, 18, 20]

  /// What a counting bead (TruCount-like) gives in each detector, before noise: bright in every
  /// channel, not subject to the dyes' spillover.
  static let beadSignal: [Double] = [42_000, 38_000, 30_000, 26_000, 61_000, 35_000, 70_000, 52_000, 33_000, 28_000, 24_000]
}
