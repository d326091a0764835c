"""The vocabulary of lowerings: a lowered layer, its arrays and its buffers.

A lowered layer keeps structure and numbers apart. `params` (shapes, strides, offsets
into the memory plan) go to `<name>.c`; `data` (zero points, multipliers, clamps) and
`arrays` (weights, biases, per-channel multipliers) go to `<name>_data_params.c`. A model
retrained with the same architecture therefore changes only the data files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

import numpy as np

from edgeai_tool.ir import Graph, Op


@dataclass(frozen=True)
class CArray:
    """A constant array in flash. `name` is local to the layer (`weights`, `bias`)."""

    name: str
    ctype: str
    values: np.ndarray
    kind: str = "weights"  # weights | bias | quant: how the report classifies it

    @property
    def nbytes(self) -> int:
        return int(self.values.size * self.values.itemsize)


@dataclass(frozen=True)
class ArrayRef:
    """A data-struct field that points at one of the layer's `CArray`s."""

    name: str


@dataclass(frozen=True)
class Buffer:
    """A kernel argument that points into the activations or the state: a tensor or the
    op's scratch. A "state" argument is a variable tensor the kernel reads and updates."""

    role: str  # "input" | "output" | "scratch" | "state"
    tensor: int = -1  # tensor id for inputs, outputs and state
    ctype: str = "int8_t"


CValue = int | float | str | ArrayRef | tuple


@dataclass(frozen=True)
class BufferAt:
    """A place in one of a stage layer's buffers (`role` as in `Buffer`), `offset` bytes in."""

    role: str
    offset: int


@dataclass(frozen=True)
class BandCall:
    """One kernel call of a patched stage: layer `layer` of the stage on one band of rows,
    with that band's structure and the places of its arguments (in the layer's order)."""

    layer: int
    params: dict[str, CValue]
    args: list[BufferAt]


class Banding(Enum):
    """How a layer's call may run on a band of rows of its tensors (codegen.patch_stage):
    what its lowering promises about the kernel, whatever the tensors' shapes."""

    NONE = "none"  # whole tensors only
    # One NHWC int8 input read through windows along the rows: the structure is
    # {input, output, ..., stride_h, pad_top} (hwc shapes), the arguments (input,
    # output[, scratch]), and a band is the same call on fewer rows, rows at or past
    # `input.h` read as padding.
    ROWS = "rows"
    # Two int8 inputs read element for element with the output (`loop_params`), the
    # arguments (input, input, output): a band of same-shape tensors is the same call on
    # the same rows of each.
    ELEMENTWISE = "elementwise"


@dataclass
class LayerCode:
    """One C layer: a kernel call with its const parameter structs.

    The generated call is `kernel(&<layer>_params, &<name>_<layer>_data, args...)`, in
    the order of `args`. A layer with no numeric data leaves `data_type` empty and the
    call omits that argument.
    """

    kernel: str
    header: str
    params_type: str
    params: dict[str, CValue]
    data_type: str
    data: dict[str, CValue]
    args: list[Buffer]
    arrays: list[CArray] = field(default_factory=list)
    scratch_bytes: int = 0
    macc: int = 0
    c_type: str = ""  # the report's layer type: Conv2D, Dense, Pool, Nonlinearity, ...
    # Input tensor id -> the largest byte offset of the output's start from that input's
    # start at which the kernel never overwrites an input byte it has still to read: the
    # memory planner may then place the output over the input when the input dies here.
    overwrites: dict[int, int] = field(default_factory=dict)
    # Whether the call may run on a band of rows (a -O ram patch stage), set by the lowering.
    banding: Banding = Banding.NONE
    # A patched stage (codegen.patch_stage): its layers, by name, and the calls running them
    # band by band; the stage's own kernel, params and data are then unused.
    stage: list[tuple[str, LayerCode]] = field(default_factory=list)
    bands: list[BandCall] = field(default_factory=list)


Lowering = Callable[[Graph, Op], LayerCode]


def window_starts(count: int, stride: int, pad: int) -> np.ndarray:
    """First in-bounds input index of each of `count` windows."""
    return np.maximum(np.arange(count) * stride - pad, 0)


def raster_overwrite_limit(lowest_read: np.ndarray, out_pixel_bytes: int,
                           lookback: int) -> int:
    """`LayerCode.overwrites` of a kernel writing its output pixels in order.

    `lowest_read[p]` is the lowest input byte output pixel p reads. The kernel may write
    pixel p before reading its inputs, and while still reading the inputs of the `lookback`
    pixels before it (a kernel computing pixel pairs), so pixel p's bytes must end at or
    below every input byte of pixels p - lookback onwards.
    """
    still_needed = np.minimum.accumulate(np.asarray(lowest_read, dtype=np.int64)[::-1])[::-1]
    pixels = len(still_needed)
    needed = still_needed[np.maximum(np.arange(pixels) - lookback, 0)]
    written_end = (np.arange(pixels, dtype=np.int64) + 1) * out_pixel_bytes
    return int(np.min(needed - written_end))
