/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: int8 DEPTHWISE_CONV_2D. See edgeai_depthwise.h for the arithmetic.
 *
 * DSP path (depth multiplier 1, at least four channels): four channels at a time (one input
 * word per tap, SXTB16 + SMLABB/SMLATT), the last group of four overlapping the one before
 * instead of a per-channel tail. With a 3x3 kernel at stride 1, on rows whose windows lie
 * inside the image vertically, output pixels go in strips of two (three at the start of an
 * odd row at the left padding): each weight word loaded serves every pixel of the strip,
 * each input word up to three taps, and a window's column outside the image (the strip's
 * first or last) reads as the zero point, which the folded bias makes exact. On Cortex-M
 * the strips' loops are inline assembly (the compiler spills their 13 live values) and
 * requantize with edgeai_rq_fast; layers needing the exact form run pixel by pixel. Other
 * pixels whose windows lie inside the image run one at a time, 3x3 unrolled; a pixel whose
 * window leaves the image runs over the taps inside only, with (x - zero point) and the
 * model's unfolded bias: the same sum as TFLM's. The two entry points differ only in how a
 * tap's weights are fetched (one int8 word or two int16 words), so a firmware links the one
 * its layers use.
 */
#include "edgeai_depthwise.h"

#include <stddef.h>
#include <string.h>

#include "edgeai_dsp.h"
#include "edgeai_requantize.h"

#if defined(__GNUC__) && !defined(__clang__)
/* gcc's scheduling before register allocation and its partial-redundancy passes hoist the
 * loads of the unrolled taps far ahead of their use: more live values than the core has
 * registers, and spills. Without them the loops keep to their source order (measured on
 * Cortex-M7: 4 to 10% fewer instructions, smaller code). */
#pragma GCC optimize("no-schedule-insns", "no-tree-pre", "no-gcse")
#endif

#if defined(__GNUC__)
#define DW_INLINE static inline __attribute__((always_inline))
#define DW_NOINLINE static __attribute__((noinline))
/* Unrolls a loop whose trip count is a constant at every call. */
#define DW_UNROLL _Pragma("GCC unroll 8")
/* Keeps the loads and multiplies of two halves of a channel group apart: interleaved, they
 * need more registers than the core has, and the compiler spills. */
#define DW_FENCE(a, b) __asm__ volatile("" : "+r"(a), "+r"(b) : : "memory")
#else
#define DW_INLINE static inline
#define DW_NOINLINE static
#define DW_UNROLL
#define DW_FENCE(a, b) ((void)0)
#endif

static int depthwise_params_valid(const edgeai_depthwise_params *p)
{
    return p->input.h > 0 && p->input.w > 0 && p->input.c > 0 && p->output.h > 0 &&
           p->output.w > 0 && p->kernel_h > 0 && p->kernel_w > 0 && p->stride_h > 0 &&
           p->stride_w > 0 && p->dilation_h > 0 && p->dilation_w > 0 && p->pad_top >= 0 &&
           p->pad_left >= 0 && p->depth_multiplier > 0 &&
           p->output.c == p->input.c * p->depth_multiplier;
}

static int depthwise_data_valid(const edgeai_depthwise_data *d)
{
    return d->weights != NULL && d->bias != NULL && d->bias_unfolded != NULL &&
           d->requant != NULL;
}

/**
 * Weight of output channel oc at tap t in either layout of edgeai_depthwise_data
 * (`wide`: int16 pairs, else int8 quadruples).
 */
static int32_t depthwise_weight(const int32_t *w, int32_t channels, int32_t taps, int32_t oc,
                                int32_t t, int wide)
{
    const int32_t last = (channels + 3) / 4 - 1;
    const int32_t g = EDGEAI_MIN(oc >> 2, last);
    const int32_t lane = oc - (channels >= 4 ? EDGEAI_MIN(4 * g, channels - 4) : 0);
    if (wide) {
        /* Lanes 0 and 2 are the low and high halves of the first word, 1 and 3 of the second. */
        const uint32_t word = (uint32_t)w[(g * taps + t) * 2 + (lane & 1)];
        return (int32_t)(int16_t)(uint16_t)((lane & 2) ? word >> 16 : word & 0xFFFFU);
    }
    return (int32_t)(int8_t)(uint8_t)((uint32_t)w[g * taps + t] >> (8 * lane));
}

/** Every output channel of output pixel (oy, ox); taps outside the image read pad_value. */
static void depthwise_pixel_portable(const edgeai_depthwise_params *p,
                                     const edgeai_depthwise_data *d, const int8_t *input,
                                     int32_t oy, int32_t ox, int8_t *out, int wide)
{
    const int32_t in_h = p->input.h;
    const int32_t in_w = p->input.w;
    const int32_t in_c = p->input.c;
    const int32_t out_c = p->output.c;
    const int32_t taps = p->kernel_h * p->kernel_w;
    const int32_t y0 = oy * p->stride_h - p->pad_top;
    const int32_t x0 = ox * p->stride_w - p->pad_left;

    for (int32_t oc = 0; oc < out_c; ++oc) {
        const int8_t *channel_input = input + oc / p->depth_multiplier;
        int32_t acc = d->bias[oc];
        for (int32_t ky = 0; ky < p->kernel_h; ++ky) {
            const int32_t iy = y0 + ky * p->dilation_h;
            const int row_inside = iy >= 0 && iy < in_h;
            for (int32_t kx = 0; kx < p->kernel_w; ++kx) {
                const int32_t ix = x0 + kx * p->dilation_w;
                const int32_t x = row_inside && ix >= 0 && ix < in_w
                                      ? channel_input[(iy * in_w + ix) * in_c]
                                      : d->pad_value;
                acc += depthwise_weight(d->weights, out_c, taps, oc, ky * p->kernel_w + kx,
                                        wide) * x;
            }
        }
        int32_t value = edgeai_rq(acc, d->requant + oc * EDGEAI_RQ_WORDS, d->rq_fast);
        value += d->output_offset;
        out[oc] = (int8_t)EDGEAI_CLAMP(value, d->act_min, d->act_max);
    }
}

