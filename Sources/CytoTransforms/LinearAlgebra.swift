/// Dense LU factorisation with partial pivoting, for the small matrices of compensation.
///
/// Row-major storage. Used to invert spillover matrices (n ≤ a few dozen), so clarity wins
/// over blocking.
struct LUFactorization {
  let n: Int
  /// L (unit lower, below the diagonal) and U (on and above), row-major, rows permuted.
  private var lu: [Double]
  /// Row `i` of the factored matrix is row `permutation[i]` of the original.
  private var permutation: [Int]

  /// Why a matrix could not be factored: column `column` is (to within the relative
  /// tolerance) a linear combination of the earlier columns with the given coefficients.
  struct Dependency: Error {
    var column: Int
    /// (earlier column, coefficient), coefficients with |c| > 1e−9·max|c| only.
    var combination: [(column: Int, coefficient: Double)]
  }

  /// Factors the n×n row-major matrix `a`.
  ///
  /// A pivot is treated as zero when its magnitude is at most 1e−12 × the largest entry of
  /// `a`: for the coefficients of spillover matrices (|s| ≲ 1, written with a few digits)
  /// exact dependence leaves residues near 1e−17, while matrices that merely are
  /// ill-conditioned keep pivots far above it.
  init(_ a: [Double], n: Int) throws(Dependency) {
    precondition(a.count == n * n)
    self.n = n
    lu = a
    permutation = Array(0..<n)
    let largest = a.reduce(0) { max($0, abs($1)) }
    let tolerance = largest * 1e-12
    for k in 0..<n {
      var p = k
      for i in (k + 1)..<max(n, k + 1) where abs(lu[i * n + k]) > abs(lu[p * n + k]) { p = i }
      if !(abs(lu[p * n + k]) > tolerance) {
        throw dependency(of: k)
      }
      if p != k {
        for j in 0..<n { lu.swapAt(p * n + j, k * n + j) }
        permutation.swapAt(p, k)
      }
      let pivot = lu[k * n + k]
      for i in (k + 1)..<max(n, k + 1) {
        let l = lu[i * n + k] / pivot
        lu[i * n + k] = l
        if l != 0 {
          for j in (k + 1)..<n { lu[i * n + j] -= l * lu[k * n + j] }
        }
      }
    }
  }

  /// Column k has no usable pivot: solve U[0..<k, 0..<k]·c = U[0..<k, k].
  private func dependency(of k: Int) -> Dependency {
    var c = [Double](repeating: 0, count: k)
    for i in stride(from: k - 1, through: 0, by: -1) {
      var s = lu[i * n + k]
      for j in (i + 1)..<k { s -= lu[i * n + j] * c[j] }
      c[i] = s / lu[i * n + i]
    }
    let largest = c.reduce(0) { max($0, abs($1)) }
    let kept = c.indices.filter { abs(c[$0]) > 1e-9 * largest }.map { (column: $0, coefficient: c[$0]) }
    return Dependency(column: k, combination: kept)
  }

  /// The inverse, row-major.
  func inverse() -> [Double] {
    var inv = [Double](repeating: 0, count: n * n)
    var x = [Double](repeating: 0, count: n)
    for col in 0..<n {
      // Solve L·U·x = P·e_col.
      for i in 0..<n { x[i] = permutation[i] == col ? 1 : 0 }
      for i in 0..<n {
        var s = x[i]
        for j in 0..<i { s -= lu[i * n + j] * x[j] }
        x[i] = s
      }
      for i in stride(from: n - 1, through: 0, by: -1) {
        var s = x[i]
        for j in (i + 1)..<n { s -= lu[i * n + j] * x[j] }
        x[i] = s / lu[i * n + i]
      }
      for i in 0..<n { inv[i * n + col] = x[i] }
    }
    return inv
  }
}

/// The ∞-norm (largest absolute row sum) of a row-major `rows × cols` matrix.
func infinityNorm(_ a: [Double], rows: Int, cols: Int) -> Double {
  (0..<rows).reduce(0) { m, i in max(m, (0..<cols).reduce(0) { $0 + abs(a[i * cols + $1]) }) }
}

/// The transpose of a row-major `rows × cols` matrix.
func transposed(_ a: [Double], rows: Int, cols: Int) -> [Double] {
  var t = [Double](repeating: 0, count: rows * cols)
  for i in 0..<rows { for j in 0..<cols { t[j * rows + i] = a[i * cols + j] } }
  return t
}

/// The product of row-major `a` (r × k) and `b` (k × c).
func multiplied(_ a: [Double], _ b: [Double], r: Int, k: Int, c: Int) -> [Double] {
  var out = [Double](repeating: 0, count: r * c)
  for i in 0..<r {
    for j in 0..<c {
      var s = 0.0
      for m in 0..<k { s += a[i * k + m] * b[m * c + j] }
      out[i * c + j] = s
    }
  }
  return out
}
