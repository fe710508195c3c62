import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Files in parallel: one job per input on every core, results handed back in input order.
///
/// Parallelism has two levels. Here, whole files: one worker thread per core, each taking the
/// next file when it is free (so a large file does not hold up the small ones behind it).
/// Inside one file, the FCS decoder, compensation, transforms and the gating engine split
/// large inputs (from about 2.6·10⁵ events) into blocks across the cores, so a single large
/// file uses every core too, and a few large files among small ones share them.
///
/// Memory is bounded by the number of files in flight: at most `window` results exist at once,
/// counting those being computed, those finished but not yet consumed in order, and the one
/// being consumed. `ingest --keep-events` keeps a file's compensated events in its result, so
/// it runs with a window of workers + 1; without events a result is a few kilobytes.
enum Batch {
  /// Worker threads: the cores this process may run on. On Linux that is its CPU affinity
  /// mask (`taskset -c 0` gives 1; `Cpus_allowed` in /proc/self/status), which Foundation's
  /// `activeProcessorCount` does not reflect; elsewhere the active processors.
  static let workerCount: Int = {
    let active = max(1, ProcessInfo.processInfo.activeProcessorCount)
    #if os(Linux)
      if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") })
      {
        let n = line.dropFirst("Cpus_allowed:".count).filter(\.isHexDigit)
          .reduce(0) { $0 + (Int(String($1), radix: 16) ?? 0).nonzeroBitCount }
        if n > 0 { return min(n, active) }
      }
    #endif
    return active
  }()

  /// Runs `work(i)` for `i` in `0..<count` on `workers` threads, at most `window` indices ahead
  /// of the consumer, and `consume(i, result)` on the calling thread in index order as results
  /// arrive. `started(i)` runs on the worker as it takes index `i` (indices are taken in
  /// ascending order, one at a time).
  ///
  /// When `consume` throws, no further index is started, the ones in progress are finished
  /// and dropped, and the error is rethrown.
  static func ordered<T: Sendable>(
    _ count: Int, workers: Int = workerCount, window: Int = .max,
    started: @escaping @Sendable (Int) -> Void = { _ in },
    work: @escaping @Sendable (Int) throws -> T,
    consume: (Int, Result<T, Error>) throws -> Void
  ) throws {
    guard count > 0 else { return }
    let window = max(1, window)
    let state = PipelineState<T>()
    let group = DispatchGroup()
    for _ in 0..<max(1, min(workers, count, window)) {
      group.enter()
      Thread.detachNewThread {
        defer { group.leave() }
        while let i = state.take(count: count, window: window, started: started) {
          let r = Result { try work(i) }
          state.put(i, r)
        }
      }
    }
    defer { group.wait() }
    for i in 0..<count {
      let r = state.result(i)
      do { try consume(i, r) } catch {
        state.stop()
        throw error
      }
      state.consumed(i)
    }
  }

  /// `body(i)` for every index in `indices`, concurrently; results by index. Results are small
  /// (analyses without events), so every finished one is kept until all are done.
  static func run<T: Sendable>(_ indices: [Int], label: String, events: @escaping @Sendable (T) -> Int,
                               _ body: @escaping @Sendable (Int) throws -> T) -> [Int: Result<T, Error>] {
    run(indices, label: label, events: events) { i, _ in try body(i) }
  }

  /// ``run(_:label:events:_:)`` for work that reports the events it has gated so far in its
  /// file and the file's events (`gated(n, of)`, from any thread): the progress line's rate,
  /// bar and ETA count them before the file finishes, so one large file shows its progress too.
  static func run<T: Sendable>(_ indices: [Int], label: String, events: @escaping @Sendable (T) -> Int,
                               _ body: @escaping @Sendable (Int, _ gated: @escaping @Sendable (Int, Int) -> Void) throws -> T)
    -> [Int: Result<T, Error>] {
    let progress = ProgressBar(label: label, total: indices.count)
    var results: [Int: Result<T, Error>] = [:]
    let work = indices
    try? ordered(work.count, work: { k in
      let r = Result { try body(work[k]) { progress.gated(k, events: $0, of: $1) } }
      progress.fileDone(events: (try? r.get()).map(events) ?? 0, key: k)
      return r
    }) { k, r in
      results[work[k]] = r.flatMap { $0 }
    }
    progress.finish()
    return results
  }

  /// The shared state of ``ordered(_:workers:window:started:work:consume:)``.
  final class PipelineState<T: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var next = 0
    private var done = 0  // consumed
    private var stopped = false
    private var results: [Int: Result<T, Error>] = [:]

