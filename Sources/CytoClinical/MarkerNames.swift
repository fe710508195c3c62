/// A marker name as a lab wrote it — a channel's `$PnS` (label) or `$PnN` (name), or a panel
/// alias — reduced to the words that identify the antigen, so that the many conventions of real
/// files compare equal.
///
/// The normalisation, applied the same way to channel texts and to panel aliases:
///
/// 1. **Tokenise**: lower-case; letters and ASCII digits form tokens, every other character
///    separates them (`CD19-PE`, `CD19_PE`, `CD19 (PE)` are all `cd19 pe`). A `.` between two
///    digits stays inside its token (`Cy5.5`, `CD45.1`, `NK1.1`: CD45.1 is not CD45).
/// 2. **Isotope tags** (mass cytometry) are removed and kept aside in ``isotopes``: an element
///    symbol and a mass number in either order, with the mass in the element's isotope range
///    (``MarkerName/isotopeElements``), alone or split in two tokens, with an optional `Di`/`Dd`
///    suffix (`145Nd_CD4`, `Nd145_CD4`, `CD4_145Nd`, `(Nd142)Dd`, `Nd142Di`, `Ir191Di`).
///    Cadmium is the exception: `Cd114` is marker CD114 unless written `114Cd` or with a
///    `Di`/`Dd` suffix.
/// 3. **Viability dyes** become the one token `viability`: any phrase of
///    ``MarkerName/viabilityPhrases`` (`Live/Dead`, `L/D`, `LD`, `Fixable Viability Dye`,
///    `Zombie`, `7-AAD`, `DAPI`, `FVS510`, `Cisplatin`, `Dead`, …), compared with the separators
///    between its words ignored. `Aqua` alone is a viability dye (LIVE/DEAD Aqua), but beside
///    another marker it is only a colour and is dropped.
/// 4. **Fluorochromes** are dropped, with the wavelength number that follows them
///    (``MarkerName/fluorochromeWords``, `BV421`, `PE-Cy5.5`, `Alexa Fluor 700`, `APC-H7`,
///    `eFluor 780`, `Qdot 605`, …). A fluorochrome never names a marker: `PE-Cy7` is not CD7.
/// 5. In a `$PnN` a trailing `A`/`H`/`W` (area, height, width) is dropped.
/// 6. **CD numbers**: `CD 45` is `cd45`; an isoform suffix written apart joins it
///    (`CD45-RA` is `cd45ra`, never CD45).
/// 7. **Combinations**: consecutive CD numbers, the later ones possibly without `CD`
///    (`CD16+56`, `CD16/56`, `CD56 16`, `CD16+CD56`, `CD235ab_CD61`), become one token naming
///    all of them in a fixed order (`cd16+cd56`); a bracket ends a combination
///    (`CD137 (4-1BB)` is CD137). A combined channel therefore matches an alias
///    naming the same combination, and never a marker naming only one of its parts.
/// 8. A text left with nothing but a conventional mass tag reads as that convention
///    (``MarkerName/isotopeConventions``: `195Pt` cisplatin is viability, `191Ir`/`193Ir`
///    intercalator are DNA1/DNA2); any other bare mass tag (`Nd142Di`) names nothing.
///
/// Matching (``match(_:)``): an alias matches when its tokens occur as a contiguous run of the
/// text's tokens, comparing the run's characters with the word separators ignored (`HLA-DR`,
/// `HLADR`, `HLA DR`, `HLA_DR` are equal; `CD4` still never matches `CD45`, nor `CD19` `CD190`).
/// Lower-quality matches: a CD number differing only by a chain letter `a`/`b` (`CD8a`, `CD66b`
/// for `CD8`, `CD66`; also `CD3d`/`CD3e`/`CD3g` for `CD3`, ``MarkerName/familyChainLetters``;
/// not in families whose letters name different molecules such as `CD1a` or `CD11b`,
/// ``MarkerName/distinctLetterFamilies``; never a two-letter suffix such as `CD45RA`), and a text
/// known only through an isotope convention. An alias written exactly as
/// the whole text (before normalisation) always matches, and an alias made only of
/// fluorochrome or isotope words is compared literally, so a lab can still name a detector or a
/// mass channel on purpose.
public struct MarkerName: Sendable, Equatable, CustomStringConvertible {
  /// Where a text comes from; `$PnN` loses a trailing area/height/width letter.
  public enum Field: Sendable {
    case label, name, alias
  }

