#ifndef CYTORESET_SIMDSHIM_H
#define CYTORESET_SIMDSHIM_H
// Turns a SIMD comparison mask (lanes of 0 / -1) into one bit per lane. Clang lowers the
// bitcast of <N x i1> to kmovw (AVX-512) or vmovmskps (AVX2); Swift has no direct spelling.
// Measured in ../shared/docs/swift-toolchain.md: 3x faster than any pure-Swift reduction.
#include <stdint.h>

typedef int32_t cyto_i32x16 __attribute__((ext_vector_type(16)));
typedef int32_t cyto_i32x8 __attribute__((ext_vector_type(8)));
typedef int64_t cyto_i64x8 __attribute__((ext_vector_type(8)));
typedef _Bool cyto_b16 __attribute__((ext_vector_type(16)));
typedef _Bool cyto_b8 __attribute__((ext_vector_type(8)));

static inline __attribute__((always_inline)) uint16_t cyto_movemask16(cyto_i32x16 m) {
  cyto_b16 b = __builtin_convertvector(m < 0, cyto_b16);
  return __builtin_bit_cast(uint16_t, b);
}

static inline __attribute__((always_inline)) uint8_t cyto_movemask8(cyto_i32x8 m) {
  cyto_b8 b = __builtin_convertvector(m < 0, cyto_b8);
  return __builtin_bit_cast(uint8_t, b);
}

static inline __attribute__((always_inline)) uint8_t cyto_movemask8x64(cyto_i64x8 m) {
  cyto_b8 b = __builtin_convertvector(m < 0, cyto_b8);
  return __builtin_bit_cast(uint8_t, b);
}

// Crossing-number polygon test of 8 Float points against Float edges (see Kernels.swift,
// polygonWordsFloat, for the edge fields and the error bound). Written here because Swift's
// generic SIMD compare operators are not reliably lowered to vector compares; 8 lanes (one AVX2
// register) keep the lane masks in registers. No FP contraction: every product and difference
// is rounded separately, as the bound assumes.
typedef float cyto_f32x8 __attribute__((ext_vector_type(8)));

typedef struct {
  float x1, y1, dx, dy;  // start vertex, edge vector (negated for downward edges)
  float lo, hi;          // Float forms of min y (≤) and max y (<) of the half-open y-range
  float k;               // constant part of the error bound
} cyto_float_edge;

/// A vertical edge (x1 = x2): a point crosses it when lo ≤ y < hi and x < x1 (exact in Float
/// with x1 rounded up, `xLess`); it is on it when x = x1 (`xOn`, NaN when x1 is not a Float) and
/// lo ≤ y ≤ hiClosed.
typedef struct { float xLess, xOn, lo, hi, hiClosed; } cyto_vertical_edge;

/// A horizontal edge (y1 = y2): never crossed; a point is on it when y = y1 (`yOn`, only kept
/// when y1 is a Float) and xLo ≤ x ≤ xHi.
typedef struct { float yOn, xLo, xHi; } cyto_horizontal_edge;

