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