static void depthwise_portable(const edgeai_depthwise_params *p, const edgeai_depthwise_data *d,
                               const int8_t *input, int8_t *output, int wide)
{
    for (int32_t oy = 0; oy < p->output.h; ++oy) {
        for (int32_t ox = 0; ox < p->output.w; ++ox) {
            depthwise_pixel_portable(p, d, input, oy, ox,
                                     output + (oy * p->output.w + ox) * p->output.c, wide);
        }
    }
}

#if EDGEAI_USE_DSP
/** What every pixel of a layer shares. */
typedef struct {
    int32_t channels;
    int32_t kernel_w;
    int32_t group_words; /* weight words of one group */
    int32_t row_step;    /* bytes between two kernel rows in the input */
    int32_t tap_step;    /* bytes between two kernel columns */
    int32_t offset;
    int32_t zp2; /* the zero point in both int16 halves */
    int32_t clamp; /* act_min > -128 or act_max < 127 */
    int32_t rq_fast;
    uint32_t lo4;
    uint32_t hi4;
    const int32_t *weights;
    const int32_t *bias;
    const int32_t *bias_unfolded;
    const int32_t *requant;
} dw_ctx;

/** `word` with its byte at bit `lsb` replaced by the low byte of `value` (BFI). */
#if EDGEAI_DSP_NATIVE
#define DW_INSERT_BYTE(word, value, lsb) \
    __asm("bfi %0, %1, %2, #8" : "+r"(word) : "r"(value), "i"(lsb))
#else
#define DW_INSERT_BYTE(word, value, lsb) \
    ((word) = ((word) & ~(UINT32_C(0xFF) << (lsb))) | (((uint32_t)(value) & 0xFFU) << (lsb)))
#endif

/** Four requantized outputs, packed into a word (channel c at the low byte). */
DW_INLINE uint32_t dw_pack(const dw_ctx *k, const int32_t *v)
{
    uint32_t packed = (uint32_t)EDGEAI_SSAT8(v[0] + k->offset);
    DW_INSERT_BYTE(packed, EDGEAI_SSAT8(v[1] + k->offset), 8);
    DW_INSERT_BYTE(packed, EDGEAI_SSAT8(v[2] + k->offset), 16);
    DW_INSERT_BYTE(packed, EDGEAI_SSAT8(v[3] + k->offset), 24);
    if (k->clamp) {
        packed = edgeai_min8(edgeai_max8(packed, k->lo4), k->hi4);
    }
    return packed;
}

/** Requantizes `count` x 4 accumulators (pixels of one channel group) in place. */
DW_INLINE void dw_requantize(int32_t *acc, int32_t count, const int32_t *rq, const int fast)
{
    DW_UNROLL
    for (int32_t i = 0; i < 4; ++i) {
        DW_UNROLL
        for (int32_t n = 0; n < count; ++n) {
            acc[4 * n + i] = edgeai_rq(acc[4 * n + i], rq + i * EDGEAI_RQ_WORDS, fast);
        }
    }
}

/**
 * dw_requantize's exact form, one copy out of line: only layers whose accumulators the
 * generator could not bound (rq_fast 0) take it, and unrolled at every call site it would
 * be most of the kernels' code.
 */
DW_NOINLINE void dw_requantize_exact(int32_t *acc, int32_t count, const int32_t *rq)
{
    for (int32_t i = 0; i < 4; ++i) {
        for (int32_t n = 0; n < count; ++n) {
            acc[4 * n + i] = edgeai_rq_exact(acc[4 * n + i], rq + i * EDGEAI_RQ_WORDS);
        }
    }
}

/** One pixel's channels c .. c + 3 in `acc`, requantized, packed and stored at out + c. */
DW_INLINE void dw_store(const dw_ctx *k, int32_t *acc, int32_t c, int8_t *out)
{
    const int32_t *rq = k->requant + c * EDGEAI_RQ_WORDS;
    if (k->rq_fast) {
        dw_requantize(acc, 1, rq, 1);
    } else {
        /* Through a copy, so that acc itself stays in registers. */
        int32_t copy[4];
        DW_UNROLL
        for (int32_t i = 0; i < 4; ++i) {
            copy[i] = acc[i];
        }
        dw_requantize_exact(copy, 1, rq);
        DW_UNROLL
        for (int32_t i = 0; i < 4; ++i) {
            acc[i] = copy[i];
        }
    }
    const uint32_t packed = dw_pack(k, acc);
    memcpy(out + c, &packed, 4);
}

/** Lanes 0 and 2 (`odd` 0) or 1 and 3 (`odd` 1) of a word, sign-extended halfwise. */
DW_INLINE int32_t dw_lanes(uint32_t word, const int odd)
{
    return odd ? EDGEAI_SXTB16_ROR8(word) : EDGEAI_SXTB16(word);
}

