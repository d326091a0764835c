/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ai_platform.h: the types and macros of X-CUBE-AI's legacy client API (`ai_<name>_*`),
 * written for edgeai so that applications written against ST's documentation build
 * unchanged. Only what applications use is here: handles, buffers with their format and
 * quantization, errors, the network report and parameters, and ST's scalar types.
 *
 * The generated `<name>.h` includes this file when the network is generated with
 * `--c-api legacy` (the default for STM32 targets).
 */
#ifndef AI_PLATFORM_H
#define AI_PLATFORM_H

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#define AI_API_DECLARE_BEGIN extern "C" {
#define AI_API_DECLARE_END }
#else
#define AI_API_DECLARE_BEGIN
#define AI_API_DECLARE_END
#endif

#define AI_API_ENTRY
#if defined(__GNUC__) || defined(__clang__)
#define AI_ALIGNED(x) __attribute__((aligned(x)))
#define AI_DEPRECATED __attribute__((deprecated))
#else
#define AI_ALIGNED(x)
#define AI_DEPRECATED
#endif

AI_API_DECLARE_BEGIN

/* ---- scalar types ------------------------------------------------------------------ */

typedef float ai_float;
typedef double ai_double;
typedef bool ai_bool;
typedef char ai_char;
typedef int8_t ai_i8;
typedef uint8_t ai_u8;
typedef int16_t ai_i16;
typedef uint16_t ai_u16;
typedef int32_t ai_i32;
typedef uint32_t ai_u32;
typedef int64_t ai_i64;
typedef uint64_t ai_u64;
typedef int ai_int;
typedef unsigned int ai_uint;
typedef uintptr_t ai_uptr;
typedef uint32_t ai_size;
typedef uint32_t ai_flags;
typedef uint32_t ai_signature;
typedef uint64_t ai_macc;
typedef uint8_t *ai_ptr;
typedef const uint8_t *ai_ptr_const;
typedef void *ai_handle;
typedef const void *ai_handle_const;

#define AI_HANDLE_PTR(ptr_) ((ai_handle)(ptr_))
#define AI_HANDLE_NULL AI_HANDLE_PTR(NULL)
#define AI_FLAG_NONE (0x0u)
#define AI_VERSION(major_, minor_, micro_) (((major_) << 24) | ((minor_) << 16) | ((micro_) << 8))
#define AIU32_FMT "%" PRIu32
#define AII32_FMT "%" PRId32
#define AIU64_FMT "%" PRIu64
#define AII64_FMT "%" PRId64

/* ---- buffer format: type, sign, bits and fractional bits packed in 32 bits ------------ */

typedef uint32_t ai_buffer_format;

#define AI_BUFFER_FMT_TYPE_NONE (0x0u)
#define AI_BUFFER_FMT_TYPE_FLOAT (0x1u)
#define AI_BUFFER_FMT_TYPE_Q (0x2u)
#define AI_BUFFER_FMT_TYPE_BOOL (0x3u)

#define AI_BUFFER_FMT_FLAG_CONST (0x1u << 30)
#define AI_BUFFER_FMT_FLAG_STATIC (0x1u << 29)
#define AI_BUFFER_FMT_FLAG_IS_IO (0x1u << 27)
#define AI_BUFFER_FMT_MASK (0x01FFFFFFu) /* the format without its flags */

/* Layout (ST's): bits 0-6 fractional bits + 64, bits 7-13 bits, bits 17-20 type, bit 23
 * sign, bit 24 complex. `float_` is there for ST's signature: the type says float. */
#define AI_BUFFER_FMT_SET(type_, sign_, float_, bits_, fbits_)                            \
    ((ai_buffer_format)((((ai_u32)(type_) & 0xFu) << 17) | (((ai_u32)(sign_) & 0x1u) << 23) | \
                        (((ai_u32)(bits_) & 0x7Fu) << 7) |                                   \
                        ((ai_u32)((fbits_) + 64) & 0x7Fu)))
#define AI_BUFFER_FMT_GET(fmt_) ((ai_buffer_format)(fmt_) & AI_BUFFER_FMT_MASK)
#define AI_BUFFER_FMT_SAME(fmt1_, fmt2_) (AI_BUFFER_FMT_GET(fmt1_) == AI_BUFFER_FMT_GET(fmt2_))
#define AI_BUFFER_FMT_GET_FLOAT(fmt_) (((ai_u32)(fmt_) >> 24) & 0x1u)
#define AI_BUFFER_FMT_GET_TYPE(fmt_) (((ai_u32)(fmt_) >> 17) & 0xFu)
#define AI_BUFFER_FMT_GET_SIGN(fmt_) (((ai_u32)(fmt_) >> 23) & 0x1u)
#define AI_BUFFER_FMT_GET_BITS(fmt_) (((ai_u32)(fmt_) >> 7) & 0x7Fu)
#define AI_BUFFER_FMT_GET_FBITS(fmt_) ((ai_i32)((ai_u32)(fmt_) & 0x7Fu) - 64)

