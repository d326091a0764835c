/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: int8 DEPTHWISE_CONV_2D. See edgeai_depthwise.h for the arithmetic.
 *
 * DSP path (depth multiplier 1): four channels at a time, one input word and two weight
 * words (int16, pre-arranged) per tap, SXTB16 + SMLABB/SMLATT, four requantizations packed
 * into one word and clamped bytewise. Pixels whose window leaves the image run over the
 * taps inside only, with (x - zero point) and the model's unfolded bias: the same sum as
 * TFLM's, with no bounds check in the loops. A 3x3 window inside the image is unrolled.
 */
#include "edgeai_depthwise.h"

#include <stddef.h>
#include <string.h>

#include "edgeai_dsp.h"
#include "edgeai_requantize.h"

#if defined(__GNUC__)
#define DW_INLINE static inline __attribute__((always_inline))
/* Hides how a pointer was computed, so that gcc keeps one base register instead of one
 * spilled induction variable per tap. */
#define DW_OPAQUE(p) __asm__("" : "+r"(p))
#else
#define DW_INLINE static inline
#define DW_OPAQUE(p) ((void)0)
#endif

static int depthwise_params_valid(const edgeai_depthwise_params *p)
{
    return p->input.h > 0 && p->input.w > 0 && p->input.c > 0 && p->output.h > 0 &&
           p->output.w > 0 && p->kernel_h > 0 && p->kernel_w > 0 && p->stride_h > 0 &&
           p->stride_w > 0 && p->dilation_h > 0 && p->dilation_w > 0 && p->pad_top >= 0 &&
           p->pad_left >= 0 && p->depth_multiplier > 0 &&
           p->output.c == p->input.c * p->depth_multiplier;
}

/** Weight of output channel oc at tap t in the layout of edgeai_depthwise_data. */
static inline int32_t depthwise_weight(const int32_t *w, int32_t taps, int32_t oc, int32_t t)
{
    /* Channels 4g + {0, 2} are the low and high halves of the first word, {1, 3} of the second. */
    const uint32_t word = (uint32_t)w[((oc >> 2) * taps + t) * 2 + (oc & 1)];
    return (int32_t)(int16_t)(uint16_t)((oc & 2) ? word >> 16 : word & 0xFFFFU);
}

static inline int8_t depthwise_output(const edgeai_depthwise_data *d, int32_t oc, int32_t acc)
{
    int32_t value = edgeai_rq(acc, d->requant + oc * EDGEAI_RQ_WORDS, d->rq_fast);
    value += d->output_offset;
    value = EDGEAI_CLAMP(value, d->act_min, d->act_max);
    return (int8_t)value;
}

/** Every output channel of output pixel (oy, ox); taps outside the image read pad_value. */
static void depthwise_pixel_portable(const edgeai_depthwise_params *p,
                                     const edgeai_depthwise_data *d, const int8_t *input,
                                     int32_t oy, int32_t ox, int8_t *out)
{
    const int32_t in_h = p->input.h;
    const int32_t in_w = p->input.w;
    const int32_t in_c = p->input.c;
    const int32_t out_c = p->output.c;
    const int32_t multiplier = p->depth_multiplier;
    const int32_t taps = p->kernel_h * p->kernel_w;
    const int32_t y0 = oy * p->stride_h - p->pad_top;
    const int32_t x0 = ox * p->stride_w - p->pad_left;
    const int32_t pad = d->pad_value;

    for (int32_t oc = 0; oc < out_c; ++oc) {
        const int8_t *channel_input = input + oc / multiplier;
        int32_t acc = d->bias[oc];
        for (int32_t ky = 0; ky < p->kernel_h; ++ky) {
            const int32_t iy = y0 + ky * p->dilation_h;
            const int row_inside = iy >= 0 && iy < in_h;
            for (int32_t kx = 0; kx < p->kernel_w; ++kx) {
                const int32_t ix = x0 + kx * p->dilation_w;
                const int32_t x = row_inside && ix >= 0 && ix < in_w
                                      ? channel_input[(iy * in_w + ix) * in_c]
                                      : pad;
                acc += depthwise_weight(d->weights, taps, oc, ky * p->kernel_w + kx) * x;
            }
        }
        out[oc] = depthwise_output(d, oc, acc);
    }
}

