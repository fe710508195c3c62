import Dispatch
import Foundation

/// A one-dimensional transform evaluated lane by lane on ``DVec``.
///
/// Every lane must depend only on its own input (no cross-lane control flow), so the column
/// drivers below, the zero-padded tail and the scalar entry points all give bit-identical
/// results for the same value.
protocol LaneKernel: Sendable {
  /// The forward transform of each lane.
  func forwardLanes(_ x: DVec) -> DVec
  /// The inverse transform of each lane.
  func inverseLanes(_ y: DVec) -> DVec
  /// The forward transform of 4 Floats. Default: widen to Double, ``forwardLanes``, round.
  func forwardFloatLanes(_ x: FVec) -> FVec
  /// The inverse transform of 4 Floats. Default: widen to Double, ``inverseLanes``, round.
  func inverseFloatLanes(_ y: FVec) -> FVec
  /// Transforms Float `src[range]` into `dst[range]` on the calling thread. Default:
  /// ``forwardFloatLanes`` / ``inverseFloatLanes`` over 4-lane vectors.
  func mapFloatRange(_ direction: TransformDirection, _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ range: Range<Int>)
}

extension LaneKernel {
  @inline(__always) func forwardFloatLanes(_ x: FVec) -> FVec { narrow(forwardLanes(widen(x))) }
  @inline(__always) func inverseFloatLanes(_ y: FVec) -> FVec { narrow(inverseLanes(widen(y))) }

  func mapFloatRange(_ direction: TransformDirection, _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
    switch direction {
    case .forward: mapLanes(src, dst, range) { forwardFloatLanes($0) }
    case .inverse: mapLanes(src, dst, range) { inverseFloatLanes($0) }
    }
  }

  /// The forward transform of one value (lane 0 of a splatted vector).
  @inline(__always) func scalarForward(_ x: Double) -> Double { forwardLanes(splat(x))[0] }
  /// The inverse transform of one value (lane 0 of a splatted vector).
  @inline(__always) func scalarInverse(_ y: Double) -> Double { inverseLanes(splat(y))[0] }

  func map(_ direction: TransformDirection, _ input: UnsafeBufferPointer<Double>, _ output: UnsafeMutableBufferPointer<Double>) {
    precondition(output.count == input.count, "output has \(output.count) values, input \(input.count)")
    guard let src = input.baseAddress, let dst = output.baseAddress else { return }
    let s = UncheckedSendable(src), d = UncheckedSendable(dst)
    parallelRanges(count: input.count, grain: 16_384) { range in
      switch direction {
      case .forward: mapLanes(s.value, d.value, range) { forwardLanes($0) }
      case .inverse: mapLanes(s.value, d.value, range) { inverseLanes($0) }
      }
    }
  }

  func map(_ direction: TransformDirection, _ input: UnsafeBufferPointer<Float>, _ output: UnsafeMutableBufferPointer<Float>) {
    precondition(output.count == input.count, "output has \(output.count) values, input \(input.count)")
    guard let src = input.baseAddress, let dst = output.baseAddress else { return }
    let s = UncheckedSendable(src), d = UncheckedSendable(dst)
    parallelRanges(count: input.count, grain: 16_384) { range in
      mapFloatRange(direction, s.value, d.value, range)
    }
  }
}

/// Which way a transform is applied.
enum TransformDirection: Sendable { case forward, inverse }

/// Applies `body` to `src[range]`, 4 values at a time; the tail goes through a zero-padded vector.
@inline(__always)
func mapLanes(
  _ src: UnsafePointer<Double>, _ dst: UnsafeMutablePointer<Double>, _ range: Range<Int>,
  _ body: (DVec) -> DVec
) {
  let rs = UnsafeRawPointer(src), rd = UnsafeMutableRawPointer(dst)
  var i = range.lowerBound
  while i &+ laneCount <= range.upperBound {
    let v = rs.loadUnaligned(fromByteOffset: i &* 8, as: DVec.self)
    rd.storeBytes(of: body(v), toByteOffset: i &* 8, as: DVec.self)
    i &+= laneCount
  }
  if i < range.upperBound {
    var v = DVec()
    for j in 0..<(range.upperBound &- i) { v[j] = src[i &+ j] }
    let r = body(v)
    for j in 0..<(range.upperBound &- i) { dst[i &+ j] = r[j] }
  }
}

/// ``mapLanes(_:_:_:_:)`` for Float storage.
@inline(__always)
func mapLanes(
  _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ range: Range<Int>,
  _ body: (FVec) -> FVec
) {
  let rs = UnsafeRawPointer(src), rd = UnsafeMutableRawPointer(dst)
  var i = range.lowerBound
  while i &+ laneCount <= range.upperBound {
    let v = rs.loadUnaligned(fromByteOffset: i &* 4, as: FVec.self)
    rd.storeBytes(of: body(v), toByteOffset: i &* 4, as: FVec.self)
    i &+= laneCount
  }
  if i < range.upperBound {
    var v = FVec()
    for j in 0..<(range.upperBound &- i) { v[j] = src[i &+ j] }
    let r = body(v)
    for j in 0..<(range.upperBound &- i) { dst[i &+ j] = r[j] }
  }
}

/// A value the caller promises is safe to share across the worker threads of one call
/// (each worker touches a disjoint range of the pointed-to memory).
struct UncheckedSendable<Value>: @unchecked Sendable {
  let value: Value
  init(_ value: Value) { self.value = value }
}

/// Calls `body` on consecutive ranges covering `0..<count`, concurrently when `count` is at
/// least twice `grain` and more than one core is available. Ranges are multiples of 64 long
/// (except the last), so SIMD lanes and mask words never straddle two workers.
func parallelRanges(count: Int, grain: Int, _ body: @Sendable (Range<Int>) -> Void) {
  let cores = ProcessorInfoLite.activeCores
  guard cores > 1, count >= 2 * grain else {
    body(0..<count)
    return
  }
  let pieces = min(cores * 4, count / grain)
  let step = ((count + pieces - 1) / pieces + 63) & ~63
  let tasks = (count + step - 1) / step
  DispatchQueue.concurrentPerform(iterations: tasks) { t in
    let lo = t * step
    body(lo..<min(lo + step, count))
  }
}

/// The number of cores to spread work over (read once).
enum ProcessorInfoLite {
  static let activeCores: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)
}
