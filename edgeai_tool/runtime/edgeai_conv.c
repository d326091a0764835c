/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: int8 CONV_2D, alone or fused with the pooling that follows it.
 * See edgeai_conv.h for the arithmetic; this file holds the two code paths.
 */
#include "edgeai_conv.h"

#include <stddef.h>
#include <string.h>

#include "edgeai_dsp.h"
#include "edgeai_requantize.h"

#if defined(__GNUC__)
/* The int8- and int16-weight kernels are one body specialised on a constant. */
#define CONV_INLINE static inline __attribute__((always_inline))
#else
#define CONV_INLINE static inline
#endif

#if defined(__GNUC__)
/* Out of line: a few cycles per call, in exchange for one copy of the code. */
#define CONV_NOINLINE __attribute__((noinline))
#else
#define CONV_NOINLINE
#endif

/* ---- shared pieces ------------------------------------------------------------------- */

static int conv_params_valid(const edgeai_conv_params *p)
{
    const int32_t groups = p->groups;
    return p->input.h > 0 && p->input.w > 0 && p->input.c > 0 && p->output.h > 0 &&
           p->output.w > 0 && p->output.c > 0 && p->kernel_h > 0 && p->kernel_w > 0 &&
           p->stride_h > 0 && p->stride_w > 0 && p->dilation_h > 0 && p->dilation_w > 0 &&
           p->pad_top >= 0 && p->pad_left >= 0 && groups > 0 && p->input.c % groups == 0 &&
           p->output.c % groups == 0 && (p->columns == 1 || p->columns == 2);
}

static int conv_data_valid(const edgeai_conv_data *d)
{
    return d->weights != NULL && d->bias != NULL && d->requant != NULL;
}

/** Requantize an accumulator of output channel `oc`, add the offset, clamp. */
static inline int8_t conv_output(const edgeai_conv_data *d, int32_t oc, int32_t acc)
{
    int32_t value = edgeai_rq(acc, d->requant + oc * EDGEAI_RQ_WORDS, d->rq_fast);
    value += d->output_offset;
    value = EDGEAI_CLAMP(value, d->act_min, d->act_max);
    return (int8_t)value;
}

/** Quads (groups of four) of the dot-product depth kernel_h * kernel_w * filter_c. */
static int32_t conv_quads(const edgeai_conv_params *p)
{
    return (p->kernel_h * p->kernel_w * (p->input.c / p->groups) + 3) / 4;
}

/**
 * Whether every run of input channels is whole quads (filter_c a multiple of 4), so that
 * im2col widens the input straight into the int16 columns, without an int8 column.
 */
static int conv_widens_in_place(const edgeai_conv_params *p)
{
    return (p->input.c / p->groups) % 4 == 0;
}

/**
 * Bytes of scratch of edgeai_conv_s8 (the columns of edgeai_conv_pool_s8), in p->columns's
 * form: the same on both paths, so that the memory plan does not depend on the target.
 */
static int32_t conv_columns(const edgeai_conv_params *p)
{
    const int32_t filter_c = p->input.c / p->groups;
    return conv_widens_in_place(p)
               ? EDGEAI_CONV_S8_BUFFER_SIZE(p->kernel_h, p->kernel_w, filter_c, p->columns)
               : EDGEAI_CONV_S8_STAGED_BUFFER_SIZE(p->kernel_h, p->kernel_w, filter_c,
                                                   p->columns);
}

/* ---- portable path -------------------------------------------------------------------- */

/**
 * Weight of tap k in the row that starts at element `row` (edgeai_conv.h's layouts): byte
 * 2 (k & ~3) + (k & 3) of the row, or for int16 weights (`wide`) element 2 (k & ~3) plus
 * slot 0, 2, 1, 3 of k & 3.
 */
static inline int32_t conv_weight(const int8_t *weights, int wide, int32_t row, int32_t k)
{
    const int32_t quad = row + 2 * (k & ~3);
    if (wide) {
        const int16_t *w16 = (const int16_t *)(const void *)weights;
        return w16[quad + (((k & 1) << 1) | ((k >> 1) & 1))];
    }
    return weights[quad + (k & 3)];
}

/**
 * Every output channel of output pixel (oy, ox), taps outside the image read as pad_value:
 * the portable path, and edgeai_conv_grouped_s8's on every target.
 */
static void conv_pixel_portable(const edgeai_conv_params *p, const edgeai_conv_data *data,
                                int wide, const int8_t *input, int32_t oy, int32_t ox,
                                int8_t *out)
{
    const edgeai_conv_data local = *data; /* not aliased by the int8 stores */
    const edgeai_conv_data *const d = &local;
    const int32_t in_h = p->input.h;
    const int32_t in_w = p->input.w;
    const int32_t in_c = p->input.c;
    const int32_t out_c = p->output.c;
    const int32_t filter_c = in_c / p->groups;
    const int32_t filters_per_group = out_c / p->groups;
    const int32_t pair_elements = 8 * conv_quads(p);
    const int32_t y0 = oy * p->stride_h - p->pad_top;
    const int32_t x0 = ox * p->stride_w - p->pad_left;

    for (int32_t oc = 0; oc < out_c; ++oc) {
        const int8_t *group_input = input + (oc / filters_per_group) * filter_c;
        const int32_t row = (oc >> 1) * pair_elements + (oc & 1) * 4;
        int32_t acc = d->bias[oc];
        int32_t k = 0;
        for (int32_t ky = 0; ky < p->kernel_h; ++ky) {
            const int32_t iy = y0 + ky * p->dilation_h;
            for (int32_t kx = 0; kx < p->kernel_w; ++kx) {
                const int32_t ix = x0 + kx * p->dilation_w;
                const int inside = iy >= 0 && iy < in_h && ix >= 0 && ix < in_w;
                const int8_t *x = inside ? group_input + (iy * in_w + ix) * in_c : NULL;
                for (int32_t ic = 0; ic < filter_c; ++ic, ++k) {
                    acc += conv_weight(d->weights, wide, row, k) *
                           (x != NULL ? (int32_t)x[ic] : d->pad_value);
                }
            }
        }
        out[oc] = conv_output(d, oc, acc);
    }
}