    /// The next index for a worker, or nil when there is none (all taken, or stopped). Waits
    /// while the index would be `window` or more ahead of the consumer.
    func take(count: Int, window: Int, started: @Sendable (Int) -> Void) -> Int? {
      condition.lock()
      defer { condition.unlock() }
      while !stopped && next < count && next - done >= window { condition.wait() }
      guard !stopped && next < count else { return nil }
      let i = next
      next += 1
      started(i)  // under the lock: "started" messages come out in index order
      return i
    }

    func put(_ i: Int, _ r: Result<T, Error>) {
      condition.lock()
      results[i] = r
      condition.broadcast()
      condition.unlock()
    }

    /// Waits for the result of `i` and takes it out.
    func result(_ i: Int) -> Result<T, Error> {
      condition.lock()
      defer { condition.unlock() }
      while results[i] == nil { condition.wait() }
      return results.removeValue(forKey: i)!
    }

    func consumed(_ i: Int) {
      condition.lock()
      done = i + 1
      condition.broadcast()
      condition.unlock()
    }

    func stop() {
      condition.lock()
      stopped = true
      results.removeAll()
      condition.broadcast()
      condition.unlock()
    }
  }
}

/// What a batch's progress line shows at one moment. Pure: ``line(width:)`` is the whole
/// formatting, so it is unit-tested.
struct ProgressFrame: Equatable {
  var label: String
  var done: Int
  var total: Int
  /// Events of the finished files.
  var events: Int
  /// Seconds since the batch started.
  var elapsed: Double
  /// What is happening now (for example "committing 50 visits to cohort.h5"), or empty.
  var note = ""
  /// The files in progress, as a number of files: the sum of each one's fraction gated so far.
  var inFlight = 0.0

  /// Files done, counting the gated fractions of those in progress.
  var progress: Double { min(Double(total), Double(done) + inFlight) }

  /// Events per second of wall time so far; nil before anything finished.
  var eventsPerSecond: Double? {
    guard elapsed > 0, events > 0 else { return nil }
    return Double(events) / elapsed
  }

  /// Seconds left if the remaining work goes at the pace so far (files done plus the gated
  /// fractions of those in progress); nil before anything progressed, 0 when all are done.
  var eta: Double? {
    if done >= total { return 0 }
    let p = progress
    guard p > 0, elapsed > 0 else { return nil }
    return elapsed / p * (Double(total) - p)
  }

  /// "0:07", "12:34", "1:02:03"; "--:--" when unknown.
  static func duration(_ seconds: Double?) -> String {
    guard let seconds, seconds.isFinite, seconds >= 0, seconds < 1e8 else { return "--:--" }
    let s = Int(seconds.rounded())
    let (h, m, r) = (s / 3600, s / 60 % 60, s % 60)
    return h > 0 ? String(format: "%d:%02d:%02d", h, m, r) : String(format: "%d:%02d", m, r)
  }

  /// "850 events/s", "12.3 k events/s", "4.56 M events/s", "1.20 G events/s"; "-- events/s" when unknown.
  static func rate(_ perSecond: Double?) -> String {
    guard let r = perSecond, r.isFinite, r >= 0 else { return "-- events/s" }
    switch r {
    case ..<999.5: return String(format: "%.0f events/s", r)
    case ..<999_950: return String(format: "%.1f k events/s", r / 1e3)
    case ..<999_995_000: return String(format: "%.2f M events/s", r / 1e6)
    default: return String(format: "%.2f G events/s", r / 1e9)
    }
  }

  /// The line, at most `width − 1` characters (the last column would wrap on some terminals).
  /// What does not fit is dropped in this order: the bar (before the note: a note is shown
  /// only while something slow happens, like a commit), the note (shortened from the left
  /// first: paths end in the file name; then the bar comes back if it fits), the elapsed
  /// time, the rate, the ETA.
  func line(width: Int) -> String {
    let limit = max(1, width - 1)
    let counts = "\(done)/\(total) files"
    let rate = Self.rate(eventsPerSecond), elapsedText = "\(Self.duration(elapsed)) elapsed", etaText = "ETA \(Self.duration(eta))"
    // (bar, note: 0 none, 1 whole, 2 shortened, rate, elapsed time, ETA)
    let variants: [(Bool, Int, Bool, Bool, Bool)] = [
      (true, 1, true, true, true), (false, 1, true, true, true), (false, 2, true, true, true), (true, 0, true, true, true),
      (false, 0, true, true, true), (false, 0, true, false, true), (false, 0, false, false, true), (false, 0, false, false, false),
    ]
    for (bar, noteMode, withRate, withElapsed, withETA) in variants {
      if noteMode > 0 && note.isEmpty { continue }
      var fields = [counts]
      if withRate { fields.append(rate) }
      if withElapsed { fields.append(elapsedText) }
      if withETA { fields.append(etaText) }
      var text = fields.joined(separator: "  ")
      if noteMode > 0 {
        let room = limit - label.count - 1 - text.count - 2 - (bar ? 13 : 0)
        if room >= note.count {
          text += "  " + note
        } else if noteMode == 2 && room >= 12 {
          text += "  …" + note.suffix(room - 1)
        } else {
          continue
        }
      }
      if bar {
        // The bar's width comes from the widest the numbers get (counts at the total, a
        // 16-character rate, times under an hour), so it does not jump as they change.
        let widest = text.count + (String(total).count - String(done).count) + (withRate ? max(0, 16 - rate.count) : 0)
          + (withElapsed ? max(0, 5 - Self.duration(elapsed).count) : 0) + (withETA ? max(0, 5 - Self.duration(eta).count) : 0)
        let room = limit - label.count - widest - 4  // " [", "] "
        guard room >= 10 else { continue }
        let w = min(30, room)
        let filled = total > 0 ? min(w, Int(Double(w) * progress / Double(total))) : w
        text = "[\(String(repeating: "#", count: filled))\(String(repeating: " ", count: w - filled))] " + text
      }
      text = "\(label) " + text
      if text.count <= limit { return text }
    }
    return String("\(label) \(counts)".prefix(limit))
  }
}