  /// How well an alias matches, best last.
  public enum Quality: Int, Sendable, Comparable {
    /// The text names nothing itself; a mass tag convention gives the marker (`Pt195Di`).
    case isotopeConvention = 0
    /// A CD number that differs by a chain letter (`CD8a` for `CD8`).
    case chainVariant = 1
    /// The alias's words occur in the text.
    case exact = 2

    public static func < (a: Quality, b: Quality) -> Bool { a.rawValue < b.rawValue }
  }

  /// An alias found in a text. The better match has the longer alias in tokens, then the better
  /// quality, then the longer alias in characters.
  public struct Match: Sendable, Comparable, Equatable {
    public var tokens: Int
    public var quality: Quality
    public var characters: Int

    public static func < (a: Match, b: Match) -> Bool {
      (a.tokens, a.quality.rawValue, a.characters) < (b.tokens, b.quality.rawValue, b.characters)
    }
  }

  /// A mass-cytometry tag: element symbol and mass number.
  public struct Isotope: Sendable, Hashable, CustomStringConvertible {
    /// Lower-case element symbol (`nd`, `ir`).
    public var element: String
    public var mass: Int

    public init(element: String, mass: Int) {
      self.element = element.lowercased()
      self.mass = mass
    }

    public var description: String { "\(mass)\(element.prefix(1).uppercased())\(element.dropFirst())" }
  }

  /// The text as given.
  public let text: String
  /// The tokens before normalisation (step 1).
  public let literal: [String]
  /// The normalised tokens that name the marker(s); empty when the text names none.
  public let tokens: [String]
  /// Mass tags removed from the text.
  public let isotopes: [Isotope]
  /// Whether ``tokens`` come only from an isotope convention (step 8).
  public let fromIsotopeConvention: Bool

  /// Whether the text names anything (a marker, a viability dye, a convention), as opposed to
  /// being empty, a fluorochrome or detector only, or a bare mass tag.
  public var isInformative: Bool { !tokens.isEmpty }

  public var description: String { tokens.joined(separator: " ") }

  public init(_ text: String, field: Field = .label) {
    self.text = text
    let raw = Self.tokenize(text)
    literal = raw.map(\.text)
    var (steps, isotopes) = Self.removeIsotopes(raw)
    steps = Self.canonicalizeViability(steps)
    steps = Self.dropFluorochromes(steps)
    if field == .name, let last = steps.last, ["a", "h", "w"].contains(last.text) { steps.removeLast() }
    steps = Self.joinCDParts(steps)
    var tokens = Self.combineCDs(steps)
    if tokens.contains(where: { !Self.weakViability.contains($0) }) {
      tokens.removeAll { Self.weakViability.contains($0) }
    } else if !tokens.isEmpty {
      tokens = [Self.viability]
    }
    var convention = false
    if tokens.isEmpty {
      let known = Set(isotopes.compactMap { Self.isotopeConventions[$0] })
      if known.count == 1 {
        tokens = [known.first!]
        convention = true
      }
    }
    self.tokens = tokens
    self.isotopes = isotopes
    fromIsotopeConvention = convention
  }

  // MARK: Matching

  /// How `alias` (a panel alias, normalised the same way) occurs in this text, if it does.
  public func match(_ alias: MarkerName) -> Match? {
    // Written exactly as the whole text: always a match.
    let aliasKey = Self.key(alias.literal)
    if !alias.literal.isEmpty, aliasKey == Self.key(literal) {
      return Match(tokens: max(alias.tokens.count, 1), quality: .exact, characters: aliasKey.count)
    }
    guard !alias.tokens.isEmpty else {
      // Only fluorochrome/isotope/detector words: compared literally.
      guard !alias.literal.isEmpty, Self.containsRun(literal, key: aliasKey) else { return nil }
      return Match(tokens: alias.literal.count, quality: .exact, characters: aliasKey.count)
    }
    let key = Self.key(alias.tokens)
    if Self.containsRun(tokens, key: key) {
      return Match(tokens: alias.tokens.count, quality: fromIsotopeConvention ? .isotopeConvention : .exact, characters: key.count)
    }
    if !fromIsotopeConvention, Self.containsChainVariant(tokens, alias.tokens) {
      return Match(tokens: alias.tokens.count, quality: .chainVariant, characters: key.count)
    }
    return nil
  }