#pragma clang fp contract(off)
/// Bits 0–7: inside (odd crossing count, or exactly on an axis-parallel edge) per point; bits
/// 8–15: points whose cross product with some general edge is within the error bound of 0 (or
/// NaN): these need the Double rule. (Only points in the edge's closed y-range could be on it
/// or have their crossing flipped; testing all is cheaper and merely rechecks a few more.)
static inline __attribute__((always_inline)) uint32_t cyto_polygon8(const float *px, const float *py,
    const cyto_float_edge *es, long ne, const cyto_vertical_edge *vs, long nv,
    const cyto_horizontal_edge *hs, long nh, float rel) {
  cyto_f32x8 x, y;
  __builtin_memcpy(&x, px, sizeof x);
  __builtin_memcpy(&y, py, sizeof y);
  cyto_i32x8 odd = 0, close = 0, on = 0;
  const cyto_i32x8 absMask = 0x7FFFFFFF;
  for (long i = 0; i < ne; i++) {
    const cyto_float_edge e = es[i];
    cyto_f32x8 a = y - e.y1;
    cyto_f32x8 b = x - e.x1;
    cyto_f32x8 p = e.dx * a;
    cyto_f32x8 q = e.dy * b;
    cyto_f32x8 c = p - q;
    cyto_i32x8 geLo = y >= e.lo;
    odd ^= geLo & (y < e.hi) & (c > 0.0f);
    cyto_f32x8 ap = (cyto_f32x8)((cyto_i32x8)p & absMask);
    cyto_f32x8 aq = (cyto_f32x8)((cyto_i32x8)q & absMask);
    cyto_f32x8 ac = (cyto_f32x8)((cyto_i32x8)c & absMask);
    cyto_f32x8 s = ap + aq;
    cyto_f32x8 bound = s * rel;
    bound = bound + e.k;
    close |= ~(ac > bound);  // not restricted to the edge's y-range: a superset, rarely larger
  }
  for (long i = 0; i < nv; i++) {
    const cyto_vertical_edge e = vs[i];
    cyto_i32x8 geLo = y >= e.lo;
    odd ^= geLo & (y < e.hi) & (x < e.xLess);
    on |= geLo & (y <= e.hiClosed) & (x == e.xOn);
  }
  for (long i = 0; i < nh; i++) {
    const cyto_horizontal_edge e = hs[i];
    on |= (y == e.yOn) & (x >= e.xLo) & (x <= e.xHi);
  }
  cyto_b8 inBits = __builtin_convertvector((odd | on) < 0, cyto_b8);
  cyto_b8 closeBits = __builtin_convertvector(close < 0, cyto_b8);
  return (uint32_t)__builtin_bit_cast(uint8_t, inBits) | ((uint32_t)__builtin_bit_cast(uint8_t, closeBits) << 8);
}
#pragma clang fp contract(on)
// Crossing-number test of 8 Double points against Double edges, with an error box per point
// (see Kernels.swift, polygonWordsApprox): the crossing rule exactly as the Double reference
// (polygonWords), plus which points' boxes may touch an edge. Here for the same reason as
// cyto_polygon8: Swift's SIMD masks of 8 Doubles are repacked through memory.
typedef double cyto_f64x8 __attribute__((ext_vector_type(8)));

typedef struct {
  double x1, y1, y2, dx, dy;  // start vertex, end y, edge vector (as the reference: not reoriented)
  double lo, hi;              // the edge's closed y-range widened by the box's half-height
  double limit, k;            // box test: |cross| <= limit + k * (|x| + |y|)
} cyto_band_edge;

#pragma clang fp contract(off)
/// Bits 0–7: odd crossing count per point (the reference rule, without its on-edge test);
/// bits 8–15: points that need the exact rule — within `limit` of an edge's line inside its
/// widened y-range (which includes every point exactly on an edge), or, when `dyBox` > 0, within
/// `dyBox` of an edge end's y — among those with |x| <= xLimit and |y| <= yLimit.
static inline __attribute__((always_inline)) uint32_t cyto_polygon8_banded(const double *px, const double *py,
    const cyto_band_edge *es, long ne, double dyBox, double xLimit, double yLimit) {
  cyto_f64x8 x, y;
  __builtin_memcpy(&x, px, sizeof x);
  __builtin_memcpy(&y, py, sizeof y);
  const cyto_i64x8 absMask = 0x7FFFFFFFFFFFFFFFLL;
  cyto_f64x8 ax = (cyto_f64x8)((cyto_i64x8)x & absMask), ay = (cyto_f64x8)((cyto_i64x8)y & absMask);
  cyto_f64x8 s = ax + ay;
  cyto_i64x8 odd = 0, near = 0;
  for (long i = 0; i < ne; i++) {
    const cyto_band_edge e = es[i];
    cyto_f64x8 p = e.dx * (y - e.y1);
    cyto_f64x8 q = e.dy * (x - e.x1);
    cyto_f64x8 c = p - q;
    odd ^= ((e.y1 <= y) & (y < e.y2) & (c > 0.0)) | ((e.y2 <= y) & (y < e.y1) & (c < 0.0));
    cyto_f64x8 ac = (cyto_f64x8)((cyto_i64x8)c & absMask);
    near |= (y >= e.lo) & (y <= e.hi) & ~(ac > e.limit + e.k * s);  // NaN cross: near (decided exactly)
    if (dyBox > 0) {
      cyto_f64x8 d1 = y - e.y1, d2 = y - e.y2;
      cyto_f64x8 a1 = (cyto_f64x8)((cyto_i64x8)d1 & absMask), a2 = (cyto_f64x8)((cyto_i64x8)d2 & absMask);
      near |= (a1 <= dyBox) | (a2 <= dyBox);
    }
  }
  near &= (ax <= xLimit) & (ay <= yLimit);
  cyto_b8 oddBits = __builtin_convertvector(odd < 0, cyto_b8);
  cyto_b8 nearBits = __builtin_convertvector(near < 0, cyto_b8);
  return (uint32_t)__builtin_bit_cast(uint8_t, oddBits) | ((uint32_t)__builtin_bit_cast(uint8_t, nearBits) << 8);
}
#pragma clang fp contract(on)
// Crossing-number test of 8 points given as Float roundings of their values (see
// Kernels+RoundedPolygon.swift): every edge as a general Float edge, with an error bound that
// also covers the rounding of the points, so the exact values are needed only near an edge.
typedef struct {
  float x1, y1, dx, dy;  // start vertex, edge vector (negated for downward edges), as cyto_float_edge
  float lo, hi;          // Float forms of min y (≤) and max y (<) of the half-open y-range
  float k;               // constant part of the cross-product bound
  float yk;              // constant part of the vertex-height bound: 2⁻²²·|y1| + 2⁻¹⁴⁶, rounded up
} cyto_rounded_edge;

