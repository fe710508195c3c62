import Foundation
import Synchronization
import Testing

@testable import CytoCLI

/// The batch progress line's formatting (a pure function of one frame).
@Suite struct ProgressFrameTests {
  @Test func durations() {
    #expect(ProgressFrame.duration(nil) == "--:--")
    #expect(ProgressFrame.duration(0) == "0:00")
    #expect(ProgressFrame.duration(7.4) == "0:07")
    #expect(ProgressFrame.duration(59.6) == "1:00")
    #expect(ProgressFrame.duration(754) == "12:34")
    #expect(ProgressFrame.duration(3599.4) == "59:59")
    #expect(ProgressFrame.duration(3723) == "1:02:03")
    #expect(ProgressFrame.duration(100 * 3600) == "100:00:00")
    #expect(ProgressFrame.duration(-1) == "--:--")
    #expect(ProgressFrame.duration(.infinity) == "--:--")
    #expect(ProgressFrame.duration(.nan) == "--:--")
  }

  @Test func rates() {
    #expect(ProgressFrame.rate(nil) == "-- events/s")
    #expect(ProgressFrame.rate(0) == "0 events/s")
    #expect(ProgressFrame.rate(850) == "850 events/s")
    #expect(ProgressFrame.rate(999.6) == "1.0 k events/s")
    #expect(ProgressFrame.rate(12_345) == "12.3 k events/s")
    #expect(ProgressFrame.rate(999_960) == "1.00 M events/s")
    #expect(ProgressFrame.rate(4_561_000) == "4.56 M events/s")
    #expect(ProgressFrame.rate(1.2e9) == "1.20 G events/s")
    #expect(ProgressFrame.rate(.infinity) == "-- events/s")
  }

  @Test func rateAndETAFromTheFinishedFiles() {
    var f = ProgressFrame(label: "ingest", done: 0, total: 100, events: 0, elapsed: 3)
    #expect(f.eventsPerSecond == nil)
    #expect(f.eta == nil)
    f.done = 25
    f.events = 2_500_000
    f.elapsed = 10
    #expect(f.eventsPerSecond == 250_000)
    #expect(f.eta == 30)
    f.done = 100
    #expect(f.eta == 0)
    #expect(ProgressFrame(label: "x", done: 0, total: 0, events: 0, elapsed: 0).eta == 0)
  }

  @Test func fullLine() {
    let f = ProgressFrame(label: "analyze", done: 50, total: 100, events: 5_000_000, elapsed: 20)
    let line = f.line(width: 120)
    #expect(line == "analyze [###############               ] 50/100 files  250.0 k events/s  0:20 elapsed  ETA 0:20")
  }

  @Test func neverWiderThanTheTerminal() {
    let f = ProgressFrame(label: "ingest", done: 37, total: 100, events: 123_456_789, elapsed: 4000,
                          note: "committing 50 visits to /data/cohorts/a-very-long-directory-name/cohort.h5")
    for width in 0...240 {
      let line = f.line(width: width)
      #expect(line.count <= max(1, width - 1), "width \(width): \(line)")
      #expect(!line.contains("\n") && !line.contains("\r"))
      if width >= 24 { #expect(line.contains("37/100 files"), "width \(width): \(line)") }
    }
    // The bar goes before the rate, the rate before the ETA.
    let narrow = f.line(width: 60)
    #expect(!narrow.contains("[") && narrow.contains("ETA"), "\(narrow)")
    #expect(f.line(width: 40) == "ingest 37/100 files  ETA 1:53:31")
    // A note that does not fit goes before the bar does, then keeps its end (the file name).
    #expect(f.line(width: 146) == "ingest 37/100 files  30.9 k events/s  1:06:40 elapsed  ETA 1:53:31  "
              + "committing 50 visits to /data/cohorts/a-very-long-directory-name/cohort.h5")
    #expect(f.line(width: 130) == "ingest 37/100 files  30.9 k events/s  1:06:40 elapsed  ETA 1:53:31  "
              + "…visits to /data/cohorts/a-very-long-directory-name/cohort.h5")
    #expect(f.line(width: 250).hasSuffix("  committing 50 visits to /data/cohorts/a-very-long-directory-name/cohort.h5"))
  }

  @Test func barFill() {
    func bar(_ done: Int, _ total: Int) -> String {
      let line = ProgressFrame(label: "a", done: done, total: total, events: 0, elapsed: 0).line(width: 200)
      return String(line.split(separator: "[")[1].split(separator: "]")[0])
    }
    #expect(bar(0, 10) == String(repeating: " ", count: 30))
    #expect(bar(10, 10) == String(repeating: "#", count: 30))
    #expect(bar(1, 3) == String(repeating: "#", count: 10) + String(repeating: " ", count: 20))
    #expect(bar(0, 0) == String(repeating: "#", count: 30))
    // The bar keeps its width while the numbers change (80 columns leave less than 30 for it).
    let widths = [(1, 0.5, 0), (9, 3.0, 10_000), (10, 61.0, 99_000_000), (99, 3599.0, 5_000_000)].map { d, t, e in
      ProgressFrame(label: "analyze", done: d, total: 100, events: e, elapsed: t).line(width: 80).split(separator: "]")[0].count
    }
    #expect(Set(widths).count == 1 && widths[0] < 30 + 9, "\(widths)")
  }
}