#define AI_BUFFER_FORMAT_NONE AI_BUFFER_FMT_SET(AI_BUFFER_FMT_TYPE_NONE, 0, 0, 0, 0)
#define AI_BUFFER_FORMAT_FLOAT AI_BUFFER_FMT_SET(AI_BUFFER_FMT_TYPE_FLOAT, 1, 0, 32, 0)
#define AI_BUFFER_FORMAT_BOOL AI_BUFFER_FMT_SET(AI_BUFFER_FMT_TYPE_BOOL, 0, 0, 8, 0)
#define AI_BUFFER_FORMAT_U1 AI_BUFFER_FMT_SET(AI_BUFFER_FMT_TYPE_Q, 0, 0, 1, 0)
#define AI_BUFFER_FORMAT_U8 AI_BUFFER_FMT_SET(AI_BUFFER_FMT_TYPE_Q, 0, 0, 8, 0)
#define AI_BUFFER_FORMAT_U16 AI_BUFFER_FMT_SET(AI_BUFFER_FMT_TYPE_Q, 0, 0, 16, 0)
#define AI_BUFFER_FORMAT_U32 AI_BUFFER_FMT_SET(AI_BUFFER_FMT_TYPE_Q, 0, 0, 32, 0)
#define AI_BUFFER_FORMAT_S1 AI_BUFFER_FMT_SET(AI_BUFFER_FMT_TYPE_Q, 1, 0, 1, 0)
#define AI_BUFFER_FORMAT_S8 AI_BUFFER_FMT_SET(AI_BUFFER_FMT_TYPE_Q, 1, 0, 8, 0)
#define AI_BUFFER_FORMAT_S16 AI_BUFFER_FMT_SET(AI_BUFFER_FMT_TYPE_Q, 1, 0, 16, 0)
#define AI_BUFFER_FORMAT_S32 AI_BUFFER_FMT_SET(AI_BUFFER_FMT_TYPE_Q, 1, 0, 32, 0)
#define AI_BUFFER_FORMAT_Q AI_BUFFER_FMT_SET(AI_BUFFER_FMT_TYPE_Q, 1, 0, 0, 0)
#define AI_BUFFER_FORMAT_Q7 AI_BUFFER_FMT_SET(AI_BUFFER_FMT_TYPE_Q, 1, 0, 8, 7)
#define AI_BUFFER_FORMAT_Q15 AI_BUFFER_FMT_SET(AI_BUFFER_FMT_TYPE_Q, 1, 0, 16, 15)
#define AI_BUFFER_FORMAT_UQ AI_BUFFER_FMT_SET(AI_BUFFER_FMT_TYPE_Q, 0, 0, 0, 0)
#define AI_BUFFER_FORMAT_UQ7 AI_BUFFER_FMT_SET(AI_BUFFER_FMT_TYPE_Q, 0, 0, 8, 7)
#define AI_BUFFER_FORMAT_UQ15 AI_BUFFER_FMT_SET(AI_BUFFER_FMT_TYPE_Q, 0, 0, 16, 15)

/* ---- quantization of a buffer: real = scale * (q - zero_point) ------------------------- */

/** Per-tensor (size 1) or per-channel scales and zero points. Zero points are ai_i32. */
typedef struct {
    const ai_float *scale;
    const void *zeropoint;
} ai_intq_info;

typedef struct {
    ai_u16 flags;
    ai_u16 size; /**< number of (scale, zero point) pairs */
    const ai_intq_info *info;
} ai_intq_info_list;

#define AI_BUFFER_META_HAS_INTQ_INFO (0x1u << 0)
/* Flags of an ai_intq_info_list (edgeai's zero points are ai_i32 whatever the flags). */
#define AI_BUFFER_META_FLAG_SCALE_FLOAT (0x1u << 0)
#define AI_BUFFER_META_FLAG_ZEROPOINT_U8 (0x1u << 1)
#define AI_BUFFER_META_FLAG_ZEROPOINT_S8 (0x1u << 2)

typedef struct {
    ai_u32 flags; /**< AI_BUFFER_META_HAS_INTQ_INFO when intq_info is set */
    ai_intq_info_list *intq_info;
} ai_buffer_meta_info;

#define AI_BUFFER_META_INFO_INTQ(meta_)                                                    \
    (((meta_) != NULL && ((meta_)->flags & AI_BUFFER_META_HAS_INTQ_INFO) != 0u)            \
         ? (meta_)->intq_info                                                              \
         : NULL)
