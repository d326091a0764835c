/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: int8 2-D convolution (TFLite CONV_2D), alone or fused with the
 * MAX_POOL_2D / AVERAGE_POOL_2D that follows it.
 *
 * Bit-exact with TensorFlow Lite Micro's reference kernels
 * (reference_integer_ops::ConvPerChannel, then MaxPool / AveragePool).
 *
 * Layouts: activations NHWC with batch 1; weights OHWI (out_c, k_h, k_w, in_c / groups).
 *
 * The generator folds the input zero point into the bias:
 *     bias'[o] = bias[o] - input_zero_point * sum(weights[o])
 * so the kernel accumulates bias' + sum(w * x) and reads every tap outside the image as
 * `pad_value` (= input_zero_point), whose product cancels in the fold. This is exact in
 * 32-bit arithmetic and equals TFLM's sum of w * (x - zero_point) over the taps inside.
 *
 * Two code paths give identical results: a portable C99 one, and a Cortex-M DSP one
 * (SXTB16 + SMLAD, chosen when __ARM_FEATURE_DSP is defined or when EDGEAI_EMULATE_DSP
 * is defined, which emulates the instructions in C so the path can be tested on a host;
 * EDGEAI_NO_DSP forces the portable path).
 */
#ifndef EDGEAI_CONV_H
#define EDGEAI_CONV_H

#include <stdint.h>

#include "edgeai_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Structure of a convolution (all values are known when the model is compiled). */
typedef struct {
    edgeai_hwc input;   /**< input shape; h, w, c >= 1 */
    edgeai_hwc output;  /**< output shape; output.c = filters, a multiple of `groups` */
    int32_t kernel_h;   /**< filter height >= 1 */
    int32_t kernel_w;   /**< filter width >= 1 */
    int32_t stride_h;   /**< >= 1 */
    int32_t stride_w;   /**< >= 1 */
    int32_t dilation_h; /**< >= 1 */
    int32_t dilation_w; /**< >= 1 */
    int32_t pad_top;    /**< rows of implicit padding above the input (TFLM's padding.height) */
    int32_t pad_left;   /**< columns of implicit padding left of the input (padding.width) */
    int32_t groups;     /**< input.c / filter depth; 1 for an ordinary convolution */
} edgeai_conv_params;

/** Numbers of a convolution (they change when the model is retrained). */
typedef struct {
    int32_t pad_value;         /**< the input zero point, in [-128, 127] */
    int32_t output_offset;     /**< the output zero point, in [-128, 127] */
    int32_t act_min;           /**< clamp after requantization, -128 <= act_min <= act_max */
    int32_t act_max;           /**< ... <= 127; implements the fused activation */
    int32_t rq_fast;           /**< 1 when edgeai_rq_fast is exact for every channel */
    const int8_t *weights;     /**< OHWI: [output.c][kernel_h][kernel_w][input.c / groups] */
    const int32_t *bias;       /**< [output.c], input zero point folded in (see above) */
    const int32_t *requant;    /**< [output.c][EDGEAI_RQ_WORDS] requantization records */
} edgeai_conv_data;

/**
 * CONV_2D: output = clamp(requantize(bias' + sum(w * x)) + output_offset).
 * @param scratch edgeai_conv_s8_get_buffer_size(params) bytes (may be NULL if that is 0)
 * @return EDGEAI_OK, or EDGEAI_ERROR_ARGUMENT for a NULL pointer or invalid structure
 */
edgeai_status edgeai_conv_s8(const edgeai_conv_params *params, const edgeai_conv_data *data,
                             const int8_t *input, int8_t *output, int8_t *scratch);

/**
 * Bytes of scratch that edgeai_conv_s8 needs: 2 * kernel_h * kernel_w * input.c / groups
 * (two im2col columns), the same on both code paths; 0 for a 1x1 filter without padding.
 */
int32_t edgeai_conv_s8_get_buffer_size(const edgeai_conv_params *params);

/**
 * CONV_2D with a 1x1 filter, stride 1, no padding and groups 1: reads the input in
 * place, needs no scratch.
 */
edgeai_status edgeai_conv_1x1_s8(const edgeai_conv_params *params, const edgeai_conv_data *data,
                                 const int8_t *input, int8_t *output);

/** Which pooling follows the convolution in edgeai_conv_pool_s8. */
typedef enum {
    EDGEAI_POOL_MAX = 0,
    EDGEAI_POOL_AVERAGE = 1
} edgeai_pool_kind;

/**
 * Structure of a convolution fused with the pooling that reads its output: the fields of
 * edgeai_conv_params (conv_output is the convolution's output, never stored) and of the
 * pooling, whose padding applies to conv_output.
 */
