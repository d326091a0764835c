/*
 * edgeai runtime: int8 MAX_POOL_2D and AVERAGE_POOL_2D. See edgeai_pool.h.
 */
#include "edgeai_pool.h"

#include <stddef.h>
#include <string.h>

#if (defined(__ARM_FEATURE_DSP) && !defined(EDGEAI_NO_DSP) && !defined(EDGEAI_EMULATE_DSP))
#include <arm_acle.h>
#define EDGEAI_POOL_SIMD 1
#else
#define EDGEAI_POOL_SIMD 0
#endif

static int pool_params_valid(const edgeai_pool_params *p)
{
    return p->input.h > 0 && p->input.w > 0 && p->input.c > 0 && p->output.h > 0 &&
           p->output.w > 0 && p->output.c == p->input.c && p->filter_h > 0 && p->filter_w > 0 &&
           p->stride_h > 0 && p->stride_w > 0 && p->pad_top >= 0 && p->pad_left >= 0;
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
    int32_t c = 0;
#if EDGEAI_POOL_SIMD
    /* SSUB8 sets the GE flags per byte where in >= out, SEL picks those bytes. */
    for (; c + 4 <= channels; c += 4) {
        uint32_t a;
        uint32_t b;
        memcpy(&a, in + c, 4);
        memcpy(&b, out + c, 4);
        (void)__ssub8((int8x4_t)a, (int8x4_t)b);
        const uint32_t m = __sel(a, b);
        memcpy(out + c, &m, 4);
    }
#endif
    for (; c < channels; ++c) {
        out[c] = in[c] > out[c] ? in[c] : out[c];
    }
}

edgeai_status edgeai_max_pool_s8(const edgeai_pool_params *params, const edgeai_pool_data *data,
                                 const int8_t *input, int8_t *output)
{
    if (params == NULL || data == NULL || input == NULL || output == NULL ||
        !pool_params_valid(params)) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    const int32_t in_w = params->input.w;
    const int32_t channels = params->input.c;
    const int32_t act_min = data->act_min;
    const int32_t act_max = data->act_max;
    for (int32_t oy = 0; oy < params->output.h; ++oy) {
        for (int32_t ox = 0; ox < params->output.w; ++ox) {
            const pool_window win = window_of(params, oy, ox);
            int8_t *out = output + (oy * params->output.w + ox) * channels;
            memset(out, -128, (size_t)channels);
            for (int32_t y = win.y0; y < win.y1; ++y) {
                for (int32_t x = win.x0; x < win.x1; ++x) {
                    max_into(out, input + (y * in_w + x) * channels, channels);
                }
            }
            for (int32_t c = 0; c < channels; ++c) {
                out[c] = (int8_t)EDGEAI_CLAMP((int32_t)out[c], act_min, act_max);
            }
        }
    }
    return EDGEAI_OK;
}

int32_t edgeai_avg_pool_s8_get_buffer_size(const edgeai_pool_params *params)
{
    return params != NULL && pool_params_valid(params)
               ? (int32_t)sizeof(int32_t) * params->input.c
               : 0;
}

edgeai_status edgeai_avg_pool_s8(const edgeai_pool_params *params, const edgeai_pool_data *data,
                                 const int8_t *input, int8_t *output, int32_t *scratch)
{
    if (params == NULL || data == NULL || input == NULL || output == NULL || scratch == NULL ||
        !pool_params_valid(params)) {
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
            memset(sums, 0, sizeof(int32_t) * (size_t)channels);
            for (int32_t y = win.y0; y < win.y1; ++y) {
                for (int32_t x = win.x0; x < win.x1; ++x) {
                    const int8_t *in = input + (y * in_w + x) * channels;
                    for (int32_t c = 0; c < channels; ++c) {
                        sums[c] += in[c];
                    }
                }
            }
            int8_t *out = output + (oy * params->output.w + ox) * channels;
            for (int32_t c = 0; c < channels; ++c) {
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