#if EDGEAI_USE_DSP
/** What every pixel of a layer shares. */
typedef struct {
    int32_t channels;
    int32_t kernel_w;
    int32_t taps;
    int32_t row_step; /* bytes between two kernel rows in the input */
    int32_t tap_step; /* bytes between two kernel columns */
    int32_t offset;
    int32_t zp2; /* the zero point in both int16 halves */
    int32_t pad;
    int32_t act_min;
    int32_t act_max;
    uint32_t lo4;
    uint32_t hi4;
    const int32_t *weights;
    const int32_t *bias;
    const int32_t *bias_unfolded;
    const int32_t *requant;
} dw_ctx;

/** Four channels' accumulators -> four int8 outputs at out (one word store). */
DW_INLINE void dw_store4(const dw_ctx *k, const int32_t *rq, int32_t a0, int32_t a1, int32_t a2,
                         int32_t a3, int8_t *out, const int fast)
{
    const int32_t offset = k->offset;
    const uint32_t packed = edgeai_pack4(
        edgeai_rq(a0, rq, fast) + offset, edgeai_rq(a1, rq + EDGEAI_RQ_WORDS, fast) + offset,
        edgeai_rq(a2, rq + 2 * EDGEAI_RQ_WORDS, fast) + offset,
        edgeai_rq(a3, rq + 3 * EDGEAI_RQ_WORDS, fast) + offset, k->lo4, k->hi4);
    memcpy(out, &packed, 4);
}

/**
 * One output pixel over a rectangle of `rows` x `cols` taps starting at tap `tap0`, whose
 * first input byte is `origin`. `border`: subtract the zero point and start from the
 * unfolded bias (the taps outside the image are skipped); `fast`: the layer's rq_fast.
 */
DW_INLINE void dw_pixel(const dw_ctx *k, const int8_t *origin, int8_t *out, int32_t rows,
                        int32_t cols, int32_t tap0, const int border, const int fast, int32_t c)
{
    const int32_t channels = k->channels;
    const int32_t row_step = k->row_step;
    const int32_t tap_step = k->tap_step;
    const int32_t w_skip = (k->kernel_w - cols) * 2;
    const int32_t group_step = k->taps * 2;
    const int32_t zp2 = k->zp2;
    const int32_t offset = k->offset;
    const int32_t *bias = border ? k->bias_unfolded : k->bias;
    const int32_t *wg = k->weights + tap0 * 2 + (c >> 2) * group_step;
    const int32_t *rq = k->requant + c * EDGEAI_RQ_WORDS;
    for (; c + 4 <= channels; c += 4, wg += group_step, rq += 4 * EDGEAI_RQ_WORDS) {
        int32_t a0 = bias[c];
        int32_t a1 = bias[c + 1];
        int32_t a2 = bias[c + 2];
        int32_t a3 = bias[c + 3];
        const int32_t *w = wg;
        const int8_t *row = origin + c;
        for (int32_t r = 0; r < rows; ++r, row += row_step, w += w_skip) {
            const int8_t *x = row;
            for (int32_t t = 0; t < cols; ++t, x += tap_step, w += 2) {
                const uint32_t vx = edgeai_read_u32(x);
                int32_t xe = EDGEAI_SXTB16(vx);
                int32_t xo = EDGEAI_SXTB16_ROR8(vx);
                if (border) {
                    xe = EDGEAI_SSUB16(xe, zp2);
                    xo = EDGEAI_SSUB16(xo, zp2);
                }
                const int32_t we = w[0];
                const int32_t wo = w[1];
                a0 = EDGEAI_SMLABB(we, xe, a0);
                a2 = EDGEAI_SMLATT(we, xe, a2);
                a1 = EDGEAI_SMLABB(wo, xo, a1);
                a3 = EDGEAI_SMLATT(wo, xo, a3);
            }
        }
        dw_store4(k, rq, a0, a1, a2, a3, out + c, fast);
    }
    for (; c < channels; ++c, rq += EDGEAI_RQ_WORDS) {
        int32_t acc = bias[c];
        const int8_t *row = origin + c;
        int32_t t = tap0;
        for (int32_t r = 0; r < rows; ++r, row += row_step, t += k->kernel_w) {
            for (int32_t i = 0; i < cols; ++i) {
                const int32_t x = row[i * tap_step] - (border ? k->pad : 0);
                acc += depthwise_weight(k->weights, k->taps, c, t + i) * x;
            }
        }
        const int32_t value = edgeai_rq(acc, rq, fast) + offset;
        out[c] = (int8_t)EDGEAI_CLAMP(value, k->act_min, k->act_max);
    }
}

