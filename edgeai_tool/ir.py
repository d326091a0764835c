"""The graph IR: small, plain dataclasses that every stage reads and writes.

Tensors are identified by an integer id (the TFLite tensor index for imported tensors,
fresh ids for tensors a pass creates). Ops are kept in execution order.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

DTYPE_SIZES = {
    "int8": 1, "uint8": 1, "bool": 1, "int16": 2, "float16": 2,
    "int32": 4, "float32": 4, "int64": 8,
}


@dataclass(frozen=True)
class Quantization:
    """Affine quantization: real = scale * (q - zero_point).

    One scale/zero point per tensor, or one per slice along `axis` (per channel).
    """

    scale: tuple[float, ...]
    zero_point: tuple[int, ...]
    axis: int = 0

    @property
    def per_channel(self) -> bool:
        return len(self.scale) > 1


@dataclass
class Tensor:
    id: int
    name: str
    shape: tuple[int, ...]
    dtype: str
    quant: Quantization | None = None
    data: np.ndarray | None = None
    # Set when this tensor shares the buffer of another (a reshape needs no copy).
    alias_of: int | None = None
    # An op's state (TFLite `is_variable`): read and updated in place by its op, kept from
    # one run to the next, reset to zero (int8: its zero point) on init and reset.
    is_variable: bool = False

    @property
    def is_constant(self) -> bool:
        return self.data is not None

    @property
    def size(self) -> int:
        count = 1
        for dim in self.shape:
            count *= dim
        return count

    @property
    def nbytes(self) -> int:
        return self.size * DTYPE_SIZES[self.dtype]

    @property
    def scale(self) -> float:
        """The per-tensor scale (only valid for per-tensor quantization)."""
        assert self.quant is not None and not self.quant.per_channel
        return self.quant.scale[0]

    @property
    def zero_point(self) -> int:
        assert self.quant is not None
        return self.quant.zero_point[0]


@dataclass
class Op:
    """One operation. `kind` is the TFLite builtin name (CONV_2D, ...).

    `inputs` may hold -1 for an optional input that is absent. `options` are the
    builtin options, normalised to plain Python values. `origin` lists the indices of
    the imported ops this op stands for (several after fusion), for the report.
    """

    kind: str
    inputs: list[int]
    outputs: list[int]
    options: dict[str, Any] = field(default_factory=dict)
    origin: tuple[int, ...] = ()
    name: str = ""

    def replace(self, **changes: Any) -> Op:
        return dataclasses.replace(self, **changes)


@dataclass
class Graph:
    name: str
    tensors: dict[int, Tensor]
    ops: list[Op]
    inputs: list[int]
    outputs: list[int]

    def tensor(self, tensor_id: int) -> Tensor:
        return self.tensors[tensor_id]

    def producers(self) -> dict[int, int]:
        """Map tensor id -> index (in self.ops) of the op writing it."""
        return {t: i for i, op in enumerate(self.ops) for t in op.outputs}

    def consumers(self) -> dict[int, list[int]]:
        """Map tensor id -> indices (in self.ops) of the ops reading it."""
        readers: dict[int, list[int]] = {}
        for i, op in enumerate(self.ops):
            for t in op.inputs:
                if t >= 0:
                    readers.setdefault(t, []).append(i)
        return readers

    def new_tensor_id(self) -> int:
        return max(self.tensors, default=-1) + 1

    def copy(self) -> Graph:
        """A copy whose op list and tensor table can be changed independently."""
        return Graph(
            name=self.name,
            tensors={k: dataclasses.replace(t) for k, t in self.tensors.items()},
            ops=[op.replace(options=dict(op.options)) for op in self.ops],
            inputs=list(self.inputs),
            outputs=list(self.outputs),
        )

    def buffer_of(self, tensor_id: int) -> int:
        """The tensor whose buffer `tensor_id` lives in (follows alias chains)."""
        tensor = self.tensors[tensor_id]
        while tensor.alias_of is not None:
            tensor = self.tensors[tensor.alias_of]
        return tensor.id
