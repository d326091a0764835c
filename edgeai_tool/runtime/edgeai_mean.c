/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: MEAN int8 (see edgeai_mean.h).
 */
#include "edgeai_mean.h"

#include <stddef.h>

#include "edgeai_requantize.h"

/* Sum of the values of one reduction box starting at `x` (wrapping like TFLM's int32). */
static uint32_t mean_box_sum(const edgeai_mean_params *params, const int8_t *x)
{
    const int32_t c0 = params->inner_count[0];
    const int32_t c1 = params->inner_count[1];
    const int32_t c2 = params->inner_count[2];
    const int32_t s0 = params->inner_step[0];
    const int32_t s1 = params->inner_step[1];
    const int32_t s2 = params->inner_step[2];
    uint32_t sum = 0;
    for (int32_t i0 = 0; i0 < c0; ++i0) {
        for (int32_t i1 = 0; i1 < c1; ++i1) {
            const int8_t *row = x + i0 * s0 + i1 * s1;
            if (s2 == 1) {
                for (int32_t i2 = 0; i2 < c2; ++i2) {
                    sum += (uint32_t)(int32_t)row[i2];
                }
            } else {
                for (int32_t i2 = 0; i2 < c2; ++i2) {
                    sum += (uint32_t)(int32_t)row[i2 * s2];
                }
            }
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
