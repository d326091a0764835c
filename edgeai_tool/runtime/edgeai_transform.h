/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: data movement without arithmetic (TRANSPOSE, STRIDED_SLICE, PAD/PADV2,
 * CONCATENATION and PACK, SPLIT, SPLIT_V and UNPACK), int8.
 *
 * Bit-exact with TensorFlow Lite Micro's reference kernels, which only copy raw values:
 * none of these ops reads a scale (TFLM's CONCATENATION requires every input to share the
 * output's scale and zero point; PAD writes the output zero point or PADV2's constant).
 *
 * The generator reduces every op to one "box move": up to EDGEAI_MOVE_DIMS nested loops,
 * each with a trip count and an input and output index step, starting at fixed indices.
 * It merges contiguous dimensions first, so most moves end in a run of whole rows that the
 * kernel copies with memcpy.
 */
#ifndef EDGEAI_TRANSFORM_H
#define EDGEAI_TRANSFORM_H

#include "edgeai_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define EDGEAI_MOVE_DIMS 5          /**< nested loops of a box move (TFLM: at most 5-D) */
#define EDGEAI_CONCAT_MAX_INPUTS 10 /**< TFLM's kMaxInputNum for CONCATENATION */
#define EDGEAI_SPLIT_MAX_OUTPUTS 10 /**< outputs of one SPLIT, SPLIT_V or UNPACK */

/**
 * A box move: for every index tuple (i0, .., i4) with 0 <= id < count[d],
 *   output[out_start + sum_d id * out_step[d]] = input[in_start + sum_d id * in_step[d]].
 * Loop 0 is the outermost. Unused loops have count 1 (their steps are never applied).
 * Used by TRANSPOSE (input steps permuted) and STRIDED_SLICE (begin offsets, signed steps).
 */
typedef struct {
    int32_t count[EDGEAI_MOVE_DIMS];    /**< trip counts, outermost first; each >= 1 */
    int32_t in_step[EDGEAI_MOVE_DIMS];  /**< input index step per iteration; may be negative */
    int32_t out_step[EDGEAI_MOVE_DIMS]; /**< output index step per iteration */
    int32_t in_start;                   /**< input index of the first element moved */
    int32_t out_start;                  /**< output index of the first element moved */
} edgeai_move_params;

/**
 * TRANSPOSE: output = input with its dimensions permuted (one box move).
 * @param input  int8 input tensor
 * @param output int8 output tensor; must not overlap input
 * @return EDGEAI_OK, or EDGEAI_ERROR_ARGUMENT for a NULL pointer or a count < 1
 */
edgeai_status edgeai_transpose_s8(const edgeai_move_params *params, const int8_t *input,
                                  int8_t *output);

/**
 * STRIDED_SLICE: output = input[begin:end:stride] per axis, shrunk axes dropped (one box
 * move; the generator resolves masks and negative indices exactly as TFLM does).
 * @return EDGEAI_OK, or EDGEAI_ERROR_ARGUMENT for a NULL pointer or a count < 1
 */
edgeai_status edgeai_strided_slice_s8(const edgeai_move_params *params, const int8_t *input,
                                      int8_t *output);

/** Structure of a PAD/PADV2 layer: fill the output, then move the input into its interior. */
typedef struct {
    int32_t output_size;                /**< output elements; >= 1 */
    int32_t count[EDGEAI_MOVE_DIMS];    /**< as edgeai_move_params: the input's box */
    int32_t in_step[EDGEAI_MOVE_DIMS];
    int32_t out_step[EDGEAI_MOVE_DIMS];
    int32_t in_start;
    int32_t out_start;
} edgeai_pad_params;

/** Numeric data of a PAD/PADV2 layer. */
typedef struct {
    int32_t pad_value; /**< PAD: the output zero point; PADV2: its constant; in [-128, 127] */
} edgeai_pad_data;

/**
 * PAD / PADV2: output = input surrounded by pad_value.
 * @return EDGEAI_OK, or EDGEAI_ERROR_ARGUMENT for a NULL pointer or an impossible size
 */
