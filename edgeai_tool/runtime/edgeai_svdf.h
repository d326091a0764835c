/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: SVDF (singular value decomposition filter), int8 input and output, with
 * its state: the last `memory_size` feature values of every filter, int8 or int16.
 *
 * Bit-exact with TensorFlow Lite Micro's integer reference (EvalIntegerSvdfReference).
 * One call, for each batch b, filter f (num_filters = units * rank) and unit u:
 *
 *   state[b][f][0 .. memory_size - 2] = state[b][f][1 .. memory_size - 1]  (whole state
 *       shifted by one element, so the oldest value of filter f + 1 briefly passes through)
 *   feature  = requantize(sum_i weights_feature[f][i] * (input[b][i] - input_zero_point),
 *                         feature_multiplier, feature_shift)
 *   state[b][f][memory_size - 1] = state_zero_point + clamp(feature, state type's range)
 *   acc[u]   = bias[u] + sum_{r < rank} sum_m weights_time[u * rank + r][m]
 *                                              * (state[b][u * rank + r][m] - state_zero_point)
 *   out[b][u] = clamp(requantize(acc[u], output_multiplier, output_shift) + output_offset,
 *                     -128, 127)
 *
 * As in TFLM's integer kernel, the weights' zero points and the fused activation are not
 * read. The state lives in the network's state region and carries over between calls.
 */
#ifndef EDGEAI_SVDF_H
#define EDGEAI_SVDF_H

#include "edgeai_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Structure of an SVDF layer (shapes only). */
typedef struct {
    int32_t batches;     /**< rows of the input; >= 1 */
    int32_t input_size;  /**< values per input row; >= 1 */
    int32_t num_filters; /**< units * rank; >= 1 */
    int32_t rank;        /**< filters per output unit; >= 1, divides num_filters */
    int32_t memory_size; /**< feature values each filter remembers; >= 1 */
} edgeai_svdf_params;

/** The numbers of an SVDF layer whose time weights and state have type T. */
#define EDGEAI_SVDF_DATA_FIELDS(T)                                                          \
    const int8_t *weights_feature; /**< [num_filters][input_size] */                        \
    const T *weights_time;         /**< [num_filters][memory_size] */                       \
    const int32_t *bias;           /**< [num_filters / rank] */                             \
    int32_t input_zero_point;      /**< in [-128, 127] */                                   \
    int32_t state_zero_point;      /**< in T's range */                                     \
    int32_t feature_multiplier;    /**< Q31 significand: input x feature weights -> state */\
    int32_t feature_shift;         /**< power-of-two exponent in [-31, 30] */               \
    int32_t output_multiplier;     /**< Q31 significand: state x time weights -> output */  \
    int32_t output_shift;          /**< power-of-two exponent in [-31, 30] */               \
    int32_t output_offset;         /**< output zero point, in [-128, 127] */

/** Numbers of an SVDF layer with int8 time weights and state. */
typedef struct {
    EDGEAI_SVDF_DATA_FIELDS(int8_t)
} edgeai_svdf_data_s8;

/** Numbers of an SVDF layer with int16 time weights and state. */
typedef struct {
    EDGEAI_SVDF_DATA_FIELDS(int16_t)
} edgeai_svdf_data_s16;

/**
 * One step of an SVDF with int8 state.
 * @param input  [batches][input_size] int8
 * @param state  [batches][num_filters][memory_size] int8, read and updated in place
 * @param output [batches][num_filters / rank] int8
 * @return EDGEAI_OK, or EDGEAI_ERROR_ARGUMENT for a NULL pointer or an impossible shape
 */
edgeai_status edgeai_svdf_s8(const edgeai_svdf_params *params, const edgeai_svdf_data_s8 *data,
                             const int8_t *input, int8_t *state, int8_t *output);

/** The same with int16 time weights and state. */
edgeai_status edgeai_svdf_s8_s16(const edgeai_svdf_params *params,
                                 const edgeai_svdf_data_s16 *data, const int8_t *input,
                                 int16_t *state, int8_t *output);

/** Scratch bytes the SVDF kernels need: none (the generator reads this macro). */
#define EDGEAI_SVDF_BUFFER_SIZE() (0)

#ifdef __cplusplus
}
#endif

#endif /* EDGEAI_SVDF_H */
