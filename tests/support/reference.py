"""Run models in the tflite-micro interpreter, plus small numpy reference helpers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import tflite

_TFLITE_ITEMSIZE = {
    tflite.TensorType.FLOAT32: 4,
    tflite.TensorType.INT8: 1,
    tflite.TensorType.UINT8: 1,
    tflite.TensorType.INT16: 2,
    tflite.TensorType.INT32: 4,
    tflite.TensorType.INT64: 8,
    tflite.TensorType.BOOL: 1,
}


def _arena_size(model_bytes: bytes) -> int:
    """Generous arena: every activation tensor twice over, plus headroom for bookkeeping."""
    model = tflite.Model.GetRootAs(model_bytes, 0)
    total = 0
    for s in range(model.SubgraphsLength()):
        sg = model.Subgraphs(s)
        for t in range(sg.TensorsLength()):
            tensor = sg.Tensors(t)
            n = int(np.prod(tensor.ShapeAsNumpy())) if tensor.ShapeLength() else 1
            total += n * _TFLITE_ITEMSIZE.get(tensor.Type(), 8) + 16
    return 2 * total + 10 * len(model_bytes) + 64 * 1024


def make_interpreter(model_bytes: bytes, arena_size: int | None = None) -> Any:
    """A tflite-micro interpreter for the model (arena sized from its tensors)."""
    from tflite_micro import runtime

    return runtime.Interpreter.from_bytes(
        bytes(model_bytes), arena_size=arena_size or _arena_size(model_bytes)
    )


def run_tflm(model_bytes: bytes, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Run tflite-micro on a batch of samples.

    ``inputs[i]`` feeds model input ``i``. If its shape equals that input's shape it is one
    sample and outputs come back with the model's output shapes; if it has one extra leading
    axis it is a batch of samples (all inputs must then agree on the count) and every output
    gets the same leading axis. The interpreter is reset between samples.
    """
    subgraph = tflite.Model.GetRootAs(model_bytes, 0).Subgraphs(0)
    if len(inputs) != subgraph.InputsLength():
        raise ValueError(f"model has {subgraph.InputsLength()} inputs, got {len(inputs)}")
    n_out = subgraph.OutputsLength()
    interp = make_interpreter(model_bytes)
    details = [interp.get_input_details(i) for i in range(len(inputs))]
    arrays = [np.asarray(a) for a in inputs]
    kinds = set()
    for arr, det in zip(arrays, details, strict=True):
        shape = tuple(int(d) for d in det["shape"])
        if arr.shape == shape:
            kinds.add("single")
        elif arr.shape[1:] == shape:
            kinds.add("batch")
        else:
            raise ValueError(f"input shape {arr.shape} does not fit model input {shape}")
    if len(kinds) != 1:
        raise ValueError("mix of single-sample and batched inputs")
    batched = kinds == {"batch"}
    if batched and len({len(a) for a in arrays}) != 1:
        raise ValueError("batched inputs disagree on the number of samples")
    samples = list(zip(*arrays, strict=True)) if batched else [tuple(arrays)]

    results: list[list[np.ndarray]] = [[] for _ in range(n_out)]
    for k, sample in enumerate(samples):
        if k:
            interp.reset()
        for i, (arr, det) in enumerate(zip(sample, details, strict=True)):
            interp.set_input(np.ascontiguousarray(arr, dtype=det["dtype"]), i)
        interp.invoke()
        for j in range(n_out):
            results[j].append(np.array(interp.get_output(j), copy=True))
    if not batched:
        return [r[0] for r in results]
    return [np.stack(r) for r in results]


def random_int8_inputs(
    shape: Sequence[int], n: int, rng: np.random.Generator, low: int = -128, high: int = 127
) -> np.ndarray:
    """``n`` uniformly random int8 samples of ``shape``, stacked on a new leading axis."""
    return rng.integers(low, high, size=(n, *shape), endpoint=True, dtype=np.int8)


