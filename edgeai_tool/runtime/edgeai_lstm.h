/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: UNIDIRECTIONAL_SEQUENCE_LSTM, integer: int8 weights, int16 cell state, and
 * - _s8: int8 input, output and hidden state, int32 biases;
 * - _s16: int16 input, output and hidden state, int64 biases (16x8 quantization).
 *
 * Bit-exact with TensorFlow Lite Micro's integer LSTM (lstm_eval.h, "8x8->16" and
 * "16x8->16"), the
 * standard LSTM it supports: input gate present (no CIFG), no peephole, no projection, no
 * layer normalisation. For each batch b and time step t, with x the step's input row and
 * h, c the batch's hidden and cell state:
 *
 *   for each gate k in (input, forget, cell, output) and state element s:
 *     in  = clamp16(requantize(input_bias[k][s] + dot(input_weights[k][s], x)))
 *     rec = clamp16(requantize(recurrent_bias[k][s] + dot(recurrent_weights[k][s], h)))
 *     gate[k] = sigmoid(sat16(in + rec))  (the cell gate: tanh)
 *   c = sat16(mul(gate_forget, c) + mul(gate_input, gate_cell)), clipped when cell_clip >= 0
 *   h = clamp(mul(gate_output, tanh(c)) + hidden_offset); the output row is h
 *
 * Gate values are Q3.12 before the nonlinearity and Q0.15 after it; sigmoid and tanh are
 * TFLM's int16 table interpolations. The generator folds the input and hidden zero points
 * into the biases (exact in the accumulator's type), so the kernel computes plain dot
 * products. The 16x8 products requantize their int64 accumulators as TFLM does, with the
 * multiplier rounded to 16 bits.
 *
 * Every element's four gates read only x and the previous h, so the kernel finishes one
 * element before the next and writes the new h into the output row, then copies it into
 * the state: no scratch memory.
 */
#ifndef EDGEAI_LSTM_H
#define EDGEAI_LSTM_H

#include "edgeai_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Gates in the order of the arrays below (TFLite's tensor order). */
#define EDGEAI_LSTM_GATES 4

/** Structure of an LSTM layer (shapes and layout only). */
typedef struct {
    int32_t batches;           /**< independent sequences, each with its own state; >= 1 */
    int32_t time_steps;        /**< steps per call; >= 1 */
    int32_t input_size;        /**< values per input row; >= 1 */
    int32_t state_size;        /**< cells = values per output row; >= 1 */
    int32_t time_major;        /**< 1: input [time][batch][input]; 0: [batch][time][input] */
} edgeai_lstm_params;

/** Numeric data of an LSTM layer (a retrained model changes only these). */
typedef struct {
    const int8_t *input_weights;      /**< [4][state_size][input_size], zero point 0 */
    const int8_t *recurrent_weights;  /**< [4][state_size][state_size], zero point 0 */
    const void *input_bias;     /**< [4][state_size]: bias - input zp * row sum; int32_t
                                     for _s8, int64_t for _s16 */
    const void *recurrent_bias; /**< [4][state_size]: -hidden zp * row sum; same type */
    int32_t input_multiplier[EDGEAI_LSTM_GATES];     /**< input x weights -> Q3.12, Q31 */
    int32_t input_shift[EDGEAI_LSTM_GATES];          /**< in [-31, 30] */
    int32_t recurrent_multiplier[EDGEAI_LSTM_GATES]; /**< hidden x weights -> Q3.12, Q31 */
    int32_t recurrent_shift[EDGEAI_LSTM_GATES];      /**< in [-31, 30] */
    int32_t forget_multiplier;  /**< forget gate x cell -> cell scale */
    int32_t forget_shift;
    int32_t update_multiplier;  /**< input gate x cell gate -> cell scale */
    int32_t update_shift;
    int32_t hidden_multiplier;  /**< output gate x tanh(cell) -> hidden scale */
    int32_t hidden_shift;
    int32_t hidden_offset;      /**< hidden state (= output) zero point, in its type's range */
    int32_t cell_clip;          /**< cell state clamped to [-cell_clip, cell_clip]; -1: none */
    int32_t cell_tanh_multiplier; /**< tanh input = (cell * multiplier + round) >> shift, */
    int32_t cell_tanh_shift;      /**< rescaling the cell's power-of-two scale to Q3.12 */
} edgeai_lstm_data;

/**
 * Runs every time step of every batch, updating the state in place.
 * @param input        [time][batch][input_size] or [batch][time][input_size] int8
 * @param output_state [batches][state_size] int8, the hidden state kept between calls
 * @param cell_state   [batches][state_size] int16, kept between calls
 * @param output       same layout as input with state_size values per row; must not
 *                     overlap the input or the state
 * @return EDGEAI_OK, or EDGEAI_ERROR_ARGUMENT for a NULL pointer or a non-positive size
 */
edgeai_status edgeai_lstm_unidirectional_s8(const edgeai_lstm_params *params,
                                            const edgeai_lstm_data *data, const int8_t *input,
                                            int8_t *output_state, int16_t *cell_state,
                                            int8_t *output);

/** The same with int16 input, output and hidden state ([..] as above, int16). */
edgeai_status edgeai_lstm_unidirectional_s16(const edgeai_lstm_params *params,
                                             const edgeai_lstm_data *data, const int16_t *input,
                                             int16_t *output_state, int16_t *cell_state,
                                             int16_t *output);

/** Scratch bytes the kernels need: none (the generator reads these). */
#define EDGEAI_LSTM_UNIDIRECTIONAL_S8_BUFFER_SIZE() (0)
#define EDGEAI_LSTM_UNIDIRECTIONAL_S16_BUFFER_SIZE() (0)
int32_t edgeai_lstm_unidirectional_s8_get_buffer_size(const edgeai_lstm_params *params);
int32_t edgeai_lstm_unidirectional_s16_get_buffer_size(const edgeai_lstm_params *params);

#ifdef __cplusplus
}
#endif

#endif /* EDGEAI_LSTM_H */