/** conv_pixel_portable at (y[0], x[0]) into out0 and, when out1 is not NULL, (y[1], x[1]). */
static void conv_two_portable(const edgeai_conv_params *p, const edgeai_conv_data *d,
                              int wide, const int8_t *input, const int32_t y[2],
                              const int32_t x[2], int8_t *out0, int8_t *out1)
{
    conv_pixel_portable(p, d, wide, input, y[0], x[0], out0);
    if (out1 != NULL) {
        conv_pixel_portable(p, d, wide, input, y[1], x[1], out1);
    }
}

/* ---- DSP path -------------------------------------------------------------------------- */

#if EDGEAI_USE_DSP
/**
 * Two consecutive words at a word-aligned `p` (the generator's arrays and the scratch are),
 * returning p + 2: one post-indexed LDRD on the core.
 */
static inline const uint32_t *conv_load2(const uint32_t *p, uint32_t *lo, uint32_t *hi)
{
#if EDGEAI_DSP_NATIVE
    uint32_t first;
    uint32_t second;
    __asm("ldrd %0, %1, [%2], #8"
          : "=r"(first), "=r"(second), "+r"(p)
          : "m"(*(const uint32_t(*)[2])p));
    *lo = first;
    *hi = second;
    return p;
#else
    *lo = edgeai_read_u32(p);
    *hi = edgeai_read_u32(p + 1);
    return p + 2;
#endif
}

/**
 * Sign-extend `quads` quads of int8 into an int16 column, `step` words per quad: quad q goes
 * to words step q (bytes 0 and 2) and step q + 1 (bytes 1 and 3). With step 4, words
 * 4q + 2 and 4q + 3 belong to the other column of the interleaved pair. Returns the position
 * after them.
 */
static inline uint32_t *conv_widen(const int8_t *src, int32_t quads, uint32_t *dst,
                                   int32_t step)
{
    for (; quads > 0; --quads, src += 4, dst += step) {
        const uint32_t v = edgeai_read_u32(src);
        dst[0] = (uint32_t)EDGEAI_SXTB16(v);
        dst[1] = (uint32_t)EDGEAI_SXTB16_ROR8(v);
    }
    return dst;
}

/**
 * Write `n` quads of a run of taps, widened into an int16 column at `dst` (`step` words per
 * quad): from `src`, or `pad` (in both halves) when src is NULL. Returns the position after
 * them.
 */
static CONV_NOINLINE uint32_t *conv_emit(uint32_t *dst, const int8_t *src, int32_t n,
                                         uint32_t pad, int32_t step)
{
    if (src != NULL) {
        return conv_widen(src, n, dst, step);
    }
    for (; n > 0; --n, dst += step) {
        dst[0] = pad;
        dst[1] = pad;
    }
    return dst;
}

/**
 * Gather the receptive field of output pixel (oy, ox) in OHWI's HWI order, whole quads of
 * input channels (conv_widens_in_place), through conv_emit with `step`, taps outside the
 * image as `pad`.
 */
static void conv_gather(const edgeai_conv_params *p, const int8_t *input, int32_t oy,
                        int32_t ox, uint32_t *dst, int32_t step, uint32_t pad)
{
    const int32_t in_h = p->input.h;
    const int32_t in_w = p->input.w;
    const int32_t in_c = p->input.c;
    const int32_t kernel_w = p->kernel_w;
    const int32_t dil_w = p->dilation_w;
    const int32_t tap = in_c / 4;
    const int32_t y0 = oy * p->stride_h - p->pad_top;
    const int32_t x0 = ox * p->stride_w - p->pad_left;
    const int32_t run = kernel_w * tap;
    const int whole = dil_w == 1 && x0 >= 0 && x0 + kernel_w <= in_w;
    for (int32_t ky = 0; ky < p->kernel_h; ++ky) {
        const int32_t iy = y0 + ky * p->dilation_h;
        if (iy < 0 || iy >= in_h) {
            dst = conv_emit(dst, NULL, run, pad, step);
            continue;
        }
        const int8_t *row = input + iy * in_w * in_c;
        if (whole) {
            dst = conv_emit(dst, row + x0 * in_c, run, pad, step);
            continue;
        }
        for (int32_t kx = 0; kx < kernel_w; ++kx) {
            const int32_t ix = x0 + kx * dil_w;
            dst = conv_emit(dst, ix >= 0 && ix < in_w ? row + ix * in_c : NULL, tap, pad, step);
        }
    }
}

/**
 * The receptive field of output pixel (oy, ox) when filter_c is not a multiple of 4: its
 * taps copied into the int8 `stage` in HWI order (`pad` outside the image, zeros up to
 * whole quads, which meet the weights' zero padding), then widened into the column at
 * `cols`, `step` words per quad. A row wholly inside the image is one copy.
 */
