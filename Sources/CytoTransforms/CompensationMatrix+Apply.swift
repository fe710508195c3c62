import CytoCore
#if canImport(Glibc)
import Glibc
#endif

extension CompensationMatrix {
  /// The compensated fluorochrome columns of column-major `data`.
  ///
  /// Column `f` of the result is Σ_d values[d·F + f] · data[detectorColumns[d]], accumulated
  /// in Float64 over detectors in matrix order and rounded once to `S` — bit-identical to
  /// ``compensate(_:)`` on each event. Work is blocked as 4 fluorochromes × 4 events per
  /// SIMD step over chunks of 512 events, and split across cores from 16,384 events on.
  ///
  /// IEEE semantics: NaN or ±∞ in a detector reaches every fluorochrome (0·∞ is NaN).
  ///
  /// - Parameters:
  ///   - data: events × channels, column-major.
  ///   - detectorColumns: the data column of each detector, in ``detectors`` order (resolve
  ///     names with ``ChannelResolution``).
  /// - Returns: events × fluorochromes, in ``fluorochromes`` order.
  /// - Throws: ``CompensationError/detectorColumnCount(expected:given:)`` or
  ///   ``CompensationError/detectorColumnOutOfRange(_:channelCount:)``.
  public func compensated<S: EventScalar>(
    _ data: EventMatrix<S>, detectorColumns: [ChannelIndex]
  ) throws(CompensationError) -> EventMatrix<S> {
    try compensated(data, detectorColumns: detectorColumns, after: [])
  }

  /// The shared driver: compensation, then `transforms[f]` on each block of column f
  /// (`transforms` empty or one per fluorochrome).
  private func compensated<S: EventScalar>(
    _ data: EventMatrix<S>, detectorColumns: [ChannelIndex], after transforms: [ScaleTransform?]
  ) throws(CompensationError) -> EventMatrix<S> {
    guard detectorColumns.count == detectors.count else {
      throw .detectorColumnCount(expected: detectors.count, given: detectorColumns.count)
    }
    for c in detectorColumns where c.rawValue < 0 || c.rawValue >= data.channelCount {
      throw .detectorColumnOutOfRange(c, channelCount: data.channelCount)
    }
    let n = data.eventCount, nf = fluorochromes.count
    let plan = CompensationPlan(self)
    return data.storage.withUnsafeBufferPointer { all in
      EventMatrix<S>(eventCount: n, channelCount: nf) { out in
        guard n > 0, let inBase = all.baseAddress, let outBase = out.baseAddress else { return }
        adviseHugePages(UnsafeMutableRawBufferPointer(out))
        let inputs = UncheckedSendable(detectorColumns.map { UnsafeRawPointer(inBase + $0.rawValue * n) })
        let outputs = UncheckedSendable((0..<nf).map { UnsafeMutableRawPointer(outBase + $0 * n) })
        let steps = transforms.enumerated().compactMap { f, t in t.map { (f, $0) } }
        parallelRanges(count: n, grain: 8_192) { range in
          // Dispatch to a loop specialised for the storage type.
          if S.self == Float.self {
            let outs = outputs.value.map { $0.assumingMemoryBound(to: Float.self) }
            plan.run(inputs.value.map { $0.assumingMemoryBound(to: Float.self) }, outs, range) { block in
              for (f, t) in steps { t.forwardSerial(outs[f], block) }
            }
          } else if S.self == Double.self {
            let outs = outputs.value.map { $0.assumingMemoryBound(to: Double.self) }
            plan.run(inputs.value.map { $0.assumingMemoryBound(to: Double.self) }, outs, range) { block in
              for (f, t) in steps { t.forwardSerial(outs[f], block) }
            }
          } else {
            let outs = outputs.value.map { $0.assumingMemoryBound(to: S.self) }
            plan.run(inputs.value.map { $0.assumingMemoryBound(to: S.self) }, outs, range) { block in
              for (f, t) in steps { t.forwardSerial(outs[f], block) }
            }
          }
        }
      }
    }
  }

