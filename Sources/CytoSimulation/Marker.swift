/// What a simulated cell carries and a tube can measure: surface antigens, immunoglobulins,
/// the CAR, a viability stain and DNA content.
///
/// Every cell has a value for every marker, in "true dye units": the brightness the reference
/// instrument (``InstrumentProfile/reference``) would see before autofluorescence, spillover and
/// noise. Positive levels are log-normal; negatives are nonspecific binding (median 15). An
/// instrument's channel multiplies the value by its brightness (its fluorochrome, voltage and
/// range, or metal and detector sensitivity for mass cytometry). See docs/simulation.md for the
/// expression of every marker on every cell kind.
///
/// The raw value is the name used in the truth (`markers`) and in channel descriptions.
public enum Marker: String, CaseIterable, Codable, Sendable {
  // The reference panel's eleven dyes, in its detector order.
  case cd27 = "CD27", viability = "Viability", cd4 = "CD4", cd8 = "CD8", cd3 = "CD3", cd45 = "CD45", cd19 = "CD19"
  case cd24 = "CD24", igd = "IgD", car = "CAR", cd38 = "CD38"
  // Markers of the other built-in tubes.
  case cd20 = "CD20", cd16CD56 = "CD16+56", cd14 = "CD14", cd66b = "CD66b", cd10 = "CD10", cd34 = "CD34"
  case hlaDR = "HLA-DR", igm = "IgM"
  /// DNA content (mass-cytometry iridium intercalator): stoichiometric, the same for every
  /// nucleated cell, double in doublets, low in debris, none on beads.
  case dna = "DNA"

  /// Slot in ``SimulatedCell/markers``; the first eleven are the reference panel's detectors.
  var index: Int {
    switch self {
    case .cd27: 0
    case .viability: 1
    case .cd4: 2
    case .cd8: 3
    case .cd3: 4
    case .cd45: 5
    case .cd19: 6
    case .cd24: 7
    case .igd: 8
    case .car: 9
    case .cd38: 10
    case .cd20: 11
    case .cd16CD56: 12
    case .cd14: 13
    case .cd66b: 14
    case .cd10: 15
    case .cd34: 16
    case .hlaDR: 17
    case .igm: 18
    case .dna: 19
    }
  }

  /// The markers the reference panel measures, drawn exactly as before instrument profiles
  /// existed (the default files stay byte-identical).
  static let referenceMarkers: [Marker] = [.cd27, .viability, .cd4, .cd8, .cd3, .cd45, .cd19, .cd24, .igd, .car, .cd38]

  /// Markers beyond the reference panel: drawn only when an instrument measures one of them.
  static let extendedMarkers: [Marker] = [.cd20, .cd16CD56, .cd14, .cd66b, .cd10, .cd34, .hlaDR, .igm, .dna]
}
