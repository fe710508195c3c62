import Foundation

extension CanonicalJSON {
  /// Decodes `type` from this value.
  ///
  /// Unlike `JSONDecoder`, every error carries the coding path of the member at fault (a
  /// fractional or out-of-range integer included), so a record's refusal names its JSON path.
  /// Integers must be written as integers; `Double` and `Float` also read the strings `NaN`,
  /// `Infinity` and `-Infinity` (how records write non-finite numbers).
  ///
  /// - Throws: `DecodingError`.
  public func decode<T: Decodable>(_ type: T.Type) throws -> T {
    try T(from: TreeDecoder(value: self, codingPath: []))
  }
}

/// A key for array positions in coding paths.
private struct IndexKey: CodingKey {
  var intValue: Int?
  var stringValue: String { "Index \(intValue ?? 0)" }
  init(_ i: Int) { intValue = i }
  init?(intValue: Int) { self.intValue = intValue }
  init?(stringValue: String) { nil }
}

private func mismatch(_ type: Any.Type, _ value: CanonicalJSON, _ path: [any CodingKey]) -> DecodingError {
  let found: String
  switch value {
  case .null: found = "null"
  case .bool: found = "a boolean"
  case .number(let n): found = "the number \(n)"
  case .string: found = "a string"
  case .array: found = "an array"
  case .object: found = "an object"
  }
  return .typeMismatch(type, .init(codingPath: path, debugDescription: "expected \(type), found \(found)"))
}

/// A primitive from a value: booleans, strings, and numbers in the type's range.
private func primitive<T>(_ type: T.Type, _ value: CanonicalJSON, _ path: [any CodingKey]) throws -> T {
  func integer<I: FixedWidthInteger>(_: I.Type) throws -> I {
    guard case .number(let n) = value else { throw mismatch(type, value, path) }
    guard let i = I(n) else {
      throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "\(n) is not \(I.self) (an integer in range is needed)"))
    }
    return i
  }
  func floating<F: BinaryFloatingPoint & LosslessStringConvertible>(_: F.Type) throws -> F {
    switch value {
    case .number(let n):
      guard let f = F(n) else { throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "\(n) is not a \(F.self)")) }
      return f
    case .string("NaN"): return .nan
    case .string("Infinity"): return .infinity
    case .string("-Infinity"): return -.infinity
    default: throw mismatch(type, value, path)
    }
  }
  let result: Any
  switch type {
  case is Bool.Type:
    guard case .bool(let b) = value else { throw mismatch(type, value, path) }
    result = b
  case is String.Type:
    guard case .string(let s) = value else { throw mismatch(type, value, path) }
    result = s
  case is Double.Type: result = try floating(Double.self)
  case is Float.Type: result = try floating(Float.self)
  case is Int.Type: result = try integer(Int.self)
  case is Int8.Type: result = try integer(Int8.self)
  case is Int16.Type: result = try integer(Int16.self)
  case is Int32.Type: result = try integer(Int32.self)
  case is Int64.Type: result = try integer(Int64.self)
  case is UInt.Type: result = try integer(UInt.self)
  case is UInt8.Type: result = try integer(UInt8.self)
  case is UInt16.Type: result = try integer(UInt16.self)
  case is UInt32.Type: result = try integer(UInt32.self)
  case is UInt64.Type: result = try integer(UInt64.self)
  default: throw mismatch(type, value, path)
  }
  return result as! T
}

private struct TreeDecoder: Decoder {
  let value: CanonicalJSON
  let codingPath: [any CodingKey]
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
    guard case .object(let o) = value else { throw mismatch([String: Any].self, value, codingPath) }
    return KeyedDecodingContainer(Keyed<Key>(object: o, codingPath: codingPath))
  }

  func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
    guard case .array(let a) = value else { throw mismatch([Any].self, value, codingPath) }
    return Unkeyed(items: a, codingPath: codingPath)
  }

  func singleValueContainer() throws -> any SingleValueDecodingContainer { Single(value: value, codingPath: codingPath) }
}

private struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
  let object: [String: CanonicalJSON]
  let codingPath: [any CodingKey]
  var allKeys: [Key] { object.keys.compactMap { Key(stringValue: $0) } }

  func contains(_ key: Key) -> Bool { object[key.stringValue] != nil }

  func child(_ key: Key) throws -> CanonicalJSON {
    guard let v = object[key.stringValue] else {
      throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing"))
    }
    return v
  }

  func decodeNil(forKey key: Key) throws -> Bool { try child(key) == .null }
  func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
    try T(from: TreeDecoder(value: try child(key), codingPath: codingPath + [key]))
  }
  func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
    try TreeDecoder(value: try child(key), codingPath: codingPath + [key]).container(keyedBy: type)
  }
  func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
    try TreeDecoder(value: try child(key), codingPath: codingPath + [key]).unkeyedContainer()
  }
  func superDecoder() throws -> any Decoder { TreeDecoder(value: .object(object), codingPath: codingPath) }
  func superDecoder(forKey key: Key) throws -> any Decoder { TreeDecoder(value: object[key.stringValue] ?? .null, codingPath: codingPath + [key]) }

  func decode(_ t: Bool.Type, forKey k: Key) throws -> Bool { try primitive(t, try child(k), codingPath + [k]) }
  func decode(_ t: String.Type, forKey k: Key) throws -> String { try primitive(t, try child(k), codingPath + [k]) }
  func decode(_ t: Double.Type, forKey k: Key) throws -> Double { try primitive(t, try child(k), codingPath + [k]) }
  func decode(_ t: Float.Type, forKey k: Key) throws -> Float { try primitive(t, try child(k), codingPath + [k]) }
  func decode(_ t: Int.Type, forKey k: Key) throws -> Int { try primitive(t, try child(k), codingPath + [k]) }
  func decode(_ t: Int8.Type, forKey k: Key) throws -> Int8 { try primitive(t, try child(k), codingPath + [k]) }
  func decode(_ t: Int16.Type, forKey k: Key) throws -> Int16 { try primitive(t, try child(k), codingPath + [k]) }
  func decode(_ t: Int32.Type, forKey k: Key) throws -> Int32 { try primitive(t, try child(k), codingPath + [k]) }
  func decode(_ t: Int64.Type, forKey k: Key) throws -> Int64 { try primitive(t, try child(k), codingPath + [k]) }
  func decode(_ t: UInt.Type, forKey k: Key) throws -> UInt { try primitive(t, try child(k), codingPath + [k]) }
  func decode(_ t: UInt8.Type, forKey k: Key) throws -> UInt8 { try primitive(t, try child(k), codingPath + [k]) }
  func decode(_ t: UInt16.Type, forKey k: Key) throws -> UInt16 { try primitive(t, try child(k), codingPath + [k]) }
  func decode(_ t: UInt32.Type, forKey k: Key) throws -> UInt32 { try primitive(t, try child(k), codingPath + [k]) }
  func decode(_ t: UInt64.Type, forKey k: Key) throws -> UInt64 { try primitive(t, try child(k), codingPath + [k]) }
}

private struct Unkeyed: UnkeyedDecodingContainer {
  let items: [CanonicalJSON]
  let codingPath: [any CodingKey]
  var currentIndex = 0
  var count: Int? { items.count }
  var isAtEnd: Bool { currentIndex >= items.count }

  init(items: [CanonicalJSON], codingPath: [any CodingKey]) {
    self.items = items
    self.codingPath = codingPath
  }

  mutating func next() throws -> (CanonicalJSON, [any CodingKey]) {
    let path = codingPath + [IndexKey(currentIndex)]
    guard !isAtEnd else { throw DecodingError.valueNotFound(Any.self, .init(codingPath: path, debugDescription: "the array has no more items")) }
    defer { currentIndex += 1 }
    return (items[currentIndex], path)
  }

  mutating func decodeNil() throws -> Bool {
    guard !isAtEnd, items[currentIndex] == .null else { return false }
    currentIndex += 1
    return true
  }
  mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
    let (v, path) = try next()
    return try T(from: TreeDecoder(value: v, codingPath: path))
  }
  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
    let (v, path) = try next()
    return try TreeDecoder(value: v, codingPath: path).container(keyedBy: type)
  }
  mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
    let (v, path) = try next()
    return try TreeDecoder(value: v, codingPath: path).unkeyedContainer()
  }
  mutating func superDecoder() throws -> any Decoder {
    let (v, path) = try next()
    return TreeDecoder(value: v, codingPath: path)
  }
}

private struct Single: SingleValueDecodingContainer {
  let value: CanonicalJSON
  let codingPath: [any CodingKey]

  func decodeNil() -> Bool { value == .null }
  func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: TreeDecoder(value: value, codingPath: codingPath)) }
  func decode(_ t: Bool.Type) throws -> Bool { try primitive(t, value, codingPath) }
  func decode(_ t: String.Type) throws -> String { try primitive(t, value, codingPath) }
  func decode(_ t: Double.Type) throws -> Double { try primitive(t, value, codingPath) }
  func decode(_ t: Float.Type) throws -> Float { try primitive(t, value, codingPath) }
  func decode(_ t: Int.Type) throws -> Int { try primitive(t, value, codingPath) }
  func decode(_ t: Int8.Type) throws -> Int8 { try primitive(t, value, codingPath) }
  func decode(_ t: Int16.Type) throws -> Int16 { try primitive(t, value, codingPath) }
  func decode(_ t: Int32.Type) throws -> Int32 { try primitive(t, value, codingPath) }
  func decode(_ t: Int64.Type) throws -> Int64 { try primitive(t, value, codingPath) }
  func decode(_ t: UInt.Type) throws -> UInt { try primitive(t, value, codingPath) }
  func decode(_ t: UInt8.Type) throws -> UInt8 { try primitive(t, value, codingPath) }
  func decode(_ t: UInt16.Type) throws -> UInt16 { try primitive(t, value, codingPath) }
  func decode(_ t: UInt32.Type) throws -> UInt32 { try primitive(t, value, codingPath) }
  func decode(_ t: UInt64.Type) throws -> UInt64 { try primitive(t, value, codingPath) }
}
