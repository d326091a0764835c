/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: element-wise ADD, SUB, MUL, MAXIMUM, MINIMUM on int8 (see
 * edgeai_elementwise.h).
 *
 * One loop driver walks the (at most four) merged dimensions and hands each contiguous
 * output row to the op's row function. A row reads each input with a step of 1 or 0
 * (broadcast along the row); the row functions hoist the work that depends only on a
 * broadcast operand (ADD/SUB rescale it once per row, MUL adds its offset once).
 */
#include "edgeai_elementwise.h"

#include <stddef.h>

#include "edgeai_requantize.h"

#if defined(__GNUC__) || defined(__clang__)
#define ELTWISE_INLINE static inline __attribute__((always_inline))
#else
#define ELTWISE_INLINE static inline
#endif

/* Saturation to int8: one SSAT (shift included) where the DSP header provides it. */
#if EDGEAI_USE_DSP
#define ELTWISE_SAT8(x) EDGEAI_SSAT8(x)
#else
#define ELTWISE_SAT8(x) EDGEAI_CLAMP((x), -128, 127)
#endif

/*
 * edgeai_requantize_mac with its loop invariants hoisted, for |x| < 2^30
 * whenever shift < 0 (here: ADD/SUB values stay below 2^29 and MUL's products below 2^16).
 * Same integers, no branches: RoundingDivideByPOT(v, e) for e >= 1 is
 * (v + 2^(e-1) - (v < 0)) >> e (ties away from zero); for e == 0 the mask drops the
 * correction.
 */
typedef struct {
    int32_t multiplier; /* Q31 significand, >= 0 */
    int32_t left;       /* left shift, >= 0 */
    int32_t right;      /* right shift, >= 0 */
    int32_t half;       /* 2^(right - 1), or 0 */
    int32_t round_mask; /* -1 when right > 0, else 0 */
} eltwise_rq;

ELTWISE_INLINE eltwise_rq eltwise_rq_make(int32_t multiplier, int32_t shift)
{
    eltwise_rq rq;
    rq.multiplier = multiplier;
    rq.left = shift > 0 ? shift : 0;
    rq.right = shift > 0 ? 0 : -shift;
    rq.half = rq.right > 0 ? (int32_t)(UINT32_C(1) << (rq.right - 1)) : 0;
    rq.round_mask = rq.right > 0 ? -1 : 0;
    return rq;
}

ELTWISE_INLINE int32_t eltwise_requantize(int32_t x, eltwise_rq rq)
{
    const int32_t high = edgeai_high_mul((int32_t)((uint32_t)x << rq.left), rq.multiplier);
    return (high + rq.half + ((high >> 31) & rq.round_mask)) >> rq.right;
}

/* One output row: out[i] = f(a[i * step_a], b[i * step_b]) for i < n; steps are 0 or 1.
 * ELTWISE_ROW defines one from an inline row taking a constant (the op's variant). */
typedef void (*eltwise_row_fn)(const void *data, int32_t n, const int8_t *a, int32_t step_a,
                               const int8_t *b, int32_t step_b, int8_t *out);

/* ---- ADD and SUB ------------------------------------------------------------------------ */

/* An input value rescaled to the common scale 2 max(scale1, scale2) / 2^20. */
ELTWISE_INLINE int32_t add_scaled_input(int32_t x, int32_t offset, eltwise_rq rq)
{
    /* |x + offset| <= 255, so the shifted value stays below 2^28. */
    const int32_t shifted = (x + offset) * (1 << EDGEAI_ADD_LEFT_SHIFT);
    return eltwise_requantize(shifted, rq);
}

ELTWISE_INLINE int8_t add_output(int32_t raw, eltwise_rq rq, int32_t offset, int32_t act_min,
                                int32_t act_max)
{
    int32_t value = eltwise_requantize(raw, rq) + offset;
    value = EDGEAI_CLAMP(value, act_min, act_max);
    return (int8_t)value;
}

/* out[i] = requantize(lut1[a] +/- lut2[b]); `subtract` and the steps are constants at each
 * call site, so each call gets its own loop. */