typedef struct {
    edgeai_hwc input;       /**< convolution input */
    edgeai_hwc conv_output; /**< convolution output (pooling input); c = filters */
    edgeai_hwc output;      /**< pooled output; c = conv_output.c */
    int32_t kernel_h;       /**< as in edgeai_conv_params */
    int32_t kernel_w;
    int32_t stride_h;
    int32_t stride_w;
    int32_t dilation_h;
    int32_t dilation_w;
    int32_t pad_top;
    int32_t pad_left;
    int32_t groups;
    int32_t pool_kind;     /**< an edgeai_pool_kind */
    int32_t pool_h;        /**< pooling window height >= 1 */
    int32_t pool_w;        /**< pooling window width >= 1 */
    int32_t pool_stride_h; /**< >= 1 */
    int32_t pool_stride_w; /**< >= 1 */
    int32_t pool_pad_top;  /**< pooling padding above conv_output (never read) */
    int32_t pool_pad_left; /**< pooling padding left of conv_output (never read) */
} edgeai_conv_pool_params;

/** Numbers of a fused convolution and pooling: edgeai_conv_data's, then the pool clamp. */
typedef struct {
    int32_t pad_value;         /**< as in edgeai_conv_data */
    int32_t output_offset;     /**< zero point of the convolution output (= pooled output) */
    int32_t act_min;           /**< the convolution's fused activation */
    int32_t act_max;
    int32_t rq_fast;
    const int8_t *weights;
    const int32_t *bias;
    const int32_t *requant;
    int32_t pool_act_min; /**< the pooling's fused activation */
    int32_t pool_act_max;
} edgeai_conv_pool_data;

/**
 * CONV_2D followed by MAX_POOL_2D or AVERAGE_POOL_2D, without storing the convolution's
 * output: each pooled value is computed from the int8 convolution outputs of its window
 * (recomputed where windows overlap). Bit-exact with TFLM running the two ops.
 * @param scratch edgeai_conv_pool_s8_get_buffer_size(params) bytes
 */
edgeai_status edgeai_conv_pool_s8(const edgeai_conv_pool_params *params,
                                  const edgeai_conv_pool_data *data, const int8_t *input,
                                  int8_t *output, int8_t *scratch);

/**
 * Bytes of scratch that edgeai_conv_pool_s8 needs (always > 0): the im2col columns of
 * edgeai_conv_s8, two pixels of convolution outputs and, for an average, one int32 sum per
 * channel (4-byte aligned within the scratch).
 */
int32_t edgeai_conv_pool_s8_get_buffer_size(const edgeai_conv_pool_params *params);

/* ---- helpers shared by the convolution kernels (not part of the API) ---------------- */

#if (defined(__ARM_FEATURE_DSP) || defined(EDGEAI_EMULATE_DSP)) && !defined(EDGEAI_NO_DSP)
#define EDGEAI_USE_DSP 1
#else
#define EDGEAI_USE_DSP 0
#endif

/**
 * One requantization record per output channel: EDGEAI_RQ_WORDS int32 values,
 * {multiplier, left_shift + 1, right_shift, nudge} with left_shift = max(shift, 0),
 * right_shift = max(-shift, 0) and nudge = 2^(right_shift - 1) (0 when right_shift is 0).
 */
#define EDGEAI_RQ_WORDS 4

/**
 * MultiplyByQuantizedMultiplier for multiplier >= 0, as one 64-bit multiply-accumulate:
 * (x * m + 2^30) >> 31 equals gemmlowp's SaturatingRoundingDoublingHighMul whenever
 * m != INT32_MIN (its nudge for negative products and truncating division round the
 * same way as this floor), then the same rounding divide by a power of two.
 */
static inline int32_t edgeai_conv_requantize(int32_t x, int32_t multiplier, int32_t shift)
{
    const int32_t left_shift = shift > 0 ? shift : 0;
    const int32_t right_shift = shift > 0 ? 0 : -shift;
    const int32_t scaled = (int32_t)((uint32_t)x << left_shift);
    const int64_t product = (int64_t)scaled * multiplier + (INT64_C(1) << 30);
    const int32_t high = (int32_t)(product >> 31);
    const int32_t mask = (int32_t)((UINT32_C(1) << right_shift) - 1U);
    const int32_t remainder = high & mask;
    const int32_t threshold = (mask >> 1) + (high < 0 ? 1 : 0);
    return (high >> right_shift) + (remainder > threshold ? 1 : 0);
}

