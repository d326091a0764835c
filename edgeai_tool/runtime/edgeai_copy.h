/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: byte copy, for shape-only ops whose output cannot share the input's
 * buffer (a graph input reshaped straight into a graph output).
 */
#ifndef EDGEAI_COPY_H
#define EDGEAI_COPY_H

#include "edgeai_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Structure of a copy: how many bytes. */
typedef struct {
    int32_t size; /**< bytes to copy, >= 0 */
} edgeai_copy_params;

/** Copy `params->size` bytes from input to output; the buffers must not overlap. */
edgeai_status edgeai_copy_s8(const edgeai_copy_params *params, const int8_t *input, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* EDGEAI_COPY_H */
