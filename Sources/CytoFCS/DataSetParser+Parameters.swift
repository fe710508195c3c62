import CytoCore

extension DataSetParser {
  mutating func parseParameters(_ par: Int, keywords: FCSKeywords, dataType: FCSDataType, textStart: Int) throws -> [FCSParameter] {
    var out: [FCSParameter] = []
    out.reserveCapacity(par)
    var seen: [String: Int] = [:]
    var zeroOffsetNoted = false
    for n in stride(from: 1, through: par, by: 1) {
      let p = "$P\(n)"
      let nameText = keywords[p + "N"]
      let name: ChannelName
      if let nameText, !nameText.trimmingBlanks.isEmpty {
        name = ChannelName(nameText)
      } else {
        name = ChannelName("P\(n)")
        note(.warning, "fcs.parameter.missingName", "\(p)N is missing; parameter \(n) is called P\(n)",
             loc(.text, textStart, keyword: p + "N"))
      }
      if let first = seen[name.rawValue] {
        note(.warning, "fcs.parameter.duplicateName",
             "parameters \(first) and \(n) are both named '\(name)'; refer to them by number", loc(.text, textStart, keyword: p + "N"))
      } else {
        seen[name.rawValue] = n
      }
      // Data type (FCS 3.2 allows a per-parameter override).
      var pType = dataType
      if let t = keywords[p + "DATATYPE"] {
        guard let parsed = FCSDataType(rawValue: String(t.trimmingBlanks).uppercased()), parsed != .ascii else {
          throw FCSError(.unsupportedDataType, "\(p)DATATYPE '\(t)' is not one of I, F, D", segment: .text,
                         byteOffset: textStart, keyword: p + "DATATYPE")
        }
        // ASCII DATA is read as text, value by value; a binary parameter among ASCII ones has no
        // defined text width (and read as $PnB characters it ran past the end of DATA).
        guard dataType != .ascii else {
          throw FCSError(.unsupportedDataType, "\(p)DATATYPE \(parsed.rawValue) cannot be mixed with $DATATYPE A (ASCII) data",
                         segment: .text, byteOffset: textStart, keyword: p + "DATATYPE")
        }
        pType = parsed
      }
      guard let bText = keywords[p + "B"] else {
        throw FCSError(.missingKeyword, "\(p)B (bits of parameter \(n)) is missing", segment: .text,
                       byteOffset: textStart, keyword: p + "B")
      }
      var bits: Int?
      let bTrim = String(bText.trimmingBlanks)
      if bTrim == "*" {
        guard pType == .ascii else {
          throw FCSError(.unsupportedDataType, "\(p)B is * (delimited ASCII) but $DATATYPE is \(pType.rawValue)",
                         segment: .text, byteOffset: textStart, keyword: p + "B")
        }
        bits = nil
      } else if let b = Int(bTrim), b > 0, b <= 64 || pType == .ascii {
        switch pType {
        case .integer:
          // Widths that are not whole bytes are read as 16-bit words when DATA's length shows them
          // (`SubByteWords`); a wider one has no such storage.
          guard b % 8 == 0 || b < 16 else {
            throw FCSError(.unsupportedDataType,
              "\(p)B \(b): integer widths that are not whole bytes are read only from 16-bit words, so at most 16 bits",
              segment: .text, byteOffset: textStart, keyword: p + "B")
          }
        case .float where b != 32, .double where b != 64:
          let want = pType == .float ? 32 : 64
          throw FCSError(.unsupportedDataType, "\(p)B is \(b) but $DATATYPE \(pType.rawValue) values are \(want) bits",
                         segment: .text, byteOffset: textStart, keyword: p + "B")
        default: break
        }
        if pType == .ascii, b > 64 {
          throw FCSError(.unsupportedDataType, "\(p)B \(b): ASCII fields wider than 64 characters are not supported",
                         segment: .text, byteOffset: textStart, keyword: p + "B")
        }
        bits = b
      } else {
        throw FCSError(.invalidKeyword, "\(p)B '\(bText)' is not a bit width", segment: .text,
                       byteOffset: textStart, keyword: p + "B")
      }
      var range = 0.0
      if let r = keywords[p + "R"] {
        if let v = Double(r.trimmingBlanks), v.isFinite, v >= 0 { range = v } else {
          note(.warning, "fcs.parameter.badRange", "\(p)R '\(r)' is not a number; integer values are not masked",
               loc(.text, textStart, keyword: p + "R"))
        }
      } else {
        note(.warning, "fcs.parameter.missingRange", "\(p)R is missing; integer values are not masked",
             loc(.text, textStart, keyword: p + "R"))
      }
      var amp = FCSAmplification.linear
      if let e = keywords[p + "E"] {
        let parts = e.split(separator: ",").map { Double($0.trimmingBlanksSub) }
        if parts.count == 2, let f1 = parts[0], let f2 = parts[1], f1 >= 0, f1.isFinite, f2.isFinite, f2 >= 0 {
          if f1 > 0 && pType != .integer {
            note(.warning, "fcs.parameter.logOnFloat",
                 "\(p)E \(e) asks for log decoding of \(pType == .float ? "float" : "double") values; the standard allows it only for integers, so it is ignored",
                 loc(.text, textStart, keyword: p + "E"))
          } else if f1 > 0 {
            if f2 == 0 && !zeroOffsetNoted {
              zeroOffsetNoted = true
              note(.note, "fcs.parameter.logZeroOffset", "\(p)E \(e): f2 = 0 with f1 > 0 is read as f2 = 1 (FCS 2.0 convention)",
                   loc(.text, textStart, keyword: p + "E"))
            }
            amp = FCSAmplification(decades: f1, offset: f2 == 0 ? 1 : f2)
          }
        } else {
          note(.warning, "fcs.parameter.badAmplification", "\(p)E '\(e)' is not f1,f2; parameter read as linear",
               loc(.text, textStart, keyword: p + "E"))
        }
      }
      var gain = 1.0
      if let g = keywords[p + "G"] {
        if let v = Double(g.trimmingBlanks), v.isFinite, v > 0 { gain = v } else {
          note(.warning, "fcs.parameter.badGain", "\(p)G '\(g)' is not a positive number; gain 1 is used",
               loc(.text, textStart, keyword: p + "G"))
        }
      }
      let type = keywords[p + "TYPE"]
      let lname = name.rawValue.lowercased()
      let isTime = type.map { $0.trimmingBlanks.lowercased() == "time" }
        ?? (lname == "time" || lname.hasPrefix("time ") || lname == "hdr-t")
      out.append(FCSParameter(
        index: ChannelIndex(n - 1), name: name, nameIsFromFile: nameText != nil, label: keywords[p + "S"], bits: bits,
        dataType: pType, range: range, amplification: amp, gain: gain, display: keywords[p + "D"], type: type,
        calibration: keywords[p + "CALIBRATION"], isTime: isTime))
    }
    return out
  }

  mutating func resolveAnalysis(header: FCSHeader, keywords: FCSKeywords) -> Range<Int> {
    var s = header.analysisStart, e = header.analysisEnd
    if s == nil, let ts = keywords.integer("$BEGINANALYSIS"), let te = keywords.integer("$ENDANALYSIS"), ts > 0 { s = ts; e = te }
    guard let s, let e, s >= 0, e >= s else { return 0..<0 }
    guard e < bytes.count - base else {
      note(.warning, "fcs.analysis.outOfFile", "ANALYSIS \(s)–\(e) lies outside the file; ignored",
           loc(.analysis, s < bytes.count - base ? base + s : nil))
      return 0..<0
    }
    return (base + s)..<(base + e + 1)
  }
}