edgeai_status edgeai_pad_s8(const edgeai_pad_params *params, const edgeai_pad_data *data,
                            const int8_t *input, int8_t *output);

/**
 * Structure of a CONCATENATION layer. Seen around the axis, input k is
 * [outer][block[k]] bytes and the output is [outer][sum_k block[k]].
 */
typedef struct {
    int32_t num_inputs;                      /**< 1..EDGEAI_CONCAT_MAX_INPUTS */
    int32_t outer;                           /**< product of the dimensions before the axis */
    int32_t block[EDGEAI_CONCAT_MAX_INPUTS]; /**< input k's axis size x inner size, >= 0 */
} edgeai_concat_params;

/** Constant inputs of a CONCATENATION layer (a retrained model may change them). */
typedef struct {
    /** Input k's data when it is a constant tensor, else NULL (then it is the next run-time
     *  input pointer, in order). */
    const int8_t *constant[EDGEAI_CONCAT_MAX_INPUTS];
} edgeai_concat_data;

/**
 * CONCATENATION along one axis.
 * @param inputs the run-time (non-constant) inputs, in the op's input order
 * @param num_runtime how many pointers `inputs` holds
 * @param output must not overlap any input
 * @return EDGEAI_OK, or EDGEAI_ERROR_ARGUMENT for a NULL pointer, too few run-time inputs or
 *         an impossible size
 */
edgeai_status edgeai_concat_s8(const edgeai_concat_params *params, const edgeai_concat_data *data,
                               const int8_t *const inputs[], int32_t num_runtime,
                               int8_t *output);

/* edgeai_concat<N>_s8: CONCATENATION with N run-time inputs, passed one by one (the form the
 * generated code calls). */
edgeai_status edgeai_concat1_s8(const edgeai_concat_params *params, const edgeai_concat_data *data,
                                const int8_t *in0, int8_t *output);
edgeai_status edgeai_concat2_s8(const edgeai_concat_params *params, const edgeai_concat_data *data,
                                const int8_t *in0, const int8_t *in1, int8_t *output);
edgeai_status edgeai_concat3_s8(const edgeai_concat_params *params, const edgeai_concat_data *data,
                                const int8_t *in0, const int8_t *in1, const int8_t *in2,
                                int8_t *output);
edgeai_status edgeai_concat4_s8(const edgeai_concat_params *params, const edgeai_concat_data *data,
                                const int8_t *in0, const int8_t *in1, const int8_t *in2,
                                const int8_t *in3, int8_t *output);
edgeai_status edgeai_concat5_s8(const edgeai_concat_params *params, const edgeai_concat_data *data,
                                const int8_t *in0, const int8_t *in1, const int8_t *in2,
                                const int8_t *in3, const int8_t *in4, int8_t *output);
edgeai_status edgeai_concat6_s8(const edgeai_concat_params *params, const edgeai_concat_data *data,
                                const int8_t *in0, const int8_t *in1, const int8_t *in2,
                                const int8_t *in3, const int8_t *in4, const int8_t *in5,
                                int8_t *output);
edgeai_status edgeai_concat7_s8(const edgeai_concat_params *params, const edgeai_concat_data *data,
                                const int8_t *in0, const int8_t *in1, const int8_t *in2,
                                const int8_t *in3, const int8_t *in4, const int8_t *in5,
                                const int8_t *in6, int8_t *output);
edgeai_status edgeai_concat8_s8(const edgeai_concat_params *params, const edgeai_concat_data *data,
                                const int8_t *in0, const int8_t *in1, const int8_t *in2,
                                const int8_t *in3, const int8_t *in4, const int8_t *in5,
                                const int8_t *in6, const int8_t *in7, int8_t *output);
edgeai_status edgeai_concat9_s8(const edgeai_concat_params *params, const edgeai_concat_data *data,
                                const int8_t *in0, const int8_t *in1, const int8_t *in2,
                                const int8_t *in3, const int8_t *in4, const int8_t *in5,
                                const int8_t *in6, const int8_t *in7, const int8_t *in8,
                                int8_t *output);