/** One tap's weights of a group for the lanes `odd`, as an int16 pair. */
DW_INLINE int32_t dw_weight_lanes(const int32_t *w, const int wide, const int odd)
{
    return wide ? w[odd] : dw_lanes((uint32_t)w[0], odd);
}

/**
 * `n` neighbouring output pixels (2 or 3) of rows inside the image, one half of channel
 * group `c` (lanes `odd`): a 3x3 kernel at stride 1, where each pixel's taps are the one
 * before's shifted by a column, so each input word serves up to three taps and each weight
 * word `n`. `middle` is the first window's middle column in its top row; `lpad` / `rpad`:
 * the first window's left column / the last window's right column lies outside the image
 * and reads as the zero point (the folded bias stays exact), so border pixels run here too.
 * acc gets the pixels' accumulators, lanes 0 and 2 (or 1 and 3) pixel by pixel.
 */
DW_INLINE void dw_strip_half(const dw_ctx *k, const int8_t *middle, const int32_t *w,
                             const int32_t *bias, int32_t *acc, const int wide, const int odd,
                             const int32_t n, const int lpad, const int rpad)
{
    const int32_t words = wide ? 2 : 1;
    const int32_t step = k->tap_step;
    int32_t lo[3];
    int32_t hi[3];
    DW_UNROLL
    for (int32_t j = 0; j < n; ++j) {
        lo[j] = bias[odd];
        hi[j] = bias[odd + 2];
    }
    const int8_t *row = middle;
    DW_UNROLL
    for (int32_t r = 0; r < 3; ++r, row += k->row_step, w += 3 * words) {
        const int32_t w0 = dw_weight_lanes(w, wide, odd);
        const int32_t w1 = dw_weight_lanes(w + words, wide, odd);
        const int32_t w2 = dw_weight_lanes(w + 2 * words, wide, odd);
        /* Column i of the strip feeds pixel j = i - kx through tap kx. */
        DW_UNROLL
        for (int32_t i = 0; i < n + 2; ++i) {
            const int pad = (i == 0 && lpad) || (i == n + 1 && rpad);
            const int8_t *column = pad ? row : (i == 0 ? row - step : row + (i - 1) * step);
            const int32_t x = pad ? k->zp2 : dw_lanes(edgeai_read_u32(column), odd);
            DW_UNROLL
            for (int32_t j = 0; j < n; ++j) {
                const int32_t kx = i - j;
                if (kx >= 0 && kx <= 2) {
                    const int32_t wk = kx == 0 ? w0 : (kx == 1 ? w1 : w2);
                    lo[j] = EDGEAI_SMLABB(wk, x, lo[j]);
                    hi[j] = EDGEAI_SMLATT(wk, x, hi[j]);
                }
            }
        }
    }
    DW_UNROLL
    for (int32_t j = 0; j < n; ++j) {
        DW_FENCE(lo[j], hi[j]);
        acc[2 * j] = lo[j];
        acc[2 * j + 1] = hi[j];
    }
}

#if EDGEAI_DSP_NATIVE && defined(__GNUC__) && defined(__OPTIMIZE__)
/*
 * dw_strip_half in Arm code (unoptimized builds, which keep fewer registers free, use the
 * C): gcc keeps neither the six accumulators of a triple nor the three weights of a kernel
 * row in registers (it spills a third of the loads and multiplies over), so the 3x3 loops
 * of one half are written out here in 12 registers, which leaves one for a frame pointer
 * and one for a platform register (-ffixed-r9, -msingle-pic-base): l<j>/h<j> pixel j's
 * accumulators (lanes 0 and 2, or 1 and 3), b the strip's left column in the current
 * kernel row (the input byte of the group's first channel), s the column step, wp the
 * half's weights, x one input column, w0 and w1 the kernel row's weights (the third takes
 * w0's register once w0 is done), and for a pair rs the row step and pad the zero point in
 * both halves. A triple reads the row step and the zero point from memory in one LDRD, the
 * zero point into w1 (free until the row's second column). R: "" for lanes 0 and 2,
 * ", ror #8" for 1 and 3; INC: bytes between two taps' words; WX: widens an int8 weight
 * word (nothing for int16 pairs).
 */
#define DW_XT(R) "sxtb16 %[x], %[x]" R "\n\t"
#define DW_WX_NARROW(K, R) "sxtb16 %[w" #K "], %[w" #K "]" R "\n\t"
#define DW_WX_WIDE(K, R) ""
#define DW_WLD(K, INC, WX, R) "ldr %[w" #K "], [%[wp]], #" #INC "\n\t" WX(K, R)
#define DW_MX(J, K, X)                                                                      \
    "smlabb %[l" #J "], %[w" #K "], %[" #X "], %[l" #J "]\n\t"                              \
    "smlatt %[h" #J "], %[w" #K "], %[" #X "], %[h" #J "]\n\t"
#define DW_M(J, K) DW_MX(J, K, x)
/* Columns of the kernel row from b: 0 (or the zero point), 1, 2, 3 and 4. */
#define DW_COL0(R) "ldr %[x], [%[b]]\n\t" DW_XT(R)
#define DW_COL_NONE(R) ""
#define DW_COL1(R) "ldr %[x], [%[b], %[s]]\n\t" DW_XT(R)
#define DW_COL2(R) "ldr %[x], [%[b], %[s], lsl #1]\n\t" DW_XT(R)
#define DW_COL3(R) "add %[x], %[b], %[s], lsl #1\n\tldr %[x], [%[x], %[s]]\n\t" DW_XT(R)
#define DW_COL4(R) "ldr %[x], [%[b], %[s], lsl #2]\n\t" DW_XT(R)
/* The next kernel row: the row step in a register (a pair) or, with the zero point for
 * the row's outside column, in memory (a triple: rp = {row step, zero point}). */
