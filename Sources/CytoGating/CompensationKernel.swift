import CytoCore
import CytoTransforms
import Dispatch
import Foundation

/// Compensation for gating: selected fluorochromes in `Double`, from detector columns that are
/// `Float` (stored, unscaled) or `Double` (scaled), without materialising all detectors in `Double`.
///
/// out_f[e] = Σ_d M[d, f] · x_d[e], summed over detectors in matrix order starting from 0, in
/// `Double` (the same arithmetic as `CompensationMatrix.compensate(_:)`). Events are processed in
/// blocks of 1,024 so every detector block is read once and the accumulators stay in cache;
/// blocks are split across cores. Memory: the outputs only.
enum CompensationKernel {
  static let block = 1024

  static func run(_ comp: CompensationMatrix, detectors: [DimensionValues], fluorochromes wanted: [Int], count n: Int) -> [[Double]] {
    let nf = comp.fluorochromes.count, nd = detectors.count, nk = wanted.count
    guard nk > 0, n > 0 else { return Array(repeating: [], count: nk).map { _ in [Double](repeating: 0, count: n) } }
    // Coefficients for the wanted outputs: coef[d * nk + k] = M[d, wanted[k]].
    var coef = [Double](repeating: 0, count: nd * nk)
    for d in 0..<nd { for (k, f) in wanted.enumerated() { coef[d * nk + k] = comp.values[d * nf + f] } }
    // Raw buffers while tasks write disjoint ranges, moved into arrays at the end.
    let buffers = (0..<nk).map { _ in UnsafeMutableBufferPointer<Double>.allocate(capacity: n) }
    defer { for b in buffers { b.deallocate() } }
    let outPtrs = buffers.map { $0.baseAddress! }
    Kernels.withRaw(detectors) { ptrs, isFloat in
      do {
      let ctx = SendableRef((ptrs, isFloat, outPtrs, coef))
      let blocks = (n + block - 1) / block
      let cores = ProcessInfo.processInfo.activeProcessorCount
      let tasks = n >= 1 << 16 ? max(1, min(cores, blocks)) : 1
      let per = (blocks + tasks - 1) / tasks
      let body: @Sendable (Int) -> Void = { t in
        let (ptrs, isFloat, outPtrs, coef) = ctx.value
        var acc = [Double](repeating: 0, count: nk * block)
        acc.withUnsafeMutableBufferPointer { acc in
          for b in (t * per)..<min(blocks, (t + 1) * per) {
            let e0 = b * block, len = min(block, n - e0)
            for i in 0..<(nk * block) { acc[i] = 0 }
            for d in 0..<nd {
              let p = ptrs[d]
              for k in 0..<nk {
                let c = coef[d * nk + k]
                let a = acc.baseAddress! + k * block
                if isFloat[d] {
                  let x = p.assumingMemoryBound(to: Float.self) + e0
                  for i in 0..<len { a[i] += c * Double(x[i]) }
                } else {
                  let x = p.assumingMemoryBound(to: Double.self) + e0
                  for i in 0..<len { a[i] += c * x[i] }
                }
              }
            }
            for k in 0..<nk { (outPtrs[k] + e0).update(from: acc.baseAddress! + k * block, count: len) }
          }
        }
      }
      if tasks == 1 { body(0) } else { DispatchQueue.concurrentPerform(iterations: tasks, execute: body) }
      }
    }
    return buffers.map { b in [Double](unsafeUninitializedCapacity: n) { out, c in _ = out.moveInitialize(fromContentsOf: b); c = n } }
  }
}
