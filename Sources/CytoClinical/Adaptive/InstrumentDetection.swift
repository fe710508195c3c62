import CytoFCS

extension InstrumentClassification {
  /// Classifies a data set from its keywords and channel names:
  /// - **mass** when `$CYT` names a CyTOF/Helios/XT, or at least three channels are
  ///   isotope-tagged (`Nd142Di`, `(Nd142)Dd`, `142Nd`);
  /// - **spectral** when `$CYT` names a full-spectrum instrument (Cytek Aurora or Northern
  ///   Lights, Sony ID7000/SP6800, BD FACSymphony A5 SE, BD FACSDiscover);
  /// - **conventional** otherwise.
  public static func classify(_ dataSet: FCSDataSet) -> InstrumentClassification {
    let cyt = dataSet.keywords["$CYT"]?.trimmingCharacters(in: .whitespaces) ?? ""
    let u = cyt.uppercased()
    if ["CYTOF", "HELIOS", "DVSSCIENCES", "FLUIDIGM", "STANDARD BIOTOOLS"].contains(where: { u.contains($0) }) {
      return .init(kind: .mass, reason: "$CYT '\(cyt)'")
    }
    let tagged = dataSet.parameters.map(\.name.rawValue).filter(isIsotopeTag)
    if tagged.count >= 3 {
      return .init(kind: .mass, reason: "\(tagged.count) isotope-tagged channels (\(tagged.prefix(3).joined(separator: ", ")), …)")
    }
    for s in ["AURORA", "NORTHERN LIGHTS", "NL-2000", "NL-3000", "ID7000", "SP6800", "A5 SE", "DISCOVER"] where u.contains(s) {
      return .init(kind: .spectral, reason: "$CYT '\(cyt)'")
    }
    return .init(kind: .conventional, reason: cyt.isEmpty ? "no $CYT; no isotope-tagged channels" : "$CYT '\(cyt)'")
  }

  /// Whether a channel name carries a mass tag (`Nd142Di`, `(Nd142)Dd`, `142Nd`): an element
  /// symbol and a mass number (``MarkerName``'s isotope rule; `CD14` is not one).
  static func isIsotopeTag(_ name: String) -> Bool {
    !MarkerName(name, field: .name).isotopes.isEmpty
  }
}
