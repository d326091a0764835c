/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: FULLY_CONNECTED int8 (see edgeai_fully_connected.h for the weight layouts).
 *
 * Two paths compute the same integers:
 * - portable C99, the same walk over the weights with plain multiply-accumulates;
 * - Cortex-M DSP (edgeai_dsp.h says when): per group of four output channels and per 8
 *   depths, the input is sign-extended once into four int16 pair words (SXTB16) shared by
 *   the group. With int8 weights each pair of channels is two aligned doubleword loads,
 *   four SMLAD on the raw words (S) and four SXTB16 + SMLAD on their high bytes (B), as
 *   the header derives; with int16 weights each channel is two doubleword loads and four
 *   SMLAD.
 * One skeleton serves both weight formats (`wide`, a constant in each copy), so that a
 * firmware linking only one entry point carries only its code.
 */
#include "edgeai_fully_connected.h"

#include <stddef.h>
#include <string.h>

#include "edgeai_dsp.h"
#include "edgeai_requantize.h"

#if defined(__GNUC__)
#define EDGEAI_FC_NOINLINE_PLAIN __attribute__((noinline))
/* One copy of the skeleton per weight format, with `wide` a constant. */
#define EDGEAI_FC_INLINE static inline __attribute__((always_inline))
#else
#define EDGEAI_FC_NOINLINE_PLAIN
#define EDGEAI_FC_INLINE static inline
#endif

/* What the kernels read of either data struct. `weights` is int8_t or int16_t. */
typedef struct {
    const void *weights;
    const int32_t *bias;
    const int32_t *requant;
    int32_t output_offset;
    int32_t act_min;
    int32_t act_max;
    int32_t rq_fast;
} fc_layer;

/* Weight i of an array of either format. */
static inline int32_t fc_weight(const void *w, int32_t i, int wide)
{
    return wide ? (int32_t)((const int16_t *)w)[i] : (int32_t)((const int8_t *)w)[i];
}

/* One requantization, out of line: the last rows and layers without the proven fast
 * form take it, so one copy of the exact form is enough. */
static EDGEAI_FC_NOINLINE_PLAIN int32_t fc_rq(int32_t acc, const int32_t *rq, int32_t fast)
{
    return edgeai_rq(acc, rq, fast);
}

/* Requantize one accumulator and store it as int8. */
static inline int8_t fc_output(int32_t acc, const int32_t *rq, const fc_layer *l)
{
    int32_t value = fc_rq(acc, rq, l->rq_fast) + l->output_offset;
    value = EDGEAI_CLAMP(value, l->act_min, l->act_max);
    return (int8_t)value;
}

/* Four accumulators of a group, passed by value so that they stay in registers. */
typedef struct {
    int32_t a0, a1, a2, a3;
} fc_acc4;

/* The last depth % 8 depths of a group, plain: channel r's weights at w + r * tail. */
static inline fc_acc4 fc_group_tail(const void *w, const int8_t *x, int32_t tail, fc_acc4 acc,
                                    int wide)
{
    for (int32_t d = 0; d < tail; ++d) {
        const int32_t xd = x[d];
        acc.a0 += fc_weight(w, d, wide) * xd;
        acc.a1 += fc_weight(w, tail + d, wide) * xd;
        acc.a2 += fc_weight(w, 2 * tail + d, wide) * xd;
        acc.a3 += fc_weight(w, 3 * tail + d, wide) * xd;
    }
    return acc;
}

/* One of the last out_depth % 4 rows: acc + dot(w, x), plain weights. */
static int32_t fc_row(const void *w, const int8_t *x, int32_t depth, int32_t acc, int wide)
{
    for (int32_t d = 0; d < depth; ++d) {
        acc += fc_weight(w, d, wide) * (int32_t)x[d];
    }
    return acc;
}

#if EDGEAI_USE_DSP
#if defined(__GNUC__)
/* The group's weights are 4-byte aligned (header): GCC then pairs the loads into LDRD. */
#define EDGEAI_FC_ALIGNED4(p) ((const uint8_t *)__builtin_assume_aligned((p), 4))
#else
#define EDGEAI_FC_ALIGNED4(p) (p)
#endif
#if defined(__GNUC__) && !defined(__clang__)
/* Out of line, and without GCC's first scheduling pass, which interleaves the four
 * channels with extra temporaries and spills the loop to the stack. */
#define EDGEAI_FC_NOINLINE __attribute__((noinline, optimize("no-schedule-insns")))
#else
#define EDGEAI_FC_NOINLINE EDGEAI_FC_NOINLINE_PLAIN
#endif

/* The input's 8 values of a block as the int16 pairs (x0, x2), (x1, x3), (x4, x6), (x5, x7). */
typedef struct {
    int32_t x02, x13, x46, x57;
} fc_inputs;

