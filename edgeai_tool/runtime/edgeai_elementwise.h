/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: element-wise binary ops on int8 tensors with broadcasting:
 * ADD, SUB, MUL (fused activation as a clamp), MAXIMUM and MINIMUM.
 *
 * Bit-exact with TensorFlow Lite Micro's reference kernels
 * (reference_integer_ops::Add / BroadcastAdd6DSlow, reference_ops::Sub /
 * BroadcastQuantSubSlow, reference_integer_ops::Mul / BroadcastMul6DSlow,
 * reference_ops::MaximumMinimumBroadcastSlow):
 *
 *   ADD, SUB: s_k = requantize((x_k + input_k_offset) << 20, input_k_multiplier, input_k_shift)
 *             out = clamp(requantize(s_1 +/- s_2, output_multiplier, output_shift)
 *                         + output_offset, act_min, act_max)
 *   MUL:      out = clamp(requantize((x_1 + input1_offset) * (x_2 + input2_offset),
 *                                    output_multiplier, output_shift) + output_offset,
 *                         act_min, act_max)
 *   MAXIMUM, MINIMUM: out = max(x_1, x_2) / min(x_1, x_2) on the raw int8 values; TFLite
 *             Micro ignores the quantization of these ops, and so does this kernel.
 *
 * Each output element depends only on the pair of input elements that broadcasting maps to
 * it, so the loop order is free. The generator merges dimensions (NumPy/TFLite broadcast
 * rules, shapes right-aligned) into at most four, outermost first, with one element stride
 * per input and dimension (0 where that input is broadcast). A same-shape op is one flat loop.
 *
 * ADD/SUB may carry a 256-entry int32 table per input (`input1_lut`, `input2_lut`), in one of
 * two forms (`lut_output`):
 *   0: each input's first requantization s_k: the same integers, one requantization per
 *      element instead of three;
 *   1: each input's share of the output in Q22 (EDGEAI_ADD_LUT_OUTPUT_SHIFT), the zero point
 *      and the rounding folded into input 1's (and input 2's negated for SUB):
 *      out = clamp(sat8((lut1[x_1] + lut2[x_2]) >> 22), act_min, act_max). The generator
 *      uses this form only when it equals the formula above for all 65536 int8 pairs.
 *
 * One input may be a constant: the `_const_` entry points take the single run-time input and
 * read the other operand from `data->constant` (`params->constant` says which side it is).
 *
 * Buffers: the output must not overlap either input. (Writing in place over an input of the
 * output's own shape would be safe, element i being read before it is written, but the
 * memory planner never asks for it.)
 */
#ifndef EDGEAI_ELEMENTWISE_H
#define EDGEAI_ELEMENTWISE_H

#include "edgeai_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Dimensions of the merged broadcast loop nest. */
#define EDGEAI_ELTWISE_DIMS 4
/** ADD/SUB scale both inputs by 2^20 before rescaling them (TFLite's int8 left_shift). */
#define EDGEAI_ADD_LEFT_SHIFT 20
/** Fixed point of ADD/SUB output tables (lut_output 1). */
#define EDGEAI_ADD_LUT_OUTPUT_SHIFT 22

/** Structure of an element-wise layer (shapes only), shared by the five ops. */
typedef struct {
    int32_t size;      /**< output elements, >= 1 */
    int32_t broadcast; /**< 0: inputs and output have `size` elements each (one flat loop);
                            1: the loop nest below */
    int32_t shape[EDGEAI_ELTWISE_DIMS];   /**< merged output shape, outermost first; each >= 1,
                                               product == size; shape[3] is contiguous */
    int32_t stride1[EDGEAI_ELTWISE_DIMS]; /**< input 1 element step per dimension; 0 where
                                               input 1 is broadcast; stride1[3] in {0, 1} */
    int32_t stride2[EDGEAI_ELTWISE_DIMS]; /**< the same for input 2 */
    int32_t constant;  /**< 0: both inputs at run time; 1 or 2: that input is data->constant
                            (use the `_const_` entry point) */
} edgeai_eltwise_params;

