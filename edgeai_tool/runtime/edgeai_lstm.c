/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: UNIDIRECTIONAL_SEQUENCE_LSTM, int8 and 16x8 (see edgeai_lstm.h).
 */
#include "edgeai_lstm.h"

#include <stddef.h>
#include <string.h>

#include "edgeai_requantize.h"

/*
 * sigmoid(i / 24) in Q0.16 for i in [0, 255] (the last entry saturated to 65535): the
 * samples TFLite's int16 LOGISTIC and TANH interpolate between. Bit-exactness needs these
 * exact values, which are not all the correctly rounded ones.
 */
static const uint16_t sigmoid_table[256] = {
    32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149,
    40794, 41432, 42064, 42688, 43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369,
    47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409, 51865, 52311, 52745, 53169,
    53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433,
    57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370,
    60565, 60753, 60935, 61110, 61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302,
    62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186, 63279, 63368, 63454, 63536,
    63615, 63691, 63765, 63835, 63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308,
    64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786,
    64816, 64845, 64873, 64900, 64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079,
    65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208, 65221, 65234, 65246, 65258,
    65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367,
    65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425, 65429, 65433,
    65438, 65442, 65445, 65449, 65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474,
    65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491, 65493, 65495, 65497, 65498,
    65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513,
    65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522,
    65523, 65523, 65524, 65524, 65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528,
    65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530, 65530, 65530, 65531, 65531,
    65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
    65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534,
    65534, 65534, 65534, 65535,
};

/* Largest table index the interpolation may start from; larger inputs saturate. */
#define SIGMOID_TABLE_LAST 255

static inline int16_t saturate16(int32_t value)
{
    return (int16_t)EDGEAI_CLAMP(value, INT16_MIN, INT16_MAX);
}

/* Sigmoid of a Q3.12 value, in Q0.15: TFLM's int16 Logistic. The input times 3 over 2^9
 * is the table index (steps of 1/24), covering [-10.7, 10.7]. */
static int16_t sigmoid_q15(int16_t x)
{
    const int32_t scaled = (int32_t)x * 3;
    const uint32_t magnitude = (uint32_t)(scaled < 0 ? -scaled : scaled);
    const uint32_t index = magnitude >> 9;
    uint32_t result;
    if (index >= SIGMOID_TABLE_LAST) {
        result = UINT32_C(0x7FFF) << 10;
    } else {
        const uint32_t low = sigmoid_table[index];
        const uint32_t high = sigmoid_table[index + 1];
        result = (low << 9) + (magnitude & 0x1FFu) * (high - low);
    }
    result = scaled >= 0 ? result + (1u << 9) : (1u << 25) - result + (1u << 9) - 1u;
    return (int16_t)(result >> 10);
}

/* tanh in Q0.15 of a value whose Q3.12 times 3 is (x * multiplier + round) >> shift:
 * TFLM's int16 Tanh, tanh(x) = 2 sigmoid(2x) - 1, so the table step is 2^8. */
static int16_t tanh_q15(int16_t x, int32_t multiplier, int32_t shift)
{
    const int32_t round = shift > 0 ? (1 << (shift - 1)) : 0;
    const int32_t scaled = ((int32_t)x * multiplier + round) >> shift;
    const uint32_t magnitude = (uint32_t)(scaled < 0 ? -scaled : scaled);
    const uint32_t index = magnitude >> 8;
    int32_t result;
    if (index >= SIGMOID_TABLE_LAST) {
        result = 0xFFFF << 8;
    } else {
        const uint32_t low = sigmoid_table[index];
        const uint32_t high = sigmoid_table[index + 1];
        result = (int32_t)((low << 8) + (magnitude & 0xFFu) * (high - low));
    }
    result = scaled >= 0 ? result - (1 << 23) + (1 << 7) : -result + (1 << 23) + (1 << 7) - 1;
    return (int16_t)(result >> 8);
}

/*
 * TFLM's MultiplyByQuantizedMultiplier for an int64 accumulator (the 16x8 products): the
 * multiplier rounded to 16 bits, one rounding shift.
 */
static inline int32_t requantize_s64(int64_t x, int32_t multiplier, int32_t shift)
{
    const int64_t reduced = multiplier < 0x7FFF0000 ? (multiplier + (1 << 15)) >> 16 : 0x7FFF;
    const int32_t total_shift = 15 - shift;
    return (int32_t)((x * reduced + (INT64_C(1) << (total_shift - 1))) >> total_shift);
}