#define DW_NEXT_ROW2 "add %[b], %[b], %[rs]\n\t"
#define DW_NEXT_ROW3 "ldrd %[x], %[w1], %[rp]\n\tadd %[b], %[b], %[x]\n\t"
/* One kernel row of a pair (columns 0..3; one outside the image multiplies the zero point
 * register itself: X0, X3 name the operands; the third weight takes w0's register once
 * column 1 is done with w0) and of a triple (0..4). */
#define DW_ROW2(R, INC, WX, C0, X0, C3, X3)                                                 \
    C0(R) DW_WLD(0, INC, WX, R) DW_MX(0, 0, X0)                                             \
    DW_COL1(R) DW_WLD(1, INC, WX, R) DW_M(0, 1) DW_M(1, 0)                                  \
    DW_COL2(R) DW_WLD(0, INC, WX, R) DW_M(0, 0) DW_M(1, 1)                                  \
    C3(R) DW_MX(1, 0, X3)
/* (the triple's column 0 is outside the image: the zero point in w1; its third weight
 * takes w0's register once column 2 is done with w0) */
#define DW_ROW3(R, INC, WX)                                                                 \
    DW_WLD(0, INC, WX, R) DW_MX(0, 0, w1)                                                   \
    DW_COL1(R) DW_WLD(1, INC, WX, R) DW_M(0, 1) DW_M(1, 0)                                  \
    DW_COL2(R) DW_M(2, 0) DW_WLD(0, INC, WX, R) DW_M(0, 0) DW_M(1, 1)                       \
    DW_COL3(R) DW_M(1, 0) DW_M(2, 1)                                                        \
    DW_COL4(R) DW_M(2, 0)
#define DW_PAIR_ASM(R, INC, WX, C0, X0, C3, X3)                                             \
    __asm__(DW_ROW2(R, INC, WX, C0, X0, C3, X3) DW_NEXT_ROW2                                \
                DW_ROW2(R, INC, WX, C0, X0, C3, X3) DW_NEXT_ROW2                            \
                    DW_ROW2(R, INC, WX, C0, X0, C3, X3)                                     \
            : [l0] "+r"(l0), [h0] "+r"(h0), [l1] "+r"(l1), [h1] "+r"(h1), [b] "+r"(b),      \
              [wp] "+r"(wp), [x] "=&r"(x), [w0] "=&r"(w0), [w1] "=&r"(w1)                   \
            : [s] "r"(step), [rs] "r"(rp[0]), [pad] "r"(rp[1])                              \
            : "memory")
#define DW_TRIPLE_ASM(R, INC, WX)                                                           \
    __asm__(DW_ROW3(R, INC, WX) DW_NEXT_ROW3 DW_ROW3(R, INC, WX) DW_NEXT_ROW3               \
                DW_ROW3(R, INC, WX)                                                         \
            : [l0] "+r"(l0), [h0] "+r"(h0), [l1] "+r"(l1), [h1] "+r"(h1), [l2] "+r"(l2),     \
              [h2] "+r"(h2), [b] "+r"(b), [wp] "+r"(wp), [x] "=&r"(x), [w0] "=&r"(w0),      \
              [w1] "+&r"(w1)                                                                \
            : [s] "r"(step), [rp] "m"(rp)                                                   \
            : "memory")
/* The pair's three forms for one lane choice and weight format. */
#define DW_PAIR_FORMS(R, INC, WX)                                                           \
    do {                                                                                    \
        if (lpad) {                                                                         \
            DW_PAIR_ASM(R, INC, WX, DW_COL_NONE, pad, DW_COL3, x);                          \
        } else if (rpad) {                                                                  \
            DW_PAIR_ASM(R, INC, WX, DW_COL0, x, DW_COL_NONE, pad);                          \
        } else {                                                                            \
            DW_PAIR_ASM(R, INC, WX, DW_COL0, x, DW_COL3, x);                                \
        }                                                                                   \
    } while (0)

