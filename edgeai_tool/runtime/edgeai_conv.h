/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: int8 2-D convolution (TFLite CONV_2D), alone or fused with the
 * MAX_POOL_2D / AVERAGE_POOL_2D that follows it.
 *
 * Bit-exact with TensorFlow Lite Micro's reference kernels
 * (reference_integer_ops::ConvPerChannel, then MaxPool / AveragePool).
 *
 * Layouts: activations NHWC with batch 1. Weights: each output channel's OHWI row
 * (k_h, k_w, in_c / groups: `depth` taps) zero-padded to whole quads of 4 taps, the channels
 * taken in pairs (a zero row after an odd last channel), and each pair stored quad by quad:
 *     pair p, quad q: 4 bytes of channel 2p's taps 4q..4q+3, then 4 of channel 2p + 1's
 * so that one pointer walks two channels with one 8-byte load per quad.
 *
 * The generator folds the input zero point into the bias:
 *     bias'[o] = bias[o] - input_zero_point * sum(weights[o])
 * so the kernel accumulates bias' + sum(w * x) and reads every tap outside the image as
 * `pad_value` (= input_zero_point), whose product cancels in the fold. This is exact in
 * 32-bit arithmetic and equals TFLM's sum of w * (x - zero_point) over the taps inside.
 *
 * Two code paths give identical results: a portable C99 one, and a Cortex-M DSP one
 * (edgeai_dsp.h says when it is taken) that sign-extends two output pixels' receptive fields
 * once into int16 columns, interleaved quad by quad, and computes two channels at the two
 * pixels per pass over them (SXTB16 on the weights, SMLAD); or, in the lean form
 * (`columns` 1), one pixel's into one column, for half the scratch, and computes four
 * channels per pass over it.
 */
#ifndef EDGEAI_CONV_H
#define EDGEAI_CONV_H

#include <stdint.h>

#include "edgeai_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Structure of a convolution (all values are known when the model is compiled). */
typedef struct {
    edgeai_hwc input;   /**< input shape; h, w, c >= 1 */
    edgeai_hwc output;  /**< output shape; output.c = filters, a multiple of `groups` */
    EDGEAI_CONV_WINDOW_FIELDS
    int32_t groups;     /**< input.c / filter depth; 1 but for edgeai_conv_grouped_s8 */
    int32_t columns;    /**< 2: the DSP path computes two output pixels per pass over the
                             weights (faster); 1: one (half the column scratch). The same
                             results either way; edgeai_conv_s16 ignores it. */
} edgeai_conv_params;

/** Numbers of a convolution (they change when the model is retrained). */
typedef struct {
    EDGEAI_CONV_OUTPUT_FIELDS
    const int8_t *weights;     /**< word aligned, in the paired layout above */
    const int32_t *bias;       /**< [output.c], input zero point folded in (see above) */
    const int32_t *requant;    /**< [output.c][EDGEAI_RQ_WORDS] records (edgeai_requantize.h) */
} edgeai_conv_data;

/**
 * CONV_2D with groups 1: output = clamp(requantize(bias' + sum(w * x)) + output_offset).
 * @param scratch edgeai_conv_s8_get_buffer_size(params) bytes, word aligned
 * @return EDGEAI_OK, or EDGEAI_ERROR_ARGUMENT for a NULL pointer or invalid structure
 */
edgeai_status edgeai_conv_s8(const edgeai_conv_params *params, const edgeai_conv_data *data,
                             const int8_t *input, int8_t *output, int8_t *scratch);

/**
 * CONV_2D with groups > 1 (edgeai_conv_s8 and the others take groups 1 only): the portable
 * path on every target, so that firmware without a grouped convolution does not link it.
 * The same weights, numbers and scratch as edgeai_conv_s8.
 */
edgeai_status edgeai_conv_grouped_s8(const edgeai_conv_params *params,
                                     const edgeai_conv_data *data, const int8_t *input,
                                     int8_t *output, int8_t *scratch);

/**
 * Scratch bytes of edgeai_conv_s8 for a filter of kernel_h x kernel_w x filter_c
 * (filter_c = input.c / groups), the same on both code paths: `columns` int16 columns of the
 * depth rounded up to quads, 8 bytes per quad each (interleaved quad by quad when there are
 * two). When filter_c is not a multiple of 4, an int8 im2col column follows them (4 bytes
 * per quad): EDGEAI_CONV_S8_STAGED_BUFFER_SIZE. The generator reads these formulas from here.
 */
#define EDGEAI_CONV_S8_BUFFER_SIZE(kernel_h, kernel_w, filter_c, columns) \
    (((kernel_h) * (kernel_w) * (filter_c) + 3) / 4 * 8 * (columns))
#define EDGEAI_CONV_S8_STAGED_BUFFER_SIZE(kernel_h, kernel_w, filter_c, columns) \
    (((kernel_h) * (kernel_w) * (filter_c) + 3) / 4 * (8 * (columns) + 4))

