/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: SOFTMAX, int8 input -> int8 output (scale 1/256, zero point -128).
 *
 * Bit-exact with TensorFlow Lite Micro's reference_ops::Softmax (int8 -> int8), which works
 * in gemmlowp fixed point: each input difference from the row's maximum, scaled by
 * beta * input_scale into Q5.26, goes through exp_on_negative_values (Q0.31); the sum of
 * the exponentials in Q12.19 is inverted with one_over_one_plus_x_for_x_in_0_1.
 *
 * The exponential depends only on the difference d = max - x (0..255) and on the model's
 * constants, so the generator precomputes it: exp_lut[d] is TFLM's Q0.31 value for
 * differences TFLM keeps (d <= -diff_min); larger differences contribute nothing and give
 * -128, exactly as in TFLM.
 */
#ifndef EDGEAI_SOFTMAX_H
#define EDGEAI_SOFTMAX_H

#include "edgeai_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Structure of a SOFTMAX layer: the input seen as [rows, depth], softmax along depth. */
typedef struct {
    int32_t rows;  /**< product of all dimensions but the last; >= 1 */
    int32_t depth; /**< last dimension; 1..4095 (TFLM's Q12.19 sum holds 4095 exp(0)) */
} edgeai_softmax_params;

/** Numeric data of a SOFTMAX layer. */
typedef struct {
    const int32_t *exp_lut; /**< [lut_size] exp(-d * beta * input_scale) in Q0.31, >= 0 */
    int32_t lut_size;       /**< 1..256: differences d >= lut_size are skipped */
} edgeai_softmax_data;

/**
 * Softmax along the last dimension.
 * @param input  [rows][depth] int8
 * @param output [rows][depth] int8 (scale 1/256, zero point -128); may not overlap input
 * @return EDGEAI_OK, or EDGEAI_ERROR_ARGUMENT for a NULL pointer or an impossible size
 */
edgeai_status edgeai_softmax_s8(const edgeai_softmax_params *params,
                                const edgeai_softmax_data *data, const int8_t *input,
                                int8_t *output);

/** Scratch bytes edgeai_softmax_s8 needs: none (the generator reads this macro). */
#define EDGEAI_SOFTMAX_S8_BUFFER_SIZE() (0)
int32_t edgeai_softmax_s8_get_buffer_size(const edgeai_softmax_params *params);

/** Entries of each table of edgeai_softmax_s16: 512 segments and the end point. */
#define EDGEAI_SOFTMAX_S16_LUT_SIZE 513

/** Numeric data of a 16x8 SOFTMAX (int16 in, int16 out with scale 1/32768, zero point 0). */
typedef struct {
    const int16_t *exp_lut;   /**< [513] exp over [-10, 0], values in Q0.15 */
    const int16_t *recip_lut; /**< [513] 1 / (1 + x) over [0, 1], values in Q0.15 */
    int32_t input_multiplier; /**< Q31 significand of input_scale * beta / (10 / 65535) */
    int32_t input_shift;      /**< its exponent, in [-31, 30] */
} edgeai_softmax_s16_data;

/**
 * Softmax along the last dimension on int16, as TFLite Micro's reference_ops::Softmax for
 * int16: each difference from the row maximum rescaled to [-65535, 0] ~ [-10, 0] and
 * looked up with interpolation in exp_lut, the sum's reciprocal looked up in recip_lut.
 * @param output [rows][depth] int16; may not overlap input (it holds the exponentials
 *               between the two passes, as in TFLM)
 * @return EDGEAI_OK, or EDGEAI_ERROR_ARGUMENT for a NULL pointer or an impossible size
 */
edgeai_status edgeai_softmax_s16(const edgeai_softmax_params *params,
                                 const edgeai_softmax_s16_data *data, const int16_t *input,
                                 int16_t *output);

#ifdef __cplusplus
}
#endif

#endif /* EDGEAI_SOFTMAX_H */