/** dw_strip_half (same arguments and results) in Arm code; a triple has `lpad` only. */
DW_INLINE void dw_strip_half_arm(const dw_ctx *k, const int8_t *middle, const int32_t *w,
                                 const int32_t *bias, int32_t *acc, const int wide,
                                 const int odd, const int32_t n, const int lpad,
                                 const int rpad)
{
    const int32_t step = k->tap_step;
    /* The strip's left column, outside the image under `lpad` (then never read). */
    const int8_t *b = (const int8_t *)((uintptr_t)middle - (uintptr_t)step);
    const int32_t *wp = w + odd; /* int16 pairs: the half's word of each tap */
    const int32_t rp[2] = {k->row_step, k->zp2};
    int32_t x;
    int32_t w0;
    int32_t w1 = rp[1]; /* a triple's first row: the zero point */
    int32_t l0 = bias[odd];
    int32_t h0 = bias[odd + 2];
    int32_t l1 = l0;
    int32_t h1 = h0;
    int32_t l2 = l0;
    int32_t h2 = h0;
    if (!wide) {
        wp = w;
    }
    if (n == 3) {
        if (wide && odd) {
            DW_TRIPLE_ASM(", ror #8", 8, DW_WX_WIDE);
        } else if (wide) {
            DW_TRIPLE_ASM("", 8, DW_WX_WIDE);
        } else if (odd) {
            DW_TRIPLE_ASM(", ror #8", 4, DW_WX_NARROW);
        } else {
            DW_TRIPLE_ASM("", 4, DW_WX_NARROW);
        }
    } else if (wide && odd) {
        DW_PAIR_FORMS(", ror #8", 8, DW_WX_WIDE);
    } else if (wide) {
        DW_PAIR_FORMS("", 8, DW_WX_WIDE);
    } else if (odd) {
        DW_PAIR_FORMS(", ror #8", 4, DW_WX_NARROW);
    } else {
        DW_PAIR_FORMS("", 4, DW_WX_NARROW);
    }
    (void)x;
    (void)w0;
    (void)w1;
    (void)b;
    (void)wp;
    acc[0] = l0;
    acc[1] = h0;
    acc[2] = l1;
    acc[3] = h1;
    acc[4] = l2;
    acc[5] = h2;
}
#define DW_STRIP_HALF dw_strip_half_arm

/*
 * edgeai_rq_fast plus the output offset and int8 saturation, in Arm code, for the
 * accumulators a strip's half leaves in registers: the channel's record {multiplier m,
 * right shift r} and its rounding nudge are loaded once for the strip's pixels.
 */
#define DW_RQ_SETUP(OFF)                                                                    \
    "ldrd %[m], %[r], [%[rq], #" #OFF "]\n\tmov %[t], #1\n\tlsl %[t], %[t], %[r]\n\t"       \
    "lsr %[t], %[t], #1\n\t"
#define DW_RQ_ONE(V)                                                                        \
    "lsl %[d], %[" #V "], #1\n\tsmmlar %[" #V "], %[d], %[m], %[t]\n\t"                     \
    "add %[" #V "], %[" #V "], %[d], asr #31\n\tasr %[" #V "], %[" #V "], %[r]\n\t"         \
    "add %[" #V "], %[" #V "], %[off]\n\tssat %[" #V "], #8, %[" #V "]\n\t"
#define DW_RQ_OPERANDS                                                                      \
    [m] "=&r"(m), [r] "=&r"(r), [t] "=&r"(t), [d] "=&r"(d)

/**
 * The 2n accumulators of a strip's half (v: lanes 0 and 2, or 1 and 3, pixel by pixel),
 * of channels c' and c' + 2 whose records start at rq, requantized (rq_fast), offset and
 * saturated to int8 in place.
 */
DW_INLINE void dw_rq_half(const dw_ctx *k, int32_t *v, const int32_t n, const int32_t *rq)
{
    const int32_t off = k->offset;
    int32_t m;
    int32_t r;
    int32_t t;
    int32_t d;
    int32_t l0 = v[0];
    int32_t h0 = v[1];
    int32_t l1 = v[2];
    int32_t h1 = v[3];
    int32_t l2 = v[4];
    int32_t h2 = v[5];
    if (n == 3) {
        __asm__(DW_RQ_SETUP(0) DW_RQ_ONE(l0) DW_RQ_ONE(l1) DW_RQ_ONE(l2)
                DW_RQ_SETUP(16) DW_RQ_ONE(h0) DW_RQ_ONE(h1) DW_RQ_ONE(h2)
                : [l0] "+r"(l0), [l1] "+r"(l1), [l2] "+r"(l2), [h0] "+r"(h0), [h1] "+r"(h1),
                  [h2] "+r"(h2), DW_RQ_OPERANDS
                : [rq] "r"(rq), [off] "r"(off)
                : "memory");
    } else {
        __asm__(DW_RQ_SETUP(0) DW_RQ_ONE(l0) DW_RQ_ONE(l1)
                DW_RQ_SETUP(16) DW_RQ_ONE(h0) DW_RQ_ONE(h1)
                : [l0] "+r"(l0), [l1] "+r"(l1), [h0] "+r"(h0), [h1] "+r"(h1), DW_RQ_OPERANDS
                : [rq] "r"(rq), [off] "r"(off)
                : "memory");
    }
    (void)m;
    (void)r;
    (void)t;
    (void)d;
    v[0] = l0;
    v[1] = h0;
    v[2] = l1;
    v[3] = h1;
    v[4] = l2;
    v[5] = h2;
}
#else
#define DW_STRIP_HALF dw_strip_half

/** dw_rq_half (same arguments and results) in C, for the builds without the Arm code. */
DW_INLINE void dw_rq_half(const dw_ctx *k, int32_t *v, const int32_t n, const int32_t *rq)
{
    DW_UNROLL
    for (int32_t j = 0; j < n; ++j) {
        v[2 * j] = EDGEAI_SSAT8(edgeai_rq_fast(v[2 * j], rq) + k->offset);
        v[2 * j + 1] =
            EDGEAI_SSAT8(edgeai_rq_fast(v[2 * j + 1], rq + 2 * EDGEAI_RQ_WORDS) + k->offset);
    }
}
#endif

/**
 * `n` neighbouring output pixels (2 or 3) of rows inside the image, as dw_strip_half. Each
 * channel group runs as two halves (few enough live registers for the compiler to keep).
 */