/// The ordered worker pipeline under `ingest`: order, window, errors.
@Suite struct BatchPipelineTests {
  @Test func consumesInIndexOrderWithinTheWindow() throws {
    let inFlight = Mutex((now: 0, most: 0))
    var consumed: [Int] = []
    try Batch.ordered(
      60, workers: 4, window: 5,
      work: { i in
        inFlight.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
        usleep(UInt32((i * 7919) % 5) * 200)  // unequal durations
        return i * i
      }
    ) { i, r in
      let v = try r.get()
      #expect(v == i * i)
      consumed.append(i)
      inFlight.withLock { $0.now -= 1 }
    }
    #expect(consumed == Array(0..<60))
    // Started but not yet consumed, the one being consumed included.
    #expect(inFlight.withLock { $0.most } <= 5)
  }

  @Test func workErrorsArriveAsFailuresInPlace() throws {
    struct Bad: Error {}
    var seen: [String] = []
    try Batch.ordered(6, workers: 3, work: { i in if i % 3 == 1 { throw Bad() }; return i }) { i, r in
      switch r {
      case .success(let v): seen.append("\(v)")
      case .failure: seen.append("x\(i)")
      }
    }
    #expect(seen == ["0", "x1", "2", "3", "x4", "5"])
  }

  @Test func aConsumerErrorStopsTheBatch() throws {
    struct Stop: Error {}
    let started = Mutex(0)
    #expect(throws: Stop.self) {
      try Batch.ordered(1000, workers: 2, window: 3, work: { i in started.withLock { $0 += 1 }; return i }) { i, _ in
        if i == 10 { throw Stop() }
      }
    }
    // Nothing beyond the window after the failing index was started.
    #expect(started.withLock { $0 } <= 10 + 3)
  }
}

/// Events gated inside files that are not finished yet count in the progress line's rate, and
/// a finished file's partial count is replaced by its total (not counted twice).
@Suite struct ProgressInFileTests {
  @Test func partialEventsCountUntilTheFileIsDone() {
    let bar = ProgressBar(label: "analyze", total: 2, enabled: false)
    bar.gated(0, events: 4_000_000, of: 10_000_000)
    bar.gated(1, events: 1_000_000, of: 4_000_000)
    bar.gated(0, events: 6_000_000, of: 10_000_000)  // the latest count of a file replaces the earlier one
    #expect(bar.frame.events == 7_000_000 && bar.frame.done == 0)
    #expect(abs(bar.frame.inFlight - 0.85) < 1e-12)
    bar.fileDone(events: 10_000_000, key: 0)
    #expect(bar.frame.events == 11_000_000 && bar.frame.done == 1 && abs(bar.frame.inFlight - 0.25) < 1e-12)
    bar.fileDone(events: 0, key: 1)  // failed: its partial count goes too
    #expect(bar.frame.events == 10_000_000 && bar.frame.done == 2 && bar.frame.inFlight == 0)
  }

  /// One large file: its gated fraction drives the bar and the ETA before it finishes.
  @Test func etaAndBarFromTheFractionInProgress() {
    var f = ProgressFrame(label: "analyze", done: 0, total: 1, events: 25_000_000, elapsed: 4, inFlight: 0.25)
    #expect(f.eta == 12)
    #expect(f.line(width: 120).hasPrefix("analyze [#######                       ] 0/1 files"))
    f.inFlight = 0
    #expect(f.eta == nil)
  }

  @Test func batchWorkReportsGatedEvents() {
    let seen = Mutex<[Int]>([])
    let results = Batch.run([0, 1, 2], label: "t", events: { (n: Int) in n }) { i, gated in
      gated(i * 10, 100)
      seen.withLock { $0.append(i) }
      return i * 100
    }
    #expect(results.keys.sorted() == [0, 1, 2] && (try? results[2]?.get()) == 200)
    #expect(seen.withLock { $0.sorted() } == [0, 1, 2])
  }
}
