/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: data movement kernels (see edgeai_transform.h).
 */
#include "edgeai_transform.h"

#include <stddef.h>
#include <string.h>

/* The box move shared by TRANSPOSE, STRIDED_SLICE and PAD: the innermost loop copies one
 * run, the outer loops advance like an odometer. Indices are int32: the generator only emits
 * boxes whose every index lies inside the tensors, and a pointer is formed only at an index
 * that is moved, so a negative step never forms one outside the tensor. */
static void move_box(const int32_t count[EDGEAI_MOVE_DIMS], const int32_t in_step[EDGEAI_MOVE_DIMS],
                     const int32_t out_step[EDGEAI_MOVE_DIMS], const int8_t *input,
                     int8_t *output)
{
    enum { RUN = EDGEAI_MOVE_DIMS - 1 }; /* the innermost loop */
    const int32_t run = count[RUN];
    const int32_t in_run = in_step[RUN];
    const int32_t out_run = out_step[RUN];
    int32_t index[RUN] = {0};
    int32_t in_at = 0;
    int32_t out_at = 0;
    for (;;) {
        if (in_run == 1 && out_run == 1) {
            memcpy(output + out_at, input + in_at, (size_t)run);
        } else {
            for (int32_t i = 0; i < run; ++i) {
                output[out_at + i * out_run] = input[in_at + i * in_run];
            }
        }
        int32_t d = RUN - 1;
        for (; d >= 0 && index[d] + 1 == count[d]; --d) {
            in_at -= index[d] * in_step[d]; /* back to the loop's first iteration */
            out_at -= index[d] * out_step[d];
            index[d] = 0;
        }
        if (d < 0) {
            return;
        }
        ++index[d];
        in_at += in_step[d];
        out_at += out_step[d];
    }
}

static int counts_valid(const int32_t count[EDGEAI_MOVE_DIMS])
{
    for (int32_t d = 0; d < EDGEAI_MOVE_DIMS; ++d) {
        if (count[d] < 1) {
            return 0;
        }
    }
    return 1;
}

static edgeai_status move(const edgeai_move_params *params, const int8_t *input, int8_t *output)
{
    if (params == NULL || input == NULL || output == NULL || !counts_valid(params->count)) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    move_box(params->count, params->in_step, params->out_step, input + params->in_start,
             output + params->out_start);
    return EDGEAI_OK;
}

edgeai_status edgeai_transpose_s8(const edgeai_move_params *params, const int8_t *input,
                                  int8_t *output)
{
    return move(params, input, output);
}

edgeai_status edgeai_strided_slice_s8(const edgeai_move_params *params, const int8_t *input,
                                      int8_t *output)
{
    return move(params, input, output);
}

edgeai_status edgeai_pad_s8(const edgeai_pad_params *params, const edgeai_pad_data *data,
                            const int8_t *input, int8_t *output)
{
    if (params == NULL || data == NULL || input == NULL || output == NULL ||
        params->output_size < 1 || !counts_valid(params->count)) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    memset(output, (int)(uint8_t)(int8_t)data->pad_value, (size_t)params->output_size);
    move_box(params->count, params->in_step, params->out_step, input + params->in_start,
             output + params->out_start);
    return EDGEAI_OK;
}

edgeai_status edgeai_concat_s8(const edgeai_concat_params *params, const edgeai_concat_data *data,
                               const int8_t *const inputs[], int32_t num_runtime,
                               int8_t *output)
{
    if (params == NULL || data == NULL || output == NULL || params->outer < 0 ||
        params->num_inputs < 1 || params->num_inputs > EDGEAI_CONCAT_MAX_INPUTS) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    const int8_t *source[EDGEAI_CONCAT_MAX_INPUTS];
    int32_t next = 0;
    for (int32_t k = 0; k < params->num_inputs; ++k) {
        if (data->constant[k] != NULL) {
            source[k] = data->constant[k];
        } else if (inputs != NULL && next < num_runtime && inputs[next] != NULL) {
            source[k] = inputs[next++];
        } else {
            return EDGEAI_ERROR_ARGUMENT;
        }
        if (params->block[k] < 0) {
            return EDGEAI_ERROR_ARGUMENT;
        }
    }
    for (int32_t o = 0; o < params->outer; ++o) {
        for (int32_t k = 0; k < params->num_inputs; ++k) {
            const int32_t block = params->block[k];
            memcpy(output, source[k] + o * block, (size_t)block);
            output += block;
        }
    }
    return EDGEAI_OK;
}

