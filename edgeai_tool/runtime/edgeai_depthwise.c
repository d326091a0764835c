/*
 * edgeai runtime: int8 DEPTHWISE_CONV_2D. See edgeai_depthwise.h for the arithmetic.
 */
#include "edgeai_depthwise.h"

#include <stddef.h>
#include <string.h>

#include "edgeai_conv.h" /* edgeai_conv_requantize and the DSP instruction macros */

static int depthwise_params_valid(const edgeai_depthwise_params *p)
{
    return p->input.h > 0 && p->input.w > 0 && p->input.c > 0 && p->output.h > 0 &&
           p->output.w > 0 && p->kernel_h > 0 && p->kernel_w > 0 && p->stride_h > 0 &&
           p->stride_w > 0 && p->dilation_h > 0 && p->dilation_w > 0 && p->pad_top >= 0 &&
           p->pad_left >= 0 && p->depth_multiplier > 0 &&
           p->output.c == p->input.c * p->depth_multiplier;
}

static inline int8_t depthwise_output(const edgeai_depthwise_data *d, int32_t oc, int32_t acc)
{
    int32_t value = edgeai_conv_requantize(acc, d->multiplier[oc], d->shift[oc]);
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
    const int32_t y0 = oy * p->stride_h - p->pad_top;
    const int32_t x0 = ox * p->stride_w - p->pad_left;
    const int32_t pad = d->pad_value;

    for (int32_t oc = 0; oc < out_c; ++oc) {
        const int8_t *channel_input = input + oc / multiplier;
        const int8_t *w = d->weights + oc;
        int32_t acc = d->bias[oc];
        for (int32_t ky = 0; ky < p->kernel_h; ++ky) {
            const int32_t iy = y0 + ky * p->dilation_h;
            const int row_inside = iy >= 0 && iy < in_h;
            for (int32_t kx = 0; kx < p->kernel_w; ++kx) {
                const int32_t ix = x0 + kx * p->dilation_w;
                const int32_t x = row_inside && ix >= 0 && ix < in_w
                                      ? channel_input[(iy * in_w + ix) * in_c]
                                      : pad;
                acc += (int32_t)*w * x;
                w += out_c;
            }
        }
        out[oc] = depthwise_output(d, oc, acc);
    }
}

#if EDGEAI_USE_DSP
static inline uint32_t read_u32(const int8_t *p)
{
    uint32_t value;
    memcpy(&value, p, sizeof value);
    return value;
}

/** Four channels' accumulators and their int8 outputs (requantized, offset, clamped). */
static inline void depthwise_store4(const edgeai_depthwise_data *d, int32_t c,
                                    const int32_t acc[4], int8_t *out)
{
    for (int32_t i = 0; i < 4; ++i) {
        int32_t value = edgeai_conv_requantize(acc[i], d->multiplier[c + i], d->shift[c + i]);
        value += d->output_offset;
        value = EDGEAI_CLAMP(value, d->act_min, d->act_max);
        out[c + i] = (int8_t)value;
    }
}

/**
 * Depth multiplier 1 at an output pixel whose taps all lie inside the image: four channels
 * at a time, each tap one word of input and one of weights split into even and odd channels
 * with SXTB16, accumulated with SMLABB/SMLATT; no bounds checks.
 */