ELTWISE_INLINE void addsub_lut_loop(const int32_t *lut1, const int32_t *lut2, eltwise_rq out_rq,
                                   int32_t out_offset, int32_t act_min, int32_t act_max,
                                   int32_t subtract, int32_t n, const int8_t *a, int32_t step_a,
                                   const int8_t *b, int32_t step_b, int8_t *out)
{
    int32_t i;
    for (i = 0; i < n; ++i) {
        const int32_t scaled1 = lut1[a[i * step_a]];
        const int32_t scaled2 = lut2[b[i * step_b]];
        const int32_t raw = subtract ? scaled1 - scaled2 : scaled1 + scaled2;
        out[i] = add_output(raw, out_rq, out_offset, act_min, act_max);
    }
}

/* With tables: one requantization per element; a broadcast operand costs the same lookup. */
ELTWISE_INLINE void addsub_row_lut(const void *data_ptr, int32_t subtract, int32_t n,
                                  const int8_t *a, int32_t step_a, const int8_t *b,
                                  int32_t step_b, int8_t *out)
{
    const edgeai_add_data *const data = (const edgeai_add_data *)data_ptr;
    const int32_t *const lut1 = data->input1_lut + 128; /* indexed by the int8 value */
    const int32_t *const lut2 = data->input2_lut + 128;
    const eltwise_rq out_rq = eltwise_rq_make(data->output_multiplier, data->output_shift);
    const int32_t out_offset = data->output_offset;
    const int32_t act_min = data->act_min;
    const int32_t act_max = data->act_max;

    if (step_a != 0 && step_b != 0) {
        addsub_lut_loop(lut1, lut2, out_rq, out_offset, act_min, act_max, subtract, n, a, 1, b,
                        1, out);
    } else {
        addsub_lut_loop(lut1, lut2, out_rq, out_offset, act_min, act_max, subtract, n, a,
                        step_a, b, step_b, out);
    }
}

/* Without tables: s_k = add_scaled_input(x_k), computed once per row for a broadcast operand
 * (step 0). `subtract` and the steps are constants at each call site, as above. */
ELTWISE_INLINE void addsub_loop(const edgeai_add_data *data, int32_t subtract, int32_t n,
                               const int8_t *a, int32_t step_a, const int8_t *b, int32_t step_b,
                               int8_t *out)
{
    const int32_t offset1 = data->input1_offset;
    const eltwise_rq rq1 = eltwise_rq_make(data->input1_multiplier, data->input1_shift);
    const int32_t offset2 = data->input2_offset;
    const eltwise_rq rq2 = eltwise_rq_make(data->input2_multiplier, data->input2_shift);
    const eltwise_rq out_rq = eltwise_rq_make(data->output_multiplier, data->output_shift);
    const int32_t out_offset = data->output_offset;
    const int32_t act_min = data->act_min;
    const int32_t act_max = data->act_max;
    const int32_t fixed1 = step_a ? 0 : add_scaled_input(a[0], offset1, rq1);
    const int32_t fixed2 = step_b ? 0 : add_scaled_input(b[0], offset2, rq2);
    int32_t i;

    for (i = 0; i < n; ++i) {
        const int32_t scaled1 = step_a ? add_scaled_input(a[i], offset1, rq1) : fixed1;
        const int32_t scaled2 = step_b ? add_scaled_input(b[i], offset2, rq2) : fixed2;
        const int32_t raw = subtract ? scaled1 - scaled2 : scaled1 + scaled2;
        out[i] = add_output(raw, out_rq, out_offset, act_min, act_max);
    }
}

ELTWISE_INLINE void addsub_row(const void *data_ptr, int32_t subtract, int32_t n,
                              const int8_t *a, int32_t step_a, const int8_t *b, int32_t step_b,
                              int8_t *out)
{
    const edgeai_add_data *const data = (const edgeai_add_data *)data_ptr;
    if (step_a == 0) {
        addsub_loop(data, subtract, n, a, 0, b, step_b, out);
    } else if (step_b == 0) {
        addsub_loop(data, subtract, n, a, 1, b, 0, out);
    } else {
        addsub_loop(data, subtract, n, a, 1, b, 1, out);
    }
}