/* One tap of four channels: input word at xp, weight words wp[0] (channels 0, 2), wp[1]. */
#define DW_TAP(xp, wp)                                \
    do {                                              \
        const uint32_t vx_ = edgeai_read_u32(xp);            \
        const int32_t xe_ = EDGEAI_SXTB16(vx_);       \
        const int32_t xo_ = EDGEAI_SXTB16_ROR8(vx_);  \
        const int32_t we_ = (wp)[0];                  \
        const int32_t wo_ = (wp)[1];                  \
        a0 = EDGEAI_SMLABB(we_, xe_, a0);             \
        a2 = EDGEAI_SMLATT(we_, xe_, a2);             \
        a1 = EDGEAI_SMLABB(wo_, xo_, a1);             \
        a3 = EDGEAI_SMLATT(wo_, xo_, a3);             \
    } while (0)

/** A 3x3 window inside the image: the nine taps unrolled. */
DW_INLINE void dw_pixel_3x3(const dw_ctx *k, const int8_t *origin, int8_t *out, const int fast)
{
    const int32_t channels = k->channels;
    const int32_t row_step = k->row_step;
    const int32_t ts = k->tap_step;
    const int32_t *w = k->weights;
    const int32_t *rq = k->requant;
    const int32_t *bias = k->bias;
    int32_t c = 0;
    for (; c + 4 <= channels; c += 4, w += 18, rq += 4 * EDGEAI_RQ_WORDS) {
        int32_t a0 = bias[c];
        int32_t a1 = bias[c + 1];
        int32_t a2 = bias[c + 2];
        int32_t a3 = bias[c + 3];
        const int8_t *x = origin + c;
        int32_t ts2 = 2 * ts;
        DW_OPAQUE(x);
        DW_OPAQUE(ts2);
        DW_TAP(x, w);
        DW_TAP(x + ts, w + 2);
        DW_TAP(x + ts2, w + 4);
        x += row_step;
        DW_TAP(x, w + 6);
        DW_TAP(x + ts, w + 8);
        DW_TAP(x + ts2, w + 10);
        x += row_step;
        DW_TAP(x, w + 12);
        DW_TAP(x + ts, w + 14);
        DW_TAP(x + ts2, w + 16);
        dw_store4(k, rq, a0, a1, a2, a3, out + c, fast);
    }
    if (c < channels) {
        dw_pixel(k, origin, out, 3, 3, 0, 0, fast, c); /* the channels past the last four */
    }
}

static inline int32_t ceil_div(int32_t a, int32_t b) { return (a + b - 1) / b; }

