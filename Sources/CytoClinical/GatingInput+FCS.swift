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
}