edgeai_status edgeai_concat10_s8(const edgeai_concat_params *params,
                                 const edgeai_concat_data *data, const int8_t *in0,
                                 const int8_t *in1, const int8_t *in2, const int8_t *in3,
                                 const int8_t *in4, const int8_t *in5, const int8_t *in6,
                                 const int8_t *in7, const int8_t *in8, const int8_t *in9,
                                 int8_t *output);

/**
 * Structure of a SPLIT, SPLIT_V or UNPACK layer (CONCATENATION's inverse). Seen around the
 * axis, the input is [outer][sum_k block[k]] bytes and output k is [outer][block[k]].
 */
typedef struct {
    int32_t num_outputs;                    /**< 1..EDGEAI_SPLIT_MAX_OUTPUTS */
    int32_t outer;                          /**< product of the dimensions before the axis */
    int32_t block[EDGEAI_SPLIT_MAX_OUTPUTS]; /**< output k's axis size x inner size, >= 0 */
} edgeai_split_params;

/**
 * SPLIT along one axis.
 * @param outputs `num_outputs` pointers, in the op's output order; none may overlap the input
 * @return EDGEAI_OK, or EDGEAI_ERROR_ARGUMENT for a NULL pointer or an impossible size
 */
edgeai_status edgeai_split_s8(const edgeai_split_params *params, const int8_t *input,
                              int8_t *const outputs[], int32_t num_outputs);

/* edgeai_split<N>_s8: SPLIT into N outputs, passed one by one (the form the generated code
 * calls). */
edgeai_status edgeai_split1_s8(const edgeai_split_params *params, const int8_t *input,
                               int8_t *out0);
edgeai_status edgeai_split2_s8(const edgeai_split_params *params, const int8_t *input,
                               int8_t *out0, int8_t *out1);
edgeai_status edgeai_split3_s8(const edgeai_split_params *params, const int8_t *input,
                               int8_t *out0, int8_t *out1, int8_t *out2);
edgeai_status edgeai_split4_s8(const edgeai_split_params *params, const int8_t *input,
                               int8_t *out0, int8_t *out1, int8_t *out2, int8_t *out3);
edgeai_status edgeai_split5_s8(const edgeai_split_params *params, const int8_t *input,
                               int8_t *out0, int8_t *out1, int8_t *out2, int8_t *out3,
                               int8_t *out4);
edgeai_status edgeai_split6_s8(const edgeai_split_params *params, const int8_t *input,
                               int8_t *out0, int8_t *out1, int8_t *out2, int8_t *out3,
                               int8_t *out4, int8_t *out5);
edgeai_status edgeai_split7_s8(const edgeai_split_params *params, const int8_t *input,
                               int8_t *out0, int8_t *out1, int8_t *out2, int8_t *out3,
                               int8_t *out4, int8_t *out5, int8_t *out6);
edgeai_status edgeai_split8_s8(const edgeai_split_params *params, const int8_t *input,
                               int8_t *out0, int8_t *out1, int8_t *out2, int8_t *out3,
                               int8_t *out4, int8_t *out5, int8_t *out6, int8_t *out7);
edgeai_status edgeai_split9_s8(const edgeai_split_params *params, const int8_t *input,
                               int8_t *out0, int8_t *out1, int8_t *out2, int8_t *out3,
                               int8_t *out4, int8_t *out5, int8_t *out6, int8_t *out7,
                               int8_t *out8);
edgeai_status edgeai_split10_s8(const edgeai_split_params *params, const int8_t *input,
                                int8_t *out0, int8_t *out1, int8_t *out2, int8_t *out3,
                                int8_t *out4, int8_t *out5, int8_t *out6, int8_t *out7,
                                int8_t *out8, int8_t *out9);

/*
 * 16x8: the same moves over int16 tensors. The box and concat structures then count bytes
 * (the generator gives each element its two bytes); PAD's output_size stays in elements and
 * its pad value is an int16.
 */
