/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: QUANTIZE (float32 -> int8, int8 -> int8) and DEQUANTIZE (int8 -> float32).
 *
 * Bit-exact with TensorFlow Lite Micro's reference kernels:
 * - QUANTIZE float32 -> int8 (AffineQuantize):
 *     out = clamp(round_half_away(in / scale) + zero_point, -128, 127)
 *   with the division in float32 (`in / (float)scale`), as TFLM does.
 * - QUANTIZE int8 -> int8 (Requantize):
 *     out = clamp(MultiplyByQuantizedMultiplier(in - zp_in, multiplier, shift) + zp_out)
 *   with the multiplier of input_scale / output_scale computed like TFLM's QuantizeMultiplier.
 * - DEQUANTIZE int8 -> float32: out = (float)((double)scale * (in - zero_point)).
 *   The double product of a float32 scale and an integer of at most 9 bits is exact, so one
 *   float32 multiplication rounds to the same float: the kernel needs no double arithmetic.
 *
 * Out-of-range floats: TFLM converts `round(in / scale)` to int32 with a C++ cast, undefined
 * for NaN, infinities and |in / scale| >= 2^31 (on x86 it yields INT32_MIN, to which the zero
 * point is then added with wrap-around; Arm saturates). This kernel saturates (+inf -> 127,
 * -inf -> -128) and maps NaN to -128; every other input gives TFLM's value exactly.
 */
#ifndef EDGEAI_QUANTIZE_H
#define EDGEAI_QUANTIZE_H

#include "edgeai_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Structure of a QUANTIZE or DEQUANTIZE layer. */
typedef struct {
    int32_t size; /**< elements; >= 1 */
} edgeai_quantize_params;

/** Numeric data of an affine float <-> int8 conversion. */
typedef struct {
    float scale;        /**< the int8 tensor's scale (a positive float32) */
    int32_t zero_point; /**< the int8 tensor's zero point, in [-128, 127] */
} edgeai_affine_data;

/** Numeric data of an int8 -> int8 requantization. */
typedef struct {
    int32_t multiplier;    /**< Q31 significand of input_scale / output_scale, or 0 */
    int32_t shift;         /**< its power-of-two exponent, in [-31, 30] */
    int32_t input_offset;  /**< minus the input zero point, in [-127, 128] */
    int32_t output_offset; /**< output zero point, in [-128, 127] */
} edgeai_requantize_data;

/**
 * QUANTIZE float32 -> int8.
 * @param output must not overlap input
 * @return EDGEAI_OK, or EDGEAI_ERROR_ARGUMENT for a NULL pointer or a non-positive size
 */
edgeai_status edgeai_quantize_f32_s8(const edgeai_quantize_params *params,
                                     const edgeai_affine_data *data, const float *input,
                                     int8_t *output);

/**
 * QUANTIZE int8 -> int8 (a change of scale and/or zero point).
 * @return EDGEAI_OK, or EDGEAI_ERROR_ARGUMENT for a NULL pointer or a non-positive size
 */
edgeai_status edgeai_requantize_s8(const edgeai_quantize_params *params,
                                   const edgeai_requantize_data *data, const int8_t *input,
                                   int8_t *output);

/**
 * DEQUANTIZE int8 -> float32.
 * @return EDGEAI_OK, or EDGEAI_ERROR_ARGUMENT for a NULL pointer or a non-positive size
 */
edgeai_status edgeai_dequantize_s8_f32(const edgeai_quantize_params *params,
                                       const edgeai_affine_data *data, const int8_t *input,
                                       float *output);

/*
 * 16x8 conversions, the same formulas with int16 on one side or both (clamped to the
 * output type; TFLM's Requantize and AffineQuantize for int16):
 * QUANTIZE float32 -> int16, int16 -> int16, int16 -> int8, int8 -> int16; DEQUANTIZE
 * int16 -> float32 (the double product of a float32 scale and a 17-bit integer is exact
 * too). data->input_offset and output_offset may then span int16.
 */
edgeai_status edgeai_quantize_f32_s16(const edgeai_quantize_params *params,
                                      const edgeai_affine_data *data, const float *input,
                                      int16_t *output);
edgeai_status edgeai_requantize_s16(const edgeai_quantize_params *params,
                                    const edgeai_requantize_data *data, const int16_t *input,
                                    int16_t *output);
edgeai_status edgeai_requantize_s16_s8(const edgeai_quantize_params *params,
                                       const edgeai_requantize_data *data, const int16_t *input,
                                       int8_t *output);
edgeai_status edgeai_requantize_s8_s16(const edgeai_quantize_params *params,
                                       const edgeai_requantize_data *data, const int8_t *input,
                                       int16_t *output);
edgeai_status edgeai_dequantize_s16_f32(const edgeai_quantize_params *params,
                                        const edgeai_affine_data *data, const int16_t *input,
                                        float *output);

#ifdef __cplusplus
}
#endif

#endif /* EDGEAI_QUANTIZE_H */
