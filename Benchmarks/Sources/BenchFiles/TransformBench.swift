import CytoCore
import CytoTransforms
import Foundation

/// The transform and compensation benchmarks: every `ScaleTransform` kind forward on the 12
/// marker columns of a benchmark file (after compensation, so the values have the negative
/// spread real compensated data have), in Float32 and Float64; and compensation alone.
public enum TransformBench {
  /// How many marker (fluorescence) columns are transformed: the first 12 of the spillover
  /// (all 12 of a 16-channel file, 12 of the 28 of the 32-channel file).
  public static let markerCount = 12

  /// One of each kind `ScaleTransform` has, with the parameters a cytometry user would pick
  /// for 18-bit data (T = 262,144, 4.5 decades).
  public static let kinds: [(name: String, transform: ScaleTransform)] = [
    ("flin", .flin(try! LinearParameters(t: 262_144, a: 0))),
    ("flog", .flog(try! LogarithmicParameters(t: 262_144, m: 4.5))),
    ("fasinh", .fasinh(try! ArcsinhParameters(t: 262_144, m: 4.5, a: 0))),
    ("asinh-gml15", .gml15Asinh(try! ScaledArcsinhParameters(a: 1.0 / 150, b: 1))),  // asinh(x/150)
    ("logicle", .logicle(try! LogicleParameters(t: 262_144, w: 0.5, m: 4.5, a: 0))),
    ("hyperlog", .hyperlog(try! HyperlogParameters(t: 262_144, w: 0.5, m: 4.5, a: 0))),
    // FlowJo's defaults: width basis −10 (W = 0.5), 4.42 positive decades, no extra negative decades.
    ("flowjo-biex", .flowJoBiex(try! FlowJoBiexParameters(widthBasis: -10, positiveDecades: 4.42, negativeDecades: 0, maxValue: 262_144))),
  ]

  /// The first ``markerCount`` compensated fluorescence columns of `file` (Float32,
  /// column-major: events × 12), computed once for the benchmark's setup.
  public static func markerColumns(_ file: BenchFile) throws -> EventMatrix<Float> {
    let input = try GatingBench.input(file.path)
    guard let spill = input.fileSpillover else { throw BenchError("\(file.path) has no $SPILLOVER") }
    let comp = try CompensationMatrix(spill)
    let all = try comp.compensated(input.events, channelNames: input.channels)
    return all.selectingChannels((0..<markerCount).map { ChannelIndex($0) })
  }

  /// `transform.forward` on every column of `input` into the same column of `output` (one
  /// call per column, as a user transforming channels one by one would).
  @inline(never)
  public static func forward(_ transform: ScaleTransform, _ input: EventMatrix<Float>, into output: inout EventMatrix<Float>) {
    let n = input.eventCount
    input.storage.withUnsafeBufferPointer { src in
      output.withUnsafeMutableStorage { dst in
        for c in 0..<input.channelCount {
          transform.forward(UnsafeBufferPointer(rebasing: src[(c * n)..<((c + 1) * n)]),
                            into: UnsafeMutableBufferPointer(rebasing: dst[(c * n)..<((c + 1) * n)]))
        }
      }
    }
  }

  /// The Float64 version of ``forward(_:_:into:)-(_,EventMatrix<Float>,_)``.
  @inline(never)
  public static func forward(_ transform: ScaleTransform, _ input: EventMatrix<Double>, into output: inout EventMatrix<Double>) {
    let n = input.eventCount
    input.storage.withUnsafeBufferPointer { src in
      output.withUnsafeMutableStorage { dst in
        for c in 0..<input.channelCount {
          transform.forward(UnsafeBufferPointer(rebasing: src[(c * n)..<((c + 1) * n)]),
                            into: UnsafeMutableBufferPointer(rebasing: dst[(c * n)..<((c + 1) * n)]))
        }
      }
    }
  }

  /// Compensation alone, as a user of CytoTransforms writes it: the matrix from the file's
  /// `$SPILLOVER` (inverted here), detectors found by name, every fluorochrome compensated.
  @inline(never)
  public static func compensate<S: EventScalar>(_ events: EventMatrix<S>, channels: [ChannelName],
                                                spillover: SpilloverMatrix) throws -> EventMatrix<S> {
    let comp = try CompensationMatrix(spillover)
    return try comp.compensated(events, channelNames: channels)
  }
}