static void conv_stage(const edgeai_conv_params *p, const int8_t *input, int32_t oy,
                       int32_t ox, int8_t pad, int8_t *stage, uint32_t *cols, int32_t step)
{
    const int32_t in_h = p->input.h;
    const int32_t in_w = p->input.w;
    const int32_t in_c = p->input.c;
    const int32_t kernel_w = p->kernel_w;
    const int32_t dil_w = p->dilation_w;
    const int32_t y0 = oy * p->stride_h - p->pad_top;
    const int32_t x0 = ox * p->stride_w - p->pad_left;
    const int32_t kernel_h = p->kernel_h;
    const int32_t dil_h = p->dilation_h;
    int8_t *dst = stage;
    if (dil_w == 1 && x0 >= 0 && x0 + kernel_w <= in_w && y0 >= 0 &&
        y0 + (kernel_h - 1) * dil_h < in_h) {
        /* Wholly inside the image (most pixels): one copy per row, words while they last
         * (unaligned is fine on M4/M7). */
        const int32_t run = kernel_w * in_c;
        const int8_t *first = input + (y0 * in_w + x0) * in_c;
        for (int32_t ky = 0; ky < kernel_h; ++ky) {
            const int8_t *src = first + ky * dil_h * in_w * in_c;
            for (int32_t n = run >> 2; n > 0; --n, dst += 4, src += 4) {
                memcpy(dst, src, 4);
            }
            for (int32_t n = run & 3; n > 0; --n) {
                *dst++ = *src++;
            }
        }
    } else {
        for (int32_t ky = 0; ky < kernel_h; ++ky) {
            const int32_t iy = y0 + ky * dil_h;
            for (int32_t kx = 0; kx < kernel_w; ++kx) {
                const int32_t ix = x0 + kx * dil_w;
                const int inside = iy >= 0 && iy < in_h && ix >= 0 && ix < in_w;
                const int8_t *src = input + (inside ? iy * in_w + ix : 0) * in_c;
                for (int32_t ic = 0; ic < in_c; ++ic) {
                    *dst++ = inside ? src[ic] : pad;
                }
            }
        }
    }
    while ((dst - stage) & 3) {
        *dst++ = 0;
    }
    conv_widen(stage, conv_quads(p), cols, step);
}

/** `word` with its byte at bit `position` (a constant) replaced by value's low byte: BFI. */
CONV_INLINE uint32_t conv_insert_byte(uint32_t word, int32_t value, const int position)
{
#if EDGEAI_DSP_NATIVE
    __asm("bfi %0, %1, %2, #8" : "+r"(word) : "r"(value), "i"(position));
    return word;
#else
    return (word & ~(UINT32_C(0xFF) << position)) | (((uint32_t)value & 0xFFU) << position);
#endif
}

/**
 * Four outputs (already offset) saturated to int8 and packed little-endian, clamped
 * bytewise to [lo, hi] (each byte repeated four times): SSAT, BFI, then SSUB8 + SEL.
 */
CONV_INLINE uint32_t conv_pack4(int32_t v0, int32_t v1, int32_t v2, int32_t v3, uint32_t lo4,
                                uint32_t hi4)
{
    uint32_t packed = (uint32_t)EDGEAI_SSAT8(v0);
    packed = conv_insert_byte(packed, EDGEAI_SSAT8(v1), 8);
    packed = conv_insert_byte(packed, EDGEAI_SSAT8(v2), 16);
    packed = conv_insert_byte(packed, EDGEAI_SSAT8(v3), 24);
    return edgeai_min8(edgeai_max8(packed, lo4), hi4);
}

/* The exact requantization out of line: the blocks inline the six-instruction fast form
 * four times each, the exact one (layers without rq_fast, rare) would add a few hundred
 * bytes to every block. */
static CONV_NOINLINE int32_t conv_rq_exact(int32_t x, const int32_t *rq)
{
    return edgeai_rq_exact(x, rq);
}

static inline int32_t conv_rq(int32_t x, const int32_t *rq, int32_t fast)
{
    return fast ? edgeai_rq_fast(x, rq) : conv_rq_exact(x, rq);
}

/** The four accumulators of a 2x2 block: {channel, column} 00, 01, 10, 11. */
typedef struct {
    int32_t c00, c01, c10, c11;
} conv_acc4;

/** A pair row's weights of one quad as int16 pairs: taps (0, 2) and (1, 3) of each channel. */
typedef struct {
    int32_t e0, o0, e1, o1;
} conv_quad_weights;

/** One quad of a pair row at *w (one LDRD and four SXTB16, or two LDRD of int16 weights
 * when `wide`), stepping *w past it. */
CONV_INLINE conv_quad_weights conv_weights(const uint32_t **w, const int wide)
{
    uint32_t w0, w1;
    conv_quad_weights q;
    *w = conv_load2(*w, &w0, &w1);
    if (wide) {
        q.e0 = (int32_t)w0;
        q.o0 = (int32_t)w1;
        *w = conv_load2(*w, &w0, &w1);
        q.e1 = (int32_t)w0;
        q.o1 = (int32_t)w1;
    } else {
        q.e0 = EDGEAI_SXTB16(w0);
        q.o0 = EDGEAI_SXTB16_ROR8(w0);
        q.e1 = EDGEAI_SXTB16(w1);
        q.o1 = EDGEAI_SXTB16_ROR8(w1);
    }
    return q;
}

/**
 * One quad of a 2x2 block: the weights (conv_weights), the columns' four words (two LDRD),
 * eight SMLAD.
 */