  /// The compensated fluorochrome columns of `data`, each then transformed by its entry of
  /// `transforms` (`nil`: left compensated), in one pass.
  ///
  /// The result equals ``compensated(_:detectorColumns:)`` followed by
  /// ``ScaleTransform/forward(_:into:)`` on each column, bit for bit, but the work is done
  /// block by block (512 events: compensate, then transform while the block is in cache),
  /// split across cores from 16,384 events on. For Float data the Logicle and Hyperlog
  /// forward transforms use the Float32 table kernel (see ``ScaleTransform/forward(_:into:)``).
  ///
  /// - Parameters:
  ///   - data: events × channels, column-major.
  ///   - detectorColumns: the data column of each detector, in ``detectors`` order.
  ///   - transforms: one entry per fluorochrome, in ``fluorochromes`` order.
  /// - Returns: events × fluorochromes, in ``fluorochromes`` order.
  /// - Throws: like ``compensated(_:detectorColumns:)``.
  /// - Precondition: `transforms.count == fluorochromes.count`.
  public func compensated<S: EventScalar>(
    _ data: EventMatrix<S>, detectorColumns: [ChannelIndex], transforms: [ScaleTransform?]
  ) throws(CompensationError) -> EventMatrix<S> {
    precondition(
      transforms.count == fluorochromes.count,
      "\(transforms.count) transforms for \(fluorochromes.count) fluorochromes")
    return try compensated(data, detectorColumns: detectorColumns, after: transforms)
  }

  /// ``compensated(_:detectorColumns:transforms:)`` with the detector columns found by name
  /// and the same transform for every fluorochrome.
  ///
  /// - Throws: ``ChannelResolutionError`` listing every unmatched or ambiguous detector, or a
  ///   ``CompensationError``.
  public func compensated<S: EventScalar>(
    _ data: EventMatrix<S>, channelNames: [ChannelName], transform: ScaleTransform
  ) throws -> EventMatrix<S> {
    let resolution = try ChannelResolution(resolving: detectors, against: channelNames)
    return try compensated(
      data, detectorColumns: resolution.indices, after: [ScaleTransform?](repeating: transform, count: fluorochromes.count))
  }

  /// ``compensated(_:detectorColumns:)`` with the detector columns found by name.
  ///
  /// - Parameter channelNames: the data's channel names (`$PnN`), in column order; matrix
  ///   names are matched exactly first, then with the prefixes `Comp-`, `FJComp-` and
  ///   `Comp_` removed or added (see ``ChannelResolution``).
  /// - Throws: ``ChannelResolutionError`` listing every unmatched or ambiguous detector, or a
  ///   ``CompensationError``.
  public func compensated<S: EventScalar>(_ data: EventMatrix<S>, channelNames: [ChannelName]) throws -> EventMatrix<S> {
    let resolution = try ChannelResolution(resolving: detectors, against: channelNames)
    return try compensated(data, detectorColumns: resolution.indices)
  }
}

/// The coefficients laid out for the blocked kernel: detectors × fluorochromes padded to a
/// multiple of 4 with zeros.
struct CompensationPlan: Sendable {
  static let chunk = 512
  let detectors: Int
  let fluorochromes: Int
  let paddedFluorochromes: Int
  let coefficients: [Double]

  init(_ m: CompensationMatrix) {
    detectors = m.detectors.count
    fluorochromes = m.fluorochromes.count
    paddedFluorochromes = (fluorochromes + 3) & ~3
    var c = [Double](repeating: 0, count: detectors * paddedFluorochromes)
    for d in 0..<detectors {
      for f in 0..<fluorochromes { c[d * paddedFluorochromes + f] = m.values[d * fluorochromes + f] }
    }
    coefficients = c
  }

