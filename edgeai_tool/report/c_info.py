"""`<name>_c_info.json`: the report's figures for programs (build tools, CI dashboards).

Deterministic: keys sorted, two-space indent, a trailing newline, no dates or paths
(the model appears by base name). Sizes are bytes.
"""

from __future__ import annotations

import json
from typing import Any

from edgeai_tool import __version__
from edgeai_tool.codegen.patch_stage import PatchChoice
from edgeai_tool.compilation import CompiledModel
from edgeai_tool.report.analysis import ArrayInfo, IoInfo, LayerInfo, PoolInfo, Report, analyze

SCHEMA_VERSION = 1


def render_c_info(compilation: CompiledModel) -> str:
    """The JSON text of `<name>_c_info.json`."""
    document = c_info(compilation)
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def c_info(compilation: CompiledModel) -> dict[str, Any]:
    """The same document as a dict."""
    report = analyze(compilation)
    options = compilation.options
    inputs, outputs = report.io_external_bytes
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "edgeai", "version": __version__},
        "model": {
            "file": report.model_file,
            "type": "tflite",
            "name": report.model_name,
            "hash": {"algorithm": "md5", "value": report.model_md5},
            "format": report.model_format,
            "params": report.params,
            "params_bytes": report.params_bytes,
        },
        "options": {
            "name": options.name,
            "target": options.target,
            "optimization": options.optimization,
            "compression": options.compression,
            "allocate_inputs": options.allocate_inputs,
            "allocate_outputs": options.allocate_outputs,
            "memory_pool": _base_name(options.memory_pool),
        },
        "memory_pools": [_pool(pool) for pool in report.pools],
        "weights": {
            "bytes": report.weights_bytes,
            "arrays": [_weights_array(array) for array in report.weight_arrays
                       if array.kind != "quant"],
        },
        "requant": {
            "bytes": report.requant_bytes,
            "arrays": [_weights_array(array) for array in report.weight_arrays
                       if array.kind == "quant"],
        },
        "activations": {
            "bytes": report.activations_bytes,
            "pools": [{"name": pool.name, "bytes": pool.used} for pool in report.used_pools],
            "buffers": [_buffer(array) for array in report.arrays
                        if array.domain == "activations"],
        },
        **_state(report),
        **_patches(compilation.patch),
        "inputs": [_io(io) for io in report.inputs],
        "outputs": [_io(io) for io in report.outputs],
        "layers": [_layer(layer) for layer in report.layers],
        "macc": {"model": report.model_macc, "c_model": report.c_macc},
        "ram": {"total_bytes": report.ram_bytes, "inputs_external_bytes": inputs,
                "outputs_external_bytes": outputs},
    }


def _patches(patch: PatchChoice | None) -> dict[str, Any]:
    """-O ram's patch-based execution, when it chose one."""
    if patch is None:
        return {}
    return {"patches": {
        "stage": list(patch.layers), "cut": patch.cut, "cut_shape": list(patch.cut_shape),
        "bands": [list(band) for band in patch.bands],
        "activations_bytes_before": patch.peak_before,
        "activations_bytes_after": patch.peak_after,
        "stage_macc": patch.stage_macc, "recomputed_macc": patch.extra_macc,
        "recomputed_percent": round(patch.extra_percent, 2),
    }}


def _state(report: Report) -> dict[str, Any]:
    """The ops' state (variable tensors), for models that have one."""
    if not report.state_bytes:
        return {}
    return {"state": {"bytes": report.state_bytes,
                      "tensors": [{"name": array.name, "dtype": array.dtype,
                                   "shape": list(array.shape or ()), "offset": array.offset,
                                   "bytes": array.size} for array in report.state]}}


def _base_name(path: str | None) -> str | None:
    return path.replace("\\", "/").rsplit("/", 1)[-1] if path else None


def _pool(pool: PoolInfo) -> dict[str, Any]:
    return {"id": pool.id, "name": pool.name, "size": pool.size, "used_bytes": pool.used,
            "address": pool.address, "buffers": pool.buffers}


def _weights_array(array: ArrayInfo) -> dict[str, Any]:
    return {"name": array.name, "kind": array.kind, "c_type": array.ctype,
            "items": array.items, "bytes": array.size, "shape": list(array.shape or ())}


def _buffer(array: ArrayInfo) -> dict[str, Any]:
    return {"name": array.name, "kind": array.kind, "pool": array.pool,
            "offset": array.offset, "bytes": array.size}


def _io(io: IoInfo) -> dict[str, Any]:
    location: dict[str, Any] | str = ({"pool": io.pool, "offset": io.offset}
                                      if io.pool is not None else "external")
    return {"name": io.name, "array": io.array, "shape": list(io.shape), "dtype": io.dtype,
            "scale": io.scale, "zero_point": io.zero_point, "bytes": io.size_bytes,
            "location": location}


def _layer(layer: LayerInfo) -> dict[str, Any]:
    return {"c_id": layer.c_id, "name": layer.name, "kernel": layer.kernel,
            "c_type": layer.c_type, "origin": list(layer.origin), "m_id": layer.m_id,
            "macc": layer.macc, "rom": layer.rom, "scratch_bytes": layer.scratch_bytes,
            "operation": layer.operation}


__all__ = ["c_info", "render_c_info"]