CONV_INLINE void conv_quad(const uint32_t **w, const uint32_t **cols, conv_acc4 *acc,
                           const int wide, const int columns)
{
    uint32_t a0e, a0o, a1e, a1o;
    const conv_quad_weights q = conv_weights(w, wide);
    const int32_t we0 = q.e0;
    const int32_t wo0 = q.o0;
    const int32_t we1 = q.e1;
    const int32_t wo1 = q.o1;
    *cols = conv_load2(*cols, &a0e, &a0o);
    acc->c00 = EDGEAI_SMLAD(we0, (int32_t)a0e, acc->c00);
    acc->c00 = EDGEAI_SMLAD(wo0, (int32_t)a0o, acc->c00);
    acc->c10 = EDGEAI_SMLAD(we1, (int32_t)a0e, acc->c10);
    acc->c10 = EDGEAI_SMLAD(wo1, (int32_t)a0o, acc->c10);
    if (columns == 2) {
        *cols = conv_load2(*cols, &a1e, &a1o);
        acc->c01 = EDGEAI_SMLAD(we0, (int32_t)a1e, acc->c01);
        acc->c01 = EDGEAI_SMLAD(wo0, (int32_t)a1o, acc->c01);
        acc->c11 = EDGEAI_SMLAD(we1, (int32_t)a1e, acc->c11);
        acc->c11 = EDGEAI_SMLAD(wo1, (int32_t)a1o, acc->c11);
    }
}

/**
 * Two output channels (one pair row of the weight layout) at the two interleaved columns,
 * two quads per loop pass (or at one single column when `columns` is 1, one quad per pass).
 * Returns the next pair row.
 */
CONV_INLINE const uint32_t *conv_dot_2x2(const uint32_t *w, const uint32_t *cols,
                                         int32_t quads, conv_acc4 *acc, const int wide,
                                         const int columns)
{
    const uint32_t *const end = cols + 2 * columns * quads;
    conv_acc4 sums = *acc;
    if (columns == 1) {
        /* Not unrolled: the one-column form is the lean one, code size included. */
        while (cols != end) {
            conv_quad(&w, &cols, &sums, wide, 1);
        }
        *acc = sums;
        return w;
    }
    if (quads & 1) {
        conv_quad(&w, &cols, &sums, wide, columns);
    }
    while (cols != end) {
        conv_quad(&w, &cols, &sums, wide, columns);
        conv_quad(&w, &cols, &sums, wide, columns);
    }
    *acc = sums;
    return w;
}

/**
 * Every output channel at the two interleaved columns `cols`, into out0 and out1 (the same
 * pixel twice when out1 == out0 and both columns hold it); with `columns` 1, at the single
 * column into out0 (out1 unused).
 */
CONV_INLINE void conv_block_dsp(const edgeai_conv_data *data, int32_t out_c, int32_t quads,
                                const uint32_t *cols, int8_t *out0, int8_t *out1,
                                const int wide, const int columns)
{
    /* A local copy: the int8 output stores cannot alias it, so its fields stay in registers. */
    const edgeai_conv_data local = *data;
    const edgeai_conv_data *const d = &local;
    const uint32_t *w = (const uint32_t *)(const void *)d->weights;
    const int32_t *bias = d->bias;
    const int32_t fast = d->rq_fast;
    const int32_t offset = d->output_offset;
    const uint32_t lo4 = (uint8_t)d->act_min * UINT32_C(0x01010101);
    const uint32_t hi4 = (uint8_t)d->act_max * UINT32_C(0x01010101);
    for (int32_t oc = 0; oc < out_c; oc += 2) {
        /* An odd last channel has a zero weight row after it; its record stands in. */
        const int pair = oc + 1 < out_c;
        const int32_t *rq0 = d->requant + oc * EDGEAI_RQ_WORDS;
        const int32_t *rq1 = pair ? rq0 + EDGEAI_RQ_WORDS : rq0;
        const int32_t bias1 = pair ? bias[oc + 1] : 0;
        conv_acc4 acc = {bias[oc], bias[oc], bias1, bias1};
        w = conv_dot_2x2(w, cols, quads, &acc, wide, columns);
        const int32_t v00 = conv_rq(acc.c00, rq0, fast) + offset;
        const int32_t v10 = conv_rq(acc.c10, rq1, fast) + offset;
        const int32_t v01 = columns == 2 ? conv_rq(acc.c01, rq0, fast) + offset : v00;
        const int32_t v11 = columns == 2 ? conv_rq(acc.c11, rq1, fast) + offset : v10;
        /* Bytes: (channel oc, oc + 1) of out0, then of out1. */
        const uint32_t packed = conv_pack4(v00, v10, v01, v11, lo4, hi4);
        if (pair) {
            const uint16_t low = (uint16_t)packed;
            const uint16_t high = (uint16_t)(packed >> 16);
            memcpy(out0 + oc, &low, 2);
            if (columns == 2) {
                memcpy(out1 + oc, &high, 2);
            }
        } else {
            out0[oc] = (int8_t)(uint8_t)packed;
            if (columns == 2) {
                out1[oc] = (int8_t)(uint8_t)(packed >> 16);
            }
        }
    }
}

/**
 * One quad of a 4x1 block: the column's two words (one LDRD), two pair rows' weights
 * (conv_weights at *w and *w2), eight SMLAD. The accumulators c00, c10, c01, c11 are
 * channels 0, 1, 2, 3.
 */
CONV_INLINE void conv_quad_4x1(const uint32_t **w, const uint32_t **w2, const uint32_t **cols,
                               conv_acc4 *acc, const int wide)
{
    uint32_t even;
    uint32_t odd;
    *cols = conv_load2(*cols, &even, &odd);
    const conv_quad_weights a = conv_weights(w, wide);
    acc->c00 = EDGEAI_SMLAD(a.e0, (int32_t)even, acc->c00);
    acc->c00 = EDGEAI_SMLAD(a.o0, (int32_t)odd, acc->c00);
    acc->c10 = EDGEAI_SMLAD(a.e1, (int32_t)even, acc->c10);
    acc->c10 = EDGEAI_SMLAD(a.o1, (int32_t)odd, acc->c10);
    const conv_quad_weights b = conv_weights(w2, wide);
    acc->c01 = EDGEAI_SMLAD(b.e0, (int32_t)even, acc->c01);
    acc->c01 = EDGEAI_SMLAD(b.o0, (int32_t)odd, acc->c01);
    acc->c11 = EDGEAI_SMLAD(b.e1, (int32_t)even, acc->c11);
    acc->c11 = EDGEAI_SMLAD(b.o1, (int32_t)odd, acc->c11);
}

