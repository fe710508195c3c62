// libFuzzer entry point for the FlowJo workspace reader and counter.
//
// Built by fuzz/run.sh (FUZZ_TARGET=workspace) against CytoCore, CytoTransforms, CytoGating and
// CytoWorkspace compiled by SwiftPM with coverage and AddressSanitizer. The promises checked here:
//
// - any input either reads into a `FlowJoWorkspace` or throws a `WorkspaceError` that names the
//   file and says where (a line or an element), never a crash, hang or oversized allocation;
// - a read workspace's every sample can be handed to `FlowJoCounter` (both geometries) on a
//   small synthetic data set holding every channel its gates name: it counts, or throws a
//   `WorkspaceCountError`; counts never exceed their parent's.
import CytoCore
import CytoGating
import CytoWorkspace
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func workspaceReaderFuzz(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
  let data = count > 0 && start != nil ? Data(bytes: start!, count: count) : Data()
  let ws: FlowJoWorkspace
  do {
    ws = try FlowJoWorkspace(data: data, file: "fuzz.wsp")
  } catch {
    precondition(error.file == "fuzz.wsp", "WorkspaceError without its file: \(error)")
    precondition(error.line != nil || error.element != nil, "WorkspaceError without a line or element: \(error)")
    return 0
  }
  _ = WorkspaceDiagnostics.check(ws)
  for sample in ws.samples {
    var channels: [ChannelName] = []
    for node in sample.allPopulations {
      guard case .gate(let g) = node.definition else { continue }
      for d in g.shape.dimensions where !channels.contains(d.channel) { channels.append(d.channel) }
    }
    if let m = sample.compensation {
      for d in m.spillover.detectors where !channels.contains(d) { channels.append(d) }
    }
    guard !channels.isEmpty, channels.count <= 64 else { continue }
    let events = 64
    var values = [Float](repeating: 0, count: events * channels.count)
    for i in values.indices {   // spread over negatives, zero, the linear range and beyond
      let k = Float(i % events)
      values[i] = (k - 8) * (k - 8) * (k.truncatingRemainder(dividingBy: 3) == 0 ? -40 : 70)
    }
    let input = GatingInput(channels: channels,
                            events: EventMatrix(eventCount: events, channelCount: channels.count, columnMajor: values))
    for mode in [GeometryMode.flowJo, .exact] {
      do {
        let counts = try FlowJoCounter(sample: sample, mode: mode).count(input)
        var byPath: [[String]: Int] = [:]
        for p in counts.populations { byPath[p.path] = p.count }
        for p in counts.populations {
          let parent = p.path.count > 1 ? byPath[Array(p.path.dropLast())] ?? events : events
          precondition(p.count >= 0 && p.count <= parent, "population \(p.path) counted \(p.count) of a parent with \(parent)")
        }
      } catch {
        _ = error.description   // typed: WorkspaceCountError
      }
    }
  }
  return 0
}