DW_INLINE void dw_strip(const dw_ctx *k, const int8_t *middle, int8_t *out, const int wide,
                        const int32_t n, const int lpad, const int rpad)
{
    const int32_t *w = k->weights;
    const int32_t last = k->channels - 4;
    for (int32_t c = 0;; c = EDGEAI_MIN(c + 4, last), w += k->group_words) {
        const int32_t *bias = k->bias + c;
        const int32_t *rq = k->requant + c * EDGEAI_RQ_WORDS;
        int32_t even[6];
        int32_t odd[6];
        uint32_t packed[3];
        /* Each half requantized as soon as it is summed: fewer live values. */
        DW_STRIP_HALF(k, middle + c, w, bias, even, wide, 0, n, lpad, rpad);
        dw_rq_half(k, even, n, rq);
        DW_UNROLL
        for (int32_t j = 0; j < n; ++j) {
            packed[j] = (uint32_t)even[2 * j];
            DW_INSERT_BYTE(packed[j], even[2 * j + 1], 16);
        }
        DW_STRIP_HALF(k, middle + c, w, bias, odd, wide, 1, n, lpad, rpad);
        dw_rq_half(k, odd, n, rq + EDGEAI_RQ_WORDS);
        DW_UNROLL
        for (int32_t j = 0; j < n; ++j) {
            DW_INSERT_BYTE(packed[j], odd[2 * j], 8);
            DW_INSERT_BYTE(packed[j], odd[2 * j + 1], 24);
        }
        if (k->clamp) {
            DW_UNROLL
            for (int32_t j = 0; j < n; ++j) {
                packed[j] = edgeai_min8(edgeai_max8(packed[j], k->lo4), k->hi4);
            }
        }
        DW_UNROLL
        for (int32_t j = 0; j < n; ++j) {
            memcpy(out + j * k->channels + c, &packed[j], 4);
        }
        if (c == last) {
            break; /* (the last group may overlap the one before) */
        }
    }
}

/*
 * One tap of four channels into a0..a3: input word at xp, the tap's weights at wp; with
 * `subtract` (a window leaving the image) the zero point zp2 is taken off the inputs.
 */
#define DW_TAP(xp, wp, subtract)                                                            \
    do {                                                                                    \
        const uint32_t vx_ = edgeai_read_u32(xp);                                           \
        int32_t xe_ = EDGEAI_SXTB16(vx_);                                                   \
        int32_t xo_ = EDGEAI_SXTB16_ROR8(vx_);                                              \
        if (subtract) {                                                                     \
            xe_ = EDGEAI_SSUB16(xe_, zp2);                                                  \
            xo_ = EDGEAI_SSUB16(xo_, zp2);                                                  \
        }                                                                                   \
        const int32_t we_ = dw_weight_lanes((wp), wide, 0);                                 \
        const int32_t wo_ = dw_weight_lanes((wp), wide, 1);                                 \
        a0 = EDGEAI_SMLABB(we_, xe_, a0);                                                   \
        a2 = EDGEAI_SMLATT(we_, xe_, a2);                                                   \
        a1 = EDGEAI_SMLABB(wo_, xo_, a1);                                                   \
        a3 = EDGEAI_SMLATT(wo_, xo_, a3);                                                   \
    } while (0)

/**
 * One output pixel over the `rows` x `cols` taps of its window that lie inside the image,
 * starting at tap `tap0`, whose input byte is `origin`. `border`: the window leaves the
 * image (subtract the zero point, start from the unfolded bias).
 */
DW_INLINE void dw_single(const dw_ctx *k, const int8_t *origin, int8_t *out, int32_t rows,
                         int32_t cols, int32_t tap0, const int border, const int wide)
{
    const int32_t words = wide ? 2 : 1;
    const int32_t row_step = k->row_step;
    const int32_t tap_step = k->tap_step;
    const int32_t w_skip = (k->kernel_w - cols) * words;
    const int32_t zp2 = border ? k->zp2 : 0;
    const int32_t *bias = border ? k->bias_unfolded : k->bias;
    const int32_t last = k->channels - 4;
    const int32_t *w0 = k->weights + tap0 * words;
    for (int32_t c = 0;; c = EDGEAI_MIN(c + 4, last), w0 += k->group_words) {
        int32_t a0 = bias[c];
        int32_t a1 = bias[c + 1];
        int32_t a2 = bias[c + 2];
        int32_t a3 = bias[c + 3];
        const int32_t *w = w0;
        const int8_t *row = origin + c;
        for (int32_t r = 0; r < rows; ++r, row += row_step, w += w_skip) {
            const int8_t *x = row;
            for (int32_t t = 0; t < cols; ++t, x += tap_step, w += words) {
                DW_TAP(x, w, 1);
            }
        }
        int32_t acc[4] = {a0, a1, a2, a3};
        dw_store(k, acc, c, out);
        if (c == last) {
            break;
        }
    }
}