edgeai_status edgeai_concat1_s8(const edgeai_concat_params *params, const edgeai_concat_data *data,
                                const int8_t *in0, int8_t *output)
{
    const int8_t *const inputs[1] = {in0};
    return edgeai_concat_s8(params, data, inputs, 1, output);
}

edgeai_status edgeai_concat2_s8(const edgeai_concat_params *params, const edgeai_concat_data *data,
                                const int8_t *in0, const int8_t *in1, int8_t *output)
{
    const int8_t *const inputs[2] = {in0, in1};
    return edgeai_concat_s8(params, data, inputs, 2, output);
}

edgeai_status edgeai_concat3_s8(const edgeai_concat_params *params, const edgeai_concat_data *data,
                                const int8_t *in0, const int8_t *in1, const int8_t *in2,
                                int8_t *output)
{
    const int8_t *const inputs[3] = {in0, in1, in2};
    return edgeai_concat_s8(params, data, inputs, 3, output);
}

edgeai_status edgeai_concat4_s8(const edgeai_concat_params *params, const edgeai_concat_data *data,
                                const int8_t *in0, const int8_t *in1, const int8_t *in2,
                                const int8_t *in3, int8_t *output)
{
    const int8_t *const inputs[4] = {in0, in1, in2, in3};
    return edgeai_concat_s8(params, data, inputs, 4, output);
}

edgeai_status edgeai_concat5_s8(const edgeai_concat_params *params, const edgeai_concat_data *data,
                                const int8_t *in0, const int8_t *in1, const int8_t *in2,
                                const int8_t *in3, const int8_t *in4, int8_t *output)
{
    const int8_t *const inputs[5] = {in0, in1, in2, in3, in4};
    return edgeai_concat_s8(params, data, inputs, 5, output);
}

edgeai_status edgeai_concat6_s8(const edgeai_concat_params *params, const edgeai_concat_data *data,
                                const int8_t *in0, const int8_t *in1, const int8_t *in2,
                                const int8_t *in3, const int8_t *in4, const int8_t *in5,
                                int8_t *output)
{
    const int8_t *const inputs[6] = {in0, in1, in2, in3, in4, in5};
    return edgeai_concat_s8(params, data, inputs, 6, output);
}

edgeai_status edgeai_concat7_s8(const edgeai_concat_params *params, const edgeai_concat_data *data,
                                const int8_t *in0, const int8_t *in1, const int8_t *in2,
                                const int8_t *in3, const int8_t *in4, const int8_t *in5,
                                const int8_t *in6, int8_t *output)
{
    const int8_t *const inputs[7] = {in0, in1, in2, in3, in4, in5, in6};
    return edgeai_concat_s8(params, data, inputs, 7, output);
}

edgeai_status edgeai_concat8_s8(const edgeai_concat_params *params, const edgeai_concat_data *data,
                                const int8_t *in0, const int8_t *in1, const int8_t *in2,
                                const int8_t *in3, const int8_t *in4, const int8_t *in5,
                                const int8_t *in6, const int8_t *in7, int8_t *output)
{
    const int8_t *const inputs[8] = {in0, in1, in2, in3, in4, in5, in6, in7};
    return edgeai_concat_s8(params, data, inputs, 8, output);
}

