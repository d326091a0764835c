/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: QUANTIZE and DEQUANTIZE (see edgeai_quantize.h). No libm: rounding is done
 * on values already clamped to a small range, where it is exact.
 */
#include "edgeai_quantize.h"

#include <stddef.h>

#include "edgeai_requantize.h"

/* round_half_away(q) + zero_point clamped to int8, for any float q (NaN -> -128). Values
 * beyond +-512 saturate anyway, so q is clamped there first and the rest is exact: for
 * |q| <= 512 the float q - trunc(q) is computed without rounding. */
static inline int8_t quantize_one(float q, int32_t zero_point)
{
    if (!(q > -512.0f)) {
        q = -512.0f; /* also NaN */
    } else if (q > 512.0f) {
        q = 512.0f;
    }
    int32_t value = (int32_t)q; /* truncates toward zero */
    const float fraction = q - (float)value;
    if (fraction >= 0.5f) {
        value += 1;
    } else if (fraction <= -0.5f) {
        value -= 1;
    }
    value += zero_point;
    return (int8_t)EDGEAI_CLAMP(value, -128, 127);
}

edgeai_status edgeai_quantize_f32_s8(const edgeai_quantize_params *params,
                                     const edgeai_affine_data *data, const float *input,
                                     int8_t *output)
{
    if (params == NULL || data == NULL || input == NULL || output == NULL || params->size < 1) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    const float scale = data->scale;
    const int32_t zero_point = data->zero_point;
    for (int32_t i = 0; i < params->size; ++i) {
        output[i] = quantize_one(input[i] / scale, zero_point);
    }
    return EDGEAI_OK;
}

edgeai_status edgeai_requantize_s8(const edgeai_quantize_params *params,
                                   const edgeai_requantize_data *data, const int8_t *input,
                                   int8_t *output)
{
    if (params == NULL || data == NULL || input == NULL || output == NULL || params->size < 1) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    const int32_t multiplier = data->multiplier;
    const int32_t shift = data->shift;
    const int32_t input_offset = data->input_offset;
    const int32_t output_offset = data->output_offset;
    for (int32_t i = 0; i < params->size; ++i) {
        int32_t value = edgeai_requantize((int32_t)input[i] + input_offset, multiplier, shift);
        value += output_offset;
        output[i] = (int8_t)EDGEAI_CLAMP(value, -128, 127);
    }
    return EDGEAI_OK;
}

edgeai_status edgeai_dequantize_s8_f32(const edgeai_quantize_params *params,
                                       const edgeai_affine_data *data, const int8_t *input,
                                       float *output)
{
    if (params == NULL || data == NULL || input == NULL || output == NULL || params->size < 1) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    const float scale = data->scale;
    const int32_t zero_point = data->zero_point;
    for (int32_t i = 0; i < params->size; ++i) {
        output[i] = scale * (float)((int32_t)input[i] - zero_point);
    }
    return EDGEAI_OK;
}
