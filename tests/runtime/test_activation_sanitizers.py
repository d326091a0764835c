"""The table-lookup kernel under AddressSanitizer and UBSan, in place and out of place."""

from __future__ import annotations

from pathlib import Path

from support.sanitized_driver import run_driver_under_sanitizers

DRIVER = r"""
#include <stdio.h>
#include <stdlib.h>
#include "edgeai_activation.h"

int main(void)
{
    int8_t *lut = malloc(256);
    for (int i = 0; i < 256; ++i) lut[i] = (int8_t)(255 - i);
    for (int32_t size = 1; size < 600; size += 7) {
        int8_t *x = malloc((size_t)size);
        int8_t *y = malloc((size_t)size);
        for (int32_t i = 0; i < size; ++i) x[i] = (int8_t)(i * 37);
        const edgeai_lut_params params = {size};
        const edgeai_lut_data data = {lut};
        if (edgeai_lut_s8(&params, &data, x, y) != EDGEAI_OK) return 1;
        for (int32_t i = 0; i < size; ++i) if (y[i] != lut[(uint8_t)x[i]]) return 2;
        if (edgeai_lut_s8(&params, &data, x, x) != EDGEAI_OK) return 3; /* in place */
        for (int32_t i = 0; i < size; ++i) if (x[i] != y[i]) return 4;
        free(x); free(y);
    }
    const edgeai_lut_params empty = {0};
    const edgeai_lut_data data = {lut};
    int8_t v = 0;
    if (edgeai_lut_s8(&empty, &data, &v, &v) != EDGEAI_ERROR_ARGUMENT) return 5;
    free(lut);
    puts("ok");
    return 0;
}
"""


def test_lut_under_sanitizers(tmp_path: Path) -> None:
    run_driver_under_sanitizers(DRIVER, "edgeai_activation.c", tmp_path)