/** Depth multiplier 1, every output pixel. */
DW_INLINE void dw_run(const edgeai_depthwise_params *p, const dw_ctx *k, const int8_t *input,
                      int8_t *output, const int fast)
{
    const int32_t in_h = p->input.h;
    const int32_t in_w = p->input.w;
    const int32_t channels = p->input.c;
    const int32_t kernel_h = p->kernel_h;
    const int32_t kernel_w = p->kernel_w;
    const int k3 = kernel_h == 3 && kernel_w == 3;
    int8_t *out = output;
    for (int32_t oy = 0; oy < p->output.h; ++oy) {
        const int32_t iy0 = oy * p->stride_h - p->pad_top;
        const int32_t ky0 = iy0 < 0 ? ceil_div(-iy0, p->dilation_h) : 0;
        const int32_t ky1 = EDGEAI_MIN(kernel_h, in_h - iy0 > 0 ? ceil_div(in_h - iy0, p->dilation_h) : 0);
        for (int32_t ox = 0; ox < p->output.w; ++ox, out += channels) {
            const int32_t ix0 = ox * p->stride_w - p->pad_left;
            const int32_t kx0 = ix0 < 0 ? ceil_div(-ix0, p->dilation_w) : 0;
            const int32_t kx1 =
                EDGEAI_MIN(kernel_w, in_w - ix0 > 0 ? ceil_div(in_w - ix0, p->dilation_w) : 0);
            if (ky0 == 0 && kx0 == 0 && ky1 == kernel_h && kx1 == kernel_w) {
                const int8_t *origin = input + (iy0 * in_w + ix0) * channels;
                if (k3) {
                    dw_pixel_3x3(k, origin, out, fast);
                } else {
                    dw_pixel(k, origin, out, kernel_h, kernel_w, 0, 0, fast, 0);
                }
            } else {
                const int32_t rows = ky1 > ky0 && kx1 > kx0 ? ky1 - ky0 : 0;
                const int32_t iy = iy0 + ky0 * p->dilation_h;
                const int32_t ix = ix0 + kx0 * p->dilation_w;
                const int8_t *origin = rows > 0 ? input + (iy * in_w + ix) * channels : input;
                dw_pixel(k, origin, out, rows, kx1 - kx0, ky0 * kernel_w + kx0, 1, fast, 0);
            }
        }
    }
}
#endif /* EDGEAI_USE_DSP */

edgeai_status edgeai_depthwise_conv_s8(const edgeai_depthwise_params *params,
                                       const edgeai_depthwise_data *data, const int8_t *input,
                                       int8_t *output)
{
    if (params == NULL || data == NULL || input == NULL || output == NULL ||
        !depthwise_params_valid(params) || data->weights == NULL || data->bias == NULL ||
        data->bias_unfolded == NULL || data->requant == NULL) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    const edgeai_depthwise_data local = *data; /* not aliased by the int8 stores */
    const edgeai_depthwise_params *const p = params;
#if EDGEAI_USE_DSP
    if (p->depth_multiplier == 1) {
        dw_ctx k;
        k.channels = p->input.c;
        k.kernel_w = p->kernel_w;
        k.taps = p->kernel_h * p->kernel_w;
        k.row_step = p->dilation_h * p->input.w * p->input.c;
        k.tap_step = p->dilation_w * p->input.c;
        k.offset = local.output_offset;
        k.zp2 = (int32_t)(((uint32_t)local.pad_value & 0xFFFFU) * 0x10001U);
        k.pad = local.pad_value;
        k.act_min = local.act_min;
        k.act_max = local.act_max;
        k.lo4 = (uint32_t)(uint8_t)local.act_min * UINT32_C(0x01010101);
        k.hi4 = (uint32_t)(uint8_t)local.act_max * UINT32_C(0x01010101);
        k.weights = local.weights;
        k.bias = local.bias;
        k.bias_unfolded = local.bias_unfolded;
        k.requant = local.requant;
        if (local.rq_fast) {
            dw_run(p, &k, input, output, 1);
        } else {
            dw_run(p, &k, input, output, 0);
        }
        return EDGEAI_OK;
    }
#endif
    const int32_t out_w = p->output.w;
    const int32_t out_c = p->output.c;
    for (int32_t oy = 0; oy < p->output.h; ++oy) {
        for (int32_t ox = 0; ox < out_w; ++ox) {
            depthwise_pixel_portable(p, &local, input, oy, ox, output + (oy * out_w + ox) * out_c);
        }
    }
    return EDGEAI_OK;
}
