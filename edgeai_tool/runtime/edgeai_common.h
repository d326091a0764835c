/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: definitions shared by every kernel.
 *
 * Fixed-point helpers reproduce TensorFlow Lite Micro's requantization bit for bit:
 * MultiplyByQuantizedMultiplier rounds twice, first in the saturating rounding doubling
 * high multiply, then in the rounding divide by a power of two (half away from zero).
 */
#ifndef EDGEAI_COMMON_H
#define EDGEAI_COMMON_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Status returned by every kernel and by the generated `<name>_run()`. */
typedef int32_t edgeai_status;
#define EDGEAI_OK 0
#define EDGEAI_ERROR_ARGUMENT (-1) /**< a NULL pointer or an impossible parameter */

/* Constant arrays and I/O buffers are word-aligned so kernels may read them 32 bits at a time. */
#if defined(__GNUC__) || defined(__clang__)
#define EDGEAI_ALIGNED(n) __attribute__((aligned(n)))
#else
#define EDGEAI_ALIGNED(n)
#endif

#define EDGEAI_MIN(a, b) ((a) < (b) ? (a) : (b))
#define EDGEAI_MAX(a, b) ((a) > (b) ? (a) : (b))
#define EDGEAI_CLAMP(x, lo, hi) EDGEAI_MIN(EDGEAI_MAX((x), (lo)), (hi))

/** Shape of an activation tensor in NHWC order with batch 1. */
typedef struct {
    int32_t h; /**< height (rows) */
    int32_t w; /**< width (columns) */
    int32_t c; /**< channels, innermost in memory */
} edgeai_hwc;

/** gemmlowp's SaturatingRoundingDoublingHighMul: round(a * b / 2^31), saturated. */
static inline int32_t edgeai_doubling_high_mul(int32_t a, int32_t b)
{
    if (a == INT32_MIN && b == INT32_MIN) {
        return INT32_MAX;
    }
    const int64_t product = (int64_t)a * (int64_t)b;
    const int64_t nudge = product >= 0 ? (INT64_C(1) << 30) : (1 - (INT64_C(1) << 30));
    /* Division (not a shift) truncates toward zero, as the reference does. */
    return (int32_t)((product + nudge) / (INT64_C(1) << 31));
}

/** gemmlowp's RoundingDivideByPOT: x / 2^exponent rounded half away from zero. */
static inline int32_t edgeai_rounding_divide_by_pot(int32_t x, int32_t exponent)
{
    const int32_t mask = (int32_t)((UINT32_C(1) << exponent) - 1U);
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/**
 * TFLite's MultiplyByQuantizedMultiplier: x * multiplier * 2^(shift - 31).
 * @param multiplier Q31 significand in [2^30, 2^31) (or 0)
 * @param shift      left shift if > 0, right shift if < 0; in [-31, 30]
 */
static inline int32_t edgeai_requantize(int32_t x, int32_t multiplier, int32_t shift)
{
    const int32_t left_shift = shift > 0 ? shift : 0;
    const int32_t right_shift = shift > 0 ? 0 : -shift;
    const int32_t scaled = (int32_t)((uint32_t)x << left_shift);
    return edgeai_rounding_divide_by_pot(edgeai_doubling_high_mul(scaled, multiplier), right_shift);
}

#ifdef __cplusplus
}
#endif

#endif /* EDGEAI_COMMON_H */
