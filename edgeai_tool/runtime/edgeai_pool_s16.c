/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: MAX_POOL_2D and AVERAGE_POOL_2D on int16 (see edgeai_pool.h), as TFLite
 * Micro's reference_integer_ops::MaxPool / AveragePool for int16: the window clipped to
 * the input, the average's sum divided by the clipped count rounding half away from zero.
 */
#include <stddef.h>

#include "edgeai_pool.h"

typedef enum { POOL_S16_MAX, POOL_S16_AVERAGE } pool_s16_kind;

/* One output value of channel c for the window rows [y0, y1) and columns [x0, x1). */
static int32_t pool_s16_window(pool_s16_kind kind, const edgeai_pool_params *params,
                               const int16_t *input, int32_t c, int32_t y0, int32_t y1,
                               int32_t x0, int32_t x1)
{
    int32_t acc = kind == POOL_S16_MAX ? INT16_MIN : 0;
    for (int32_t y = y0; y < y1; ++y) {
        for (int32_t x = x0; x < x1; ++x) {
            const int32_t value = input[(y * params->input.w + x) * params->input.c + c];
            acc = kind == POOL_S16_MAX ? EDGEAI_MAX(acc, value) : acc + value;
        }
    }
    if (kind == POOL_S16_MAX) {
        return acc;
    }
    const int32_t count = (y1 - y0) * (x1 - x0);
    return acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
}

static edgeai_status pool_s16(pool_s16_kind kind, const edgeai_pool_params *params,
                              const edgeai_pool_data *data, const int16_t *input,
                              int16_t *output)
{
    if (params == NULL || data == NULL || input == NULL || output == NULL ||
        params->filter_h < 1 || params->filter_w < 1 || params->stride_h < 1 ||
        params->stride_w < 1 || params->output.c != params->input.c) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    const edgeai_hwc out = params->output;
    for (int32_t oy = 0; oy < out.h; ++oy) {
        const int32_t top = oy * params->stride_h - params->pad_top;
        const int32_t y0 = EDGEAI_MAX(top, 0);
        const int32_t y1 = EDGEAI_MIN(top + params->filter_h, params->input.h);
        for (int32_t ox = 0; ox < out.w; ++ox) {
            const int32_t left = ox * params->stride_w - params->pad_left;
            const int32_t x0 = EDGEAI_MAX(left, 0);
            const int32_t x1 = EDGEAI_MIN(left + params->filter_w, params->input.w);
            if (y0 >= y1 || x0 >= x1) {
                return EDGEAI_ERROR_ARGUMENT; /* a window entirely in the padding (as TFLM) */
            }
            for (int32_t c = 0; c < out.c; ++c) {
                const int32_t value = pool_s16_window(kind, params, input, c, y0, y1, x0, x1);
                output[(oy * out.w + ox) * out.c + c] =
                    (int16_t)EDGEAI_CLAMP(value, data->act_min, data->act_max);
            }
        }
    }
    return EDGEAI_OK;
}

edgeai_status edgeai_max_pool_s16(const edgeai_pool_params *params, const edgeai_pool_data *data,
                                  const int16_t *input, int16_t *output)
{
    return pool_s16(POOL_S16_MAX, params, data, input, output);
}

edgeai_status edgeai_avg_pool_s16(const edgeai_pool_params *params, const edgeai_pool_data *data,
                                  const int16_t *input, int16_t *output)
{
    return pool_s16(POOL_S16_AVERAGE, params, data, input, output);
}