/*
 * One fully connected row into Q3.12, saturated to int16: bias[index] plus the dot product
 * of `depth` weights with the activations, requantized.
 */
typedef int32_t (*gate_row)(const int8_t *weights, const void *activations, int32_t depth,
                            const void *bias, int32_t index, int32_t multiplier, int32_t shift);

/* int8 activations, int32 bias. */
static int32_t row_s8(const int8_t *weights, const void *activations, int32_t depth,
                      const void *bias, int32_t index, int32_t multiplier, int32_t shift)
{
    const int8_t *x = activations;
    int32_t acc = ((const int32_t *)bias)[index];
    for (int32_t d = 0; d < depth; ++d) {
        acc += (int32_t)weights[d] * (int32_t)x[d];
    }
    return saturate16(edgeai_requantize(acc, multiplier, shift));
}

/* int16 activations, int64 bias. */
static int32_t row_s16(const int8_t *weights, const void *activations, int32_t depth,
                       const void *bias, int32_t index, int32_t multiplier, int32_t shift)
{
    const int16_t *x = activations;
    int64_t acc = ((const int64_t *)bias)[index];
    for (int32_t d = 0; d < depth; ++d) {
        acc += (int32_t)weights[d] * (int32_t)x[d];
    }
    return saturate16(requantize_s64(acc, multiplier, shift));
}

enum { GATE_INPUT, GATE_FORGET, GATE_CELL, GATE_OUTPUT };

/* The four gates' sums (Q3.12) of state element s: input and recurrent rows added. */
static void gate_sums(const edgeai_lstm_params *params, const edgeai_lstm_data *data,
                      int32_t s, const void *x, const void *h, gate_row row,
                      int16_t sums[EDGEAI_LSTM_GATES])
{
    for (int32_t k = 0; k < EDGEAI_LSTM_GATES; ++k) {
        const int32_t r = k * params->state_size + s;
        const int32_t in = row(data->input_weights + r * params->input_size, x,
                               params->input_size, data->input_bias, r,
                               data->input_multiplier[k], data->input_shift[k]);
        const int32_t rec = row(data->recurrent_weights + r * params->state_size, h,
                                params->state_size, data->recurrent_bias, r,
                                data->recurrent_multiplier[k], data->recurrent_shift[k]);
        sums[k] = saturate16(in + rec);
    }
}

/* TFLM's MulElementwise of two int16 values, requantized (before offset and clamp). */
static inline int32_t gate_mul(int16_t a, int16_t b, int32_t multiplier, int32_t shift)
{
    return edgeai_requantize((int32_t)a * (int32_t)b, multiplier, shift);
}

/*
 * From one element's gate sums: the gates' nonlinearities, the cell state update (in *c)
 * and the new hidden value, offset but not clamped to the activation type.
 */
static int32_t update_element(const edgeai_lstm_data *data,
                              const int16_t sums[EDGEAI_LSTM_GATES], int16_t *c)
{
    const int16_t input_gate = sigmoid_q15(sums[GATE_INPUT]);
    const int16_t forget_gate = sigmoid_q15(sums[GATE_FORGET]);
    /* A gate's Q3.12 sits where tanh expects it: multiplier 3, no shift. */
    const int16_t cell_gate = tanh_q15(sums[GATE_CELL], 3, 0);
    const int16_t output_gate = sigmoid_q15(sums[GATE_OUTPUT]);

    const int16_t kept =
        saturate16(gate_mul(forget_gate, *c, data->forget_multiplier, data->forget_shift));
    const int16_t added = saturate16(
        gate_mul(input_gate, cell_gate, data->update_multiplier, data->update_shift));
    int16_t cell = saturate16((int32_t)kept + (int32_t)added);
    if (data->cell_clip >= 0) {
        cell = (int16_t)EDGEAI_CLAMP(cell, -data->cell_clip, data->cell_clip);
    }
    *c = cell;

    const int16_t activated = tanh_q15(cell, data->cell_tanh_multiplier, data->cell_tanh_shift);
    return gate_mul(activated, output_gate, data->hidden_multiplier, data->hidden_shift) +
           data->hidden_offset;
}

