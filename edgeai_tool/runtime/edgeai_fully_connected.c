/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: FULLY_CONNECTED int8 (see edgeai_fully_connected.h for the weight layout).
 *
 * Two paths compute the same integers:
 * - portable C99, the same walk over the weights with plain multiply-accumulates;
 * - Cortex-M DSP (edgeai_dsp.h says when): per group of four output channels and per 8
 *   depths, the input is sign-extended once into four int16 pair words (SXTB16) shared by
 *   the group; each pair of channels is two aligned doubleword loads, four SMLAD on the
 *   raw words (S) and four SXTB16 + SMLAD on their high bytes (B), as the header derives.
 */
#include "edgeai_fully_connected.h"

#include <stddef.h>
#include <string.h>

#include "edgeai_dsp.h"
#include "edgeai_requantize.h"

#if defined(__GNUC__)
#define EDGEAI_FC_NOINLINE_PLAIN __attribute__((noinline))
#else
#define EDGEAI_FC_NOINLINE_PLAIN
#endif

/* One requantization, out of line: the per-channel rows and layers without the proven
 * fast form take it, so one copy of the exact form is enough. */
static EDGEAI_FC_NOINLINE_PLAIN int32_t fc_rq(int32_t acc, const int32_t *rq, int32_t fast)
{
    return edgeai_rq(acc, rq, fast);
}

/* Requantize one accumulator and store it as int8. */
static inline int8_t fc_output(int32_t acc, const int32_t *rq, const edgeai_fc_data *d)
{
    int32_t value = fc_rq(acc, rq, d->rq_fast) + d->output_offset;
    value = EDGEAI_CLAMP(value, d->act_min, d->act_max);
    return (int8_t)value;
}

/* Four accumulators of a group, passed by value so that they stay in registers. */
typedef struct {
    int32_t a0, a1, a2, a3;
} fc_acc4;

/* The last depth % 8 depths of a group, plain int8: channel r's weights at w + r * tail. */
static inline fc_acc4 fc_group_tail(const int8_t *w, const int8_t *x, int32_t tail, fc_acc4 acc)
{
    for (int32_t d = 0; d < tail; ++d) {
        const int32_t xd = x[d];
        acc.a0 += (int32_t)w[d] * xd;
        acc.a1 += (int32_t)w[tail + d] * xd;
        acc.a2 += (int32_t)w[2 * tail + d] * xd;
        acc.a3 += (int32_t)w[3 * tail + d] * xd;
    }
    return acc;
}

#if EDGEAI_USE_DSP
#if defined(__GNUC__)
/* The group's weights are 4-byte aligned (header): GCC then pairs the loads into LDRD. */
#define EDGEAI_FC_ALIGNED4(p) ((const int8_t *)__builtin_assume_aligned((p), 4))
/* Each requantization variant of fc_groups in its own copy, with its step a constant. */
#define EDGEAI_FC_INLINE static inline __attribute__((always_inline))
#else
#define EDGEAI_FC_ALIGNED4(p) (p)
#define EDGEAI_FC_INLINE static inline
#endif
#if defined(__GNUC__) && !defined(__clang__)
/* Out of line, and without GCC's first scheduling pass, which interleaves the four
 * channels with extra temporaries and spills the loop to the stack. */
#define EDGEAI_FC_NOINLINE __attribute__((noinline, optimize("no-schedule-insns")))
#elif defined(__GNUC__)
#define EDGEAI_FC_NOINLINE __attribute__((noinline))
#else
#define EDGEAI_FC_NOINLINE
#endif

/* S and B of one pair of channels over a block of 8 depths (16 bytes at w, header). */
typedef struct {
    int32_t s0, b0, s1, b1;
} fc_pairs;

static inline int32_t fc_smlad_word(uint32_t word, int32_t x, int32_t acc)
{
    return EDGEAI_SMLAD((int32_t)word, x, acc);
}