  /// Whether `alias`, before normalisation, is exactly this text (separators ignored): how
  /// scatter markers are matched on `$PnN`.
  public func equalsLiterally(_ alias: MarkerName) -> Bool {
    !alias.literal.isEmpty && Self.key(alias.literal) == Self.key(literal)
  }

  /// The characters of `tokens` with separators (and digit dots) ignored.
  static func key<S: Sequence>(_ tokens: S) -> String where S.Element == String {
    String(tokens.joined(separator: "").filter { $0 != "." })
  }

  /// Whether a contiguous run of `hay` has exactly the characters `key`.
  static func containsRun(_ hay: [String], key: String) -> Bool {
    guard !key.isEmpty else { return false }
    for i in hay.indices {
      var run = ""
      for j in i..<hay.count {
        run += Self.key([hay[j]])
        if run.count > key.count { break }
        if run == key { return true }
      }
    }
    return false
  }

  /// Whether a run of `hay` equals `needle` token by token, allowing CD chain-letter variants.
  static func containsChainVariant(_ hay: [String], _ needle: [String]) -> Bool {
    guard !needle.isEmpty, needle.count <= hay.count else { return false }
    for i in 0...(hay.count - needle.count) {
      if zip(hay[i..<(i + needle.count)], needle).allSatisfy({ $0 == $1 || isChainVariant($0, $1) }) { return true }
    }
    return false
  }

  /// `cd8a` and `cd8`: the same CD number, one with a chain letter `a`/`b`, the other bare.
  static func isChainVariant(_ a: String, _ b: String) -> Bool {
    guard let x = cdParts(a), let y = cdParts(b), x.number == y.number, !distinctLetterFamilies.contains(x.number) else {
      return false
    }
    let letters = chainLetters.union(familyChainLetters[x.number] ?? [])
    return (x.suffix.isEmpty && letters.contains(y.suffix)) || (y.suffix.isEmpty && letters.contains(x.suffix))
  }

  // MARK: Rule data

  /// The token every viability dye becomes.
  public static let viability = "viability"

  /// Viability dye phrases, as their characters without separators (`livedead` is `Live/Dead`,
  /// `LIVE DEAD`, `LiveDead`; `ld` is `L/D`, `LD`). Longer phrases are tried first.
  public static let viabilityPhrases: Set<String> = [
    "viability", "viab", "viabilitydye", "viabilitystain", "fixableviability", "fixableviabilitydye",
    "fixableviabilitystain", "fixablelivedead", "livedead", "livedeadfixable", "ld", "live", "dead", "deadcell",
    "deadcells", "zombie", "7aad", "dapi", "fvs", "fvd", "ghostdye", "ghost",
    "cisplatin", "propidiumiodide", "sytox", "topro3", "amine",
  ]

  /// Single tokens that are viability dyes by their form: `FVS510`, `FVD450`, `ZombieNIR`.
  static func isViabilityToken(_ t: String) -> Bool {
    for stem in ["fvs", "fvd"] where t.hasPrefix(stem) && t.count > stem.count && t.dropFirst(stem.count).allSatisfy(\.isASCIIDigit) {
      return true
    }
    return t.hasPrefix("zombie") || t.hasPrefix("livedead")
  }

  /// Dye colours that are a viability dye only when nothing else is named (`Aqua`: LIVE/DEAD
  /// Aqua; `CD3 Aqua` is CD3).
  public static let weakViability: Set<String> = ["aqua"]

  /// Mass tags whose channel, when nothing else names it, is read by convention.
  public static let isotopeConventions: [Isotope: String] = [
    Isotope(element: "pt", mass: 195): viability,  // cisplatin
    Isotope(element: "ir", mass: 191): "dna1",  // iridium intercalator
    Isotope(element: "ir", mass: 193): "dna2",
  ]

