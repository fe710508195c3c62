import CytoTransforms
import Foundation
import Testing

/// The NaN / ±∞ / ±0 / extreme-value semantics documented on ``ScaleTransform``.
@Suite("Special values")
struct SpecialValueTests {
  @Test(arguments: AllTransforms.list)
  func nanAndInfinities(_ t: ScaleTransform) {
    #expect(t.forward(.nan).isNaN)
    #expect(t.inverse(.nan).isNaN)
    #expect(t.forward(.infinity) == .infinity)
    #expect(t.inverse(.infinity) == .infinity)
    if t.kind == .flog {
      #expect(t.forward(-.infinity).isNaN)  // log of a negative number
      #expect(t.forward(0) == -.infinity)
      #expect(t.forward(-1).isNaN)
      #expect(t.inverse(-.infinity) == 0)
    } else {
      #expect(t.forward(-.infinity) == -.infinity)
      #expect(t.inverse(-.infinity) == -.infinity)
    }
  }

  @Test(arguments: AllTransforms.list)
  func signedZeroAndTinyValues(_ t: ScaleTransform) {
    guard t.kind != .flog else { return }
    let zero = t.forward(0)
    #expect(t.forward(-0.0) == zero)
    for tiny in [.leastNonzeroMagnitude, 1e-300, 1e-200] {
      #expect(t.forward(tiny) >= zero && t.forward(-tiny) <= zero, "\(t) at ±\(tiny)")
      #expect(abs(t.forward(tiny) - zero) < 1e-150)
      #expect(abs(t.inverse(t.forward(tiny)) - tiny) <= 1e-12, "\(t) round trip of \(tiny)")
    }
  }

  @Test(arguments: AllTransforms.list)
  func monotoneAndFiniteOverTheWholeRange(_ t: ScaleTransform) {
    var xs: [Double] = [-.greatestFiniteMagnitude, -1e300, -1e38]
    for e in stride(from: 38.0, through: -20, by: -0.25) { xs.append(-pow(10, e)) }
    xs.append(0)
    for e in stride(from: -20.0, through: 38, by: 0.25) { xs.append(pow(10, e)) }
    xs += [1e300, .greatestFiniteMagnitude]
    if t.kind == .flog { xs = xs.filter { $0 > 0 } }
    var previous = -Double.infinity
    for x in xs {
      let y = t.forward(x)
      #expect(y.isFinite || (x.magnitude > 1e300 && t.kind != .flin), "\(t) at \(x): \(y)")
      #expect(y >= previous, "\(t) not monotone at \(x)")
      previous = y
    }
  }

  @Test(arguments: AllTransforms.list)
  func topOfScaleMapsToOne(_ t: ScaleTransform) {
    let top: Double
    switch t {
    case .flin(let p): top = p.t
    case .flog(let p): top = p.t
    case .fasinh(let p): top = p.t
    case .logicle(let p): top = p.t
    case .hyperlog(let p): top = p.t
    case .flowJoBiex(let p): top = p.maxValue
    case .gml15Asinh: return
    }
    #expect(abs(t.forward(top) - 1) < 1e-14, "\(t)")
    #expect(abs(t.inverse(1) - top) < 1e-9 * top, "\(t)")
  }
}
