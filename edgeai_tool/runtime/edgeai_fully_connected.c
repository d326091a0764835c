/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: FULLY_CONNECTED int8 (see edgeai_fully_connected.h).
 *
 * Two paths compute the same integers:
 * - portable C99, one output channel at a time;
 * - Cortex-M DSP (edgeai_dsp.h says when): four output channels at a time, each 4-byte
 *   group of input sign-extended once into two 16-bit pairs (SXTB16) and shared by the
 *   four rows, two multiply-accumulates per instruction (SMLAD).
 */
#include "edgeai_fully_connected.h"

#include <stddef.h>

#include "edgeai_dsp.h"
#include "edgeai_requantize.h"

/* Requantize one accumulator and store it as int8. */
static inline int8_t fc_output(int32_t acc, int32_t multiplier, int32_t shift, int32_t offset,
                               int32_t act_min, int32_t act_max)
{
    int32_t value = edgeai_requantize_mac(acc, multiplier, shift) + offset;
    value = EDGEAI_CLAMP(value, act_min, act_max);
    return (int8_t)value;
}

#if EDGEAI_USE_DSP
#if defined(__GNUC__) && !defined(__clang__)
/* Out of line, and without GCC's first scheduling pass, which interleaves the four rows
 * with extra temporaries and spills the loop to the stack (27 instead of 31 instructions
 * per 16 MACs on Cortex-M7 with arm-none-eabi-gcc 12). */
#define EDGEAI_FC_NOINLINE __attribute__((noinline, optimize("no-schedule-insns")))
#elif defined(__GNUC__)
#define EDGEAI_FC_NOINLINE __attribute__((noinline))
#else
#define EDGEAI_FC_NOINLINE
#endif

/* acc += dot(w, x) over `depth` values, 4 at a time, then the tail. */
static int32_t fc_dot_dsp(const int8_t *w, const int8_t *x, int32_t depth, int32_t acc)
{
    int32_t d = 0;
    for (; d + 4 <= depth; d += 4) {
        const uint32_t xv = edgeai_read_u32(x + d);
        const uint32_t wv = edgeai_read_u32(w + d);
        acc = EDGEAI_SMLAD(EDGEAI_SXTB16(wv), EDGEAI_SXTB16(xv), acc);
        acc = EDGEAI_SMLAD(EDGEAI_SXTB16_ROR8(wv), EDGEAI_SXTB16_ROR8(xv), acc);
    }
    for (; d < depth; ++d) {
        acc += (int32_t)w[d] * (int32_t)x[d];
    }
    return acc;
}

/* Four rows of weights against one input row: acc[r] += dot(w + r * depth, x). Kept out
 * of line so that its loop gets the whole register file. Two moving weight pointers (rows
 * 0 and 2) with rows 1 and 3 at +depth keep every value of the loop in a register. */
