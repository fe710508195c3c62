import Dispatch
import Foundation
import Synchronization

/// Runs one job per input on all cores and shows progress on a terminal.
///
/// Results come back in input order. Progress goes to standard error: a self-updating line
/// (files done, events/s, ETA) when it is a terminal, nothing otherwise (the per-file
/// messages of the command are the plain-text progress).
enum Batch {
  /// `body(i)` for every index in `indices`, concurrently; `events` of a result feeds the rate.
  static func run<T: Sendable>(_ indices: [Int], label: String, events: @escaping @Sendable (T) -> Int,
                               _ body: @escaping @Sendable (Int) throws -> T) -> [Int: Result<T, Error>] {
    let results = Mutex<[Int: Result<T, Error>]>([:])
    let progress = Progress(total: indices.count, label: label)
    let work = indices
    DispatchQueue.concurrentPerform(iterations: work.count) { k in
      let i = work[k]
      let r = Result { try body(i) }
      results.withLock { $0[i] = r }
      progress.done(events: (try? r.get()).map(events) ?? 0)
    }
    progress.finish()
    return results.withLock { $0 }
  }

  /// A progress line on standard error, only when it is a terminal.
  final class Progress: Sendable {
    let total: Int
    let label: String
    let start = ContinuousClock.now
    let state = Mutex<(files: Int, events: Int)>((0, 0))
    let enabled = isatty(STDERR_FILENO) == 1

    init(total: Int, label: String) {
      self.total = total
      self.label = label
    }

    func done(events: Int) {
      let (files, totalEvents) = state.withLock { s -> (Int, Int) in
        s.files += 1
        s.events += events
        return (s.files, s.events)
      }
      guard enabled else { return }
      let elapsed = (ContinuousClock.now - start) / .seconds(1)
      let rate = elapsed > 0 ? Double(totalEvents) / elapsed : 0
      let eta = files > 0 ? elapsed / Double(files) * Double(total - files) : 0
      let line = String(format: "\r%@ %d/%d files  %.2f M events/s  ETA %.0f s ", label, files, total, rate / 1e6, eta)
      FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
      if enabled && total > 0 { FileHandle.standardError.write(Data("\n".utf8)) }
    }
  }
}
