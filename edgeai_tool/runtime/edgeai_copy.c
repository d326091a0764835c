/* SPDX-License-Identifier: Apache-2.0 */
#include "edgeai_copy.h"

#include <string.h>

edgeai_status edgeai_copy_s8(const edgeai_copy_params *params, const int8_t *input, int8_t *output)
{
    if (params == NULL || input == NULL || output == NULL || params->size < 0) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    memcpy(output, input, (size_t)params->size);
    return EDGEAI_OK;
}
