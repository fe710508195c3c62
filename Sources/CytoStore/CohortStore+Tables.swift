import CytoClinical
import CytoCore
import Foundation

/// The rows of a visit's population table.
enum PopulationTable {
  static func columns(_ a: VisitAnalysis) -> [HDF5Column] {
    let ps = a.populations
    func value(_ q: Quantity?) -> Double { q?.value ?? .nan }
    func bound(_ q: Quantity?) -> Double { q?.lessThan ?? .nan }
    return [
      HDF5Column("id", .string(ps.map(\.id))), HDF5Column("path", .string(ps.map(\.path))),
      HDF5Column("label", .string(ps.map(\.label))), HDF5Column("parent", .string(ps.map { $0.parent ?? "" })),
      HDF5Column("count", .int64(ps.map { Int64($0.count) })), HDF5Column("parent_count", .int64(ps.map { Int64($0.parentCount) })),
      HDF5Column("below_lloq", .bool(ps.map { p in [p.percentOfParent, p.percentOf, p.absolute?.perMicroliter].compactMap { $0 }.contains { $0.isBelowLLOQ } })),
      HDF5Column("pct_parent", .double(ps.map { value($0.percentOfParent) })),
      HDF5Column("pct_parent_less_than", .double(ps.map { bound($0.percentOfParent) })),
      HDF5Column("fraction_of", .string(ps.map { $0.fractionOf ?? "" })),
      HDF5Column("pct_of", .double(ps.map { value($0.percentOf) })),
      HDF5Column("pct_of_less_than", .double(ps.map { bound($0.percentOf) })),
      HDF5Column("pct_of_lower95", .double(ps.map { $0.percentOf?.lower95 ?? .nan })),
      HDF5Column("pct_of_upper95", .double(ps.map { $0.percentOf?.upper95 ?? .nan })),
      HDF5Column("pct_of_unit", .string(ps.map { $0.percentOf?.unit.rawValue ?? "" })),
      HDF5Column("pct_lymphocytes", .double(ps.map { value($0.percentOfLymphocytes) })),
      HDF5Column("pct_lymphocytes_less_than", .double(ps.map { bound($0.percentOfLymphocytes) })),
      HDF5Column("pct_leukocytes", .double(ps.map { value($0.percentOfLeukocytes) })),
      HDF5Column("pct_leukocytes_less_than", .double(ps.map { bound($0.percentOfLeukocytes) })),
      HDF5Column("per_ul", .double(ps.map { value($0.absolute?.perMicroliter) })),
      HDF5Column("per_ul_less_than", .double(ps.map { bound($0.absolute?.perMicroliter) })),
      HDF5Column("per_ul_lower95", .double(ps.map { $0.absolute?.perMicroliter.lower95 ?? .nan })),
      HDF5Column("per_ul_upper95", .double(ps.map { $0.absolute?.perMicroliter.upper95 ?? .nan })),
      HDF5Column("per_ul_method", .string(ps.map { $0.absolute?.method.name ?? "" })),
      HDF5Column("statistics", .string(ps.map { p in p.statistics.map { (try? StoreJSON.encode($0)) ?? "" } ?? "" })),
    ]
  }
}

/// JSON for analysis records: sorted keys, non-finite numbers as strings.
enum StoreJSON {
  static func encode<T: Encodable>(_ value: T) throws -> String {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
    return String(decoding: try e.encode(value), as: UTF8.self)
  }

  static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
    let d = JSONDecoder()
    d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
    return try d.decode(type, from: Data(text.utf8))
  }
}

/// Timestamps written by the store.
enum StoreClock {
  /// Now, ISO 8601 UTC with seconds.
  static func now() -> String {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime]
    return f.string(from: Date())
  }
}
