/// An error with a message, for checks inside benchmarks.
public struct BenchError: Error, CustomStringConvertible {
  public let description: String
  public init(_ description: String) { self.description = description }
}
