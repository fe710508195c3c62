// Benchmarks/float32-kernels.sh builds and runs this (not part of any package target).
// Kernel throughput: Float32 table kernels (forwardFloat32Kernel) vs the Float64 forward, one thread.
import CytoTransforms
import Foundation

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }
let n = 1 << 14  // one block, stays on the calling thread
var rng = SystemRandomNumberGenerator()
// Compensated-like data: 70 % positive log-spread, 30 % small negatives.
let base: [Double] = (0..<n).map { _ in
  Double.random(in: 0..<1, using: &rng) < 0.7 ? 262_144 * pow(10, Double.random(in: -5...0, using: &rng)) : -Double.random(in: 0...300, using: &rng)
}
let transforms: [(String, ScaleTransform)] = [
  ("fasinh T=262144 M=4.5 A=0", .fasinh(try! ArcsinhParameters(t: 262_144, m: 4.5, a: 0))),
  ("fasinh T=262144 M=4.5 A=1", .fasinh(try! ArcsinhParameters(t: 262_144, m: 4.5, a: 1))),
  ("flog T=262144 M=4.5", .flog(try! LogarithmicParameters(t: 262_144, m: 4.5))),
  ("logicle T=262144 W=0.5 M=4.5 A=0", .logicle(try! LogicleParameters(t: 262_144, w: 0.5, m: 4.5, a: 0))),
]
let reps = 400
for (name, t) in transforms {
  var f = base.map { Float($0) }
  var d = base
  var sink = 0.0
  var best32 = Double.infinity, best64 = Double.infinity
  for _ in 0..<5 {
    var t0 = now()
    for _ in 0..<reps {
      f.withUnsafeMutableBufferPointer { b in
        for k in 0..<n { b[k] = Float(base[k]) }
        t.forwardFloat32Kernel(b)
      }
      sink += Double(f[7])
    }
    best32 = min(best32, now() - t0)
    t0 = now()
    for _ in 0..<reps {
      base.withUnsafeBufferPointer { i in d.withUnsafeMutableBufferPointer { t.forward(i, into: $0) } }
      sink += d[7]
    }
    best64 = min(best64, now() - t0)
  }
  let v = Double(n * reps)
  print(String(format: "%-34@ Float32 kernel %7.1f M values/s (incl. Double→Float copy)   Float64 %7.1f M values/s   ratio %.2fx  (%g)",
               name as NSString, v / best32 / 1e6, v / best64 / 1e6, best64 / best32, sink.isNaN ? 0 : 1))
}