edgeai_status edgeai_concat9_s8(const edgeai_concat_params *params, const edgeai_concat_data *data,
                                const int8_t *in0, const int8_t *in1, const int8_t *in2,
                                const int8_t *in3, const int8_t *in4, const int8_t *in5,
                                const int8_t *in6, const int8_t *in7, const int8_t *in8,
                                int8_t *output)
{
    const int8_t *const inputs[9] = {in0, in1, in2, in3, in4, in5, in6, in7, in8};
    return edgeai_concat_s8(params, data, inputs, 9, output);
}

edgeai_status edgeai_concat10_s8(const edgeai_concat_params *params,
                                 const edgeai_concat_data *data, const int8_t *in0,
                                 const int8_t *in1, const int8_t *in2, const int8_t *in3,
                                 const int8_t *in4, const int8_t *in5, const int8_t *in6,
                                 const int8_t *in7, const int8_t *in8, const int8_t *in9,
                                 int8_t *output)
{
    const int8_t *const inputs[10] = {in0, in1, in2, in3, in4, in5, in6, in7, in8, in9};
    return edgeai_concat_s8(params, data, inputs, 10, output);
}

edgeai_status edgeai_split_s8(const edgeai_split_params *params, const int8_t *input,
                              int8_t *const outputs[], int32_t num_outputs)
{
    if (params == NULL || input == NULL || outputs == NULL || params->outer < 0 ||
        params->num_outputs < 1 || params->num_outputs > EDGEAI_SPLIT_MAX_OUTPUTS ||
        num_outputs != params->num_outputs) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    for (int32_t k = 0; k < num_outputs; ++k) {
        if (outputs[k] == NULL || params->block[k] < 0) {
            return EDGEAI_ERROR_ARGUMENT;
        }
    }
    for (int32_t o = 0; o < params->outer; ++o) {
        for (int32_t k = 0; k < num_outputs; ++k) {
            const int32_t block = params->block[k];
            memcpy(outputs[k] + o * block, input, (size_t)block);
            input += block;
        }
    }
    return EDGEAI_OK;
}

/* edgeai_split<N>_s8 with the output pointers as the parameter list PARAMETERS and the
 * initializer list LIST, both in parentheses. */
#define EDGEAI_UNPARENTHESIZE(...) __VA_ARGS__
#define EDGEAI_SPLIT_N(N, PARAMETERS, LIST)                                                 \
    edgeai_status edgeai_split##N##_s8(const edgeai_split_params *params,                   \
                                       const int8_t *input, EDGEAI_UNPARENTHESIZE PARAMETERS) \
    {                                                                                       \
        int8_t *const outputs[N] = {EDGEAI_UNPARENTHESIZE LIST};                            \
        return edgeai_split_s8(params, input, outputs, N);                                  \
    }

EDGEAI_SPLIT_N(1, (int8_t *out0), (out0))
EDGEAI_SPLIT_N(2, (int8_t *out0, int8_t *out1), (out0, out1))
EDGEAI_SPLIT_N(3, (int8_t *out0, int8_t *out1, int8_t *out2), (out0, out1, out2))
EDGEAI_SPLIT_N(4, (int8_t *out0, int8_t *out1, int8_t *out2, int8_t *out3),
               (out0, out1, out2, out3))
EDGEAI_SPLIT_N(5, (int8_t *out0, int8_t *out1, int8_t *out2, int8_t *out3, int8_t *out4),
               (out0, out1, out2, out3, out4))
EDGEAI_SPLIT_N(6, (int8_t *out0, int8_t *out1, int8_t *out2, int8_t *out3, int8_t *out4,
                   int8_t *out5),
               (out0, out1, out2, out3, out4, out5))
EDGEAI_SPLIT_N(7, (int8_t *out0, int8_t *out1, int8_t *out2, int8_t *out3, int8_t *out4,
                   int8_t *out5, int8_t *out6),
               (out0, out1, out2, out3, out4, out5, out6))