edgeai_status edgeai_transpose_s16(const edgeai_move_params *params, const int16_t *input,
                                   int16_t *output);
edgeai_status edgeai_strided_slice_s16(const edgeai_move_params *params, const int16_t *input,
                                       int16_t *output);
edgeai_status edgeai_pad_s16(const edgeai_pad_params *params, const edgeai_pad_data *data,
                             const int16_t *input, int16_t *output);

/** Constant inputs of an int16 CONCATENATION (as edgeai_concat_data). */
typedef struct {
    const int16_t *constant[EDGEAI_CONCAT_MAX_INPUTS];
} edgeai_concat_s16_data;

/** CONCATENATION of int16 tensors (block[k] in bytes), as edgeai_concat_s8. */
edgeai_status edgeai_concat_s16(const edgeai_concat_params *params,
                                const edgeai_concat_s16_data *data,
                                const int16_t *const inputs[], int32_t num_runtime,
                                int16_t *output);
edgeai_status edgeai_concat1_s16(const edgeai_concat_params *params,
                                 const edgeai_concat_s16_data *data, const int16_t *in0,
                                 int16_t *output);
edgeai_status edgeai_concat2_s16(const edgeai_concat_params *params,
                                 const edgeai_concat_s16_data *data, const int16_t *in0,
                                 const int16_t *in1, int16_t *output);
edgeai_status edgeai_concat3_s16(const edgeai_concat_params *params,
                                 const edgeai_concat_s16_data *data, const int16_t *in0,
                                 const int16_t *in1, const int16_t *in2, int16_t *output);
edgeai_status edgeai_concat4_s16(const edgeai_concat_params *params,
                                 const edgeai_concat_s16_data *data, const int16_t *in0,
                                 const int16_t *in1, const int16_t *in2, const int16_t *in3,
                                 int16_t *output);
edgeai_status edgeai_concat5_s16(const edgeai_concat_params *params,
                                 const edgeai_concat_s16_data *data, const int16_t *in0,
                                 const int16_t *in1, const int16_t *in2, const int16_t *in3,
                                 const int16_t *in4, int16_t *output);
edgeai_status edgeai_concat6_s16(const edgeai_concat_params *params,
                                 const edgeai_concat_s16_data *data, const int16_t *in0,
                                 const int16_t *in1, const int16_t *in2, const int16_t *in3,
                                 const int16_t *in4, const int16_t *in5, int16_t *output);
edgeai_status edgeai_concat7_s16(const edgeai_concat_params *params,
                                 const edgeai_concat_s16_data *data, const int16_t *in0,
                                 const int16_t *in1, const int16_t *in2, const int16_t *in3,
                                 const int16_t *in4, const int16_t *in5, const int16_t *in6,
                                 int16_t *output);
edgeai_status edgeai_concat8_s16(const edgeai_concat_params *params,
                                 const edgeai_concat_s16_data *data, const int16_t *in0,
                                 const int16_t *in1, const int16_t *in2, const int16_t *in3,
                                 const int16_t *in4, const int16_t *in5, const int16_t *in6,
                                 const int16_t *in7, int16_t *output);
edgeai_status edgeai_concat9_s16(const edgeai_concat_params *params,
                                 const edgeai_concat_s16_data *data, const int16_t *in0,
                                 const int16_t *in1, const int16_t *in2, const int16_t *in3,
                                 const int16_t *in4, const int16_t *in5, const int16_t *in6,
                                 const int16_t *in7, const int16_t *in8, int16_t *output);
edgeai_status edgeai_concat10_s16(const edgeai_concat_params *params,
                                  const edgeai_concat_s16_data *data, const int16_t *in0,
                                  const int16_t *in1, const int16_t *in2, const int16_t *in3,
                                  const int16_t *in4, const int16_t *in5, const int16_t *in6,
                                  const int16_t *in7, const int16_t *in8, const int16_t *in9,
                                  int16_t *output);

#ifdef __cplusplus
}
#endif

#endif /* EDGEAI_TRANSFORM_H */