/* Output tables: sat8((lut1[x1] + lut2[x2]) >> 22), SUB's table already negated. */
ELTWISE_INLINE int8_t addsub_output(const int32_t *lut1, const int32_t *lut2, int8_t x1,
                                    int8_t x2)
{
    return (int8_t)ELTWISE_SAT8((lut1[x1] + lut2[x2]) >> EDGEAI_ADD_LUT_OUTPUT_SHIFT);
}

/* out[i] = clamp(addsub_output(a, b)); `clamp` (an activation narrower than int8) and the
 * steps are constants at each call site. */
ELTWISE_INLINE void addsub_output_loop(const int32_t *lut1, const int32_t *lut2, int32_t clamp,
                                      int32_t act_min, int32_t act_max, int32_t n,
                                      const int8_t *a, int32_t step_a, const int8_t *b,
                                      int32_t step_b, int8_t *out)
{
    int32_t i;
    for (i = 0; i < n; ++i) {
        int32_t value = addsub_output(lut1, lut2, a[i * step_a], b[i * step_b]);
        if (clamp) {
            value = EDGEAI_CLAMP(value, act_min, act_max);
        }
        out[i] = (int8_t)value;
    }
}

/* Four elements: out[k] for k < 4. */
ELTWISE_INLINE void addsub_output_quad(const int32_t *lut1, const int32_t *lut2, const int8_t *a,
                                      const int8_t *b, int8_t *out)
{
    out[0] = addsub_output(lut1, lut2, a[0], b[0]);
    out[1] = addsub_output(lut1, lut2, a[1], b[1]);
    out[2] = addsub_output(lut1, lut2, a[2], b[2]);
    out[3] = addsub_output(lut1, lut2, a[3], b[3]);
}

/* The same-shape, int8-range case, eight elements per iteration: the loop's own
 * instructions then cost well under one per element. */
static void addsub_output_flat(const int32_t *lut1, const int32_t *lut2, int32_t n,
                               const int8_t *a, const int8_t *b, int8_t *out)
{
    int32_t i;
    for (i = 0; i + 8 <= n; i += 8) {
        addsub_output_quad(lut1, lut2, a + i, b + i, out + i);
        addsub_output_quad(lut1, lut2, a + i + 4, b + i + 4, out + i + 4);
    }
    for (; i < n; ++i) {
        out[i] = addsub_output(lut1, lut2, a[i], b[i]);
    }
}

static void addsub_row_output(const void *data_ptr, int32_t n, const int8_t *a, int32_t step_a,
                              const int8_t *b, int32_t step_b, int8_t *out)
{
    const edgeai_add_data *const data = (const edgeai_add_data *)data_ptr;
    const int32_t *const lut1 = data->input1_lut + 128; /* indexed by the int8 value */
    const int32_t *const lut2 = data->input2_lut + 128;
    const int32_t act_min = data->act_min;
    const int32_t act_max = data->act_max;

    if (act_min > -128 || act_max < 127) {
        addsub_output_loop(lut1, lut2, 1, act_min, act_max, n, a, step_a, b, step_b, out);
    } else if (step_a != 0 && step_b != 0) {
        addsub_output_flat(lut1, lut2, n, a, b, out);
    } else {
        addsub_output_loop(lut1, lut2, 0, act_min, act_max, n, a, step_a, b, step_b, out);
    }
}

/* A row function (eltwise_row_fn) from an inline row and its constant. */
#define ELTWISE_ROW(name, row, constant)                                                     \
    static void name(const void *data, int32_t n, const int8_t *a, int32_t step_a,           \
                     const int8_t *b, int32_t step_b, int8_t *out)                           \
    {                                                                                        \
        row(data, constant, n, a, step_a, b, step_b, out);                                   \
    }
ELTWISE_ROW(add_row, addsub_row, 0)
ELTWISE_ROW(sub_row, addsub_row, 1)
ELTWISE_ROW(add_row_lut, addsub_row_lut, 0)
ELTWISE_ROW(sub_row_lut, addsub_row_lut, 1)