/**
 * Four output channels (two pair rows of the weights, `pair_words` apart from `w`) at the
 * single column `cols`, two quads per loop pass: each column word loaded feeds four SMLAD.
 * Returns the pair row after the two.
 */
CONV_INLINE const uint32_t *conv_dot_4x1(const uint32_t *w, int32_t pair_words,
                                         const uint32_t *cols, int32_t quads, conv_acc4 *acc,
                                         const int wide)
{
    const uint32_t *w2 = w + pair_words;
    const uint32_t *const end = cols + 2 * quads;
    conv_acc4 sums = *acc;
    if (quads & 1) {
        conv_quad_4x1(&w, &w2, &cols, &sums, wide);
    }
    while (cols != end) {
        conv_quad_4x1(&w, &w2, &cols, &sums, wide);
        conv_quad_4x1(&w, &w2, &cols, &sums, wide);
    }
    *acc = sums;
    return w2;
}

/**
 * Every output channel at the single column `cols` into `out` (the one-column form of
 * edgeai_conv_s8): four channels per pass over the column (conv_dot_4x1), then the last one
 * to three through conv_block_dsp's one-column form.
 */
CONV_INLINE void conv_block_single(const edgeai_conv_data *data, int32_t out_c,
                                   int32_t quads, const uint32_t *cols, int8_t *out,
                                   const int wide)
{
    /* A local copy: the int8 output stores cannot alias it, so its fields stay in registers. */
    edgeai_conv_data local = *data;
    const uint32_t *w = (const uint32_t *)(const void *)local.weights;
    const int32_t pair_words = (wide ? 4 : 2) * quads;
    const int32_t fast = local.rq_fast;
    const int32_t offset = local.output_offset;
    const uint32_t lo4 = (uint8_t)local.act_min * UINT32_C(0x01010101);
    const uint32_t hi4 = (uint8_t)local.act_max * UINT32_C(0x01010101);
    int32_t oc = 0;
    for (; oc + 4 <= out_c; oc += 4) {
        const int32_t *bias = local.bias + oc;
        const int32_t *rq = local.requant + oc * EDGEAI_RQ_WORDS;
        conv_acc4 acc = {bias[0], bias[2], bias[1], bias[3]};
        w = conv_dot_4x1(w, pair_words, cols, quads, &acc, wide);
        const uint32_t packed =
            conv_pack4(conv_rq(acc.c00, rq, fast) + offset,
                       conv_rq(acc.c10, rq + EDGEAI_RQ_WORDS, fast) + offset,
                       conv_rq(acc.c01, rq + 2 * EDGEAI_RQ_WORDS, fast) + offset,
                       conv_rq(acc.c11, rq + 3 * EDGEAI_RQ_WORDS, fast) + offset, lo4, hi4);
        memcpy(out + oc, &packed, 4);
    }
    if (oc < out_c) {
        local.weights = (const int8_t *)(const void *)w;
        local.bias += oc;
        local.requant += oc * EDGEAI_RQ_WORDS;
        conv_block_dsp(&local, out_c - oc, quads, cols, out + oc, out + oc, wide, 1);
    }
}

/**
 * Output pixel (oy, ox)'s int16 column into `cols`: column 0 or 1 (at cols + 2) of an
 * interleaved pair with `step` 4, a single column with `step` 2. Gathered straight into it
 * when conv_widens_in_place, else gathered into the int8 `stage` (zeros up to whole quads,
 * which meet the weights' zero padding) and widened.
 */
static void conv_column(const edgeai_conv_params *p, const edgeai_conv_data *d,
                        const int8_t *input, int32_t oy, int32_t ox, uint32_t *cols,
                        int8_t *stage, int32_t step)
{
    if (conv_widens_in_place(p)) {
        conv_gather(p, input, oy, ox, cols, step,
                    (uint32_t)(uint16_t)(int16_t)d->pad_value * UINT32_C(0x00010001));
    } else {
        conv_stage(p, input, oy, ox, (int8_t)d->pad_value, stage, cols, step);
    }
}
#endif /* EDGEAI_USE_DSP */

/**
 * The convolution at up to two output pixels: (y0, x0) into out0 and, when out1 is not
 * NULL (never in the one-column form), (y1, x1) into out1. `scratch` is
 * edgeai_conv_s8_get_buffer_size bytes; `wide` says the weights are int16.
 */
CONV_INLINE void conv_pixels(const edgeai_conv_params *p, const edgeai_conv_data *d,
                             const int8_t *input, const int32_t y[2], const int32_t x[2],
                             int8_t *out0, int8_t *out1, int8_t *scratch, const int wide)
{
#if EDGEAI_USE_DSP
    /* groups == 1 (edgeai_conv_grouped_s8 takes the others) */
    const int32_t quads = conv_quads(p);
    uint32_t *cols = (uint32_t *)(void *)scratch;
    int8_t *stage = scratch + 8 * p->columns * quads;
    if (p->columns == 1) {
        conv_column(p, d, input, y[0], x[0], cols, stage, 2);
        conv_block_single(d, p->output.c, quads, cols, out0, wide);
        return;
    }
    const int second = out1 != NULL;
    conv_column(p, d, input, y[0], x[0], cols, stage, 4);
    conv_column(p, d, input, y[second], x[second], cols + 2, stage, 4);
    conv_block_dsp(d, p->output.c, quads, cols, out0, second ? out1 : out0, wide, 2);
#else
    (void)scratch;
    conv_two_portable(p, d, wide, input, y, x, out0, out1);
#endif
}

