/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: SVDF int8 (see edgeai_svdf.h). The int8-state and int16-state kernels
 * are one body, instantiated for each state type by EDGEAI_SVDF_KERNEL.
 */
#include "edgeai_svdf.h"

#include <stddef.h>
#include <string.h>

#include "edgeai_requantize.h"

/* Whether the shapes are ones TFLM accepts. */
static int svdf_shapes_valid(const edgeai_svdf_params *params)
{
    return params->batches > 0 && params->input_size > 0 && params->num_filters > 0 &&
           params->rank > 0 && params->memory_size > 0 &&
           params->num_filters % params->rank == 0;
}

/* sum_i weights[i] * (input[i] - input_zero_point), requantized into the state's scale. */
static int32_t svdf_feature(const int8_t *weights, const int8_t *input, int32_t size,
                            int32_t input_zero_point, int32_t multiplier, int32_t shift)
{
    int32_t acc = 0;
    for (int32_t i = 0; i < size; ++i) {
        acc += (int32_t)weights[i] * ((int32_t)input[i] - input_zero_point);
    }
    return edgeai_requantize(acc, multiplier, shift);
}

/* The output stage: requantize, add the zero point, saturate to int8. */
static int8_t svdf_output(int32_t acc, int32_t multiplier, int32_t shift, int32_t offset)
{
    const int32_t value = edgeai_requantize(acc, multiplier, shift) + offset;
    return (int8_t)EDGEAI_CLAMP(value, INT8_MIN, INT8_MAX);
}

/*
 * One kernel for state type T (range T_MIN..T_MAX). The time products are summed in
 * unsigned arithmetic: the int32 wrap-around of TFLM's accumulator, without signed overflow.
 */
#define EDGEAI_SVDF_KERNEL(NAME, DATA, T, T_MIN, T_MAX)                                     \
    edgeai_status NAME(const edgeai_svdf_params *params, const DATA *data,                  \
                       const int8_t *input, T *state, int8_t *output)                       \
    {                                                                                       \
        if (params == NULL || data == NULL || input == NULL || state == NULL ||             \
            output == NULL || data->weights_feature == NULL ||                              \
            data->weights_time == NULL || data->bias == NULL ||                             \
            !svdf_shapes_valid(params)) {                                                   \
            return EDGEAI_ERROR_ARGUMENT;                                                   \
        }                                                                                   \
        const int32_t filters = params->num_filters;                                        \
        const int32_t memory = params->memory_size;                                         \
        const int32_t units = filters / params->rank;                                       \
        const int32_t state_size = params->batches * filters * memory;                      \
        memmove(state, state + 1, (size_t)(state_size - 1) * sizeof(T));                    \
        for (int32_t b = 0; b < params->batches; ++b) {                                     \
            const int8_t *const x = input + b * params->input_size;                         \
            T *const batch_state = state + b * filters * memory;                            \
            for (int32_t f = 0; f < filters; ++f) {                                         \
                const int32_t feature = svdf_feature(                                       \
                    data->weights_feature + f * params->input_size, x, params->input_size,  \
                    data->input_zero_point, data->feature_multiplier,                       \
                    data->feature_shift);                                                   \
                batch_state[f * memory + memory - 1] =                                      \
                    (T)(data->state_zero_point + EDGEAI_CLAMP(feature, T_MIN, T_MAX));      \
            }                                                                               \
            for (int32_t u = 0; u < units; ++u) {                                           \
                uint32_t acc = (uint32_t)data->bias[u];                                     \
                for (int32_t f = u * params->rank; f < (u + 1) * params->rank; ++f) {       \
                    const T *const w = data->weights_time + f * memory;                     \
                    const T *const s = batch_state + f * memory;                            \
                    for (int32_t m = 0; m < memory; ++m) {                                  \
                        acc += (uint32_t)((int32_t)w[m] *                                   \
                                          ((int32_t)s[m] - data->state_zero_point));        \
                    }                                                                       \
                }                                                                           \
                output[b * units + u] = svdf_output((int32_t)acc, data->output_multiplier,  \
                                                    data->output_shift,                     \
                                                    data->output_offset);                   \
            }                                                                               \
        }                                                                                   \
        return EDGEAI_OK;                                                                   \
    }

EDGEAI_SVDF_KERNEL(edgeai_svdf_s8, edgeai_svdf_data_s8, int8_t, INT8_MIN, INT8_MAX)
EDGEAI_SVDF_KERNEL(edgeai_svdf_s8_s16, edgeai_svdf_data_s16, int16_t, INT16_MIN, INT16_MAX)
