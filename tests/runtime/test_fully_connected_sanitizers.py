"""FULLY_CONNECTED under AddressSanitizer and UBSan: random shapes on exact-size heap
buffers (weights 4-byte aligned, as the header asks), the portable path and the (emulated)
DSP path compared output for output, with the exact and the fast requantization."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

RUNTIME = Path(__file__).resolve().parents[2] / "edgeai_tool" / "runtime"

DRIVER = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "edgeai_fully_connected.h"

edgeai_status fc_portable(const edgeai_fc_params *, const edgeai_fc_data *, const int8_t *,
                          int8_t *);
edgeai_status fc_dsp(const edgeai_fc_params *, const edgeai_fc_data *, const int8_t *, int8_t *);
edgeai_status fc_portable_w16(const edgeai_fc_params *, const edgeai_fc_wide_data *,
                              const int8_t *, int8_t *);
edgeai_status fc_dsp_w16(const edgeai_fc_params *, const edgeai_fc_wide_data *, const int8_t *,
                         int8_t *);

static uint32_t state = 12345u;
static int32_t next(int32_t lo, int32_t hi) /* uniform in [lo, hi] */
{
    state = state * 1664525u + 1013904223u;
    return lo + (int32_t)((state >> 8) % (uint32_t)(hi - lo + 1));
}

int main(void)
{
    for (int trial = 0; trial < 3000; ++trial) {
        const int32_t batches = next(1, 3), in_depth = next(1, 70), out_depth = next(1, 21);
        const int32_t per_channel = next(0, 1), channels = per_channel ? out_depth : 1;
        int8_t *weights = malloc((size_t)(in_depth * out_depth));
        int16_t *wide = malloc(sizeof(int16_t) * (size_t)(in_depth * out_depth));
        int32_t *bias = malloc(sizeof(int32_t) * (size_t)out_depth);
        int32_t *requant = malloc(sizeof(int32_t) * 2 * (size_t)channels);
        int8_t *input = malloc((size_t)(batches * in_depth));
        int8_t *out1 = malloc((size_t)(batches * out_depth));
        int8_t *out2 = malloc((size_t)(batches * out_depth));
        for (int32_t i = 0; i < in_depth * out_depth; ++i) {
            weights[i] = (int8_t)next(-128, 127);
            wide[i] = (int16_t)next(-128, 127);
        }
        for (int32_t i = 0; i < batches * in_depth; ++i) input[i] = (int8_t)next(-128, 127);
        for (int32_t i = 0; i < out_depth; ++i) bias[i] = next(-2000000, 2000000);
        /* edgeai_requantize.h's record {multiplier, -shift}; the fast form only with a
           right shift, as the generator decides it */
        const int32_t fast = next(0, 1);
        for (int32_t i = 0; i < channels; ++i) {
            requant[2 * i] = next(1 << 30, 0x7FFFFFFF);
            requant[2 * i + 1] = -(fast ? next(-31, -1) : next(-31, 2));
        }
        const edgeai_fc_params params = {batches, in_depth, out_depth, per_channel};
        const int32_t lo = next(-128, 0);
        const int32_t hi = next(lo, 127);
        const edgeai_fc_data data = {weights, bias, requant, next(-128, 127), lo, hi, fast};
        const edgeai_fc_wide_data wide_data = {wide, bias, requant, data.output_offset,
                                               data.act_min, data.act_max, data.rq_fast};
        if (fc_portable(&params, &data, input, out1) != EDGEAI_OK ||
            fc_dsp(&params, &data, input, out2) != EDGEAI_OK ||
            memcmp(out1, out2, (size_t)(batches * out_depth)) != 0) {
            printf("mismatch in trial %d\n", trial);
            return 1;
        }
        if (fc_portable_w16(&params, &wide_data, input, out1) != EDGEAI_OK ||
            fc_dsp_w16(&params, &wide_data, input, out2) != EDGEAI_OK ||
            memcmp(out1, out2, (size_t)(batches * out_depth)) != 0) {
            printf("int16 weights: mismatch in trial %d\n", trial);
            return 1;
        }
        free(weights); free(wide); free(bias); free(requant); free(input);
        free(out1); free(out2);
    }
    const edgeai_fc_params bad = {1, 0, 1, 0};
    const edgeai_fc_data none = {0};
    int8_t x = 0, y = 0;
    const edgeai_fc_wide_data no_wide = {0};
    if (fc_portable(&bad, &none, &x, &y) != EDGEAI_ERROR_ARGUMENT) return 2;
    if (fc_dsp_w16(&bad, &no_wide, &x, &y) != EDGEAI_ERROR_ARGUMENT) return 3;
    puts("ok");
    return 0;
}
"""


@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc not installed")
def test_portable_and_dsp_paths_agree_under_sanitizers(tmp_path: Path) -> None:
    (tmp_path / "main.c").write_text(DRIVER)
    common = ["gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-O1", "-g",
              "-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-I", str(RUNTIME)]
    source = str(RUNTIME / "edgeai_fully_connected.c")
    for name, flags in (("portable", []), ("dsp", ["-DEDGEAI_EMULATE_DSP"])):
        subprocess.run([*common, *flags, f"-Dedgeai_fully_connected_s8=fc_{name}",
                        f"-Dedgeai_fully_connected_s8_get_buffer_size=fc_{name}_size",
                        f"-Dedgeai_fully_connected_s8_w16=fc_{name}_w16",
                        "-c", source, "-o", str(tmp_path / f"{name}.o")], check=True)
    exe = tmp_path / "fc_check"
    subprocess.run([*common, str(tmp_path / "main.c"), str(tmp_path / "portable.o"),
                    str(tmp_path / "dsp.o"), "-o", str(exe)], check=True)
    result = subprocess.run([str(exe)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "ok"
