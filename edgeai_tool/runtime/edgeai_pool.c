/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: int8 MAX_POOL_2D and AVERAGE_POOL_2D. See edgeai_pool.h.
 */
#include "edgeai_pool.h"

#include <stddef.h>
#include <string.h>

#include "edgeai_dsp.h"

static int pool_params_valid(const edgeai_pool_params *p)
{
    return p->input.h > 0 && p->input.w > 0 && p->input.c > 0 && p->output.h > 0 &&
           p->output.w > 0 && p->output.c == p->input.c && p->filter_h > 0 && p->filter_w > 0 &&
           p->stride_h > 0 && p->stride_w > 0 && p->pad_top >= 0 && p->pad_left >= 0;
}

/** The arguments both poolings check (average pooling checks its scratch too). */
static int pool_args_valid(const edgeai_pool_params *params, const edgeai_pool_data *data,
                           const int8_t *input, const int8_t *output)
{
    return params != NULL && data != NULL && input != NULL && output != NULL &&
           pool_params_valid(params);
}

/** The window of output (oy, ox) clipped to the input: [y0, y1) x [x0, x1). */
typedef struct {
    int32_t y0, y1, x0, x1;
} pool_window;

static pool_window window_of(const edgeai_pool_params *p, int32_t oy, int32_t ox)
{
    const int32_t top = oy * p->stride_h - p->pad_top;
    const int32_t left = ox * p->stride_w - p->pad_left;
    pool_window w;
    w.y0 = EDGEAI_MAX(top, 0);
    w.y1 = EDGEAI_MIN(top + p->filter_h, p->input.h);
    w.x0 = EDGEAI_MAX(left, 0);
    w.x1 = EDGEAI_MIN(left + p->filter_w, p->input.w);
    return w;
}

/** out[c] = max(out[c], in[c]) for `channels` bytes. */
static void max_into(int8_t *out, const int8_t *in, int32_t channels)
{
    for (int32_t c = 0; c < channels; ++c) {
        out[c] = in[c] > out[c] ? in[c] : out[c];
    }
}

#if EDGEAI_USE_DSP
/** Channels [0, channels & ~3) of a non-empty window, four at a time (SSUB8 + SEL). */
static void max_window4(const int8_t *first, int32_t rows, int32_t cols, int32_t row_step,
                        int32_t channels, uint32_t lo4, uint32_t hi4, int8_t *out)
{
    for (int32_t c = 0; c + 4 <= channels; c += 4) {
        const int8_t *row = first + c;
        uint32_t m = edgeai_read_u32(row);
        for (int32_t y = 0; y < rows; ++y, row += row_step) {
            const int8_t *x = row;
            for (int32_t i = 0; i < cols; ++i, x += channels) {
                m = edgeai_max8(m, edgeai_read_u32(x));
            }
        }
        m = edgeai_min8(edgeai_max8(m, lo4), hi4);
        memcpy(out + c, &m, 4);
    }
}

/**
 * Channels [0, channels & ~3) of a window of at most 256 values, four at a time: int16
 * sums in two registers (SXTAB16 cannot overflow: 256 * 128 fits), then the rounded average.
 */
static void avg_window4(const int8_t *first, int32_t rows, int32_t cols, int32_t row_step,
                        int32_t channels, int32_t count, uint32_t lo4, uint32_t hi4,
                        int8_t *out)
{
    const int32_t half = count / 2;
    for (int32_t c = 0; c + 4 <= channels; c += 4) {
        const int8_t *row = first + c;
        int32_t even = 0;
        int32_t odd = 0;
        for (int32_t y = 0; y < rows; ++y, row += row_step) {
            const int8_t *x = row;
            for (int32_t i = 0; i < cols; ++i, x += channels) {
                const uint32_t v = edgeai_read_u32(x);
                even = EDGEAI_SXTAB16(even, v);
                odd = EDGEAI_SXTAB16_ROR8(odd, v);
            }
        }
        const int32_t s0 = (int16_t)(uint16_t)((uint32_t)even & 0xFFFFU);
        const int32_t s2 = (int16_t)(uint16_t)((uint32_t)even >> 16);
        const int32_t s1 = (int16_t)(uint16_t)((uint32_t)odd & 0xFFFFU);
        const int32_t s3 = (int16_t)(uint16_t)((uint32_t)odd >> 16);
        const uint32_t packed = edgeai_pack4(
            (s0 > 0 ? s0 + half : s0 - half) / count, (s1 > 0 ? s1 + half : s1 - half) / count,
            (s2 > 0 ? s2 + half : s2 - half) / count, (s3 > 0 ? s3 + half : s3 - half) / count,
            lo4, hi4);
        memcpy(out + c, &packed, 4);
    }
}
#endif

