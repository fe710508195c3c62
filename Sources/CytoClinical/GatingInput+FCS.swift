import CytoCore
import CytoFCS
import CytoGating

extension GatingInput {
  /// The gating input for an FCS data set: stored values (Float32), their scaling rules
  /// (applied in Double by the engine), and the file's spillover matrix, if any.
  public init(_ dataSet: FCSDataSet) throws {
    self.init(channels: dataSet.parameters.map(\.name), events: try dataSet.events(.raw, as: Float.self),
              scalings: dataSet.scalings, fileSpillover: dataSet.spillover.flatMap { $0.matrix.detectors.isEmpty ? nil : $0.matrix },
              fileSpilloverKeyword: dataSet.spillover.flatMap { $0.matrix.detectors.isEmpty ? nil : $0.keyword })
  }

}

extension ChunkedGatingInput {
  /// The chunked gating input for an FCS data set (as ``GatingInput/init(_:)``), decoding
  /// `chunkBytes` of events at a time and releasing a mapped file's pages behind it. A data set
  /// that cannot be decoded by event range (ASCII, mixed widths: small files in practice) is one
  /// chunk, rather than decoded whole once per chunk.
  public init(_ dataSet: FCSDataSet, chunkBytes: Int = 16 << 20) {
    self.init(channels: dataSet.parameters.map(\.name), eventCount: dataSet.eventCount, scalings: dataSet.scalings,
              fileSpillover: dataSet.spillover.flatMap { $0.matrix.detectors.isEmpty ? nil : $0.matrix },
              fileSpilloverKeyword: dataSet.spillover.flatMap { $0.matrix.detectors.isEmpty ? nil : $0.keyword },
              chunkBytes: dataSet.decodesEventRanges ? chunkBytes : .max) { range in try dataSet.events(.raw, as: Float.self, in: range) }
  }
}
