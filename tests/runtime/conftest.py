"""Run one lowered layer (`LayerCode`) as C: a small program rendered like the generator does.

The program holds the layer's arrays and its params/data structs as designated initializers
(the generator's own `cformat` helpers), allocates input, output and scratch with exactly the
sizes the lowering declares (so AddressSanitizer sees any overrun), checks the kernel's
`*_get_buffer_size` against `scratch_bytes`, then runs the kernel on every sample read from
stdin and writes the outputs to stdout. With `overlap`, input and output share one allocation,
the output starting `overlap` bytes after the input (a kernel run in place, as the memory plan
may place it within `LayerCode.overwrites`).

Fixture `layer_runner` runs the Cortex-M DSP path with its instructions emulated in C under
-fsanitize=address,undefined (`sanitize`): every case goes through it. The portable path has
`portable_sanitized_runner` (`sanitize-portable`), which the tests use on a representative
subset; `portable` and `dsp` (-O2, no sanitizers) remain available to LayerRunner.
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import numpy as np
import pytest

from edgeai_tool.codegen.cformat import c_array_lines, c_struct_fields
from edgeai_tool.codegen.layers.base import LayerCode

RUNTIME = Path(__file__).resolve().parents[2] / "edgeai_tool" / "runtime"
KERNEL_SOURCES = ("edgeai_conv.c", "edgeai_depthwise.c", "edgeai_pool.c")
WARNINGS = ["-std=c99", "-Wall", "-Wextra", "-Werror"]
SANITIZE = ["-O1", "-g", "-fsanitize=address,undefined", "-fno-sanitize-recover=all",
            "-fno-omit-frame-pointer"]
VARIANTS = {
    "portable": ["-O2"],
    "dsp": ["-O2", "-DEDGEAI_EMULATE_DSP"],
    "sanitize": [*SANITIZE, "-DEDGEAI_EMULATE_DSP"],
    "sanitize-portable": SANITIZE,
}
_SIZE_FUNCTIONS = {
    "edgeai_conv_s8": "edgeai_conv_s8_get_buffer_size",
    "edgeai_conv_grouped_s8": "edgeai_conv_s8_get_buffer_size",
    "edgeai_conv_wide_s8": "edgeai_conv_s8_get_buffer_size",
    "edgeai_conv_pool_s8": "edgeai_conv_pool_s8_get_buffer_size",
    "edgeai_conv_pool_wide_s8": "edgeai_conv_pool_s8_get_buffer_size",
    "edgeai_avg_pool_s8": "edgeai_avg_pool_s8_get_buffer_size",
}


def render_program(layer: LayerCode, in_size: int, out_size: int,
                   overlap: int | None = None, prelude: str = "") -> str:
    """C source of a program running `layer` on samples from stdin (in place: the output
    `overlap` bytes after the input in one allocation), after C text `prelude`."""
    resolve = {array.name: f"layer_{array.name}" for array in layer.arrays}
    lines = [*([prelude] if prelude else []), "#include <stdio.h>", "#include <stdlib.h>",
             "#include <stdint.h>", f'#include "{layer.header}"', ""]
    for array in layer.arrays:
        lines.append(f"static const {array.ctype} layer_{array.name}[{array.values.size}] = {{")
        lines += [f"    {line}" for line in c_array_lines(array.values, array.ctype)]
        lines.append("};")
    lines.append(f"static const {layer.params_type} layer_params = {{")
    lines += [f"    {field}" for field in c_struct_fields(layer.params, resolve)]
    lines.append("};")
    if layer.data_type:
        lines.append(f"static const {layer.data_type} layer_data = {{")
        lines += [f"    {field}" for field in c_struct_fields(layer.data, resolve)]
        lines.append("};")
    call = ["&layer_params"] + (["&layer_data"] if layer.data_type else [])
    for arg in layer.args:
        names = {"input": "input", "output": "output"}
        call.append(names.get(arg.role, f"({arg.ctype} *)scratch"))
    size_check = ""
    if layer.kernel in _SIZE_FUNCTIONS:
        size_check = (f"    if ({_SIZE_FUNCTIONS[layer.kernel]}(&layer_params) != "
                      f"{layer.scratch_bytes}) return 4;\n")
    scratch = max(layer.scratch_bytes, 1)
    if overlap is None:
        buffers = f"""    int8_t *input = malloc({in_size});
    int8_t *output = malloc({out_size});"""
        release = "    free(input);\n    free(output);"
    else:
        first = max(0, -overlap)
        size = first + max(in_size, overlap + out_size)
        buffers = f"""    int8_t *shared = malloc({size});
    if (shared == NULL) return 5;
    int8_t *input = shared + {first};
    int8_t *output = input + {overlap};"""
        release = "    free(shared);"
    lines.append(f"""
