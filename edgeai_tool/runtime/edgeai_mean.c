/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: MEAN int8 and int16 (see edgeai_mean.h).
 */
#include "edgeai_mean.h"

#include <stddef.h>

#include "edgeai_requantize.h"

/* Sum of n values `step` apart; `step` is a constant at each call site. */
static inline uint32_t mean_row_sum(const int8_t *x, int32_t n, int32_t step)
{
    uint32_t sum = 0;
    for (int32_t i = 0; i < n; ++i) {
        sum += (uint32_t)(int32_t)x[i * step];
    }
    return sum;
}

/* Sum of the values of one reduction box starting at `x` (wrapping like TFLM's int32). */
static uint32_t mean_box_sum(const edgeai_mean_params *params, const int8_t *x)
{
    const int32_t *const count = params->inner_count;
    const int32_t *const step = params->inner_step;
    uint32_t sum = 0;
    for (int32_t i0 = 0; i0 < count[0]; ++i0) {
        for (int32_t i1 = 0; i1 < count[1]; ++i1) {
            const int8_t *row = x + i0 * step[0] + i1 * step[1];
            sum += step[2] == 1 ? mean_row_sum(row, count[2], 1)
                                : mean_row_sum(row, count[2], step[2]);
        }
    }
    return sum;
}

edgeai_status edgeai_mean_s8(const edgeai_mean_params *params, const edgeai_mean_data *data,
                             const int8_t *input, int8_t *output)
{
    if (params == NULL || data == NULL || input == NULL || output == NULL) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    for (int32_t d = 0; d < EDGEAI_MEAN_LOOPS; ++d) {
        if (params->outer_count[d] < 1 || params->inner_count[d] < 1) {
            return EDGEAI_ERROR_ARGUMENT;
        }
    }
    const uint32_t bias = (uint32_t)data->bias;
    const int32_t multiplier = data->multiplier;
    const int32_t shift = data->shift;
    const int32_t output_offset = data->output_offset;
    for (int32_t o0 = 0; o0 < params->outer_count[0]; ++o0) {
        for (int32_t o1 = 0; o1 < params->outer_count[1]; ++o1) {
            for (int32_t o2 = 0; o2 < params->outer_count[2]; ++o2) {
                const int8_t *x = input + o0 * params->outer_step[0] +
                                  o1 * params->outer_step[1] + o2 * params->outer_step[2];
                const int32_t shifted = (int32_t)(mean_box_sum(params, x) + bias);
                int32_t value = edgeai_requantize(shifted, multiplier, shift) + output_offset;
                *output++ = (int8_t)EDGEAI_CLAMP(value, -128, 127);
            }
        }
    }
    return EDGEAI_OK;
}

/* The int16 mean of the box at `x`: every reduced value summed (wrapping as TFLM's int32),
 * then requantized. */
static int16_t mean_box_s16(const edgeai_mean_params *params, const edgeai_mean_data *data,
                            const int16_t *x)
{
    const int32_t *const n = params->inner_count;
    const int32_t *const step = params->inner_step;
    uint32_t sum = (uint32_t)data->bias;
    for (int32_t i0 = 0; i0 < n[0]; ++i0) {
        for (int32_t i1 = 0; i1 < n[1]; ++i1) {
            for (int32_t i2 = 0; i2 < n[2]; ++i2) {
                sum += (uint32_t)(int32_t)x[i0 * step[0] + i1 * step[1] + i2 * step[2]];
            }
        }
    }
    const int32_t value =
        edgeai_requantize((int32_t)sum, data->multiplier, data->shift) + data->output_offset;
    return (int16_t)EDGEAI_CLAMP(value, INT16_MIN, INT16_MAX);
}

edgeai_status edgeai_mean_s16(const edgeai_mean_params *params, const edgeai_mean_data *data,
                              const int16_t *input, int16_t *output)
{
    if (params == NULL || data == NULL || input == NULL || output == NULL) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    int32_t outputs = 1;
    for (int32_t d = 0; d < EDGEAI_MEAN_LOOPS; ++d) {
        if (params->outer_count[d] < 1 || params->inner_count[d] < 1) {
            return EDGEAI_ERROR_ARGUMENT;
        }
        outputs *= params->outer_count[d];
    }
    /* the outer loops as one counter, outermost dimension slowest */
    for (int32_t k = 0; k < outputs; ++k) {
        const int32_t o2 = k % params->outer_count[2];
        const int32_t o1 = (k / params->outer_count[2]) % params->outer_count[1];
        const int32_t o0 = k / (params->outer_count[2] * params->outer_count[1]);
        output[k] = mean_box_s16(params, data, input + o0 * params->outer_step[0] +
                                                    o1 * params->outer_step[1] +
                                                    o2 * params->outer_step[2]);
    }
    return EDGEAI_OK;
}