static inline fc_inputs fc_extend8(const int8_t *x)
{
    const uint32_t lo = edgeai_read_u32(x);
    const uint32_t hi = edgeai_read_u32(x + 4);
    const fc_inputs in = {EDGEAI_SXTB16(lo), EDGEAI_SXTB16_ROR8(lo), EDGEAI_SXTB16(hi),
                          EDGEAI_SXTB16_ROR8(hi)};
    return in;
}

/* S and B of the header for one pair of int8 channels. */
typedef struct {
    int32_t s, b;
} fc_pair;

/* A word of a pair (two depths) against the input pair x. */
static inline fc_pair fc_pair_word(uint32_t word, int32_t x, fc_pair acc)
{
    acc.s = EDGEAI_SMLAD((int32_t)word, x, acc.s);
    acc.b = EDGEAI_SMLAD(EDGEAI_SXTB16_ROR8(word), x, acc.b);
    return acc;
}

/* A pair of int8 channels over a block (16 bytes at w), two words per (LDRD) load. */
static inline fc_pair fc_pair8(const uint8_t *w, const fc_inputs *in, fc_pair acc)
{
    uint32_t lo = edgeai_read_u32(w);
    uint32_t hi = edgeai_read_u32(w + 4);
    acc = fc_pair_word(lo, in->x02, acc);
    acc = fc_pair_word(hi, in->x13, acc);
    lo = edgeai_read_u32(w + 8);
    hi = edgeai_read_u32(w + 12);
    acc = fc_pair_word(lo, in->x46, acc);
    return fc_pair_word(hi, in->x57, acc);
}

/* One int16 channel over a block: acc + its dot with the input (16 bytes at w). */
static inline int32_t fc_wide8(const uint8_t *w, const fc_inputs *in, int32_t acc)
{
    uint32_t lo = edgeai_read_u32(w);
    uint32_t hi = edgeai_read_u32(w + 4);
    acc = EDGEAI_SMLAD((int32_t)lo, in->x02, acc);
    acc = EDGEAI_SMLAD((int32_t)hi, in->x13, acc);
    lo = edgeai_read_u32(w + 8);
    hi = edgeai_read_u32(w + 12);
    acc = EDGEAI_SMLAD((int32_t)lo, in->x46, acc);
    return EDGEAI_SMLAD((int32_t)hi, in->x57, acc);
}

/* One block of 8 depths of a group (32 or 64 bytes at w, 4-byte aligned; 8 inputs at x).
 * int8: acc holds (S, B) of both pairs; int16: the four channels' sums. */
EDGEAI_FC_INLINE fc_acc4 fc_block8(const uint8_t *w, const int8_t *x, fc_acc4 acc, int wide)
{
    const fc_inputs in = fc_extend8(x);
    w = EDGEAI_FC_ALIGNED4(w);
    if (wide) {
        acc.a0 = fc_wide8(w, &in, acc.a0);
        acc.a1 = fc_wide8(w + 16, &in, acc.a1);
        acc.a2 = fc_wide8(w + 32, &in, acc.a2);
        acc.a3 = fc_wide8(w + 48, &in, acc.a3);
    } else {
        const fc_pair first = fc_pair8(w, &in, (fc_pair){acc.a0, acc.a1});
        const fc_pair second = fc_pair8(w + 16, &in, (fc_pair){acc.a2, acc.a3});
        acc.a0 = first.s;
        acc.a1 = first.b;
        acc.a2 = second.s;
        acc.a3 = second.b;
    }
    return acc;
}

/* 128 * the sum of the first 8 * blocks inputs (the correction of the header). */
static int32_t fc_input_correction(const int8_t *x, int32_t blocks)
{
    const int32_t ones = 0x00010001;
    int32_t sum = 0;
    for (int32_t n = 2 * blocks; n > 0; --n) {
        const uint32_t v = edgeai_read_u32(x);
        sum = EDGEAI_SMLAD(EDGEAI_SXTB16(v), ones, sum);
        sum = EDGEAI_SMLAD(EDGEAI_SXTB16_ROR8(v), ones, sum);
        x += 4;
    }
    return (int32_t)((uint32_t)sum << 7);
}

/* sum_a x of a pair from its S and B (header): S - 256 B, modulo 2^32. */
static inline int32_t fc_first_of_pair(int32_t s, int32_t b)
{
    return (int32_t)((uint32_t)s - ((uint32_t)b << 8));
}

/* What the outputs of a layer share: zero point and clamp (bytes repeated four times). */
typedef struct {
    int32_t offset;
    uint32_t lo4;
    uint32_t hi4;
} fc_out;