/* sum_a x of a pair from its S and B (header): S - 256 B, modulo 2^32. */
static inline int32_t fc_first_of_pair(int32_t s, int32_t b)
{
    return (int32_t)((uint32_t)s - ((uint32_t)b << 8));
}

/* One block of 8 depths of a group: 32 weight bytes at w (4-byte aligned), 8 inputs at x. */
static inline fc_pairs fc_block8(const int8_t *w, const int8_t *x, fc_pairs acc)
{
    const uint32_t lo = edgeai_read_u32(x);
    const uint32_t hi = edgeai_read_u32(x + 4);
    const int32_t x02 = EDGEAI_SXTB16(lo);
    const int32_t x13 = EDGEAI_SXTB16_ROR8(lo);
    const int32_t x46 = EDGEAI_SXTB16(hi);
    const int32_t x57 = EDGEAI_SXTB16_ROR8(hi);
    w = EDGEAI_FC_ALIGNED4(w);
    uint32_t w0 = edgeai_read_u32(w);
    uint32_t w1 = edgeai_read_u32(w + 4);
    acc.s0 = fc_smlad_word(w0, x02, acc.s0);
    acc.b0 = EDGEAI_SMLAD(EDGEAI_SXTB16_ROR8(w0), x02, acc.b0);
    acc.s0 = fc_smlad_word(w1, x13, acc.s0);
    acc.b0 = EDGEAI_SMLAD(EDGEAI_SXTB16_ROR8(w1), x13, acc.b0);
    w0 = edgeai_read_u32(w + 8);
    w1 = edgeai_read_u32(w + 12);
    acc.s0 = fc_smlad_word(w0, x46, acc.s0);
    acc.b0 = EDGEAI_SMLAD(EDGEAI_SXTB16_ROR8(w0), x46, acc.b0);
    acc.s0 = fc_smlad_word(w1, x57, acc.s0);
    acc.b0 = EDGEAI_SMLAD(EDGEAI_SXTB16_ROR8(w1), x57, acc.b0);
    w0 = edgeai_read_u32(w + 16);
    w1 = edgeai_read_u32(w + 20);
    acc.s1 = fc_smlad_word(w0, x02, acc.s1);
    acc.b1 = EDGEAI_SMLAD(EDGEAI_SXTB16_ROR8(w0), x02, acc.b1);
    acc.s1 = fc_smlad_word(w1, x13, acc.s1);
    acc.b1 = EDGEAI_SMLAD(EDGEAI_SXTB16_ROR8(w1), x13, acc.b1);
    w0 = edgeai_read_u32(w + 24);
    w1 = edgeai_read_u32(w + 28);
    acc.s1 = fc_smlad_word(w0, x46, acc.s1);
    acc.b1 = EDGEAI_SMLAD(EDGEAI_SXTB16_ROR8(w0), x46, acc.b1);
    acc.s1 = fc_smlad_word(w1, x57, acc.s1);
    acc.b1 = EDGEAI_SMLAD(EDGEAI_SXTB16_ROR8(w1), x57, acc.b1);
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
static EDGEAI_FC_NOINLINE void fc_groups(const edgeai_fc_params *p, const edgeai_fc_data *d,
                                         const int8_t *x, int8_t *y)
{
    const int32_t blocks = p->in_depth >> 3;
    const int32_t tail = p->in_depth & 7;
    const int32_t step = p->per_channel ? EDGEAI_RQ_WORDS : 0;
    const int32_t fast = d->rq_fast;
    const fc_out out = {d->output_offset, (uint32_t)(uint8_t)d->act_min * UINT32_C(0x01010101),
                        (uint32_t)(uint8_t)d->act_max * UINT32_C(0x01010101)};
    const int32_t correction = fc_input_correction(x, blocks);
    const int8_t *w = d->weights;
    const int32_t *bias = d->bias;
    const int32_t *rq = d->requant;
    for (int32_t groups = p->out_depth >> 2; groups > 0; --groups) {
        fc_pairs pairs = {(int32_t)((uint32_t)bias[0] - (uint32_t)correction), 0,
                          (int32_t)((uint32_t)bias[2] - (uint32_t)correction), 0};
        const int8_t *xb = x;
        for (int32_t n = blocks >> 1; n > 0; --n) {
            pairs = fc_block8(w, xb, pairs);
            pairs = fc_block8(w + 32, xb + 8, pairs);
            w += 64;
            xb += 16;
        }
        if (blocks & 1) {
            pairs = fc_block8(w, xb, pairs);
            w += 32;
            xb += 8;
        }
        fc_acc4 acc = {fc_first_of_pair(pairs.s0, pairs.b0), pairs.b0 + bias[1],
                       fc_first_of_pair(pairs.s1, pairs.b1), pairs.b1 + bias[3]};
        acc = fc_group_tail(w, xb, tail, acc);
        w += 4 * tail;
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

/* acc + dot(w, x) over `depth` values, 4 at a time, then the tail (the last channels). */
static int32_t fc_dot(const int8_t *w, const int8_t *x, int32_t depth, int32_t acc)
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
#else
/* The depths of the 16 bytes of a pair, in order (header). */
static const uint8_t fc_pair_depths[8] = {0, 2, 1, 3, 4, 6, 5, 7};

/* Every group of four channels (layout in the header) against one input row x: the
 * first out_depth & ~3 outputs at y. */
static void fc_groups(const edgeai_fc_params *p, const edgeai_fc_data *d, const int8_t *x,
                      int8_t *y)
{
    const int32_t step = p->per_channel ? EDGEAI_RQ_WORDS : 0;
    const int32_t tail = p->in_depth & 7;
    const int8_t *w = d->weights;
    for (int32_t c = 0; c + 4 <= p->out_depth; c += 4) {
        const int8_t *xb = x;
        int32_t sums[4] = {d->bias[c], d->bias[c + 1], d->bias[c + 2], d->bias[c + 3]};
        for (int32_t blocks = p->in_depth >> 3; blocks > 0; --blocks) {
            for (int32_t i = 0; i < 32; i += 2) {
                const int32_t xd = xb[fc_pair_depths[(i >> 1) & 7]];
                const int32_t pair = i >> 4;
                sums[2 * pair] += ((int32_t)(uint8_t)w[i] - 128) * xd;
                sums[2 * pair + 1] += (int32_t)w[i + 1] * xd;
            }
            w += 32;
            xb += 8;
        }
        fc_acc4 acc = {sums[0], sums[1], sums[2], sums[3]};
        acc = fc_group_tail(w, xb, tail, acc);
        w += 4 * tail;
        const int32_t values[4] = {acc.a0, acc.a1, acc.a2, acc.a3};
        for (int32_t r = 0; r < 4; ++r) {
            y[c + r] = fc_output(values[r], d->requant + (c + r) * step, d);
        }
    }
}

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
        data->weights == NULL || data->bias == NULL || data->requant == NULL) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    const int32_t batches = params->batches;
    const int32_t in_depth = params->in_depth;
    const int32_t out_depth = params->out_depth;
    const int32_t rq_step = params->per_channel ? EDGEAI_RQ_WORDS : 0;
    if (batches <= 0 || in_depth <= 0 || out_depth <= 0) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    const int32_t grouped = out_depth & ~3;
    for (int32_t b = 0; b < batches; ++b) {
        const int8_t *const x = input + b * in_depth;
        int8_t *const y = output + b * out_depth;
        fc_groups(params, data, x, y);
        for (int32_t c = grouped; c < out_depth; ++c) {
            const int8_t *const w = data->weights + c * in_depth;
            const int32_t acc = fc_dot(w, x, in_depth, data->bias[c]);
            y[c] = fc_output(acc, data->requant + c * rq_step, data);
        }
    }
    return EDGEAI_OK;
}

int32_t edgeai_fully_connected_s8_get_buffer_size(const edgeai_fc_params *params)
{
    (void)params;
    return EDGEAI_FULLY_CONNECTED_S8_BUFFER_SIZE();
}
