/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: int8 element-wise activations by table lookup.
 *
 * LOGISTIC, TANH, RELU, RELU6, LEAKY_RELU and HARD_SWISH on int8 have only 256 possible
 * inputs. The generator evaluates TensorFlow Lite Micro's integer kernel on each of them
 * (gemmlowp fixed point included) and stores the 256 results; the kernel here is one
 * load per element, bit-exact with TFLM by construction.
 */
#ifndef EDGEAI_ACTIVATION_H
#define EDGEAI_ACTIVATION_H

#include "edgeai_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Structure of a table-lookup layer. */
typedef struct {
    int32_t size; /**< number of elements; >= 1 */
} edgeai_lut_params;

/** Numeric data of a table-lookup layer. */
typedef struct {
    const int8_t *lut; /**< [256] output for input x at lut[(uint8_t)x] */
} edgeai_lut_data;

/**
 * output[i] = lut[(uint8_t)input[i]].
 * @param input  [size] int8
 * @param output [size] int8; may be the same buffer as input (in place)
 * @return EDGEAI_OK, or EDGEAI_ERROR_ARGUMENT for a NULL pointer or a non-positive size
 */
edgeai_status edgeai_lut_s8(const edgeai_lut_params *params, const edgeai_lut_data *data,
                            const int8_t *input, int8_t *output);

/** Scratch bytes edgeai_lut_s8 needs: none (the generator reads this macro). */
#define EDGEAI_LUT_S8_BUFFER_SIZE() (0)
int32_t edgeai_lut_s8_get_buffer_size(const edgeai_lut_params *params);

/** Numeric data of a 16x8 LEAKY_RELU (int16 in and out, zero points 0). */
typedef struct {
    int32_t alpha_multiplier;    /**< Q31 significand of input_scale * alpha / output_scale;
                                      negative for a negative alpha */
    int32_t alpha_shift;         /**< its exponent, in [-31, 30] */
    int32_t identity_multiplier; /**< Q31 significand of input_scale / output_scale */
    int32_t identity_shift;      /**< in [-31, 30] */
} edgeai_leaky_relu_s16_data;

/**
 * LEAKY_RELU on int16, as TFLite Micro's QuantizeLeakyRelu: x >= 0 requantized by the
 * identity ratio, x < 0 by |alpha ratio| (the result negated for a negative alpha),
 * clamped to int16.
 * @param output [size] int16; may be the same buffer as input (in place)
 * @return EDGEAI_OK, or EDGEAI_ERROR_ARGUMENT for a NULL pointer or a non-positive size
 */
edgeai_status edgeai_leaky_relu_s16(const edgeai_lut_params *params,
                                    const edgeai_leaky_relu_s16_data *data,
                                    const int16_t *input, int16_t *output);

/** Numeric data of a 16x8 RELU or RELU6 (int16 in and out, zero points 0). */
typedef struct {
    int32_t multiplier; /**< Q31 significand of input_scale / output_scale (RELU6: 2^30) */
    int32_t shift;      /**< its exponent, in [-31, 30] (RELU6: 1, the identity) */
    int32_t act_min;    /**< 0 */
    int32_t act_max;    /**< RELU: 32767; RELU6: 6 in the input's scale */
} edgeai_relu_s16_data;

/**
 * RELU and RELU6 on int16, as TFLite Micro's ReluQuantized / Relu6Quantized for int16:
 * out = clamp(requantize(x, multiplier, shift), act_min, act_max).
 * @param output [size] int16; may be the same buffer as input (in place)
 * @return EDGEAI_OK, or EDGEAI_ERROR_ARGUMENT for a NULL pointer or a non-positive size
 */
edgeai_status edgeai_relu_s16(const edgeai_lut_params *params, const edgeai_relu_s16_data *data,
                              const int16_t *input, int16_t *output);

/** Numeric data of a 16x8 LOGISTIC or TANH (int16 in and out, zero points 0). */
typedef struct {
    const uint16_t *sigmoid; /**< [256] 65536 sigmoid(k / 24), nudged for interpolation */
    int32_t input_multiplier; /**< rescales the input to steps of 1 / (3 * 4096): <= 32767 */
    int32_t input_shift;      /**< right shift after the multiplication (rounded), >= 0 */
} edgeai_sigmoid_s16_data;

/**
 * LOGISTIC and TANH on int16, as TFLite Micro's reference_integer_ops::Logistic / Tanh for
 * int16: x' = (x * input_multiplier) >> input_shift (rounded), then the sigmoid table read
 * at |x'| with 9 (LOGISTIC) or 8 (TANH, tanh(x) = 2 sigmoid(2x) - 1) bits of linear
 * interpolation, mirrored for x' < 0, saturating past the table. Output scale 2^-15.
 * @param output [size] int16; may be the same buffer as input (in place)
 * @return EDGEAI_OK, or EDGEAI_ERROR_ARGUMENT for a NULL pointer or a non-positive size
 */
edgeai_status edgeai_logistic_s16(const edgeai_lut_params *params,
                                  const edgeai_sigmoid_s16_data *data, const int16_t *input,
                                  int16_t *output);
edgeai_status edgeai_tanh_s16(const edgeai_lut_params *params,
                              const edgeai_sigmoid_s16_data *data, const int16_t *input,
                              int16_t *output);

#ifdef __cplusplus
}
#endif

#endif /* EDGEAI_ACTIVATION_H */