#pragma clang fp contract(off)
/// Bits 0–7: odd crossing count per point; bits 8–15: points whose cross product with some edge
/// is within `rel`·(|P| + |Q|) + k of 0 (or NaN, or overflowing), and, when `yRounded`, points
/// whose y is within 2⁻²²·(|y| + |y1|) + 2⁻¹⁴⁶ of some vertex's y: these need the exact rule.
static inline __attribute__((always_inline)) uint32_t cyto_polygon8_rounded(const float *px, const float *py,
    const cyto_rounded_edge *es, long ne, float rel, int yRounded) {
  cyto_f32x8 x, y;
  __builtin_memcpy(&x, px, sizeof x);
  __builtin_memcpy(&y, py, sizeof y);
  cyto_i32x8 odd = 0, close = 0;
  const cyto_i32x8 absMask = 0x7FFFFFFF;
  if (yRounded) {
    const cyto_f32x8 ay = (cyto_f32x8)((cyto_i32x8)y & absMask) * 0x1p-22f;
    for (long i = 0; i < ne; i++) {
      const cyto_rounded_edge e = es[i];
      cyto_f32x8 a = y - e.y1;
      cyto_f32x8 p = e.dx * a;
      cyto_f32x8 q = e.dy * (x - e.x1);
      cyto_f32x8 c = p - q;
      odd ^= (y >= e.lo) & (y < e.hi) & (c > 0.0f);
      cyto_f32x8 ap = (cyto_f32x8)((cyto_i32x8)p & absMask);
      cyto_f32x8 aq = (cyto_f32x8)((cyto_i32x8)q & absMask);
      cyto_f32x8 ac = (cyto_f32x8)((cyto_i32x8)c & absMask);
      cyto_f32x8 aa = (cyto_f32x8)((cyto_i32x8)a & absMask);
      close |= ~(ac > (ap + aq) * rel + e.k) | (aa <= ay + e.yk);
    }
  } else {
    for (long i = 0; i < ne; i++) {
      const cyto_rounded_edge e = es[i];
      cyto_f32x8 p = e.dx * (y - e.y1);
      cyto_f32x8 q = e.dy * (x - e.x1);
      cyto_f32x8 c = p - q;
      odd ^= (y >= e.lo) & (y < e.hi) & (c > 0.0f);
      cyto_f32x8 ap = (cyto_f32x8)((cyto_i32x8)p & absMask);
      cyto_f32x8 aq = (cyto_f32x8)((cyto_i32x8)q & absMask);
      cyto_f32x8 ac = (cyto_f32x8)((cyto_i32x8)c & absMask);
      close |= ~(ac > (ap + aq) * rel + e.k);
    }
  }
  cyto_b8 inBits = __builtin_convertvector(odd < 0, cyto_b8);
  cyto_b8 closeBits = __builtin_convertvector(close < 0, cyto_b8);
  return (uint32_t)__builtin_bit_cast(uint8_t, inBits) | ((uint32_t)__builtin_bit_cast(uint8_t, closeBits) << 8);
}
#pragma clang fp contract(on)
#endif
