// libFuzzer entry point for the FCS reader.
//
// Built by fuzz/run.sh together with the CytoCore and CytoFCS sources as one module
// (their `import CytoCore` lines are stripped at build time), so this file calls the
// reader directly. The reader's promise is checked here: any input either reads or
// throws an `FCSError`; a crash, a hang, an oversized allocation or an error of another
// type is a bug.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fcsReaderFuzz(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
  let data = count > 0 && start != nil ? Data(bytes: start!, count: count) : Data()
  for check in [FCSFile.DataCheck.strict, .deferred] {
    let file: FCSFile
    do {
      file = try FCSFile(bytes: data, path: "fuzz.fcs", dataCheck: check)
    } catch let e as FCSError {
      requireLocated(e)
      continue
    } catch {
      fatalError("FCSFile(bytes:) threw a non-FCSError: \(error)")
    }
    for u in file.unreadableDataSets {
      requireLocated(u.error)
      precondition(u.index > 0 && u.error.dataSet == u.index, "unreadable data set without its index: \(u.error)")
      do { _ = try file.dataSet(u.index); fatalError("dataSet(\(u.index)) of an unreadable data set returned") } catch {}
    }
    for ds in file.dataSets {
      for scale in [FCSValueScale.raw, .scaled] {
        do {
          let m = try ds.events(scale, as: Float.self)
          precondition(m.eventCount == ds.eventCount && m.channelCount == ds.parameters.count,
                       "matrix shape differs from the data set")
        } catch let e as FCSError {
          requireLocated(e)
        } catch {
          fatalError("events(\(scale)) threw a non-FCSError: \(error)")
        }
      }
      _ = ds.spillover
      _ = ds.acquisition
    }
  }
  return 0
}

/// Every reading error must name the file and a segment.
private func requireLocated(_ e: FCSError) {
  precondition(e.location.file == "fuzz.fcs", "FCSError without the file: \(e)")
  precondition(e.location.section != nil, "FCSError without a segment: \(e)")
}