def conv2d_nhwc(
    x: np.ndarray,
    w: np.ndarray,
    bias: np.ndarray | None = None,
    stride: tuple[int, int] = (1, 1),
    padding: str = "VALID",
    dilation: tuple[int, int] = (1, 1),
) -> np.ndarray:
    """Float CONV_2D: x [N,H,W,I], w [O,KH,KW,I] -> [N,OH,OW,O] (TFLite padding rules)."""
    x = np.asarray(x, np.float64)
    w = np.asarray(w, np.float64)
    patches, (oh, ow) = _patches(x, w.shape[1], w.shape[2], stride, padding, dilation)
    out = np.einsum("nhwabi,oabi->nhwo", patches, w)
    if bias is not None:
        out = out + np.asarray(bias, np.float64)
    return out.reshape(x.shape[0], oh, ow, w.shape[0])


def depthwise_conv2d_nhwc(
    x: np.ndarray,
    w: np.ndarray,
    bias: np.ndarray | None = None,
    stride: tuple[int, int] = (1, 1),
    padding: str = "VALID",
    dilation: tuple[int, int] = (1, 1),
) -> np.ndarray:
    """Float DEPTHWISE_CONV_2D: x [N,H,W,I], w [1,KH,KW,I*M] -> [N,OH,OW,I*M]."""
    x = np.asarray(x, np.float64)
    w = np.asarray(w, np.float64)
    in_c = x.shape[3]
    mult = w.shape[3] // in_c
    patches, _ = _patches(x, w.shape[1], w.shape[2], stride, padding, dilation)
    wr = w[0].reshape(w.shape[1], w.shape[2], in_c, mult)
    out = np.einsum("nhwabi,abim->nhwim", patches, wr)
    out = out.reshape(*out.shape[:3], in_c * mult)
    if bias is not None:
        out = out + np.asarray(bias, np.float64)
    return out


def fully_connected(x: np.ndarray, w: np.ndarray, bias: np.ndarray | None = None) -> np.ndarray:
    """Float FULLY_CONNECTED: x [..., I], w [O, I] -> [..., O]."""
    out = np.asarray(x, np.float64) @ np.asarray(w, np.float64).T
    return out if bias is None else out + np.asarray(bias, np.float64)


def output_size(size: int, kernel: int, stride: int, padding: str, dilation: int = 1) -> int:
    """TFLite spatial output size for SAME/VALID padding."""
    eff = (kernel - 1) * dilation + 1
    if padding.upper() == "SAME":
        return (size + stride - 1) // stride
    return (size - eff + stride) // stride


def _patches(
    x: np.ndarray,
    kh: int,
    kw: int,
    stride: tuple[int, int],
    padding: str,
    dilation: tuple[int, int],
) -> tuple[np.ndarray, tuple[int, int]]:
    """Gather [N, OH, OW, KH, KW, C] input windows (zero padded like TFLite)."""
    n, h, w, c = x.shape
    oh = output_size(h, kh, stride[0], padding, dilation[0])
    ow = output_size(w, kw, stride[1], padding, dilation[1])
    pad_h = pad_w = 0
    if padding.upper() == "SAME":
        pad_h = max((oh - 1) * stride[0] + (kh - 1) * dilation[0] + 1 - h, 0) // 2
        pad_w = max((ow - 1) * stride[1] + (kw - 1) * dilation[1] + 1 - w, 0) // 2
    need_h = (oh - 1) * stride[0] + (kh - 1) * dilation[0] + 1
    need_w = (ow - 1) * stride[1] + (kw - 1) * dilation[1] + 1
    xp = np.pad(
        x,
        ((0, 0), (pad_h, max(need_h - h - pad_h, 0)), (pad_w, max(need_w - w - pad_w, 0)), (0, 0)),
    )
    out = np.empty((n, oh, ow, kh, kw, c))
    for a in range(kh):
        for b in range(kw):
            ys = a * dilation[0]
            xs = b * dilation[1]
            out[:, :, :, a, b, :] = xp[
                :,
                ys : ys + (oh - 1) * stride[0] + 1 : stride[0],
                xs : xs + (ow - 1) * stride[1] + 1 : stride[1],
                :,
            ]
    return out, (oh, ow)
