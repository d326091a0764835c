/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: int8 activations by table lookup (see edgeai_activation.h).
 */
#include "edgeai_activation.h"

#include <stddef.h>

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