static void depthwise_pixel_dsp_inside(const edgeai_depthwise_params *p,
                                       const edgeai_depthwise_data *d, const int8_t *origin,
                                       int8_t *out)
{
    const int32_t channels = p->input.c;
    const int32_t kernel_h = p->kernel_h;
    const int32_t kernel_w = p->kernel_w;
    const int32_t tap_step = p->dilation_w * channels;
    const int32_t row_step = p->dilation_h * p->input.w * channels;
    int32_t c = 0;
    for (; c + 4 <= channels; c += 4) {
        int32_t acc0 = d->bias[c];
        int32_t acc1 = d->bias[c + 1];
        int32_t acc2 = d->bias[c + 2];
        int32_t acc3 = d->bias[c + 3];
        const int8_t *w = d->weights + c;
        const int8_t *row = origin + c;
        for (int32_t ky = 0; ky < kernel_h; ++ky, row += row_step) {
            const int8_t *x = row;
            for (int32_t kx = 0; kx < kernel_w; ++kx, x += tap_step, w += channels) {
                const uint32_t vw = read_u32(w);
                const uint32_t vx = read_u32(x);
                const int32_t we = EDGEAI_SXTB16(vw);
                const int32_t wo = EDGEAI_SXTB16_ROR8(vw);
                const int32_t xe = EDGEAI_SXTB16(vx);
                const int32_t xo = EDGEAI_SXTB16_ROR8(vx);
                acc0 = EDGEAI_SMLABB(we, xe, acc0);
                acc2 = EDGEAI_SMLATT(we, xe, acc2);
                acc1 = EDGEAI_SMLABB(wo, xo, acc1);
                acc3 = EDGEAI_SMLATT(wo, xo, acc3);
            }
        }
        const int32_t acc[4] = {acc0, acc1, acc2, acc3};
        depthwise_store4(d, c, acc, out);
    }
    for (; c < channels; ++c) {
        const int8_t *w = d->weights + c;
        const int8_t *row = origin + c;
        int32_t acc = d->bias[c];
        for (int32_t ky = 0; ky < kernel_h; ++ky, row += row_step) {
            const int8_t *x = row;
            for (int32_t kx = 0; kx < kernel_w; ++kx, x += tap_step, w += channels) {
                acc += (int32_t)*w * (int32_t)*x;
            }
        }
        int32_t value = edgeai_conv_requantize(acc, d->multiplier[c], d->shift[c]);
        value += d->output_offset;
        out[c] = (int8_t)EDGEAI_CLAMP(value, d->act_min, d->act_max);
    }
}

/**
 * Depth multiplier 1 at a border pixel (taps may fall in the padding): four channels at a
 * time, each tap one word of input and one of
 * weights, split into even and odd channels with SXTB16 and accumulated with
 * SMLABB/SMLATT. The channels left over (c % 4) go through the portable loop's arithmetic.
 */
static void depthwise_pixel_dsp(const edgeai_depthwise_params *p, const edgeai_depthwise_data *d,
                                const int8_t *input, int32_t oy, int32_t ox, int8_t *out)
{
    const int32_t in_h = p->input.h;
    const int32_t in_w = p->input.w;
    const int32_t channels = p->input.c;
    const int32_t kernel_h = p->kernel_h;
    const int32_t kernel_w = p->kernel_w;
    const int32_t y0 = oy * p->stride_h - p->pad_top;
    const int32_t x0 = ox * p->stride_w - p->pad_left;
    const uint8_t pad_byte = (uint8_t)d->pad_value;
    const uint32_t pad_word = pad_byte * UINT32_C(0x01010101);
    const int32_t pad_even = EDGEAI_SXTB16(pad_word);
    const int32_t *bias = d->bias;
    int32_t c = 0;

    for (; c + 4 <= channels; c += 4) {
        int32_t acc0 = bias[c];
        int32_t acc1 = bias[c + 1];
        int32_t acc2 = bias[c + 2];
        int32_t acc3 = bias[c + 3];
        const int8_t *w = d->weights + c;
        for (int32_t ky = 0; ky < kernel_h; ++ky) {
            const int32_t iy = y0 + ky * p->dilation_h;
            const int row_inside = iy >= 0 && iy < in_h;
            const int8_t *row = input + (row_inside ? iy * in_w * channels + c : 0);
            for (int32_t kx = 0; kx < kernel_w; ++kx) {
                const int32_t ix = x0 + kx * p->dilation_w;
                const uint32_t vw = read_u32(w);
                const int32_t we = EDGEAI_SXTB16(vw);
                const int32_t wo = EDGEAI_SXTB16_ROR8(vw);
                w += channels;
                int32_t xe = pad_even;
                int32_t xo = pad_even;
                if (row_inside && ix >= 0 && ix < in_w) {
                    const uint32_t vx = read_u32(row + ix * channels);
                    xe = EDGEAI_SXTB16(vx);
                    xo = EDGEAI_SXTB16_ROR8(vx);
                }
                acc0 = EDGEAI_SMLABB(we, xe, acc0);
                acc2 = EDGEAI_SMLATT(we, xe, acc2);
                acc1 = EDGEAI_SMLABB(wo, xo, acc1);
                acc3 = EDGEAI_SMLATT(wo, xo, acc3);
            }
        }
        out[c] = depthwise_output(d, c, acc0);
        out[c + 1] = depthwise_output(d, c + 1, acc1);
        out[c + 2] = depthwise_output(d, c + 2, acc2);
        out[c + 3] = depthwise_output(d, c + 3, acc3);
    }
    for (; c < channels; ++c) {
        const int8_t *w = d->weights + c;
        int32_t acc = bias[c];
        for (int32_t ky = 0; ky < kernel_h; ++ky) {
            const int32_t iy = y0 + ky * p->dilation_h;
            const int row_inside = iy >= 0 && iy < in_h;
            for (int32_t kx = 0; kx < kernel_w; ++kx) {
                const int32_t ix = x0 + kx * p->dilation_w;
                const int32_t x = row_inside && ix >= 0 && ix < in_w
                                      ? input[(iy * in_w + ix) * channels + c]
                                      : d->pad_value;
                acc += (int32_t)*w * x;
                w += channels;
            }
        }
        out[c] = depthwise_output(d, c, acc);
    }
}

