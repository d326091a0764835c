"""Scratch sizes: the generator evaluates the runtime headers' formulas, and every C
`*_get_buffer_size` agrees with that evaluation on a few shapes."""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from edgeai_tool.ops.conv import columns_bytes, conv_pool_scratch_bytes
from edgeai_tool.runtime.buffer_sizes import buffer_size

RUNTIME = Path(__file__).resolve().parents[2] / "edgeai_tool" / "runtime"

# (kernel_h, kernel_w, input (h, w, c), groups): none of them a plain 1x1
CONV_SHAPES = [(3, 3, (8, 8, 5), 1), (1, 1, (6, 6, 4), 2), (5, 1, (9, 4, 12), 3),
               (1, 7, (3, 11, 1), 1), (1, 1, (5, 5, 8), 1), (1, 1, (5, 5, 6), 1)]
POOL_CHANNELS = [1, 3, 4, 17]


def test_evaluates_the_header_formulas() -> None:
    # 72 taps: 18 quads of one or two int16 columns (and one int8 column when staged)
    for columns in (1, 2):
        assert buffer_size("EDGEAI_CONV_S8_BUFFER_SIZE", kernel_h=3, kernel_w=3, filter_c=8,
                           columns=columns) == 144 * columns
        assert buffer_size("EDGEAI_CONV_S8_STAGED_BUFFER_SIZE", kernel_h=3, kernel_w=3,
                           filter_c=8, columns=columns) == 144 * columns + 72
    # columns + one pixel of outputs per column, rounded up to a word, then one int32 per
    # channel
    assert buffer_size("EDGEAI_CONV_POOL_S8_BUFFER_SIZE", column_bytes=18, channels=5,
                       columns=1, average=1) == 24 + 20
    assert buffer_size("EDGEAI_CONV_POOL_S8_BUFFER_SIZE", column_bytes=18, channels=5,
                       columns=1, average=0) == 24
    assert buffer_size("EDGEAI_CONV_POOL_S8_BUFFER_SIZE", column_bytes=36, channels=5,
                       columns=2, average=0) == 48
    assert buffer_size("EDGEAI_AVG_POOL_S8_BUFFER_SIZE", channels=7) == 28
    assert buffer_size("EDGEAI_FULLY_CONNECTED_S8_BUFFER_SIZE") == 0


@pytest.mark.parametrize(("macro", "arguments", "message"), [
    ("EDGEAI_CONV_S8_BUFFER_SIZE", {"kernel_h": 3},
     "takes (kernel_h, kernel_w, filter_c, columns)"),
    ("EDGEAI_NO_SUCH_BUFFER_SIZE", {}, "no single definition of EDGEAI_NO_SUCH_BUFFER_SIZE"),
    ("EDGEAI_SMLAD", {"a": 1, "b": 2, "acc": 3}, "no single definition"),  # two #if branches
    ("EDGEAI_CLAMP", {"x": 1, "lo": 0, "hi": 2}, "is not a scratch size expression"),
    ("EDGEAI_CONV_POOL_S8_SUMS_OFFSET", {"column_bytes": -8, "channels": 1, "columns": 1},
     "C division of -4 by 4 is not supported"),
])
def test_refuses_what_it_cannot_read_as_c_does(macro: str, arguments: dict, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        buffer_size(macro, **arguments)


def _conv(kernel_h: int, kernel_w: int, hwc: tuple[int, int, int], groups: int,
          out_c: int, columns: int) -> str:
    h, w, c = hwc
    out_h, out_w = h - kernel_h + 1, w - kernel_w + 1
    return (f"{{.input = {{{h}, {w}, {c}}}, .output = {{{out_h}, {out_w}, {out_c}}}, "
            f".kernel_h = {kernel_h}, .kernel_w = {kernel_w}, .stride_h = 1, .stride_w = 1, "
            f".dilation_h = 1, .dilation_w = 1, .pad_top = 0, .pad_left = 0, "
            f".groups = {groups}, .columns = {columns}}}")


def _cases() -> list[tuple[str, int]]:
    """(C expression, the generator's value) for every kernel with a size function."""
    cases = []
    for (kernel_h, kernel_w, hwc, groups), columns in itertools.product(CONV_SHAPES, (1, 2)):
        out_c = 2 * groups
        conv = _conv(kernel_h, kernel_w, hwc, groups, out_c, columns)
        geometry = {"kernel_h": kernel_h, "kernel_w": kernel_w}
        cases.append((f"edgeai_conv_s8_get_buffer_size(&(edgeai_conv_params){conv})",
                      columns_bytes(geometry, hwc[2], groups, columns)))
        for average in (0, 1) if groups == 1 else ():  # a grouped conv does not fuse
            kind = "EDGEAI_POOL_AVERAGE" if average else "EDGEAI_POOL_MAX"
            pooled = (f"(edgeai_conv_pool_params){{.conv = {conv}, .output = {{1, 1, {out_c}}}, "
                      f".pool_kind = {kind}, .pool_h = 1, .pool_w = 1, .pool_stride_h = 1, "
                      f".pool_stride_w = 1}}")
            cases.append((f"edgeai_conv_pool_s8_get_buffer_size(&{pooled})",
                          conv_pool_scratch_bytes(geometry, hwc[2], out_c, bool(average),
                                                  columns)))
    for channels in POOL_CHANNELS:
        pool = (f"(edgeai_pool_params){{.input = {{4, 4, {channels}}}, .output = {{2, 2, "
                f"{channels}}}, .filter_h = 2, .filter_w = 2, .stride_h = 2, .stride_w = 2}}")
        cases.append((f"edgeai_avg_pool_s8_get_buffer_size(&{pool})",
                      buffer_size("EDGEAI_AVG_POOL_S8_BUFFER_SIZE", channels=channels)))
    cases += [
        ("edgeai_fully_connected_s8_get_buffer_size(&(edgeai_fc_params){1, 8, 4, 0})",
         buffer_size("EDGEAI_FULLY_CONNECTED_S8_BUFFER_SIZE")),
        ("edgeai_lut_s8_get_buffer_size(&(edgeai_lut_params){16})",
         buffer_size("EDGEAI_LUT_S8_BUFFER_SIZE")),
        ("edgeai_softmax_s8_get_buffer_size(&(edgeai_softmax_params){1, 10})",
         buffer_size("EDGEAI_SOFTMAX_S8_BUFFER_SIZE")),
    ]
    return cases


def test_every_c_size_function_agrees_with_the_generator(tmp_path: Path) -> None:
    if shutil.which("gcc") is None:
        pytest.skip("gcc is not installed")
    cases = _cases()
    headers = ["edgeai_conv.h", "edgeai_pool.h", "edgeai_fully_connected.h",
               "edgeai_activation.h", "edgeai_softmax.h"]
    lines = ["#include <stdio.h>", *(f'#include "{h}"' for h in headers), "int main(void)", "{"]
    lines += [f'    printf("%ld\\n", (long){expression});' for expression, _ in cases]
    lines += ["    return 0;", "}"]
    (tmp_path / "main.c").write_text("\n".join(lines) + "\n")
    sources = [RUNTIME / f"{Path(h).stem}.c" for h in headers]
    subprocess.run(["gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-I", str(RUNTIME),
                    str(tmp_path / "main.c"), *map(str, sources), "-o", str(tmp_path / "sizes")],
                   check=True)
    printed = subprocess.run([str(tmp_path / "sizes")], capture_output=True, text=True,
                             check=True).stdout.split()
    assert [int(v) for v in printed] == [value for _, value in cases]
