/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: ADD, SUB and MUL with 16x8 quantization (int16, zero point 0), and
 * MAXIMUM and MINIMUM on int16 (raw values, as TFLM), with the broadcasting of
 * edgeai_elementwise.h (same edgeai_eltwise_params).
 *
 * Bit-exact with TensorFlow Lite Micro's int16 paths (reference_ops::Add with general
 * rescaling, Sub, BroadcastAdd4DSlow / BroadcastQuantSubSlow, reference_integer_ops::Mul /
 * BroadcastMul4DSlow):
 *
 *   ADD, SUB: s_k = requantize(x_k << 15, input_k_multiplier, input_k_shift)
 *             out = clamp(requantize(s_1 +/- s_2, output_multiplier, output_shift),
 *                         act_min, act_max)
 *   MUL:      out = clamp(requantize(x_1 * x_2, output_multiplier, output_shift),
 *                         act_min, act_max)
 *
 * (the int8 formulas with every zero point 0 and a left shift of 15 instead of 20: 32767 <<
 * 15 and the sum of two such values stay within int32).
 */
#ifndef EDGEAI_ELEMENTWISE_S16_H
#define EDGEAI_ELEMENTWISE_S16_H

#include "edgeai_common.h"
#include "edgeai_elementwise.h"

#ifdef __cplusplus
extern "C" {
#endif

/** ADD/SUB scale both int16 inputs by 2^15 before rescaling them (TFLite's left_shift). */
#define EDGEAI_ADD_S16_LEFT_SHIFT 15

/** Numeric data of a 16x8 ADD or SUB. */
typedef struct {
    const int16_t *constant;   /**< values of the constant input (its own shape), or NULL */
    int32_t input1_multiplier; /**< Q31 significand of scale1 / (2 max(scale1, scale2)) */
    int32_t input1_shift;      /**< its exponent, in [-31, 0] */
    int32_t input2_multiplier; /**< the same for input 2 */
    int32_t input2_shift;      /**< in [-31, 0] */
    int32_t output_multiplier; /**< Q31 significand of 2 max(scale1, scale2) / (2^15 scale_out) */
    int32_t output_shift;      /**< in [-31, 0] */
    int32_t act_min;           /**< clamp (fused activation), -32768 <= act_min <= act_max */
    int32_t act_max;           /**< <= 32767 */
} edgeai_add_s16_data;

/** Numeric data of a 16x8 MUL. */
typedef struct {
    const int16_t *constant;   /**< values of the constant input (its own shape), or NULL */
    int32_t output_multiplier; /**< Q31 significand of scale1 scale2 / scale_out, or 0 */
    int32_t output_shift;      /**< in [-31, 30] */
    int32_t act_min;           /**< clamp (fused activation), -32768 <= act_min <= act_max */
    int32_t act_max;           /**< <= 32767 */
} edgeai_mul_s16_data;

/** Numeric data of an int16 MAXIMUM or MINIMUM with a constant input (none without). */
typedef struct {
    const int16_t *constant; /**< values of the constant input (its own shape) */
} edgeai_minmax_s16_data;

/*
 * Two run-time inputs: params->constant must be 0.
 * @param input1, input2 int16 tensors in their own (row-major) shapes
 * @param output         int16, params->size elements; must not overlap the inputs
 * @return EDGEAI_OK, or EDGEAI_ERROR_ARGUMENT for a NULL pointer or an impossible parameter
 */
edgeai_status edgeai_add_s16(const edgeai_eltwise_params *params, const edgeai_add_s16_data *data,
                             const int16_t *input1, const int16_t *input2, int16_t *output);
edgeai_status edgeai_sub_s16(const edgeai_eltwise_params *params, const edgeai_add_s16_data *data,
                             const int16_t *input1, const int16_t *input2, int16_t *output);
edgeai_status edgeai_mul_s16(const edgeai_eltwise_params *params, const edgeai_mul_s16_data *data,
                             const int16_t *input1, const int16_t *input2, int16_t *output);
edgeai_status edgeai_maximum_s16(const edgeai_eltwise_params *params, const int16_t *input1,
                                 const int16_t *input2, int16_t *output);
edgeai_status edgeai_minimum_s16(const edgeai_eltwise_params *params, const int16_t *input1,
                                 const int16_t *input2, int16_t *output);

/* One constant input (params->constant is 1 or 2, data->constant holds it). */
edgeai_status edgeai_add_const_s16(const edgeai_eltwise_params *params,
                                   const edgeai_add_s16_data *data, const int16_t *input,
                                   int16_t *output);
edgeai_status edgeai_sub_const_s16(const edgeai_eltwise_params *params,
                                   const edgeai_add_s16_data *data, const int16_t *input,
                                   int16_t *output);
edgeai_status edgeai_mul_const_s16(const edgeai_eltwise_params *params,
                                   const edgeai_mul_s16_data *data, const int16_t *input,
                                   int16_t *output);
edgeai_status edgeai_maximum_const_s16(const edgeai_eltwise_params *params,
                                       const edgeai_minmax_s16_data *data, const int16_t *input,
                                       int16_t *output);
edgeai_status edgeai_minimum_const_s16(const edgeai_eltwise_params *params,
                                       const edgeai_minmax_s16_data *data, const int16_t *input,
                                       int16_t *output);

#ifdef __cplusplus
}
#endif

#endif /* EDGEAI_ELEMENTWISE_S16_H */
