import CytoCore

/// How a parameter's stored values are stored in DATA.
public enum FCSDataType: String, Sendable, Codable, CaseIterable {
  /// Unsigned binary integers (`$DATATYPE I`), `$PnB` bits wide, masked to the range.
  case integer = "I"
  /// IEEE 754 single precision (`F`).
  case float = "F"
  /// IEEE 754 double precision (`D`).
  case double = "D"
  /// ASCII decimal text (`A`), fixed width (`$PnB` digits) or delimited (`$PnB *`).
  case ascii = "A"
}

/// The byte order of binary values in DATA (`$BYTEORD`).
public enum FCSByteOrder: Sendable, Equatable, Codable, CustomStringConvertible {
  /// Least significant byte first (`1,2,3,4` or `1,2`).
  case littleEndian
  /// Most significant byte first (`4,3,2,1` or `2,1`).
  case bigEndian
  /// An FCS 2.0 mixed order for 32-bit values, such as `3,4,1,2`: element `i` is the
  /// 1-based significance rank of the `i`-th stored byte (1 = least significant).
  case permuted([Int])

  /// Parses a `$BYTEORD` value.
  public init?(keyword value: String) {
    let parts = value.split(separator: ",").map { Int($0.trimmingBlanksSub) }
    guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else { return nil }
    let order = parts.map { $0! }
    guard Set(order) == Set(1...order.count) else { return nil }
    if order == Array(1...order.count) { self = .littleEndian }
    else if order == Array((1...order.count).reversed()) { self = order.count == 1 ? .littleEndian : .bigEndian }
    else { self = .permuted(order) }
  }

  /// The `$BYTEORD` text for a value `width` bytes wide.
  public func keyword(width: Int = 4) -> String {
    switch self {
    case .littleEndian: (1...width).map(String.init).joined(separator: ",")
    case .bigEndian: (1...width).reversed().map(String.init).joined(separator: ",")
    case .permuted(let p): p.map(String.init).joined(separator: ",")
    }
  }

  public var description: String {
    switch self {
    case .littleEndian: "little-endian"
    case .bigEndian: "big-endian"
    case .permuted(let p): "byte order " + p.map(String.init).joined(separator: ",")
    }
  }
}

/// Log amplification of an integer parameter (`$PnE f1,f2`): value = 10^(f1 · raw / $PnR) · f2.
public struct FCSAmplification: Sendable, Equatable, Codable {
  /// Number of decades (f1); 0 for linear.
  public var decades: Double
  /// Linear value at raw 0 (f2), already corrected: a stored 0 with f1 > 0 is read as 1.
  public var offset: Double
  /// Whether the channel is log-amplified.
  public var isLogarithmic: Bool { decades > 0 }
  /// Linear amplification (`0,0`).
  public static let linear = FCSAmplification(decades: 0, offset: 0)

  public init(decades: Double, offset: Double) {
    self.decades = decades
    self.offset = offset
  }
}

/// One parameter (channel) of an FCS data set, with the keywords that describe it.
public struct FCSParameter: Sendable, Equatable, Codable {
  /// 0-based position within an event.
  public var index: ChannelIndex
  /// The short name (`$PnN`). When the file lacks it, `P<n>` with a diagnostic.
  public var name: ChannelName
  /// Whether `$PnN` was present in the file.
  public var nameIsFromFile: Bool
  /// The stain or marker (`$PnS`), for example `CD19 BV421`; `nil` when absent.
  public var label: String?
  /// Storage width in bits (`$PnB`); `nil` for delimited ASCII (`*`).
  public var bits: Int?
  /// How the values are stored (`$DATATYPE`, or `$PnDATATYPE` in FCS 3.2).
  public var dataType: FCSDataType
  /// The range (`$PnR`): raw values lie in `0 ..< range` for integer data.
  public var range: Double
  /// Log amplification (`$PnE`).
  public var amplification: FCSAmplification
  /// Amplifier gain (`$PnG`), 1 when absent. Linear scaled values are raw ÷ gain.
  public var gain: Double
  /// Suggested display scale (`$PnD`), as written, for example `Logarithmic,4,0.1`.
  public var display: String?
  /// Parameter type (`$PnTYPE`, FCS 3.2), for example `Forward_Scatter` or `Time`.
  public var type: String?
  /// Calibration (`$PnCALIBRATION`), as written, for example `1.234,MESF`.
  public var calibration: String?
  /// Whether this is the acquisition time channel (`$PnTYPE Time`, or `$PnN` `Time`).
  public var isTime: Bool
  /// Bits each value occupies in DATA when that is not `bits`: 16 for the integers of a data set
  /// whose `$PnB` are not whole bytes (10 or 12 bits, as Beckman Coulter analysers write) and
  /// whose DATA length shows 16-bit words (diagnostic `fcs.data.subByteWords`); `nil` otherwise.
  public var storageBits: Int? = nil

  /// Bit mask applied to integer raw values: next power of two ≥ `$PnR`, minus 1,
  /// limited to the storage width. `nil` for non-integer data.
  ///
  /// Instruments store flag bits above the range (for example Coulter EPICS bits 10–15),
  /// so masking is required to get the measured value (FCS 3.1 §3.3.40, `$PnR`).
  public var integerMask: UInt64? {
    guard dataType == .integer, let bits, bits > 0 else { return nil }
    let widthMask: UInt64 = bits >= 64 ? ~0 : (1 << UInt64(bits)) - 1
    guard range.isFinite, range >= 1 else { return widthMask }
    let r = range.rounded(.up)
    if r > 9.2e18 { return widthMask }
    var p: UInt64 = 1
    while p < UInt64(r), p < (1 << 63) { p <<= 1 }
    return min(widthMask, p &- 1 == 0 ? widthMask : p &- 1)
  }

  /// Bytes per stored value (for ASCII, `$PnB` characters); `nil` for delimited ASCII.
  public var byteWidth: Int? {
    if let storageBits { return storageBits / 8 }
    return bits.map { dataType == .ascii ? $0 : ($0 + 7) / 8 }
  }
}