typedef void conv_pixels_fn(const edgeai_conv_params *p, const edgeai_conv_data *d,
                            const int8_t *input, const int32_t y[2], const int32_t x[2],
                            int8_t *out0, int8_t *out1, int8_t *scratch);

/* The kernels' pixel functions: each entry point (and so each firmware) links only its own. */
static void conv_pixels_s8(const edgeai_conv_params *p, const edgeai_conv_data *d,
                           const int8_t *input, const int32_t y[2], const int32_t x[2],
                           int8_t *out0, int8_t *out1, int8_t *scratch)
{
    conv_pixels(p, d, input, y, x, out0, out1, scratch, 0);
}

/* Any groups, on every target: the portable path. */
static void conv_pixels_grouped(const edgeai_conv_params *p, const edgeai_conv_data *d,
                                const int8_t *input, const int32_t y[2], const int32_t x[2],
                                int8_t *out0, int8_t *out1, int8_t *scratch)
{
    (void)scratch;
    conv_two_portable(p, d, 0, input, y, x, out0, out1);
}

static void conv_pixels_wide(const edgeai_conv_params *p, const edgeai_conv_data *d,
                             const int8_t *input, const int32_t y[2], const int32_t x[2],
                             int8_t *out0, int8_t *out1, int8_t *scratch)
{
    conv_pixels(p, d, input, y, x, out0, out1, scratch, 1);
}

/* ---- CONV_2D ------------------------------------------------------------------------------ */

int32_t edgeai_conv_s8_get_buffer_size(const edgeai_conv_params *params)
{
    return params != NULL && conv_params_valid(params) ? conv_columns(params) : 0;
}

CONV_INLINE edgeai_status conv_run(const edgeai_conv_params *params,
                                   const edgeai_conv_data *data, const int8_t *input,
                                   int8_t *output, int8_t *scratch, conv_pixels_fn *pixels)
{
    if (params == NULL || input == NULL || output == NULL || scratch == NULL ||
        !conv_params_valid(params) || !conv_data_valid(data) ||
        (params->groups != 1 && pixels != conv_pixels_grouped)) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    const int32_t out_w = params->output.w;
    const int32_t out_c = params->output.c;
    const int32_t pixels_count = params->output.h * out_w;
    const int32_t step = params->columns;
    /* Pixel pairs (`columns` 2), or pixel by pixel: each written only once its window is
     * read (the in-place plan's lookback 0). */
    for (int32_t i = 0; i < pixels_count; i += step) {
        const int32_t y[2] = {i / out_w, (i + 1) / out_w};
        const int32_t x[2] = {i % out_w, (i + 1) % out_w};
        pixels(params, data, input, y, x, output + i * out_c,
               step == 2 && i + 1 < pixels_count ? output + (i + 1) * out_c : NULL, scratch);
    }
    return EDGEAI_OK;
}

edgeai_status edgeai_conv_s8(const edgeai_conv_params *params, const edgeai_conv_data *data,
                             const int8_t *input, int8_t *output, int8_t *scratch)
{
    if (data == NULL) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    return conv_run(params, data, input, output, scratch, conv_pixels_s8);
}

edgeai_status edgeai_conv_grouped_s8(const edgeai_conv_params *params,
                                     const edgeai_conv_data *data, const int8_t *input,
                                     int8_t *output, int8_t *scratch)
{
    if (data == NULL) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    return conv_run(params, data, input, output, scratch, conv_pixels_grouped);
}

edgeai_status edgeai_conv_wide_s8(const edgeai_conv_params *params,
                                  const edgeai_conv_wide_data *data, const int8_t *input,
                                  int8_t *output, int8_t *scratch)
{
    if (data == NULL) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    const edgeai_conv_data numbers = {
        .pad_value = data->pad_value, .output_offset = data->output_offset,
        .act_min = data->act_min, .act_max = data->act_max, .rq_fast = data->rq_fast,
        .weights = (const int8_t *)(const void *)data->weights, .bias = data->bias,
        .requant = data->requant};
    return conv_run(params, &numbers, input, output, scratch, conv_pixels_wide);
}

/* ---- CONV_2D + pooling ------------------------------------------------------------------- */

static int conv_pool_params_valid(const edgeai_conv_pool_params *p)
{
    return conv_params_valid(&p->conv) && p->conv.groups == 1 && p->output.h > 0 &&
           p->output.w > 0 && p->output.c == p->conv.output.c && p->pool_h > 0 &&
           p->pool_w > 0 && p->pool_stride_h > 0 && p->pool_stride_w > 0 && p->pool_pad_top >= 0 &&
           p->pool_pad_left >= 0 &&
           (p->pool_kind == EDGEAI_POOL_MAX || p->pool_kind == EDGEAI_POOL_AVERAGE);
}

/* Where the int32 sums start (edgeai_conv.h's layout). Unsigned, as the sizes are never
 * negative: the rounding up is then one AND. */
static int32_t conv_pool_sums_offset(const edgeai_conv_pool_params *p)
{
    return (int32_t)EDGEAI_CONV_POOL_S8_SUMS_OFFSET((uint32_t)conv_columns(&p->conv),
                                                    (uint32_t)p->conv.output.c,
                                                    (uint32_t)p->conv.columns);
}

int32_t edgeai_conv_pool_s8_get_buffer_size(const edgeai_conv_pool_params *params)
{
    if (params == NULL || !conv_pool_params_valid(params)) {
        return 0;
    }
    return EDGEAI_CONV_POOL_S8_BUFFER_SIZE(conv_columns(&params->conv), params->output.c,
                                           params->conv.columns,
                                           params->pool_kind == EDGEAI_POOL_AVERAGE ? 1 : 0);
}

