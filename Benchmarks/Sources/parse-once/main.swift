// Parses one FCS file once — FCSFile(contentsOf:) + dataSets[0].events(.raw, as: Float.self),
// the same work as the FCSParse benchmark — and prints one line:
//   <seconds> <events> <channels> <checksum>
// The checksum is the Double sum of all values, computed after the timer stops, so that
// peers/peers.py can check that CytoReset and the peer readers decoded the same numbers.
// peers.py runs this in a fresh process per measurement to read its peak RSS with getrusage.
//
// PARSE_ONCE_SPLIT=1 also prints to stderr how the time divides between mapping + TEXT and
// decoding DATA (a second parse, after the first).
import BenchFiles
import CytoFCS
import Foundation

func seconds(_ d: Duration) -> Double {
  Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}

func run() throws {
  let args = CommandLine.arguments.dropFirst().filter { $0 != "--sum" }  // --sum: accepted, always on
  guard args.count == 1, let path = args.first else {
    FileHandle.standardError.write("usage: parse-once FILE.fcs\n".data(using: .utf8)!)
    exit(2)
  }
  let t0 = ContinuousClock.now
  let m = try parseOnce(path)
  let elapsed = ContinuousClock.now - t0

  var sum = 0.0
  m.storage.withUnsafeBufferPointer { b in
    for v in b { sum += Double(v) }
  }
  print(String(format: "%.6f", seconds(elapsed)), m.eventCount, m.channelCount, sum)

  if ProcessInfo.processInfo.environment["PARSE_ONCE_SPLIT"] != nil {
    let t1 = ContinuousClock.now
    let f = try FCSFile(contentsOf: path)
    let t2 = ContinuousClock.now
    let m2 = try f.dataSets[0].events(.raw, as: Float.self)
    let t3 = ContinuousClock.now
    FileHandle.standardError.write(
      "open+TEXT \(seconds(t2 - t1)) s, events \(seconds(t3 - t2)) s (\(m2.eventCount) events)\n".data(using: .utf8)!)
  }
}

do { try run() } catch {
  FileHandle.standardError.write("parse-once: \(error)\n".data(using: .utf8)!)
  exit(1)
}
