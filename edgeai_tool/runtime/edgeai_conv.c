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

/* ---- shared pieces ------------------------------------------------------------------- */

static int conv_params_valid(const edgeai_conv_params *p)
{
    const int32_t groups = p->groups;
    return p->input.h > 0 && p->input.w > 0 && p->input.c > 0 && p->output.h > 0 &&
           p->output.w > 0 && p->output.c > 0 && p->kernel_h > 0 && p->kernel_w > 0 &&
           p->stride_h > 0 && p->stride_w > 0 && p->dilation_h > 0 && p->dilation_w > 0 &&
           p->pad_top >= 0 && p->pad_left >= 0 && groups > 0 && p->input.c % groups == 0 &&
           p->output.c % groups == 0;
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

/**
 * The input can be read in place as the im2col columns: 1x1 filter, stride 1, no padding,
 * so output pixel i reads input pixel i and consecutive pixels are consecutive columns.
 */
static int conv_is_pointwise(const edgeai_conv_params *p)
{
    return p->kernel_h == 1 && p->kernel_w == 1 && p->stride_h == 1 && p->stride_w == 1 &&
           p->pad_top == 0 && p->pad_left == 0 && p->groups == 1;
}

/** Bytes of two im2col columns. */
static int32_t conv_columns(const edgeai_conv_params *p)
{
    return EDGEAI_CONV_S8_BUFFER_SIZE(p->kernel_h, p->kernel_w, p->input.c / p->groups);
}

/* ---- portable path -------------------------------------------------------------------- */

/**
 * Every output channel of output pixel (oy, ox), taps outside the image read as pad_value.
 * Used by the portable path and, on the DSP path, for grouped convolutions.
 */
static void conv_pixel_portable(const edgeai_conv_params *p, const edgeai_conv_data *data,
                                const int8_t *input, int32_t oy, int32_t ox, int8_t *out)
{
    const edgeai_conv_data local = *data; /* not aliased by the int8 stores */
    const edgeai_conv_data *const d = &local;
    const int32_t in_h = p->input.h;
    const int32_t in_w = p->input.w;
    const int32_t in_c = p->input.c;
    const int32_t out_c = p->output.c;
    const int32_t kernel_h = p->kernel_h;
    const int32_t kernel_w = p->kernel_w;
    const int32_t filter_c = in_c / p->groups;
    const int32_t filters_per_group = out_c / p->groups;
    const int32_t y0 = oy * p->stride_h - p->pad_top;
    const int32_t x0 = ox * p->stride_w - p->pad_left;
    const int32_t pad = d->pad_value;
    const int8_t *w = d->weights;

    for (int32_t oc = 0; oc < out_c; ++oc) {
        const int8_t *group_input = input + (oc / filters_per_group) * filter_c;
        int32_t acc = d->bias[oc];
        for (int32_t ky = 0; ky < kernel_h; ++ky) {
            const int32_t iy = y0 + ky * p->dilation_h;
            const int row_inside = iy >= 0 && iy < in_h;
            for (int32_t kx = 0; kx < kernel_w; ++kx) {
                const int32_t ix = x0 + kx * p->dilation_w;
                if (row_inside && ix >= 0 && ix < in_w) {
                    const int8_t *x = group_input + (iy * in_w + ix) * in_c;
                    for (int32_t ic = 0; ic < filter_c; ++ic) {
                        acc += (int32_t)w[ic] * (int32_t)x[ic];
                    }
                } else {
                    for (int32_t ic = 0; ic < filter_c; ++ic) {
                        acc += (int32_t)w[ic] * pad;
                    }
                }
                w += filter_c;
            }
        }
        out[oc] = conv_output(d, oc, acc);
    }
}

/* ---- DSP path -------------------------------------------------------------------------- */

#if EDGEAI_USE_DSP
/** Length of one im2col column: the dot-product depth. */
static int32_t conv_depth(const edgeai_conv_params *p)
{
    return p->kernel_h * p->kernel_w * (p->input.c / p->groups);
}

/** memcpy for the short runs of im2col: words while they last (unaligned is fine on M4/M7). */
static inline void copy_bytes(int8_t *dst, const int8_t *src, int32_t n)
{
    for (; n >= 4; n -= 4, dst += 4, src += 4) {
        memcpy(dst, src, 4);
    }
    for (; n > 0; --n) {
        *dst++ = *src++;
    }
}

static inline void fill_bytes(int8_t *dst, int8_t value, int32_t n)
{
    const uint32_t word = (uint8_t)value * UINT32_C(0x01010101);
    for (; n >= 4; n -= 4, dst += 4) {
        memcpy(dst, &word, 4);
    }
    for (; n > 0; --n) {
        *dst++ = value;
    }
}

/**
 * Gather the receptive field of output pixel (oy, ox) into `col` (depth bytes, OHWI's HWI
 * order), padding with pad_value.
 */
static void conv_im2col(const edgeai_conv_params *p, int8_t pad, const int8_t *input,
                        int32_t oy, int32_t ox, int8_t *col)
{
    const int32_t in_h = p->input.h;
    const int32_t in_w = p->input.w;
    const int32_t in_c = p->input.c;
    const int32_t kernel_h = p->kernel_h;
    const int32_t kernel_w = p->kernel_w;
    const int32_t dil_w = p->dilation_w;
    const int32_t y0 = oy * p->stride_h - p->pad_top;
    const int32_t x0 = ox * p->stride_w - p->pad_left;
    int8_t *dst = col;
    for (int32_t ky = 0; ky < kernel_h; ++ky) {
        const int32_t iy = y0 + ky * p->dilation_h;
        if (iy < 0 || iy >= in_h) {
            fill_bytes(dst, pad, kernel_w * in_c);
            dst += kernel_w * in_c;
            continue;
        }
        const int8_t *row = input + iy * in_w * in_c;
        if (dil_w == 1 && x0 >= 0 && x0 + kernel_w <= in_w) {
            copy_bytes(dst, row + x0 * in_c, kernel_w * in_c);
            dst += kernel_w * in_c;
            continue;
        }
        for (int32_t kx = 0; kx < kernel_w; ++kx) {
            const int32_t ix = x0 + kx * dil_w;
            if (ix >= 0 && ix < in_w) {
                copy_bytes(dst, row + ix * in_c, in_c);
            } else {
                fill_bytes(dst, pad, in_c);
            }
            dst += in_c;
        }
    }
}

/**
 * Two output channels (rows w0 and w0 + depth) at two columns (a0 and a0 + depth), or at a0
 * only when `columns` (a constant at each call site) is 1: a 2x2 register block
 * {acc00, acc01, acc10, acc11} (channel, column). One stride for both pairs keeps the loop
 * within the core's registers.
 */
static inline void dot_2xn(const int8_t *w0, const int8_t *a0, int32_t depth, int32_t acc[4],
                           const int columns)
{
    int32_t acc00 = acc[0];
    int32_t acc01 = acc[1];
    int32_t acc10 = acc[2];
    int32_t acc11 = acc[3];
    const int8_t *const end = a0 + (depth & ~3);
    while (a0 != end) {
        const uint32_t va0 = edgeai_read_u32(a0);
        const uint32_t va1 = columns == 2 ? edgeai_read_u32(a0 + depth) : 0;
        const uint32_t vw0 = edgeai_read_u32(w0);
        const uint32_t vw1 = edgeai_read_u32(w0 + depth);
        a0 += 4;
        w0 += 4;
        const int32_t a0e = EDGEAI_SXTB16(va0);
        const int32_t a0o = EDGEAI_SXTB16_ROR8(va0);
        const int32_t a1e = EDGEAI_SXTB16(va1);
        const int32_t a1o = EDGEAI_SXTB16_ROR8(va1);
        int32_t we = EDGEAI_SXTB16(vw0);
        int32_t wo = EDGEAI_SXTB16_ROR8(vw0);
        acc00 = EDGEAI_SMLAD(we, a0e, acc00);
        acc00 = EDGEAI_SMLAD(wo, a0o, acc00);
        if (columns == 2) {
            acc01 = EDGEAI_SMLAD(we, a1e, acc01);
            acc01 = EDGEAI_SMLAD(wo, a1o, acc01);
        }
        we = EDGEAI_SXTB16(vw1);
        wo = EDGEAI_SXTB16_ROR8(vw1);
        acc10 = EDGEAI_SMLAD(we, a0e, acc10);
        acc10 = EDGEAI_SMLAD(wo, a0o, acc10);
        if (columns == 2) {
            acc11 = EDGEAI_SMLAD(we, a1e, acc11);
            acc11 = EDGEAI_SMLAD(wo, a1o, acc11);
        }
    }
    for (int32_t k = depth & 3; k > 0; --k) {
        const int32_t x0 = a0[0];
        const int32_t x1 = columns == 2 ? a0[depth] : 0;
        const int32_t f0 = w0[0];
        const int32_t f1 = w0[depth];
        ++a0;
        ++w0;
        acc00 += f0 * x0;
        acc01 += f0 * x1;
        acc10 += f1 * x0;
        acc11 += f1 * x1;
    }
    acc[0] = acc00;
    acc[1] = acc01;
    acc[2] = acc10;
    acc[3] = acc11;
}

/** One output channel at two columns. */
static inline void dot_1x2(const int8_t *w0, const int8_t *a0, int32_t depth, int32_t acc[2])
{
    const int8_t *a1 = a0 + depth;
    int32_t acc0 = acc[0];
    int32_t acc1 = acc[1];
    for (int32_t quads = depth >> 2; quads > 0; --quads) {
        const uint32_t va0 = edgeai_read_u32(a0);
        const uint32_t va1 = edgeai_read_u32(a1);
        const uint32_t vw = edgeai_read_u32(w0);
        a0 += 4;
        a1 += 4;
        w0 += 4;
        const int32_t we = EDGEAI_SXTB16(vw);
        const int32_t wo = EDGEAI_SXTB16_ROR8(vw);
        acc0 = EDGEAI_SMLAD(we, EDGEAI_SXTB16(va0), acc0);
        acc0 = EDGEAI_SMLAD(wo, EDGEAI_SXTB16_ROR8(va0), acc0);
        acc1 = EDGEAI_SMLAD(we, EDGEAI_SXTB16(va1), acc1);
        acc1 = EDGEAI_SMLAD(wo, EDGEAI_SXTB16_ROR8(va1), acc1);
    }
    for (int32_t k = depth & 3; k > 0; --k) {
        const int32_t f = *w0++;
        acc0 += f * *a0++;
        acc1 += f * *a1++;
    }
    acc[0] = acc0;
    acc[1] = acc1;
}

/** Every output channel at one column (the last pixel of an odd count). */
static void conv_column_dsp(const edgeai_conv_data *data, int32_t out_c, int32_t depth,
                            const int8_t *a0, int8_t *out0)
{
    /* A local copy: the int8 output stores cannot alias it, so its fields stay in registers. */
    const edgeai_conv_data local = *data;
    const edgeai_conv_data *const d = &local;
    const int32_t *bias = d->bias;
    int32_t oc = 0;
    for (; oc + 2 <= out_c; oc += 2) {
        int32_t acc[4] = {bias[oc], 0, bias[oc + 1], 0};
        dot_2xn(d->weights + oc * depth, a0, depth, acc, 1);
        out0[oc] = conv_output(d, oc, acc[0]);
        out0[oc + 1] = conv_output(d, oc + 1, acc[2]);
    }
    if (oc < out_c) {
        const int8_t *w = d->weights + oc * depth;
        int32_t acc = bias[oc];
        for (int32_t k = 0; k < depth; ++k) {
            acc += w[k] * a0[k];
        }
        out0[oc] = conv_output(d, oc, acc);
    }
}

/**
 * Every output channel at two columns, a0 and a0 + depth (the second is computed but not
 * stored when out1 is NULL). The weights are the OHWI rows of `depth` bytes.
 */
static void conv_columns_dsp(const edgeai_conv_data *data, int32_t out_c, int32_t depth,
                             const int8_t *a0, int8_t *out0, int8_t *out1)
{
    /* A local copy: the int8 output stores cannot alias it, so its fields stay in registers. */
    const edgeai_conv_data local = *data;
    const edgeai_conv_data *const d = &local;
    const int8_t *w = d->weights;
    const int32_t *bias = d->bias;
    int32_t oc = 0;
    for (; oc + 2 <= out_c; oc += 2) {
        int32_t acc[4] = {bias[oc], bias[oc], bias[oc + 1], bias[oc + 1]};
        dot_2xn(w + oc * depth, a0, depth, acc, 2);
        out0[oc] = conv_output(d, oc, acc[0]);
        out0[oc + 1] = conv_output(d, oc + 1, acc[2]);
        out1[oc] = conv_output(d, oc, acc[1]);
        out1[oc + 1] = conv_output(d, oc + 1, acc[3]);
    }
    if (oc < out_c) {
        int32_t acc[2] = {bias[oc], bias[oc]};
        dot_1x2(w + oc * depth, a0, depth, acc);
        out0[oc] = conv_output(d, oc, acc[0]);
        out1[oc] = conv_output(d, oc, acc[1]);
    }
}
#endif /* EDGEAI_USE_DSP */

/**
 * The convolution at up to two output pixels: (y0, x0) into out0 and, when out1 is not
 * NULL, (y1, x1) into out1. `col` is 2 * depth bytes of scratch (unused for 1x1).
 */
static void conv_two_pixels(const edgeai_conv_params *p, const edgeai_conv_data *d,
                            const int8_t *input, const int32_t y[2], const int32_t x[2],
                            int8_t *out0, int8_t *out1, int8_t *col)
{
#if EDGEAI_USE_DSP
    if (p->groups == 1) {
        const int32_t depth = conv_depth(p);
        const int8_t pad = (int8_t)d->pad_value;
        const int32_t first = y[0] * p->input.w + x[0];
        if (conv_is_pointwise(p) && (out1 == NULL || y[1] * p->input.w + x[1] == first + 1)) {
            /* The columns are the input pixels themselves. */
            if (out1 == NULL) {
                conv_column_dsp(d, p->output.c, depth, input + first * depth, out0);
            } else {
                conv_columns_dsp(d, p->output.c, depth, input + first * depth, out0, out1);
            }
            return;
        }
        conv_im2col(p, pad, input, y[0], x[0], col);
        if (out1 == NULL) {
            conv_column_dsp(d, p->output.c, depth, col, out0);
        } else {
            conv_im2col(p, pad, input, y[1], x[1], col + depth);
            conv_columns_dsp(d, p->output.c, depth, col, out0, out1);
        }
        return;
    }
#else
    (void)col;
#endif
    conv_pixel_portable(p, d, input, y[0], x[0], out0);
    if (out1 != NULL) {
        conv_pixel_portable(p, d, input, y[1], x[1], out1);
    }
}

static int32_t conv_col_bytes(const edgeai_conv_params *p)
{
    /* The same on both paths, so that the memory plan does not depend on the target. */
    return conv_is_pointwise(p) ? 0 : conv_columns(p);
}

/* ---- CONV_2D ------------------------------------------------------------------------------ */

int32_t edgeai_conv_s8_get_buffer_size(const edgeai_conv_params *params)
{
    return params != NULL && conv_params_valid(params) ? conv_col_bytes(params) : 0;
}

edgeai_status edgeai_conv_s8(const edgeai_conv_params *params, const edgeai_conv_data *data,
                             const int8_t *input, int8_t *output, int8_t *scratch)
{
    if (params == NULL || data == NULL || input == NULL || output == NULL ||
        !conv_params_valid(params) || !conv_data_valid(data) ||
        (scratch == NULL && conv_col_bytes(params) > 0)) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    const int32_t out_w = params->output.w;
    const int32_t out_c = params->output.c;
    const int32_t pixels = params->output.h * out_w;
    int32_t i = 0;
    for (; i + 2 <= pixels; i += 2) {
        const int32_t y[2] = {i / out_w, (i + 1) / out_w};
        const int32_t x[2] = {i % out_w, (i + 1) % out_w};
        conv_two_pixels(params, data, input, y, x, output + i * out_c,
                        output + (i + 1) * out_c, scratch);
    }
    if (i < pixels) {
        const int32_t y[2] = {i / out_w, i / out_w};
        const int32_t x[2] = {i % out_w, i % out_w};
        conv_two_pixels(params, data, input, y, x, output + i * out_c, NULL, scratch);
    }
    return EDGEAI_OK;
}

edgeai_status edgeai_conv_1x1_s8(const edgeai_conv_params *params, const edgeai_conv_data *data,
                                 const int8_t *input, int8_t *output)
{
    if (params == NULL || !conv_is_pointwise(params)) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    return edgeai_conv_s8(params, data, input, output, NULL);
}

/* ---- CONV_2D + pooling ------------------------------------------------------------------- */

static int conv_pool_params_valid(const edgeai_conv_pool_params *p)
{
    return conv_params_valid(&p->conv) && p->output.h > 0 && p->output.w > 0 &&
           p->output.c == p->conv.output.c && p->pool_h > 0 && p->pool_w > 0 &&
           p->pool_stride_h > 0 && p->pool_stride_w > 0 && p->pool_pad_top >= 0 &&
           p->pool_pad_left >= 0 &&
           (p->pool_kind == EDGEAI_POOL_MAX || p->pool_kind == EDGEAI_POOL_AVERAGE);
}

/* Where the int32 sums start (edgeai_conv.h's layout). Unsigned, as the sizes are never
 * negative: the rounding up is then one AND. */
static int32_t conv_pool_sums_offset(const edgeai_conv_params *conv)
{
    return (int32_t)EDGEAI_CONV_POOL_S8_SUMS_OFFSET((uint32_t)conv_columns(conv),
                                                    (uint32_t)conv->output.c);
}

int32_t edgeai_conv_pool_s8_get_buffer_size(const edgeai_conv_pool_params *params)
{
    if (params == NULL || !conv_pool_params_valid(params)) {
        return 0;
    }
    return EDGEAI_CONV_POOL_S8_BUFFER_SIZE(conv_columns(&params->conv), params->output.c,
                                           params->pool_kind == EDGEAI_POOL_AVERAGE ? 1 : 0);
}

/** Fold `count` int8 convolution outputs (channels innermost) into the pool accumulator. */
static void pool_accumulate(int32_t kind, const int8_t *values, int32_t channels, int8_t *max,
                            int32_t *sums)
{
    if (kind == EDGEAI_POOL_MAX) {
        for (int32_t c = 0; c < channels; ++c) {
            max[c] = values[c] > max[c] ? values[c] : max[c];
        }
    } else {
        for (int32_t c = 0; c < channels; ++c) {
            sums[c] += values[c];
        }
    }
}

/** TFLM's int8 average: round half away from zero of sum / count (count > 0). */
static inline int32_t pool_average(int32_t sum, int32_t count)
{
    return sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
}

edgeai_status edgeai_conv_pool_s8(const edgeai_conv_pool_params *params,
                                  const edgeai_conv_pool_data *data, const int8_t *input,
                                  int8_t *output, int8_t *scratch)
{
    if (params == NULL || data == NULL || input == NULL || output == NULL || scratch == NULL ||
        !conv_pool_params_valid(params) || !conv_data_valid(&data->conv)) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    const edgeai_conv_params *conv = &params->conv;
    const edgeai_hwc conv_out = conv->output; /* the pooling's input */
    const int32_t channels = conv_out.c;
    const int32_t kind = params->pool_kind;
    const int32_t pool_min = data->pool_act_min;
    const int32_t pool_max = data->pool_act_max;
    int8_t *col = scratch;
    int8_t *values = scratch + conv_columns(conv);
    int32_t *sums = (int32_t *)(void *)(scratch + conv_pool_sums_offset(conv));

    for (int32_t py = 0; py < params->output.h; ++py) {
        const int32_t cy0 = py * params->pool_stride_h - params->pool_pad_top;
        const int32_t y_start = EDGEAI_MAX(cy0, 0);
        const int32_t y_end = EDGEAI_MIN(cy0 + params->pool_h, conv_out.h);
        for (int32_t px = 0; px < params->output.w; ++px) {
            const int32_t cx0 = px * params->pool_stride_w - params->pool_pad_left;
            const int32_t x_start = EDGEAI_MAX(cx0, 0);
            const int32_t x_end = EDGEAI_MIN(cx0 + params->pool_w, conv_out.w);
            const int32_t span = x_end - x_start;
            const int32_t count = (y_end - y_start) * span;
            int8_t *out = output + (py * params->output.w + px) * channels;
            if (kind == EDGEAI_POOL_MAX) {
                memset(out, -128, (size_t)channels);
            } else {
                if (count <= 0) {
                    return EDGEAI_ERROR_ARGUMENT; /* TFLM fails on an empty window too */
                }
                memset(sums, 0, sizeof(int32_t) * (size_t)channels);
            }
            /* The window's convolution outputs, two at a time, row-major. */
            for (int32_t k = 0; k < count; k += 2) {
                const int32_t y[2] = {y_start + k / span, y_start + (k + 1) / span};
                const int32_t x[2] = {x_start + k % span, x_start + (k + 1) % span};
                const int pair = k + 1 < count;
                conv_two_pixels(conv, &data->conv, input, y, x, values,
                                pair ? values + channels : NULL, col);
                pool_accumulate(kind, values, channels, out, sums);
                if (pair) {
                    pool_accumulate(kind, values + channels, channels, out, sums);
                }
            }
            for (int32_t c = 0; c < channels; ++c) {
                const int32_t value = kind == EDGEAI_POOL_MAX ? out[c]
                                                              : pool_average(sums[c], count);
                out[c] = (int8_t)EDGEAI_CLAMP(value, pool_min, pool_max);
            }
        }
    }
    return EDGEAI_OK;
}