static EDGEAI_FC_NOINLINE void fc_dot4_dsp(const int8_t *w, const int8_t *x, int32_t depth, int32_t acc[4])
{
    const int8_t *w01 = w;
    const int8_t *w23 = w + 2 * depth;
    int32_t blocks = depth >> 2;
    int32_t a0 = acc[0];
    int32_t a1 = acc[1];
    int32_t a2 = acc[2];
    int32_t a3 = acc[3];
    while (blocks-- > 0) {
        const uint32_t xv = edgeai_read_u32(x);
        const uint32_t x02 = EDGEAI_SXTB16(xv);
        const uint32_t x13 = EDGEAI_SXTB16_ROR8(xv);
        uint32_t wv = edgeai_read_u32(w01);
        a0 = EDGEAI_SMLAD(EDGEAI_SXTB16(wv), x02, a0);
        a0 = EDGEAI_SMLAD(EDGEAI_SXTB16_ROR8(wv), x13, a0);
        wv = edgeai_read_u32(w01 + depth);
        a1 = EDGEAI_SMLAD(EDGEAI_SXTB16(wv), x02, a1);
        a1 = EDGEAI_SMLAD(EDGEAI_SXTB16_ROR8(wv), x13, a1);
        wv = edgeai_read_u32(w23);
        a2 = EDGEAI_SMLAD(EDGEAI_SXTB16(wv), x02, a2);
        a2 = EDGEAI_SMLAD(EDGEAI_SXTB16_ROR8(wv), x13, a2);
        wv = edgeai_read_u32(w23 + depth);
        a3 = EDGEAI_SMLAD(EDGEAI_SXTB16(wv), x02, a3);
        a3 = EDGEAI_SMLAD(EDGEAI_SXTB16_ROR8(wv), x13, a3);
        x += 4;
        w01 += 4;
        w23 += 4;
    }
    for (int32_t d = 0; d < (depth & 3); ++d) {
        const int32_t xd = x[d];
        a0 += (int32_t)w01[d] * xd;
        a1 += (int32_t)w01[depth + d] * xd;
        a2 += (int32_t)w23[d] * xd;
        a3 += (int32_t)w23[depth + d] * xd;
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}
#else
static int32_t fc_dot(const int8_t *w, const int8_t *x, int32_t depth, int32_t acc)
{
    for (int32_t d = 0; d < depth; ++d) {
        acc += (int32_t)w[d] * (int32_t)x[d];
    }
    return acc;
}
#endif

edgeai_status edgeai_fully_connected_s8(const edgeai_fc_params *params, const edgeai_fc_data *data,
                                        const int8_t *input, int8_t *output)
{
    if (params == NULL || data == NULL || input == NULL || output == NULL ||
        data->weights == NULL || data->bias == NULL || data->multiplier == NULL ||
        data->shift == NULL) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    const int32_t batches = params->batches;
    const int32_t in_depth = params->in_depth;
    const int32_t out_depth = params->out_depth;
    const int32_t quant_step = params->per_channel ? 1 : 0;
    if (batches <= 0 || in_depth <= 0 || out_depth <= 0) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    const int8_t *const weights = data->weights;
    const int32_t *const bias = data->bias;
    const int32_t *const multiplier = data->multiplier;
    const int32_t *const shift = data->shift;
    const int32_t output_offset = data->output_offset;
    const int32_t act_min = data->act_min;
    const int32_t act_max = data->act_max;

    for (int32_t b = 0; b < batches; ++b) {
        const int8_t *const x = input + b * in_depth;
        int8_t *const y = output + b * out_depth;
        int32_t c = 0;
#if EDGEAI_USE_DSP
        for (; c + 4 <= out_depth; c += 4) {
            int32_t acc[4] = {bias[c], bias[c + 1], bias[c + 2], bias[c + 3]};
            fc_dot4_dsp(weights + c * in_depth, x, in_depth, acc);
            for (int32_t r = 0; r < 4; ++r) {
                const int32_t q = (c + r) * quant_step;
                y[c + r] = fc_output(acc[r], multiplier[q], shift[q], output_offset, act_min,
                                     act_max);
            }
        }
        for (; c < out_depth; ++c) {
            const int32_t acc = fc_dot_dsp(weights + c * in_depth, x, in_depth, bias[c]);
            const int32_t q = c * quant_step;
            y[c] = fc_output(acc, multiplier[q], shift[q], output_offset, act_min, act_max);
        }
#else
        for (; c < out_depth; ++c) {
            const int32_t acc = fc_dot(weights + c * in_depth, x, in_depth, bias[c]);
            const int32_t q = c * quant_step;
            y[c] = fc_output(acc, multiplier[q], shift[q], output_offset, act_min, act_max);
        }
#endif
    }
    return EDGEAI_OK;
}

int32_t edgeai_fully_connected_s8_get_buffer_size(const edgeai_fc_params *params)
{
    (void)params;
    return EDGEAI_FULLY_CONNECTED_S8_BUFFER_SIZE();
}