int main(void)
{{
{buffers}
    void *scratch = malloc({scratch});
    if (input == NULL || output == NULL || scratch == NULL) return 5;
{size_check}    while (fread(input, 1, {in_size}, stdin) == {in_size}) {{
        const edgeai_status status = {layer.kernel}({", ".join(call)});
        if (status != EDGEAI_OK) return 3;
        fwrite(output, 1, {out_size}, stdout);
    }}
{release}
    free(scratch);
    return 0;
}}
""")
    return "\n".join(lines)


class LayerRunner:
    """Compiles (cached by source) and runs rendered layer programs for one code path."""

    def __init__(self, variant: str, workdir: Path) -> None:
        self.variant = variant
        self.workdir = workdir
        self._kernels: list[str] = []

    def kernel_objects(self) -> list[str]:
        """The kernels compiled once per runner (seconds each under the sanitizers)."""
        if not self._kernels:
            for name in KERNEL_SOURCES:
                obj = self.workdir / f"{Path(name).stem}.o"
                subprocess.run(["gcc", *WARNINGS, *VARIANTS[self.variant], "-I", str(RUNTIME),
                                "-c", str(RUNTIME / name), "-o", str(obj)], check=True)
                self._kernels.append(str(obj))
        return self._kernels

    def build(self, source: str) -> Path:
        digest = hashlib.sha256(source.encode()).hexdigest()[:16]
        exe = self.workdir / f"layer_{digest}"
        if not exe.exists():
            src = self.workdir / f"layer_{digest}.c"
            src.write_text(source)
            subprocess.run(["gcc", *WARNINGS, *VARIANTS[self.variant], "-I", str(RUNTIME),
                            str(src), *self.kernel_objects(), "-o", str(exe)], check=True)
        return exe

    def run(self, layer: LayerCode, inputs: np.ndarray, out_size: int,
            overlap: int | None = None, prelude: str = "") -> np.ndarray:
        """Outputs [n, out_size] of the layer on int8 inputs [n, ...] (in place with
        `overlap`, after `prelude`: see render_program)."""
        samples = np.ascontiguousarray(inputs, dtype=np.int8).reshape(len(inputs), -1)
        exe = self.build(render_program(layer, samples.shape[1], out_size, overlap, prelude))
        result = subprocess.run([str(exe)], input=samples.tobytes(), capture_output=True,
                                check=False)
        assert result.returncode == 0, (
            f"{self.variant} layer program failed with status {result.returncode}: "
            f"{result.stderr.decode(errors='replace')[-2000:]}")
        out = np.frombuffer(result.stdout, dtype=np.int8)
        assert out.size == len(samples) * out_size
        return out.reshape(len(samples), out_size)


@pytest.fixture(scope="session", params=["sanitize"])
def layer_runner(request: pytest.FixtureRequest,
                 tmp_path_factory: pytest.TempPathFactory) -> LayerRunner:
    return LayerRunner(request.param, tmp_path_factory.mktemp(f"layers-{request.param}"))


@pytest.fixture(scope="session")
def portable_sanitized_runner(tmp_path_factory: pytest.TempPathFactory) -> LayerRunner:
    return LayerRunner("sanitize-portable", tmp_path_factory.mktemp("layers-sanitize-portable"))