  /// Fluorochrome words (lower case, whole tokens), besides the patterns of
  /// ``isFluorochrome(_:)``: a prefix with a wavelength (`bv421`, `af700`, `buv395`, `v450`) and
  /// tandems of a base dye with another fluorochrome (`pecy7`, `apch7`, `percpcy5.5`).
  public static let fluorochromeWords: Set<String> = [
    "fitc", "pe", "apc", "percp", "ecd", "pb", "po", "kro", "krome", "amcyan", "amcy", "pacblue", "pacorange",
    "pacific", "cascade", "texas", "texasred", "txred", "tr", "cy2", "cy3", "cy3.5", "cy5", "cy5.5", "cy55", "cy7",
    "h7", "r700", "cf594", "dazzle", "fire", "alexa", "alexafluor", "fluor", "af", "efluor", "ef", "qdot", "qd",
    "bv", "buv", "bb", "bux", "brilliant", "violet", "blue", "green", "red", "yellow", "orange", "nir", "ir",
    "near", "far", "uv", "ultraviolet", "super", "bright", "sb", "spark", "novafluor", "nova", "nf", "vio",
    "viogreen", "vioblue", "viobright", "dylight", "atto", "cfluor", "realblue", "realyellow", "rb", "horizon",
    "fluorescein", "phycoerythrin", "allophycocyanin", "tandem", "aaf",
  ]

  static let wavelengthPrefixes: Set<String> = [
    "bv", "buv", "bb", "bux", "sb", "rb", "ry", "nf", "v", "af", "a", "alexa", "alexafluor", "ef", "efluor", "cf",
    "dy", "dylight", "qd", "qdot", "spark", "fire", "vio", "atto", "pe", "apc", "percp", "cfluor", "r", "dazzle",
  ]

  static let tandemBases = ["percp", "pe", "apc", "ecd", "pb"]

  /// Whether a token is a fluorochrome (word, prefix with wavelength, or tandem).
  public static func isFluorochrome(_ t: String) -> Bool {
    if fluorochromeWords.contains(t) { return true }
    let letters = t.prefix { $0.isLetter }
    let rest = t.dropFirst(letters.count)
    if !letters.isEmpty, wavelengthPrefixes.contains(String(letters)), (3...4).contains(rest.count), rest.allSatisfy(\.isASCIIDigit) {
      return true
    }
    for base in tandemBases where t.hasPrefix(base) && t.count > base.count {
      if isFluorochrome(String(t.dropFirst(base.count))) { return true }
    }
    return false
  }

  /// CD numbers whose letters name different molecules (CD1a–e, CD11a–d, CD42a–d, CD49a–f,
  /// CD85, CD158): no chain-letter relaxation.
  public static let distinctLetterFamilies: Set<Int> = [1, 11, 42, 49, 85, 158, 300]
  public static let chainLetters: Set<String> = ["a", "b", "α", "β"]
  /// Chain letters of particular CD numbers besides `a`/`b`: the CD3 δ, ε, γ chains (`CD3e`).
  public static let familyChainLetters: [Int: Set<String>] = [3: ["d", "e", "g", "δ", "ε", "γ"]]
  /// Isoform suffixes written apart from their CD number (`CD45 RA`).
  static let isoformSuffixes: Set<String> = ["ra", "rb", "rc", "ro", "rabc", "rbc"]

  /// Mass-cytometry elements (lower case) and the mass numbers of their isotopes.
  public static let isotopeElements: [String: ClosedRange<Int>] = [
    "sc": 45...45, "ti": 46...50, "v": 50...51, "cr": 50...54, "fe": 54...58, "co": 59...59, "ni": 58...64,
    "cu": 63...65, "zn": 64...70, "ga": 69...71, "ge": 70...76, "as": 75...75, "se": 74...82, "br": 79...81,
    "kr": 78...86, "rb": 85...87, "sr": 84...88, "y": 89...89, "zr": 90...96, "nb": 93...93, "mo": 92...100,
    "ru": 96...104, "rh": 103...103, "pd": 102...110, "ag": 107...109, "cd": 106...116, "in": 113...115,
    "sn": 112...124, "sb": 121...123, "te": 120...130, "i": 127...127, "xe": 124...136, "cs": 133...133,
    "ba": 130...138, "la": 138...139, "ce": 136...142, "pr": 141...141, "nd": 142...150, "sm": 144...154,
    "eu": 151...153, "gd": 152...160, "tb": 159...159, "dy": 156...164, "ho": 165...165, "er": 162...170,
    "tm": 169...169, "yb": 168...176, "lu": 175...176, "hf": 174...180, "ta": 180...181, "w": 180...186,
    "re": 185...187, "os": 184...192, "ir": 191...193, "pt": 190...198, "au": 197...197, "hg": 196...204,
    "tl": 203...205, "pb": 204...208, "bi": 209...209,
  ]
  static let isotopeSuffixes: Set<String> = ["di", "dd"]