/// The batch progress line on standard error: redrawn in place (files done/total, events/s,
/// elapsed, ETA) when standard error is a terminal, every second and whenever a file finishes;
/// nothing at all otherwise (the commands' own per-file lines are the plain-text progress).
/// Never writes to standard output.
final class ProgressBar: @unchecked Sendable {
  let label: String
  let total: Int
  let enabled: Bool
  private let start = ContinuousClock.now
  private let state = Mutex<(done: Int, events: Int, note: String, drawn: Bool, finished: Bool, partial: [Int: (Int, Int)])>(
    (0, 0, "", false, false, [:]))
  private let timer: DispatchSourceTimer?

  init(label: String, total: Int, enabled: Bool = isatty(STDERR_FILENO) == 1) {
    self.label = label
    self.total = total
    self.enabled = enabled
    if enabled {
      let t = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
      t.schedule(deadline: .now() + 1, repeating: 1)
      timer = t
    } else {
      timer = nil
    }
    timer?.setEventHandler { [weak self] in self?.redraw() }
    timer?.resume()
    redraw()
  }

  /// A file finished (failed files count as done, with 0 events); `key`: the file's key in
  /// ``gated(_:events:)``, whose partial count it replaces.
  func fileDone(events: Int, key: Int? = nil) {
    state.withLock {
      $0.done += 1
      $0.events += events
      if let key { $0.partial[key] = nil }
    }
    redraw()
  }

  /// `events` of the `of` events of file `key` (not finished yet) gated so far: counted in the
  /// rate, bar and ETA until ``fileDone(events:key:)``. Not redrawn here: the timer redraws
  /// every second.
  func gated(_ key: Int, events: Int, of total: Int) {
    state.withLock { $0.partial[key] = (events, max(total, events)) }
  }

  /// Sets the note after the numbers ("" clears it).
  func status(_ note: String) {
    state.withLock { $0.note = note }
    redraw()
  }

  /// Prints `line` on standard error above the progress line.
  func message(_ line: String) {
    state.withLock { s in
      if s.drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
      FileHandle.standardError.write(Data((line + "\n").utf8))
      s.drawn = false
    }
    redraw()
  }

  /// The final frame, and a newline after it.
  func finish() {
    timer?.cancel()
    redraw()
    state.withLock { s in
      if s.drawn && !s.finished { FileHandle.standardError.write(Data("\n".utf8)) }
      s.finished = true
    }
  }

  /// The frame now.
  var frame: ProgressFrame {
    let elapsed = (ContinuousClock.now - start) / .seconds(1)
    return state.withLock {
      ProgressFrame(label: label, done: $0.done, total: total, events: $0.events + $0.partial.values.reduce(0) { $0 + $1.0 },
                    elapsed: elapsed, note: $0.note,
                    inFlight: $0.partial.values.reduce(0) { $0 + ($1.1 > 0 ? Double($1.0) / Double($1.1) : 0) })
    }
  }

  private func redraw() {
    guard enabled, total > 0 else { return }
    let f = frame
    let width = Self.terminalWidth()
    state.withLock { s in
      guard !s.finished else { return }
      FileHandle.standardError.write(Data(("\r" + f.line(width: width) + "\u{1B}[K").utf8))
      s.drawn = true
    }
  }

  /// Columns of the terminal on standard error ($COLUMNS, else 80, when it does not say).
  static func terminalWidth() -> Int {
    var ws = winsize()
    if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0 { return Int(ws.ws_col) }
    if let c = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), c > 0 { return c }
    return 80
  }
}