/* The row function of ADD (subtract 0) or SUB (1): with tables when the data has both. */
static eltwise_row_fn addsub_row_fn(const edgeai_add_data *data, int32_t subtract)
{
    const int32_t lut = data->input1_lut != NULL && data->input2_lut != NULL;
    if (lut && data->lut_output) {
        return addsub_row_output;
    }
    if (subtract) {
        return lut ? sub_row_lut : sub_row;
    }
    return lut ? add_row_lut : add_row;
}

/* ---- MUL -------------------------------------------------------------------------------- */

/* MUL's output shifts that mul_fast_loop requantizes: a multiplier below 1/2, small enough
 * a right shift for the zero point to ride along. */
#define MUL_FAST_MIN_RIGHT 1
#define MUL_FAST_MAX_RIGHT 23

/*
 * MUL with right = -output_shift in [1, 23]. p = 2 (x1 + offset1)(x2 + offset2) has
 * |p| < 2^17, so SMMLAR(p, multiplier, base) = base + high, high being TFLM's doubling high
 * multiply of the product (edgeai_requantize.h); with base = 2^(right - 1) + zero point *
 * 2^right, adding -1 for p < 0 and shifting right gives RoundingDivideByPOT(high, right) +
 * zero point (as edgeai_rq_fast), every sum well inside int32. `clamp` (an activation
 * narrower than int8) and the steps are constants at each call site.
 */
ELTWISE_INLINE void mul_fast_loop(const edgeai_mul_data *data, int32_t clamp, int32_t n,
                                 const int8_t *a, int32_t step_a, const int8_t *b,
                                 int32_t step_b, int8_t *out)
{
    const int32_t twice_offset1 = 2 * data->input1_offset;
    const int32_t offset2 = data->input2_offset;
    const int32_t multiplier = data->output_multiplier;
    const int32_t right = -data->output_shift;
    const int32_t base = (1 << (right - 1)) + data->output_offset * (1 << right);
    const int32_t act_min = data->act_min;
    const int32_t act_max = data->act_max;
    int32_t i;

    for (i = 0; i < n; ++i) {
        const int32_t doubled = (2 * a[i * step_a] + twice_offset1) * (b[i * step_b] + offset2);
        const int32_t rounded = edgeai_smmlar(doubled, multiplier, base) + (doubled >> 31);
        int32_t value = ELTWISE_SAT8(rounded >> right);
        if (clamp) {
            value = EDGEAI_CLAMP(value, act_min, act_max);
        }
        out[i] = (int8_t)value;
    }
}

/* Any output shift: three requantization steps per element. */
static void mul_loop(const edgeai_mul_data *data, int32_t n, const int8_t *a, int32_t step_a,
                     const int8_t *b, int32_t step_b, int8_t *out)
{
    const int32_t offset1 = data->input1_offset;
    const int32_t offset2 = data->input2_offset;
    const eltwise_rq out_rq = eltwise_rq_make(data->output_multiplier, data->output_shift);
    const int32_t out_offset = data->output_offset;
    const int32_t act_min = data->act_min;
    const int32_t act_max = data->act_max;
    int32_t i;

    for (i = 0; i < n; ++i) {
        /* Both factors are in [-255, 255]: the product fits easily. */
        const int32_t x1 = (int32_t)a[i * step_a] + offset1;
        const int32_t x2 = (int32_t)b[i * step_b] + offset2;
        int32_t value = eltwise_requantize(x1 * x2, out_rq) + out_offset;
        value = EDGEAI_CLAMP(value, act_min, act_max);
        out[i] = (int8_t)value;
    }
}

