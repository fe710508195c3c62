import CytoCore
import CytoFCS
import CytoGating

extension GatingInput {
  /// The gating input for an FCS data set: stored values (Float32), their scaling rules
  /// (applied in Double by the engine), and the file's spillover matrix, if any.
  public init(_ dataSet: FCSDataSet) throws {
    self.init(channels: dataSet.parameters.map(\.name), events: try dataSet.events(.raw, as: Float.self),
              scalings: dataSet.scalings, fileSpillover: dataSet.spillover.flatMap { $0.matrix.detectors.isEmpty ? nil : $0.matrix })
  }

  /// One channel's values under `compensation` over all events: what
  /// `GatingEngine.channelValues(_:compensation:input:strategy:)` returns, computing only
  /// this channel.
  ///
  /// The engine compensates every fluorochrome its strategy reads to return one of them (all
  /// of them without a strategy): 11 outputs of 10⁷ `Double`s, 0.9 GB, for each channel asked
  /// for. Here the strategy's only gate reads this channel, so only its output is computed.
  /// Each output is its own sum over the detectors in detector order, so the values are
  /// bit-identical. `spectrumMatrices` are needed for `.matrix` references only.
  public func channelValues(_ name: ChannelName, compensation: CompensationReference,
                            spectrumMatrices: [SpectrumMatrix] = []) throws -> DimensionValues {
    let probe = Gate(id: GateID("(values)"), shape: .rectangle([RectangleSide(.channel(name, compensation: compensation))]))
    let strategy = try GatingStrategy(spectrumMatrices: spectrumMatrices, gates: [probe])
    return try GatingEngine.channelValues(name, compensation: compensation, input: self, strategy: strategy)
  }
}

extension ChunkedGatingInput {
  /// The chunked gating input for an FCS data set (as ``GatingInput/init(_:)``), decoding
  /// `chunkBytes` of events at a time and releasing a mapped file's pages behind it.
  public init(_ dataSet: FCSDataSet, chunkBytes: Int = 16 << 20) {
    self.init(channels: dataSet.parameters.map(\.name), eventCount: dataSet.eventCount, scalings: dataSet.scalings,
              fileSpillover: dataSet.spillover.flatMap { $0.matrix.detectors.isEmpty ? nil : $0.matrix },
              chunkBytes: chunkBytes) { range in try dataSet.events(.raw, as: Float.self, in: range) }
  }
}