#define AI_BUFFER_META_INFO_INTQ_GET_SIZE(meta_)                                           \
    ((AI_BUFFER_META_INFO_INTQ(meta_) != NULL) ? AI_BUFFER_META_INFO_INTQ(meta_)->size : 0)
#define AI_BUFFER_META_INFO_INTQ_GET_SCALE(meta_, pos_)                                    \
    ((AI_BUFFER_META_INFO_INTQ(meta_) != NULL)                                             \
         ? AI_BUFFER_META_INFO_INTQ(meta_)->info->scale[(pos_)]                            \
         : 0.0f)
#define AI_BUFFER_META_INFO_INTQ_GET_ZEROPOINT(meta_, pos_)                                \
    ((AI_BUFFER_META_INFO_INTQ(meta_) != NULL)                                             \
         ? ((const ai_i32 *)AI_BUFFER_META_INFO_INTQ(meta_)->info->zeropoint)[(pos_)]      \
         : 0)

/* ---- buffers ------------------------------------------------------------------------ */

typedef ai_u32 ai_shape_dimension;

/* Shape dimensions are stored in ST's BCWH order: batch, channel, width, height. */
#define AI_SHAPE_BCWH (0x01u)
#define AI_SHAPE_BATCH (0x00u)
#define AI_SHAPE_TIME (0x00u)
#define AI_SHAPE_IN_CHANNEL (0x00u)
#define AI_SHAPE_CHANNEL (0x01u)
#define AI_SHAPE_WIDTH (0x02u)
#define AI_SHAPE_HEIGHT (0x03u)
#define AI_SHAPE_DEPTH (0x04u)
#define AI_SHAPE_EXTENSION (0x05u)

typedef struct {
    unsigned int type : 8;  /**< AI_SHAPE_BCWH */
    unsigned int size : 24; /**< number of dimensions in data */
    ai_shape_dimension *data;
} ai_buffer_shape;

typedef struct {
    ai_buffer_format format;
    ai_handle data;                 /**< the items, batch after batch */
    ai_buffer_meta_info *meta_info; /**< quantization, or NULL */
    ai_flags flags;
    ai_size size; /**< items of one batch */
    ai_buffer_shape shape;
} ai_buffer;

typedef struct {
    ai_u16 flags;
    ai_u16 size; /**< number of buffers */
    ai_buffer *buffer;
} ai_buffer_array;

#define AI_BUFFER_FORMAT(buf_) AI_BUFFER_FMT_GET((buf_)->format)
#define AI_BUFFER_DATA(buf_, type_) ((type_ *)((buf_)->data))
#define AI_BUFFER_META_INFO(buf_) ((buf_)->meta_info)
#define AI_BUFFER_FLAGS(buf_) ((buf_) ? (buf_)->flags : AI_FLAG_NONE)
#define AI_BUFFER_SIZE(buf_) ai_buffer_get_size((buf_), true)
#define AI_BUFFER_SIZE_UNPAD(buf_) ai_buffer_get_size((buf_), false)
#define AI_BUFFER_BYTE_SIZE(count_, fmt_) ai_buffer_get_byte_size((count_), (fmt_))
#define AI_BUFFER_SHAPE_SIZE(buf_) ((buf_) ? (buf_)->shape.size : 0u)
#define AI_BUFFER_SHAPE_TYPE(buf_) ((buf_) ? (buf_)->shape.type : 0u)
#define AI_BUFFER_SHAPE_ELEM(buf_, pos_)                                                   \
    (((ai_u32)(pos_) < (buf_)->shape.size && (buf_)->shape.data != NULL)                   \
         ? (buf_)->shape.data[(pos_)]                                                      \
         : 1u)
#define AI_BUFFER_SET_SHAPE_ELEM(buf_, pos_, value_) ((buf_)->shape.data[(pos_)] = (value_))
#define AI_BUFFER_N_BATCHES(buf_) AI_BUFFER_SHAPE_ELEM((buf_), AI_SHAPE_BATCH)
#define AI_BUFFER_CHANNELS(buf_) AI_BUFFER_SHAPE_ELEM((buf_), AI_SHAPE_CHANNEL)
#define AI_BUFFER_WIDTH(buf_) AI_BUFFER_SHAPE_ELEM((buf_), AI_SHAPE_WIDTH)
#define AI_BUFFER_HEIGHT(buf_) AI_BUFFER_SHAPE_ELEM((buf_), AI_SHAPE_HEIGHT)
#define AI_BUFFER_ARRAY_SIZE(array_) ((array_) ? (array_)->size : 0u)
#define AI_BUFFER_ARRAY_ITEM(array_, pos_) ((array_) ? (array_)->buffer + (pos_) : NULL)

/** Items of the buffer (edgeai pads nothing, so both counts are the same). */
static inline ai_size ai_buffer_get_size(const ai_buffer *buffer, const ai_bool with_padding)
{
    (void)with_padding;
    return buffer != NULL ? buffer->size : 0u;
}

