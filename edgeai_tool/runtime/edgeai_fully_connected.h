/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: FULLY_CONNECTED, int8 input and weights, int32 bias, int8 output.
 *
 * Bit-exact with TensorFlow Lite Micro's reference kernels
 * (reference_integer_ops::FullyConnected and FullyConnectedPerChannel):
 *
 *   acc[b][c] = bias[c] + sum_d weights[c][d] * (input[b][d] + input_offset)
 *   out[b][c] = clamp(requantize(acc, multiplier[c], shift[c]) + output_offset,
 *                     act_min, act_max)
 *
 * The generator folds `input_offset * sum_d weights[c][d]` into `bias` (exact in int32),
 * so the kernel only computes plain dot products. Weights must be symmetric (zero point 0).
 */
#ifndef EDGEAI_FULLY_CONNECTED_H
#define EDGEAI_FULLY_CONNECTED_H

#include "edgeai_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Structure of a FULLY_CONNECTED layer (shapes only). */
typedef struct {
    int32_t batches;     /**< rows of the input seen as [batches, in_depth]; >= 1 */
    int32_t in_depth;    /**< accumulation depth (weights' last dimension); >= 1 */
    int32_t out_depth;   /**< output channels (weights' first dimension); >= 1 */
    int32_t per_channel; /**< 1: one multiplier/shift per output channel; 0: one for all */
} edgeai_fc_params;

/** Numeric data of a FULLY_CONNECTED layer (a retrained model changes only these). */
typedef struct {
    const int8_t *weights;     /**< [out_depth][in_depth], row-major, zero point 0 */
    const int32_t *bias;       /**< [out_depth]: bias + input_offset * row sum of weights */
    const int32_t *multiplier; /**< Q31 significands in [2^30, 2^31) or 0; [out_depth] or [1] */
    const int32_t *shift;      /**< power-of-two exponents in [-31, 30]; same length */
    int32_t output_offset;     /**< output zero point, in [-128, 127] */
    int32_t act_min;           /**< clamp after requantization, -128 <= act_min <= act_max */
    int32_t act_max;           /**< <= 127 */
} edgeai_fc_data;

/**
 * out[batches][out_depth] = requantized(weights x input + bias).
 * @param input  [batches][in_depth] int8
 * @param output [batches][out_depth] int8; must not overlap input
 * @return EDGEAI_OK, or EDGEAI_ERROR_ARGUMENT for a NULL pointer or a non-positive size
 */
edgeai_status edgeai_fully_connected_s8(const edgeai_fc_params *params, const edgeai_fc_data *data,
                                        const int8_t *input, int8_t *output);

/** Scratch bytes edgeai_fully_connected_s8 needs: none (the generator reads this macro). */
#define EDGEAI_FULLY_CONNECTED_S8_BUFFER_SIZE() (0)
int32_t edgeai_fully_connected_s8_get_buffer_size(const edgeai_fc_params *params);

#ifdef __cplusplus
}
#endif

#endif /* EDGEAI_FULLY_CONNECTED_H */
