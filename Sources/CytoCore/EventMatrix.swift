/// A floating-point type an ``EventMatrix`` can hold: `Float` (the default for gating) or `Double`.
public protocol EventScalar: BinaryFloatingPoint, SIMDScalar, Sendable, Codable
where Self.RawSignificand: FixedWidthInteger {}

extension Float: EventScalar {}
extension Double: EventScalar {}

/// Events × channels, stored column-major: all values of channel 0, then all of channel 1, …
///
/// Column-major storage lets gating kernels stream one or two channels with SIMD loads.
/// `EventMatrix` is a value type (copy-on-write through its array storage).
///
///     let m = EventMatrix<Float>(eventCount: 3, channelCount: 2, columnMajor: [1, 2, 3, 10, 20, 30])
///     m[event: 1, channel: ChannelIndex(1)]   // 20
public struct EventMatrix<Scalar: EventScalar>: Sendable, Equatable {
  /// Number of events (rows).
  public let eventCount: Int
  /// Number of channels (columns).
  public let channelCount: Int
  /// Column-major values; channel `c` occupies `c * eventCount ..< (c + 1) * eventCount`.
  public private(set) var storage: [Scalar]

  /// Creates a matrix from column-major values.
  /// - Precondition: `columnMajor.count == eventCount * channelCount`.
  public init(eventCount: Int, channelCount: Int, columnMajor: [Scalar]) {
    precondition(eventCount >= 0 && channelCount >= 0, "negative matrix dimension")
    precondition(columnMajor.count == eventCount * channelCount, "storage size does not match dimensions")
    self.eventCount = eventCount
    self.channelCount = channelCount
    self.storage = columnMajor
  }

  /// Creates a zero-filled matrix.
  public init(eventCount: Int, channelCount: Int) {
    self.init(eventCount: eventCount, channelCount: channelCount,
              columnMajor: [Scalar](repeating: 0, count: eventCount * channelCount))
  }

  /// Creates a matrix whose storage is filled by `initializer`, without zero-filling first.
  ///
  /// `initializer` receives the whole column-major buffer and must write every element.
  public init(
    eventCount: Int, channelCount: Int,
    unsafeUninitialized initializer: (UnsafeMutableBufferPointer<Scalar>) throws -> Void
  ) rethrows {
    self.eventCount = eventCount
    self.channelCount = channelCount
    let n = eventCount * channelCount
    self.storage = try [Scalar](unsafeUninitializedCapacity: n) { buffer, count in
      try initializer(buffer)
      count = n
    }
  }

  /// Creates a matrix from rows (event-major), for tests and small tables.
  public init(rows: [[Scalar]], channelCount: Int) {
    var s = [Scalar](repeating: 0, count: rows.count * channelCount)
    for (e, row) in rows.enumerated() {
      precondition(row.count == channelCount, "row \(e) has \(row.count) values, expected \(channelCount)")
      for c in 0..<channelCount { s[c * rows.count + e] = row[c] }
    }
    self.init(eventCount: rows.count, channelCount: channelCount, columnMajor: s)
  }

  /// The value of one event in one channel.
  public subscript(event e: Int, channel c: ChannelIndex) -> Scalar {
    get { storage[c.rawValue * eventCount + e] }
    set { storage[c.rawValue * eventCount + e] = newValue }
  }

  /// A copy of one channel's values.
  public func column(_ c: ChannelIndex) -> ArraySlice<Scalar> {
    storage[c.rawValue * eventCount..<(c.rawValue + 1) * eventCount]
  }

  /// A copy of one event's values across all channels.
  public func row(_ e: Int) -> [Scalar] {
    (0..<channelCount).map { storage[$0 * eventCount + e] }
  }

  /// Calls `body` with a pointer to one channel's contiguous values.
  public func withColumn<R>(_ c: ChannelIndex, _ body: (UnsafeBufferPointer<Scalar>) throws -> R) rethrows -> R {
    precondition(c.rawValue >= 0 && c.rawValue < channelCount, "channel \(c) out of range")
    return try storage.withUnsafeBufferPointer { all in
      try body(UnsafeBufferPointer(rebasing: all[c.rawValue * eventCount..<(c.rawValue + 1) * eventCount]))
    }
  }

  /// Calls `body` with a mutable pointer to the whole column-major storage.
  public mutating func withUnsafeMutableStorage<R>(_ body: (UnsafeMutableBufferPointer<Scalar>) throws -> R) rethrows -> R {
    try storage.withUnsafeMutableBufferPointer { try body($0) }
  }

  /// A matrix holding only the given channels, in the given order.
  public func selectingChannels(_ channels: [ChannelIndex]) -> EventMatrix {
    var s: [Scalar] = []
    s.reserveCapacity(channels.count * eventCount)
    for c in channels { s.append(contentsOf: column(c)) }
    return EventMatrix(eventCount: eventCount, channelCount: channels.count, columnMajor: s)
  }

  /// A matrix holding only the events whose bit is set in `mask`, in file order.
  public func selectingEvents(_ mask: EventMask) -> EventMatrix {
    precondition(mask.count == eventCount, "mask has \(mask.count) events, matrix \(eventCount)")
    let kept = mask.indices
    var s: [Scalar] = []
    s.reserveCapacity(kept.count * channelCount)
    storage.withUnsafeBufferPointer { all in
      for c in 0..<channelCount {
        let base = c * eventCount
        for e in kept { s.append(all[base + e]) }
      }
    }
    return EventMatrix(eventCount: kept.count, channelCount: channelCount, columnMajor: s)
  }

  /// The same values converted to another scalar type.
  public func converted<T: EventScalar>(to: T.Type = T.self) -> EventMatrix<T> {
    EventMatrix<T>(eventCount: eventCount, channelCount: channelCount, columnMajor: storage.map { T($0) })
  }
}