EDGEAI_SPLIT_N(8, (int8_t *out0, int8_t *out1, int8_t *out2, int8_t *out3, int8_t *out4,
                   int8_t *out5, int8_t *out6, int8_t *out7),
               (out0, out1, out2, out3, out4, out5, out6, out7))
EDGEAI_SPLIT_N(9, (int8_t *out0, int8_t *out1, int8_t *out2, int8_t *out3, int8_t *out4,
                   int8_t *out5, int8_t *out6, int8_t *out7, int8_t *out8),
               (out0, out1, out2, out3, out4, out5, out6, out7, out8))
EDGEAI_SPLIT_N(10, (int8_t *out0, int8_t *out1, int8_t *out2, int8_t *out3, int8_t *out4,
                    int8_t *out5, int8_t *out6, int8_t *out7, int8_t *out8, int8_t *out9),
               (out0, out1, out2, out3, out4, out5, out6, out7, out8, out9))

/* ---- 16x8: the byte moves above over int16 tensors -------------------------------------- */

edgeai_status edgeai_transpose_s16(const edgeai_move_params *params, const int16_t *input,
                                   int16_t *output)
{
    return move(params, (const int8_t *)input, (int8_t *)output);
}

edgeai_status edgeai_strided_slice_s16(const edgeai_move_params *params, const int16_t *input,
                                       int16_t *output)
{
    return move(params, (const int8_t *)input, (int8_t *)output);
}

edgeai_status edgeai_pad_s16(const edgeai_pad_params *params, const edgeai_pad_data *data,
                             const int16_t *input, int16_t *output)
{
    if (params == NULL || data == NULL || input == NULL || output == NULL ||
        params->output_size < 1 || !counts_valid(params->count)) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    for (int32_t i = 0; i < params->output_size; ++i) {
        output[i] = (int16_t)data->pad_value;
    }
    move_box(params->count, params->in_step, params->out_step,
             (const int8_t *)input + params->in_start, (int8_t *)output + params->out_start);
    return EDGEAI_OK;
}

edgeai_status edgeai_concat_s16(const edgeai_concat_params *params,
                                const edgeai_concat_s16_data *data,
                                const int16_t *const inputs[], int32_t num_runtime,
                                int16_t *output)
{
    if (params == NULL || data == NULL || output == NULL || params->num_inputs < 1 ||
        params->num_inputs > EDGEAI_CONCAT_MAX_INPUTS) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    /* The int8 kernel over the same bytes: int16 constants and inputs seen as bytes. */
    edgeai_concat_data bytes;
    const int8_t *byte_inputs[EDGEAI_CONCAT_MAX_INPUTS] = {NULL};
    for (int32_t k = 0; k < params->num_inputs; ++k) {
        bytes.constant[k] = (const int8_t *)data->constant[k];
    }
    for (int32_t k = 0; inputs != NULL && k < num_runtime && k < EDGEAI_CONCAT_MAX_INPUTS; ++k) {
        byte_inputs[k] = (const int8_t *)inputs[k];
    }
    return edgeai_concat_s8(params, &bytes, byte_inputs, num_runtime, (int8_t *)output);
}

edgeai_status edgeai_concat1_s16(const edgeai_concat_params *params,
                                 const edgeai_concat_s16_data *data, const int16_t *in0,
                                 int16_t *output)
{
    const int16_t *const inputs[1] = {in0};
    return edgeai_concat_s16(params, data, inputs, 1, output);
}

edgeai_status edgeai_concat2_s16(const edgeai_concat_params *params,
                                 const edgeai_concat_s16_data *data, const int16_t *in0,
                                 const int16_t *in1, int16_t *output)
{
    const int16_t *const inputs[2] = {in0, in1};
    return edgeai_concat_s16(params, data, inputs, 2, output);
}

