import CytoCore
import CytoTransforms

/// Events delivered chunk by chunk, for inputs too large to hold in memory at once (a 10⁸-event
/// file is 6.4 GB): the engine gates each chunk and keeps only the population masks
/// (one bit per event and population).
public struct ChunkedGatingInput: Sendable {
  /// Channel names of the event columns (`$PnN`).
  public var channels: [ChannelName]
  /// Total number of events.
  public var eventCount: Int
  /// Per channel, how stored values become linear values (see ``GatingInput/scalings``).
  public var scalings: [ValueScaling]
  /// The spillover matrix stored in the file, for `compensation-ref="FCS"`.
  public var fileSpillover: SpilloverMatrix?
  /// The keyword ``fileSpillover`` was read from, for messages.
  public var fileSpilloverKeyword: String?
  /// Events per chunk: a multiple of 64.
  public var chunkEvents: Int
  /// The stored values of events `range` (column-major, one column per channel).
  public var read: @Sendable (Range<Int>) throws -> EventMatrix<Float>

  /// - Parameter chunkBytes: target size of one chunk's matrix (default 16 MB: small enough
  ///   for the allocator to reuse the buffer from chunk to chunk instead of mapping and
  ///   zero-filling fresh pages, large enough for the engine's per-core blocks).
  public init(channels: [ChannelName], eventCount: Int, scalings: [ValueScaling]? = nil, fileSpillover: SpilloverMatrix? = nil,
              fileSpilloverKeyword: String? = nil, chunkBytes: Int = 16 << 20,
              read: @escaping @Sendable (Range<Int>) throws -> EventMatrix<Float>) {
    precondition(scalings == nil || scalings!.count == channels.count, "one scaling per channel")
    self.channels = channels
    self.eventCount = eventCount
    self.scalings = scalings ?? Array(repeating: .identity, count: channels.count)
    self.fileSpillover = fileSpillover
    self.fileSpilloverKeyword = fileSpilloverKeyword
    self.chunkEvents = max(4096, (chunkBytes / max(1, channels.count * 4)) & ~4095)
    self.read = read
  }
}

extension GatingEngine {
  /// Applies `strategy` to events read chunk by chunk: each chunk is gated on its own (all
  /// cores, as ``evaluate(_:on:)``), and its masks are copied into the whole-sample masks.
  /// Gates are per-event decisions, so the masks equal those of ``evaluate(_:on:)`` on the
  /// whole matrix. Memory: one chunk plus the masks (n/8 bytes per population).
  /// - Parameter progress: called after each chunk with the events gated so far.
  /// - Throws: ``GatingStrategyError`` as ``evaluate(_:on:)``, or what `read` throws.
  public static func evaluate(_ strategy: GatingStrategy, chunks input: ChunkedGatingInput,
                              progress: ((Int) -> Void)? = nil) throws -> GatingResult {
    let n = input.eventCount
    let wordCount = (n + 63) >> 6
    var words: [GateID: [UInt64]] = [:]
    let first = try forEachChunk(strategy, input, progress: progress) { start, r in
      if start == 0 { for id in r.masks.keys { words[id] = [UInt64](repeating: 0, count: wordCount) } }
      let offset = start >> 6
      for (id, m) in r.masks {
        words[id]!.withUnsafeMutableBufferPointer { dst in
          m.words.withUnsafeBufferPointer { src in
            (dst.baseAddress! + offset).update(from: src.baseAddress!, count: src.count)
          }
        }
      }
    }
    var masks: [GateID: EventMask] = [:]
    for (id, w) in words { masks[id] = EventMask(count: n, words: w) }
    return GatingResult(eventCount: n, strategy: strategy, masks: masks, diagnostics: first.diagnostics)
  }

  /// Applies `strategy` to events read chunk by chunk and keeps only the number of events in
  /// each population: the counts of ``evaluate(_:chunks:progress:)``, in memory bounded by one
  /// chunk whatever the number of events (a 10⁸-event file's masks alone would be 12.5 MB per
  /// population).
  /// - Throws: as ``evaluate(_:chunks:progress:)``.
  public static func count(_ strategy: GatingStrategy, chunks input: ChunkedGatingInput,
                           progress: ((Int) -> Void)? = nil) throws -> GatingCounts {
    var counts: [GateID: Int] = [:]
    let first = try forEachChunk(strategy, input, progress: progress) { _, r in
      for (id, m) in r.masks { counts[id, default: 0] += m.setCount }
    }
    return GatingCounts(eventCount: input.eventCount, strategy: first.strategy, counts: counts, diagnostics: first.diagnostics)
  }

  /// Gates each chunk in order and hands its result to `body` with the chunk's first event;
  /// returns the first chunk's result (its resolved strategy and diagnostics hold for all).
  private static func forEachChunk(_ strategy: GatingStrategy, _ input: ChunkedGatingInput, progress: ((Int) -> Void)?,
                                   _ body: (Int, GatingResult) throws -> Void) throws -> GatingResult {
    let n = input.eventCount
    var first: GatingResult? = nil
    var start = 0
    repeat {
      let range = start..<min(n, start + input.chunkEvents)
      let chunk = GatingInput(channels: input.channels, events: try input.read(range), scalings: input.scalings,
                              fileSpillover: input.fileSpillover, fileSpilloverKeyword: input.fileSpilloverKeyword)
      let r = try evaluate(strategy, on: chunk)
      if first == nil { first = r }
      try body(start, r)
      start = range.upperBound
      progress?(start)
    } while start < n
    return first!
  }
}

/// The number of events in every population of a strategy applied to a sample, without the
/// masks (``GatingEngine/count(_:chunks:progress:)``).
public struct GatingCounts: Sendable, Equatable {
  public let eventCount: Int
  /// The strategy as applied (a FlowJo export resolved against the input).
  public let strategy: GatingStrategy
  /// Events per population id (in the population and all its ancestors).
  public let counts: [GateID: Int]
  /// Decisions made while gating, as ``GatingResult/diagnostics``.
  public let diagnostics: [Diagnostic]

  public init(eventCount: Int, strategy: GatingStrategy, counts: [GateID: Int], diagnostics: [Diagnostic]) {
    self.eventCount = eventCount
    self.strategy = strategy
    self.counts = counts
    self.diagnostics = diagnostics
  }

  /// The counts of a gating result's masks.
  public init(_ result: GatingResult) {
    self.init(eventCount: result.eventCount, strategy: result.strategy, counts: result.masks.mapValues(\.setCount),
              diagnostics: result.diagnostics)
  }
}
