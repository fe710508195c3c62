import CytoTransforms

/// One instance of every scale transform (two parameter sets for the root-finding ones).
enum AllTransforms {
  static let list: [ScaleTransform] = {
    do {
      return [
        .flin(try LinearParameters(t: 10_000, a: 500)),
        .flog(try LogarithmicParameters(t: 262_144, m: 4.5)),
        .fasinh(try ArcsinhParameters(t: 262_144, m: 4.5, a: 0.5)),
        .logicle(try LogicleParameters(t: 262_144, w: 0.5, m: 4.5, a: 0)),
        .logicle(try LogicleParameters(t: 10_000, w: 1, m: 4, a: 0.5)),
        .hyperlog(try HyperlogParameters(t: 262_144, w: 0.5, m: 4.5, a: 0)),
        .hyperlog(try HyperlogParameters(t: 10_000, w: 1, m: 4.5, a: -0.5)),
        .gml15Asinh(try ScaledArcsinhParameters(a: 1, b: 1)),
        .flowJoBiex(try FlowJoBiexParameters(widthBasis: -10, positiveDecades: 4.418540, negativeDecades: 0, maxValue: 262_144)),
      ]
    } catch {
      fatalError("\(error)")
    }
  }()

  /// Data values covering every region: zeros, tiny, the linear region, T, huge, specials.
  static func awkwardValues(top t: Double) -> [Double] {
    [
      0, -0.0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, 1e-300, -1e-300, 1e-9, -1e-9, 0.3, -0.3, 1, -1, 42, -42, 1000, -1000,
      t / 2, t, -t, t * (1 + 1e-12), 1e12 * t, -1e12 * t, 1e38, -1e38, 1e300, -1e300,
      .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .infinity, -.infinity, .nan,
    ]
  }
}