#endif /* EDGEAI_USE_DSP */

edgeai_status edgeai_depthwise_conv_s8(const edgeai_depthwise_params *params,
                                       const edgeai_depthwise_data *data, const int8_t *input,
                                       int8_t *output)
{
    if (params == NULL || data == NULL || input == NULL || output == NULL ||
        !depthwise_params_valid(params) || data->weights == NULL || data->bias == NULL ||
        data->multiplier == NULL || data->shift == NULL) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    const edgeai_depthwise_data local = *data; /* not aliased by the int8 stores */
    const edgeai_depthwise_params *const p = params;
    const int32_t out_w = p->output.w;
    const int32_t out_c = p->output.c;
    /* Output pixels whose taps all lie inside the input: [y_lo, y_hi) x [x_lo, x_hi). */
    const int32_t span_h = (p->kernel_h - 1) * p->dilation_h;
    const int32_t span_w = (p->kernel_w - 1) * p->dilation_w;
    const int32_t y_lo = (p->pad_top + p->stride_h - 1) / p->stride_h;
    const int32_t x_lo = (p->pad_left + p->stride_w - 1) / p->stride_w;
    const int32_t y_hi = (p->input.h - 1 - span_h + p->pad_top) >= 0
                             ? (p->input.h - 1 - span_h + p->pad_top) / p->stride_h + 1
                             : 0;
    const int32_t x_hi = (p->input.w - 1 - span_w + p->pad_left) >= 0
                             ? (p->input.w - 1 - span_w + p->pad_left) / p->stride_w + 1
                             : 0;
    for (int32_t oy = 0; oy < p->output.h; ++oy) {
        for (int32_t ox = 0; ox < out_w; ++ox) {
            int8_t *out = output + (oy * out_w + ox) * out_c;
#if EDGEAI_USE_DSP
            if (p->depth_multiplier == 1 && oy >= y_lo && oy < y_hi && ox >= x_lo && ox < x_hi) {
                const int32_t iy = oy * p->stride_h - p->pad_top;
                const int32_t ix = ox * p->stride_w - p->pad_left;
                depthwise_pixel_dsp_inside(p, &local, input + (iy * p->input.w + ix) * out_c,
                                           out);
                continue;
            }
#else
            (void)y_lo;
            (void)y_hi;
            (void)x_lo;
            (void)x_hi;
#endif
#if EDGEAI_USE_DSP
            if (p->depth_multiplier == 1) {
                depthwise_pixel_dsp(p, &local, input, oy, ox, out);
                continue;
            }
#endif
            depthwise_pixel_portable(p, &local, input, oy, ox, out);
        }
    }
    return EDGEAI_OK;
}