/** The same from a record (any accumulator). */
static inline int32_t edgeai_rq_exact(int32_t x, const int32_t *rq)
{
    return edgeai_conv_requantize(x, rq[0], rq[1] > 1 ? rq[1] - 1 : -rq[2]);
}

/** (a * b + 2^31) >> 32: SMMULR. */
#if defined(__ARM_FEATURE_DSP) && !defined(EDGEAI_EMULATE_DSP) && !defined(EDGEAI_NO_DSP)
static inline int32_t edgeai_smmulr(int32_t a, int32_t b)
{
    int32_t result;
    __asm("smmulr %0, %1, %2" : "=r"(result) : "r"(a), "r"(b));
    return result;
}
#else
static inline int32_t edgeai_smmulr(int32_t a, int32_t b)
{
    return (int32_t)(((int64_t)a * b + (INT64_C(1) << 31)) >> 32);
}
#endif

/**
 * The record's requantization in five instructions, exact when the layer's `rq_fast` holds:
 * every right_shift >= 1 and |x| << left_shift < 2^30 for every reachable accumulator (the
 * generator bounds them from the weights and biases). Then x << (left_shift + 1) does not
 * overflow, SMMULR of it equals (scaled * m + 2^30) >> 31, and
 * (high + nudge - (high < 0)) >> right_shift is RoundingDivideByPOT.
 */
static inline int32_t edgeai_rq_fast(int32_t x, const int32_t *rq)
{
    const int32_t high = edgeai_smmulr((int32_t)((uint32_t)x << rq[1]), rq[0]);
    return (high + rq[3] - (int32_t)((uint32_t)high >> 31)) >> rq[2];
}

static inline int32_t edgeai_rq(int32_t x, const int32_t *rq, int32_t fast)
{
    return fast ? edgeai_rq_fast(x, rq) : edgeai_rq_exact(x, rq);
}

#if EDGEAI_USE_DSP
#if defined(__ARM_FEATURE_DSP) && !defined(EDGEAI_EMULATE_DSP)
#include <arm_acle.h>
/** Bytes 0 and 2 of x, sign-extended into two int16 halves (SXTB16). */
#define EDGEAI_SXTB16(x) ((int32_t)__sxtb16((int32_t)(x)))
/** Bytes 1 and 3 of x, sign-extended into two int16 halves (one SXTB16 x, ROR #8). */
static inline int32_t edgeai_sxtb16_ror8(uint32_t x)
{
    int32_t result;
    __asm("sxtb16 %0, %1, ror #8" : "=r"(result) : "r"(x));
    return result;
}
#define EDGEAI_SXTB16_ROR8(x) edgeai_sxtb16_ror8((uint32_t)(x))
/** acc + lo(a) * lo(b) + hi(a) * hi(b) on int16 halves (SMLAD). */
#define EDGEAI_SMLAD(a, b, acc) __smlad((a), (b), (acc))
#define EDGEAI_SMLABB(a, b, acc) __smlabb((a), (b), (acc))
#define EDGEAI_SMLATT(a, b, acc) __smlatt((a), (b), (acc))
/** Halfwise a - b (SSUB16). */
#define EDGEAI_SSUB16(a, b) ((int32_t)__ssub16((a), (b)))
/** acc + bytes 0 and 2 (or 1 and 3) of x sign-extended, halfwise (SXTAB16). */
#define EDGEAI_SXTAB16(acc, x) ((int32_t)__sxtab16((acc), (int32_t)(x)))
static inline int32_t edgeai_sxtab16_ror8(int32_t acc, uint32_t x)
{
    int32_t result;
    __asm("sxtab16 %0, %1, %2, ror #8" : "=r"(result) : "r"(acc), "r"(x));
    return result;
}
#define EDGEAI_SXTAB16_ROR8(acc, x) edgeai_sxtab16_ror8((acc), (uint32_t)(x))
/** Bytewise max and min of signed bytes (SSUB8 sets GE, SEL picks). */
static inline uint32_t edgeai_max8(uint32_t a, uint32_t b)
{
    (void)__ssub8((int8x4_t)a, (int8x4_t)b);
    return __sel(a, b);
}
static inline uint32_t edgeai_min8(uint32_t a, uint32_t b)
{
    (void)__ssub8((int8x4_t)a, (int8x4_t)b);
    return __sel(b, a);
}
/** Saturate to int8 (SSAT #8). */
#define EDGEAI_SSAT8(x) __ssat((x), 8)
#else
static inline int32_t edgeai_emu_sxtb16(uint32_t x)
{
    const uint32_t lo = (uint32_t)(int32_t)(int8_t)(uint8_t)(x & 0xFFU) & 0xFFFFU;
    const uint32_t hi = (uint32_t)(int32_t)(int8_t)(uint8_t)((x >> 16) & 0xFFU) << 16;
    return (int32_t)(hi | lo);
}
static inline int32_t edgeai_emu_lo(int32_t x) { return (int32_t)(int16_t)(uint16_t)((uint32_t)x & 0xFFFFU); }
static inline int32_t edgeai_emu_hi(int32_t x) { return (int32_t)(int16_t)(uint16_t)((uint32_t)x >> 16); }
static inline int32_t edgeai_emu_smlad(int32_t a, int32_t b, int32_t acc)
{
    const uint32_t sum = (uint32_t)acc + (uint32_t)(edgeai_emu_lo(a) * edgeai_emu_lo(b)) +
                         (uint32_t)(edgeai_emu_hi(a) * edgeai_emu_hi(b));
    return (int32_t)sum;
}
static inline int32_t edgeai_emu_ssub16(int32_t a, int32_t b)
{
    const uint32_t lo = (uint32_t)(edgeai_emu_lo(a) - edgeai_emu_lo(b)) & 0xFFFFU;
    const uint32_t hi = (uint32_t)(edgeai_emu_hi(a) - edgeai_emu_hi(b)) << 16;
    return (int32_t)(hi | lo);
}
static inline uint32_t edgeai_emu_select8(uint32_t a, uint32_t b, int want_max)
{
    uint32_t result = 0;
    for (int i = 0; i < 32; i += 8) {
        const int32_t x = (int8_t)(uint8_t)(a >> i);
        const int32_t y = (int8_t)(uint8_t)(b >> i);
        const int32_t pick = want_max ? (x >= y ? x : y) : (x >= y ? y : x);
        result |= (uint32_t)(uint8_t)pick << i;
    }
    return result;
}
#define EDGEAI_SXTB16(x) edgeai_emu_sxtb16((uint32_t)(x))
#define EDGEAI_SXTB16_ROR8(x) edgeai_emu_sxtb16((uint32_t)(x) >> 8)
#define EDGEAI_SMLAD(a, b, acc) edgeai_emu_smlad((a), (b), (acc))
#define EDGEAI_SMLABB(a, b, acc) \
    ((int32_t)((uint32_t)(acc) + (uint32_t)(edgeai_emu_lo(a) * edgeai_emu_lo(b))))
