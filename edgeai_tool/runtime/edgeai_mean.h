/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: MEAN over any set of axes, int8 in and out, with requantization.
 *
 * Bit-exact with TensorFlow Lite Micro's reference (QuantizedMeanOrSum, the path TFLM's
 * int8 MEAN takes for every axis set and keep_dims value):
 *
 *   sum    = sum of the n input values reduced into one output (int32, wrapping)
 *   out    = clamp(MultiplyByQuantizedMultiplier(sum - n * zp_in, multiplier, shift) + zp_out,
 *                  -128, 127)
 *
 * where multiplier/shift are QuantizeMultiplier(scale_in / scale_out) with 1/n folded in
 * exactly as TFLM folds it (multiplier * 2^k / n, shift - k, k = min(floor(log2 n), 32,
 * 31 + shift)). The generator computes both and `bias` = -n * zp_in (wrapped to int32).
 *
 * Structure: the kept dimensions (in order) become up to three "outer" loops, one output
 * value per iteration; the reduced dimensions become up to three "inner" loops summed for
 * each output value. Dimensions of size 1 are dropped and contiguous ones merged first.
 * The output is written in order and no scratch memory is needed.
 */
#ifndef EDGEAI_MEAN_H
#define EDGEAI_MEAN_H

#include "edgeai_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define EDGEAI_MEAN_LOOPS 3 /**< outer and inner loops each (enough for rank <= 5) */

/** Structure of a MEAN layer. Unused loops have count 1. */
typedef struct {
    int32_t outer_count[EDGEAI_MEAN_LOOPS]; /**< kept dimensions' sizes, outermost first, >= 1 */
    int32_t outer_step[EDGEAI_MEAN_LOOPS];  /**< input index step per outer iteration */
    int32_t inner_count[EDGEAI_MEAN_LOOPS]; /**< reduced dimensions' sizes, >= 1 */
    int32_t inner_step[EDGEAI_MEAN_LOOPS];  /**< input index step per inner iteration */
} edgeai_mean_params;

/** Numeric data of a MEAN layer. */
typedef struct {
    int32_t bias;          /**< -n * input zero point, wrapped to int32 (n: values per output) */
    int32_t multiplier;    /**< Q31 significand of scale_in / scale_out / n (TFLM's fold) */
    int32_t shift;         /**< its power-of-two exponent, in [-31, 30] */
    int32_t output_offset; /**< output zero point, in [-128, 127] */
} edgeai_mean_data;

/**
 * MEAN, int8.
 * @param output one value per outer iteration, in order; must not overlap input
 * @return EDGEAI_OK, or EDGEAI_ERROR_ARGUMENT for a NULL pointer or a count < 1
 */
edgeai_status edgeai_mean_s8(const edgeai_mean_params *params, const edgeai_mean_data *data,
                             const int8_t *input, int8_t *output);

/**
 * MEAN, int16 (16x8: zero points 0, so data->bias and output_offset are 0): the same sum
 * and requantization, clamped to int16.
 * @return EDGEAI_OK, or EDGEAI_ERROR_ARGUMENT for a NULL pointer or a count < 1
 */
edgeai_status edgeai_mean_s16(const edgeai_mean_params *params, const edgeai_mean_data *data,
                              const int16_t *input, int16_t *output);

#ifdef __cplusplus
}
#endif

#endif /* EDGEAI_MEAN_H */
