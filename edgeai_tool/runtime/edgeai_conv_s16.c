/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED, 16x8 (see
 * edgeai_conv_s16.h). Portable C99.
 */
#include "edgeai_conv_s16.h"

#include <stddef.h>

#include "edgeai_requantize.h"

/* Requantize one channel's accumulator and clamp it. */
static int16_t s16_output(int64_t acc, const edgeai_s16_data *data, int32_t q)
{
    /* the int32 accumulator holds the same sum (the model keeps it within int32) */
    const int32_t value = data->int32_accumulator
                              ? edgeai_requantize((int32_t)acc, data->multiplier[q], data->shift[q])
                              : edgeai_requantize_s64(acc, data->multiplier[q], data->shift[q]);
    return (int16_t)EDGEAI_CLAMP(value, data->act_min, data->act_max);
}

static int data_valid(const edgeai_s16_data *data)
{
    return data != NULL && data->weights != NULL && data->bias != NULL &&
           data->multiplier != NULL && data->shift != NULL;
}

static int window_valid(const edgeai_hwc *in, const edgeai_hwc *out, int32_t kernel_h,
                        int32_t kernel_w, int32_t stride_h, int32_t stride_w, int32_t dilation_h,
                        int32_t dilation_w)
{
    return in->h > 0 && in->w > 0 && in->c > 0 && out->h > 0 && out->w > 0 && out->c > 0 &&
           kernel_h > 0 && kernel_w > 0 && stride_h > 0 && stride_w > 0 && dilation_h > 0 &&
           dilation_w > 0;
}

/* The input window of a convolution or depthwise convolution. */
typedef struct {
    edgeai_hwc in;
    int32_t kernel_h;
    int32_t kernel_w;
    int32_t dilation_h;
    int32_t dilation_w;
} s16_window;

/* sum(w * x) over the window taps at (y0, x0) inside the input (the rest is padding, which
 * adds nothing): `depth` consecutive channels from `input`'s pixel and from `weights`,
 * whose taps lie `tap_stride` apart. */
static int64_t window_sum(const s16_window *window, const int16_t *input, int32_t y0,
                          int32_t x0, const int8_t *weights, int32_t tap_stride, int32_t depth)
{
    const edgeai_hwc in = window->in;
    int64_t acc = 0;
    for (int32_t ky = 0; ky < window->kernel_h; ++ky) {
        const int32_t iy = y0 + ky * window->dilation_h;
        if (iy < 0 || iy >= in.h) {
            continue;
        }
        for (int32_t kx = 0; kx < window->kernel_w; ++kx) {
            const int32_t ix = x0 + kx * window->dilation_w;
            if (ix < 0 || ix >= in.w) {
                continue;
            }
            const int16_t *const x = input + (iy * in.w + ix) * in.c;
            const int8_t *const w = weights + (ky * window->kernel_w + kx) * tap_stride;
            for (int32_t c = 0; c < depth; ++c) {
                acc += (int32_t)w[c] * (int32_t)x[c];
            }
        }
    }
    return acc;
}

edgeai_status edgeai_conv_s16(const edgeai_conv_params *params, const edgeai_s16_data *data,
                              const int16_t *input, int16_t *output)
{
    if (params == NULL || !data_valid(data) || input == NULL || output == NULL ||
        !window_valid(&params->input, &params->output, params->kernel_h, params->kernel_w,
                      params->stride_h, params->stride_w, params->dilation_h,
                      params->dilation_w) ||
        params->groups <= 0 || params->input.c % params->groups != 0 ||
        params->output.c % params->groups != 0) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    const edgeai_hwc in = params->input;
    const s16_window window = {in, params->kernel_h, params->kernel_w, params->dilation_h,
                               params->dilation_w};
    const edgeai_hwc out = params->output;
    const int32_t filter_c = in.c / params->groups;
    const int32_t filters_per_group = out.c / params->groups;
    for (int32_t oy = 0; oy < out.h; ++oy) {
        const int32_t y0 = oy * params->stride_h - params->pad_top;
        for (int32_t ox = 0; ox < out.w; ++ox) {
            const int32_t x0 = ox * params->stride_w - params->pad_left;
            int16_t *const y = output + (oy * out.w + ox) * out.c;
            for (int32_t oc = 0; oc < out.c; ++oc) {
                const int32_t first_c = (oc / filters_per_group) * filter_c;
                const int8_t *const filter =
                    data->weights + oc * params->kernel_h * params->kernel_w * filter_c;
                const int64_t acc =
                    window_sum(&window, input + first_c, y0, x0, filter, filter_c, filter_c);
                y[oc] = s16_output(acc + data->bias[oc], data, oc);
            }
        }
    }
    return EDGEAI_OK;
}

edgeai_status edgeai_depthwise_conv_s16(const edgeai_depthwise_params *params,
                                        const edgeai_s16_data *data, const int16_t *input,
                                        int16_t *output)
{
    if (params == NULL || !data_valid(data) || input == NULL || output == NULL ||
        !window_valid(&params->input, &params->output, params->kernel_h, params->kernel_w,
                      params->stride_h, params->stride_w, params->dilation_h,
                      params->dilation_w) ||
        params->depth_multiplier <= 0 ||
        params->output.c != params->input.c * params->depth_multiplier) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    const edgeai_hwc in = params->input;
    const s16_window window = {in, params->kernel_h, params->kernel_w, params->dilation_h,
                               params->dilation_w};
    const edgeai_hwc out = params->output;
    for (int32_t oy = 0; oy < out.h; ++oy) {
        const int32_t y0 = oy * params->stride_h - params->pad_top;
        for (int32_t ox = 0; ox < out.w; ++ox) {
            const int32_t x0 = ox * params->stride_w - params->pad_left;
            int16_t *const y = output + (oy * out.w + ox) * out.c;
            for (int32_t oc = 0; oc < out.c; ++oc) {
                const int32_t ic = oc / params->depth_multiplier;
                const int64_t acc =
                    window_sum(&window, input + ic, y0, x0, data->weights + oc, out.c, 1);
                y[oc] = s16_output(data->bias[oc] + acc, data, oc);
            }
        }
    }
    return EDGEAI_OK;
}

edgeai_status edgeai_fully_connected_s16(const edgeai_fc_params *params,
                                         const edgeai_s16_data *data, const int16_t *input,
                                         int16_t *output)
{
    if (params == NULL || !data_valid(data) || input == NULL || output == NULL ||
        params->batches <= 0 || params->in_depth <= 0 || params->out_depth <= 0) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    const int32_t in_depth = params->in_depth;
    const int32_t out_depth = params->out_depth;
    const int32_t quant_step = params->per_channel ? 1 : 0;
    for (int32_t b = 0; b < params->batches; ++b) {
        const int16_t *const x = input + b * in_depth;
        for (int32_t c = 0; c < out_depth; ++c) {
            const int8_t *const w = data->weights + c * in_depth;
            int64_t acc = 0;
            for (int32_t d = 0; d < in_depth; ++d) {
                acc += (int32_t)w[d] * (int32_t)x[d];
            }
            output[b * out_depth + c] = s16_output(acc + data->bias[c], data, c * quant_step);
        }
    }
    return EDGEAI_OK;
}
