// One task of the gating benchmark, once, in a fresh process (driven by peers/peers.py, which
// reads the peak RSS of this process with getrusage). Prints two lines:
//   <seconds> <events> <checksum>
//   <population>=<count> …            (sorted by population id; empty for `comp`)
//
//   gate-once comp FILE         compensation + logicle of the 12 marker channels, Float32 in and
//                               out (CompensationMatrix.compensated(_:channelNames:transform:),
//                               which transforms each block as soon as it is compensated);
//                               checksum = Double sum of the 12 transformed columns
//   gate-once engine FILE       GatingEngine.evaluate with bench-10-gates.xml (compensation +
//                               logicle + gates, in Double), parse excluded
//   gate-once gates PREFILE     GatingEngine.evaluate with bench-10-gates-pretransformed.xml on a
//                               pre-transformed file, parse excluded
//   gate-once e2e FILE          parse + GatingInput + evaluate with bench-10-gates.xml
//   gate-once stream FILE       the same end to end, chunk by chunk (ChunkedGatingInput: 16 MB
//                               of events decoded at a time, mapped pages released behind):
//                               memory bounded by one chunk plus the masks, for any file size
//
// With GATE_ONCE_REPEAT=N, engine/gates/e2e then evaluate N more times on the same input and
// print each run's wall and CPU seconds to stderr (CPU time is what a loaded machine distorts least).
import BenchFiles
import CytoCore
import CytoFCS
import CytoGating
import Foundation

func seconds(_ d: Duration) -> Double {
  Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}

func cpuSeconds() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

func run() throws {
  let args = Array(CommandLine.arguments.dropFirst())
  guard args.count == 2 else {
    FileHandle.standardError.write("usage: gate-once comp|engine|gates|e2e|stream FILE.fcs\n".data(using: .utf8)!)
    exit(2)
  }
  let (task, path) = (args[0], args[1])
  switch task {
  case "comp":
    let ds = try FCSFile(contentsOf: path).dataSets[0]
    let events = try ds.events(.raw, as: Float.self)
    let names = ds.parameters.map(\.name)
    let spill = ds.spillover!.matrix
    let t0 = ContinuousClock.now
    let out = try GatingBench.compensateAndTransform(events, channels: names, spillover: spill)
    let elapsed = ContinuousClock.now - t0
    var sum = 0.0
    out.storage.withUnsafeBufferPointer { for v in $0 { sum += Double(v) } }
    print(String(format: "%.6f", seconds(elapsed)), out.eventCount, sum)
    print("")
  case "stream":
    let strategy = try GatingML.read(contentsOf: GatingBench.strategyPath(pretransformed: false))
    let t0 = ContinuousClock.now
    let ds = try FCSFile(contentsOf: path).dataSets[0]
    let result = try GatingEngine.evaluate(strategy, chunks: ChunkedGatingInput(ds))
    let elapsed = ContinuousClock.now - t0
    print(String(format: "%.6f", seconds(elapsed)), result.eventCount, 0)
    print(GatingBench.counts(result).map { "\($0.0)=\($0.1)" }.joined(separator: " "))
  case "engine", "gates", "e2e":
    let strategy = try GatingML.read(contentsOf: GatingBench.strategyPath(pretransformed: task == "gates"))
    let t0 = ContinuousClock.now
    var input: GatingInput? = nil
    var start = t0
    if task == "e2e" {
      input = try GatingBench.input(path)
    } else {
      input = try GatingBench.input(path)
      start = ContinuousClock.now
    }
    var result = try GatingEngine.evaluate(strategy, on: input!)
    let elapsed = ContinuousClock.now - start
    for _ in 0..<(Int(ProcessInfo.processInfo.environment["GATE_ONCE_REPEAT"] ?? "") ?? 0) {
      let (c0, t0) = (cpuSeconds(), ContinuousClock.now)
      result = try GatingEngine.evaluate(strategy, on: input!)
      let (c1, t1) = (cpuSeconds(), ContinuousClock.now)
      FileHandle.standardError.write(String(format: "again wall %.6f cpu %.6f\n", seconds(t1 - t0), c1 - c0).data(using: .utf8)!)
    }
    print(String(format: "%.6f", seconds(elapsed)), result.eventCount, 0)
    print(GatingBench.counts(result).map { "\($0.0)=\($0.1)" }.joined(separator: " "))
  default:
    FileHandle.standardError.write("gate-once: unknown task \(task)\n".data(using: .utf8)!)
    exit(2)
  }
}

do { try run() } catch {
  FileHandle.standardError.write("gate-once: \(error)\n".data(using: .utf8)!)
  exit(1)
}
