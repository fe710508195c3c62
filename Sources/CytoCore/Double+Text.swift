extension Double {
  /// The number as text for keywords, tables and machine output: an integral value below 10¹⁵
  /// without a decimal point (`262144`), any other value in the shortest form that reads back
  /// to the same `Double` (`0.1`, `6.422416e-07`, `nan`, `inf`).
  public var compactText: String {
    self == rounded() && Swift.abs(self) < 1e15 ? String(Int(self)) : String(self)
  }
}
