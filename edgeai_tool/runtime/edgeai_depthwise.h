/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: int8 depthwise 2-D convolution (TFLite DEPTHWISE_CONV_2D).
 *
 * Bit-exact with TensorFlow Lite Micro's reference_integer_ops::DepthwiseConvPerChannel.
 * Layouts: activations NHWC with batch 1; output channel o = i * depth_multiplier + m reads
 * input channel i; the weights are rearranged by the generator (see edgeai_depthwise_data).
 *
 * As for CONV_2D (edgeai_conv.h), the generator folds the input zero point into the bias,
 * bias'[o] = bias[o] - input_zero_point * sum over taps of weights[o], and taps outside the
 * image read as pad_value (= input_zero_point), which makes the fold exact.
 */
#ifndef EDGEAI_DEPTHWISE_H
#define EDGEAI_DEPTHWISE_H

#include <stdint.h>

#include "edgeai_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Structure of a depthwise convolution. */
typedef struct {
    edgeai_hwc input;         /**< input shape; h, w, c >= 1 */
    edgeai_hwc output;        /**< output shape; output.c = input.c * depth_multiplier */
    EDGEAI_CONV_WINDOW_FIELDS
    int32_t depth_multiplier; /**< output channels per input channel, >= 1 */
} edgeai_depthwise_params;

/**
 * Numbers of a depthwise convolution.
 *
 * The weights come in groups of four output channels, tap by tap (t = ky * kernel_w + kx).
 * Group g covers channels base(g) .. base(g) + 3 with base(g) = min(4 g, output.c - 4), so
 * that when output.c >= 4 every group is whole (the last one may overlap the one before);
 * below four channels the one group is padded with zero weights. G = ceil(output.c / 4).
 */
typedef struct {
    EDGEAI_CONV_OUTPUT_FIELDS
    /**
     * edgeai_depthwise_conv_s8: [G][kernel_h * kernel_w] words of four int8 weights, the
     * group's channels 0..3 from the low byte up.
     * edgeai_depthwise_conv_wide_s8: [G][kernel_h * kernel_w][2] words of int16 pairs,
     * channels 0 and 2 of the group (low half, high half) then channels 1 and 3.
     */
    const int32_t *weights;
    const int32_t *bias;          /**< [output.c], input zero point folded in */
    const int32_t *bias_unfolded; /**< [output.c] the model's bias (0 when it has none) */
    const int32_t *requant;       /**< [output.c][EDGEAI_RQ_WORDS] (edgeai_requantize.h) */
} edgeai_depthwise_data;

/**
 * DEPTHWISE_CONV_2D with int8 weights (the flash-lean form). Needs no scratch.
 * @return EDGEAI_OK, or EDGEAI_ERROR_ARGUMENT for a NULL pointer or invalid structure
 */
edgeai_status edgeai_depthwise_conv_s8(const edgeai_depthwise_params *params,
                                       const edgeai_depthwise_data *data, const int8_t *input,
                                       int8_t *output);

/**
 * DEPTHWISE_CONV_2D with the weights widened to int16 by the generator (twice the weight
 * flash, fewer instructions per MAC on a DSP core). Needs no scratch.
 * @return EDGEAI_OK, or EDGEAI_ERROR_ARGUMENT for a NULL pointer or invalid structure
 */
edgeai_status edgeai_depthwise_conv_wide_s8(const edgeai_depthwise_params *params,
                                            const edgeai_depthwise_data *data,
                                            const int8_t *input, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* EDGEAI_DEPTHWISE_H */