static int32_t valid_arguments(const edgeai_lstm_params *params, const edgeai_lstm_data *data,
                               const void *input, const void *output_state,
                               const int16_t *cell_state, const void *output)
{
    return params != NULL && data != NULL && input != NULL && output_state != NULL &&
           cell_state != NULL && output != NULL && data->input_bias != NULL &&
           data->recurrent_bias != NULL && params->batches > 0 && params->time_steps > 0 &&
           params->input_size > 0 && params->state_size > 0;
}

/* Row of the input and output that batch b reads and writes at step t. */
static int32_t sequence_row(const edgeai_lstm_params *params, int32_t b, int32_t t)
{
    return params->time_major ? t * params->batches + b : b * params->time_steps + t;
}

/* One time step of one batch, int8: updates c, writes the new hidden state to y. */
static void step_s8(const edgeai_lstm_params *params, const edgeai_lstm_data *data,
                    const void *x, const void *h, int16_t *c, void *y)
{
    int8_t *out = y;
    for (int32_t s = 0; s < params->state_size; ++s) {
        int16_t sums[EDGEAI_LSTM_GATES];
        gate_sums(params, data, s, x, h, row_s8, sums);
        const int32_t hidden = update_element(data, sums, &c[s]);
        out[s] = (int8_t)EDGEAI_CLAMP(hidden, INT8_MIN, INT8_MAX);
    }
}

/* The same, int16. */
static void step_s16(const edgeai_lstm_params *params, const edgeai_lstm_data *data,
                     const void *x, const void *h, int16_t *c, void *y)
{
    int16_t *out = y;
    for (int32_t s = 0; s < params->state_size; ++s) {
        int16_t sums[EDGEAI_LSTM_GATES];
        gate_sums(params, data, s, x, h, row_s16, sums);
        out[s] = saturate16(update_element(data, sums, &c[s]));
    }
}

typedef void (*lstm_step)(const edgeai_lstm_params *params, const edgeai_lstm_data *data,
                          const void *x, const void *h, int16_t *c, void *y);

/*
 * Every step of every batch, for activations of `size` bytes. Each step writes the new
 * hidden state to its output row, then copies it into the state: every element's gates
 * read the previous hidden state.
 */
static edgeai_status run_sequence(const edgeai_lstm_params *params,
                                  const edgeai_lstm_data *data, const void *input,
                                  void *output_state, int16_t *cell_state, void *output,
                                  size_t size, lstm_step step)
{
    if (!valid_arguments(params, data, input, output_state, cell_state, output)) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    const size_t state_bytes = (size_t)params->state_size * size;
    const size_t input_bytes = (size_t)params->input_size * size;
    for (int32_t b = 0; b < params->batches; ++b) {
        uint8_t *h = (uint8_t *)output_state + (size_t)b * state_bytes;
        int16_t *c = cell_state + b * params->state_size;
        for (int32_t t = 0; t < params->time_steps; ++t) {
            const size_t row = (size_t)sequence_row(params, b, t);
            uint8_t *y = (uint8_t *)output + row * state_bytes;
            step(params, data, (const uint8_t *)input + row * input_bytes, h, c, y);
            memcpy(h, y, state_bytes);
        }
    }
    return EDGEAI_OK;
}

edgeai_status edgeai_lstm_unidirectional_s8(const edgeai_lstm_params *params,
                                            const edgeai_lstm_data *data, const int8_t *input,
                                            int8_t *output_state, int16_t *cell_state,
                                            int8_t *output)
{
    return run_sequence(params, data, input, output_state, cell_state, output, sizeof(int8_t),
                        step_s8);
}

edgeai_status edgeai_lstm_unidirectional_s16(const edgeai_lstm_params *params,
                                             const edgeai_lstm_data *data, const int16_t *input,
                                             int16_t *output_state, int16_t *cell_state,
                                             int16_t *output)
{
    return run_sequence(params, data, input, output_state, cell_state, output,
                        sizeof(int16_t), step_s16);
}

int32_t edgeai_lstm_unidirectional_s8_get_buffer_size(const edgeai_lstm_params *params)
{
    (void)params;
    return EDGEAI_LSTM_UNIDIRECTIONAL_S8_BUFFER_SIZE();
}

int32_t edgeai_lstm_unidirectional_s16_get_buffer_size(const edgeai_lstm_params *params)
{
    (void)params;
    return EDGEAI_LSTM_UNIDIRECTIONAL_S16_BUFFER_SIZE();
}
