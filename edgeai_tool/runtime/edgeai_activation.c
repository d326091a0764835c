/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: int8 activations by table lookup, and the 16x8 LEAKY_RELU (see
 * edgeai_activation.h).
 */
#include "edgeai_activation.h"

#include <stddef.h>

#include "edgeai_requantize.h"

edgeai_status edgeai_lut_s8(const edgeai_lut_params *params, const edgeai_lut_data *data,
                            const int8_t *input, int8_t *output)
{
    if (params == NULL || data == NULL || input == NULL || output == NULL || data->lut == NULL) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    const int32_t size = params->size;
    const int8_t *const lut = data->lut;
    if (size <= 0) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    for (int32_t i = 0; i < size; ++i) {
        output[i] = lut[(uint8_t)input[i]];
    }
    return EDGEAI_OK;
}

int32_t edgeai_lut_s8_get_buffer_size(const edgeai_lut_params *params)
{
    (void)params;
    return EDGEAI_LUT_S8_BUFFER_SIZE();
}

edgeai_status edgeai_leaky_relu_s16(const edgeai_lut_params *params,
                                    const edgeai_leaky_relu_s16_data *data,
                                    const int16_t *input, int16_t *output)
{
    if (params == NULL || data == NULL || input == NULL || output == NULL || params->size <= 0) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    const int32_t negative_alpha = data->alpha_multiplier < 0;
    const int32_t alpha_multiplier = negative_alpha ? -data->alpha_multiplier
                                                    : data->alpha_multiplier;
    for (int32_t i = 0; i < params->size; ++i) {
        const int32_t x = input[i];
        int32_t value;
        if (x >= 0) {
            value = edgeai_requantize(x, data->identity_multiplier, data->identity_shift);
        } else {
            value = edgeai_requantize(x, alpha_multiplier, data->alpha_shift);
            value = negative_alpha ? -value : value;
        }
        output[i] = (int16_t)EDGEAI_CLAMP(value, INT16_MIN, INT16_MAX);
    }
    return EDGEAI_OK;
}

/* The input rescaled to the sigmoid table's steps. */
static int32_t sigmoid_input(int32_t x, const edgeai_sigmoid_s16_data *data)
{
    const int32_t rounding = data->input_shift > 0 ? 1 << (data->input_shift - 1) : 0;
    return (x * data->input_multiplier + rounding) >> data->input_shift;
}

/* sigmoid(|x|) << fraction_bits, interpolated between table entries |x| >> fraction_bits
 * and the next; `saturated` past the table. */
static uint32_t sigmoid_interpolate(uint32_t magnitude, const uint16_t *table,
                                    int32_t fraction_bits, uint32_t saturated)
{
    const uint32_t index = magnitude >> fraction_bits;
    if (index >= 255) {
        return saturated;
    }
    const uint32_t low = table[index];
    const uint32_t high = table[index + 1];
    const uint32_t fraction = magnitude & ((UINT32_C(1) << fraction_bits) - 1);
    return (low << fraction_bits) + fraction * (high - low);
}

static int sigmoid_args_valid(const edgeai_lut_params *params,
                              const edgeai_sigmoid_s16_data *data, const int16_t *input,
                              const int16_t *output)
{
    return params != NULL && data != NULL && data->sigmoid != NULL && input != NULL &&
           output != NULL && params->size > 0 && data->input_shift >= 0;
}

/* logistic(x) with 15 fraction bits for x already scaled by sigmoid_input. */
static inline int16_t logistic_one(int32_t x, const uint16_t *sigmoid)
{
    uint32_t result =
        sigmoid_interpolate((uint32_t)(x < 0 ? -x : x), sigmoid, 9, UINT32_C(0x7FFF) << 10);
    /* sigmoid(-x) = 1 - sigmoid(x); rounded back to 15 fraction bits */
    result = x >= 0 ? result + (1U << 9) : (1U << 25) - result + (1U << 9) - 1U;
    return (int16_t)(result >> 10);
}

/* tanh(x) with 15 fraction bits for x already scaled by sigmoid_input. */
static inline int16_t tanh_one(int32_t x, const uint16_t *sigmoid_table)
{
    const int32_t sigmoid = (int32_t)sigmoid_interpolate(
        (uint32_t)(x < 0 ? -x : x), sigmoid_table, 8, UINT32_C(0xFFFF) << 8);
    /* 2 sigmoid - 1, mirrored for x < 0, rounded back to 15 fraction bits */
    const int32_t result =
        x >= 0 ? sigmoid - (1 << 23) + (1 << 7) : -sigmoid + (1 << 23) + (1 << 7) - 1;
    return (int16_t)(result >> 8);
}

/* logistic and tanh share argument checks and input scaling; only the per-value step differs. */
#define SIGMOID_ENTRY(name, one)                                                              \
    edgeai_status name(const edgeai_lut_params *params, const edgeai_sigmoid_s16_data *data,  \
                       const int16_t *input, int16_t *output)                                 \
    {                                                                                         \
        if (!sigmoid_args_valid(params, data, input, output)) {                               \
            return EDGEAI_ERROR_ARGUMENT;                                                     \
        }                                                                                     \
        for (int32_t i = 0; i < params->size; ++i) {                                          \
            output[i] = one(sigmoid_input(input[i], data), data->sigmoid);                    \
        }                                                                                     \
        return EDGEAI_OK;                                                                     \
    }

SIGMOID_ENTRY(edgeai_logistic_s16, logistic_one)
SIGMOID_ENTRY(edgeai_tanh_s16, tanh_one)

edgeai_status edgeai_relu_s16(const edgeai_lut_params *params, const edgeai_relu_s16_data *data,
                              const int16_t *input, int16_t *output)
{
    if (params == NULL || data == NULL || input == NULL || output == NULL || params->size <= 0) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    for (int32_t i = 0; i < params->size; ++i) {
        const int32_t value = edgeai_requantize(input[i], data->multiplier, data->shift);
        output[i] = (int16_t)EDGEAI_CLAMP(value, data->act_min, data->act_max);
    }
    return EDGEAI_OK;
}
