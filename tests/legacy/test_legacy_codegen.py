"""How the legacy API describes buffers: ST's BCWH shapes from the model's NHWC ones."""

import pytest

from edgeai_tool.codegen.legacy import bcwh


@pytest.mark.parametrize(("shape", "expected"), [
    ((1, 28, 28, 1), (1, 1, 28, 28)),   # NHWC image: batch, channel, width, height
    ((1, 10), (1, 10, 1, 1)),           # a vector: channels only
    ((1, 49, 10), (1, 10, 1, 49)),      # a sequence: its steps become the height
    ((1, 2, 3, 4, 5), (1, 5, 4, 6)),    # 5-D: dimensions before the width fold into height
    ((7,), (1, 7, 1, 1)),
    ((), (1, 1, 1, 1)),
])
def test_bcwh(shape, expected):
    assert bcwh(shape) == expected
