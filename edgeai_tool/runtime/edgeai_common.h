/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: definitions shared by every kernel and by the generated code.
 */
#ifndef EDGEAI_COMMON_H
#define EDGEAI_COMMON_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Status returned by every kernel and by the generated `<name>_run()`. */
typedef int32_t edgeai_status;
#define EDGEAI_OK 0
#define EDGEAI_ERROR_ARGUMENT (-1) /**< a NULL pointer or an impossible parameter */

/* Constant arrays and I/O buffers are word-aligned so kernels may read them 32 bits at a time. */
#if defined(__GNUC__) || defined(__clang__)
#define EDGEAI_ALIGNED(n) __attribute__((aligned(n)))
#else
#define EDGEAI_ALIGNED(n)
#endif

#define EDGEAI_MIN(a, b) ((a) < (b) ? (a) : (b))
#define EDGEAI_MAX(a, b) ((a) > (b) ? (a) : (b))
#define EDGEAI_CLAMP(x, lo, hi) EDGEAI_MIN(EDGEAI_MAX((x), (lo)), (hi))

/** Shape of an activation tensor in NHWC order with batch 1. */
typedef struct {
    int32_t h; /**< height (rows) */
    int32_t w; /**< width (columns) */
    int32_t c; /**< channels, innermost in memory */
} edgeai_hwc;

#ifdef __cplusplus
}
#endif

#endif /* EDGEAI_COMMON_H */
