"""TFLite Micro + CMSIS-NN's flash on a Cortex-M7, measured: the budget of `-O balanced`.

Issue 13 defines `-O balanced` as the fastest code whose code + weights flash stays within
TFLite Micro's: its runtime and kernels plus the .tflite it keeps in flash. These are the
measured figures behind that budget (see README, Figures).

How they were measured (2026-12-02). tflite-micro 90b983c2b with CMSIS-NN 4ab83cc3 (and the
CMSIS_6 5782d6f8, Cortex_DFP c2c70a97, flatbuffers v25.9.23, gemmlowp 719139c and ruy
d371283 its download scripts name), library built with its own Makefile flags:
`TARGET=cortex_m_generic TARGET_ARCH=cortex-m7+fp OPTIMIZED_KERNEL_DIR=cmsis_nn
BUILD_TYPE=release` (interpreter -Os, kernels and CMSIS-NN -O2, error strings stripped, no
printf), arm-none-eabi-gcc 12.2.1 20221205 (Debian 15:12.2.rel1-1). Each image links one
`main()` holding a MicroMutableOpResolver with exactly the listed ops, a MicroInterpreter on a
static arena, AllocateTensors and one Invoke, the .tflite as a const array in flash, a bare
reset handler, `--gc-sections`, newlib-nano; every model image ran in QEMU mps2-an500 and
Invoke returned kTfLiteOk. Flash is `.text + .rodata + .data` (arm-none-eabi-size text +
data). A runtime figure is the image minus the .tflite minus the same image with an empty
`main()` (196 B: reset handler and vector table), so it counts the interpreter, the kernels,
CMSIS-NN and what they pull from libgcc, libc and libm (soft double, memcpy, strcmp, expf).

Two registrations: the default one (`resolver.AddConv2D()`, as TFLite Micro's examples and the
MLPerf Tiny reference firmware register ops) and CMSIS-NN's int8-only one
(`AddConv2D(Register_CONV_2D_INT8())`, where it exists), which drops the float and int16
paths. The budget uses the smaller, int8-only figures, so it never credits TFLite Micro with
code an int8 model could leave out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# The interpreter, allocator, memory planner and flatbuffer parsing without any op kernel:
# an image whose resolver registers nothing.
CORE_BYTES = 10_688

# What one op adds to CORE_BYTES when it is the only op registered, int8-only registration
# where CMSIS-NN has one. Ops share helpers, so a model's kernels cost at least the largest
# of its ops and at most their sum.
KERNEL_BYTES: dict[str, int] = {
    "ADD": 6_656, "AVERAGE_POOL_2D": 4_592, "CONCATENATION": 3_968, "CONV_2D": 11_836,
    "DEPTHWISE_CONV_2D": 10_284, "DEQUANTIZE": 1_440, "EXPAND_DIMS": 1_344,
    "FULLY_CONNECTED": 13_936, "HARD_SWISH": 2_312, "LEAKY_RELU": 2_312, "LOGISTIC": 6_232,
    "MAXIMUM": 2_112, "MAX_POOL_2D": 4_720, "MEAN": 5_928, "MINIMUM": 2_112, "MUL": 6_316,
    "PACK": 1_664, "PAD": 2_112, "PADV2": 4_640, "QUANTIZE": 2_944, "RELU": 2_152,
    "RELU6": 1_480, "RESHAPE": 1_440, "SOFTMAX": 8_080, "SPLIT": 1_920, "SPLIT_V": 2_016,
    "SQUEEZE": 1_376, "STRIDED_SLICE": 11_520, "SUB": 11_564, "SVDF": 9_848, "TANH": 6_504,
    "TRANSPOSE": 1_568, "UNIDIRECTIONAL_SEQUENCE_LSTM": 10_880, "UNPACK": 1_472,
}

# The smallest TFLite Micro runtime any model edgeai accepts can have: the core and the
# cheapest single kernel. With the model's .tflite size it bounds an unseen model's budget.
SMALLEST_RUNTIME_BYTES = CORE_BYTES + min(KERNEL_BYTES.values())


@dataclass(frozen=True)
class ModelFlash:
    """One model's measured TFLite Micro flash, in bytes."""

    tflite: int
    runtime: int  # interpreter + kernels, default registrations
    runtime_int8: int  # the same with CMSIS-NN's int8-only registrations

    @property
    def total(self) -> int:
        return self.runtime + self.tflite

    @property
    def total_int8(self) -> int:
        return self.runtime_int8 + self.tflite


MODELS: dict[str, ModelFlash] = {
    "demo": ModelFlash(tflite=46_136, runtime=65_856, runtime_int8=43_584),
    "kws": ModelFlash(tflite=53_936, runtime=81_592, runtime_int8=50_872),
    "vww": ModelFlash(tflite=333_288, runtime=81_592, runtime_int8=50_872),
    "ic": ModelFlash(tflite=98_496, runtime=76_448, runtime_int8=48_896),
    "ad": ModelFlash(tflite=276_976, runtime=28_400, runtime_int8=24_624),
}


def flash_floor(op_kinds: Iterable[str], tflite_bytes: int) -> int:
    """A lower bound of TFLite Micro's code + weights flash for a model: the core, its most
    expensive kernel (int8-only registration) and its .tflite. Ops without a figure count 0."""
    kernel = max((KERNEL_BYTES.get(kind, 0) for kind in op_kinds), default=0)
    return CORE_BYTES + kernel + tflite_bytes
