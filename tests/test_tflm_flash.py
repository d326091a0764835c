"""The TFLite Micro flash budget of `-O balanced` (edgeai_tool/tflm_flash.py)."""

from edgeai_tool.ops import supported_ops
from edgeai_tool.tflm_flash import KERNEL_BYTES, MODELS, flash_floor


def test_every_supported_op_has_a_measured_tflm_kernel():
    # An op without a figure counts 0 in the budget, which would understate TFLite Micro's
    # flash for a model made of it: a new op needs its TFLite Micro kernel measured.
    assert sorted(set(supported_ops()) - set(KERNEL_BYTES)) == []


def test_the_floor_never_exceeds_a_measured_tflm_image():
    # The budget must not credit TFLite Micro with more flash than its smallest build took.
    ops = {"demo": ["CONV_2D", "FULLY_CONNECTED", "MAX_POOL_2D", "RESHAPE", "SOFTMAX"],
           "ad": ["FULLY_CONNECTED"]}
    for name, kinds in ops.items():
        measured = MODELS[name]
        assert flash_floor(kinds, measured.tflite) <= measured.total_int8
    assert flash_floor(ops["ad"], MODELS["ad"].tflite) == MODELS["ad"].total_int8