static void mul_row(const void *data_ptr, int32_t n, const int8_t *a, int32_t step_a,
                    const int8_t *b, int32_t step_b, int8_t *out)
{
    const edgeai_mul_data *data = (const edgeai_mul_data *)data_ptr;
    const int32_t right = -data->output_shift;
    if (right < MUL_FAST_MIN_RIGHT || right > MUL_FAST_MAX_RIGHT) {
        mul_loop(data, n, a, step_a, b, step_b, out);
    } else if (data->act_min > -128 || data->act_max < 127) {
        mul_fast_loop(data, 1, n, a, step_a, b, step_b, out);
    } else if (step_a != 0 && step_b != 0) {
        mul_fast_loop(data, 0, n, a, 1, b, 1, out);
    } else {
        mul_fast_loop(data, 0, n, a, step_a, b, step_b, out);
    }
}

/* ---- MAXIMUM and MINIMUM (raw values) --------------------------------------------------- */

/* `maximum` is a constant at each call site. */
ELTWISE_INLINE void minmax_row(const void *data, int32_t maximum, int32_t n, const int8_t *a,
                              int32_t step_a, const int8_t *b, int32_t step_b, int8_t *out)
{
    int32_t i;
    (void)data;
    for (i = 0; i < n; ++i) {
        const int8_t x1 = a[i * step_a];
        const int8_t x2 = b[i * step_b];
        out[i] = (x1 > x2) == maximum ? x1 : x2;
    }
}

ELTWISE_ROW(maximum_row, minmax_row, 1)
ELTWISE_ROW(minimum_row, minmax_row, 0)

/* ---- Driver ----------------------------------------------------------------------------- */

/* EDGEAI_OK when the structure is self-consistent and names `constant` as the constant side
 * (0: none; -1: input 1 or 2). */
static edgeai_status eltwise_check(const edgeai_eltwise_params *params, int32_t constant)
{
    int32_t d;
    int32_t count = 1;
    if (params == NULL || params->size < 1) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    if (constant == 0 ? params->constant != 0 : (params->constant != 1 && params->constant != 2)) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    if (!params->broadcast) {
        return EDGEAI_OK;
    }
    for (d = 0; d < EDGEAI_ELTWISE_DIMS; ++d) {
        if (params->shape[d] < 1 || params->stride1[d] < 0 || params->stride2[d] < 0) {
            return EDGEAI_ERROR_ARGUMENT;
        }
        count *= params->shape[d];
    }
    if (count != params->size || params->stride1[3] > 1 || params->stride2[3] > 1) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    return EDGEAI_OK;
}

static void eltwise_run(const edgeai_eltwise_params *params, const void *data, eltwise_row_fn row,
                        const int8_t *input1, const int8_t *input2, int8_t *output)
{
    if (!params->broadcast) {
        row(data, params->size, input1, 1, input2, 1, output);
        return;
    }
    {
        /* The merged shape and each input's element steps, outermost first. */
        const int32_t n0 = params->shape[0], n1 = params->shape[1], n2 = params->shape[2],
                      n3 = params->shape[3];
        const int32_t a0 = params->stride1[0], a1 = params->stride1[1],
                      a2 = params->stride1[2], a3 = params->stride1[3];
        const int32_t b0 = params->stride2[0], b1 = params->stride2[1],
                      b2 = params->stride2[2], b3 = params->stride2[3];
        int32_t i0, i1, i2;
        int8_t *out = output;
        for (i0 = 0; i0 < n0; ++i0) {
            for (i1 = 0; i1 < n1; ++i1) {
                for (i2 = 0; i2 < n2; ++i2) {
                    const int32_t offset1 = i0 * a0 + i1 * a1 + i2 * a2;
                    const int32_t offset2 = i0 * b0 + i1 * b1 + i2 * b2;
                    row(data, n3, input1 + offset1, a3, input2 + offset2, b3, out);
                    out += n3;
                }
            }
        }
    }
}

static edgeai_status eltwise_binary(const edgeai_eltwise_params *params, const void *data,
                                    eltwise_row_fn row, const int8_t *input1,
                                    const int8_t *input2, int8_t *output)
{
    if (input1 == NULL || input2 == NULL || output == NULL || eltwise_check(params, 0) != EDGEAI_OK) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    eltwise_run(params, data, row, input1, input2, output);
    return EDGEAI_OK;
}