#define EDGEAI_SMLATT(a, b, acc) \
    ((int32_t)((uint32_t)(acc) + (uint32_t)(edgeai_emu_hi(a) * edgeai_emu_hi(b))))
#define EDGEAI_SSUB16(a, b) edgeai_emu_ssub16((a), (b))
static inline int32_t edgeai_emu_sxtab16(int32_t acc, uint32_t x)
{
    const int32_t b = edgeai_emu_sxtb16(x);
    const uint32_t lo = (uint32_t)(edgeai_emu_lo(acc) + edgeai_emu_lo(b)) & 0xFFFFU;
    const uint32_t hi = (uint32_t)(edgeai_emu_hi(acc) + edgeai_emu_hi(b)) << 16;
    return (int32_t)(hi | lo);
}
#define EDGEAI_SXTAB16(acc, x) edgeai_emu_sxtab16((acc), (uint32_t)(x))
#define EDGEAI_SXTAB16_ROR8(acc, x) edgeai_emu_sxtab16((acc), (uint32_t)(x) >> 8)
#define edgeai_max8(a, b) edgeai_emu_select8((a), (b), 1)
#define edgeai_min8(a, b) edgeai_emu_select8((a), (b), 0)
#define EDGEAI_SSAT8(x) EDGEAI_CLAMP((x), -128, 127)
#endif

/**
 * Four requantized accumulators (consecutive channels c..c+3 of one pixel) plus the offset,
 * saturated to int8, packed little-endian and clamped bytewise to [lo, hi] (each given as
 * the byte repeated four times).
 */
static inline uint32_t edgeai_pack4(int32_t v0, int32_t v1, int32_t v2, int32_t v3,
                                    uint32_t lo4, uint32_t hi4)
{
    const uint32_t packed = ((uint32_t)EDGEAI_SSAT8(v0) & 0xFFU) |
                            (((uint32_t)EDGEAI_SSAT8(v1) & 0xFFU) << 8) |
                            (((uint32_t)EDGEAI_SSAT8(v2) & 0xFFU) << 16) |
                            ((uint32_t)EDGEAI_SSAT8(v3) << 24);
    return edgeai_min8(edgeai_max8(packed, lo4), hi4);
}
#endif /* EDGEAI_USE_DSP */

#ifdef __cplusplus
}
#endif

#endif /* EDGEAI_CONV_H */
