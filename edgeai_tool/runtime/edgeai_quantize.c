/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: QUANTIZE and DEQUANTIZE (see edgeai_quantize.h). No libm: rounding is done
 * on values already clamped to a small range, where it is exact.
 */
#include "edgeai_quantize.h"

#include <stddef.h>

#include "edgeai_requantize.h"

/* round_half_away(q) + zero_point clamped to [qmin, qmax], for any float q (NaN -> qmin).
 * Values beyond +-bound (> 2 * 2^bits) saturate anyway, so q is clamped there first and
 * the rest is exact: for |q| < 2^24 the float q - trunc(q) is computed without rounding. */
static inline int32_t quantize_round(float q, int32_t zero_point, float bound, int32_t qmin,
                                     int32_t qmax)
{
    if (!(q > -bound)) {
        q = -bound; /* also NaN */
    } else if (q > bound) {
        q = bound;
    }
    int32_t value = (int32_t)q; /* truncates toward zero */
    const float fraction = q - (float)value;
    if (fraction >= 0.5f) {
        value += 1;
    } else if (fraction <= -0.5f) {
        value -= 1;
    }
    value += zero_point;
    return EDGEAI_CLAMP(value, qmin, qmax);
}

static inline int8_t quantize_one(float q, int32_t zero_point)
{
    return (int8_t)quantize_round(q, zero_point, 512.0f, -128, 127);
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

/* ---- 16x8 ------------------------------------------------------------------------------- */

edgeai_status edgeai_quantize_f32_s16(const edgeai_quantize_params *params,
                                      const edgeai_affine_data *data, const float *input,
                                      int16_t *output)
{
    if (params == NULL || data == NULL || input == NULL || output == NULL || params->size < 1) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    for (int32_t i = 0; i < params->size; ++i) {
        output[i] = (int16_t)quantize_round(input[i] / data->scale, data->zero_point, 131072.0f,
                                            INT16_MIN, INT16_MAX);
    }
    return EDGEAI_OK;
}

edgeai_status edgeai_dequantize_s16_f32(const edgeai_quantize_params *params,
                                        const edgeai_affine_data *data, const int16_t *input,
                                        float *output)
{
    if (params == NULL || data == NULL || input == NULL || output == NULL || params->size < 1) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    for (int32_t i = 0; i < params->size; ++i) {
        output[i] = data->scale * (float)((int32_t)input[i] - data->zero_point);
    }
    return EDGEAI_OK;
}

/* One requantized value clamped to the output type's range. */
static inline int32_t requantize_one(int32_t x, const edgeai_requantize_data *data, int32_t qmin,
                                     int32_t qmax)
{
    const int32_t value =
        edgeai_requantize(x + data->input_offset, data->multiplier, data->shift) +
        data->output_offset;
    return EDGEAI_CLAMP(value, qmin, qmax);
}

static int requantize_args_valid(const edgeai_quantize_params *params,
                                 const edgeai_requantize_data *data, const void *input,
                                 const void *output)
{
    return params != NULL && data != NULL && input != NULL && output != NULL && params->size > 0;
}

/* The three requantize entries differ only in their element types and output range. */
#define REQUANTIZE_ENTRY(name, in_type, out_type, qmin, qmax)                                 \
    edgeai_status name(const edgeai_quantize_params *params, const edgeai_requantize_data *data, \
                       const in_type *input, out_type *output)                                 \
    {                                                                                          \
        if (!requantize_args_valid(params, data, input, output)) {                             \
            return EDGEAI_ERROR_ARGUMENT;                                                      \
        }                                                                                      \
        for (int32_t i = 0; i < params->size; ++i) {                                           \
            output[i] = (out_type)requantize_one(input[i], data, qmin, qmax);                  \
        }                                                                                      \
        return EDGEAI_OK;                                                                      \
    }

REQUANTIZE_ENTRY(edgeai_requantize_s16, int16_t, int16_t, INT16_MIN, INT16_MAX)
REQUANTIZE_ENTRY(edgeai_requantize_s16_s8, int16_t, int8_t, INT8_MIN, INT8_MAX)
REQUANTIZE_ENTRY(edgeai_requantize_s8_s16, int8_t, int16_t, INT16_MIN, INT16_MAX)