  /// Compensates `range` of the events: stage each detector's chunk as Double (zero-padded
  /// to whole vectors), then accumulate 4 fluorochromes × 8 events per step.
  ///
  /// `afterBlock` is called with each block's event range once its outputs are written.
  func run<S: EventScalar>(
    _ inputs: [UnsafePointer<S>], _ outputs: [UnsafeMutablePointer<S>], _ range: Range<Int>,
    afterBlock: (Range<Int>) -> Void = { _ in }
  ) {
    let nd = detectors, nfp = paddedFluorochromes, nf = fluorochromes
    withUnsafeTemporaryAllocation(of: Double.self, capacity: nd * Self.chunk) { stage in
      guard let st = stage.baseAddress else { return }
      coefficients.withUnsafeBufferPointer { cbuf in
        guard let coef = cbuf.baseAddress else { return }
        var start = range.lowerBound
        while start < range.upperBound {
          let len = min(Self.chunk, range.upperBound - start)
          // Whole groups of 2 vectors (8 events), zero-padded.
          let group = 2 &* laneCount
          let padded = (len + group - 1) & ~(group - 1)
          for d in 0..<nd {
            let src = inputs[d] + start
            let dst = st + d &* Self.chunk
            for i in 0..<len { dst[i] = Double(src[i]) }
            for i in len..<padded { dst[i] = 0 }
          }
          let raw = UnsafeRawPointer(st)
          var f = 0
          while f < nf {
            var e = 0
            while e < padded {
              // 4 fluorochromes × 8 events: 8 independent accumulators, each coefficient
              // broadcast once per detector and used twice.
              var a0 = DVec(), a1 = DVec(), a2 = DVec(), a3 = DVec()
              var b0 = DVec(), b1 = DVec(), b2 = DVec(), b3 = DVec()
              var xp = raw + e &* 8
              var c = coef + f
              for _ in 0..<nd {
                let x = xp.loadUnaligned(as: DVec.self)
                let y = xp.loadUnaligned(fromByteOffset: laneCount &* 8, as: DVec.self)
                let (c0, c1, c2, c3) = (c[0], c[1], c[2], c[3])
                a0 += x * c0
                b0 += y * c0
                a1 += x * c1
                b1 += y * c1
                a2 += x * c2
                b2 += y * c2
                a3 += x * c3
                b3 += y * c3
                xp += Self.chunk &* 8
                c += nfp
              }
              let at = start + e
              let count = min(laneCount, len - e)
              store(a0, outputs, f, at, count, nf)
              store(a1, outputs, f + 1, at, count, nf)
              store(a2, outputs, f + 2, at, count, nf)
              store(a3, outputs, f + 3, at, count, nf)
              let count2 = min(laneCount, len - e - laneCount)
              if count2 > 0 {
                store(b0, outputs, f, at + laneCount, count2, nf)
                store(b1, outputs, f + 1, at + laneCount, count2, nf)
                store(b2, outputs, f + 2, at + laneCount, count2, nf)
                store(b3, outputs, f + 3, at + laneCount, count2, nf)
              }
              e += group
            }
            f += 4
          }
          afterBlock(start..<(start + len))
          start += len
        }
      }
    }
  }

  @inline(__always)
  private func store<S: EventScalar>(
    _ v: DVec, _ outputs: [UnsafeMutablePointer<S>], _ f: Int, _ at: Int, _ count: Int, _ nf: Int
  ) {
    guard f < nf else { return }
    let p = outputs[f] + at
    if S.self == Double.self, count == laneCount {
      UnsafeMutableRawPointer(p).storeBytes(of: v, as: DVec.self)
    } else if S.self == Float.self, count == laneCount {
      UnsafeMutableRawPointer(p).storeBytes(of: narrow(v), as: FVec.self)
    } else {
      for i in 0..<count { p[i] = S(v[i]) }
    }
  }
}

/// Asks Linux to back a large, not yet touched output buffer with transparent huge pages: a
/// fresh 480 MB result otherwise takes ~120,000 page faults, each zeroing 4 KiB (measured ~20%
/// of compensation + logicle of 10⁷ events). Only the 2 MiB-aligned interior is advised; the
/// advice changes no value.
func adviseHugePages(_ buffer: UnsafeMutableRawBufferPointer) {
  #if os(Linux)
  let huge = 2 << 20
  guard buffer.count >= 2 * huge, let base = buffer.baseAddress else { return }
  let start = (Int(bitPattern: base) + huge - 1) & ~(huge - 1)
  let end = (Int(bitPattern: base) + buffer.count) & ~(huge - 1)
  guard end > start, let p = UnsafeMutableRawPointer(bitPattern: start) else { return }
  _ = madvise(p, end - start, MADV_HUGEPAGE)
  #endif
}
