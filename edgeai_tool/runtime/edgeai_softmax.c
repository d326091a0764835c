/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: SOFTMAX int8 -> int8 (see edgeai_softmax.h).
 *
 * The fixed-point steps after the exponential follow gemmlowp as TFLM uses it:
 * the Q12.19 sum of exponentials is normalised to [1, 2) by its leading zeros, inverted by
 * Newton-Raphson (one_over_one_plus_x_for_x_in_0_1), and every exponential is multiplied
 * by that reciprocal and shifted down to 8 bits.
 */
#include "edgeai_softmax.h"

#include <stddef.h>

#include "edgeai_requantize.h"

#define SOFTMAX_ACCUM_INTEGER_BITS 12 /* TFLM's kAccumulationIntegerBits */
/* The Q12.19 sum of up to this many exponentials (each at most 2^19) fits in int32. */
#define SOFTMAX_MAX_DEPTH 4095

/* gemmlowp's SaturatingRoundingMultiplyByPOT<exponent> for exponent > 0. */
static int32_t softmax_saturating_shl(int32_t x, int32_t exponent)
{
    const int32_t threshold = (int32_t)((UINT32_C(1) << (31 - exponent)) - 1U);
    if (x > threshold) {
        return INT32_MAX;
    }
    if (x < -threshold) {
        return INT32_MIN;
    }
    return (int32_t)((uint32_t)x << exponent);
}

/* gemmlowp's RoundingHalfSum: (a + b) / 2 rounded half away from zero. */
static int32_t softmax_rounding_half_sum(int32_t a, int32_t b)
{
    const int64_t sum = (int64_t)a + (int64_t)b;
    const int64_t sign = sum >= 0 ? 1 : -1;
    return (int32_t)((sum + sign) / 2);
}

static int32_t softmax_add(int32_t a, int32_t b)
{
    return (int32_t)((uint32_t)a + (uint32_t)b); /* gemmlowp adds raw int32 values */
}

/* gemmlowp's one_over_one_plus_x_for_x_in_0_1: 1 / (1 + a), a and result in Q0.31. */
static int32_t softmax_one_over_one_plus_x(int32_t a)
{
    const int32_t one_q2 = INT32_C(1) << 29;            /* 1.0 in Q2.29 */
    const int32_t c48_over_17 = INT32_C(1515870810);    /* Q2.29 */
    const int32_t c_neg32_over_17 = INT32_C(-1010580540); /* Q2.29 */
    const int32_t half_denominator = softmax_rounding_half_sum(a, INT32_MAX);
    int32_t x = softmax_add(c48_over_17, edgeai_doubling_high_mul(half_denominator,
                                                                   c_neg32_over_17));
    for (int i = 0; i < 3; ++i) {
        const int32_t half_denominator_times_x = edgeai_doubling_high_mul(half_denominator, x);
        const int32_t one_minus = softmax_add(one_q2, -half_denominator_times_x);
        x = softmax_add(x, softmax_saturating_shl(edgeai_doubling_high_mul(x, one_minus), 2));
    }
    return softmax_saturating_shl(x, 1); /* Q2.29 halved, as Q0.31 */
}

static int32_t softmax_count_leading_zeros(uint32_t x)
{
#if defined(__GNUC__)
    return x == 0U ? 32 : __builtin_clz(x);
#else
    int32_t n = 0;
    while (n < 32 && (x & (UINT32_C(1) << (31 - n))) == 0U) {
        ++n;
    }
    return n;
#endif
}

static void softmax_row(const int8_t *x, int8_t *y, int32_t depth, const int32_t *lut,
                        int32_t lut_size)
{
    int32_t max_value = x[0];
    for (int32_t c = 1; c < depth; ++c) {
        max_value = EDGEAI_MAX(max_value, (int32_t)x[c]);
    }
    int32_t sum = 0; /* Q12.19 */
    for (int32_t c = 0; c < depth; ++c) {
        const int32_t d = max_value - x[c];
        if (d < lut_size) {
            /* Rescale Q0.31 -> Q12.19 */
            sum = softmax_add(sum, edgeai_rounding_divide_by_pot(lut[d],
                                                                 SOFTMAX_ACCUM_INTEGER_BITS));
        }
    }
    /* GetReciprocal: sum = 2^bits_over_unit * (1 + f) with f in [0, 1). */
    const int32_t headroom = softmax_count_leading_zeros((uint32_t)sum);
    const int32_t bits_over_unit = SOFTMAX_ACCUM_INTEGER_BITS - headroom;
    const int32_t shifted_sum_minus_one =
        (int32_t)(((uint32_t)sum << headroom) - (UINT32_C(1) << 31));
    const int32_t reciprocal = softmax_one_over_one_plus_x(shifted_sum_minus_one);
    const int32_t exponent = bits_over_unit + 31 - 8;

    for (int32_t c = 0; c < depth; ++c) {
        const int32_t d = max_value - x[c];
        int32_t value = -128;
        if (d < lut_size) {
            value = edgeai_rounding_divide_by_pot(edgeai_doubling_high_mul(reciprocal, lut[d]),
                                                  exponent) - 128;
            value = EDGEAI_CLAMP(value, -128, 127);
        }
        y[c] = (int8_t)value;
    }
}

edgeai_status edgeai_softmax_s8(const edgeai_softmax_params *params,
                                const edgeai_softmax_data *data, const int8_t *input,
                                int8_t *output)
{
    if (params == NULL || data == NULL || input == NULL || output == NULL ||
        data->exp_lut == NULL) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    const int32_t rows = params->rows;
    const int32_t depth = params->depth;
    const int32_t *const lut = data->exp_lut;
    const int32_t lut_size = data->lut_size;
    if (rows <= 0 || depth <= 0 || depth > SOFTMAX_MAX_DEPTH || lut_size <= 0 ||
        lut_size > 256) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    for (int32_t r = 0; r < rows; ++r) {
        softmax_row(input + r * depth, output + r * depth, depth, lut, lut_size);
    }
    return EDGEAI_OK;
}

int32_t edgeai_softmax_s8_get_buffer_size(const edgeai_softmax_params *params)
{
    (void)params;
    return EDGEAI_SOFTMAX_S8_BUFFER_SIZE();
}
