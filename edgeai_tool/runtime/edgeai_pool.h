/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: int8 MAX_POOL_2D and AVERAGE_POOL_2D.
 *
 * Bit-exact with TensorFlow Lite Micro's reference_integer_ops::MaxPool / AveragePool:
 * the window is clipped to the input (padding is never read), the maximum or the average
 * (sum / count of the clipped window, rounded half away from zero) is clamped to the
 * fused activation's range. Input and output share scale and zero point, so no
 * requantization happens. Layout NHWC, batch 1.
 */
#ifndef EDGEAI_POOL_H
#define EDGEAI_POOL_H

#include <stdint.h>

#include "edgeai_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Structure of a pooling. */
typedef struct {
    edgeai_hwc input;  /**< input shape; h, w, c >= 1 */
    edgeai_hwc output; /**< output shape; output.c = input.c */
    int32_t filter_h;  /**< window height >= 1 */
    int32_t filter_w;  /**< window width >= 1 */
    int32_t stride_h;  /**< >= 1 */
    int32_t stride_w;  /**< >= 1 */
    int32_t pad_top;   /**< rows of padding above the input (never read) */
    int32_t pad_left;  /**< columns of padding left of the input (never read) */
} edgeai_pool_params;

/** Numbers of a pooling: the fused activation's clamp. */
typedef struct {
    int32_t act_min; /**< -128 <= act_min <= act_max */
    int32_t act_max; /**< <= 127 */
} edgeai_pool_data;

/** MAX_POOL_2D. Needs no scratch. */
edgeai_status edgeai_max_pool_s8(const edgeai_pool_params *params, const edgeai_pool_data *data,
                                 const int8_t *input, int8_t *output);

/**
 * AVERAGE_POOL_2D.
 * @param scratch edgeai_avg_pool_s8_get_buffer_size(params) bytes, 4-byte aligned
 * @return EDGEAI_ERROR_ARGUMENT also when a window lies entirely in the padding (as TFLM)
 */
edgeai_status edgeai_avg_pool_s8(const edgeai_pool_params *params, const edgeai_pool_data *data,
                                 const int8_t *input, int8_t *output, int32_t *scratch);

/** Scratch bytes of edgeai_avg_pool_s8: one int32 sum per channel (the generator reads it). */
#define EDGEAI_AVG_POOL_S8_BUFFER_SIZE(channels) (4 * (channels))

/** Bytes of scratch edgeai_avg_pool_s8 needs: EDGEAI_AVG_POOL_S8_BUFFER_SIZE(input.c). */
int32_t edgeai_avg_pool_s8_get_buffer_size(const edgeai_pool_params *params);

/*
 * 16x8 (int16 input and output, the same scale, zero point 0): the same windows and
 * arithmetic with int16 values and clamps (data->act_min/act_max within int16). Portable
 * C99, no scratch.
 */
edgeai_status edgeai_max_pool_s16(const edgeai_pool_params *params, const edgeai_pool_data *data,
                                  const int16_t *input, int16_t *output);
edgeai_status edgeai_avg_pool_s16(const edgeai_pool_params *params, const edgeai_pool_data *data,
                                  const int16_t *input, int16_t *output);

#ifdef __cplusplus
}
#endif

#endif /* EDGEAI_POOL_H */