/** One output pixel whose 3x3 window lies inside the image: the nine taps unrolled. */
DW_INLINE void dw_single_3x3(const dw_ctx *k, const int8_t *origin, int8_t *out, const int wide)
{
    const int32_t words = wide ? 2 : 1;
    const int32_t row_step = k->row_step;
    const int32_t ts = k->tap_step;
    const int32_t zp2 = 0; /* no tap leaves the image */
    const int32_t *w = k->weights;
    const int32_t last = k->channels - 4;
    for (int32_t c = 0;; c = EDGEAI_MIN(c + 4, last), w += k->group_words) {
        const int32_t *bias = k->bias + c;
        int32_t a0 = bias[0];
        int32_t a1 = bias[1];
        int32_t a2 = bias[2];
        int32_t a3 = bias[3];
        const int8_t *x = origin + c;
        DW_TAP(x, w, 0);
        DW_TAP(x + ts, w + words, 0);
        DW_TAP(x + 2 * ts, w + 2 * words, 0);
        x += row_step;
        DW_TAP(x, w + 3 * words, 0);
        DW_TAP(x + ts, w + 4 * words, 0);
        DW_TAP(x + 2 * ts, w + 5 * words, 0);
        x += row_step;
        DW_TAP(x, w + 6 * words, 0);
        DW_TAP(x + ts, w + 7 * words, 0);
        DW_TAP(x + 2 * ts, w + 8 * words, 0);
        int32_t acc[4] = {a0, a1, a2, a3};
        dw_store(k, acc, c, out);
        if (c == last) {
            break;
        }
    }
}

/**
 * One output pixel whose 3x3 window leaves the image: `rows` x `cols` taps inside, from
 * tap `tap0` at input byte `origin` (see dw_single), each row unrolled.
 */
DW_INLINE void dw_border_3x3(const dw_ctx *k, const int8_t *origin, int8_t *out, int32_t rows,
                             int32_t cols, int32_t tap0, const int wide)
{
    const int32_t words = wide ? 2 : 1;
    const int32_t row_step = k->row_step;
    const int32_t ts = k->tap_step;
    const int32_t zp2 = k->zp2;
    const int32_t *w0 = k->weights + tap0 * words;
    const int32_t last = k->channels - 4;
    for (int32_t c = 0;; c = EDGEAI_MIN(c + 4, last), w0 += k->group_words) {
        const int32_t *bias = k->bias_unfolded + c;
        int32_t a0 = bias[0];
        int32_t a1 = bias[1];
        int32_t a2 = bias[2];
        int32_t a3 = bias[3];
        const int8_t *x = origin + c;
        const int32_t *w = w0;
        for (int32_t r = 0; r < rows; ++r, x += row_step, w += 3 * words) {
            DW_TAP(x, w, 1);
            if (cols > 1) {
                DW_TAP(x + ts, w + words, 1);
                if (cols > 2) {
                    DW_TAP(x + 2 * ts, w + 2 * words, 1);
                }
            }
        }
        int32_t acc[4] = {a0, a1, a2, a3};
        dw_store(k, acc, c, out);
        if (c == last) {
            break;
        }
    }
}

static inline int32_t ceil_div(int32_t a, int32_t b) { return (a + b - 1) / b; }

/** First tap index inside [0, size) of a window starting at `start`, and one past the last. */
DW_INLINE void dw_clip(int32_t start, int32_t size, int32_t kernel, int32_t dilation,
                       int32_t *first, int32_t *end)
{
    *first = start < 0 ? ceil_div(-start, dilation) : 0;
    *end = EDGEAI_MIN(kernel, size - start > 0 ? ceil_div(size - start, dilation) : 0);
    if (*end < *first) {
        *end = *first;
    }
}

/**
 * Whether `n` output pixels from the one whose window's left column is ix0 fit a strip (or
 * a single pixel): their columns inside the image but for at most one outside column, the
 * first or the last.
 */
DW_INLINE int dw_fits(int32_t ix0, int32_t n, int32_t in_w)
{
    return ix0 >= -1 && ix0 + n + 1 <= in_w && !(ix0 == -1 && ix0 + n + 1 == in_w);
}

/**
 * Output pixels ox.. of a row whose 3x3 stride-1 windows span kernel rows inside the image,
 * `top` being the input row of the windows' top. Pixels go in pairs, but for a triple
 * first when the row starts at the left padding with an odd count (whose first window's
 * top-left byte, clamped to the image, is its neighbour's: the overwrite limit stays that
 * of the pairs) and a single last (a border pixel if its window leaves the image). The
 * schedule is depthwise_strips in codegen/layers/conv.py (the overwrite limit).
 * @return pixels done, 0 when the window at ox does not fit (it runs as a border pixel)
 */
DW_INLINE int32_t dw_row_3x3_s1(const edgeai_depthwise_params *p, const dw_ctx *k,
                                const int8_t *top, int32_t ox, int8_t *out, const int wide)
{
    const int32_t in_w = p->input.w;
    const int32_t left = p->output.w - ox;
    const int32_t ix0 = ox - p->pad_left; /* the window's left column */
    if (ix0 < -1) {
        return 0;
    }
    const int8_t *middle = top + (ix0 + 1) * k->channels;
    const int lpad = ix0 == -1;
    if (lpad && (left & 1) && left >= 3 && dw_fits(ix0, 3, in_w)) {
        dw_strip(k, middle, out, wide, 3, 1, 0);
        return 3;
    }
    if (left >= 2 && dw_fits(ix0, 2, in_w)) {
        if (lpad) {
            dw_strip(k, middle, out, wide, 2, 1, 0);
        } else if (ix0 + 3 == in_w) {
            dw_strip(k, middle, out, wide, 2, 0, 1);
        } else {
            dw_strip(k, middle, out, wide, 2, 0, 0);
        }
        return 2;
    }
    if (lpad || ix0 + 3 > in_w) {
        return 0;
    }
    dw_single_3x3(k, middle - k->channels, out, wide);
    return 1;
}