/* Four requantized values plus the zero point, as four clamped int8 bytes at y. */
static inline void fc_pack_store(int8_t *y, int32_t v0, int32_t v1, int32_t v2, int32_t v3,
                                 const fc_out *o)
{
    const int32_t offset = o->offset;
    const uint32_t packed = edgeai_pack4(v0 + offset, v1 + offset, v2 + offset, v3 + offset,
                                         o->lo4, o->hi4);
    memcpy(y, &packed, 4);
}

/* Four accumulators of consecutive channels through edgeai_rq_fast with the records at rq,
 * `step` words apart (0 for one record per tensor: the compiler then loads it once). */
EDGEAI_FC_INLINE void fc_store4_fast(int8_t *y, fc_acc4 acc, const int32_t *rq,
                                     const int32_t step, const fc_out *o)
{
    fc_pack_store(y, edgeai_rq_fast(acc.a0, rq), edgeai_rq_fast(acc.a1, rq + step),
                  edgeai_rq_fast(acc.a2, rq + 2 * step), edgeai_rq_fast(acc.a3, rq + 3 * step),
                  o);
}

/* The same through the exact form, out of line: only layers where the fast form is not
 * proven exact take it. */
static EDGEAI_FC_NOINLINE_PLAIN void fc_store4_exact(int8_t *y, fc_acc4 acc, const int32_t *rq,
                                                     int32_t step, const fc_out *o)
{
    fc_pack_store(y, fc_rq(acc.a0, rq, 0), fc_rq(acc.a1, rq + step, 0),
                  fc_rq(acc.a2, rq + 2 * step, 0), fc_rq(acc.a3, rq + 3 * step, 0), o);
}

/* Every group of four channels (layout in the header) against one input row x: the
 * first out_depth & ~3 outputs at y. Two blocks of 8 depths per step of the loop. */
EDGEAI_FC_INLINE void fc_groups(const edgeai_fc_params *p, const fc_layer *l, const int8_t *x,
                                int8_t *y, const int wide)
{
    const int32_t blocks = p->in_depth >> 3;
    const int32_t tail = p->in_depth & 7;
    const int32_t size = wide ? 2 : 1;
    const int32_t step = p->per_channel ? EDGEAI_RQ_WORDS : 0;
    const int32_t fast = l->rq_fast;
    const fc_out out = {l->output_offset, (uint32_t)(uint8_t)l->act_min * UINT32_C(0x01010101),
                        (uint32_t)(uint8_t)l->act_max * UINT32_C(0x01010101)};
    const uint32_t correction = wide ? 0U : (uint32_t)fc_input_correction(x, blocks);
    const uint8_t *w = l->weights;
    const int32_t *bias = l->bias;
    const int32_t *rq = l->requant;
    for (int32_t groups = p->out_depth >> 2; groups > 0; --groups) {
        fc_acc4 acc = {(int32_t)((uint32_t)bias[0] - correction), wide ? bias[1] : 0,
                       (int32_t)((uint32_t)bias[2] - correction), wide ? bias[3] : 0};
        const int8_t *xb = x;
        for (int32_t n = blocks >> 1; n > 0; --n) {
            acc = fc_block8(w, xb, acc, wide);
            acc = fc_block8(w + 32 * size, xb + 8, acc, wide);
            w += 64 * size;
            xb += 16;
        }
        if (blocks & 1) {
            acc = fc_block8(w, xb, acc, wide);
            w += 32 * size;
            xb += 8;
        }
        if (!wide) {
            const fc_acc4 pairs = acc;
            acc.a0 = fc_first_of_pair(pairs.a0, pairs.a1);
            acc.a1 = pairs.a1 + bias[1];
            acc.a2 = fc_first_of_pair(pairs.a2, pairs.a3);
            acc.a3 = pairs.a3 + bias[3];
        }
        acc = fc_group_tail(w, xb, tail, acc, wide);
        w += 4 * tail * size;
        if (!fast) {
            fc_store4_exact(y, acc, rq, step, &out);
        } else if (step) {
            fc_store4_fast(y, acc, rq, EDGEAI_RQ_WORDS, &out);
        } else {
            fc_store4_fast(y, acc, rq, 0, &out);
        }
        rq += 4 * step;
        y += 4;
        bias += 4;
    }
}

static EDGEAI_FC_NOINLINE void fc_groups_s8(const edgeai_fc_params *p, const fc_layer *l,
                                            const int8_t *x, int8_t *y)
{
    fc_groups(p, l, x, y, 0);
}

static EDGEAI_FC_NOINLINE void fc_groups_w16(const edgeai_fc_params *p, const fc_layer *l,
                                             const int8_t *x, int8_t *y)
{
    fc_groups(p, l, x, y, 1);
}
#else
/* The depths of a block in the order its weights are stored (header). */
static const uint8_t fc_block_depths[8] = {0, 2, 1, 3, 4, 6, 5, 7};

/* Every group of four channels (layout in the header) against one input row x: the
 * first out_depth & ~3 outputs at y. */
