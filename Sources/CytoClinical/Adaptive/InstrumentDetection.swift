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

  /// `Nd142Di`, `(Nd142)Dd`, `Nd142`, `142Nd`, `142Nd_CD19`-style channel names.
  static func isIsotopeTag(_ name: String) -> Bool {
    var s = Substring(name)
    if s.hasPrefix("(") { s = s.dropFirst() }
    let letters = s.prefix { $0.isLetter }, afterLetters = s.dropFirst(letters.count)
    let digits = afterLetters.prefix { $0.isNumber }
    if (1...2).contains(letters.count), letters.first!.isUppercase, (2...3).contains(digits.count) {
      let rest = afterLetters.dropFirst(digits.count)
      return rest.isEmpty || rest.hasPrefix(")") || rest.hasPrefix("Di") || rest.hasPrefix("Dd") || rest.hasPrefix("_")
    }
    let lead = s.prefix { $0.isNumber }, tail = s.dropFirst(lead.count)
    let el = tail.prefix { $0.isLetter }
    return (2...3).contains(lead.count) && (1...2).contains(el.count) && el.first!.isUppercase
      && (tail.count == el.count || tail.dropFirst(el.count).hasPrefix("_") || tail.dropFirst(el.count).hasPrefix("Di"))
  }
}