/** Depth multiplier 1, at least four channels: every output pixel. */
DW_INLINE void dw_run(const edgeai_depthwise_params *p, const dw_ctx *k, const int8_t *input,
                      int8_t *output, const int wide)
{
    const int32_t in_w = p->input.w;
    const int32_t channels = p->input.c;
    const int32_t kernel_h = p->kernel_h;
    const int32_t kernel_w = p->kernel_w;
    const int k3 = kernel_h == 3 && kernel_w == 3;
    const int s1 = k3 && p->stride_w == 1 && p->dilation_w == 1;
    int8_t *out = output;
    for (int32_t oy = 0; oy < p->output.h; ++oy) {
        const int32_t iy0 = oy * p->stride_h - p->pad_top;
        int32_t ky0;
        int32_t ky1;
        dw_clip(iy0, p->input.h, kernel_h, p->dilation_h, &ky0, &ky1);
        const int row_inside = ky0 == 0 && ky1 == kernel_h;
        for (int32_t ox = 0; ox < p->output.w;) {
            /* The strips requantize with edgeai_rq_fast only (the exact form's code at
             * every strip would double the kernel's). */
            if (s1 && row_inside && k->rq_fast) {
                const int32_t done =
                    dw_row_3x3_s1(p, k, input + iy0 * in_w * channels, ox, out, wide);
                if (done > 0) {
                    ox += done;
                    out += done * channels;
                    continue;
                }
            }
            const int32_t ix0 = ox * p->stride_w - p->pad_left;
            int32_t kx0;
            int32_t kx1;
            dw_clip(ix0, in_w, kernel_w, p->dilation_w, &kx0, &kx1);
            if (row_inside && kx0 == 0 && kx1 == kernel_w) {
                const int8_t *origin = input + (iy0 * in_w + ix0) * channels;
                if (k3) {
                    dw_single_3x3(k, origin, out, wide);
                } else {
                    dw_single(k, origin, out, kernel_h, kernel_w, 0, 0, wide);
                }
            } else {
                const int32_t rows = kx1 > kx0 ? ky1 - ky0 : 0;
                const int32_t iy = iy0 + ky0 * p->dilation_h;
                const int32_t ix = ix0 + kx0 * p->dilation_w;
                const int8_t *origin = rows > 0 ? input + (iy * in_w + ix) * channels : input;
                if (k3) {
                    dw_border_3x3(k, origin, out, rows, kx1 - kx0, ky0 * 3 + kx0, wide);
                } else {
                    dw_single(k, origin, out, rows, kx1 - kx0, ky0 * kernel_w + kx0, 1, wide);
                }
            }
            ox += 1;
            out += channels;
        }
    }
}

static void dw_context(const edgeai_depthwise_params *p, const edgeai_depthwise_data *d,
                       int32_t words, dw_ctx *k)
{
    k->channels = p->input.c;
    k->kernel_w = p->kernel_w;
    k->group_words = p->kernel_h * p->kernel_w * words;
    k->row_step = p->dilation_h * p->input.w * p->input.c;
    k->tap_step = p->dilation_w * p->input.c;
    k->offset = d->output_offset;
    k->zp2 = (int32_t)(((uint32_t)d->pad_value & 0xFFFFU) * 0x10001U);
    k->clamp = d->act_min > -128 || d->act_max < 127;
    k->lo4 = (uint32_t)(uint8_t)d->act_min * UINT32_C(0x01010101);
    k->hi4 = (uint32_t)(uint8_t)d->act_max * UINT32_C(0x01010101);
    k->rq_fast = d->rq_fast;
    k->weights = d->weights;
    k->bias = d->bias;
    k->bias_unfolded = d->bias_unfolded;
    k->requant = d->requant;
}

/** Whether the DSP loops take the layer (else the portable ones do). */
static int depthwise_dsp(const edgeai_depthwise_params *p)
{
    return p->depth_multiplier == 1 && p->input.c >= 4;
}
#endif /* EDGEAI_USE_DSP */

/**
 * Both entry points: `wide` (a constant at each call, so each entry point keeps only its own
 * weight format's loops) is 1 for int16 weight pairs, 0 for int8 weights.
 */
DW_INLINE edgeai_status depthwise_entry(const edgeai_depthwise_params *params,
                                        const edgeai_depthwise_data *data, const int8_t *input,
                                        int8_t *output, const int wide)
{
    if (params == NULL || data == NULL || input == NULL || output == NULL ||
        !depthwise_params_valid(params) || !depthwise_data_valid(data)) {
        return EDGEAI_ERROR_ARGUMENT;
    }
#if EDGEAI_USE_DSP
    if (depthwise_dsp(params)) {
        dw_ctx k;
        dw_context(params, data, wide ? 2 : 1, &k);
        dw_run(params, &k, input, output, wide);
        return EDGEAI_OK;
    }
#endif
    const edgeai_depthwise_data local = *data; /* not aliased by the int8 stores */
    depthwise_portable(params, &local, input, output, wide);
    return EDGEAI_OK;
}

edgeai_status edgeai_depthwise_conv_s8(const edgeai_depthwise_params *params,
                                       const edgeai_depthwise_data *data, const int8_t *input,
                                       int8_t *output)
{
    return depthwise_entry(params, data, input, output, 0);
}

edgeai_status edgeai_depthwise_conv_wide_s8(const edgeai_depthwise_params *params,
                                            const edgeai_depthwise_data *data,
                                            const int8_t *input, int8_t *output)
{
    return depthwise_entry(params, data, input, output, 1);
}
