import CytoCore

/// Integer `$PnB` that are not whole bytes (10 or 12 bits, as Beckman Coulter analysers write).
///
/// The standard leaves open how such values are stored; instruments store them in 16-bit words
/// with flag bits above the width, and a few writers pack them bit to bit. The DATA length tells
/// them apart: `$TOT` × `$PAR` × 2 bytes (± 1, the usual off-by-one `$ENDDATA`) is 16-bit words,
/// and every value of the data set is then read as one, in `$BYTEORD`, masked as any integer to
/// next-power-of-two(`$PnR`) − 1 within `$PnB` bits (``FCSParameter/integerMask``). Any other
/// length is refused with an error naming the `$PnB` and DATA's offset: nothing is guessed.
enum SubByteWords {
  /// The integer parameters whose `$PnB` is not a whole number of bytes.
  static func parameters(_ parameters: [FCSParameter]) -> [FCSParameter] {
    parameters.filter { $0.dataType == .integer && ($0.bits ?? 8) % 8 != 0 }
  }

  /// `parameters` with every value stored in a 16-bit word, after checking that they can be:
  /// all integers of at most 16 bits (a float or a wider integer among them has no such layout).
  static func widened(_ parameters: [FCSParameter], subByte: [FCSParameter], textStart: Int) throws -> [FCSParameter] {
    let first = subByte[0]
    if let other = parameters.first(where: { $0.dataType != .integer || ($0.bits ?? 0) > 16 }) {
      let what = other.dataType == .integer ? "\(other.bits ?? 0)-bit integers" : other.dataType == .float ? "floats" : "doubles"
      throw FCSError(.unsupportedDataType,
        "\(keyword(first)) \(first.bits ?? 0) is not whole bytes, which is read only when every value is a 16-bit word, but parameter \(other.index.fcsParameterNumber) holds \(what)",
        segment: .text, byteOffset: textStart, keyword: keyword(first))
    }
    return parameters.map { p in
      var p = p
      if p.bits != 16 { p.storageBits = 16 }
      return p
    }
  }

  static func keyword(_ p: FCSParameter) -> String { "$P\(p.index.fcsParameterNumber)B" }

  /// `$P1B 10, $P2B 10`: the sub-byte widths, for messages.
  static func widths(_ subByte: [FCSParameter]) -> String {
    let listed = subByte.prefix(4).map { "\(keyword($0)) \($0.bits ?? 0)" }.joined(separator: ", ")
    return subByte.count > 4 ? listed + " and \(subByte.count - 4) more" : listed
  }
}

extension DataSetParser {
  /// Locates DATA for a data set whose parameters were ``SubByteWords/widened(_:subByte:textStart:)``,
  /// after checking that its length shows 16-bit words; records `fcs.data.subByteWords`.
  /// - Throws: ``FCSError/Kind/unsupportedDataType`` (DATA, the first sub-byte `$PnB`, DATA's
  ///   offset) when the length shows packed bits or nothing known, or when `$TOT` is missing.
  mutating func resolveSubByteWords(_ resolver: DataOffsetResolver, subByte: [FCSParameter],
                                    keywords: FCSKeywords, textStart: Int) throws -> (Range<Int>, Int) {
    let first = subByte[0]
    let keyword = SubByteWords.keyword(first)
    let widths = SubByteWords.widths(subByte)
    let par = resolver.parameters.count
    let (declared, _) = resolver.candidates()
    // Offsets that could hold DATA at all (the resolver explains the others when it fails).
    let plausible = declared.filter { c in
      c.start >= 0 && c.start <= bytes.count && c.end >= c.start - 1 && !resolver.insideTextOrHeader(c.start)
    }
    let dataStart = plausible.first?.start ?? declared.first?.start ?? textStart
    guard let totText = keywords["$TOT"] else {
      throw FCSError(.unsupportedDataType,
        "\(widths): integer widths that are not whole bytes, and $TOT is missing, so the DATA length cannot show whether they are stored in 16-bit words",
        segment: .data, byteOffset: dataStart, keyword: keyword)
    }
    // An unusable $TOT, a $TOT × bytes that overflows, or no usable offsets: the resolver's errors say it best.
    guard let tot = Int(totText.trimmingBlanks), tot > 0, !plausible.isEmpty else {
      return try resolveWords(resolver, widths: widths, keyword: keyword)
    }
    let (events2, o1) = tot.multipliedReportingOverflow(by: 2)
    let (words, o2) = events2.multipliedReportingOverflow(by: par)
    guard !o1, !o2 else { return try resolveWords(resolver, widths: widths, keyword: keyword) }
    let lengths = plausible.map { $0.end - $0.start + 1 }
    if lengths.contains(where: { abs($0 - words) <= 1 }) {
      return try resolveWords(resolver, widths: widths, keyword: keyword)
    }
    let bitsPerEvent = resolver.parameters.reduce(0) { $0 + ($1.bits ?? 0) }
    let (packedBits, o3) = tot.multipliedReportingOverflow(by: bitsPerEvent)
    let packed = o3 ? nil : (packedBits + 7) / 8
    let length = lengths[0]
    if let packed, lengths.contains(where: { abs($0 - packed) <= 1 }) {
      throw FCSError(.unsupportedDataType,
        "\(widths): DATA is \(length) bytes, which is $TOT \(tot) events × \(bitsPerEvent) bits packed without padding (\(packed) bytes), not 16-bit words (\(words) bytes); bit-packed integers are not supported",
        segment: .data, byteOffset: dataStart, keyword: keyword)
    }
    throw FCSError(.unsupportedDataType,
      "\(widths): DATA is \(length) bytes, which is neither $TOT \(tot) × $PAR \(par) 16-bit words (\(words) bytes) nor packed bits (\(packed.map(String.init) ?? "more than the file") bytes); the storage of these values cannot be told",
      segment: .data, byteOffset: dataStart, keyword: keyword)
  }

  /// The resolver's reading of 16-bit words, with the diagnostic that says so.
  private mutating func resolveWords(_ resolver: DataOffsetResolver, widths: String, keyword: String) throws -> (Range<Int>, Int) {
    let r = try resolver.resolution(diagnostics: &diagnostics)
    let order: String
    switch resolver.keywords["$BYTEORD"].map({ FCSByteOrder(keyword: String($0.trimmingBlanks)) }) {
    case .some(.some(.bigEndian)): order = "big-endian "
    case .some(.some(.littleEndian)): order = "little-endian "
    default: order = ""
    }
    note(.note, "fcs.data.subByteWords",
         "\(widths): integer widths that are not whole bytes; DATA is \(r.range.count) bytes = $TOT \(r.eventCount) × $PAR \(resolver.parameters.count) × 2, so every value is read as a \(order)16-bit word and masked to next-power-of-two($PnR) − 1 within its $PnB bits",
         loc(.data, r.range.lowerBound, keyword: keyword))
    return (r.range, r.eventCount)
  }
}
