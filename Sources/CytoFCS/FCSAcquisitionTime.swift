/// A calendar date without time zone.
public struct FCSDate: Sendable, Equatable, Codable, CustomStringConvertible {
  public var year: Int
  public var month: Int
  public var day: Int
  public init(year: Int, month: Int, day: Int) {
    self.year = year
    self.month = month
    self.day = day
  }
  /// ISO 8601 `yyyy-mm-dd`.
  public var description: String { pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) }
}

private func pad(_ v: Int, _ w: Int) -> String {
  let s = String(v)
  return String(repeating: "0", count: max(0, w - s.count)) + s
}

/// When a sample was acquired, read from `$DATE`, `$BTIM`, `$ETIM` (all FCS versions and
/// their vendor variants) or FCS 3.2 `$BEGINDATETIME`/`$ENDDATETIME`.
///
/// Understood date forms: `dd-mmm-yyyy` (FCS 3.x), `dd-mmm-yy` (FCS 2.0; years < 70 are 20yy),
/// `yyyy-mm-dd`, `yyyy-mmm-dd`, `mm/dd/yyyy`, `dd.mm.yyyy`. Times: `hh:mm:ss`, `hh:mm:ss.cc`
/// (FCS 3.1 hundredths), `hh:mm:ss:tt` (FCS 3.0 sixtieths), `hh:mm`.
public struct FCSAcquisitionTime: Sendable, Equatable, Codable {
  /// The acquisition date, when it could be read.
  public var date: FCSDate?
  /// Start of acquisition, seconds after midnight.
  public var start: Double?
  /// End of acquisition, seconds after midnight.
  public var end: Double?
  /// The date text as written, when it could not be read.
  public var unreadableDate: String?

  public init(date: FCSDate? = nil, start: Double? = nil, end: Double? = nil, unreadableDate: String? = nil) {
    self.date = date
    self.start = start
    self.end = end
    self.unreadableDate = unreadableDate
  }

  /// Reads the acquisition keywords.
  public init(keywords kw: FCSKeywords) {
    if let b = kw["$BEGINDATETIME"], let (d, t) = Self.parseISODateTime(String(b.trimmingBlanks)) {
      date = d
      start = t
      if let e = kw["$ENDDATETIME"], let (_, et) = Self.parseISODateTime(String(e.trimmingBlanks)) { end = et }
      return
    }
    if let d = kw["$DATE"] {
      let t = String(d.trimmingBlanks)
      date = Self.parseDate(t)
      if date == nil, !t.isEmpty { unreadableDate = t }
    }
    start = kw["$BTIM"].flatMap { Self.parseTime(String($0.trimmingBlanks)) }
    end = kw["$ETIM"].flatMap { Self.parseTime(String($0.trimmingBlanks)) }
  }

  /// ISO 8601 date-time of the start, without zone (`2013-07-19T10:15:23`), or the date alone.
  public var isoStart: String? {
    guard let date else { return nil }
    guard let start else { return date.description }
    return date.description + "T" + Self.clock(start)
  }

  /// Seconds after midnight as `hh:mm:ss` or `hh:mm:ss.cc`.
  public static func clock(_ s: Double) -> String {
    let whole = Int(s)
    var out = pad(whole / 3600, 2) + ":" + pad(whole / 60 % 60, 2) + ":" + pad(whole % 60, 2)
    let frac = s - Double(whole)
    if frac > 0.0005 { out += "." + pad(Int((frac * 100).rounded()), 2) }
    return out
  }

  private static let months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]

  static func parseDate(_ s: String) -> FCSDate? {
    func month(_ t: Substring) -> Int? {
      if let m = Int(t), (1...12).contains(m) { return m }
      let u = t.uppercased()
      guard u.count >= 3 else { return nil }
      return months.firstIndex(of: String(u.prefix(3))).map { $0 + 1 }
    }
    func year(_ t: Substring) -> Int? {
      guard let y = Int(t) else { return nil }
      if t.count <= 2 { return y < 70 ? 2000 + y : 1900 + y }
      return y
    }
    func valid(_ d: FCSDate) -> FCSDate? {
      (1...12).contains(d.month) && (1...31).contains(d.day) && (1900...2200).contains(d.year) ? d : nil
    }
    for sep: Character in ["-", "/", ".", " "] {
      let p = s.split(separator: sep)
      guard p.count == 3 else { continue }
      if p[0].count == 4, let y = Int(p[0]), let m = month(p[1]), let d = Int(p[2]) {
        return valid(FCSDate(year: y, month: m, day: d))
      }
      if sep == "/", let m = Int(p[0]), let d = Int(p[1]), let y = year(p[2]) {
        return valid(FCSDate(year: y, month: m, day: d))
      }
      if let d = Int(p[0]), let m = month(p[1]), let y = year(p[2]) {
        return valid(FCSDate(year: y, month: m, day: d))
      }
      if let m = month(p[0]), Int(p[0]) == nil, let d = Int(p[1]), let y = year(p[2]) {
        return valid(FCSDate(year: y, month: m, day: d))
      }
    }
    return nil
  }

  static func parseTime(_ s: String) -> Double? {
    let p = s.split(separator: ":", omittingEmptySubsequences: false)
    guard p.count >= 2, p.count <= 4, let h = Int(p[0]), let m = Int(p[1]), (0...23).contains(h), (0...59).contains(m)
    else { return nil }
    var t = Double(h * 3600 + m * 60)
    if p.count >= 3 {
      guard let sec = Double(p[2]), sec >= 0, sec < 61 else { return nil }
      t += sec
    }
    if p.count == 4 {
      guard let ticks = Int(p[3]), ticks >= 0, ticks < 60 else { return nil }
      t += Double(ticks) / 60
    }
    return t
  }

  static func parseISODateTime(_ s: String) -> (FCSDate, Double?)? {
    let parts = s.split(separator: "T", maxSplits: 1)
    guard let first = parts.first, let d = parseDate(String(first)) else { return nil }
    guard parts.count == 2 else { return (d, nil) }
    var time = Substring(parts[1])
    if let z = time.firstIndex(where: { $0 == "Z" || $0 == "+" || ($0 == "-") }) { time = time[..<z] }
    return (d, parseTime(String(time)))
  }
}