  // MARK: Steps

  /// A token and whether a bracket separates it from the previous one.
  struct Token {
    var text: String
    var afterBracket = false
  }

  static func tokenize(_ s: String) -> [Token] {
    let chars = Array(s.lowercased())
    var tokens: [Token] = []
    var current = "", bracket = false
    for (i, c) in chars.enumerated() {
      let digitDot = c == "." && i > 0 && chars[i - 1].isASCIIDigit && i + 1 < chars.count && chars[i + 1].isASCIIDigit
      if c.isLetter || c.isASCIIDigit || digitDot {
        current.append(c)
        continue
      }
      if !current.isEmpty {
        tokens.append(Token(text: current, afterBracket: bracket))
        current = ""
        bracket = false
      }
      if "()[]{}<>".contains(c) { bracket = true }
    }
    if !current.isEmpty { tokens.append(Token(text: current, afterBracket: bracket)) }
    return tokens
  }

  /// `(element, mass, hasSuffix)` of a one-token mass tag: `nd142`, `nd142di`, `145nd`, `89y`.
  static func isotopeToken(_ t: String) -> (Isotope, suffix: Bool)? {
    guard let first = t.first else { return nil }
    var letters = "", digits = "", tail = ""
    if first.isLetter {
      letters = String(t.prefix { $0.isLetter })
      digits = String(t.dropFirst(letters.count).prefix(while: \.isASCIIDigit))
      tail = String(t.dropFirst(letters.count + digits.count))
    } else {
      digits = String(t.prefix(while: \.isASCIIDigit))
      let after = t.dropFirst(digits.count)
      // The element is the longest symbol the letters start with, followed by nothing or a suffix.
      for n in [2, 1] where after.count >= n {
        let symbol = String(after.prefix(n)), rest = String(after.dropFirst(n))
        if isotopeElements[symbol] != nil, rest.isEmpty || isotopeSuffixes.contains(rest) {
          letters = symbol
          tail = rest
          break
        }
      }
    }
    guard !letters.isEmpty, let mass = Int(digits), digits.count >= 2, let range = isotopeElements[letters], range.contains(mass),
          tail.isEmpty || isotopeSuffixes.contains(tail) else { return nil }
    return (Isotope(element: letters, mass: mass), !tail.isEmpty)
  }

  /// Removes mass tags (one token, or element and mass in two tokens), with a following
  /// `Di`/`Dd` token.
  static func removeIsotopes(_ raw: [Token]) -> ([Token], [Isotope]) {
    var out: [Token] = [], found: [Isotope] = []
    var i = 0
    func suffixFollows(_ j: Int) -> Bool { j < raw.count && isotopeSuffixes.contains(raw[j].text) }
    while i < raw.count {
      let t = raw[i].text
      var isotope: Isotope? = nil
      var used = 1
      if let (iso, suffix) = isotopeToken(t) {
        // `cd110` is marker CD110 unless the mass comes first or a Di/Dd suffix marks a channel.
        if iso.element != "cd" || suffix || t.first!.isASCIIDigit || suffixFollows(i + 1) { isotope = iso }
      } else if i + 1 < raw.count {
        let u = raw[i + 1].text
        let pair: (String, String)? = t.allSatisfy(\.isASCIIDigit) ? (u, t) : (u.allSatisfy(\.isASCIIDigit) ? (t, u) : nil)
        if let (symbol, digits) = pair, let mass = Int(digits), let range = isotopeElements[symbol], range.contains(mass),
           symbol != "cd" || suffixFollows(i + 2) {
          isotope = Isotope(element: symbol, mass: mass)
          used = 2
        }
      }
      if let isotope {
        found.append(isotope)
        i += used
        if suffixFollows(i) { i += 1 }
      } else {
        out.append(raw[i])
        i += 1
      }
    }
    return (out, found)
  }