/** Bytes of `count` items of format `fmt`. */
static inline ai_size ai_buffer_get_byte_size(const ai_size count, const ai_buffer_format fmt)
{
    return (count * AI_BUFFER_FMT_GET_BITS(fmt) + 7u) >> 3;
}

/** Set the address of buffer `pos` of `array`; false when `pos` is out of range. */
static inline ai_bool ai_buffer_array_item_set_address(ai_buffer_array *array, ai_u32 pos,
                                                       ai_handle address)
{
    if (array == NULL || array->buffer == NULL || pos >= array->size) {
        return false;
    }
    array->buffer[pos].data = address;
    return true;
}
#define AI_BUFFER_ARRAY_ITEM_SET_ADDRESS(array_, pos_, addr_)                              \
    ai_buffer_array_item_set_address((array_), (ai_u32)(pos_), (ai_handle)(addr_))

#define AI_ERROR_INIT(type_, code_) { AI_ERROR_##type_, AI_ERROR_CODE_##code_ }

/* ---- errors --------------------------------------------------------------------------- */

/** What went wrong (`type`) and where (`code`), as ST's runtime reports it. */
typedef struct {
    unsigned int type : 8;
    unsigned int code : 24;
} ai_error;

typedef enum {
    AI_ERROR_NONE = 0x00,
    AI_ERROR_TOOL_PLATFORM_API_MISMATCH = 0x01,
    AI_ERROR_TYPES_MISMATCH = 0x02,
    AI_ERROR_INVALID_HANDLE = 0x10,
    AI_ERROR_INVALID_STATE = 0x11,
    AI_ERROR_INVALID_INPUT = 0x12,
    AI_ERROR_INVALID_OUTPUT = 0x13,
    AI_ERROR_INVALID_PARAM = 0x14,
    AI_ERROR_INVALID_SIGNATURE = 0x15,
    AI_ERROR_INVALID_SIZE = 0x16,
    AI_ERROR_INVALID_VALUE = 0x17,
    AI_ERROR_INIT_FAILED = 0x30,
    AI_ERROR_ALLOCATION_FAILED = 0x31,
    AI_ERROR_DEALLOCATION_FAILED = 0x32,
    AI_ERROR_CREATE_FAILED = 0x33
} ai_error_type;

typedef enum {
    AI_ERROR_CODE_NONE = 0x00,
    AI_ERROR_CODE_NETWORK = 0x10,
    AI_ERROR_CODE_NETWORK_PARAMS = 0x11,
    AI_ERROR_CODE_NETWORK_WEIGHTS = 0x12,
    AI_ERROR_CODE_NETWORK_ACTIVATIONS = 0x13,
    AI_ERROR_CODE_LAYER = 0x14,
    AI_ERROR_CODE_TENSOR = 0x15,
    AI_ERROR_CODE_ARRAY = 0x16,
    AI_ERROR_CODE_INVALID_PTR = 0x17,
    AI_ERROR_CODE_INVALID_SIZE = 0x18,
    AI_ERROR_CODE_INVALID_FORMAT = 0x19,
    AI_ERROR_CODE_OUT_OF_RANGE = 0x20,
    AI_ERROR_CODE_INVALID_BATCH = 0x21,
    AI_ERROR_CODE_MISSED_INIT = 0x30,
    AI_ERROR_CODE_IN_USE = 0x40,
    AI_ERROR_CODE_LOCK = 0x41
} ai_error_code;

/* ---- network report and parameters ------------------------------------------------------ */

typedef struct {
    ai_u8 major;
    ai_u8 minor;
    ai_u8 micro;
    ai_u8 reserved;
} ai_platform_version;

typedef struct {
    const char *model_name;
    const char *model_signature;
    const char *model_datetime;
    const char *compile_datetime;
    const char *runtime_revision;
    ai_platform_version runtime_version;
    const char *tool_revision;
    ai_platform_version tool_version;
    ai_platform_version tool_api_version;
    ai_platform_version api_version;
    ai_platform_version interface_api_version;
    ai_macc n_macc; /**< multiply-accumulates of one inference */
    ai_u16 n_inputs;
    ai_u16 n_outputs;
    ai_buffer *inputs;
    ai_buffer *outputs;
    ai_signature map_signature;
    ai_buffer_array map_weights;
    ai_buffer_array map_activations;
    ai_u32 n_nodes;
    ai_signature signature;
} ai_network_report;

/** What `ai_<name>_init` attaches: the weights and one buffer per activation pool. */
typedef struct {
    ai_signature map_signature;
    ai_buffer_array map_weights;
    ai_buffer_array map_activations;
} ai_network_params;

AI_API_DECLARE_END

#endif /* AI_PLATFORM_H */