/** The convolution pixels of one pooling window, in raster order: rows [y, y_end), columns
 * [x_start, x_end), `y`, `x` the next one. */
typedef struct {
    int32_t y, x;
    int32_t y_end, x_start, x_end;
} conv_pool_cells;

/** Steps `cells` past its next pixel, which it returns in *y, *x. */
static inline void conv_pool_next(conv_pool_cells *cells, int32_t *y, int32_t *x)
{
    *y = cells->y;
    *x = cells->x;
    if (++cells->x == cells->x_end) {
        cells->x = cells->x_start;
        ++cells->y;
    }
}

/** Where a window's convolution outputs go: the pooled pixel's running maximum or sums. */
typedef struct {
    int32_t kind;  /* an edgeai_pool_kind */
    int8_t *max;   /* [channels], the output pixel */
    int32_t *sums; /* [channels] */
} conv_pool_sink;

/**
 * Fold the int8 convolution outputs `v0` and, when `both`, `v1` (each [channels]) into the
 * sink: four channels per word where the DSP is (a bytewise max; or SXTB16 halves of both
 * pixels added, exact in 16 bits, then widened into the sums).
 */
static void conv_pool_fold(const conv_pool_sink *sink, const int8_t *v0, const int8_t *v1,
                           int both, int32_t channels)
{
    int8_t *max = sink->max;
    int32_t *sums = sink->sums;
    int32_t c = 0;
#if EDGEAI_USE_DSP
    if (sink->kind == EDGEAI_POOL_MAX) {
        for (; c + 4 <= channels; c += 4) {
            const uint32_t a = edgeai_read_u32(v0 + c);
            const uint32_t b = both ? edgeai_read_u32(v1 + c) : a;
            uint32_t m;
            memcpy(&m, max + c, 4);
            m = edgeai_max8(edgeai_max8(a, b), m);
            memcpy(max + c, &m, 4);
        }
    } else {
        for (; c + 4 <= channels; c += 4) {
            const uint32_t a = edgeai_read_u32(v0 + c);
            const uint32_t b = both ? edgeai_read_u32(v1 + c) : 0;
            const int32_t even = EDGEAI_SXTAB16(EDGEAI_SXTB16(a), b); /* channels c, c + 2 */
            const int32_t odd = EDGEAI_SXTAB16_ROR8(EDGEAI_SXTB16_ROR8(a), b);
            sums[c] += (int16_t)(uint16_t)((uint32_t)even & 0xFFFFU);
            sums[c + 1] += (int16_t)(uint16_t)((uint32_t)odd & 0xFFFFU);
            sums[c + 2] += (int16_t)(uint16_t)((uint32_t)even >> 16);
            sums[c + 3] += (int16_t)(uint16_t)((uint32_t)odd >> 16);
        }
    }
#endif
    for (; c < channels; ++c) {
        const int32_t a = v0[c];
        const int32_t b = both ? v1[c] : a;
        if (sink->kind == EDGEAI_POOL_MAX) {
            const int32_t m = EDGEAI_MAX(a, b);
            max[c] = (int8_t)EDGEAI_MAX(m, max[c]);
        } else {
            sums[c] += a + (both ? b : 0);
        }
    }
}

/**
 * What tells edgeai_conv_pool_s8 from edgeai_conv_pool_wide_s8: the weights' type and, on
 * the DSP path, each form's block (each entry point links only its own).
 */
typedef void conv_pool_block_fn(const edgeai_conv_data *d, int32_t out_c, int32_t quads,
                                const uint32_t *cols, int8_t *values);
typedef struct {
    int wide; /* int16 weights */
#if EDGEAI_USE_DSP
    conv_pool_block_fn *pair;   /* two columns into values, values + out_c */
    conv_pool_block_fn *single; /* one column into values */
#endif
} conv_pool_kernel;

#if EDGEAI_USE_DSP
/* conv_block_dsp in each form, out of line: a call per pass, registers of its own. */
static CONV_NOINLINE void conv_pool_pair(const edgeai_conv_data *d, int32_t out_c,
                                         int32_t quads, const uint32_t *cols, int8_t *values)
{
    conv_block_dsp(d, out_c, quads, cols, values, values + out_c, 0, 2);
}

static CONV_NOINLINE void conv_pool_single(const edgeai_conv_data *d, int32_t out_c,
                                           int32_t quads, const uint32_t *cols, int8_t *values)
{
    conv_block_dsp(d, out_c, quads, cols, values, values, 0, 1);
}

static CONV_NOINLINE void conv_pool_pair_wide(const edgeai_conv_data *d, int32_t out_c,
                                              int32_t quads, const uint32_t *cols,
                                              int8_t *values)
{
    conv_block_dsp(d, out_c, quads, cols, values, values + out_c, 1, 2);
}

static CONV_NOINLINE void conv_pool_single_wide(const edgeai_conv_data *d, int32_t out_c,
                                                int32_t quads, const uint32_t *cols,
                                                int8_t *values)
{
    conv_block_dsp(d, out_c, quads, cols, values, values, 1, 1);
}

static const conv_pool_kernel conv_pool_narrow = {0, conv_pool_pair, conv_pool_single};
static const conv_pool_kernel conv_pool_wide = {1, conv_pool_pair_wide, conv_pool_single_wide};
#else
static const conv_pool_kernel conv_pool_narrow = {0};
static const conv_pool_kernel conv_pool_wide = {1};
#endif

/**
 * Every convolution pixel of a window folded into `sink`, through the int8 `values` (in
 * `scratch`, edgeai_conv.h's layout). DSP path: two pixels per pass over the weights when `columns`
 * is 2 (an odd last one gathered into both columns and counted once), else one. Portable
 * path: pixel by pixel.
 */
