"""SVDF, int8 input and output with int8 or int16 state: what it accepts and what it costs.

Inputs: input [batches, input_size], weights_feature [num_filters, input_size], weights_time
[num_filters, memory_size], bias [num_filters / rank], state [batches, num_filters *
memory_size] (a variable tensor). TFLite Micro's integer kernel ignores the fused
activation and the weights' zero points, and so do we.
"""

from __future__ import annotations

from edgeai_tool.ir import Graph, Op, Tensor
from edgeai_tool.ops.base import OpSupport, int8_per_tensor

# TFLM's Prepare refuses a bias scale further than this from state scale x time scale.
_BIAS_SCALE_TOLERANCE = 1e-5

CONSTRAINTS = (
    "int8 input [batches, in] and output; constant int8 feature weights; constant int8 or "
    "int16 time weights with a variable state tensor of the same type; constant int32 bias; "
    "rank >= 1 dividing the filters; fused activation ignored (as TFLite Micro's integer "
    "kernel)"
)


def svdf_tensors(graph: Graph, op: Op) -> tuple[Tensor, Tensor, Tensor, Tensor, Tensor, Tensor]:
    """(input, weights_feature, weights_time, bias, state, output)."""
    x, feature, time, bias, state = (graph.tensor(t) for t in op.inputs)
    return x, feature, time, bias, state, graph.tensor(op.outputs[0])


def check_svdf(graph: Graph, op: Op) -> str | None:
    """None when the op is supported, else the reason."""
    if len(op.inputs) != 5 or len(op.outputs) != 1:
        return f"{len(op.inputs)} inputs and {len(op.outputs)} outputs (5 and 1 expected)"
    if op.inputs[3] < 0:
        return "an SVDF without bias is not supported (TFLite Micro needs the bias)"
    tensors = svdf_tensors(graph, op)
    return _check_types(*tensors) or _check_shapes(op, *tensors) or _check_bias_scale(*tensors)


def _check_types(x: Tensor, feature: Tensor, time: Tensor, bias: Tensor, state: Tensor,
                 y: Tensor) -> str | None:
    reason = int8_per_tensor("input", x) or int8_per_tensor("output", y)
    if reason:
        return reason
    if feature.dtype != "int8" or not feature.is_constant or feature.quant is None:
        return "feature weights must be a constant int8 quantized tensor"
    if time.dtype not in ("int8", "int16") or not time.is_constant or time.quant is None:
        return "time weights must be a constant int8 or int16 quantized tensor"
    if not state.is_variable or state.dtype != time.dtype or state.quant is None:
        return f"the state must be a quantized variable tensor of the time weights' type " \
               f"({time.dtype})"
    if bias.dtype != "int32" or not bias.is_constant or bias.quant is None:
        return "bias must be a constant quantized int32 tensor"
    return None


def _check_shapes(op: Op, x: Tensor, feature: Tensor, time: Tensor, bias: Tensor,
                  state: Tensor, y: Tensor) -> str | None:
    rank = int(op.options.get("rank", 0))
    if len(x.shape) != 2 or len(feature.shape) != 2 or len(time.shape) != 2:
        return "input, feature weights and time weights must have rank 2"
    batches, input_size = x.shape
    filters, memory = time.shape
    if rank < 1 or filters % rank:
        return f"rank {rank} does not divide the {filters} filters"
    if feature.shape != (filters, input_size):
        return f"feature weights {list(feature.shape)} do not match input {list(x.shape)} " \
               f"and time weights {list(time.shape)}"
    if state.shape != (batches, filters * memory):
        return f"state shape {list(state.shape)} is not [{batches}, {filters * memory}]"
    if y.shape != (batches, filters // rank) or bias.size != filters // rank:
        return f"output {list(y.shape)} or bias {list(bias.shape)} does not match " \
               f"{filters // rank} units"
    return None


def _check_bias_scale(x: Tensor, feature: Tensor, time: Tensor, bias: Tensor, state: Tensor,
                      y: Tensor) -> str | None:
    product = float(state.quant.scale[0]) * float(time.quant.scale[0])
    if abs(float(bias.quant.scale[0]) - product) >= _BIAS_SCALE_TOLERANCE:
        return f"bias scale {bias.quant.scale[0]:g} differs from state scale x time weights " \
               f"scale {product:g} (TFLite Micro refuses this layer)"
    return None


def svdf_macc(graph: Graph, op: Op) -> int:
    """Per batch: the feature and time products, then one add per filter (the rank sums and
    the bias)."""
    x, feature, time, _, _, _ = svdf_tensors(graph, op)
    return x.shape[0] * (feature.size + time.size + time.shape[0])


SUPPORT = [OpSupport("SVDF", CONSTRAINTS, check_svdf, svdf_macc)]
