/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: requantization, bit for bit TensorFlow Lite Micro's
 * MultiplyByQuantizedMultiplier: x * multiplier * 2^(shift - 31), rounded twice, first in
 * the doubling high multiply, then in the rounding divide by a power of two (half away
 * from zero). Not part of the API: kernels include it, generated code does not.
 *
 * Every kernel requantizes with the functions here. The two high multiplies give the same
 * integers for every multiplier a model has (QuantizeMultiplier's are in [0, 2^31)): the
 * saturating one is gemmlowp's own, the other one 64-bit multiply-accumulate; which one a
 * kernel calls is part of its tuned Arm code (trading one for the other changes the
 * instructions it executes). The convolutions keep one 8-byte record per output channel
 * (edgeai_rq_exact), and use SMMLAR where the generator proved it exact (edgeai_rq_fast).
 */
#ifndef EDGEAI_REQUANTIZE_H
#define EDGEAI_REQUANTIZE_H

#include <stdint.h>

#include "edgeai_common.h"
#include "edgeai_dsp.h"

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

/**
 * The same for b != INT32_MIN, as one 64-bit multiply-accumulate: for a negative product
 * p = q 2^31 + r (0 <= r < 2^31) both give q + (r >= 2^30), and only INT32_MIN squared
 * saturates.
 */
static inline int32_t edgeai_high_mul(int32_t a, int32_t b)
{
    return (int32_t)(((int64_t)a * b + (INT64_C(1) << 30)) >> 31);
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
 * MultiplyByQuantizedMultiplier, TFLM's own steps.
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

/** The same integers through edgeai_high_mul (multiplier != INT32_MIN). */
static inline int32_t edgeai_requantize_mac(int32_t x, int32_t multiplier, int32_t shift)
{
    const int32_t left_shift = shift > 0 ? shift : 0;
    const int32_t right_shift = shift > 0 ? 0 : -shift;
    const int32_t scaled = (int32_t)((uint32_t)x << left_shift);
    return edgeai_rounding_divide_by_pot(edgeai_high_mul(scaled, multiplier), right_shift);
}

/**
 * TFLM's MultiplyByQuantizedMultiplier for an int64 accumulator (16x8 kernels): the
 * multiplier rounded to its top 16 bits, then one shift rounding half up.
 * @param x          |x| < 2^47
 * @param multiplier Q31 significand in [0, 2^31)
 * @param shift      in [-31, 7]
 */
static inline int32_t edgeai_requantize_s64(int64_t x, int32_t multiplier, int32_t shift)
{
    const int64_t reduced = multiplier < 0x7FFF0000 ? (multiplier + (1 << 15)) >> 16 : 0x7FFF;
    const int32_t total_shift = 15 - shift;
    const int64_t rounding = INT64_C(1) << (total_shift - 1);
    return (int32_t)((x * reduced + rounding) >> total_shift);
}

/**
 * One requantization record per output channel: EDGEAI_RQ_WORDS int32 values,
 * {multiplier, right_shift} with right_shift = -shift (a left shift when negative).
 */
#define EDGEAI_RQ_WORDS 2

/** The record's requantization for any accumulator. */
static inline int32_t edgeai_rq_exact(int32_t x, const int32_t *rq)
{
    return edgeai_requantize_mac(x, rq[0], -rq[1]);
}

/** ((acc << 32) + a * b + 2^31) >> 32: SMMLAR, i.e. acc + edgeai_smmulr(a, b). */
#if EDGEAI_DSP_NATIVE
static inline int32_t edgeai_smmlar(int32_t a, int32_t b, int32_t acc)
{
    int32_t result;
    __asm("smmlar %0, %1, %2, %3" : "=r"(result) : "r"(a), "r"(b), "r"(acc));
    return result;
}
#else
static inline int32_t edgeai_smmlar(int32_t a, int32_t b, int32_t acc)
{
    const int64_t high_part = (int64_t)acc * (INT64_C(1) << 32); /* acc may be negative */
    return (int32_t)((high_part + (int64_t)a * b + (INT64_C(1) << 31)) >> 32);
}
#endif

/**
 * The record's requantization in six instructions, exact when the layer's `rq_fast` holds:
 * every right_shift >= 1 (so no left shift) and |x| < 2^30 for every reachable accumulator
 * (the generator bounds them from the weights and biases). Then 2x does not overflow and
 * SMMLAR of it with the nudge 2^(right_shift - 1) is high + nudge, high being
 * (x * m + 2^30) >> 31; subtracting 1 for x < 0 (high <= 0 then, and for high == 0 both
 * forms give 0) makes (high + nudge - (high < 0)) >> right_shift, RoundingDivideByPOT.
 */
static inline int32_t edgeai_rq_fast(int32_t x, const int32_t *rq)
{
    const int32_t right = rq[1];
    const int32_t nudge = (int32_t)((UINT32_C(1) << right) >> 1);
    const int32_t doubled = (int32_t)((uint32_t)x << 1);
    return (edgeai_smmlar(doubled, rq[0], nudge) + (doubled >> 31)) >> right;
}

static inline int32_t edgeai_rq(int32_t x, const int32_t *rq, int32_t fast)
{
    return fast ? edgeai_rq_fast(x, rq) : edgeai_rq_exact(x, rq);
}

#endif /* EDGEAI_REQUANTIZE_H */