/** Numeric data of ADD and SUB (a retrained model changes only these). */
typedef struct {
    const int8_t *constant;    /**< values of the constant input (its own shape), or NULL */
    const int32_t *input1_lut; /**< NULL, or [256]: entry x + 128 is input 1's value x already
                                    rescaled (the first requantization above), or its share
                                    of the output (lut_output 1) */
    const int32_t *input2_lut; /**< the same for input 2; both tables or neither */
    int32_t lut_output;        /**< 1: the tables hold output shares (see above), else 0 */
    int32_t input1_offset;     /**< minus input 1's zero point, in [-127, 128] */
    int32_t input1_multiplier; /**< Q31 significand of scale1 / (2 max(scale1, scale2)) */
    int32_t input1_shift;      /**< its exponent, in [-31, 0] */
    int32_t input2_offset;     /**< minus input 2's zero point, in [-127, 128] */
    int32_t input2_multiplier; /**< Q31 significand of scale2 / (2 max(scale1, scale2)) */
    int32_t input2_shift;      /**< in [-31, 0] */
    int32_t output_multiplier; /**< Q31 significand of 2 max(scale1, scale2) / (2^20 scale_out) */
    int32_t output_shift;      /**< in [-31, 0] */
    int32_t output_offset;     /**< output zero point, in [-128, 127] */
    int32_t act_min;           /**< clamp (fused activation), -128 <= act_min <= act_max */
    int32_t act_max;           /**< <= 127 */
} edgeai_add_data;

/** Numeric data of MUL. */
typedef struct {
    const int8_t *constant;    /**< values of the constant input (its own shape), or NULL */
    int32_t input1_offset;     /**< minus input 1's zero point, in [-127, 128] */
    int32_t input2_offset;     /**< minus input 2's zero point, in [-127, 128] */
    int32_t output_multiplier; /**< Q31 significand of scale1 scale2 / scale_out, or 0 */
    int32_t output_shift;      /**< in [-31, 30] */
    int32_t output_offset;     /**< output zero point, in [-128, 127] */
    int32_t act_min;           /**< clamp (fused activation), -128 <= act_min <= act_max */
    int32_t act_max;           /**< <= 127 */
} edgeai_mul_data;

/** Numeric data of MAXIMUM and MINIMUM with a constant input (none without). */
typedef struct {
    const int8_t *constant; /**< values of the constant input (its own shape) */
} edgeai_minmax_data;

/*
 * Two run-time inputs: params->constant must be 0.
 * @param input1, input2 int8 tensors in their own (row-major) shapes
 * @param output         int8, params->size elements; must not overlap the inputs
 * @return EDGEAI_OK, or EDGEAI_ERROR_ARGUMENT for a NULL pointer or an impossible parameter
 */
edgeai_status edgeai_add_s8(const edgeai_eltwise_params *params, const edgeai_add_data *data,
                            const int8_t *input1, const int8_t *input2, int8_t *output);
edgeai_status edgeai_sub_s8(const edgeai_eltwise_params *params, const edgeai_add_data *data,
                            const int8_t *input1, const int8_t *input2, int8_t *output);
edgeai_status edgeai_mul_s8(const edgeai_eltwise_params *params, const edgeai_mul_data *data,
                            const int8_t *input1, const int8_t *input2, int8_t *output);
edgeai_status edgeai_maximum_s8(const edgeai_eltwise_params *params, const int8_t *input1,
                                const int8_t *input2, int8_t *output);
edgeai_status edgeai_minimum_s8(const edgeai_eltwise_params *params, const int8_t *input1,
                                const int8_t *input2, int8_t *output);

/*
 * One constant input (params->constant is 1 or 2, data->constant holds it).
 * @param input  the other input, at run time
 * @param output int8, params->size elements; must not overlap the input
 */
edgeai_status edgeai_add_const_s8(const edgeai_eltwise_params *params, const edgeai_add_data *data,
                                  const int8_t *input, int8_t *output);
edgeai_status edgeai_sub_const_s8(const edgeai_eltwise_params *params, const edgeai_add_data *data,
                                  const int8_t *input, int8_t *output);
edgeai_status edgeai_mul_const_s8(const edgeai_eltwise_params *params, const edgeai_mul_data *data,
                                  const int8_t *input, int8_t *output);
edgeai_status edgeai_maximum_const_s8(const edgeai_eltwise_params *params,
                                      const edgeai_minmax_data *data, const int8_t *input,
                                      int8_t *output);
edgeai_status edgeai_minimum_const_s8(const edgeai_eltwise_params *params,
                                      const edgeai_minmax_data *data, const int8_t *input,
                                      int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* EDGEAI_ELEMENTWISE_H */
