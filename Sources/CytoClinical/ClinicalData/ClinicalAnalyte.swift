/// A laboratory analyte CytoReset knows: its canonical unit, its LOINC code where one is
/// verified, and the names a lab export may use for it (docs/clinical-data.md, "Vocabulary").
///
/// LOINC codes are those of docs/domain.md section 9.3 (each with its source there); the CAR
/// transgene has none there, so its ``loinc`` is `nil` rather than an invented code.
public enum ClinicalAnalyte: String, Sendable, CaseIterable, Codable {
  /// Absolute lymphocyte count, automated (LOINC 731-0, https://loinc.org/731-0).
  case alc = "ALC"
  /// White blood cell count, automated (LOINC 6690-2, LOINC mapping note of panel 55429-5).
  case wbc = "WBC"
  /// Serum IgG (LOINC 2465-3, Labcorp/ARUP/Mayo catalogues).
  case igG = "IgG"
  /// Serum IgA (LOINC 2458-8).
  case igA = "IgA"
  /// Serum IgM (LOINC 2472-9).
  case igM = "IgM"
  /// CAR transgene by qPCR/ddPCR, copies per µg genomic DNA (no verified LOINC code).
  case carTransgene = "CAR transgene"
  /// C-reactive protein (LOINC 1988-5, Mayo CRP).
  case crp = "CRP"
  /// Ferritin (LOINC 2276-4, Labcorp; Mayo's immunoassay code 20567-4 is another method).
  case ferritin = "ferritin"
  /// Interleukin 6 (LOINC 26881-3, Northwell/Labcorp).
  case il6 = "IL-6"
  /// Anti-double-stranded DNA IgG (LOINC 33799-8, Mayo).
  case antiDsDNA = "anti-dsDNA"
  /// Complement C3 (LOINC 4485-9, ARUP 0050149).
  case c3 = "C3"
  /// Complement C4 (LOINC 4498-2, ARUP 0050149).
  case c4 = "C4"

  /// The unit every value of this analyte is stored in.
  public var canonicalUnit: LabUnit {
    switch self {
    case .alc, .wbc: .cellsPerMicroliter
    case .igG, .igA, .igM, .c3, .c4: .gramsPerLiter
    case .carTransgene: .copiesPerMicrogramDNA
    case .crp: .milligramsPerLiter
    case .ferritin: .microgramsPerLiter
    case .il6: .picogramsPerMilliliter
    case .antiDsDNA: .internationalUnitsPerMilliliter
    }
  }

  /// The LOINC code of docs/domain.md section 9.3, or `nil` where none is verified there.
  public var loinc: String? {
    switch self {
    case .alc: "731-0"
    case .wbc: "6690-2"
    case .igG: "2465-3"
    case .igA: "2458-8"
    case .igM: "2472-9"
    case .carTransgene: nil
    case .crp: "1988-5"
    case .ferritin: "2276-4"
    case .il6: "26881-3"
    case .antiDsDNA: "33799-8"
    case .c3: "4485-9"
    case .c4: "4498-2"
    }
  }

  /// The names that mean this analyte, compared after ``normalizedName(_:)`` (case, spaces,
  /// `-`, `_` and `.` ignored). The canonical name and the LOINC code are always among them.
  public var synonyms: [String] {
    let extra: [String]
    switch self {
    case .alc: extra = ["absolute lymphocyte count", "lymphocytes", "lymphocyte count", "lymph abs", "lymphs",
                           "absolute lymphocytes", "lymphocytes absolute", "lymphocytes abs", "LYMPH#", "LY#"]
    case .wbc: extra = ["white blood cells", "white blood cell count", "leukocytes", "leukocyte count", "white cell count",
                           "leucocytes", "leucocyte count", "WBC count", "white cells"]
    case .igG: extra = ["immunoglobulin G", "serum IgG", "total IgG"]
    case .igA: extra = ["immunoglobulin A", "serum IgA"]
    case .igM: extra = ["immunoglobulin M", "serum IgM"]
    case .carTransgene: extra = ["CAR", "CAR qPCR", "CAR ddPCR", "CAR copies", "CAR transgene copies", "transgene",
                                    "CD19 CAR transgene", "CD19 CAR", "CD19 CAR copies", "CAR T transgene", "CAR T copies", "CAR T qPCR",
                                    "CAR T ddPCR", "transgene copies", "CAR vector copies"]
    case .crp: extra = ["C-reactive protein"]
    case .ferritin: extra = ["serum ferritin"]
    case .il6: extra = ["interleukin 6"]
    case .antiDsDNA: extra = ["dsDNA", "anti-dsDNA IgG", "anti double stranded DNA", "dsDNA antibodies"]
    case .c3: extra = ["complement C3"]
    case .c4: extra = ["complement C4"]
    }
    return [rawValue] + (loinc.map { [$0] } ?? []) + extra
  }

  /// The analyte a lab export's name means, or `nil` for a name not in the vocabulary.
  ///
  /// Case-insensitive; spaces, `-`, `_` and `.` are ignored, so `IgG`, `igg`, `Ig G`,
  /// `immunoglobulin-G` and `2465-3` all give ``igG``.
  public static func matching(_ name: String) -> ClinicalAnalyte? {
    let key = normalizedName(name)
    guard !key.isEmpty else { return nil }
    return allCases.first { a in a.synonyms.contains { normalizedName($0) == key } }
  }

  /// A name for matching: lower-cased, without spaces, `-`, `_` and `.`.
  public static func normalizedName(_ name: String) -> String {
    String(name.lowercased().unicodeScalars.filter { !" \t-_.".unicodeScalars.contains($0) }.map(Character.init))
  }
}

/// The analyte of a lab row: one of the vocabulary, or a free name kept as given.
public enum AnalyteIdentity: Sendable, Equatable, Hashable {
  /// A vocabulary analyte: value converted to its canonical unit.
  case known(ClinicalAnalyte)
  /// A name outside the vocabulary: kept with its unit as given, no conversion, and a warning.
  case free(String)

  /// The name stored: the canonical name, or the free name as given (trimmed).
  public var name: String {
    switch self {
    case .known(let a): a.rawValue
    case .free(let n): n
    }
  }

  /// The LOINC code, when known.
  public var loinc: String? { if case .known(let a) = self { a.loinc } else { nil } }
}
