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
#endif
