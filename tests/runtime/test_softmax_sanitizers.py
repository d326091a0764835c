"""SOFTMAX's C kernel under AddressSanitizer and UBSan: random shapes and tables on
exact-size heap buffers, outputs checked for the properties every softmax row has."""

from __future__ import annotations

from pathlib import Path

from support.sanitized_driver import run_driver_under_sanitizers

DRIVER = r"""
#include <stdio.h>
#include <stdlib.h>
#include "edgeai_softmax.h"

static uint32_t state = 777u;
static int32_t next(int32_t lo, int32_t hi)
{
    state = state * 1664525u + 1013904223u;
    return (int32_t)((int64_t)lo + (int64_t)((state >> 1) % (uint32_t)((int64_t)hi - lo + 1)));
}

int main(void)
{
    for (int trial = 0; trial < 2000; ++trial) {
        const int32_t rows = next(1, 3);
        const int32_t depth = trial == 0 ? 4095 : next(1, 300);
        const int32_t lut_size = next(1, 256);
        int32_t *lut = malloc(sizeof(int32_t) * (size_t)lut_size);
        lut[0] = INT32_MAX; /* exp(0), as every generated table starts */
        for (int32_t i = 1; i < lut_size; ++i) lut[i] = next(0, lut[i - 1]);
        int8_t *x = malloc((size_t)(rows * depth));
        int8_t *y = malloc((size_t)(rows * depth));
        for (int32_t i = 0; i < rows * depth; ++i) x[i] = (int8_t)next(-128, 127);
        const edgeai_softmax_params params = {rows, depth};
        const edgeai_softmax_data data = {lut, lut_size};
        if (edgeai_softmax_s8(&params, &data, x, y) != EDGEAI_OK) return 1;
        for (int32_t r = 0; r < rows; ++r) { /* the row's maximum gets the largest output */
            int32_t arg = 0;
            for (int32_t c = 1; c < depth; ++c) if (x[r * depth + c] > x[r * depth + arg]) arg = c;
            for (int32_t c = 0; c < depth; ++c) {
                if (y[r * depth + c] > y[r * depth + arg]) return 2;
            }
        }
        free(lut); free(x); free(y);
    }
    const edgeai_softmax_params too_wide = {1, 4096};
    const int32_t one = INT32_MAX;
    const edgeai_softmax_data data = {&one, 1};
    int8_t x = 0, y = 0;
    if (edgeai_softmax_s8(&too_wide, &data, &x, &y) != EDGEAI_ERROR_ARGUMENT) return 3;
    puts("ok");
    return 0;
}
"""


def test_softmax_under_sanitizers(tmp_path: Path) -> None:
    run_driver_under_sanitizers(DRIVER, "edgeai_softmax.c", tmp_path)