static void conv_pool_window(const edgeai_conv_pool_params *params, const edgeai_conv_data *d,
                             const conv_pool_kernel *kernel, const int8_t *input,
                             conv_pool_cells cells, const conv_pool_sink *sink,
                             int8_t *scratch, int8_t *values)
{
    const edgeai_conv_params *p = &params->conv;
    const int32_t channels = p->output.c;
#if EDGEAI_USE_DSP
    const int32_t quads = conv_quads(p);
    const int32_t columns = p->columns;
    uint32_t *cols = (uint32_t *)(void *)scratch;
    int8_t *stage = scratch + 8 * columns * quads;
    while (cells.y < cells.y_end) {
        int32_t y;
        int32_t x;
        conv_pool_next(&cells, &y, &x);
        conv_column(p, d, input, y, x, cols, stage, 2 * columns);
        int both = 0;
        if (columns == 2) {
            both = cells.y < cells.y_end;
            if (both) {
                conv_pool_next(&cells, &y, &x);
            }
            conv_column(p, d, input, y, x, cols + 2, stage, 4);
        }
        (columns == 2 ? kernel->pair : kernel->single)(d, channels, quads, cols, values);
        conv_pool_fold(sink, values, values + channels, both, channels);
    }
#else
    (void)scratch;
    while (cells.y < cells.y_end) {
        int32_t y;
        int32_t x;
        conv_pool_next(&cells, &y, &x);
        conv_pixel_portable(p, d, kernel->wide, input, y, x, values);
        conv_pool_fold(sink, values, values, 0, channels);
    }
#endif
}

/** TFLM's int8 average: round half away from zero of sum / count (count > 0). */
static inline int32_t pool_average(int32_t sum, int32_t count)
{
    return sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
}

/** edgeai_conv_pool_s8 and edgeai_conv_pool_wide_s8 (`conv` with either weights). */
static edgeai_status conv_pool_run(const edgeai_conv_pool_params *params,
                                   const edgeai_conv_data *conv, int32_t pool_min,
                                   int32_t pool_max, const conv_pool_kernel *kernel,
                                   const int8_t *input, int8_t *output, int8_t *scratch)
{
    if (params == NULL || input == NULL || output == NULL || scratch == NULL ||
        !conv_pool_params_valid(params) || !conv_data_valid(conv)) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    const edgeai_hwc conv_out = params->conv.output; /* the pooling's input */
    const int32_t channels = conv_out.c;
    const int32_t kind = params->pool_kind;
    int8_t *values = scratch + conv_columns(&params->conv);
    int32_t *sums = (int32_t *)(void *)(scratch + conv_pool_sums_offset(params));
    conv_pool_sink sink = {kind, NULL, sums};

    for (int32_t py = 0; py < params->output.h; ++py) {
        const int32_t cy0 = py * params->pool_stride_h - params->pool_pad_top;
        const int32_t y_start = EDGEAI_MAX(cy0, 0);
        const int32_t y_end = EDGEAI_MIN(cy0 + params->pool_h, conv_out.h);
        for (int32_t px = 0; px < params->output.w; ++px) {
            const int32_t cx0 = px * params->pool_stride_w - params->pool_pad_left;
            const int32_t x_start = EDGEAI_MAX(cx0, 0);
            const int32_t x_end = EDGEAI_MIN(cx0 + params->pool_w, conv_out.w);
            const int32_t count = (y_end - y_start) * (x_end - x_start);
            int8_t *out = output + (py * params->output.w + px) * channels;
            if (kind == EDGEAI_POOL_MAX) {
                memset(out, -128, (size_t)channels);
            } else {
                if (count <= 0) {
                    return EDGEAI_ERROR_ARGUMENT; /* TFLM fails on an empty window too */
                }
                memset(sink.sums, 0, sizeof(int32_t) * (size_t)channels);
            }
            /* The output pixel is written while its window only is read (the in-place plan's
             * lookback 0): its running maximum is kept in place. */
            sink.max = out;
            if (y_end > y_start && x_end > x_start) {
                const conv_pool_cells cells = {y_start, x_start, y_end, x_start, x_end};
                conv_pool_window(params, conv, kernel, input, cells, &sink, scratch,
                                 values);
            }
            for (int32_t c = 0; c < channels; ++c) {
                const int32_t value = kind == EDGEAI_POOL_MAX ? out[c]
                                                              : pool_average(sink.sums[c], count);
                out[c] = (int8_t)EDGEAI_CLAMP(value, pool_min, pool_max);
            }
        }
    }
    return EDGEAI_OK;
}

edgeai_status edgeai_conv_pool_s8(const edgeai_conv_pool_params *params,
                                  const edgeai_conv_pool_data *data, const int8_t *input,
                                  int8_t *output, int8_t *scratch)
{
    if (data == NULL) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    return conv_pool_run(params, &data->conv, data->pool_act_min, data->pool_act_max,
                         &conv_pool_narrow, input, output, scratch);
}

edgeai_status edgeai_conv_pool_wide_s8(const edgeai_conv_pool_params *params,
                                       const edgeai_conv_pool_wide_data *data,
                                       const int8_t *input, int8_t *output, int8_t *scratch)
{
    if (data == NULL) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    const edgeai_conv_wide_data *wide = &data->conv;
    const edgeai_conv_data numbers = {
        .pad_value = wide->pad_value, .output_offset = wide->output_offset,
        .act_min = wide->act_min, .act_max = wide->act_max, .rq_fast = wide->rq_fast,
        .weights = (const int8_t *)(const void *)wide->weights, .bias = wide->bias,
        .requant = wide->requant};
    return conv_pool_run(params, &numbers, data->pool_act_min, data->pool_act_max,
                         &conv_pool_wide, input, output, scratch);
}