edgeai_status edgeai_max_pool_s8(const edgeai_pool_params *params, const edgeai_pool_data *data,
                                 const int8_t *input, int8_t *output)
{
    if (!pool_args_valid(params, data, input, output)) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    const int32_t in_w = params->input.w;
    const int32_t channels = params->input.c;
    const int32_t act_min = data->act_min;
    const int32_t act_max = data->act_max;
#if EDGEAI_USE_DSP
    const uint32_t min4 = (uint8_t)act_min * UINT32_C(0x01010101); /* the clamp, bytewise */
    const uint32_t max4 = (uint8_t)act_max * UINT32_C(0x01010101);
#endif
    for (int32_t oy = 0; oy < params->output.h; ++oy) {
        for (int32_t ox = 0; ox < params->output.w; ++ox) {
            const pool_window win = window_of(params, oy, ox);
            int8_t *out = output + (oy * params->output.w + ox) * channels;
            int32_t first = 0;
#if EDGEAI_USE_DSP
            if (win.y1 > win.y0 && win.x1 > win.x0) {
                max_window4(input + (win.y0 * in_w + win.x0) * channels, win.y1 - win.y0,
                            win.x1 - win.x0, in_w * channels, channels, min4, max4, out);
                first = channels & ~3;
            }
#endif
            memset(out + first, -128, (size_t)(channels - first));
            for (int32_t y = win.y0; y < win.y1; ++y) {
                for (int32_t x = win.x0; x < win.x1; ++x) {
                    max_into(out + first, input + (y * in_w + x) * channels + first,
                             channels - first);
                }
            }
            for (int32_t c = first; c < channels; ++c) {
                out[c] = (int8_t)EDGEAI_CLAMP((int32_t)out[c], act_min, act_max);
            }
        }
    }
    return EDGEAI_OK;
}

int32_t edgeai_avg_pool_s8_get_buffer_size(const edgeai_pool_params *params)
{
    return params != NULL && pool_params_valid(params)
               ? EDGEAI_AVG_POOL_S8_BUFFER_SIZE(params->input.c)
               : 0;
}

edgeai_status edgeai_avg_pool_s8(const edgeai_pool_params *params, const edgeai_pool_data *data,
                                 const int8_t *input, int8_t *output, int32_t *scratch)
{
    if (!pool_args_valid(params, data, input, output) || scratch == NULL) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    const int32_t in_w = params->input.w;
    const int32_t channels = params->input.c;
    const int32_t act_min = data->act_min;
    const int32_t act_max = data->act_max;
    int32_t *sums = scratch;
    for (int32_t oy = 0; oy < params->output.h; ++oy) {
        for (int32_t ox = 0; ox < params->output.w; ++ox) {
            const pool_window win = window_of(params, oy, ox);
            const int32_t count = (win.y1 - win.y0) * (win.x1 - win.x0);
            if (win.y1 <= win.y0 || win.x1 <= win.x0) {
                return EDGEAI_ERROR_ARGUMENT;
            }
            int8_t *out = output + (oy * params->output.w + ox) * channels;
            int32_t first = 0;
#if EDGEAI_USE_DSP
            if (count <= 256) {
                avg_window4(input + (win.y0 * in_w + win.x0) * channels, win.y1 - win.y0,
                            win.x1 - win.x0, in_w * channels, channels, count,
                            (uint8_t)act_min * UINT32_C(0x01010101),
                            (uint8_t)act_max * UINT32_C(0x01010101), out);
                first = channels & ~3;
            }
#endif
            memset(sums, 0, sizeof(int32_t) * (size_t)channels);
            for (int32_t y = win.y0; y < win.y1; ++y) {
                for (int32_t x = win.x0; x < win.x1; ++x) {
                    const int8_t *in = input + (y * in_w + x) * channels;
                    for (int32_t c = first; c < channels; ++c) {
                        sums[c] += in[c];
                    }
                }
            }
            for (int32_t c = first; c < channels; ++c) {
                const int32_t sum = sums[c];
                /* Round half away from zero, with C's truncating division. */
                const int32_t avg = sum > 0 ? (sum + count / 2) / count
                                            : (sum - count / 2) / count;
                out[c] = (int8_t)EDGEAI_CLAMP(avg, act_min, act_max);
            }
        }
    }
    return EDGEAI_OK;
}
