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
 *
 * Weight layout (the generator arranges it; one pointer walks the weights of four output
 * channels in step with the input). With D = in_depth:
 * - channels in groups of four (out_depth / 4 groups), each group 4 * D bytes: first, for
 *   every block of 8 depths (D / 8 blocks), 32 bytes: the pair of channels (0, 1), then
 *   the pair (2, 3), 16 bytes each; a pair (a, b) holds, for the depths 0, 2, 1, 3, 4, 6,
 *   5, 7 of the block in that order, the byte a + 128 (as uint8) then the byte b. Then the
 *   last D % 8 depths as plain int8: channel 0's, 1's, 2's and 3's.
 * - then the last out_depth % 4 channels, one after the other, D plain int8 weights each.
 * Every group starts 4-byte aligned when the array is.
 *
 * Why: read as int16 halves, a word of a pair is (a + 128) + 256 b per depth, so one SMLAD
 * with the input's int16 pairs accumulates S = sum (a + 128) x + 256 sum b x for two
 * channels at once, and one SXTB16 (bytes 1 and 3) plus one SMLAD gives B = sum b x; then
 * sum a x = S - 256 B - 128 sum x, exact modulo 2^32 like the int32 accumulator itself.
 * Three instructions per four multiply-accumulates instead of four.
 *
 * int16 weights (edgeai_fully_connected_s8_w16, `-O time`: twice the weight flash, no
 * sign extension of the weights): the same groups, blocks and tails, but per block each
 * channel's 8 weights as int16 in the depth order 0, 2, 1, 3, 4, 6, 5, 7 (channels 0 to 3,
 * 64 bytes), the last D % 8 depths and the last out_depth % 4 channels as plain int16.
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
    int32_t per_channel; /**< 1: one requantization record per output channel; 0: one for all */
} edgeai_fc_params;

/** Numeric data of a FULLY_CONNECTED layer (a retrained model changes only these). */
typedef struct {
    const int8_t *weights;   /**< out_depth * in_depth, layout above, 4-byte aligned, zero point 0 */
    const int32_t *bias;     /**< [out_depth]: bias + input_offset * row sum of weights */
    const int32_t *requant;  /**< records of edgeai_requantize.h: [out_depth] or [1] */
    int32_t output_offset;   /**< output zero point, in [-128, 127] */
    int32_t act_min;         /**< clamp after requantization, -128 <= act_min <= act_max */
    int32_t act_max;         /**< <= 127 */
    int32_t rq_fast;         /**< 1 when edgeai_rq_fast is exact for every channel */
} edgeai_fc_data;

/** The same with int16 weights (second layout above). */
typedef struct {
    const int16_t *weights;  /**< out_depth * in_depth, int16 layout above, 4-byte aligned */
    const int32_t *bias;     /**< as edgeai_fc_data */
    const int32_t *requant;  /**< as edgeai_fc_data */
    int32_t output_offset;   /**< as edgeai_fc_data */
    int32_t act_min;         /**< as edgeai_fc_data */
    int32_t act_max;         /**< as edgeai_fc_data */
    int32_t rq_fast;         /**< as edgeai_fc_data */
} edgeai_fc_wide_data;

/**
 * out[batches][out_depth] = requantized(weights x input + bias).
 * @param input  [batches][in_depth] int8
 * @param output [batches][out_depth] int8; must not overlap input
 * @return EDGEAI_OK, or EDGEAI_ERROR_ARGUMENT for a NULL pointer or a non-positive size
 */
edgeai_status edgeai_fully_connected_s8(const edgeai_fc_params *params, const edgeai_fc_data *data,
                                        const int8_t *input, int8_t *output);

/** The same integers from int16 weights (edgeai_fc_wide_data); no scratch either. */
edgeai_status edgeai_fully_connected_s8_w16(const edgeai_fc_params *params,
                                            const edgeai_fc_wide_data *data, const int8_t *input,
                                            int8_t *output);

/** Scratch bytes edgeai_fully_connected_s8 needs: none (the generator reads this macro). */
#define EDGEAI_FULLY_CONNECTED_S8_BUFFER_SIZE() (0)
int32_t edgeai_fully_connected_s8_get_buffer_size(const edgeai_fc_params *params);

#ifdef __cplusplus
}
#endif

#endif /* EDGEAI_FULLY_CONNECTED_H */
