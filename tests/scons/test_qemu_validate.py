"""`edgeai_tool.validate.qemu`: the generated C on a Cortex-M7 under QEMU, for
`validate --mode qemu-m7`; outputs like `HostNetwork.run`'s."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scons_tree import needs_qemu
from support.model_variants import other_architecture

from edgeai_tool.compiler import compile_model
from edgeai_tool.errors import EdgeAIError
from edgeai_tool.options import Options
from edgeai_tool.validate.host import HostNetwork
from edgeai_tool.validate.qemu import QemuNetwork


@needs_qemu
def test_qemu_outputs_equal_host_outputs_across_chunks(tmp_path: Path):
    model = tmp_path / "cnn.tflite"
    model.write_bytes(other_architecture())
    compilation = compile_model(model, Options(target="qemu-m7"))
    rng = np.random.default_rng(0)
    inputs = [rng.integers(-128, 128, size=(300, 28, 28, 1), dtype=np.int8)]
    with QemuNetwork(compilation, jobs=2) as network:
        network.samples_per_image = lambda: 120  # three images, one of them short
        outputs = network.run(inputs)
        assert len(network.run([inputs[0][:1]])[0]) == 1  # runs again, any count
    with HostNetwork(compilation) as host:
        expected = host.run(inputs)
    assert outputs[0].shape == (300, 10) and outputs[0].dtype == np.int8
    np.testing.assert_array_equal(outputs[0], expected[0])


def test_missing_programs_are_one_line_errors(tmp_path: Path):
    model = tmp_path / "cnn.tflite"
    model.write_bytes(other_architecture())
    compilation = compile_model(model, Options())
    with pytest.raises(EdgeAIError, match="needs 'no-such-qemu'"), \
            QemuNetwork(compilation, qemu="no-such-qemu", toolchain_prefix=""):
        pass