  /// Replaces viability-dye phrases by ``viability`` (longest phrase first).
  static func canonicalizeViability(_ tokens: [Token]) -> [Token] {
    var out: [Token] = []
    var i = 0
    outer: while i < tokens.count {
      for n in stride(from: min(4, tokens.count - i), through: 1, by: -1) {
        let k = key(tokens[i..<(i + n)].map(\.text))
        if viabilityPhrases.contains(k) || (n == 1 && isViabilityToken(k)) {
          out.append(Token(text: viability, afterBracket: tokens[i].afterBracket))
          i += n
          continue outer
        }
      }
      out.append(tokens[i])
      i += 1
    }
    return out
  }

  /// Drops fluorochrome tokens and the numbers that follow a fluorochrome or a viability dye
  /// (`Alexa Fluor 700`, `Qdot 605`, `FVS 510`).
  static func dropFluorochromes(_ tokens: [Token]) -> [Token] {
    var out: [Token] = []
    var afterDye = false
    for t in tokens {
      if isFluorochrome(t.text) {
        afterDye = true
      } else if afterDye, t.text.allSatisfy({ $0.isASCIIDigit || $0 == "." }) {
        continue
      } else {
        out.append(t)
        afterDye = t.text == viability
      }
    }
    return out
  }

  /// `(number, suffix)` of a CD token: `cd8a` is (8, "a"), `cd45ra` (45, "ra"), `cd3ε` (3, "ε").
  static func cdParts(_ t: String) -> (number: Int, suffix: String)? {
    guard t.hasPrefix("cd") else { return nil }
    let digits = t.dropFirst(2).prefix(while: \.isASCIIDigit)
    let suffix = t.dropFirst(2 + digits.count)
    guard let n = Int(digits), !digits.isEmpty, suffix.count <= 3, suffix.allSatisfy(\.isLetter) else { return nil }
    return (n, String(suffix))
  }

  /// `cd` + `45` is `cd45`; `cd45` + `ra` is `cd45ra`.
  static func joinCDParts(_ tokens: [Token]) -> [Token] {
    var out: [Token] = []
    for t in tokens {
      if let last = out.last?.text, last == "cd", t.text.first?.isASCIIDigit == true, cdParts("cd" + t.text) != nil {
        out[out.count - 1].text = "cd" + t.text
      } else if let last = out.last?.text, let p = cdParts(last), p.suffix.isEmpty, isoformSuffixes.contains(t.text) {
        out[out.count - 1].text = last + t.text
      } else {
        out.append(t)
      }
    }
    return out
  }

  /// A CD number continuing a combination without `CD` (`56` in `CD16/56`): up to 400, perhaps
  /// with a suffix.
  static func bareCD(_ t: String) -> String? {
    guard t.first?.isASCIIDigit == true, let p = cdParts("cd" + t), p.number <= 400 else { return nil }
    return "cd" + t
  }

  /// Consecutive CD numbers not separated by a bracket become one combination token, members
  /// sorted (`CD16/56` is `cd16+cd56`; `CD137 (4-1BB)` stays CD137).
  static func combineCDs(_ tokens: [Token]) -> [String] {
    var out: [String] = []
    var i = 0
    while i < tokens.count {
      guard cdParts(tokens[i].text) != nil else {
        out.append(tokens[i].text)
        i += 1
        continue
      }
      var members = [tokens[i].text]
      var j = i + 1
      while j < tokens.count, !tokens[j].afterBracket,
            let m = cdParts(tokens[j].text) != nil ? tokens[j].text : bareCD(tokens[j].text) {
        members.append(m)
        j += 1
      }
      let unique = Array(Set(members)).sorted { (cdParts($0)!.number, $0) < (cdParts($1)!.number, $1) }
      out.append(unique.joined(separator: "+"))
      i = j
    }
    return out
  }
}

extension Character {
  var isASCIIDigit: Bool { isASCII && isNumber }
}
