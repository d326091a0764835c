/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: ADD, SUB, MUL, MAXIMUM and MINIMUM on int16 (see
 * edgeai_elementwise_s16.h). Portable C99: one
 * loop nest over the merged broadcast dimensions, one output element at a time.
 */
#include "edgeai_elementwise_s16.h"

#include <stddef.h>

#include "edgeai_requantize.h"

typedef enum { S16_ADD, S16_SUB, S16_MUL, S16_MAXIMUM, S16_MINIMUM } s16_eltwise_op;

static int32_t s16_addsub(const edgeai_add_s16_data *data, int32_t subtract, int32_t x1,
                          int32_t x2)
{
    const int32_t scaled1 = edgeai_requantize(x1 * (1 << EDGEAI_ADD_S16_LEFT_SHIFT),
                                              data->input1_multiplier, data->input1_shift);
    const int32_t scaled2 = edgeai_requantize(x2 * (1 << EDGEAI_ADD_S16_LEFT_SHIFT),
                                              data->input2_multiplier, data->input2_shift);
    const int32_t raw = subtract ? scaled1 - scaled2 : scaled1 + scaled2;
    const int32_t value = edgeai_requantize(raw, data->output_multiplier, data->output_shift);
    return EDGEAI_CLAMP(value, data->act_min, data->act_max);
}

static int32_t s16_mul(const edgeai_mul_s16_data *data, int32_t x1, int32_t x2)
{
    const int32_t value = edgeai_requantize(x1 * x2, data->output_multiplier, data->output_shift);
    return EDGEAI_CLAMP(value, data->act_min, data->act_max);
}

static int16_t s16_element(s16_eltwise_op op, const void *data, int32_t x1, int32_t x2)
{
    if (op == S16_MAXIMUM || op == S16_MINIMUM) {
        return (int16_t)((x1 > x2) == (op == S16_MAXIMUM) ? x1 : x2);
    }
    if (op == S16_MUL) {
        return (int16_t)s16_mul((const edgeai_mul_s16_data *)data, x1, x2);
    }
    return (int16_t)s16_addsub((const edgeai_add_s16_data *)data, op == S16_SUB, x1, x2);
}

/* Whether the structure is self-consistent and names `constant` (0: none; -1: 1 or 2). */
static int s16_params_valid(const edgeai_eltwise_params *params, int32_t constant)
{
    if (params == NULL || params->size < 1 ||
        (constant == 0 ? params->constant != 0
                       : (params->constant != 1 && params->constant != 2))) {
        return 0;
    }
    int32_t count = 1;
    for (int32_t d = 0; params->broadcast && d < EDGEAI_ELTWISE_DIMS; ++d) {
        if (params->shape[d] < 1 || params->stride1[d] < 0 || params->stride2[d] < 0) {
            return 0;
        }
        count *= params->shape[d];
    }
    return !params->broadcast || count == params->size;
}

static void s16_run(const edgeai_eltwise_params *params, s16_eltwise_op op, const void *data,
                    const int16_t *input1, const int16_t *input2, int16_t *output)
{
    if (!params->broadcast) {
        for (int32_t i = 0; i < params->size; ++i) {
            output[i] = s16_element(op, data, input1[i], input2[i]);
        }
        return;
    }
    const int32_t *const n = params->shape;
    const int32_t *const a = params->stride1;
    const int32_t *const b = params->stride2;
    int16_t *out = output;
    for (int32_t i0 = 0; i0 < n[0]; ++i0) {
        for (int32_t i1 = 0; i1 < n[1]; ++i1) {
            for (int32_t i2 = 0; i2 < n[2]; ++i2) {
                const int16_t *const x1 = input1 + i0 * a[0] + i1 * a[1] + i2 * a[2];
                const int16_t *const x2 = input2 + i0 * b[0] + i1 * b[1] + i2 * b[2];
                for (int32_t i3 = 0; i3 < n[3]; ++i3) {
                    *out++ = s16_element(op, data, x1[i3 * a[3]], x2[i3 * b[3]]);
                }
            }
        }
    }
}

static edgeai_status s16_binary(const edgeai_eltwise_params *params, s16_eltwise_op op,
                                const void *data, const int16_t *input1, const int16_t *input2,
                                int16_t *output)
{
    const int needs_data = op != S16_MAXIMUM && op != S16_MINIMUM;
    if ((needs_data && data == NULL) || input1 == NULL || input2 == NULL || output == NULL ||
        !s16_params_valid(params, 0)) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    s16_run(params, op, data, input1, input2, output);
    return EDGEAI_OK;
}

static edgeai_status s16_const(const edgeai_eltwise_params *params, s16_eltwise_op op,
                               const void *data, const int16_t *constant, const int16_t *input,
                               int16_t *output)
{
    if (constant == NULL || input == NULL || output == NULL || !s16_params_valid(params, -1)) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    if (params->constant == 1) {
        s16_run(params, op, data, constant, input, output);
    } else {
        s16_run(params, op, data, input, constant, output);
    }
    return EDGEAI_OK;
}

/* Both inputs at run time. */
#define S16_BINARY_ENTRY(name, data_type, op)                                                   \
    edgeai_status name(const edgeai_eltwise_params *params, const data_type *data,              \
                       const int16_t *input1, const int16_t *input2, int16_t *output)           \
    {                                                                                           \
        return s16_binary(params, op, data, input1, input2, output);                            \
    }
S16_BINARY_ENTRY(edgeai_add_s16, edgeai_add_s16_data, S16_ADD)
S16_BINARY_ENTRY(edgeai_sub_s16, edgeai_add_s16_data, S16_SUB)
S16_BINARY_ENTRY(edgeai_mul_s16, edgeai_mul_s16_data, S16_MUL)

/* One input is data->constant, the first member of each op's data. */
#define S16_CONST_ENTRY(name, data_type, op)                                                    \
    edgeai_status name(const edgeai_eltwise_params *params, const data_type *data,              \
                       const int16_t *input, int16_t *output)                                   \
    {                                                                                           \
        return data == NULL ? EDGEAI_ERROR_ARGUMENT                                             \
                            : s16_const(params, op, data, data->constant, input, output);       \
    }
S16_CONST_ENTRY(edgeai_add_const_s16, edgeai_add_s16_data, S16_ADD)
S16_CONST_ENTRY(edgeai_sub_const_s16, edgeai_add_s16_data, S16_SUB)
S16_CONST_ENTRY(edgeai_mul_const_s16, edgeai_mul_s16_data, S16_MUL)
S16_CONST_ENTRY(edgeai_maximum_const_s16, edgeai_minmax_s16_data, S16_MAXIMUM)
S16_CONST_ENTRY(edgeai_minimum_const_s16, edgeai_minmax_s16_data, S16_MINIMUM)

edgeai_status edgeai_maximum_s16(const edgeai_eltwise_params *params, const int16_t *input1,
                                 const int16_t *input2, int16_t *output)
{
    return s16_binary(params, S16_MAXIMUM, NULL, input1, input2, output);
}

edgeai_status edgeai_minimum_s16(const edgeai_eltwise_params *params, const int16_t *input1,
                                 const int16_t *input2, int16_t *output)
{
    return s16_binary(params, S16_MINIMUM, NULL, input1, input2, output);
}