static edgeai_status eltwise_const(const edgeai_eltwise_params *params, const void *data,
                                   const int8_t *constant, eltwise_row_fn row,
                                   const int8_t *input, int8_t *output)
{
    if (constant == NULL || input == NULL || output == NULL
        || eltwise_check(params, -1) != EDGEAI_OK) {
        return EDGEAI_ERROR_ARGUMENT;
    }
    if (params->constant == 1) {
        eltwise_run(params, data, row, constant, input, output);
    } else {
        eltwise_run(params, data, row, input, constant, output);
    }
    return EDGEAI_OK;
}

/* ---- Entry points ----------------------------------------------------------------------- */

typedef enum { ELTWISE_ADD, ELTWISE_SUB, ELTWISE_MUL, ELTWISE_MAXIMUM, ELTWISE_MINIMUM } eltwise_op;

/* The row function of `op` (a constant at each call site) for its data. */
static inline eltwise_row_fn eltwise_row_of(eltwise_op op, const void *data)
{
    switch (op) {
    case ELTWISE_ADD:
        return addsub_row_fn((const edgeai_add_data *)data, 0);
    case ELTWISE_SUB:
        return addsub_row_fn((const edgeai_add_data *)data, 1);
    case ELTWISE_MUL:
        return mul_row;
    case ELTWISE_MAXIMUM:
        return maximum_row;
    default:
        return minimum_row;
    }
}

/* Both inputs at run time; `data` must not be NULL. */
#define ELTWISE_BINARY_ENTRY(name, data_type, op)                                            \
    edgeai_status name(const edgeai_eltwise_params *params, const data_type *data,           \
                       const int8_t *input1, const int8_t *input2, int8_t *output)          \
    {                                                                                        \
        if (data == NULL) {                                                                  \
            return EDGEAI_ERROR_ARGUMENT;                                                    \
        }                                                                                    \
        return eltwise_binary(params, data, eltwise_row_of(op, data), input1, input2,        \
                              output);                                                       \
    }
ELTWISE_BINARY_ENTRY(edgeai_add_s8, edgeai_add_data, ELTWISE_ADD)
ELTWISE_BINARY_ENTRY(edgeai_sub_s8, edgeai_add_data, ELTWISE_SUB)
ELTWISE_BINARY_ENTRY(edgeai_mul_s8, edgeai_mul_data, ELTWISE_MUL)

edgeai_status edgeai_maximum_s8(const edgeai_eltwise_params *params, const int8_t *input1,
                                const int8_t *input2, int8_t *output)
{
    return eltwise_binary(params, NULL, maximum_row, input1, input2, output);
}

edgeai_status edgeai_minimum_s8(const edgeai_eltwise_params *params, const int8_t *input1,
                                const int8_t *input2, int8_t *output)
{
    return eltwise_binary(params, NULL, minimum_row, input1, input2, output);
}

/* One input is data->constant, the first member of each op's data. */
#define ELTWISE_CONST_ENTRY(name, data_type, op)                                             \
    edgeai_status name(const edgeai_eltwise_params *params, const data_type *data,           \
                       const int8_t *input, int8_t *output)                                  \
    {                                                                                        \
        if (data == NULL) {                                                                  \
            return EDGEAI_ERROR_ARGUMENT;                                                    \
        }                                                                                    \
        return eltwise_const(params, data, data->constant, eltwise_row_of(op, data), input,  \
                             output);                                                        \
    }
ELTWISE_CONST_ENTRY(edgeai_add_const_s8, edgeai_add_data, ELTWISE_ADD)
ELTWISE_CONST_ENTRY(edgeai_sub_const_s8, edgeai_add_data, ELTWISE_SUB)
ELTWISE_CONST_ENTRY(edgeai_mul_const_s8, edgeai_mul_data, ELTWISE_MUL)
ELTWISE_CONST_ENTRY(edgeai_maximum_const_s8, edgeai_minmax_data, ELTWISE_MAXIMUM)
ELTWISE_CONST_ENTRY(edgeai_minimum_const_s8, edgeai_minmax_data, ELTWISE_MINIMUM)