/** Bytes of scratch that edgeai_conv_s8 needs (> 0), by the formulas above. */
int32_t edgeai_conv_s8_get_buffer_size(const edgeai_conv_params *params);

/**
 * Numbers of a convolution with int16 weights (`-O time`; the same results, twice the
 * weight flash, about a fifth fewer instructions in the inner loop). Weights: the layout
 * above with each tap an int16 and each quad's four taps in the order 0, 2, 1, 3:
 *     pair p, quad q: channel 2p's taps 4q, 4q+2, 4q+1, 4q+3, then channel 2p + 1's
 */
typedef struct {
    EDGEAI_CONV_OUTPUT_FIELDS
    const int16_t *weights;    /**< word aligned, in the int16 paired layout above */
    const int32_t *bias;       /**< as edgeai_conv_data's */
    const int32_t *requant;    /**< as edgeai_conv_data's */
} edgeai_conv_wide_data;

/** CONV_2D as edgeai_conv_s8, on int16 weights; the same scratch. */
edgeai_status edgeai_conv_wide_s8(const edgeai_conv_params *params,
                                  const edgeai_conv_wide_data *data, const int8_t *input,
                                  int8_t *output, int8_t *scratch);

/** Which pooling follows the convolution in edgeai_conv_pool_s8. */
typedef enum {
    EDGEAI_POOL_MAX = 0,
    EDGEAI_POOL_AVERAGE = 1
} edgeai_pool_kind;

/**
 * Structure of a convolution fused with the pooling that reads its output. The pooling's
 * padding applies to conv.output.
 */
typedef struct {
    edgeai_conv_params conv; /**< the convolution; conv.output (never stored) is pooled */
    edgeai_hwc output;       /**< pooled output; c = conv.output.c */
    int32_t pool_kind;       /**< an edgeai_pool_kind */
    int32_t pool_h;          /**< pooling window height >= 1 */
    int32_t pool_w;          /**< pooling window width >= 1 */
    int32_t pool_stride_h;   /**< >= 1 */
    int32_t pool_stride_w;   /**< >= 1 */
    int32_t pool_pad_top;    /**< pooling padding above conv.output (never read) */
    int32_t pool_pad_left;   /**< pooling padding left of conv.output (never read) */
} edgeai_conv_pool_params;

/** Numbers of a fused convolution and pooling. */
typedef struct {
    edgeai_conv_data conv; /**< conv.output_offset is also the pooled output's zero point */
    int32_t pool_act_min;  /**< the pooling's fused activation */
    int32_t pool_act_max;
} edgeai_conv_pool_data;

/**
 * CONV_2D followed by MAX_POOL_2D or AVERAGE_POOL_2D, without storing the convolution's
 * output: each pooled value is computed from the int8 convolution outputs of its window
 * (recomputed where windows overlap). Bit-exact with TFLM running the two ops.
 * @param scratch edgeai_conv_pool_s8_get_buffer_size(params) bytes
 */
edgeai_status edgeai_conv_pool_s8(const edgeai_conv_pool_params *params,
                                  const edgeai_conv_pool_data *data, const int8_t *input,
                                  int8_t *output, int8_t *scratch);

/**
 * Scratch layout of edgeai_conv_pool_s8, the same on both code paths: edgeai_conv_s8's
 * scratch for `conv` (`column_bytes`: conv.columns int16 columns, and the int8 one when
 * staged), `columns` (conv.columns) pixels of int8 convolution outputs, then, for an average,
 * one int32 sum per channel, 4-byte aligned. `average` is 1 for EDGEAI_POOL_AVERAGE, else 0.
 * The generator reads these formulas.
 */
#define EDGEAI_CONV_POOL_S8_SUMS_OFFSET(column_bytes, channels, columns) \
    (((column_bytes) + (channels) * (columns) + 3) / 4 * 4)
#define EDGEAI_CONV_POOL_S8_BUFFER_SIZE(column_bytes, channels, columns, average) \
    (EDGEAI_CONV_POOL_S8_SUMS_OFFSET(column_bytes, channels, columns) + \
     4 * (channels) * (average))

/** Numbers of a fused convolution with int16 weights and pooling. */
typedef struct {
    edgeai_conv_wide_data conv; /**< as edgeai_conv_pool_data's, weights in the int16 layout */
    int32_t pool_act_min;
    int32_t pool_act_max;
} edgeai_conv_pool_wide_data;

/**
 * edgeai_conv_pool_s8 on int16 weights (`-O time` / `balanced`): the same results and
 * scratch, fewer instructions a multiply-accumulate on the DSP path.
 */
edgeai_status edgeai_conv_pool_wide_s8(const edgeai_conv_pool_params *params,
                                       const edgeai_conv_pool_wide_data *data,
                                       const int8_t *input, int8_t *output, int8_t *scratch);

/** Bytes of scratch that edgeai_conv_pool_s8 (and _wide_s8) needs (always > 0). */
int32_t edgeai_conv_pool_s8_get_buffer_size(const edgeai_conv_pool_params *params);

#ifdef __cplusplus
}
#endif

#endif /* EDGEAI_CONV_H */
