/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: SOFTMAX on int16 (see edgeai_softmax.h). Portable C99.
 */
#include <stddef.h>

#include "edgeai_requantize.h"
#include "edgeai_softmax.h"

/* A 513-entry table read with linear interpolation: entry 256 + (v >> 7), then the next
 * entry's difference times the low 7 bits of v, rounded. */
static int16_t lut_interpolate(int32_t value, const int16_t *lut)
{
    const int32_t index = 256 + (value >> 7);
    const int32_t offset = value & 0x7f;
    const int32_t base = lut[index];
    const int32_t slope = (int16_t)(lut[index + 1] - base);
    return (int16_t)(base + ((slope * offset + 64) >> 7));
}

static int32_t clamp_s16(int32_t value)
{
    return EDGEAI_CLAMP(value, INT16_MIN, INT16_MAX);
}

/* Leading zero bits of a positive int32 (1..31). */
static int32_t leading_zeros(uint32_t value)
{
    int32_t count = 0;
    while (count < 32 && (value & (UINT32_C(1) << (31 - count))) == 0) {
        ++count;
    }
    return count;
}

static void softmax_row(const edgeai_softmax_s16_data *data, int32_t depth, const int16_t *x,
                        int16_t *y)
{
    int32_t max_value = INT16_MIN;
    for (int32_t c = 0; c < depth; ++c) {
        max_value = EDGEAI_MAX(max_value, x[c]);
    }
    int32_t sum = 0; /* Q16.15: at most depth * 32767 */
    for (int32_t c = 0; c < depth; ++c) {
        const int32_t scaled = edgeai_requantize(x[c] - max_value, data->input_multiplier,
                                                 data->input_shift);
        y[c] = lut_interpolate(clamp_s16(scaled + 32767), data->exp_lut);
        sum += y[c];
    }
    const int32_t headroom_plus_one = leading_zeros((uint32_t)sum);
    const int32_t shifted_sum =
        (int32_t)((((int64_t)sum << (headroom_plus_one - 1)) + (1 << 13)) >> 14);
    /* 1 / (1 + x) with x = sum - 1 recentred from [0, 65535] to [-32768, 32767] */
    const int32_t reciprocal =
        lut_interpolate(clamp_s16(shifted_sum - ((1 << 15) + (1 << 16))), data->recip_lut);
    const int32_t right_shift = 31 - headroom_plus_one;
    const int64_t rounding = INT64_C(1) << (right_shift - 1);
    for (int32_t c = 0; c < depth; ++c) {
        const int32_t value = (int32_t)(((int64_t)y[c] * reciprocal + rounding) >> right_shift);
        y[c] = (int16_t)EDGEAI_CLAMP(value, 0, INT16_MAX);
    }
}

edgeai_status edgeai_softmax_s16(const edgeai_softmax_params *params,
                                 const edgeai_softmax_s16_data *data, const int16_t *input,
                                 int16_t *output)
{
    if (params == NULL || data == NULL || data->exp_lut == NULL || data->recip_lut == NULL ||
        input == NULL || output == NULL || params->rows < 1 || params->depth < 1 ||
        params->depth > 65535) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    for (int32_t r = 0; r < params->rows; ++r) {
        softmax_row(data, params->depth, input + r * params->depth,
                    output + r * params->depth);
    }
    return EDGEAI_OK;
}