edgeai_status edgeai_concat3_s16(const edgeai_concat_params *params,
                                 const edgeai_concat_s16_data *data, const int16_t *in0,
                                 const int16_t *in1, const int16_t *in2, int16_t *output)
{
    const int16_t *const inputs[3] = {in0, in1, in2};
    return edgeai_concat_s16(params, data, inputs, 3, output);
}

edgeai_status edgeai_concat4_s16(const edgeai_concat_params *params,
                                 const edgeai_concat_s16_data *data, const int16_t *in0,
                                 const int16_t *in1, const int16_t *in2, const int16_t *in3,
                                 int16_t *output)
{
    const int16_t *const inputs[4] = {in0, in1, in2, in3};
    return edgeai_concat_s16(params, data, inputs, 4, output);
}

edgeai_status edgeai_concat5_s16(const edgeai_concat_params *params,
                                 const edgeai_concat_s16_data *data, const int16_t *in0,
                                 const int16_t *in1, const int16_t *in2, const int16_t *in3,
                                 const int16_t *in4, int16_t *output)
{
    const int16_t *const inputs[5] = {in0, in1, in2, in3, in4};
    return edgeai_concat_s16(params, data, inputs, 5, output);
}

edgeai_status edgeai_concat6_s16(const edgeai_concat_params *params,
                                 const edgeai_concat_s16_data *data, const int16_t *in0,
                                 const int16_t *in1, const int16_t *in2, const int16_t *in3,
                                 const int16_t *in4, const int16_t *in5, int16_t *output)
{
    const int16_t *const inputs[6] = {in0, in1, in2, in3, in4, in5};
    return edgeai_concat_s16(params, data, inputs, 6, output);
}

edgeai_status edgeai_concat7_s16(const edgeai_concat_params *params,
                                 const edgeai_concat_s16_data *data, const int16_t *in0,
                                 const int16_t *in1, const int16_t *in2, const int16_t *in3,
                                 const int16_t *in4, const int16_t *in5, const int16_t *in6,
                                 int16_t *output)
{
    const int16_t *const inputs[7] = {in0, in1, in2, in3, in4, in5, in6};
    return edgeai_concat_s16(params, data, inputs, 7, output);
}

edgeai_status edgeai_concat8_s16(const edgeai_concat_params *params,
                                 const edgeai_concat_s16_data *data, const int16_t *in0,
                                 const int16_t *in1, const int16_t *in2, const int16_t *in3,
                                 const int16_t *in4, const int16_t *in5, const int16_t *in6,
                                 const int16_t *in7, int16_t *output)
{
    const int16_t *const inputs[8] = {in0, in1, in2, in3, in4, in5, in6, in7};
    return edgeai_concat_s16(params, data, inputs, 8, output);
}

edgeai_status edgeai_concat9_s16(const edgeai_concat_params *params,
                                 const edgeai_concat_s16_data *data, const int16_t *in0,
                                 const int16_t *in1, const int16_t *in2, const int16_t *in3,
                                 const int16_t *in4, const int16_t *in5, const int16_t *in6,
                                 const int16_t *in7, const int16_t *in8, int16_t *output)
{
    const int16_t *const inputs[9] = {in0, in1, in2, in3, in4, in5, in6, in7, in8};
    return edgeai_concat_s16(params, data, inputs, 9, output);
}

edgeai_status edgeai_concat10_s16(const edgeai_concat_params *params,
                                  const edgeai_concat_s16_data *data, const int16_t *in0,
                                  const int16_t *in1, const int16_t *in2, const int16_t *in3,
                                  const int16_t *in4, const int16_t *in5, const int16_t *in6,
                                  const int16_t *in7, const int16_t *in8, const int16_t *in9,
                                  int16_t *output)
{
    const int16_t *const inputs[10] = {in0, in1, in2, in3, in4, in5, in6, in7, in8, in9};
    return edgeai_concat_s16(params, data, inputs, 10, output);
}