static void fc_groups(const edgeai_fc_params *p, const fc_layer *l, const int8_t *x, int8_t *y,
                      int wide)
{
    const int32_t step = p->per_channel ? EDGEAI_RQ_WORDS : 0;
    const int32_t tail = p->in_depth & 7;
    const int32_t size = wide ? 2 : 1;
    const uint8_t *w = l->weights;
    for (int32_t c = 0; c + 4 <= p->out_depth; c += 4) {
        const int8_t *xb = x;
        int32_t sums[4] = {l->bias[c], l->bias[c + 1], l->bias[c + 2], l->bias[c + 3]};
        for (int32_t blocks = p->in_depth >> 3; blocks > 0; --blocks) {
            for (int32_t i = 0; i < 32; ++i) {
                /* int8: pairs of channels, a + 128 then b per depth; int16: channel by channel */
                const int32_t channel = wide ? i >> 3 : ((i >> 4) << 1) + (i & 1);
                const int32_t xd = xb[fc_block_depths[wide ? i & 7 : (i >> 1) & 7]];
                const int32_t value = wide || (i & 1) ? fc_weight(w, i, wide)
                                                      : (int32_t)w[i] - 128;
                sums[channel] += value * xd;
            }
            w += 32 * size;
            xb += 8;
        }
        fc_acc4 acc = {sums[0], sums[1], sums[2], sums[3]};
        acc = fc_group_tail(w, xb, tail, acc, wide);
        w += 4 * tail * size;
        const int32_t values[4] = {acc.a0, acc.a1, acc.a2, acc.a3};
        for (int32_t r = 0; r < 4; ++r) {
            y[c + r] = fc_output(values[r], l->requant + (c + r) * step, l);
        }
    }
}

static void fc_groups_s8(const edgeai_fc_params *p, const fc_layer *l, const int8_t *x,
                         int8_t *y)
{
    fc_groups(p, l, x, y, 0);
}

static void fc_groups_w16(const edgeai_fc_params *p, const fc_layer *l, const int8_t *x,
                          int8_t *y)
{
    fc_groups(p, l, x, y, 1);
}
#endif

/* The whole layer, once its data is checked. */
EDGEAI_FC_INLINE void fc_run(const edgeai_fc_params *p, const fc_layer *l, const int8_t *input,
                             int8_t *output, const int wide)
{
    const int32_t rq_step = p->per_channel ? EDGEAI_RQ_WORDS : 0;
    const int32_t size = wide ? 2 : 1;
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *const x = input + b * p->in_depth;
        int8_t *const y = output + b * p->out_depth;
        if (wide) {
            fc_groups_w16(p, l, x, y);
        } else {
            fc_groups_s8(p, l, x, y);
        }
        for (int32_t c = p->out_depth & ~3; c < p->out_depth; ++c) {
            const uint8_t *const w = (const uint8_t *)l->weights + c * p->in_depth * size;
            const int32_t acc = fc_row(w, x, p->in_depth, l->bias[c], wide);
            y[c] = fc_output(acc, l->requant + c * rq_step, l);
        }
    }
}

/* EDGEAI_OK when the pointers and sizes are usable. */
static edgeai_status fc_check(const edgeai_fc_params *p, const fc_layer *l, const int8_t *input,
                              const int8_t *output)
{
    if (p == NULL || input == NULL || output == NULL || l->weights == NULL || l->bias == NULL ||
        l->requant == NULL || p->batches <= 0 || p->in_depth <= 0 || p->out_depth <= 0) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    return EDGEAI_OK;
}

edgeai_status edgeai_fully_connected_s8(const edgeai_fc_params *params, const edgeai_fc_data *data,
                                        const int8_t *input, int8_t *output)
{
    if (data == NULL) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    const fc_layer layer = {data->weights, data->bias, data->requant, data->output_offset,
                            data->act_min, data->act_max, data->rq_fast};
    const edgeai_status status = fc_check(params, &layer, input, output);
    if (status == EDGEAI_OK) {
        fc_run(params, &layer, input, output, 0);
    }
    return status;
}

edgeai_status edgeai_fully_connected_s8_w16(const edgeai_fc_params *params,
                                            const edgeai_fc_wide_data *data, const int8_t *input,
                                            int8_t *output)
{
    if (data == NULL) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    const fc_layer layer = {data->weights, data->bias, data->requant, data->output_offset,
                            data->act_min, data->act_max, data->rq_fast};
    const edgeai_status status = fc_check(params, &layer, input, output);
    if (status == EDGEAI_OK) {
        fc_run(params, &layer, input, output, 1);
    }
    return status;
}

int32_t edgeai_fully_connected_s8_get_buffer_size(const edgeai_fc_params *params)
{
    (void)params;
    return EDGEAI_FULLY_CONNECTED_S8_BUFFER_SIZE();
}
