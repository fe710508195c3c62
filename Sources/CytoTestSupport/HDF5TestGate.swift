/// One gate for every test, in any test target, that opens HDF5 objects in the test process.
///
/// The test bundles run in one process, and the HDF5 handle-hygiene test counts the HDF5
/// objects open in the whole process; a suite that reads a store in-process (the review
/// server's API tests) must not overlap with it. Each such suite holds the gate for its whole
/// run (a suite-level `TestScoping` trait in its test target calls ``withGate(_:)``).
/// Waiters suspend; no thread of the concurrency pool is blocked.
public actor HDF5TestGate {
  /// The process-wide gate.
  public static let shared = HDF5TestGate()

  private var busy = false
  private var waiters: [CheckedContinuation<Void, Never>] = []

  /// Runs `body` while holding the gate.
  public static func withGate(_ body: @Sendable () async throws -> Void) async throws {
    await shared.acquire()
    do { try await body() } catch {
      await shared.release()
      throw error
    }
    await shared.release()
  }

  private func acquire() async {
    if !busy {
      busy = true
      return
    }
    await withCheckedContinuation { waiters.append($0) }
  }

  private func release() {
    if waiters.isEmpty { busy = false } else { waiters.removeFirst().resume() }
  }
}
