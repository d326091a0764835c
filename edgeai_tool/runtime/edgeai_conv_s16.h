/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED with 16x8 quantization:
 * int16 input and output (symmetric, zero point 0), int8 weights (zero point 0), int64 bias.
 *
 * Bit-exact with TensorFlow Lite Micro's reference kernels for int16 activations
 * (reference_integer_ops::ConvPerChannel, DepthwiseConvPerChannel and FullyConnected /
 * FullyConnectedPerChannel with an int64 accumulator):
 *
 *   acc = bias[c] + sum over the taps inside the input of weights * input   (int64)
 *   out = clamp(requantize64(acc, multiplier[c], shift[c]), act_min, act_max)
 *
 * where requantize64 is TFLM's MultiplyByQuantizedMultiplier for an int64 accumulator:
 * the multiplier rounded to 16 bits, one rounding shift. Taps outside the input add
 * nothing (zero padding: the input zero point is 0). A CONV_2D or FULLY_CONNECTED with an
 * int32 bias (data->int32_accumulator) accumulates in int32 instead, as TFLM then does,
 * and requantizes that int32 with the 32-bit MultiplyByQuantizedMultiplier.
 *
 * Buffers: NHWC with batch 1; the output must not overlap the input.
 */
#ifndef EDGEAI_CONV_S16_H
#define EDGEAI_CONV_S16_H

#include "edgeai_common.h"
#include "edgeai_conv.h"
#include "edgeai_depthwise.h"
#include "edgeai_fully_connected.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Numeric data of a 16x8 layer with weights (a retrained model changes only these). */
typedef struct {
    const int8_t *weights;     /**< CONV_2D OHWI, DEPTHWISE_CONV_2D 1HWC, FULLY_CONNECTED
                                    [out][in]; zero point 0 */
    const int64_t *bias;       /**< [output channels] (zeros when the model has none) */
    const int32_t *multiplier; /**< Q31 significands in [0, 2^31), one per output channel
                                    (FULLY_CONNECTED per tensor: one for all) */
    const int32_t *shift;      /**< exponents in [-31, 7]; same length */
    int32_t act_min;           /**< clamp after requantization, -32768 <= act_min <= act_max */
    int32_t act_max;           /**< <= 32767; implements the fused activation */
    int32_t int32_accumulator; /**< 1: int32 accumulator and requantization (an int32 bias
                                    in the model; not DEPTHWISE_CONV_2D); 0: int64 */
} edgeai_s16_data;

/**
 * CONV_2D (grouped when params->groups > 1).
 * @param input  [input.h][input.w][input.c] int16
 * @param output [output.h][output.w][output.c] int16
 * @return EDGEAI_OK, or EDGEAI_ERROR_ARGUMENT for a NULL pointer or an impossible parameter
 */
edgeai_status edgeai_conv_s16(const edgeai_conv_params *params, const edgeai_s16_data *data,
                              const int16_t *input, int16_t *output);

/** DEPTHWISE_CONV_2D: output channel c reads input channel c / depth_multiplier. */
edgeai_status edgeai_depthwise_conv_s16(const edgeai_depthwise_params *params,
                                        const edgeai_s16_data *data, const int16_t *input,
                                        int16_t *output);

/** FULLY_CONNECTED: input [batches][in_depth], output [batches][out_depth]. */
edgeai_status edgeai_fully_connected_s16(const edgeai_fc_params *params,
                                         const edgeai_s16_data *data, const int16_t *input,
                                         int16_t *output);

#ifdef __cplusplus
}
#endif

#endif /* EDGEAI_CONV_S16_H */
