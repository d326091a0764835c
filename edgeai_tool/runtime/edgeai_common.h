/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: definitions shared by every kernel and by the generated code.
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

/** The filter window of a convolution (edgeai_conv_params, edgeai_depthwise_params). */
#define EDGEAI_CONV_WINDOW_FIELDS                                                           \
    int32_t kernel_h;   /**< filter height >= 1 */                                          \
    int32_t kernel_w;   /**< filter width >= 1 */                                           \
    int32_t stride_h;   /**< >= 1 */                                                        \
    int32_t stride_w;   /**< >= 1 */                                                        \
    int32_t dilation_h; /**< >= 1 */                                                        \
    int32_t dilation_w; /**< >= 1 */                                                        \
    int32_t pad_top;    /**< rows of implicit padding above the input (padding.height) */   \
    int32_t pad_left;   /**< columns of implicit padding left of the input (padding.width) */

/**
 * The first fields of every convolution's numbers (edgeai_conv_data, edgeai_depthwise_data):
 * the padding value and the output stage, which the kernels read the same way.
 */
#define EDGEAI_CONV_OUTPUT_FIELDS                                                           \
    int32_t pad_value;     /**< the input zero point, in [-128, 127] */                     \
    int32_t output_offset; /**< the output zero point, in [-128, 127] */                    \
    int32_t act_min;       /**< clamp after requantization, -128 <= act_min <= act_max */   \
    int32_t act_max;       /**< ... <= 127; implements the fused activation */              \
    int32_t rq_fast;       /**< 1 when edgeai_rq_fast is exact for every channel */

/** Shape of an activation tensor in NHWC order with batch 1. */
typedef struct {
    int32_t h; /**< height (rows) */
    int32_t w; /**< width (columns) */
    int32_t c; /**< channels, innermost in memory */
} edgeai_hwc;

#ifdef __cplusplus
}
#endif

#endif /* EDGEAI_COMMON_H */
